//! `GET /oauth/authorize` and its consent form (`POST /oauth/authorize`): Kakao Login's
//! authorization step. A request whose client or redirect URI cannot be trusted gets an
//! error page and is never redirected; later errors go back to the redirect URI with
//! `error`, `error_description` and `state`, as OAuth 2.0 (RFC 6749 §4.1.2.1) says.

use crate::pages::{see_other, sign_in_first, Chrome, FormData, PageCtx, PageError};
use crate::ApiState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use talkchannel_domain::{CodeChallenge, Koe};
use talkchannel_service::{AuthorizeError, AuthorizeRequest};

#[derive(Template)]
#[template(path = "consent.html")]
struct ConsentPage {
    c: Chrome,
    app_name: String,
    app_initial: String,
    hidden: Vec<(String, String)>,
    /// (scope, label, required): required items cannot be unticked.
    scopes: Vec<(String, &'static str, bool)>,
    /// (public id, name, initial)
    channels: Vec<(String, String, String)>,
}

/// The request's parameters that the consent form carries to its POST, which checks
/// them again.
const CARRIED: [&str; 8] = [
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "channel_public_id",
    "code_challenge",
    "code_challenge_method",
];

/// Where errors may go once client and redirect URI are checked.
struct Redirect {
    uri: String,
    state: Option<String>,
}

impl Redirect {
    fn with(&self, pairs: &[(&str, &str)]) -> Response {
        let mut url = match url::Url::parse(&self.uri) {
            Ok(url) => url,
            // Registered URIs were validated as absolute when they were set.
            Err(_) => return see_other(&self.uri),
        };
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in pairs {
                q.append_pair(k, v);
            }
            if let Some(state) = &self.state {
                q.append_pair("state", state);
            }
        }
        see_other(url.as_str())
    }

    fn error(&self, error: &str, description: &str) -> Response {
        self.with(&[("error", error), ("error_description", description)])
    }
}

/// Checks client, redirect URI and the rest of the request. `Err(Ok(response))` is an
/// error already sent to the redirect URI; `Err(Err(page))` an error page.
async fn check(
    state: &ApiState,
    p: &FormData,
) -> Result<(AuthorizeRequest, Redirect), Result<Response, PageError>> {
    let param = |name: &str| p.get(name).filter(|v| !v.is_empty());
    let (Some(client_id), Some(redirect_uri)) = (param("client_id"), param("redirect_uri")) else {
        return Err(Err(PageError::koe(
            Koe::InvalidRequest,
            "client_id and redirect_uri are required",
        )));
    };
    let app = state
        .services
        .authorize_client(client_id, redirect_uri)
        .await
        .map_err(|e| Err(PageError::from(e)))?;
    let redirect = Redirect {
        uri: redirect_uri.to_owned(),
        state: param("state").map(str::to_owned),
    };
    // RFC 7636 §4.4.1: a malformed challenge or an unknown method is `invalid_request`,
    // sent back to the client like the other errors of a trusted request.
    let code_challenge = match CodeChallenge::from_request(
        param("code_challenge"),
        param("code_challenge_method"),
    ) {
        Ok(c) => c,
        Err(e) => return Err(Ok(redirect.error("invalid_request", &e.to_string()))),
    };
    let response_type = param("response_type").unwrap_or_default();
    match state
        .services
        .authorize_request(
            app,
            redirect_uri,
            response_type,
            param("scope"),
            param("channel_public_id"),
            code_challenge,
        )
        .await
    {
        Ok(req) => Ok((req, redirect)),
        Err(AuthorizeError::UnsupportedResponseType(t)) => Err(Ok(redirect.error(
            "unsupported_response_type",
            &format!("Unsupported response type: {t}"),
        ))),
        Err(AuthorizeError::InvalidScope(s)) => Err(Ok(
            redirect.error("invalid_scope", &format!("invalid scope: {s}"))
        )),
        Err(other) => Err(Err(other.into())),
    }
}

pub async fn authorize(State(state): State<ApiState>, mut ctx: PageCtx, uri: Uri) -> Response {
    let params = FormData::parse(uri.query().unwrap_or_default().as_bytes());
    let result = authorize_page(&state, &mut ctx, &params).await;
    ctx.end(&state, result).await
}

