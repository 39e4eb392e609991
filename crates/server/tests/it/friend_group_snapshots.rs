//! Friend-group index snapshots across restarts: a restart starts from the snapshot and
//! catches up with every change made since (counts equal an independent computation and
//! a server that loads everything), and a damaged, old-format, foreign or
//! recreated-database snapshot is never used.

use reqwest::Method;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use talkchannel_server::Config;
use talkchannel_testkit::{on_both_engines, AppFixture, Engine, TestServer};

on_both_engines!(
    a_restart_reads_the_snapshot_and_catches_up,
    damaged_old_and_foreign_snapshots_are_ignored,
    a_recreated_database_ignores_the_old_snapshot,
);

#[derive(Debug, Clone, Default)]
struct Person {
    account: i64,
    female: bool,
    /// Age on 2026-01-01, the test clock's date.
    age: i64,
    region: &'static str,
    friend: bool,
    /// File A: rating; file B: amount; file C (created later): tier.
    a: Option<f64>,
    b: Option<f64>,
    c: Option<&'static str>,
}

struct World {
    app: AppFixture,
    people: Vec<Person>,
    files: [Option<i64>; 3],
}

const REGIONS: [&str; 4] = ["Seoul", "Busan", "Daegu", "Seongnam"];

fn phone(i: usize) -> String {
    format!("0107654{i:04}")
}

/// Where the server keeps snapshots: beside the SQLite file by default, a directory of
/// the test's for PostgreSQL (which has no default).
fn snapshot_dir(s: &TestServer, pg_dir: &Path) -> PathBuf {
    match s.engine {
        Engine::Sqlite => PathBuf::from(format!(
            "{}.segments",
            s.database_url.trim_start_matches("sqlite://")
        )),
        Engine::Postgres => pg_dir.to_path_buf(),
    }
}

/// The configuration that keeps snapshots in `dir` (SQLite's default needs nothing).
fn with_snapshots(engine: Engine, dir: PathBuf) -> impl FnOnce(&mut Config) {
    move |c| {
        if engine == Engine::Postgres {
            c.segments.snapshot_dir = Some(dir);
        }
    }
}

fn snapshot_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the snapshot directory exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tcseg"))
        .collect();
    assert_eq!(files.len(), 1, "one channel, one snapshot: {files:?}");
    files[0].clone()
}

