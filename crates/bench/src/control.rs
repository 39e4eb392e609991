//! A small client of the control API (`/admin/api/v1`), used to seed benchmark data.

use anyhow::{anyhow, Context, Result};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

/// Cheap to clone: clones share one connection pool.
#[derive(Clone)]
pub struct ControlClient {
    http: reqwest::Client,
    base: String,
    token: String,
}

/// An app and the admin key that authenticates it on the Kakao API.
#[derive(Debug, Clone)]
pub struct App {
    pub id: i64,
    pub admin_key: String,
}

/// An account linked to an app.
#[derive(Debug, Clone)]
pub struct LinkedUser {
    pub user_id: i64,
    pub access_token: String,
}

/// What an account does to a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FriendAction {
    Add,
    Block,
}

impl ControlClient {
    pub fn new(server_url: &str, operator_token: &str) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .context("could not build the HTTP client")?;
        Ok(Self {
            http,
            base: format!("{server_url}/admin/api/v1"),
            token: operator_token.to_owned(),
        })
    }

    pub async fn create_app(&self, name: &str) -> Result<App> {
        let app = self
            .call(Method::POST, "/apps", Some(json!({"name": name})))
            .await?;
        let id = app["id"]
            .as_i64()
            .context("POST /apps answered without an id")?;
        let admin_key = app["keys"]["admin_key"]
            .as_str()
            .context("POST /apps answered without keys.admin_key")?;
        Ok(App {
            id,
            admin_key: admin_key.to_owned(),
        })
    }

    /// A channel with this public id and `@` + the id in lower case as its search id.
    pub async fn create_channel(&self, public_id: &str, name: &str) -> Result<()> {
        let search_id = format!("@{}", public_id.trim_start_matches('_').to_lowercase());
        self.call(
            Method::POST,
            "/channels",
            Some(json!({"name": name, "public_id": public_id, "search_id": search_id})),
        )
        .await?;
        Ok(())
    }

    pub async fn connect(&self, app: &App, public_id: &str) -> Result<()> {
        self.call(
            Method::PUT,
            &format!("/apps/{}/channels/{public_id}", app.id),
            None,
        )
        .await?;
        Ok(())
    }

    pub async fn create_account(&self, nickname: &str) -> Result<i64> {
        let account = self
            .call(
                Method::POST,
                "/accounts",
                Some(json!({"nickname": nickname})),
            )
            .await?;
        account["id"]
            .as_i64()
            .context("POST /accounts answered without an id")
    }

    /// An account with a phone number (what phone-keyed customer-file rows resolve to).
    pub async fn create_account_with_phone(&self, nickname: &str, phone: &str) -> Result<i64> {
        let body = json!({"nickname": nickname, "phone_number": phone});
        let account = self.call(Method::POST, "/accounts", Some(body)).await?;
        account["id"]
            .as_i64()
            .context("POST /accounts answered without an id")
    }

    /// Any control API call that must succeed; returns its JSON.
    pub async fn get(&self, path: &str) -> Result<Value> {
        self.call(Method::GET, path, None).await
    }

    pub async fn link(&self, app: &App, account_id: i64, scopes: &[&str]) -> Result<LinkedUser> {
        let body = json!({"account_id": account_id, "scopes": scopes});
        let linked = self
            .call(Method::POST, &format!("/apps/{}/users", app.id), Some(body))
            .await?;
        let user_id = linked["user_id"]
            .as_i64()
            .context("linking answered without a user_id")?;
        let token = linked["token"]["access_token"]
            .as_str()
            .context("linking answered without token.access_token")?;
        Ok(LinkedUser {
            user_id,
            access_token: token.to_owned(),
        })
    }

    pub async fn friend(
        &self,
        public_id: &str,
        account_id: i64,
        action: FriendAction,
    ) -> Result<()> {
        let action = match action {
            FriendAction::Add => "add",
            FriendAction::Block => "block",
        };
        self.call(
            Method::POST,
            &format!("/channels/{public_id}/friendships/{account_id}/{action}"),
            None,
        )
        .await?;
        Ok(())
    }

    /// Points the app's webhook at `url` (Kakao defaults otherwise).
    pub async fn put_webhook(&self, app: &App, url: &str) -> Result<()> {
        self.call(
            Method::PUT,
            &format!("/apps/{}/webhook", app.id),
            Some(json!({"url": url})),
        )
        .await?;
        Ok(())
    }

    /// A POST that must succeed; returns its JSON.
    pub async fn post(&self, path: &str, body: Option<Value>) -> Result<Value> {
        self.call(Method::POST, path, body).await
    }

    /// One call; any answer but 2xx is an error that quotes the server's body.
    async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value> {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let what = format!("control API {method} {path}");
        let response = request
            .send()
            .await
            .with_context(|| format!("{what} failed; did the server stop?"))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .with_context(|| format!("{what}: could not read the answer"))?;
        if !status.is_success() {
            return Err(anyhow!(
                "{what} answered {status}: {}",
                text.chars().take(300).collect::<String>()
            ));
        }
        serde_json::from_str(&text)
            .with_context(|| format!("{what} answered {status} with something that is not JSON"))
    }
}