async fn authorize_page(
    state: &ApiState,
    ctx: &mut PageCtx,
    params: &FormData,
) -> Result<Response, PageError> {
    let (req, redirect) = match check(state, params).await {
        Ok(checked) => checked,
        Err(done) => return done,
    };
    let prompts: Vec<&str> = params
        .get("prompt")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .collect();
    if prompts.contains(&"login") {
        // Sign in again, then come back without the prompt.
        let again = ctx.here.replace("prompt=login", "prompt=");
        return Ok(sign_in_first(&again));
    }
    let silent = prompts.contains(&"none");
    crate::pages::sign_in_with_agt(state, ctx, req.app.id, params.get("agt")).await?;
    let Some(account) = ctx.account() else {
        if silent {
            return Ok(redirect.error("login_required", "user authentication required"));
        }
        return Ok(sign_in_first(&ctx.here));
    };
    let pending = state.services.pending_consent(&req, account).await?;
    if pending.is_empty() {
        let code = state
            .services
            .grant_consent(&req, account, &Default::default(), &[])
            .await?;
        return Ok(redirect.with(&[("code", &code)]));
    }
    if silent {
        return Ok(redirect.error("consent_required", "user consent required"));
    }
    ctx.ensure_csrf(state);
    let t = ctx.t;
    let page = ConsentPage {
        c: Chrome::of(ctx, state).await,
        app_name: req.app.name.clone(),
        app_initial: crate::pages::initial(&req.app.name),
        hidden: CARRIED
            .iter()
            .filter_map(|k| params.get(k).map(|v| ((*k).to_owned(), v.to_owned())))
            .collect(),
        scopes: listed(&pending, t),
        channels: pending
            .channels
            .iter()
            .map(|c| {
                (
                    c.public_id.as_str().to_owned(),
                    c.name.clone(),
                    crate::pages::initial(&c.name),
                )
            })
            .collect(),
    };
    Ok(crate::pages::html(StatusCode::OK, &page))
}

/// The items to ask for as Kakao's screen lists them: required first, then in the
/// console's order.
fn listed(
    pending: &talkchannel_service::PendingConsent,
    t: &crate::pages::i18n::Texts,
) -> Vec<(String, &'static str, bool)> {
    use talkchannel_domain::app_user::KNOWN_SCOPES;
    let mut items: Vec<_> = pending
        .scopes
        .iter()
        .map(|s| (s.clone(), t.scope(s), pending.required.contains(s)))
        .collect();
    items.sort_by_key(|(s, _, required)| {
        let position = KNOWN_SCOPES.iter().position(|k| k == s);
        (!required, position)
    });
    items
}

pub async fn consent(State(state): State<ApiState>, ctx: PageCtx, body: Bytes) -> Response {
    let form = FormData::parse(&body);
    let result = consent_submit(&state, &ctx, &form).await;
    ctx.end(&state, result).await
}

async fn consent_submit(
    state: &ApiState,
    ctx: &PageCtx,
    form: &FormData,
) -> Result<Response, PageError> {
    ctx.require_csrf(form, Koe::SessionExpired.code())?;
    let Some(account) = ctx.account() else {
        return Err(PageError::koe(Koe::SessionExpired, ctx.t.session_expired));
    };
    let (req, redirect) = match check(state, form).await {
        Ok(checked) => checked,
        Err(done) => return done,
    };
    if form.get("action") != Some("agree") {
        return Ok(redirect.error("access_denied", "User denied access"));
    }
    // Optional items the user unticked are not granted; those granted before stay. The
    // page cannot untick a required item: a form without one was not made by it.
    let pending = state.services.pending_consent(&req, account).await?;
    let ticked = form.all("scope_item");
    if let Some(missing) = pending
        .required
        .iter()
        .find(|s| !ticked.contains(&s.as_str()))
    {
        return Ok(redirect.error(
            "invalid_request",
            &format!("the required consent item `{missing}` was not agreed"),
        ));
    }
    let agreed = pending
        .scopes
        .iter()
        .filter(|s| ticked.contains(&s.as_str()))
        .cloned()
        .collect();
    let wanted = form.all("add_channel");
    let add: Vec<_> = pending
        .channels
        .into_iter()
        .filter(|c| wanted.contains(&c.public_id.as_str()))
        .collect();
    let code = state
        .services
        .grant_consent(&req, account, &agreed, &add)
        .await?;
    Ok(redirect.with(&[("code", &code)]))
}
