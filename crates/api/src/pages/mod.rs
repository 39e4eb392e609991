//! The user-facing pages (pf.kakao.com and apps.kakao.com style): sign-in, the channel
//! home and its add and chat bridges, Follow Channel, Kakao Talk Share's sharer, and
//! the JS SDK with its assets.
//! Server-rendered with askama (which escapes everything it renders); sessions live in
//! the database; every POST form carries the session's CSRF token.

mod assets;
mod channel;
mod client_addr;
pub(crate) mod context;
mod follow;
pub(crate) mod i18n;
mod render;
mod share;
mod signin;

pub use client_addr::ClientAddresses;
pub use context::CookieSecure;
pub(crate) use context::PageCtx;
pub(crate) use render::{html, initial, Chrome, PageError};

use crate::ApiState;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};

/// Settings of the pages (`[pages]` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PageSettings {
    /// `auto` (Secure when the request came over https through a proxy), `always`, `never`.
    pub cookie_secure: CookieSecure,
    /// Emulator convenience: the sign-in page lists accounts to sign in as without a
    /// password. Never turn it on for real users.
    pub account_picker: bool,
    /// How long a browser session lives, in seconds.
    pub session_ttl_secs: i64,
    /// The most signed-in sessions one account keeps; signing in again ends the oldest.
    pub max_sessions_per_account: u32,
}

impl Default for PageSettings {
    fn default() -> Self {
        Self {
            cookie_secure: CookieSecure::Auto,
            account_picker: false,
            session_ttl_secs: 86_400,
            max_sessions_per_account: talkchannel_service::DEFAULT_SESSIONS_PER_ACCOUNT,
        }
    }
}

pub fn router() -> Router<ApiState> {
    Router::new()
        .route("/login", get(signin::page).post(signin::submit))
        .route("/login/as", axum::routing::post(signin::pick))
        .route("/logout", axum::routing::post(signin::logout))
        .route(
            "/talk/channel/follow",
            get(follow::page).post(follow::submit),
        )
        .route("/talk/channel/follow/result", get(follow::result))
        .route(share::PATH, get(share::page).post(share::submit))
        .route(share::ALIASES[0], get(share::page))
        .route(share::ALIASES[1], get(share::page))
        // Other methods on a single segment are an unknown path, as before pages existed.
        .route(
            "/{channel}",
            get(channel::home).fallback(crate::surface::not_found),
        )
        .route("/{channel}/friend", get(channel::friend).post(channel::add))
        .route("/{channel}/chat", get(channel::chat))
        .merge(assets::router())
}

/// A urlencoded form body, keeping repeated names (checkbox lists).
pub(crate) struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// Signs the browser in as the user an SDK's `agt` names (see `talkchannel_service`'s
/// `agt` module), replacing any earlier session. An unknown, spent or expired agt is
/// ignored: the page then asks the user to sign in, as without one.
pub(crate) async fn sign_in_with_agt(
    state: &ApiState,
    ctx: &mut PageCtx,
    app: talkchannel_domain::AppId,
    agt: Option<&str>,
) -> Result<(), PageError> {
    let Some(agt) = agt.filter(|a| !a.is_empty()) else {
        return Ok(());
    };
    let Some(account) = state.services.redeem_agt(app, agt).await? else {
        tracing::debug!(app, "an agt was unknown, spent or expired; ignored");
        return Ok(());
    };
    if ctx.account() != Some(account) {
        let session = state
            .services
            .sign_in_as(ctx.session.as_ref(), account)
            .await?;
        ctx.adopt(session);
    }
    Ok(())
}

/// A 303 to `location` (after a form, or to the sign-in page).
pub(crate) fn see_other(location: &str) -> axum::response::Response {
    let mut response = axum::http::StatusCode::SEE_OTHER.into_response();
    // Targets are checked before they get here; should one still not fit in a header,
    // the start page beats a redirect with no `Location`.
    let value = axum::http::HeaderValue::from_str(location).unwrap_or_else(|_| {
        tracing::warn!("a redirect target did not fit in a header; sent to / instead");
        axum::http::HeaderValue::from_static("/")
    });
    response
        .headers_mut()
        .insert(axum::http::header::LOCATION, value);
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

/// The sign-in page, coming back to `here` afterwards.
pub(crate) fn sign_in_first(here: &str) -> axum::response::Response {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("continue", here)
        .finish();
    see_other(&format!("/login?{query}"))
}

use axum::response::IntoResponse;
