use talkchannel_domain::ValidationError;
use talkchannel_store::StoreError;
use thiserror::Error;

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Why a service refused or failed. Each surface maps these to its own wire format
/// (Kakao `{"code","msg"}` on kapi paths, the control API's JSON error elsewhere).
#[derive(Debug, Error)]
pub enum ServiceError {
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("{what} `{id}` does not exist")]
    NotFound { what: &'static str, id: String },
    #[error("{0}")]
    Conflict(String),
    #[error("channel `{0}` is sanctioned")]
    ChannelSanctioned(String),
    #[error("channel `{0}` is not connected to the app")]
    ChannelNotConnected(String),
    /// No customer file with that id for this app and channel (Kakao -816).
    #[error("customer file {0} does not exist for this app and channel")]
    FileNotFound(i64),
    /// Kakao -817.
    #[error("the channel already has a customer file named `{0}`")]
    FileNameTaken(String),
    /// Kakao -818.
    #[error("the channel already has the maximum of 30 customer files")]
    TooManyFiles,
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
    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
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
            StoreError::Conflict(what) => Self::Conflict(format!("{what} already exists")),
            StoreError::Backend(msg) => Self::Backend(msg),
        }
    }
}
