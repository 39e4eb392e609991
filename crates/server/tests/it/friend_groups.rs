//! Friend groups over the control API: a scenario built through the API (files uploaded
//! through the Kakao surface, friends added and blocked, groups defined) whose counts are
//! compared with a computation in this test over the same data, as the data changes.

use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use talkchannel_server::{Config, Server};
use talkchannel_testkit::{on_both_engines, AppFixture, Engine, TestServer};

on_both_engines!(counts_match_an_independent_computation_as_data_changes,);

/// What the test knows about one account, kept beside what it sends the server.
#[derive(Debug, Clone, Default)]
struct Person {
    account: i64,
    female: bool,
    /// Age on 2026-01-01 (the test clock's date in Korea).
    age: i64,
    region: &'static str,
    friend: bool,
    /// File A (app user ids): rating and joined date.
    a: Option<(f64, String)>,
    /// File B (phone numbers): purchase amount.
    b: Option<f64>,
}

const REGIONS: [&str; 4] = ["Seoul", "Busan", "Daegu", "Seongnam"];

async fn post_users(s: &TestServer, app: &AppFixture, file: i64, user_type: &str, users: Value) {
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/update/target_users",
            Some(&app.kakao_ak()),
            Some(json!({"file_id": file, "channel_public_id": "_shop", "user_type": user_type, "users": users})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

pub(crate) async fn create_file(
    s: &TestServer,
    app: &AppFixture,
    name: &str,
    schema: Value,
) -> i64 {
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/create/target_user_file",
            Some(&app.kakao_ak()),
            Some(json!({"channel_public_id": "_shop", "file_name": name, "schema": schema})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["file_id"].as_i64().expect("file_id")
}

fn phone(i: usize) -> String {
    format!("0101234{i:04}")
}

async fn counts(s: &TestServer, group: i64) -> (u64, u64) {
    let c = s
        .control_ok(
            Method::GET,
            &format!("/channels/_shop/groups/{group}/count"),
            None,
        )
        .await;
    (
        c["registered"].as_u64().unwrap(),
        c["friends"].as_u64().unwrap(),
    )
}

/// (registered, friends) of `people` matching `test`, computed here.
fn expected(people: &[Person], test: impl Fn(&Person) -> bool) -> (u64, u64) {
    let matching: Vec<&Person> = people.iter().filter(|p| test(p)).collect();
    let registered = matching
        .iter()
        .filter(|p| p.a.is_some() || p.b.is_some())
        .count();
    let friends = matching.iter().filter(|p| p.friend).count();
    (registered as u64, friends as u64)
}

struct Groups {
    ids: Vec<i64>,
}

type Test = fn(&Person) -> bool;

/// The groups the scenario defines, each with the same rule written for the test.
fn definitions(file_a: i64, file_b: i64) -> Vec<(Value, Test)> {
    vec![
        (
            json!({"and": [
                {"profile": "gender", "op": "equals", "value": "female"},
                {"profile": "age", "op": "between", "value": [20, 39]},
                {"profile": "region", "op": "in", "value": ["Seoul", "Busan"]}
            ]}),
            |p| p.female && (20..=39).contains(&p.age) && ["Seoul", "Busan"].contains(&p.region),
        ),
        (
            json!({"or": [
                {"file": file_a, "field": "rating", "op": "gte", "value": 4},
                {"file": file_b, "field": "amount", "op": "between", "value": [10000, 30000]}
            ]}),
            |p| {
                p.a.as_ref().is_some_and(|(r, _)| *r >= 4.0)
                    || p.b.is_some_and(|x| (10_000.0..=30_000.0).contains(&x))
            },
        ),
        (
            json!({"and": [
                {"not": {"profile": "region", "op": "prefix", "value": "Seo"}},
                {"file": file_a, "field": "joined", "op": "within_last_days", "value": 30}
            ]}),
            |p| {
                !p.region.starts_with("Seo")
                    && p.a
                        .as_ref()
                        .is_some_and(|(_, d)| d.as_str() >= "2025-12-02")
            },
        ),
        (
            json!({"not": {"file": file_a, "field": "rating", "op": "lt", "value": 3}}),
            |p| !p.a.as_ref().is_some_and(|(r, _)| *r < 3.0),
        ),
    ]
}

async fn check(
    s: &TestServer,
    groups: &Groups,
    defs: &[(Value, Test)],
    people: &[Person],
    when: &str,
) {
    for (i, (id, (tree, test))) in groups.ids.iter().zip(defs).enumerate() {
        let want = expected(people, test);
        assert_eq!(counts(s, *id).await, want, "group {i} {when}");
        let unsaved = s
            .control_ok(
                Method::POST,
                "/channels/_shop/groups/count",
                Some(json!({"tree": tree})),
            )
            .await;
        assert_eq!(
            (
                unsaved["registered"].as_u64().unwrap(),
                unsaved["friends"].as_u64().unwrap()
            ),
            want,
            "unsaved tree {i} {when}"
        );
    }
}

async fn counts_match_an_independent_computation_as_data_changes(s: TestServer) {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop").await;
    s.connect(&app, "_shop").await;
    let mut people = Vec::new();
    let mut user_ids = BTreeMap::new();
    for i in 0..48usize {
        let (female, age, region) = (i % 3 != 0, 15 + (i * 7) % 40, REGIONS[i % 4]);
        let birth = format!("{}-{:02}-15", 2026 - age as i64 - 1, 1 + i % 12);
        // Born on the 15th of a month of 2026 - age - 1: on 2026-01-01 this year's
        // birthday is still ahead, so they are `age`.
        let account = s
            .control_ok(
                Method::POST,
                "/accounts",
                Some(json!({"nickname": format!("p{i}"), "gender": if female {"female"} else {"male"},
                    "birth_date": birth, "region": region, "phone_number": phone(i)})),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        if i % 2 == 0 {
            user_ids.insert(i, s.link(&app, account, &[]).await.user_id);
        }
        people.push(Person {
            account,
            female,
            age: age as i64,
            region,
            ..Person::default()
        });
    }
    let file_a = create_file(
        &s,
        &app,
        "members",
        json!({"rating": "number", "joined": "string"}),
    )
    .await;
    let file_b = create_file(&s, &app, "orders", json!({"amount": "number"})).await;
    let mut a_users = Vec::new();
    for (&i, &uid) in &user_ids {
        let rating = (i % 5) as f64 + 1.0;
        let joined = format!("2025-12-{:02}", 1 + i % 28);
        a_users.push(json!({"id": uid, "field": {"rating": rating, "joined": joined}}));
        people[i].a = Some((rating, joined));
    }
    // One id that names no account: stored, never counted.
    a_users.push(json!({"id": 999_999, "field": {"rating": 5}}));
    post_users(&s, &app, file_a, "app", json!(a_users)).await;
    let mut b_users = Vec::new();
    for i in (0..48).filter(|i| i % 3 != 1) {
        let amount = (i * 2_500) as f64;
        b_users.push(json!({"id": phone(i), "field": {"amount": amount}}));
        people[i].b = Some(amount);
    }
    post_users(&s, &app, file_b, "phone", json!(b_users)).await;
    for (i, p) in people.iter_mut().enumerate() {
        if i % 4 != 3 {
            s.friend(p.account, "_shop", "add").await;
            p.friend = true;
        }
    }
    for i in [0usize, 5, 10] {
        s.friend(people[i].account, "_shop", "block").await;
        people[i].friend = false;
    }

    let defs = definitions(file_a, file_b);
    let mut groups = Groups { ids: Vec::new() };
    for (i, (tree, _)) in defs.iter().enumerate() {
        let g = s
            .control_ok(
                Method::POST,
                "/channels/_shop/groups",
                Some(json!({"name": format!("g{i}"), "tree": tree})),
            )
            .await;
        groups.ids.push(g["id"].as_i64().unwrap());
    }
    check(&s, &groups, &defs, &people, "at first").await;

    // Friendships change: blocks, unblocks and new adds.
    for i in [1usize, 2, 3, 7, 0] {
        let action = if people[i].friend {
            "block"
        } else if i == 0 {
            "unblock"
        } else {
            "add"
        };
        s.friend(people[i].account, "_shop", action).await;
        people[i].friend = action == "add";
    }
    check(&s, &groups, &defs, &people, "after friendship changes").await;

    // Rows change: replaced values, deleted users.
    let (i2, i4) = (user_ids[&2], user_ids[&4]);
    post_users(
        &s,
        &app,
        file_a,
        "app",
        json!([{"id": i2, "field": {"rating": 1, "joined": "2024-01-01"}}]),
    )
    .await;
    people[2].a = Some((1.0, "2024-01-01".into()));
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/delete/target_users",
            Some(&app.kakao_ak()),
            Some(json!({"file_id": file_a, "channel_public_id": "_shop", "user_type": "app", "user_ids": [i4]})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    people[4].a = None;
    check(&s, &groups, &defs, &people, "after row changes").await;

    // A whole file goes: groups naming it conflict; the others follow.
    s.control_ok(Method::DELETE, &format!("/customer-files/{file_b}"), None)
        .await;
    for p in &mut people {
        p.b = None;
    }
    s.control(
        Method::GET,
        &format!("/channels/_shop/groups/{}/count", groups.ids[1]),
        None,
    )
    .await
    .assert_control_error(409, "conflict");
    let keep = Groups {
        ids: vec![groups.ids[0], groups.ids[2], groups.ids[3]],
    };
    let defs_kept: Vec<_> = [0, 2, 3].iter().map(|&i| defs[i].clone()).collect();
    check(&s, &keep, &defs_kept, &people, "after the file was deleted").await;
}

/// A second node over one PostgreSQL database: changes made through one node show in the
/// other's counts, because every count first checks the channel's segment version.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_node_never_counts_on_a_stale_index() {
    let Some(a) = TestServer::start(Engine::Postgres).await else {
        return;
    };
    let config = Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: a.database_url.clone(),
        ..Config::default()
    };
    let b = Server::new(config)
        .with_clock(Arc::new(a.clock.clone()))
        .start()
        .await
        .expect("second node");
    let b_base = format!("http://{}", b.addr);
    a.create_channel("_shop", "Shop").await;
    let tree = json!({"tree": {"profile": "gender", "op": "equals", "value": "female"}});
    let count_on_b = || async {
        let res = a
            .http
            .post(format!("{b_base}/admin/api/v1/channels/_shop/groups/count"))
            .bearer_auth(&a.operator_token)
            .json(&tree)
            .send()
            .await
            .unwrap();
        res.json::<Value>().await.unwrap()["friends"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(count_on_b().await, 0);
    let mut accounts = Vec::new();
    for i in 0..5 {
        let id = a
            .control_ok(
                Method::POST,
                "/accounts",
                Some(json!({"nickname": format!("f{i}"), "gender": "female"})),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        a.friend(id, "_shop", "add").await;
        accounts.push(id);
    }
    assert_eq!(count_on_b().await, 5, "node b loads after node a's changes");
    a.friend(accounts[0], "_shop", "block").await;
    assert_eq!(
        count_on_b().await,
        4,
        "node b catches up with a change made on node a"
    );
    b.shutdown().await.unwrap();
}
