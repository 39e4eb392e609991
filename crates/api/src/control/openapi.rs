use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::Modify;
use utoipa::OpenApi;

/// The control API's OpenAPI document, served at `/admin/api/v1/openapi.json`: what all
/// calls share. The calls themselves join it from the router (`control::router`), which
/// declares each once.
#[derive(OpenApi)]
#[openapi(
    info(title = "talkchannel control API", description = "Script accounts, apps, channels, links and friendships; manage customer files and webhooks. Authenticate with `Authorization: Bearer {operator token}`."),
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
