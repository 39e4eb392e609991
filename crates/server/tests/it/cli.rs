//! The `talkchannel` binary as a user runs it: defaults, precedence, first start, restart.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

const BIN: &str = env!("CARGO_BIN_EXE_talkchannel");

/// A command in `dir` with no `TALKCHANNEL_*` variables from the test's environment.
pub(crate) fn talkchannel(dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("TALKCHANNEL_")) {
        cmd.env_remove(name);
    }
    cmd
}

/// A directory whose `talkchannel.toml` holds the operator token, the database
/// (PostgreSQL's URL, or `None` for the default SQLite file in the directory) and `extra`.
pub(crate) fn configured_dir(
    token: &str,
    database_url: Option<&str>,
    extra: &str,
) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let database = database_url
        .map(|url| format!("database_url = \"{url}\"\n"))
        .unwrap_or_default();
    std::fs::write(
        dir.path().join("talkchannel.toml"),
        format!("operator_token = \"{token}\"\n{database}{extra}"),
    )
    .unwrap();
    dir
}

/// `talkchannel serve` in `dir` on a free port, its stdout piped for [`wait_listening`].
pub(crate) fn serve_in(dir: &Path) -> Child {
    talkchannel(dir)
        .arg("serve")
        .env("TALKCHANNEL_PORT", "0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

async fn output(cmd: &mut Command) -> (bool, String, String) {
    let out = cmd.output().await.expect("binary runs");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Reads stdout until the "listening" line, with a deadline; returns (token, base url).
pub(crate) async fn wait_listening(child: &mut Child) -> (Option<String>, String) {
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut token = None;
    let read = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(t) = line.trim().strip_prefix("tco_") {
                token = Some(format!("tco_{t}"));
            }
            if let Some(rest) = line.strip_prefix("talkchannel listening on ") {
                return rest.split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("the server exited before listening");
    };
    let base = tokio::time::timeout(Duration::from_secs(60), read)
        .await
        .expect("server listens within 60 s");
    (token, base)
}

pub(crate) fn terminate(child: &Child) {
    let pid = child.id().expect("running").to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
}

#[tokio::test]
async fn defaults_need_no_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = output(talkchannel(dir.path()).arg("print-config")).await;
    assert!(ok, "{err}");
    assert!(out.contains("bind = \"127.0.0.1:8080\""), "{out}");
    assert!(
        out.contains("database_url = \"sqlite://./data/talkchannel.db\""),
        "{out}"
    );
}

#[tokio::test]
async fn first_start_prints_the_token_once_and_restarts_keep_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = talkchannel(dir.path())
        .arg("serve")
        .env("TALKCHANNEL_PORT", "0")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (token, base) = wait_listening(&mut first).await;
    let token = token.expect("first start prints the operator token");
    assert!(
        dir.path().join("data/talkchannel.db").exists(),
        "the default database is created"
    );
    let client = reqwest::Client::new();
    let accounts = client
        .get(format!("{base}/admin/api/v1/accounts"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(accounts.status(), 200);
    terminate(&first);
    let status = tokio::time::timeout(Duration::from_secs(30), first.wait())
        .await
        .expect("exits on SIGTERM")
        .unwrap();
    assert!(status.success(), "graceful shutdown exits 0: {status}");

    let mut second = talkchannel(dir.path())
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let (again, base) = wait_listening(&mut second).await;
    assert_eq!(again, None, "the token is printed only once");
    let accounts = client
        .get(format!("{base}/admin/api/v1/accounts"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(accounts.status(), 200, "the first token still works");
    terminate(&second);
    second.wait().await.unwrap();

    let (ok, out, _) = output(talkchannel(dir.path()).arg("rotate-operator-token")).await;
    assert!(ok && out.contains("tco_"), "{out}");
}

#[tokio::test]
async fn flags_beat_environment_beat_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("talkchannel.toml"),
        "bind = \"127.0.0.1:7000\"\ndatabase_url = \"sqlite://from-file.db\"\nlog_format = \"json\"\noperator_token = \"file-token-0123456789\"\n",
    )
    .unwrap();
    let (ok, out, err) = output(talkchannel(dir.path()).arg("print-config")).await;
    assert!(ok, "{err}");
    assert!(
        out.contains("127.0.0.1:7000") && out.contains("from-file.db") && out.contains("\"json\""),
        "{out}"
    );
    assert!(
        !out.contains("file-token") && out.contains("<redacted>"),
        "secrets are redacted: {out}"
    );

    let mut cmd = talkchannel(dir.path());
    cmd.arg("print-config")
        .arg("--bind")
        .arg("127.0.0.1:9000")
        .env("TALKCHANNEL_BIND", "127.0.0.1:8000")
        .env(
            "TALKCHANNEL_DATABASE_URL",
            "postgres://tc:secret@db.example/tc",
        );
    let (ok, out, err) = output(&mut cmd).await;
    assert!(ok, "{err}");
    assert!(out.contains("127.0.0.1:9000"), "the flag wins: {out}");
    assert!(
        out.contains("postgres://tc:redacted@db.example/tc") && !out.contains("secret"),
        "env beats file, password hidden: {out}"
    );
}

#[tokio::test]
async fn bad_configuration_says_what_to_fix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("talkchannel.toml"), "bnid = \"oops\"\n").unwrap();
    let (ok, _, err) = output(talkchannel(dir.path()).arg("print-config")).await;
    assert!(!ok && err.contains("talkchannel.toml"), "{err}");
    let (ok, _, err) =
        output(talkchannel(dir.path()).args(["print-config", "--config", "/nonexistent.toml"]))
            .await;
    assert!(!ok && err.contains("/nonexistent.toml"), "{err}");
    std::fs::remove_file(dir.path().join("talkchannel.toml")).unwrap();
    let (ok, _, err) =
        output(talkchannel(dir.path()).args(["migrate", "--database-url", "mysql://x"])).await;
    assert!(!ok && err.contains("database_url"), "{err}");
}

#[tokio::test]
async fn migrate_creates_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/m.db", dir.path().display());
    let (ok, out, err) =
        output(talkchannel(dir.path()).args(["migrate", "--database-url", &url])).await;
    assert!(ok, "{err}");
    assert!(out.contains("up to date"), "{out}");
    assert!(dir.path().join("m.db").exists());
}

