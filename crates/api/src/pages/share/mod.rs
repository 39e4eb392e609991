//! Kakao Talk Share's web sharer (sharer.kakao.com), which `Kakao.Share.sendDefault`,
//! `sendScrap` and the share buttons open in a popup: `app_key`, `ka`,
//! `validation_action` (`default` or `scrap`) and `validation_params` (JSON: `link_ver`
//! and `template_object`, or `request_url`). The page checks the template as Kakao does
//! (errors 4002 and 4003, as Kakao's sharer shows them), asks a signed-out user to sign
//! in, previews the message and shares it when the user confirms (a CSRF-checked form).
//!
//! Served at `/picker/link` (what our SDK opens) and, for Kakao's older and mobile web
//! sharers, at `/talk/friends/picker/link` and `/talk/friends/picker/easylink`.

mod template;

use super::render::{html, initial, MessagePage};
use super::{sign_in_first, Chrome, FormData, PageCtx, PageError};
use crate::ApiState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use talkchannel_domain::App;
use template::Preview;

pub const PATH: &str = "/picker/link";
pub const ALIASES: [&str; 2] = ["/talk/friends/picker/link", "/talk/friends/picker/easylink"];

/// The fields a share request carries from the GET to the confirming POST.
const CARRIED: [&str; 4] = ["app_key", "ka", "validation_action", "validation_params"];

#[derive(Template)]
#[template(path = "share.html")]
struct SharePage {
    c: Chrome,
    app_name: String,
    app_initial: String,
    p: Preview,
    action: &'static str,
    hidden: Vec<(String, String)>,
}

struct Checked {
    app: App,
    preview: Preview,
}

fn refused(code: &'static str, message: String) -> PageError {
    PageError::Request(StatusCode::BAD_REQUEST, code, message)
}

/// The app behind `app_key` and the checked template: 4003 for a key that is not an
/// app's JavaScript (or native) key, 4002 for a wrong template.
async fn check(state: &ApiState, p: &FormData) -> Result<Checked, PageError> {
    let app_key = p.get("app_key").unwrap_or_default();
    let app = state
        .services
        .follow_app(app_key)
        .await
        .map_err(|_| refused("4003", "app_key must be the app's JavaScript key".into()))?;
    let action = p.get("validation_action").unwrap_or_default();
    let params = p.get("validation_params").unwrap_or_default();
    let preview = template::check(action, params).map_err(|e| refused("4002", e.0))?;
    Ok(Checked { app, preview })
}

pub async fn page(State(state): State<ApiState>, ctx: PageCtx, uri: Uri) -> Response {
    let params = FormData::parse(uri.query().unwrap_or_default().as_bytes());
    let result = async {
        let checked = check(&state, &params).await?;
        if ctx.account().is_none() {
            return Ok(sign_in_first(&ctx.here));
        }
        let page = SharePage {
            c: Chrome::of(&ctx, &state).await,
            app_initial: initial(&checked.app.name),
            app_name: checked.app.name,
            p: checked.preview,
            action: PATH,
            hidden: CARRIED
                .iter()
                .filter_map(|k| params.get(k).map(|v| ((*k).to_owned(), v.to_owned())))
                .collect(),
        };
        Ok(html(StatusCode::OK, &page))
    }
    .await;
    ctx.end(&state, result).await
}

pub async fn submit(State(state): State<ApiState>, ctx: PageCtx, body: Bytes) -> Response {
    let form = FormData::parse(&body);
    let result = confirm(&state, &ctx, &form).await;
    ctx.end(&state, result).await
}

async fn confirm(state: &ApiState, ctx: &PageCtx, form: &FormData) -> Result<Response, PageError> {
    ctx.require_csrf(form, "4002")?;
    let checked = check(state, form).await?;
    let Some(account) = ctx.account() else {
        return Err(PageError::Request(
            StatusCode::UNAUTHORIZED,
            "4012",
            "sign in first".into(),
        ));
    };
    let t = ctx.t;
    let shared = form.get("action") == Some("share");
    // Nothing is stored: talkchannel has no Kakao Talk rooms to deliver into, so the
    // share ends here, as it does for the sharing page once Kakao Talk takes over.
    tracing::info!(
        app = checked.app.id,
        account,
        object_type = checked.preview.object_type,
        shared,
        "Kakao Talk Share"
    );
    let (tone, heading, lead) = if shared {
        ("ok", t.share_done, t.share_done_lead)
    } else {
        ("info", t.share_title, t.share_cancelled)
    };
    let mut page = MessagePage::new(Chrome::of(ctx, state).await, tone, heading, lead);
    page.closes = true;
    Ok(html(StatusCode::OK, &page))
}
