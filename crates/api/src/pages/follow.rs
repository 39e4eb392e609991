//! Follow Channel (간편 추가) at `/talk/channel/follow`, as the SDKs open it: with
//! `app_key` and `channel_public_id`, and either `return_url` (native SDKs: the result
//! comes back as its query) or `trans_id` (the web SDK: the result is kept under the id
//! and read from `/talk/channel/follow/result`). `ka` is accepted; an `agt` signs the browser in as
//! its user (see `sign_in_with_agt`).

use super::channel::ConfirmPage;
use super::render::{html, initial, MessagePage};
use super::{see_other, sign_in_first, Chrome, FormData, PageCtx, PageError};
use crate::ApiState;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::collections::HashMap;
use talkchannel_domain::{App, Channel, Kae, Relation};
use talkchannel_service::{FollowStatus, KaeError};

/// Where the result goes.
enum Callback {
    ReturnUrl(url::Url),
    Transaction(String),
}

struct Target {
    app: App,
    channel: Channel,
    callback: Callback,
}

/// How a request that cannot go on ends: an error page, or the result already
/// delivered to the SDK's callback.
enum Stop {
    Page(PageError),
    Delivered(Response),
}

impl From<PageError> for Stop {
    fn from(e: PageError) -> Self {
        Stop::Page(e)
    }
}

/// A parameter source: the query of the GET, or the form of the POST.
trait Params {
    fn param(&self, name: &str) -> Option<&str>;
}

impl Params for HashMap<String, String> {
    fn param(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }
}

impl Params for FormData {
    fn param(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }
}

fn bad(message: &str) -> PageError {
    PageError::kae(StatusCode::BAD_REQUEST, Kae::InvalidParameter, message)
}

fn valid_trans_id(id: &str) -> bool {
    (16..=100).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Checks the request; a KAE error about the channel goes to the callback, as the SDKs
/// expect; anything that leaves no trustworthy callback is an error page.
async fn target(state: &ApiState, ctx: &PageCtx, p: &impl Params) -> Result<Target, Stop> {
    let (Some(app_key), Some(channel_id)) = (p.param("app_key"), p.param("channel_public_id"))
    else {
        return Err(bad("app_key and channel_public_id are required").into());
    };
    let app = state
        .services
        .follow_app(app_key)
        .await
        .map_err(|e| PageError::kae(StatusCode::UNAUTHORIZED, e.code, e.message))?;
    let callback = match (p.param("return_url"), p.param("trans_id")) {
        (Some(url), None) => Callback::ReturnUrl(return_url(state, &app, app_key, url).await?),
        (None, Some(t)) if valid_trans_id(t) => Callback::Transaction(t.to_owned()),
        (None, Some(_)) => {
            return Err(bad("trans_id must be 16 to 100 letters, digits, - or _").into())
        }
        _ => return Err(bad("give exactly one of return_url and trans_id").into()),
    };
    match state.services.follow_target(&app, channel_id).await {
        Ok(channel) => Ok(Target {
            app,
            channel,
            callback,
        }),
        Err(e) => {
            let outcome = Outcome {
                status: FollowStatus::Error,
                error: Some(&e),
                channel: None,
            };
            Err(Stop::Delivered(
                deliver(state, ctx, &app, channel_id, &callback, outcome).await?,
            ))
        }
    }
}

/// A native SDK's `kakao{app key}://...` scheme, or one of the app's redirect URIs.
async fn return_url(
    state: &ApiState,
    app: &App,
    app_key: &str,
    raw: &str,
) -> Result<url::Url, PageError> {
    let url = url::Url::parse(raw).map_err(|_| bad("return_url is not an absolute URL"))?;
    if url.scheme() == format!("kakao{app_key}") {
        return Ok(url);
    }
    let registered = state.services.redirect_uris(app.id).await?;
    if registered.iter().any(|r| r == raw) {
        return Ok(url);
    }
    Err(bad(
        "return_url must use the kakao{app key} scheme or be a registered redirect URI",
    ))
}

struct Outcome<'a> {
    status: FollowStatus,
    error: Option<&'a KaeError>,
    channel: Option<&'a Channel>,
}

/// Sends the outcome where the SDK waits for it.
async fn deliver(
    state: &ApiState,
    ctx: &PageCtx,
    app: &App,
    channel_id: &str,
    callback: &Callback,
    outcome: Outcome<'_>,
) -> Result<Response, PageError> {
    match callback {
        Callback::ReturnUrl(url) => {
            let mut url = url.clone();
            {
                let mut q = url.query_pairs_mut();
                q.append_pair("status", outcome.status.as_str());
                q.append_pair("channel_public_id", channel_id);
                if let Some(e) = outcome.error {
                    q.append_pair("error_code", e.code.code());
                    q.append_pair("error_msg", &e.message);
                }
            }
            Ok(see_other(url.as_str()))
        }
        Callback::Transaction(trans_id) => {
            state
                .services
                .record_follow_result(trans_id, app, channel_id, outcome.status, outcome.error)
                .await?;
            let t = ctx.t;
            let c = Chrome::of(ctx, state).await;
            let (tone, status, heading, lead) = match (outcome.status, outcome.error) {
                (FollowStatus::Success, _) => ("ok", StatusCode::OK, t.add_done, t.follow_done),
                (FollowStatus::Fail, _) => {
                    ("info", StatusCode::OK, t.follow_title, t.follow_declined)
                }
                (FollowStatus::Error, e) => (
                    "error",
                    StatusCode::BAD_REQUEST,
                    t.error_title,
                    e.map_or("", |e| e.message.as_str()),
                ),
            };
            let mut page = MessagePage::new(c, tone, heading, lead);
            page.code = outcome.error.map(|e| e.code.code().to_owned());
            page.name = outcome.channel.map(|ch| ch.name.clone());
            page.initial = outcome.channel.map(|ch| initial(&ch.name));
            page.closes = true;
            Ok(html(status, &page))
        }
    }
}

