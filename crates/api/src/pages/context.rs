//! What every page handler needs from a request: the language, the browser session
//! (from an HttpOnly cookie, stored in the database), whether cookies must be `Secure`,
//! and the request's own path for "come back here after signing in".

use super::i18n::{Lang, Texts};
use crate::ApiState;
use axum::extract::FromRequestParts;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use talkchannel_service::{ServiceResult, SessionHandle};

pub const SESSION_COOKIE: &str = "tc_session";
pub const LANG_COOKIE: &str = "tc_lang";
/// A visitor who has not signed in gets the CSRF token of the sign-in form in this cookie
/// (the form carries it back: double submit), so an anonymous page costs no database
/// write. `SameSite=Lax` keeps another site's form from sending it at all.
pub const CSRF_COOKIE: &str = "tc_csrf";

/// Whether cookies carry `Secure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CookieSecure {
    /// When the request came over https (`X-Forwarded-Proto: https` from the proxy).
    #[default]
    Auto,
    Always,
    Never,
}

pub struct PageCtx {
    pub lang: Lang,
    pub t: &'static Texts,
    pub session: Option<SessionHandle>,
    /// Without a session: the anonymous CSRF token from [`CSRF_COOKIE`], if any.
    anonymous_csrf: Option<String>,
    /// The path and query of this request.
    pub here: String,
    secure: bool,
    /// Cookies to set on the answer.
    set_cookies: Vec<String>,
}

impl PageCtx {
    pub async fn new(state: &ApiState, headers: &HeaderMap, uri: &Uri) -> ServiceResult<Self> {
        let query_lang = uri.query().and_then(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| Lang::parse(&v))
        });
        let lang = query_lang
            .or_else(|| cookie(headers, LANG_COOKIE).and_then(|v| Lang::parse(&v)))
            .or_else(|| {
                headers
                    .get(ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(Lang::from_accept_language)
            })
            .unwrap_or(Lang::Ko);
        let secure = match state.pages.cookie_secure {
            CookieSecure::Always => true,
            CookieSecure::Never => false,
            CookieSecure::Auto => headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("https")),
        };
        let session = match cookie(headers, SESSION_COOKIE) {
            Some(token) => state.services.browser_session(&token).await?,
            None => None,
        };
        let anonymous_csrf = cookie(headers, CSRF_COOKIE).filter(|token| token.len() >= 32);
        let mut ctx = Self {
            lang,
            t: lang.texts(),
            session,
            anonymous_csrf,
            here: uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            secure,
            set_cookies: Vec::new(),
        };
        if let Some(lang) = query_lang {
            let cookie = ctx.cookie(LANG_COOKIE, lang.code(), 31_536_000, false);
            ctx.set_cookies.push(cookie);
        }
        Ok(ctx)
    }

    /// Makes sure the page's forms have a CSRF token: the session's, or for a visitor
    /// who has not signed in, one in [`CSRF_COOKIE`] (no session row is written).
    /// It lives as long as a session would (`pages.session_ttl_secs`).
    pub fn ensure_csrf(&mut self, state: &ApiState) {
        if self.session.is_some() || self.anonymous_csrf.is_some() {
            return;
        }
        let token = talkchannel_service::secrets::bearer_token();
        let cookie = self.cookie(CSRF_COOKIE, &token, state.pages.session_ttl_secs, true);
        self.set_cookies.push(cookie);
        self.anonymous_csrf = Some(token);
    }

    /// Makes `session` this browser's session from this answer on.
    pub fn adopt(&mut self, session: SessionHandle) {
        let max_age = (session.session.expires_at - session.session.created_at).num_seconds();
        let cookie = self.cookie(SESSION_COOKIE, &session.token, max_age, true);
        self.set_cookies.push(cookie);
        self.session = Some(session);
    }

    /// Ends the browser's session cookie.
    pub fn forget_session(&mut self) {
        let cookie = self.cookie(SESSION_COOKIE, "", 0, true);
        self.set_cookies.push(cookie);
        self.session = None;
    }

    pub fn account(&self) -> Option<i64> {
        self.session.as_ref().and_then(SessionHandle::account)
    }

    pub fn csrf(&self) -> &str {
        match (&self.session, &self.anonymous_csrf) {
            (Some(session), _) => session.session.csrf_token.as_str(),
            (None, Some(token)) => token,
            (None, None) => "",
        }
    }

    /// Whether a submitted form carries this session's CSRF token (or, signed out, the
    /// token of the CSRF cookie).
    pub fn csrf_ok(&self, submitted: Option<&str>) -> bool {
        match (&self.session, &self.anonymous_csrf, submitted) {
            (Some(session), _, Some(token)) => session.csrf_matches(token),
            (None, Some(cookie), Some(token)) => {
                talkchannel_service::secrets::constant_time_eq(cookie.as_bytes(), token.as_bytes())
            }
            _ => false,
        }
    }

    /// The form's CSRF token must be this session's: otherwise a 403 page with `code`.
    pub fn require_csrf(
        &self,
        form: &super::FormData,
        code: &'static str,
    ) -> Result<(), super::PageError> {
        if self.csrf_ok(form.get("csrf_token")) {
            Ok(())
        } else {
            Err(super::PageError::Request(
                axum::http::StatusCode::FORBIDDEN,
                code,
                self.t.session_expired.to_owned(),
            ))
        }
    }

    /// This page in the other languages, for the switch.
    pub fn lang_links(&self) -> Vec<(&'static str, &'static str, String, bool)> {
        [(Lang::Ko, "한국어"), (Lang::En, "English")]
            .into_iter()
            .map(|(lang, label)| {
                (
                    lang.code(),
                    label,
                    with_param(&self.here, "lang", lang.code()),
                    lang == self.lang,
                )
            })
            .collect()
    }

    fn cookie(&self, name: &str, value: &str, max_age: i64, http_only: bool) -> String {
        let mut c = format!("{name}={value}; Path=/; Max-Age={max_age}; SameSite=Lax");
        if http_only {
            c.push_str("; HttpOnly");
        }
        if self.secure {
            c.push_str("; Secure");
        }
        c
    }

    /// Ends a page: its answer with this context's cookies, or the error page.
    pub async fn end(
        self,
        state: &ApiState,
        result: Result<Response, super::PageError>,
    ) -> Response {
        match result {
            Ok(response) => self.finish(response),
            Err(e) => e.render(self, state).await,
        }
    }

    /// Adds the cookies this request decided on to `response`.
    pub fn finish(self, mut response: Response) -> Response {
        for cookie in self.set_cookies {
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(SET_COOKIE, value);
            }
        }
        response
    }
}

