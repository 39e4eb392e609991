//! `GET /v2/api/talk/channels` and the legacy `GET /v1/api/talk/channels` (spec §2).

use super::{auth, json_bytes, query::Query, KapiError};
use crate::ApiState;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::Serialize;
use talkchannel_domain::{ChannelPublicId, KakaoTime, UserId};
use talkchannel_service::{ChannelFilter, Credential, RelationshipReport};

/// The most channel ids one call may name. Kakao documents no limit; an app is rarely
/// connected to more than a handful of channels, and the limit keeps the call cheap.
pub const MAX_CHANNEL_IDS: usize = 50;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

pub async fn v2(
    state: State<ApiState>,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response, KapiError> {
    check(state, headers, query, Version::V2).await
}

pub async fn v1(
    state: State<ApiState>,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response, KapiError> {
    check(state, headers, query, Version::V1).await
}

async fn check(
    State(state): State<ApiState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    version: Version,
) -> Result<Response, KapiError> {
    let query = Query::parse(raw.as_deref())?;
    let credential = auth::credential_in(&headers, &query)?;
    let caller = state.services.authenticate(credential).await?;
    let target = match credential {
        Credential::AdminKey(_) => Some(target_user(&query)?),
        Credential::UserToken(_) => None,
    };
    let filter = channel_filter(&query)?;
    let subject = state.services.relationship_subject(caller, target).await?;
    let answer = state
        .answers
        .answer(&subject, &filter, version as u8, || async {
            let report = state
                .services
                .relationship_report(&subject, &filter)
                .await?;
            Ok::<_, KapiError>(render(&report, version))
        })
        .await?;
    Ok(json_bytes(answer))
}

fn render(report: &RelationshipReport, version: Version) -> Bytes {
    let mut buffer = Vec::with_capacity(128 + 128 * report.channels.len());
    ChannelsResponse::from_report(report, version)
        .write(&mut buffer)
        .expect("writing borrowed strings and numbers into a Vec cannot fail");
    Bytes::from(buffer)
}

/// `target_id_type=user_id&target_id={app user id}`, required with an admin key.
pub(super) fn target_user(query: &Query) -> Result<UserId, KapiError> {
    match query.get("target_id_type") {
        Some("user_id") => {}
        Some(other) => {
            return Err(KapiError::invalid(format!(
                "target_id_type must be `user_id`, not `{}`",
                clip(other)
            )))
        }
        None => {
            return Err(KapiError::invalid(
                "target_id_type is required with an admin key: send target_id_type=user_id",
            ))
        }
    }
    let raw = query
        .get("target_id")
        .ok_or_else(|| KapiError::invalid("target_id is required with an admin key"))?;
    talkchannel_domain::validation::positive_id(raw).ok_or_else(|| {
        KapiError::invalid(format!(
            "target_id must be a positive number, not `{}`",
            clip(raw)
        ))
    })
}

/// `channel_ids` (v2: comma-separated) or `channel_public_ids` (v1: a JSON array). Both
/// endpoints accept both names and both encodings: clients in the wild mix them.
fn channel_filter(query: &Query) -> Result<ChannelFilter, KapiError> {
    match query.get("channel_id_type") {
        None | Some("channel_public_id") => {}
        Some(other) => {
            return Err(KapiError::invalid(format!(
                "channel_id_type must be `channel_public_id`, not `{}`",
                clip(other)
            )))
        }
    }
    let raw = match (query.get("channel_ids"), query.get("channel_public_ids")) {
        (Some(_), Some(_)) => {
            return Err(KapiError::invalid(
                "send either channel_ids or channel_public_ids, not both",
            ))
        }
        (Some(raw), None) | (None, Some(raw)) => raw,
        (None, None) => return Ok(ChannelFilter::Connected),
    };
    let ids = split_ids(raw)?;
    if ids.len() > MAX_CHANNEL_IDS {
        return Err(KapiError::invalid(format!(
            "at most {MAX_CHANNEL_IDS} channel ids per call, got {}",
            ids.len()
        )));
    }
    let mut parsed: Vec<ChannelPublicId> = Vec::with_capacity(ids.len());
    for id in ids {
        let id =
            ChannelPublicId::parse(id.trim()).map_err(|e| KapiError::invalid(e.to_string()))?;
        if !parsed.contains(&id) {
            parsed.push(id);
        }
    }
    Ok(ChannelFilter::Only(parsed))
}

fn split_ids(raw: &str) -> Result<Vec<String>, KapiError> {
    let raw = raw.trim();
    if raw.starts_with('[') {
        return serde_json::from_str::<Vec<String>>(raw).map_err(|_| {
            KapiError::invalid(
                "channel ids given as a JSON array must be an array of strings, e.g. [\"_ZeUTxl\"]",
            )
        });
    }
    Ok(raw.split(',').map(str::to_owned).collect())
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}

#[derive(Serialize)]
struct ChannelsResponse<'a> {
    user_id: UserId,
    channels: Vec<ChannelRelation<'a>>,
}

/// Borrows from the report: the hot path serialises without copying strings.
#[derive(Serialize)]
struct ChannelRelation<'a> {
    channel_uuid: &'a str,
    channel_public_id: &'a str,
    relation: &'static str,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "kakao_time")]
    created_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "kakao_time")]
    updated_at: Option<DateTime<Utc>>,
}

impl<'a> ChannelsResponse<'a> {
    fn write(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }

    /// v2 adds `created_at` (when the user first added the channel) to v1's fields.
    fn from_report(report: &'a RelationshipReport, version: Version) -> Self {
        let channels = report
            .channels
            .iter()
            .map(|row| ChannelRelation {
                channel_uuid: row.channel.search_id.as_str(),
                channel_public_id: row.channel.public_id.as_str(),
                relation: row.relation.as_str(),
                created_at: row
                    .first_added_at
                    .filter(|_| version == Version::V2 && row.updated_at.is_some()),
                updated_at: row.updated_at,
            })
            .collect();
        Self {
            user_id: report.user_id,
            channels,
        }
    }
}

/// `2018-03-14T05:25:01Z`: seconds, UTC, `Z`, as Kakao writes it.
fn kakao_time<S: serde::Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => {
            let bytes = KakaoTime(*t).to_bytes();
            s.serialize_str(std::str::from_utf8(&bytes).map_err(serde::ser::Error::custom)?)
        }
        None => s.serialize_none(),
    }
}
