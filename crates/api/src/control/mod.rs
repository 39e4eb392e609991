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
mod webhook_events;
mod webhooks;

pub use customer_files::is_import_path;
pub use error::{ControlError, ErrorBody, ErrorDetail};
pub use openapi::ApiDoc;

use crate::ApiState;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;
use serde::Serialize;
use talkchannel_domain::Page;
use utoipa::ToSchema;

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

pub fn router(state: ApiState) -> Router<ApiState> {
    let guarded = Router::new()
        .route("/accounts", post(accounts::create).get(accounts::list))
        .route("/accounts/{account_id}", get(accounts::get))
        .route("/accounts/{account_id}/password", put(login::set_password))
        .route(
            "/apps/{app_id}/redirect-uris",
            get(login::redirect_uris).put(login::set_redirect_uris),
        )
        .route(
            "/apps/{app_id}/consent-items",
            get(consent::get).put(consent::put),
        )
        .route(
            "/apps/{app_id}/client-secret",
            get(login::client_secret)
                .post(login::rotate_client_secret)
                .delete(login::disable_client_secret),
        )
        .route("/apps", post(apps::create).get(apps::list))
        .route("/apps/{app_id}", get(apps::get))
        .route("/apps/{app_id}/admin-keys", post(apps::add_admin_key))
        .route("/apps/{app_id}/channels", get(channels::connected))
        .route(
            "/apps/{app_id}/channels/{public_id}",
            put(channels::connect).delete(channels::disconnect),
        )
        .route("/apps/{app_id}/users", post(app_users::link))
        .route("/apps/{app_id}/users/{user_id}", get(app_users::get))
        .route(
            "/apps/{app_id}/users/{user_id}/tokens",
            post(app_users::issue_tokens),
        )
        .route(
            "/apps/{app_id}/webhook",
            get(webhooks::get).put(webhooks::put),
        )
        .route(
            "/apps/{app_id}/webhook/rotate-secret",
            post(webhooks::rotate_secret),
        )
        .route("/apps/{app_id}/webhook/resume", post(webhooks::resume))
        .route("/apps/{app_id}/webhook/ping", post(webhooks::ping))
        .route("/apps/{app_id}/webhook/events", get(webhook_events::list))
        .route(
            "/apps/{app_id}/webhook/events/replay-dead",
            post(webhook_events::replay_dead),
        )
        .route(
            "/apps/{app_id}/webhook/events/{event_id}/replay",
            post(webhook_events::replay),
        )
        .route(
            "/apps/{app_id}/webhook/deliveries",
            get(webhook_events::deliveries),
        )
        .route("/channels", post(channels::create).get(channels::list))
        .route(
            "/channels/{public_id}",
            get(channels::get).patch(channels::patch),
        )
        .route(
            "/channels/{public_id}/friendships/{account_id}",
            get(friendships::get),
        )
        .route(
            "/channels/{public_id}/friendships/{account_id}/log",
            get(friendships::log),
        )
        .route(
            "/channels/{public_id}/friendships/{account_id}/{action}",
            post(friendships::change),
        )
        .route(
            "/channels/{public_id}/customer-files",
            get(customer_files::list),
        )
        .route(
            "/channels/{public_id}/groups",
            post(friend_groups::create).get(friend_groups::list),
        )
        .route(
            "/channels/{public_id}/groups/count",
            post(friend_groups::count_tree),
        )
        .route(
            "/channels/{public_id}/groups/{group_id}",
            get(friend_groups::get)
                .put(friend_groups::update)
                .delete(friend_groups::delete),
        )
        .route(
            "/channels/{public_id}/groups/{group_id}/count",
            get(friend_groups::count),
        )
        .route(
            "/channels/{public_id}/messages",
            post(messages::create).get(messages::list),
        )
        .route(
            "/channels/{public_id}/messages/{message_id}",
            get(messages::get),
        )
        .route(
            "/channels/{public_id}/messages/{message_id}/send",
            post(messages::send),
        )
        .route(
            "/channels/{public_id}/messages/{message_id}/cancel",
            post(messages::cancel),
        )
        .route(
            "/channels/{public_id}/messages/{message_id}/test",
            post(messages::test_send),
        )
        .route(
            "/channels/{public_id}/messages/{message_id}/stats",
            get(messages::stats),
        )
        .route(
            "/channels/{public_id}/chats/{account_id}/messages",
            get(chats::messages),
        )
        .route(
            "/channels/{public_id}/chats/{account_id}/read",
            post(chats::read),
        )
        .route(
            "/customer-files/{file_id}",
            get(customer_files::get).delete(customer_files::delete),
        )
        .route("/customer-files/{file_id}/rows", get(customer_files::rows))
        .route(
            "/customer-files/{file_id}/imports",
            post(customer_files::import),
        )
        .route(
            "/customer-file-imports/{import_id}",
            get(customer_files::import_report),
        )
        .route_layer(middleware::from_fn_with_state(state, require_operator));
    Router::new()
        .route("/openapi.json", get(openapi::document))
        .merge(guarded)
}

/// Public routes of ours that need no operator token: tracked message links.
pub fn links_router() -> Router<ApiState> {
    Router::new().route("/m/{message_id}/{button}", get(chats::click))
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
