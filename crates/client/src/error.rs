use serde::Deserialize;

/// Kakao's error answer: HTTP status, `code` (negative), `msg`, and on -402 the scopes the
/// user must consent to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Kakao API error {code} (HTTP {status}): {msg}")]
pub struct KakaoError {
    pub status: u16,
    pub code: i32,
    pub msg: String,
    pub required_scopes: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct Body {
    code: i32,
    #[serde(default)]
    msg: String,
    required_scopes: Option<Vec<String>>,
}

impl KakaoError {
    /// Reads `{"code", "msg"}`; a body without them (a proxy's page) keeps the status and
    /// `code` 0 with the text as `msg`.
    pub(crate) fn from_body(status: u16, bytes: &[u8]) -> Self {
        match serde_json::from_slice::<Body>(bytes) {
            Ok(b) => Self {
                status,
                code: b.code,
                msg: b.msg,
                required_scopes: b.required_scopes,
            },
            Err(_) => Self {
                status,
                code: 0,
                msg: String::from_utf8_lossy(bytes).chars().take(200).collect(),
                required_scopes: None,
            },
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Kakao(#[from] KakaoError),
    #[error("request failed: {0}")]
    Transport(#[from] reqwest::Error),
    #[error("unexpected answer: {0}")]
    Decode(String),
    #[error("invalid base URL {0}")]
    InvalidBaseUrl(String),
}

impl ClientError {
    /// The Kakao error, when the server answered with one.
    pub fn kakao(&self) -> Option<&KakaoError> {
        match self {
            Self::Kakao(e) => Some(e),
            _ => None,
        }
    }
}
