//! Before loading the server, one request of each shape must answer 200 with the
//! expected JSON: figures from requests that fail are worthless.

use super::seed::{Dataset, Plan, SeededUser};
use anyhow::{bail, ensure, Context, Result};
use reqwest::header::AUTHORIZATION;
use serde_json::Value;

/// What the check learnt: the size of a relationship answer, for the report.
pub struct ShapeCheck {
    pub response_bytes: usize,
}

pub const CHANNELS_PATH: &str = "/v2/api/talk/channels";

pub fn admin_path(user_id: i64) -> String {
    format!("{CHANNELS_PATH}?target_id_type=user_id&target_id={user_id}")
}

/// Checks /healthz, then both modes for the first, a middle and the last user.
pub async fn check_shapes(base_url: &str, dataset: &Dataset, plan: Plan) -> Result<ShapeCheck> {
    let http = reqwest::Client::new();
    let health = get_json(&http, &format!("{base_url}/healthz"), None).await?;
    ensure!(
        health.0["status"] == "ok",
        "/healthz answered {} instead of {{\"status\":\"ok\"}}",
        health.0
    );
    let last = dataset.users.len() - 1;
    let mut response_bytes = 0;
    for index in [0, last / 2, last] {
        let user = &dataset.users[index];
        response_bytes = check_user(&http, base_url, dataset, user, plan)
            .await
            .with_context(|| format!("seeded user #{index} (user_id {})", user.user_id))?;
    }
    eprintln!("checked: /healthz and both relationship modes answer 200 with the seeded relations");
    Ok(ShapeCheck { response_bytes })
}

async fn check_user(
    http: &reqwest::Client,
    base_url: &str,
    dataset: &Dataset,
    user: &SeededUser,
    plan: Plan,
) -> Result<usize> {
    let admin_key = format!("KakaoAK {}", dataset.app.admin_key);
    let (admin, size) = get_json(
        http,
        &format!("{base_url}{}", admin_path(user.user_id)),
        Some(&admin_key),
    )
    .await
    .context("admin-key mode")?;
    check_report(&admin, user, plan).context("admin-key mode")?;
    let bearer = format!("Bearer {}", user.access_token);
    let (own, _) = get_json(http, &format!("{base_url}{CHANNELS_PATH}"), Some(&bearer))
        .await
        .context("user-token mode")?;
    check_report(&own, user, plan).context("user-token mode")?;
    ensure!(
        admin == own,
        "admin-key and user-token modes answered differently for the same user"
    );
    Ok(size)
}

/// `{"user_id": N, "channels": [...]}` with every channel and the planned relations.
fn check_report(body: &Value, user: &SeededUser, plan: Plan) -> Result<()> {
    ensure!(
        body["user_id"].as_i64() == Some(user.user_id),
        "expected user_id {}, got {}",
        user.user_id,
        body["user_id"]
    );
    let channels = body["channels"]
        .as_array()
        .context("the answer has no `channels` array")?;
    ensure!(
        channels.len() == plan.channels,
        "expected {} channels, got {}",
        plan.channels,
        channels.len()
    );
    let count = |relation: &str| {
        channels
            .iter()
            .filter(|c| c["relation"] == relation)
            .count()
    };
    let (added, blocked, none) = (count("ADDED"), count("BLOCKED"), count("NONE"));
    if (added, blocked) != (plan.added, plan.blocked) || added + blocked + none != plan.channels {
        bail!(
            "expected {} ADDED and {} BLOCKED, got {added} ADDED, {blocked} BLOCKED, {none} NONE",
            plan.added,
            plan.blocked
        );
    }
    Ok(())
}

/// GET expecting 200 and JSON; returns the body and its size in bytes.
async fn get_json(
    http: &reqwest::Client,
    url: &str,
    authorization: Option<&str>,
) -> Result<(Value, usize)> {
    let mut request = http.get(url);
    if let Some(value) = authorization {
        request = request.header(AUTHORIZATION, value);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("GET {url} failed"))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .with_context(|| format!("GET {url}: could not read the answer"))?;
    ensure!(
        status.is_success(),
        "GET {url} answered {status}: {}",
        text.chars().take(300).collect::<String>()
    );
    let body = serde_json::from_str(&text)
        .with_context(|| format!("GET {url} answered something that is not JSON"))?;
    Ok((body, text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn checks_the_relation_counts() {
        let plan = Plan {
            accounts: 1,
            channels: 3,
            added: 1,
            blocked: 1,
        };
        let user = SeededUser {
            user_id: 7,
            access_token: String::new(),
        };
        let body = json!({"user_id": 7, "channels": [{"relation": "ADDED"}, {"relation": "BLOCKED"}, {"relation": "NONE"}]});
        assert!(check_report(&body, &user, plan).is_ok());
        let wrong = json!({"user_id": 7, "channels": [{"relation": "ADDED"}, {"relation": "ADDED"}, {"relation": "NONE"}]});
        assert!(check_report(&wrong, &user, plan)
            .unwrap_err()
            .to_string()
            .contains("2 ADDED"));
        assert!(check_report(&body, &SeededUser { user_id: 8, ..user }, plan).is_err());
    }
}
