//! The control API's OpenAPI document and its router come from one declaration; this
//! checks the result from outside: every documented operation is served, and on every
//! documented path and each of its prefixes, a method is served only if it is documented.

use reqwest::Method;
use std::collections::{BTreeMap, BTreeSet};
use talkchannel_testkit::{Engine, TestServer};

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_control_route_is_documented_and_served() {
    let s = TestServer::start(Engine::Sqlite)
        .await
        .expect("sqlite starts");
    let doc = s
        .call(Method::GET, "/admin/api/v1/openapi.json", None, None)
        .await;
    assert_eq!(doc.status, 200);
    let mut documented: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (path, item) in doc.body["paths"].as_object().unwrap() {
        let methods = METHODS.into_iter().filter(|m| item.get(*m).is_some());
        documented.insert(path.clone(), methods.collect());
    }
    assert!(documented.len() >= 44, "{} paths", documented.len());
    // Every prefix of a documented path too, so a served sub-route nobody documented shows.
    let mut candidates: BTreeSet<String> = documented.keys().cloned().collect();
    for path in documented.keys() {
        let segments: Vec<&str> = path.split('/').collect();
        for end in 5..segments.len() {
            candidates.insert(segments[..end].join("/"));
        }
    }
    let auth = format!("Bearer {}", s.operator_token);
    let mut wrong = Vec::new();
    for template in &candidates {
        let path = sample_path(template);
        for method in METHODS {
            let expected = documented.get(template).is_some_and(|m| m.contains(method));
            let reply = s
                .call(
                    method.to_uppercase().parse().unwrap(),
                    &path,
                    Some(&auth),
                    None,
                )
                .await;
            let message = reply.body["error"]["message"].as_str().unwrap_or_default();
            let unrouted = (reply.status == 404 && message.starts_with("there is no API at"))
                || reply.status == 405;
            if expected == unrouted {
                wrong.push(format!("{method} {template}: {} {message}", reply.status));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "served and documented differ:\n{}",
        wrong.join("\n")
    );
}

/// The template with its `{params}` filled in (ids that name nothing, which is fine: the
/// route still answers, with a 404 of its own).
fn sample_path(template: &str) -> String {
    template
        .split('/')
        .map(|segment| match segment {
            "{public_id}" => "_c1",
            "{action}" => "add",
            s if s.starts_with('{') => "1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}
