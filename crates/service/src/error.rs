use talkchannel_domain::{Clash, Entity, ValidationError};
use talkchannel_store::StoreError;
use thiserror::Error;

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Why a service refused or failed. Each surface maps these to its own wire format in one
/// place (Kakao `{"code","msg"}` on kapi paths, the control API's JSON error elsewhere);
/// the Kakao code of a missing [`Entity`] or a broken [`Clash`] is in the domain's
/// catalogue (`KakaoCode::for_missing`, `KakaoCode::for_clash`).
#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("{what} `{id}` does not exist")]
    NotFound { what: Entity, id: String },
    /// A rule the request would break, with the sentence the caller acts on.
    #[error("{message}")]
    Conflict { clash: Clash, message: String },
    #[error("channel `{0}` is sanctioned")]
    ChannelSanctioned(String),
    #[error("channel `{0}` is not connected to the app")]
    ChannelNotConnected(String),
    /// No customer file with that id for this app and channel (Kakao -816).
    #[error("customer file {0} does not exist for this app and channel")]
    FileNotFound(i64),
    /// A missing, unknown, expired or wrong-kind credential.
    #[error("{0}")]
    Unauthenticated(String),
    #[error("the user has not consented to the required scopes")]
    ScopeRequired(Vec<String>),
    #[error("the user is not linked to the app")]
    NotLinked,
    /// The database failed; the message is for logs, never for clients.
    #[error("storage failure: {0}")]
    Backend(String),
}

impl ServiceError {
    pub fn not_found(what: Entity, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }

    pub fn conflict(clash: Clash, message: impl Into<String>) -> Self {
        Self::Conflict {
            clash,
            message: message.into(),
        }
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => Self::NotFound {
                what,
                id: String::new(),
            },
            StoreError::Conflict(clash) => Self::conflict(clash, format!("{clash} already exists")),
            StoreError::Backend(msg) => Self::Backend(msg),
        }
    }
}
