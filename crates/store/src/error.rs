use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A row the operation needs does not exist (named for the message).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule would be broken; names the field that clashes.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// The database could not be reached or failed; details are logged, not shown.
    #[error("database error: {0}")]
    Backend(String),
}

impl StoreError {
    pub fn backend(e: impl std::fmt::Display) -> Self {
        StoreError::Backend(e.to_string())
    }
}
