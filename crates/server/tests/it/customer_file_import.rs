//! CSV import through the control API: streamed, all or nothing, with a report that can
//! be read back.

use reqwest::Method;
use serde_json::json;
use talkchannel_testkit::{on_both_engines, Reply, TestServer};

on_both_engines!(
    a_good_csv_is_applied_whole,
    a_bad_csv_is_rejected_whole_with_line_errors,
    header_and_garbage_errors_are_clear,
    an_import_may_be_larger_than_other_bodies,
);

/// A file `f` on `_shop` (schema: 연령 number, 지역 string) and its id.
async fn file(s: &TestServer) -> i64 {
    let app = s.create_app("Shop").await;
    s.create_channel("_shop", "Shop").await;
    s.connect(&app, "_shop").await;
    let body = json!({"channel_public_id": "_shop", "file_name": "f",
        "schema": {"연령": "number", "지역": "string"}});
    let reply = s
        .call(
            Method::POST,
            "/v1/talkchannel/create/target_user_file",
            Some(&app.kakao_ak()),
            Some(body),
        )
        .await;
    reply.body["file_id"].as_i64().expect("file created")
}

async fn import(
    s: &TestServer,
    file: i64,
    user_type: &str,
    csv: impl Into<reqwest::Body>,
) -> Reply {
    let res = s
        .http
        .post(s.url(&format!(
            "/admin/api/v1/customer-files/{file}/imports?user_type={user_type}"
        )))
        .bearer_auth(&s.operator_token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("request reaches the server");
    Reply::read(res).await
}

async fn registered(s: &TestServer, file: i64) -> i64 {
    s.control_ok(Method::GET, &format!("/customer-files/{file}"), None)
        .await["registered"]
        .as_i64()
        .unwrap()
}

async fn a_good_csv_is_applied_whole(s: TestServer) {
    let file = file(&s).await;
    // A BOM, CRLF line ends, a quoted field with a comma and one with a newline.
    let csv = "\u{feff}phone_number,연령,지역\r\n010-1111-0001,29,\"서울, 강남\"\r\n\
               821011110002,,\"부산\n해운대\"\r\n+82 10 1111 0003,31,\r\n";
    let reply = import(&s, file, "phone", csv).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["status"], "applied");
    assert_eq!(
        (
            reply.body["rows_read"].as_u64(),
            reply.body["error_count"].as_u64()
        ),
        (Some(3), Some(0))
    );
    let location = reply.headers["location"].to_str().unwrap().to_owned();
    let again = s
        .control_ok(
            Method::GET,
            location.trim_start_matches("/admin/api/v1"),
            None,
        )
        .await;
    assert_eq!(again["id"], reply.body["id"]);
    let rows = s
        .control_ok(Method::GET, &format!("/customer-files/{file}/rows"), None)
        .await;
    assert_eq!(rows["items"][0]["id"], "01011110001");
    assert_eq!(
        rows["items"][0]["fields"],
        json!({"연령": 29, "지역": "서울, 강남"})
    );
    assert_eq!(rows["items"][1]["fields"], json!({"지역": "부산\n해운대"}));
    assert_eq!(registered(&s, file).await, 3);
    let big: String = std::iter::once("id,연령\n".to_owned())
        .chain((1..=5_000).map(|i| format!("{i},{i}\n")))
        .collect();
    let reply = import(&s, file, "app", big).await;
    assert_eq!(
        (reply.status.as_u16(), reply.body["rows_read"].as_u64()),
        (201, Some(5_000))
    );
    assert_eq!(registered(&s, file).await, 5_003);
}

/// Good rows ahead of the bad ones in the rejected CSV.
const GOOD_ROWS: usize = 45_000;

async fn a_bad_csv_is_rejected_whole_with_line_errors(s: TestServer) {
    let file = file(&s).await;
    let mut csv = String::from("id,연령,지역\n");
    // More good rows than the import writes per batch (20,000), so that batches have
    // been written before the bad rows: the whole import must roll back.
    for i in 1..=GOOD_ROWS {
        csv.push_str(&format!("{i},{i},x\n"));
    }
    csv.push_str(
        "45001,old,x\n45002,1\nnot-a-number,1,x\n\"45003\",\"7\",\"multi\nline\"\n45004,1,x,extra\n",
    );
    let reply = import(&s, file, "app", csv).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.body["status"], "rejected");
    let lines: Vec<u64> = reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    let first = GOOD_ROWS as u64 + 2;
    assert_eq!(
        lines,
        vec![first, first + 1, first + 2, first + 5],
        "{}",
        reply.text
    );
    assert!(reply.body["errors"][0]["reason"]
        .as_str()
        .unwrap()
        .contains("연령"));
    assert!(reply.body["errors"][1]["reason"]
        .as_str()
        .unwrap()
        .contains("columns"));
    assert_eq!(registered(&s, file).await, 0, "nothing half-written");
    let id = reply.body["id"].as_i64().unwrap();
    let report = s
        .control_ok(Method::GET, &format!("/customer-file-imports/{id}"), None)
        .await;
    assert_eq!(report["error_count"], 4);
}

async fn header_and_garbage_errors_are_clear(s: TestServer) {
    let file = file(&s).await;
    for (csv, needle) in [
        ("", "empty"),
        ("연령,지역\n1,x\n", "no id column"),
        ("id,나이\n1,2\n", "neither the id column"),
        ("id,연령,연령\n1,2,3\n", "twice"),
    ] {
        let reply = import(&s, file, "app", csv).await;
        assert_eq!(reply.status, 422, "{}", reply.text);
        let reason = reply.body["errors"][0]["reason"].as_str().unwrap();
        assert!(reason.contains(needle), "{reason}");
    }
    // 8 MB of pseudo-random bytes: rejected, parsing stops at the error cap.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let garbage: Vec<u8> = (0..8 * 1024 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let mut body = "id,연령\n".as_bytes().to_vec();
    body.extend(garbage);
    let reply = import(&s, file, "app", body).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.body["status"], "rejected");
    assert_eq!(registered(&s, file).await, 0);
    s.control(
        Method::POST,
        &format!("/customer-files/{file}/imports"),
        None,
    )
    .await
    .assert_control_error(400, "invalid_request");
    import(&s, 999_999, "app", "id\n1\n")
        .await
        .assert_control_error(404, "not_found");
}

/// The import route has its own body limit (`max_import_bytes`), above the 2 MB of every
/// other request.
async fn an_import_may_be_larger_than_other_bodies(s: TestServer) {
    let file = file(&s).await;
    let region = "x".repeat(100);
    let csv: String = std::iter::once("id,연령,지역\n".to_owned())
        .chain((1..=25_000).map(|i| format!("{i},{i},{region}\n")))
        .collect();
    assert!(csv.len() > 2 * 1024 * 1024);
    let reply = import(&s, file, "app", csv).await;
    assert_eq!(
        (reply.status.as_u16(), reply.body["rows_read"].as_u64()),
        (201, Some(25_000)),
        "{}",
        reply.text
    );
}
