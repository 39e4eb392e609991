//! A typed client of Kakao's Talk Channel REST APIs: the customer-file endpoints (spec §3)
//! and the relationship check (spec §2, v1 and v2).
//!
//! It talks to `https://kapi.kakao.com` by default and to any compatible server (such as
//! talkchannel) through [`KakaoClient::new`]. Kakao's `{"code", "msg"}` errors come back
//! as [`ClientError::Kakao`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), talkchannel_client::ClientError> {
//! use talkchannel_client::{CreateFileRequest, FieldType, KakaoClient};
//! let kakao = KakaoClient::new("http://127.0.0.1:8080")?;
//! let created = kakao
//!     .create_customer_file("ADMIN_KEY", &CreateFileRequest {
//!         channel_public_id: "_ZeUTxl".into(),
//!         file_name: "고객리스트".into(),
//!         schema: [("연령".to_owned(), FieldType::Number)].into(),
//!     })
//!     .await?;
//! println!("file {}", created.file_id);
//! # Ok(()) }
//! ```

mod error;
mod types;

pub use error::{ClientError, KakaoError};
pub use types::*;

use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;
use serde::Serialize;
use url::Url;

/// Kakao's production API host.
pub const KAKAO_API_BASE: &str = "https://kapi.kakao.com";

/// How a relationship check authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// `Authorization: Bearer {access token}`: the user is the token's.
    AccessToken(&'a str),
    /// `Authorization: KakaoAK {admin key}`: the user is named by `target_user_id`.
    AdminKey(&'a str, i64),
}

/// Cheap to clone: clones share one connection pool.
#[derive(Debug, Clone)]
pub struct KakaoClient {
    http: reqwest::Client,
    base: Url,
}

impl KakaoClient {
    /// A client of the server at `base_url` (`http://127.0.0.1:8080`, `https://kapi.kakao.com`).
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        Self::with_http(reqwest::Client::new(), base_url)
    }

    /// A client of Kakao's own API host.
    pub fn kakao() -> Result<Self, ClientError> {
        Self::new(KAKAO_API_BASE)
    }

    /// Uses a caller-built HTTP client (timeouts, proxies, pool settings).
    pub fn with_http(http: reqwest::Client, base_url: &str) -> Result<Self, ClientError> {
        let base = Url::parse(base_url)
            .map_err(|e| ClientError::InvalidBaseUrl(format!("{base_url}: {e}")))?;
        Ok(Self { http, base })
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut url = self.base.clone();
        url.set_path(path);
        self.http.request(method, url)
    }

    /// `POST /v1/talkchannel/create/target_user_file`.
    pub async fn create_customer_file(
        &self,
        admin_key: &str,
        request: &CreateFileRequest,
    ) -> Result<CreateFileResponse, ClientError> {
        self.post_json(
            "/v1/talkchannel/create/target_user_file",
            admin_key,
            request,
        )
        .await
    }

    /// `GET /v1/talkchannel/target_user_file`: the channel's files, or the one `file_id`.
    pub async fn customer_files(
        &self,
        admin_key: &str,
        channel_public_id: &str,
        file_id: Option<i64>,
    ) -> Result<CustomerFilesResponse, ClientError> {
        let mut query = vec![("channel_public_id", channel_public_id.to_owned())];
        if let Some(id) = file_id {
            query.push(("file_id", id.to_string()));
        }
        let request = self
            .request(Method::GET, "/v1/talkchannel/target_user_file")
            .header("Authorization", format!("KakaoAK {admin_key}"))
            .query(&query);
        send(request).await
    }

    /// `POST /v1/talkchannel/update/target_users` (at most 2,000 users per call).
    pub async fn add_users(
        &self,
        admin_key: &str,
        request: &AddUsersRequest,
    ) -> Result<UsersCountResponse, ClientError> {
        self.post_json("/v1/talkchannel/update/target_users", admin_key, request)
            .await
    }

    /// `POST /v1/talkchannel/delete/target_users`.
    pub async fn delete_users(
        &self,
        admin_key: &str,
        request: &DeleteUsersRequest,
    ) -> Result<UsersCountResponse, ClientError> {
        self.post_json("/v1/talkchannel/delete/target_users", admin_key, request)
            .await
    }

    /// `GET /v2/api/talk/channels`: the user's relation with the app's channels (all
    /// connected ones, or `channel_public_ids` in that order).
    pub async fn channels(
        &self,
        auth: Auth<'_>,
        channel_public_ids: Option<&[&str]>,
    ) -> Result<ChannelsResponse, ClientError> {
        let mut query = Vec::new();
        if let Some(ids) = channel_public_ids {
            query.push(("channel_id_type", "channel_public_id".to_owned()));
            query.push(("channel_ids", ids.join(",")));
        }
        self.relationship("/v2/api/talk/channels", auth, query)
            .await
    }

    /// The legacy `GET /v1/api/talk/channels` (`channel_public_ids` as a JSON array).
    pub async fn channels_v1(
        &self,
        auth: Auth<'_>,
        channel_public_ids: Option<&[&str]>,
    ) -> Result<ChannelsResponse, ClientError> {
        let mut query = Vec::new();
        if let Some(ids) = channel_public_ids {
            let json =
                serde_json::to_string(ids).map_err(|e| ClientError::Decode(e.to_string()))?;
            query.push(("channel_public_ids", json));
        }
        self.relationship("/v1/api/talk/channels", auth, query)
            .await
    }

    async fn relationship(
        &self,
        path: &str,
        auth: Auth<'_>,
        mut query: Vec<(&'static str, String)>,
    ) -> Result<ChannelsResponse, ClientError> {
        let authorization = match auth {
            Auth::AccessToken(token) => format!("Bearer {token}"),
            Auth::AdminKey(key, user_id) => {
                query.push(("target_id_type", "user_id".to_owned()));
                query.push(("target_id", user_id.to_string()));
                format!("KakaoAK {key}")
            }
        };
        let request = self
            .request(Method::GET, path)
            .header("Authorization", authorization)
            .query(&query);
        send(request).await
    }

    async fn post_json<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        admin_key: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let request = self
            .request(Method::POST, path)
            .header("Authorization", format!("KakaoAK {admin_key}"))
            .json(body);
        send(request).await
    }
}

/// Sends and reads the answer: 2xx as `T`, anything else as Kakao's error shape.
async fn send<T: DeserializeOwned>(request: RequestBuilder) -> Result<T, ClientError> {
    let response = request.send().await?;
    let status = response.status();
    let bytes = response.bytes().await?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| {
            ClientError::Decode(format!(
                "{e} in: {}",
                String::from_utf8_lossy(&bytes)
                    .chars()
                    .take(200)
                    .collect::<String>()
            ))
        });
    }
    Err(KakaoError::from_body(status.as_u16(), &bytes).into())
}
