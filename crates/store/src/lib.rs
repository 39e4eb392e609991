//! Storage traits every engine implements, and the conformance suite that holds them to
//! one behaviour.
//!
//! Handlers and services see only these traits; only the server names an engine.

mod browser;
mod consent;
mod customer_files;
mod error;
mod login;
mod messages;
mod paged;
mod records;
mod segments;
mod throttle;
mod traits;
mod webhooks;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use browser::{
    challenge_from_columns, AuthorizationCode, BrowserSession, BrowserStore, FollowResult,
};
pub use consent::{requirement_from_db, ConsentStore};
pub use customer_files::{
    CustomerFileStore, FileImport, FileRowInput, ImportError, ImportStatus, RowImport, RowsWritten,
};
pub use error::{StoreError, StoreResult};
pub use login::{LoginCredential, LoginStore};
pub use messages::{
    body_json, check_key, initial_state, target_group, IdempotencyKey, Keyed, MessageParts,
    MessageStore, ReceiptCounts, RecipientSet, MESSAGE_COLUMNS,
};
pub use paged::{PagedArg, PagedQuery};
pub use records::{
    check_change_pair, FriendshipOutcome, KeyOwner, NewAppUser, RelationshipGeneration,
};
pub use segments::{
    field_values, FieldValue, FriendGroupStore, FriendRecord, Profile, RowRecord, SeedChunk,
    SegmentStore, Sink, SEED_REGIONS, SEED_SCHEMA, SINCE_THE_START,
};
pub use talkchannel_domain::FriendshipChange;
pub use throttle::ThrottleStore;
pub use traits::{AccountStore, AppStore, ChannelStore, FriendshipStore, SettingsStore, Store};
pub use webhooks::{
    failure_tally, DeliveryAttempt, DeliveryResult, LoggedAttempt, NextStep, WebhookEvent,
    WebhookEventKind, WebhookEventState, WebhookSettings, WebhookStore,
};
