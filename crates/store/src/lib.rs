//! Storage traits every engine implements, and the conformance suite that holds them to
//! one behaviour.
//!
//! Handlers and services see only these traits; only the server names an engine.

mod error;
mod login;
mod records;
mod traits;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use error::{StoreError, StoreResult};
pub use login::{LoginCredential, LoginStore};
pub use records::{FriendshipChange, FriendshipOutcome, KeyOwner, NewAppUser};
pub use traits::{AccountStore, AppStore, ChannelStore, FriendshipStore, SettingsStore, Store};
