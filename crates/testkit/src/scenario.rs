//! Fixtures built through the control API, as a user's script would.

use crate::TestServer;
use reqwest::Method;
use serde_json::{json, Value};

/// An app with its keys.
#[derive(Debug, Clone)]
pub struct AppFixture {
    pub id: i64,
    pub rest_api_key: String,
    pub javascript_key: String,
    pub admin_key: String,
}

/// An account linked to an app, with its app user id and access token.
#[derive(Debug, Clone)]
pub struct UserFixture {
    pub account_id: i64,
    pub user_id: i64,
    pub access_token: String,
}

impl AppFixture {
    pub fn bearer(user: &UserFixture) -> String {
        format!("Bearer {}", user.access_token)
    }

    pub fn kakao_ak(&self) -> String {
        format!("KakaoAK {}", self.admin_key)
    }
}

impl TestServer {
    pub async fn create_app(&self, name: &str) -> AppFixture {
        let app = self
            .control_ok(Method::POST, "/apps", Some(json!({"name": name})))
            .await;
        let key = |k: &str| app["keys"][k].as_str().expect("key").to_owned();
        AppFixture {
            id: app["id"].as_i64().unwrap(),
            rest_api_key: key("rest_api_key"),
            javascript_key: key("javascript_key"),
            admin_key: key("admin_key"),
        }
    }

    /// Creates a channel with the given public id (and a search id derived from it).
    pub async fn create_channel(&self, public_id: &str, name: &str) -> Value {
        let search = format!("@{}", public_id.trim_start_matches('_').to_lowercase());
        self.control_ok(
            Method::POST,
            "/channels",
            Some(json!({"name": name, "public_id": public_id, "search_id": search})),
        )
        .await
    }

    pub async fn connect(&self, app: &AppFixture, public_id: &str) {
        self.control_ok(
            Method::PUT,
            &format!("/apps/{}/channels/{public_id}", app.id),
            None,
        )
        .await;
    }

    pub async fn create_account(&self, nickname: &str) -> i64 {
        self.control_ok(
            Method::POST,
            "/accounts",
            Some(json!({"nickname": nickname})),
        )
        .await["id"]
            .as_i64()
            .unwrap()
    }

    /// A new account linked to the app with these scopes.
    pub async fn create_user(
        &self,
        app: &AppFixture,
        nickname: &str,
        scopes: &[&str],
    ) -> UserFixture {
        let account_id = self.create_account(nickname).await;
        self.link(app, account_id, scopes).await
    }

    pub async fn link(&self, app: &AppFixture, account_id: i64, scopes: &[&str]) -> UserFixture {
        let linked = self
            .control_ok(
                Method::POST,
                &format!("/apps/{}/users", app.id),
                Some(json!({"account_id": account_id, "scopes": scopes})),
            )
            .await;
        UserFixture {
            account_id,
            user_id: linked["user_id"].as_i64().unwrap(),
            access_token: linked["token"]["access_token"].as_str().unwrap().to_owned(),
        }
    }

    /// Makes the account add, block or unblock the channel; returns the control API's answer.
    pub async fn friend(&self, account_id: i64, public_id: &str, action: &str) -> Value {
        self.control_ok(
            Method::POST,
            &format!("/channels/{public_id}/friendships/{account_id}/{action}"),
            None,
        )
        .await
    }
}
