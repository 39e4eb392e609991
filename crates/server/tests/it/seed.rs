//! `talkchannel seed` against a database the server is serving: two seeds in a row (the
//! second into a non-empty database), counts checked through the control API against
//! values computed here from the documented hash.

use crate::cli::talkchannel;
use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, TestServer};

on_both_engines!(seeding_a_served_database_twice_keeps_counts_and_values);

const FRIENDS: u64 = 2_500;

/// The seed's hash `i` of row `k` (see the store engines' `seed` modules).
fn hash(k: u64, seed: u64, i: u64) -> u64 {
    ((k + 1) * 2_654_435_761 + seed * 40_503 + i * 2_246_822_519) % 4_294_967_291
}

/// Runs `talkchannel seed` on the server's database; returns the customer file id.
async fn seed(s: &TestServer, channel: &str, seed: u64) -> i64 {
    let dir = tempfile::tempdir().unwrap();
    let out = talkchannel(dir.path())
        .args([
            "seed",
            "--database-url",
            &s.database_url,
            "--channel",
            channel,
        ])
        .args([
            "--friends",
            &FRIENDS.to_string(),
            "--seed",
            &seed.to_string(),
        ])
        .output()
        .await
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "seed failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let file = stdout
        .split("customer file ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no file id in {stdout}"));
    file.parse().unwrap()
}

async fn count(s: &TestServer, channel: &str, tree: serde_json::Value) -> (u64, u64) {
    let c = s
        .control_ok(
            Method::POST,
            &format!("/channels/{channel}/groups/count"),
            Some(json!({ "tree": tree })),
        )
        .await;
    (
        c["registered"].as_u64().unwrap(),
        c["friends"].as_u64().unwrap(),
    )
}

async fn seeding_a_served_database_twice_keeps_counts_and_values(s: TestServer) {
    for (channel, seed_value) in [("_seeda", 7), ("_seedb", 8)] {
        let file = seed(&s, channel, seed_value).await;
        let info = s
            .control_ok(Method::GET, &format!("/customer-files/{file}"), None)
            .await;
        for field in ["attempted", "registered", "friends"] {
            assert_eq!(info[field].as_u64(), Some(FRIENDS), "{channel} {field}");
        }
        let everyone = json!({"file": file, "field": "rating", "op": "gte", "value": 1});
        assert_eq!(count(&s, channel, everyone).await, (FRIENDS, FRIENDS));
        // Values are a pure function of (k, seed): count two of them independently.
        let rating_5 = (0..FRIENDS)
            .filter(|&k| 1 + hash(k, seed_value, 5) % 5 == 5)
            .count() as u64;
        let tree = json!({"file": file, "field": "rating", "op": "eq", "value": 5});
        assert_eq!(count(&s, channel, tree).await, (rating_5, rating_5));
        let female = (0..FRIENDS)
            .filter(|&k| hash(k, seed_value, 1) % 2 == 0)
            .count() as u64;
        let tree = json!({"profile": "gender", "op": "equals", "value": "female"});
        assert_eq!(count(&s, channel, tree).await, (female, female));
    }
    // A seed into an existing channel fails.
    let dir = tempfile::tempdir().unwrap();
    let out = talkchannel(dir.path())
        .args([
            "seed",
            "--database-url",
            &s.database_url,
            "--channel",
            "_seeda",
        ])
        .args(["--friends", "10"])
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
}
