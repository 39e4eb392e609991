//! Real-browser journeys: Debian's Chromium driven by playwright-core (`e2e/`), against
//! the real server on each engine. A developer's page on another origin loads the SDK
//! the server serves; the journeys click through sign-in, consent and the bridges; the
//! test then checks through the API (relationship ADDED) and the webhook receiver.
//!
//! Without node, /usr/bin/chromium or `e2e/node_modules` the journeys skip with a notice
//! a person sees, except under CI, where that is a failure (`.ci/run` installs them); see
//! `talkchannel_test_env`.

use crate::kauth_authorize::login_setup;
use reqwest::Method;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use talkchannel_testkit::{on_both_engines, Mode, Receiver, TestServer, TestSite};

on_both_engines!(
    journey_login_add_button_bridge_and_webhook,
    journey_follow_channel_api_request_and_chat,
);

const CHANNEL: &str = "_journey";

fn e2e_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

/// Whether the browser tools are there; fails the test under CI when they are not.
pub(crate) fn browser_available() -> bool {
    let chromium = std::env::var("CHROMIUM_PATH").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing: Vec<&str> = [
        (
            std::process::Command::new("node")
                .arg("--version")
                .output()
                .is_err(),
            "node",
        ),
        (
            !PathBuf::from(&chromium).exists(),
            "chromium (apt-get install -y chromium)",
        ),
        (
            !e2e_dir().join("node_modules/playwright-core").exists(),
            "e2e/node_modules (npm ci --prefix e2e)",
        ),
    ]
    .into_iter()
    .filter_map(|(missing, what)| missing.then_some(what))
    .collect();
    if missing.is_empty() {
        return true;
    }
    talkchannel_test_env::skip(
        &format!("the browser journey needs {}", missing.join(", ")),
        "run .ci/run, which installs them",
    );
    false
}

/// Runs `node e2e/{script} args...`; returns its JSON line, or panics with its output.
pub(crate) async fn journey(script: &str, args: &[&str]) -> Value {
    let out = tokio::time::timeout(
        Duration::from_secs(120),
        tokio::process::Command::new("node")
            .arg(e2e_dir().join(script))
            .args(args)
            .kill_on_drop(true)
            .output(),
    )
    .await
    .unwrap_or_else(|_| panic!("{script} did not finish within 120 s"))
    .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{script} printed no JSON ({e}): {stdout}"))
}

/// The developer's page: loads the served SDK, offers login, the two buttons and follow.
fn test_page(server: &TestServer, js_key: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="{base}/sdk/js/kakao.min.js"></script></head>
<body><h1>Shop — talkchannel SDK test page</h1>
<button id="login">Kakao Login</button>
<div id="add-button" data-channel-public-id="{channel}" data-size="large"></div>
<div id="chat-button"></div>
<button id="follow">Follow channel</button>
<pre id="follow-result"></pre><pre id="api-result"></pre><pre id="errors"></pre>
<script>
Kakao.init('{js_key}');
const params = new URLSearchParams(location.search);
if (params.get('token')) Kakao.Auth.setAccessToken(params.get('token'));
document.getElementById('login').onclick = () => Kakao.Auth.authorize({{
  redirectUri: location.origin + '/callback', scope: 'plusfriends', state: 'journey' }});
Kakao.Channel.createAddChannelButton({{ container: '#add-button' }});
Kakao.Channel.createChatButton({{ container: '#chat-button', channelPublicId: '{channel}',
  title: 'consult', size: 'small', color: 'black', shape: 'pc', supportMultipleDensities: true }});
document.getElementById('follow').onclick = () => Kakao.Channel.followChannel({{ channelPublicId: '{channel}' }})
  .then(r => {{ document.getElementById('follow-result').textContent = JSON.stringify(r);
    return Kakao.API.request({{ url: '/v2/api/talk/channels' }}); }})
  .then(r => {{ document.getElementById('api-result').textContent = JSON.stringify(r); }})
  .catch(e => {{ document.getElementById('errors').textContent = e instanceof Error ? e.name + ': ' + e.message : JSON.stringify(e); }});
</script></body></html>"#,
        base = server.base,
        channel = CHANNEL,
    )
}

/// App, channel, webhook receiver, the developer's site and its registered callback.
async fn scene(
    s: &TestServer,
    email: &str,
) -> (talkchannel_testkit::AppFixture, i64, Receiver, TestSite) {
    let (app, account) = login_setup(s, email, "브라우저 <b>사용자</b>").await;
    s.create_channel(CHANNEL, "여행 채널 <script>alert(1)</script>")
        .await;
    s.connect(&app, CHANNEL).await;
    let receiver = Receiver::start(Mode::Ok).await;
    s.control_ok(
        Method::PUT,
        &format!("/apps/{}/webhook", app.id),
        Some(json!({"url": receiver.url})),
    )
    .await;
    let site = TestSite::serve(test_page(s, &app.javascript_key)).await;
    s.control_ok(
        Method::PUT,
        &format!("/apps/{}/redirect-uris", app.id),
        Some(json!({"redirect_uris": [format!("{}/callback", site.origin)]})),
    )
    .await;
    (app, account, receiver, site)
}

async fn journey_login_add_button_bridge_and_webhook(s: TestServer) {
    if !browser_available() {
        return;
    }
    let email = "journey1@example.com";
    let (app, _, receiver, site) = scene(&s, email).await;
    let out = journey(
        "journey-add.mjs",
        &[
            &site.origin,
            email,
            crate::kauth_authorize::PASSWORD,
            CHANNEL,
        ],
    )
    .await;
    let code = out["code"].as_str().expect("code");
    let callback = format!("{}/callback", site.origin);
    let tokens = crate::kauth_authorize::token(
        &s,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app.rest_api_key),
            ("redirect_uri", &callback),
            ("code", code),
        ],
    )
    .await;
    assert_eq!(tokens.status, 200, "{}", tokens.text);
    let bearer = format!("Bearer {}", tokens.body["access_token"].as_str().unwrap());
    let reply = s
        .call(
            Method::GET,
            &format!("/v2/api/talk/channels?channel_ids={CHANNEL}"),
            Some(&bearer),
            None,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body["channels"][0]["relation"], "ADDED",
        "{}",
        reply.text
    );
    let user_id = reply.body["user_id"].to_string();
    let got = receiver.wait_accepted(1, Duration::from_secs(10)).await;
    assert_eq!(got[0].body["event"], "added");
    assert_eq!(got[0].body["channel_public_id"], CHANNEL);
    assert_eq!(
        (got[0].body["id_type"].as_str(), got[0].body["id"].as_str()),
        (Some("app_user_id"), Some(user_id.as_str()))
    );
}

async fn journey_follow_channel_api_request_and_chat(s: TestServer) {
    if !browser_available() {
        return;
    }
    let email = "journey2@example.com";
    let (app, account, receiver, site) = scene(&s, email).await;
    let user = s.link(&app, account, &["plusfriends"]).await;
    let out = journey(
        "journey-follow.mjs",
        &[
            &site.origin,
            email,
            crate::kauth_authorize::PASSWORD,
            CHANNEL,
            &user.access_token,
        ],
    )
    .await;
    assert_eq!(out["relation"], "ADDED", "{out}");
    let friendship = s
        .control_ok(
            Method::GET,
            &format!("/channels/{CHANNEL}/friendships/{account}"),
            None,
        )
        .await;
    assert_eq!(friendship["relation"], "ADDED");
    let got = receiver.wait_accepted(1, Duration::from_secs(10)).await;
    assert_eq!(got[0].body["event"], "added");
    assert_eq!(got[0].body["id"], user.user_id.to_string());
}
