//! The body Kakao sends (spec §4.2), and the opaque `open_id`.

use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use talkchannel_domain::AccountId;
use talkchannel_store::{WebhookEvent, WebhookSettings};

/// Field order follows Kakao's documentation; the legacy trio comes last, as in the
/// 2020 delivery the spec quotes.
#[derive(Debug, Serialize)]
struct Body<'a> {
    event: &'a str,
    id: String,
    id_type: &'static str,
    channel_public_id: &'a str,
    channel_uuid: &'a str,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    plus_friend_public_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    plus_friend_uuid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp: Option<i64>,
}

/// The JSON body of one event, as bytes (the signature covers exactly these).
pub fn render(event: &WebhookEvent, settings: &WebhookSettings) -> Vec<u8> {
    let (id, id_type) = match event.user_id {
        Some(user_id) => (user_id.to_string(), "app_user_id"),
        None => (
            open_id(&settings.open_id_secret, event.account_id),
            "open_id",
        ),
    };
    let legacy = settings.legacy_fields;
    let body = Body {
        event: event.kind.as_str(),
        id,
        id_type,
        channel_public_id: &event.channel_public_id,
        channel_uuid: &event.channel_search_id,
        updated_at: kakao_time(event.occurred_at),
        plus_friend_public_id: legacy.then_some(event.channel_public_id.as_str()),
        plus_friend_uuid: legacy.then_some(event.channel_search_id.as_str()),
        timestamp: legacy.then(|| event.occurred_at.timestamp_millis()),
    };
    serde_json::to_vec(&body).expect("a struct of strings and numbers serialises")
}

/// UTC RFC 3339 to the second with `Z`, as Kakao writes `updated_at`.
pub fn kakao_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// An id stable per (app, account) that reveals neither: HMAC-SHA256 of the account id
/// under the app's own random secret, 32 hex characters.
pub fn open_id(app_secret: &str, account: AccountId) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(app_secret.as_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(account.to_string().as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_id_is_stable_per_app_and_opaque() {
        assert_eq!(open_id("s1", 7), open_id("s1", 7));
        assert_ne!(open_id("s1", 7), open_id("s2", 7));
        assert_ne!(open_id("s1", 7), open_id("s1", 8));
        assert_eq!(open_id("s1", 7).len(), 32);
        assert!(open_id("s1", 7).bytes().all(|b| b.is_ascii_hexdigit()));
    }

    #[test]
    fn kakao_time_is_seconds_with_z() {
        let t = DateTime::from_timestamp_millis(1_588_138_497_123).unwrap();
        assert_eq!(kakao_time(t), "2020-04-29T05:34:57Z");
    }
}