/// `talkchannel import` loads a CSV into a file of a running server's SQLite database,
/// and refuses a bad one whole, naming the line.
#[tokio::test]
async fn import_loads_a_csv_all_or_nothing() {
    use talkchannel_testkit::{Engine, TestServer};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tc.db");
    let url = format!("sqlite://{}", db.display());
    let s = TestServer::start_with(Engine::Sqlite, |c| c.database_url = url.clone())
        .await
        .unwrap();
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop").await;
    s.connect(&app, "_shop").await;
    let body = serde_json::json!({"channel_public_id": "_shop", "file_name": "f", "schema": {"age": "number"}});
    let created = s
        .call(
            reqwest::Method::POST,
            "/v1/talkchannel/create/target_user_file",
            Some(&app.kakao_ak()),
            Some(body),
        )
        .await;
    let file = created.body["file_id"].as_i64().unwrap().to_string();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "phone,age\n010-1234-5678,30\n01099990000,\n").unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "phone,age\n010-1234-5678,30\nnope,1\n").unwrap();
    let run = |csv: &Path| {
        let mut cmd = talkchannel(dir.path());
        cmd.args([
            "import",
            "--database-url",
            &url,
            "--file-id",
            &file,
            "--user-type",
            "phone",
        ])
        .arg(csv);
        cmd
    };
    let (ok, stdout, stderr) = output(&mut run(&good)).await;
    assert!(ok, "{stderr}");
    assert!(stdout.contains("imported 2 rows"), "{stdout}");
    let (ok, _, stderr) = output(&mut run(&bad)).await;
    assert!(!ok);
    assert!(
        stderr.contains("line 3:") && stderr.contains("nothing was imported"),
        "{stderr}"
    );
    let counts = s
        .control_ok(
            reqwest::Method::GET,
            &format!("/customer-files/{file}"),
            None,
        )
        .await;
    assert_eq!(
        (counts["attempted"].as_i64(), counts["registered"].as_i64()),
        (Some(2), Some(2))
    );
}
