//! Our control API (`/admin/api/v1`): scripts whole scenarios (accounts, apps, channels,
//! links, friendships) for operators, test suites and, later, the Admin Center.

mod accounts;
mod app_users;
mod apps;
mod channels;
mod chats;
mod consent;
mod customer_files;
mod error;
mod extract;
mod friend_groups;
mod friendships;
mod login;
mod messages;
mod openapi;
mod path;
mod webhook_events;
mod webhooks;

pub use error::{ControlError, ErrorBody, ErrorDetail};
pub use openapi::ApiDoc;

use crate::surface::{BodyLimits, Stack, Surface};
use crate::ApiState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use talkchannel_domain::Page;
use utoipa::OpenApi;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// A page of a list; pass `next_cursor` as `after` for the next one.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T> {
    pub items: Vec<T>,
    /// Absent on the last page.
    pub next_cursor: Option<i64>,
}

impl<T> From<Page<T>> for ListResponse<T> {
    fn from(page: Page<T>) -> Self {
        Self {
            items: page.items,
            next_cursor: page.next_cursor,
        }
    }
}

/// The control API. Each call is declared once: its handler's `#[utoipa::path]` gives
/// the route and the OpenAPI entry, and `routes!` registers both (one `routes!` per path).
/// All calls but the document need the operator token; CSV imports may be larger.
pub fn router(state: ApiState, limits: BodyLimits, stack: Stack) -> Router<ApiState> {
    let (calls, mut doc) = calls().split_for_parts();
    let (import, import_doc) = import_call().split_for_parts();
    doc.merge(import_doc);
    let guard = middleware::from_fn_with_state(state, require_operator);
    let control = Surface::Control;
    Router::new()
        .merge(control.wrap(calls.route_layer(guard.clone()), limits.body, stack))
        .merge(control.wrap(import.route_layer(guard), limits.import, stack))
        .merge(control.wrap(
            Router::new().route(
                "/admin/api/v1/openapi.json",
                get(move || std::future::ready(Json(doc.clone()))),
            ),
            limits.body,
            stack,
        ))
}

/// Every control call but the CSV import (whose body limit differs).
fn calls() -> OpenApiRouter<ApiState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(accounts::create, accounts::list))
        .routes(routes!(accounts::get))
        .routes(routes!(login::set_password))
        .routes(routes!(login::redirect_uris, login::set_redirect_uris))
        .routes(routes!(consent::get, consent::put))
        .routes(routes!(
            login::client_secret,
            login::rotate_client_secret,
            login::disable_client_secret
        ))
        .routes(routes!(apps::create, apps::list))
        .routes(routes!(apps::get))
        .routes(routes!(apps::add_admin_key))
        .routes(routes!(channels::connected))
        .routes(routes!(channels::connect, channels::disconnect))
        .routes(routes!(app_users::link))
        .routes(routes!(app_users::get))
        .routes(routes!(app_users::issue_tokens))
        .routes(routes!(webhooks::get, webhooks::put))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(webhooks::resume))
        .routes(routes!(webhooks::ping))
        .routes(routes!(webhook_events::list))
        .routes(routes!(webhook_events::replay_dead))
        .routes(routes!(webhook_events::replay))
        .routes(routes!(webhook_events::deliveries))
        .routes(routes!(channels::create, channels::list))
        .routes(routes!(channels::get, channels::patch))
        .routes(routes!(friendships::get))
        .routes(routes!(friendships::log))
        .routes(routes!(friendships::change))
        .routes(routes!(customer_files::list))
        .routes(routes!(friend_groups::create, friend_groups::list))
        .routes(routes!(friend_groups::count_tree))
        .routes(routes!(
            friend_groups::get,
            friend_groups::update,
            friend_groups::delete
        ))
        .routes(routes!(friend_groups::count))
        .routes(routes!(messages::create, messages::list))
        .routes(routes!(messages::get))
        .routes(routes!(messages::send))
        .routes(routes!(messages::cancel))
        .routes(routes!(messages::test_send))
        .routes(routes!(messages::stats))
        .routes(routes!(chats::messages))
        .routes(routes!(chats::read))
        .routes(routes!(customer_files::get, customer_files::delete))
        .routes(routes!(customer_files::rows))
        .routes(routes!(customer_files::import_report))
}

/// The CSV import: its body may be as large as `limits.import`.
fn import_call() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new().routes(routes!(customer_files::import))
}

/// The control API's OpenAPI document, as served at `/admin/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = calls().into_openapi();
    doc.merge(import_call().into_openapi());
    doc
}

/// Public routes of ours that need no operator token: tracked message links.
pub fn links_router(limits: BodyLimits, stack: Stack) -> Router<ApiState> {
    let links = Router::new().route("/m/{message_id}/{button}", get(chats::click));
    Surface::Control.wrap(links, limits.body, stack)
}

/// Every control call carries `Authorization: Bearer {operator token}`, once: with two
/// headers, which one a proxy or the server reads is anyone's guess, so neither counts.
async fn require_operator(
    State(state): State<ApiState>,
    req: Request,
    next: Next,
) -> Result<Response, ControlError> {
    let mut headers = req.headers().get_all(header::AUTHORIZATION).iter();
    let (first, second) = (headers.next(), headers.next());
    if second.is_some() {
        return Err(ControlError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "send one Authorization header, not several",
        ));
    }
    let presented = first
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(token) = presented else {
        return Err(ControlError::new(StatusCode::UNAUTHORIZED, "unauthorized", "send the operator token as `Authorization: Bearer {token}` (printed by `talkchannel serve` on first start)"));
    };
    if state
        .services
        .verify_operator_token(&state.operator, token)
        .await?
    {
        Ok(next.run(req).await)
    } else {
        Err(ControlError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the operator token is wrong; `talkchannel rotate-operator-token` issues a new one",
        ))
    }
}