/// Every page handler starts from its context; when even that fails (database down), the
/// answer is a plain error page.
impl FromRequestParts<ApiState> for PageCtx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Response> {
        PageCtx::new(state, &parts.headers, &parts.uri)
            .await
            .map_err(|e| {
                tracing::error!(error = %e, "cannot read the browser session");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    [(CONTENT_TYPE, "text/plain; charset=utf-8")],
                    "internal error; try again later",
                )
                    .into_response()
            })
    }
}

/// A cookie's value from the `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// `path_and_query` with `name` set to `value` (replacing any earlier value).
pub fn with_param(path_and_query: &str, name: &str, value: &str) -> String {
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let mut out = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
        if k != name {
            out.append_pair(&k, &v);
        }
    }
    out.append_pair(name, value);
    format!("{path}?{}", out.finish())
}

/// A local path to come back to after signing in: only what parses as a path on this
/// origin (see `LocalPath`), so the sign-in page cannot be turned into an open redirect;
/// anything else goes to the start page.
pub fn safe_continue(target: Option<&str>) -> String {
    target
        .and_then(talkchannel_domain::local_path::LocalPath::parse)
        .unwrap_or_else(talkchannel_domain::local_path::LocalPath::root)
        .as_str()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continue_targets_stay_on_this_origin() {
        assert_eq!(safe_continue(Some("/_abc/friend?x=1")), "/_abc/friend?x=1");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil.example",
            "/\t/evil.example/x",
            "/\n/evil.example/x",
            "x",
        ] {
            assert_eq!(safe_continue(Some(bad)), "/", "{bad}");
        }
        assert_eq!(safe_continue(None), "/");
    }

    #[test]
    fn params_are_replaced_not_repeated() {
        assert_eq!(with_param("/a?lang=ko&x=1", "lang", "en"), "/a?x=1&lang=en");
        assert_eq!(with_param("/a", "lang", "ko"), "/a?lang=ko");
    }
}
