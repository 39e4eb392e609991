use super::{
    accounts, app_users, apps, channels, chats, consent, customer_files, friend_groups,
    friendships, login, messages, webhook_events, webhooks,
};
use axum::Json;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// The control API's OpenAPI document, served at `/admin/api/v1/openapi.json`.
#[derive(OpenApi)]
#[openapi(
    info(title = "talkchannel control API", description = "Script accounts, apps, channels, links and friendships; manage customer files and webhooks. Authenticate with `Authorization: Bearer {operator token}`."),
    paths(
        accounts::create, accounts::get, accounts::list,
        apps::create, apps::get, apps::list, apps::add_admin_key,
        app_users::link, app_users::get, app_users::issue_tokens,
        channels::create, channels::get, channels::list, channels::patch,
        channels::connect, channels::disconnect, channels::connected,
        friendships::change, friendships::get, friendships::log,
        webhooks::get, webhooks::put, webhooks::rotate_secret, webhooks::resume, webhooks::ping,
        webhook_events::list, webhook_events::deliveries, webhook_events::replay,
        webhook_events::replay_dead,
        customer_files::list, customer_files::get, customer_files::delete,
        customer_files::rows, customer_files::import, customer_files::import_report,
        login::redirect_uris, login::set_redirect_uris, login::set_password,
        login::client_secret, login::rotate_client_secret, login::disable_client_secret,
        consent::get, consent::put,
        friend_groups::create, friend_groups::list, friend_groups::get, friend_groups::update,
        friend_groups::delete, friend_groups::count, friend_groups::count_tree,
        messages::create, messages::list, messages::get, messages::send, messages::cancel,
        messages::test_send, messages::stats, chats::messages, chats::read,
    ),
    modifiers(&OperatorAuth),
    security(("operator" = [])),
)]
pub struct ApiDoc;

struct OperatorAuth;

impl Modify for OperatorAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "operator",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

pub async fn document() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}
