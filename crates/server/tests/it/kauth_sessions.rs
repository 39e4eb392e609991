//! Sign-in sessions across nodes: they live in the database, not in a node's memory.

use super::kauth_authorize::{
    agree, authorize_path, code_of, login_setup, sign_in_through, token, CALLBACK,
};
use talkchannel_testkit::{Browser, TestServer};

/// Sessions live in the database: a browser signed in on one PostgreSQL node goes on
/// on another, whose consent form accepts the CSRF token the first node issued.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions_work_across_postgres_nodes() {
    use std::sync::Arc;
    use talkchannel_server::{Config, Server};
    use talkchannel_testkit::Engine;
    let Some(a) = TestServer::start(Engine::Postgres).await else {
        return;
    };
    let b = Server::new(Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        database_url: a.database_url.clone(),
        ..Config::default()
    })
    .with_clock(Arc::new(a.clock.clone()))
    .start()
    .await
    .expect("second node starts");
    let (app, _) = login_setup(&a, "nodes@example.com", "Nodes").await;
    let on_a = Browser::new(&a);
    let consent = sign_in_through(
        &on_a,
        &authorize_path(&app.rest_api_key, "&scope=plusfriends"),
        "nodes@example.com",
    )
    .await;
    assert_eq!(consent.status, 200);
    let on_b = Browser::at(&format!("http://{}", b.addr));
    on_b.set_cookie(
        "tc_session",
        &on_a.cookie("tc_session").expect("session cookie"),
    );
    let again = on_b
        .get(&authorize_path(&app.rest_api_key, "&scope=plusfriends"))
        .await;
    assert_eq!(
        again.status, 200,
        "node b knows the session: {}",
        again.text
    );
    let code = code_of(
        &agree(&on_b, &consent, &[("scope_item", "plusfriends")]).await,
        None,
    );
    let tokens = token(
        &a,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &app.rest_api_key),
            ("redirect_uri", CALLBACK),
            ("code", &code),
        ],
    )
    .await;
    assert_eq!(
        tokens.status, 200,
        "a code issued by node b is redeemed on node a: {}",
        tokens.text
    );
    b.shutdown().await.expect("node b stops");
}

fn two_sessions_each(config: &mut talkchannel_server::Config) {
    config.pages.max_sessions_per_account = 2;
}

mod capped {
    use super::*;
    talkchannel_testkit::on_both_engines!(config = two_sessions_each;
        an_account_keeps_only_its_newest_sessions,
    );
}

/// Signing in on a third browser ends the account's oldest session (the cap is 2 here):
/// the first browser is asked to sign in again and the other two go on (the store's
/// conformance case checks that other accounts' sessions stay).
async fn an_account_keeps_only_its_newest_sessions(s: TestServer) {
    let (app, _) = login_setup(&s, "many@example.com", "Many").await;
    let start = authorize_path(&app.rest_api_key, "&scope=plusfriends");
    let browsers: Vec<Browser> = (0..3).map(|_| Browser::new(&s)).collect();
    for (i, b) in browsers.iter().enumerate() {
        // Creation times must differ for "oldest" to mean the first.
        s.clock.advance(chrono::Duration::seconds(1));
        let consent = sign_in_through(b, &start, "many@example.com").await;
        assert_eq!(consent.status, 200, "browser {i}: {}", consent.text);
    }
    let first = browsers[0].get(&start).await;
    assert_eq!(first.status, 303, "the oldest session ended");
    assert!(first.location().starts_with("/login?continue="));
    for b in &browsers[1..] {
        assert_eq!(b.get(&start).await.status, 200, "a newer session goes on");
    }
}