async fn post_users(s: &TestServer, w: &World, file: i64, users: Value) {
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/update/target_users",
            Some(&w.app.kakao_ak()),
            Some(json!({"file_id": file, "channel_public_id": "_shop", "user_type": "phone", "users": users})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

async fn create_file(s: &TestServer, w: &World, name: &str, schema: Value) -> i64 {
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/create/target_user_file",
            Some(&w.app.kakao_ak()),
            Some(json!({"channel_public_id": "_shop", "file_name": name, "schema": schema})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body["file_id"].as_i64().expect("file_id")
}

/// People, two files and friendships, all through the API.
async fn build(s: &TestServer, n: usize) -> World {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop").await;
    s.connect(&app, "_shop").await;
    let mut w = World {
        app,
        people: Vec::new(),
        files: [None; 3],
    };
    for i in 0..n {
        let (female, age, region) = (i % 3 != 0, 15 + (i * 7) % 40, REGIONS[i % 4]);
        // Born mid-month of 2026 - age - 1: still `age` on 2026-01-01.
        let birth = format!("{}-{:02}-15", 2026 - age as i64 - 1, 1 + i % 12);
        let body = json!({"nickname": format!("p{i}"), "gender": if female {"female"} else {"male"},
            "birth_date": birth, "region": region, "phone_number": phone(i)});
        let account = s.control_ok(Method::POST, "/accounts", Some(body)).await["id"]
            .as_i64()
            .unwrap();
        w.people.push(Person {
            account,
            female,
            age: age as i64,
            region,
            ..Person::default()
        });
    }
    let a = create_file(s, &w, "members", json!({"rating": "number"})).await;
    let b = create_file(s, &w, "orders", json!({"amount": "number"})).await;
    w.files = [Some(a), Some(b), None];
    let mut rows = Vec::new();
    for i in (0..n).filter(|i| i % 2 == 0) {
        let rating = (i % 5) as f64 + 1.0;
        rows.push(json!({"id": phone(i), "field": {"rating": rating}}));
        w.people[i].a = Some(rating);
    }
    post_users(s, &w, a, json!(rows)).await;
    let mut rows = Vec::new();
    for i in (0..n).filter(|i| i % 3 != 1) {
        let amount = (i * 500) as f64;
        rows.push(json!({"id": phone(i), "field": {"amount": amount}}));
        w.people[i].b = Some(amount);
    }
    post_users(s, &w, b, json!(rows)).await;
    for i in (0..n).filter(|i| i % 4 != 3) {
        s.friend(w.people[i].account, "_shop", "add").await;
        w.people[i].friend = true;
    }
    w
}

type Test = fn(&Person) -> bool;

/// Trees over profiles and every file that exists, each with the same rule for the model.
fn trees(w: &World) -> Vec<(Value, Test)> {
    let mut trees: Vec<(Value, Test)> = vec![(
        json!({"and": [
            {"profile": "gender", "op": "equals", "value": "female"},
            {"profile": "age", "op": "between", "value": [20, 39]},
            {"profile": "region", "op": "in", "value": ["Seoul", "Busan"]}
        ]}),
        |p| p.female && (20..=39).contains(&p.age) && ["Seoul", "Busan"].contains(&p.region),
    )];
    if let Some(a) = w.files[0] {
        trees.push((
            json!({"not": {"file": a, "field": "rating", "op": "lt", "value": 3}}),
            |p| !p.a.is_some_and(|r| r < 3.0),
        ));
    }
    if let Some(b) = w.files[1] {
        trees.push((
            json!({"or": [{"file": b, "field": "amount", "op": "between", "value": [1000, 5000]},
                {"profile": "region", "op": "prefix", "value": "Se"}]}),
            |p| p.b.is_some_and(|x| (1000.0..=5000.0).contains(&x)) || p.region.starts_with("Se"),
        ));
    }
    if let Some(c) = w.files[2] {
        trees.push((
            json!({"file": c, "field": "tier", "op": "in", "value": ["gold", "silver"]}),
            |p| p.c.is_some_and(|t| t == "gold" || t == "silver"),
        ));
    }
    trees
}

/// Every tree's counts equal the model's.
async fn check(s: &TestServer, w: &World, when: &str) {
    for (i, (tree, test)) in trees(w).into_iter().enumerate() {
        let matching: Vec<&Person> = w.people.iter().filter(|p| test(p)).collect();
        let registered = matching
            .iter()
            .filter(|p| p.a.is_some() || p.b.is_some() || p.c.is_some())
            .count() as u64;
        let friends = matching.iter().filter(|p| p.friend).count() as u64;
        let got = s
            .control_ok(
                Method::POST,
                "/channels/_shop/groups/count",
                Some(json!({"tree": tree})),
            )
            .await;
        assert_eq!(
            (got["registered"].as_u64(), got["friends"].as_u64()),
            (Some(registered), Some(friends)),
            "tree {i} {when}: {tree}"
        );
    }
}

/// Friendship changes, row updates and deletes, a deleted file and a new one.
async fn change_everything(s: &TestServer, w: &mut World) {
    for i in [1usize, 2, 3, 7, 11] {
        let action = if w.people[i].friend { "block" } else { "add" };
        s.friend(w.people[i].account, "_shop", action).await;
        w.people[i].friend = action == "add";
    }
    let a = w.files[0].unwrap();
    post_users(
        s,
        w,
        a,
        json!([{"id": phone(4), "field": {"rating": 1}}, {"id": phone(5), "field": {"rating": 5}}]),
    )
    .await;
    w.people[4].a = Some(1.0);
    w.people[5].a = Some(5.0);
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/delete/target_users",
            Some(&w.app.kakao_ak()),
            Some(json!({"file_id": a, "channel_public_id": "_shop", "user_type": "phone", "user_ids": [phone(0), phone(8)]})),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    w.people[0].a = None;
    w.people[8].a = None;
    let b = w.files[1].take().unwrap();
    s.control_ok(Method::DELETE, &format!("/customer-files/{b}"), None)
        .await;
    for p in &mut w.people {
        p.b = None;
    }
    let c = create_file(s, w, "tiers", json!({"tier": "string"})).await;
    w.files[2] = Some(c);
    let tiers = ["gold", "silver", "bronze"];
    let rows: Vec<Value> = (0..w.people.len())
        .filter(|i| i % 3 == 2)
        .map(|i| json!({"id": phone(i), "field": {"tier": tiers[(i / 3) % 3]}}))
        .collect();
    for i in (0..w.people.len()).filter(|i| i % 3 == 2) {
        w.people[i].c = Some(tiers[(i / 3) % 3]);
    }
    post_users(s, w, c, json!(rows)).await;
}

async fn a_restart_reads_the_snapshot_and_catches_up(mut s: TestServer) {
    let pg_dir = tempfile::tempdir().unwrap();
    let dir = snapshot_dir(&s, pg_dir.path());
    s.restart_gracefully_with(with_snapshots(s.engine, dir.clone()))
        .await;
    let mut w = build(&s, 24).await;
    check(&s, &w, "on the first load").await;
    assert_eq!(s.segments().snapshots_restored(), 0);
    // A graceful stop leaves the loaded index's snapshot on disk.
    s.restart_gracefully_with(with_snapshots(s.engine, dir.clone()))
        .await;
    snapshot_file(&dir);

    // Changes while no index is loaded, then a restart: the snapshot plus the catch-up.
    change_everything(&s, &mut w).await;
    s.restart_gracefully_with(with_snapshots(s.engine, dir.clone()))
        .await;
    check(&s, &w, "from the snapshot after changes").await;
    assert_eq!(
        s.segments().snapshots_restored(),
        1,
        "the snapshot was read"
    );

    // The restored index keeps catching up in this process.
    s.friend(w.people[12].account, "_shop", "block").await;
    w.people[12].friend = false;
    check(&s, &w, "after a change on the restored index").await;

    // A server without snapshots (a fresh full load) counts the same.
    s.restart_gracefully_with(|c| c.segments.snapshots = false)
        .await;
    check(&s, &w, "on a full load").await;
    assert_eq!(s.segments().snapshots_restored(), 0);
}

/// Restarts with `bytes` as the channel's snapshot; the server must load from the store.
async fn restart_with_snapshot(
    s: &mut TestServer,
    w: &World,
    dir: &Path,
    bytes: Vec<u8>,
    what: &str,
) {
    let path = snapshot_file(dir);
    let snapshots = with_snapshots(s.engine, dir.to_path_buf());
    s.restart_gracefully_with(|c| {
        // Written while no server runs, so no background write can replace it first.
        std::fs::write(&path, bytes).unwrap();
        snapshots(c);
    })
    .await;
    check(s, w, what).await;
    assert_eq!(s.segments().snapshots_restored(), 0, "{what}: not used");
}

/// `bytes` with its trailing checksum (CRC-32C of everything before it, little-endian)
/// made right again, so an edited header is refused for what it says, not for damage.
fn resealed(mut bytes: Vec<u8>) -> Vec<u8> {
    let body = bytes.len() - 4;
    let checksum = crc::Crc::<u32>::new(&crc::CRC_32_ISCSI).checksum(&bytes[..body]);
    bytes[body..].copy_from_slice(&checksum.to_le_bytes());
    bytes
}

async fn damaged_old_and_foreign_snapshots_are_ignored(mut s: TestServer) {
    let pg_dir = tempfile::tempdir().unwrap();
    let dir = snapshot_dir(&s, pg_dir.path());
    s.restart_gracefully_with(with_snapshots(s.engine, dir.clone()))
        .await;
    let w = build(&s, 12).await;
    check(&s, &w, "on the first load").await;
    s.restart_gracefully_with(with_snapshots(s.engine, dir.clone()))
        .await;
    let good = std::fs::read(snapshot_file(&dir)).unwrap();

    // The same scenario on another database: a valid snapshot of someone else's data.
    let other_dir = tempfile::tempdir().unwrap();
    let other_path = other_dir.path().to_path_buf();
    let other = TestServer::start_with(s.engine, |c| c.segments.snapshot_dir = Some(other_path))
        .await
        .unwrap();
    let other_world = build(&other, 12).await;
    check(&other, &other_world, "on the other database").await;
    other.stop().await;
    let foreign = std::fs::read(snapshot_file(other_dir.path())).unwrap();

    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x40;
    assert_eq!(
        resealed(good.clone()),
        good,
        "the test computes the checksum as written"
    );
    let mut old_format = good.clone();
    old_format[8..12].copy_from_slice(&0u32.to_le_bytes());
    let old_format = resealed(old_format);
    let truncated = good[..good.len() - 9].to_vec();
    for (bytes, what) in [
        (flipped, "a flipped byte"),
        (truncated, "a truncated file"),
        (old_format, "an old format"),
        (foreign, "another database's snapshot"),
        (b"not a snapshot".to_vec(), "garbage"),
    ] {
        restart_with_snapshot(&mut s, &w, &dir, bytes, what).await;
    }
    // The control: the good snapshot is used.
    let path = snapshot_file(&dir);
    let snapshots = with_snapshots(s.engine, dir.clone());
    s.restart_gracefully_with(|c| {
        std::fs::write(&path, &good).unwrap();
        snapshots(c);
    })
    .await;
    check(&s, &w, "from the good snapshot").await;
    assert_eq!(s.segments().snapshots_restored(), 1);
}

async fn a_recreated_database_ignores_the_old_snapshot(mut s: TestServer) {
    let pg_dir = tempfile::tempdir().unwrap();
    let dir = snapshot_dir(&s, pg_dir.path());
    s.restart_gracefully_with(with_snapshots(s.engine, dir.clone()))
        .await;
    let w = build(&s, 12).await;
    check(&s, &w, "on the first load").await;
    s.recreate_database().await;
    let old = std::fs::read(snapshot_file(&dir)).unwrap();

    // The new database reaches a higher segment version than the snapshot's, with other
    // data: only the database identity tells them apart.
    s.restart_gracefully_with(with_snapshots(s.engine, dir.clone()))
        .await;
    let mut w = build(&s, 16).await;
    for i in [0usize, 4, 8] {
        s.friend(w.people[i].account, "_shop", "block").await;
        w.people[i].friend = false;
    }
    check(&s, &w, "on the recreated database").await;
    assert_eq!(s.segments().snapshots_restored(), 0);
    // The new database's own snapshot replaces the old one and is used.
    s.restart_gracefully_with(with_snapshots(s.engine, dir.clone()))
        .await;
    assert_ne!(std::fs::read(snapshot_file(&dir)).unwrap(), old);
    check(&s, &w, "from the recreated database's snapshot").await;
    assert_eq!(s.segments().snapshots_restored(), 1);
}
