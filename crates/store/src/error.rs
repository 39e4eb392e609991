use talkchannel_domain::{Clash, Entity};
use thiserror::Error;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Error)]
pub enum StoreError {
    /// A row the operation needs does not exist.
    #[error("{0} not found")]
    NotFound(Entity),
    /// A write would break a rule: a uniqueness rule, a limit or a state.
    #[error("{0} already exists")]
    Conflict(Clash),
    /// The database could not be reached or failed; details are logged, not shown.
    #[error("database error: {0}")]
    Backend(String),
}

impl StoreError {
    pub fn backend(e: impl std::fmt::Display) -> Self {
        StoreError::Backend(e.to_string())
    }
}
