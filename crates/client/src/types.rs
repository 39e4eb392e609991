//! Requests and responses, with Kakao's field names.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Number,
}

/// How users are named: app user ids or KakaoTalk phone numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UserType {
    App,
    Phone,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateFileRequest {
    pub channel_public_id: String,
    pub file_name: String,
    pub schema: BTreeMap<String, FieldType>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreateFileResponse {
    pub file_id: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomerFilesResponse {
    pub empty_slot: u32,
    pub using_slot: u32,
    pub results: Vec<CustomerFileInfo>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CustomerFileInfo {
    pub file_id: i64,
    pub file_name: String,
    pub status: String,
    /// RFC 3339, as Kakao spells the key.
    pub update_at: String,
    /// Field name -> type; Kakao answers `{}` while the file has no users.
    #[serde(default)]
    pub schema: Map<String, Value>,
}

/// A user id: app user ids are numbers, phone numbers usually strings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum UserId {
    Number(i64),
    Text(String),
}

impl From<i64> for UserId {
    fn from(n: i64) -> Self {
        Self::Number(n)
    }
}

impl From<&str> for UserId {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetUser {
    pub id: UserId,
    pub field: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddUsersRequest {
    pub file_id: i64,
    pub channel_public_id: String,
    pub user_type: UserType,
    pub users: Vec<TargetUser>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeleteUsersRequest {
    pub file_id: i64,
    pub channel_public_id: String,
    pub user_type: UserType,
    pub user_ids: Vec<UserId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct UsersCountResponse {
    /// Echoed by talkchannel; Kakao's answer may lack it.
    pub file_id: Option<i64>,
    pub request_count: u32,
    pub success_count: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChannelsResponse {
    pub user_id: i64,
    pub channels: Vec<ChannelRelation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChannelRelation {
    /// The channel's search id (`@name`).
    pub channel_uuid: String,
    pub channel_public_id: String,
    /// `ADDED`, `BLOCKED` or `NONE`.
    pub relation: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}
