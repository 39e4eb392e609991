//! The benchmark's data: request bodies and the CSV, built before any clock starts so the
//! measured time is the server's.

use serde_json::json;

/// The i-th user's phone number (national form); the first `friends` belong to seeded
/// accounts that have the channel ADDED.
pub fn phone(i: usize) -> String {
    format!("010{:08}", i)
}

/// `POST /v1/talkchannel/update/target_users` bodies of `batch` phone-keyed users each.
pub fn add_bodies(file_id: i64, channel: &str, users: usize, batch: usize) -> Vec<Vec<u8>> {
    (0..users)
        .step_by(batch)
        .map(|start| {
            let list: Vec<_> = (start..(start + batch).min(users))
                .map(|i| json!({"id": phone(i), "field": {"연령": 20 + i % 50, "지역": "서울"}}))
                .collect();
            let body = json!({"file_id": file_id, "channel_public_id": channel,
                              "user_type": "phone", "users": list});
            serde_json::to_vec(&body).expect("serialisable body")
        })
        .collect()
}

/// The schema of the CSV file: five fields.
pub fn csv_schema() -> serde_json::Value {
    json!({"연령": "number", "지역": "string", "성별": "string", "구매금액": "number", "가입일": "string"})
}

/// A header and `rows` app-user-keyed lines with five fields.
pub fn csv(rows: usize) -> Vec<u8> {
    use std::fmt::Write;
    let mut out = String::with_capacity(rows * 48 + 64);
    out.push_str("id,연령,지역,성별,구매금액,가입일\n");
    for i in 1..=rows {
        let region = ["서울", "부산", "대구"][i % 3];
        let gender = ["여자", "남자"][i % 2];
        writeln!(
            out,
            "{i},{},{region},{gender},{},2024-01-{:02}",
            20 + i % 50,
            (i * 37) % 100_000,
            1 + i % 28
        )
        .expect("writing to a string");
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_cover_every_user_once() {
        let bodies = add_bodies(1, "_b", 5, 2);
        assert_eq!(bodies.len(), 3);
        let last: serde_json::Value = serde_json::from_slice(&bodies[2]).unwrap();
        assert_eq!(last["users"][0]["id"], "01000000004");
        let text = String::from_utf8(csv(2)).unwrap();
        assert_eq!(text.lines().count(), 3);
        assert!(text.ends_with("2,22,대구,여자,74,2024-01-03\n"), "{text}");
    }
}
