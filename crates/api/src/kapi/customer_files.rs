//! Customer management (spec §3): register and view customer files, add and delete users.
//! Every call needs `Authorization: KakaoAK {admin key}`.

use super::{auth, body, json_body, query::Query, KapiError};
use crate::ApiState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::SecondsFormat;
use serde::Serialize;
use serde_json::{Map, Value};
use talkchannel_domain::customer_file::{MAX_FILES_PER_CHANNEL, MAX_USERS_PER_CALL};
use talkchannel_domain::{AppId, CustomerFile, FileSchema, UserType};
use talkchannel_service::{Caller, Credential, SubmittedUser, UsersOutcome};

/// The app behind an admin key. A user token or any other kind of key is -401.
async fn admin_app(state: &ApiState, headers: &HeaderMap) -> Result<AppId, KapiError> {
    let Credential::AdminKey(key) = auth::credential(headers)? else {
        return Err(KapiError::unauthenticated(
            "customer management needs `Authorization: KakaoAK {admin key}`, not a user token",
        ));
    };
    match state
        .services
        .authenticate(Credential::AdminKey(key))
        .await?
    {
        Caller::App(app) => Ok(app),
        Caller::User(_) => Err(KapiError::unauthenticated("an admin key is required")),
    }
}

fn user_type(body: &Map<String, Value>) -> Result<UserType, KapiError> {
    let raw = body::string(body, "user_type")?;
    UserType::parse(&raw).ok_or_else(|| {
        KapiError::invalid(format!(
            "user_type must be `app` or `phone`, not `{}`",
            raw.chars().take(20).collect::<String>()
        ))
    })
}

#[derive(Serialize)]
struct CreateResponse {
    file_id: i64,
}

/// `POST /v1/talkchannel/create/target_user_file`.
pub async fn create(
    State(state): State<ApiState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, KapiError> {
    let app = admin_app(&state, &headers).await?;
    let body = body::object(&bytes)?;
    let channel = body::string(&body, "channel_public_id")?;
    let name = body::string(&body, "file_name")?;
    let pairs = body::schema_pairs(&body)?;
    let schema = FileSchema::parse(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .map_err(|e| KapiError::invalid(e.to_string()))?;
    let file = state
        .services
        .create_customer_file(app, &channel, &name, schema)
        .await?;
    Ok(json_body(&CreateResponse { file_id: file.id }))
}

#[derive(Serialize)]
struct ListResponse {
    empty_slot: usize,
    using_slot: usize,
    results: Vec<FileView>,
}

#[derive(Serialize)]
struct FileView {
    file_id: i64,
    file_name: String,
    status: &'static str,
    update_at: String,
    schema: Value,
}

impl From<CustomerFile> for FileView {
    /// Kakao shows the schema as `{}` while a file has no registered user (spec §3.2).
    fn from(f: CustomerFile) -> Self {
        let schema = if f.registered == 0 {
            Value::Object(Map::new())
        } else {
            serde_json::from_str(&f.schema.to_json()).unwrap_or_default()
        };
        Self {
            file_id: f.id,
            file_name: f.name,
            status: "COMPLETE",
            update_at: f.updated_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            schema,
        }
    }
}

/// `GET /v1/talkchannel/target_user_file?channel_public_id=..[&file_id=..]`.
pub async fn list(
    State(state): State<ApiState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, KapiError> {
    let app = admin_app(&state, &headers).await?;
    let query = Query::parse(raw.as_deref())?;
    let channel = query
        .get("channel_public_id")
        .ok_or_else(|| KapiError::invalid("channel_public_id is required"))?;
    let file = query
        .get("file_id")
        .map(|raw| {
            body::parse_id(&Value::String(raw.to_owned()))
                .ok_or_else(|| KapiError::invalid("file_id must be a positive number"))
        })
        .transpose()?;
    let listing = state
        .services
        .list_customer_files(app, channel, file)
        .await?;
    Ok(json_body(&ListResponse {
        empty_slot: MAX_FILES_PER_CHANNEL.saturating_sub(listing.using_slots),
        using_slot: listing.using_slots,
        results: listing.files.into_iter().map(FileView::from).collect(),
    }))
}

#[derive(Serialize)]
struct CountResponse {
    file_id: i64,
    request_count: usize,
    success_count: usize,
}

impl CountResponse {
    fn new(file_id: i64, outcome: UsersOutcome) -> Self {
        Self {
            file_id,
            request_count: outcome.request_count,
            success_count: outcome.success_count,
        }
    }
}

/// What the add-users and delete-users calls share: the caller's app and the file and
/// user kind the body names, checked in Kakao's order.
struct FileTarget {
    app: AppId,
    body: Map<String, Value>,
    file: i64,
    channel: String,
    user_type: UserType,
}

async fn file_target(
    state: &ApiState,
    headers: &HeaderMap,
    bytes: &Bytes,
) -> Result<FileTarget, KapiError> {
    let app = admin_app(state, headers).await?;
    let body = body::object(bytes)?;
    let file = body::id(&body, "file_id")?;
    let channel = body::string(&body, "channel_public_id")?;
    let user_type = user_type(&body)?;
    Ok(FileTarget {
        app,
        body,
        file,
        channel,
        user_type,
    })
}

/// `POST /v1/talkchannel/update/target_users`.
pub async fn add_users(
    State(state): State<ApiState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, KapiError> {
    let FileTarget {
        app,
        mut body,
        file,
        channel,
        user_type,
    } = file_target(&state, &headers, &bytes).await?;
    body::array(&body, "users", MAX_USERS_PER_CALL)?;
    // Taken out of the body, not cloned: each user's values move into the service.
    let users: Vec<SubmittedUser> = match body.remove("users") {
        Some(Value::Array(users)) => users.into_iter().map(submitted_user).collect(),
        _ => Vec::new(),
    };
    let outcome = state
        .services
        .add_file_users(app, &channel, file, user_type, &users)
        .await?;
    Ok(json_body(&CountResponse::new(file, outcome)))
}

/// `{"id": .., "field": {..}}`; `field` may be absent (no values). Kakao ignores other
/// keys, so a misspelt `field_data` registers the user without values.
fn submitted_user(value: Value) -> SubmittedUser {
    let Value::Object(mut user) = value else {
        return SubmittedUser {
            id: None,
            field: None,
        };
    };
    SubmittedUser {
        id: user.get("id").and_then(body::scalar_text),
        field: match user.remove("field") {
            None | Some(Value::Null) => Some(Map::new()),
            Some(Value::Object(map)) => Some(map),
            Some(_) => None,
        },
    }
}

/// `POST /v1/talkchannel/delete/target_users`: `user_ids` as scalars or `{"id": ..}`.
pub async fn delete_users(
    State(state): State<ApiState>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response, KapiError> {
    let FileTarget {
        app,
        body,
        file,
        channel,
        user_type,
    } = file_target(&state, &headers, &bytes).await?;
    let ids: Vec<String> = body::array(&body, "user_ids", MAX_USERS_PER_CALL)?
        .iter()
        .map(|v| match v {
            Value::Object(o) => o.get("id").and_then(body::scalar_text),
            other => body::scalar_text(other),
        })
        .map(Option::unwrap_or_default)
        .collect();
    let outcome = state
        .services
        .delete_file_users(app, &channel, file, user_type, &ids)
        .await?;
    Ok(json_body(&CountResponse::new(file, outcome)))
}
