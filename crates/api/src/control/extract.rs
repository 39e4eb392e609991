//! Extractors that turn every malformed input into a [`ControlError`] naming the problem.

use super::ControlError;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use talkchannel_domain::PageRequest;
use utoipa::IntoParams;

/// A JSON body; a wrong content type, bad JSON or a wrong shape is a clear 4xx.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ControlError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(charset) = foreign_charset(req.headers()) {
            return Err(ControlError::from_status(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("JSON bodies are UTF-8; `charset={charset}` is not supported"),
            ));
        }
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

/// A `charset` parameter other than UTF-8 on the content type: the bytes would be read as
/// UTF-8 anyway, so a UTF-16 body would be misread rather than refused.
fn foreign_charset(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers
        .get(axum::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    value.split(';').skip(1).find_map(|param| {
        let (name, charset) = param.split_once('=')?;
        let charset = charset.trim().trim_matches('"');
        let utf8 = charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8");
        (name.trim().eq_ignore_ascii_case("charset") && !utf8)
            .then(|| charset.chars().take(40).collect())
    })
}

fn json_rejection(rejection: JsonRejection) -> ControlError {
    let message = match &rejection {
        JsonRejection::MissingJsonContentType(_) => {
            "send the body as JSON with `Content-Type: application/json`".to_owned()
        }
        // serde_json stops at 128 levels instead of exhausting the stack; say so plainly.
        JsonRejection::JsonSyntaxError(_) if rejection.body_text().contains("recursion limit") => {
            "the body nests JSON deeper than 128 levels; condition trees nest at most 12".to_owned()
        }
        JsonRejection::JsonSyntaxError(_) => {
            format!("the body is not valid JSON: {}", rejection.body_text())
        }
        JsonRejection::JsonDataError(_) => format!(
            "the body does not have the expected fields: {}",
            rejection.body_text()
        ),
        _ => rejection.body_text(),
    };
    // axum answers 422 for a well-formed body of the wrong shape; we keep one status for
    // "your body is wrong" (400) and reserve other statuses for media type and size.
    let status = match rejection.status() {
        StatusCode::UNPROCESSABLE_ENTITY => StatusCode::BAD_REQUEST,
        other => other,
    };
    ControlError::from_status(status, message)
}

/// `?limit=&after=` on list endpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 500 (default 50).
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub after: Option<i64>,
}

/// Query parameters; a malformed or mistyped one is a 400 naming the problem (axum's own
/// rejection would surface as a bare "bad request").
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ControlError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| Self(q.0))
            .map_err(|e| {
                ControlError::invalid("query", format!("bad query parameters: {}", e.body_text()))
            })
    }
}

pub struct Paging(pub PageRequest);

impl<S: Send + Sync> FromRequestParts<S> for Paging {
    type Rejection = ControlError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let QueryParams(params) =
            QueryParams::<PageParams>::from_request_parts(parts, state).await?;
        let limit = params.limit.unwrap_or(PageRequest::DEFAULT_LIMIT);
        if limit == 0 || limit > PageRequest::MAX_LIMIT {
            return Err(ControlError::invalid(
                "limit",
                format!("limit must be between 1 and {}", PageRequest::MAX_LIMIT),
            ));
        }
        if params.after.is_some_and(|after| after < 0) {
            return Err(ControlError::invalid(
                "after",
                "after must be a `next_cursor` from an earlier page (0 or more)",
            ));
        }
        Ok(Self(PageRequest {
            after: params.after,
            limit,
        }))
    }
}