fn hidden_fields(p: &impl Params) -> Vec<(String, String)> {
    [
        "app_key",
        "channel_public_id",
        "return_url",
        "trans_id",
        "ka",
    ]
    .into_iter()
    .filter_map(|k| p.param(k).map(|v| (k.to_owned(), v.to_owned())))
    .collect()
}

pub async fn page(
    State(state): State<ApiState>,
    mut ctx: PageCtx,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let target = match target(&state, &ctx, &q).await {
            Ok(t) => t,
            Err(Stop::Page(e)) => return Err(e),
            Err(Stop::Delivered(r)) => return Ok(r),
        };
        super::sign_in_with_agt(&state, &mut ctx, target.app.id, q.param("agt")).await?;
        let Some(account) = ctx.account() else {
            return Ok(sign_in_first(&ctx.here));
        };
        let channel = &target.channel;
        let current = state
            .services
            .friendship(account, channel.public_id.as_str())
            .await?;
        if current.is_some_and(|f| f.relation == Relation::Added) {
            let outcome = Outcome {
                status: FollowStatus::Success,
                error: None,
                channel: Some(channel),
            };
            return deliver(
                &state,
                &ctx,
                &target.app,
                channel.public_id.as_str(),
                &target.callback,
                outcome,
            )
            .await;
        }
        let t = ctx.t;
        let page = ConfirmPage {
            c: Chrome::of(&ctx, &state).await,
            heading: t.follow_title.to_owned(),
            lead: t.follow_lead.to_owned(),
            initial: initial(&channel.name),
            name: channel.name.clone(),
            search_id: channel.search_id.to_string(),
            action: "/talk/channel/follow".to_owned(),
            hidden: hidden_fields(&q),
            cancellable: true,
        };
        Ok(html(StatusCode::OK, &page))
    }
    .await;
    ctx.end(&state, result).await
}

pub async fn submit(State(state): State<ApiState>, ctx: PageCtx, body: Bytes) -> Response {
    let form = FormData::parse(&body);
    let result = async {
        ctx.require_csrf(&form, Kae::InvalidRequest.code())?;
        let target = match target(&state, &ctx, &form).await {
            Ok(t) => t,
            Err(Stop::Page(e)) => return Err(e),
            Err(Stop::Delivered(r)) => return Ok(r),
        };
        let Some(account) = ctx.account() else {
            let kae = Kae::LoginRequired;
            return Err(PageError::kae(StatusCode::UNAUTHORIZED, kae, kae.message()));
        };
        let channel = &target.channel;
        let added;
        let outcome = if form.get("action") == Some("add") {
            added = state.services.follow_channel(account, channel).await;
            match &added {
                Ok(()) => Outcome {
                    status: FollowStatus::Success,
                    error: None,
                    channel: Some(channel),
                },
                Err(e) => Outcome {
                    status: FollowStatus::Error,
                    error: Some(e),
                    channel: Some(channel),
                },
            }
        } else {
            Outcome {
                status: FollowStatus::Fail,
                error: None,
                channel: Some(channel),
            }
        };
        deliver(
            &state,
            &ctx,
            &target.app,
            channel.public_id.as_str(),
            &target.callback,
            outcome,
        )
        .await
    }
    .await;
    ctx.end(&state, result).await
}

/// `GET /talk/channel/follow/result?trans_id=...`: what the web SDK polls while its
/// popup is open. Any origin may read it: the 16+ character transaction id, known only
/// to the page that made it, is the key.
pub async fn result(
    State(state): State<ApiState>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let trans_id = q.get("trans_id").map(String::as_str).unwrap_or_default();
    let (status, body) = if !valid_trans_id(trans_id) {
        (
            StatusCode::BAD_REQUEST,
            json!({"status": "error", "error_code": Kae::InvalidParameter.code(), "error_msg": "trans_id is missing or malformed"}),
        )
    } else {
        match state.services.follow_result(trans_id).await {
            Ok(Some(r)) => {
                let mut body =
                    json!({"status": r.status, "channel_public_id": r.channel_public_id});
                if let Some(code) = r.error_code {
                    body["error_msg"] = kae_message(&code).into();
                    body["error_code"] = code.into();
                }
                (StatusCode::OK, body)
            }
            Ok(None) => (StatusCode::OK, json!({"status": "pending"})),
            Err(e) => {
                tracing::error!(error = %e, "follow result lookup failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"status": "error", "error_code": Kae::Internal.code(), "error_msg": "a temporary error occurred"}),
                )
            }
        }
    };
    let mut response = (status, crate::kapi::json_body(&body)).into_response();
    let h = response.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The sentence the SDKs show for a stored KAE code.
fn kae_message(code: &str) -> &'static str {
    Kae::parse(code).unwrap_or(Kae::Internal).message()
}
