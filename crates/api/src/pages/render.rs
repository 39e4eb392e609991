//! Rendering: the chrome every page shares, HTML answers with safe headers, and the
//! error pages.

use super::i18n::Texts;
use super::PageCtx;
use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use talkchannel_domain::{ChannelPublicId, Entity, Kae, Koe};
use talkchannel_service::ServiceError;

pub struct LangLink {
    pub code: &'static str,
    pub label: &'static str,
    pub href: String,
    pub current: bool,
}

/// What the layout shows around every page.
pub struct Chrome {
    pub t: &'static Texts,
    pub lang: &'static str,
    pub langs: Vec<LangLink>,
    pub account_name: Option<String>,
    pub csrf: String,
    pub here: String,
}

impl Chrome {
    pub async fn of(ctx: &PageCtx, state: &crate::ApiState) -> Self {
        let account_name = match ctx.account() {
            Some(id) => state.services.account(id).await.ok().map(|a| a.nickname),
            None => None,
        };
        Self {
            t: ctx.t,
            lang: ctx.lang.code(),
            langs: ctx
                .lang_links()
                .into_iter()
                .map(|(code, label, href, current)| LangLink {
                    code,
                    label,
                    href,
                    current,
                })
                .collect(),
            account_name,
            csrf: ctx.csrf().to_owned(),
            here: ctx.here.clone(),
        }
    }
}

/// The first letter of a name, for the generated avatar.
pub fn initial(name: &str) -> String {
    name.chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default()
}

/// An HTML answer with headers that keep the page from being framed or scripted by
/// anything but our own files.
pub fn html(status: StatusCode, template: &impl Template) -> Response {
    match template.render() {
        Ok(body) => {
            let mut response = (status, body).into_response();
            let h = response.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            h.insert("x-frame-options", HeaderValue::from_static("DENY"));
            h.insert(
                "x-content-type-options",
                HeaderValue::from_static("nosniff"),
            );
            h.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(
                    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                     frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
                ),
            );
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "a page template failed to render");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "internal error",
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
pub struct MessagePage {
    pub c: Chrome,
    pub heading: String,
    pub lead: String,
    pub name: Option<String>,
    pub initial: Option<String>,
    pub code: Option<String>,
    /// `ok`, `error` or `info`.
    pub tone: &'static str,
    pub closes: bool,
    pub links: Vec<(String, String, &'static str)>,
}

impl MessagePage {
    pub fn new(c: Chrome, tone: &'static str, heading: &str, lead: &str) -> Self {
        Self {
            c,
            heading: heading.to_owned(),
            lead: lead.to_owned(),
            name: None,
            initial: None,
            code: None,
            tone,
            closes: false,
            links: Vec::new(),
        }
    }
}

/// A page that cannot be shown, rendered as an HTML error page in the user's language.
#[derive(Debug)]
pub enum PageError {
    /// Status, Kakao error code (KOE/KAE) and a sentence for the developer.
    Request(StatusCode, &'static str, String),
    ChannelNotFound,
    ChannelSanctioned,
    Internal(String),
}

impl From<ServiceError> for PageError {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::NotFound {
                what: Entity::Channel,
                ..
            } => PageError::ChannelNotFound,
            // A malformed profile id names no channel either.
            ServiceError::Invalid(v) if v.field == ChannelPublicId::FIELD => {
                PageError::ChannelNotFound
            }
            ServiceError::ChannelSanctioned(_) => PageError::ChannelSanctioned,
            other => PageError::Internal(other.to_string()),
        }
    }
}

impl PageError {
    /// A Kakao Login failure on a page, with the catalogue's status.
    pub fn koe(koe: Koe, message: impl Into<String>) -> Self {
        let status = StatusCode::from_u16(koe.http_status()).unwrap_or(StatusCode::BAD_REQUEST);
        PageError::Request(status, koe.code(), message.into())
    }

    /// An SDK failure on a page: the SDK codes have no status of their own, the page
    /// chooses it.
    pub fn kae(status: StatusCode, kae: Kae, message: impl Into<String>) -> Self {
        PageError::Request(status, kae.code(), message.into())
    }

    pub async fn render(self, ctx: PageCtx, state: &crate::ApiState) -> Response {
        let c = Chrome::of(&ctx, state).await;
        let t = c.t;
        let (status, page) = match self {
            PageError::Request(status, code, message) => {
                let mut page = MessagePage::new(c, "error", t.error_title, &message);
                page.code = Some(code.to_owned());
                (status, page)
            }
            PageError::ChannelNotFound => (
                StatusCode::NOT_FOUND,
                MessagePage::new(c, "error", t.not_found_title, t.not_found_lead),
            ),
            PageError::ChannelSanctioned => (
                StatusCode::FORBIDDEN,
                MessagePage::new(c, "error", t.sanctioned_title, t.sanctioned_lead),
            ),
            PageError::Internal(e) => {
                tracing::error!(error = %e, "a page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    MessagePage::new(c, "error", t.error_title, "internal error; try again later"),
                )
            }
        };
        ctx.finish(html(status, &page))
    }
}
