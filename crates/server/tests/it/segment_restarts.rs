//! Friend-group indexes across kills (issue 14, defect 9): the real binary, killed with
//! SIGKILL, must leave a snapshot the next start reads, whenever the kill comes.
//!
//! The data is built through an in-process server over the same database (it never
//! counts, so it never loads or writes an index); `talkchannel serve` runs beside it with
//! JSON logs on stderr, which the tests read for what the engine did.

use super::cli::{configured_dir, talkchannel, wait_listening};
use reqwest::Method;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use talkchannel_testkit::{on_both_engines, Engine, TestServer};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Child;

on_both_engines!(
    a_kill_before_any_count_leaves_a_snapshot_the_next_start_reads,
    default_snapshot_dirs_keep_databases_apart,
    many_changes_write_a_new_snapshot_before_the_interval,
);

const DEADLINE: Duration = Duration::from_secs(60);
const TREE: &str = r#"{"profile": "gender", "op": "equals", "value": "female"}"#;

/// `talkchannel serve` with its log lines collected as they come.
struct Node {
    child: Child,
    base: String,
    token: String,
    logs: Arc<Mutex<Vec<Value>>>,
}

impl Node {
    async fn start(dir: &Path, token: &str, env: &[(&str, &Path)]) -> Self {
        let mut cmd = talkchannel(dir);
        cmd.arg("serve")
            .env("TALKCHANNEL_PORT", "0")
            .env("RUST_LOG", "warn,talkchannel_segments=info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (name, value) in env {
            cmd.env(name, value);
        }
        let mut child = cmd.spawn().unwrap();
        let logs = Arc::new(Mutex::new(Vec::new()));
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let sink = Arc::clone(&logs);
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Ok(v) = serde_json::from_str::<Value>(&line) {
                    sink.lock().unwrap().push(v);
                }
            }
        });
        let (_, base) = wait_listening(&mut child).await;
        Self {
            child,
            base,
            token: token.to_owned(),
            logs,
        }
    }

    async fn kill(mut self) {
        self.child.start_kill().expect("SIGKILL");
        self.child.wait().await.unwrap();
    }

    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut req = reqwest::Client::new()
            .request(method, format!("{}/admin/api/v1{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let text = res.text().await.unwrap();
        assert!(status.is_success(), "{path} -> {status} {text}");
        serde_json::from_str(&text).unwrap()
    }

    async fn count(&self) -> u64 {
        let tree: Value = serde_json::from_str(TREE).unwrap();
        self.call(
            Method::POST,
            "/channels/_shop/groups/count",
            Some(json!({ "tree": tree })),
        )
        .await["friends"]
            .as_u64()
            .unwrap()
    }

    /// The `fields` of the log lines with this message.
    fn logged(&self, message: &str) -> Vec<Value> {
        self.logs
            .lock()
            .unwrap()
            .iter()
            .filter(|v| v["fields"]["message"] == message)
            .map(|v| v["fields"].clone())
            .collect()
    }

    /// Waits until `message` has been logged `n` times.
    async fn wait_logged(&self, message: &str, n: usize) -> Vec<Value> {
        let started = Instant::now();
        loop {
            let found = self.logged(message);
            if found.len() >= n {
                return found;
            }
            assert!(started.elapsed() < DEADLINE, "no {n} x `{message}` logged");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// A directory whose configuration runs the binary on the test's database.
fn node_dir(s: &TestServer, segments: &str) -> tempfile::TempDir {
    let extra = format!("log_format = \"json\"\n[segments]\n{segments}");
    configured_dir(&s.operator_token, Some(&s.database_url), &extra)
}

/// A channel with a customer file, 12 accounts (8 of them friends, half female) and a
/// friend group, through the in-process server.
async fn build(s: &TestServer) -> Vec<i64> {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop").await;
    s.connect(&app, "_shop").await;
    let mut accounts = Vec::new();
    for i in 0..12 {
        let gender = if i % 2 == 0 { "female" } else { "male" };
        let body = json!({"nickname": format!("p{i}"), "gender": gender,
            "phone_number": format!("0105555{i:04}")});
        let account = s.control_ok(Method::POST, "/accounts", Some(body)).await["id"]
            .as_i64()
            .unwrap();
        if i < 8 {
            s.friend(account, "_shop", "add").await;
        }
        accounts.push(account);
    }
    let file = s
        .call(
            Method::POST,
            "/v1/talkchannel/create/target_user_file",
            Some(&app.kakao_ak()),
            Some(json!({"channel_public_id": "_shop", "file_name": "members", "schema": {"rating": "number"}})),
        )
        .await;
    assert_eq!(file.status, 200, "{}", file.text);
    let tree: Value = serde_json::from_str(TREE).unwrap();
    s.control_ok(
        Method::POST,
        "/channels/_shop/groups",
        Some(json!({"name": "Women", "tree": tree})),
    )
    .await;
    accounts
}

/// The `.tcseg` files under `dir`, in any subdirectory.
fn snapshots_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for path in entries.map(|e| e.unwrap().path()) {
        if path.is_dir() {
            found.extend(snapshots_under(&path));
        } else if path.extension().is_some_and(|x| x == "tcseg") {
            found.push(path);
        }
    }
    found
}

/// Waits until `dir` holds `n` snapshots.
async fn wait_for_snapshots(dir: &Path, n: usize) -> Vec<PathBuf> {
    let started = Instant::now();
    loop {
        let found = snapshots_under(dir);
        if found.len() >= n {
            return found;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{} has {found:?}, not {n} snapshots",
            dir.display()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The segment version in a snapshot's header (see `talkchannel_segments::snapshot`):
/// magic, format, database id (u32 length + bytes), channel, then the version.
fn snapshot_version(path: &Path) -> i64 {
    let bytes = std::fs::read(path).unwrap();
    let id_len = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
    let at = 16 + id_len + 8;
    i64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
}

/// The true count: the in-process server loads the index from the database in full.
async fn true_count(s: &TestServer) -> u64 {
    let tree: Value = serde_json::from_str(TREE).unwrap();
    let counted = s
        .control_ok(
            Method::POST,
            "/channels/_shop/groups/count",
            Some(json!({ "tree": tree })),
        )
        .await;
    assert_eq!(s.segments().snapshots_restored(), 0, "a full load");
    counted["friends"].as_u64().unwrap()
}

async fn a_kill_before_any_count_leaves_a_snapshot_the_next_start_reads(s: TestServer) {
    let accounts = build(&s).await;
    let snapshots = tempfile::tempdir().unwrap();
    let dir = node_dir(
        &s,
        &format!(
            "snapshot_dir = {:?}\n",
            snapshots.path().display().to_string()
        ),
    );
    let first = Node::start(dir.path(), &s.operator_token, &[]).await;
    // Nobody counts: the warm-up loads the channel and writes its snapshot.
    wait_for_snapshots(snapshots.path(), 1).await;
    let loads = first.wait_logged("segment index loaded", 1).await;
    assert_eq!(loads[0]["from_snapshot"], false, "{loads:?}");
    first.kill().await;

    // A change the snapshot does not hold, then the restart's first count.
    s.friend(accounts[0], "_shop", "block").await;
    let second = Node::start(dir.path(), &s.operator_token, &[]).await;
    let counted = second.count().await;
    let loads = second.wait_logged("segment index loaded", 1).await;
    assert_eq!(
        loads.len(),
        1,
        "one load, shared by the warm-up and the count"
    );
    assert_eq!(loads[0]["from_snapshot"], true, "{loads:?}");
    assert_eq!(counted, true_count(&s).await);
    assert_eq!(
        counted, 3,
        "4 women among the 8 friends, one of them blocked"
    );
    second.kill().await;
}

async fn default_snapshot_dirs_keep_databases_apart(s: TestServer) {
    let other = TestServer::start(s.engine).await.unwrap();
    let state = tempfile::tempdir().unwrap();
    let env = [("XDG_STATE_HOME", state.path())];
    let expected_dir = |s: &TestServer| match s.engine {
        // One database per file already.
        Engine::Sqlite => PathBuf::from(format!(
            "{}.segments",
            s.database_url.trim_start_matches("sqlite://")
        )),
        Engine::Postgres => state.path().join("talkchannel/segments"),
    };
    let mut dirs = Vec::new();
    let mut nodes = Vec::new();
    // The same channel id in both databases: one file name, two databases.
    for server in [&s, &other] {
        build(server).await;
        let dir = node_dir(server, "");
        nodes.push(Node::start(dir.path(), &server.operator_token, &env).await);
        dirs.push(dir);
    }
    for node in nodes.drain(..) {
        node.wait_logged("segment snapshot written", 1).await;
        node.kill().await;
    }
    let written: Vec<PathBuf> = [&s, &other]
        .iter()
        .flat_map(|server| snapshots_under(&expected_dir(server)))
        .collect();
    let unique: std::collections::BTreeSet<&PathBuf> = written.iter().collect();
    assert_eq!(unique.len(), 2, "one snapshot per database: {written:?}");
    if s.engine == Engine::Postgres {
        assert_ne!(written[0].parent(), written[1].parent(), "{written:?}");
    }
    // Each database's next start reads its own snapshot.
    for (server, dir) in [&s, &other].into_iter().zip(&dirs) {
        let node = Node::start(dir.path(), &server.operator_token, &env).await;
        assert_eq!(node.count().await, 4);
        let loads = node.wait_logged("segment index loaded", 1).await;
        assert_eq!(loads[0]["from_snapshot"], true, "{loads:?}");
        node.kill().await;
    }
    other.stop().await;
}

async fn many_changes_write_a_new_snapshot_before_the_interval(s: TestServer) {
    let accounts = build(&s).await;
    let snapshots = tempfile::tempdir().unwrap();
    let settings = format!(
        "snapshot_dir = {:?}\nsnapshot_interval_secs = 3600\nsnapshot_after_changes = 4\nsnapshot_min_interval_secs = 0\n",
        snapshots.path().display().to_string()
    );
    let dir = node_dir(&s, &settings);
    let node = Node::start(dir.path(), &s.operator_token, &[]).await;
    let path = wait_for_snapshots(snapshots.path(), 1).await.remove(0);
    node.wait_logged("segment snapshot written", 1).await;
    let before = snapshot_version(&path);
    for &account in &accounts[8..12] {
        node.call(
            Method::POST,
            &format!("/channels/_shop/friendships/{account}/add"),
            None,
        )
        .await;
    }
    // Catch-ups apply the 4 changes in the background; the 4th record applied triggers
    // the write (a record read twice by overlapping catch-ups counts twice, so the new
    // snapshot may miss the last change: the restart catches up with it).
    node.wait_logged("segment snapshot written", 2).await;
    let after = snapshot_version(&path);
    assert!(after > before, "snapshot at {before}, then {after}");
    node.kill().await;
    // Nothing left to catch up with: the restart reads the new snapshot.
    let node = Node::start(dir.path(), &s.operator_token, &[]).await;
    assert_eq!(node.count().await, 6);
    node.kill().await;
}
