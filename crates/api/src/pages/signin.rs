//! Signing in (email or phone number and password; optionally the emulator's account
//! picker) and out. Sign-in replaces the session, so a planted session id is worthless.

use super::render::{html, initial};
use super::{see_other, Chrome, FormData, PageCtx, PageError};
use crate::ApiState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use std::collections::HashMap;
use talkchannel_domain::{Koe, PageRequest};
use talkchannel_service::SignIn;

use super::context::safe_continue;

/// The picker lists this many accounts at most.
const PICKER_ACCOUNTS: u32 = 20;

#[derive(Template)]
#[template(path = "signin.html")]
struct SignInPage {
    c: Chrome,
    next: String,
    login: String,
    error: Option<String>,
    /// (id, nickname, initial)
    accounts: Vec<(i64, String, String)>,
}

pub async fn page(
    State(state): State<ApiState>,
    mut ctx: PageCtx,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let next = safe_continue(q.get("continue").map(String::as_str));
    let result = render(&state, &mut ctx, next, String::new(), None, StatusCode::OK).await;
    ctx.end(&state, result).await
}

async fn render(
    state: &ApiState,
    ctx: &mut PageCtx,
    next: String,
    login: String,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, PageError> {
    ctx.ensure_csrf(state);
    let accounts = if state.pages.account_picker {
        let page = state
            .services
            .accounts(PageRequest {
                after: None,
                limit: PICKER_ACCOUNTS,
            })
            .await?;
        page.items
            .into_iter()
            .map(|a| (a.id, a.nickname.clone(), initial(&a.nickname)))
            .collect()
    } else {
        Vec::new()
    };
    let page = SignInPage {
        c: Chrome::of(ctx, state).await,
        next,
        login,
        error,
        accounts,
    };
    Ok(html(status, &page))
}

pub async fn submit(
    State(state): State<ApiState>,
    mut ctx: PageCtx,
    headers: HeaderMap,
    extensions: Extensions,
    body: Bytes,
) -> Response {
    let form = FormData::parse(&body);
    let next = safe_continue(form.get("continue"));
    let login = form.get("login").unwrap_or_default().to_owned();
    let client = state.client_addresses.client(&extensions, &headers);
    let result = async {
        if !ctx.csrf_ok(form.get("csrf_token")) {
            let t = ctx.t;
            return render(
                &state,
                &mut ctx,
                next,
                login,
                Some(t.session_expired.to_owned()),
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        let password = form.get("password").unwrap_or_default();
        let outcome = state
            .services
            .sign_in(ctx.session.as_ref(), &login, password, client)
            .await?;
        let t = ctx.t;
        let (status, message, retry_after) = match outcome {
            SignIn::SignedIn(session) => {
                ctx.adopt(session);
                return Ok(see_other(&next));
            }
            SignIn::Refused => (StatusCode::UNAUTHORIZED, t.sign_in_failed.to_owned(), None),
            SignIn::Throttled { retry_at } => {
                let ms = (retry_at - state.services.now()).num_milliseconds();
                let secs = (ms + 999) / 1000;
                let message = t.sign_in_throttled.replace("{wait}", &t.wait(secs));
                (StatusCode::TOO_MANY_REQUESTS, message, Some(secs.max(1)))
            }
            SignIn::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                t.sign_in_busy.to_owned(),
                Some(1),
            ),
        };
        let mut page = render(&state, &mut ctx, next, login, Some(message), status).await?;
        if let Some(secs) = retry_after {
            page.headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
        }
        Ok(page)
    }
    .await;
    ctx.end(&state, result).await
}

/// The emulator's picker: only when the setting is on, and with the session's CSRF token.
pub async fn pick(State(state): State<ApiState>, mut ctx: PageCtx, body: Bytes) -> Response {
    let form = FormData::parse(&body);
    let next = safe_continue(form.get("continue"));
    let result = async {
        if !state.pages.account_picker {
            return Err(PageError::koe(
                Koe::PageDisabled,
                "the account picker is off (pages.account_picker)",
            ));
        }
        if !ctx.csrf_ok(form.get("csrf_token")) {
            let t = ctx.t;
            return render(
                &state,
                &mut ctx,
                next,
                String::new(),
                Some(t.session_expired.to_owned()),
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        let account = form
            .get("account_id")
            .and_then(|v| v.parse::<i64>().ok())
            .ok_or_else(|| PageError::koe(Koe::InvalidForm, "account_id is required"))?;
        let session = state
            .services
            .sign_in_as(ctx.session.as_ref(), account)
            .await?;
        ctx.adopt(session);
        Ok(see_other(&next))
    }
    .await;
    ctx.end(&state, result).await
}

pub async fn logout(State(state): State<ApiState>, mut ctx: PageCtx, body: Bytes) -> Response {
    let form = FormData::parse(&body);
    let next = safe_continue(form.get("continue"));
    let result = async {
        ctx.require_csrf(&form, Koe::SessionExpired.code())?;
        if let Some(session) = ctx.session.clone() {
            state.services.sign_out(&session).await?;
        }
        ctx.forget_session();
        Ok(see_other(&next))
    }
    .await;
    ctx.end(&state, result).await
}
