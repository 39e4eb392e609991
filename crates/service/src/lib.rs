//! Domain services: one per state change, shared by every surface.
//!
//! Each service validates input with the domain's rules, asks the store to make the change
//! and returns domain types. Surfaces (Kakao-compatible API, control API, pages) map the
//! results and [`ServiceError`]s to their own wire formats.

mod accounts;
mod agt;
mod app_users;
mod apps;
mod authorize;
mod channels;
mod chats;
mod client_secret;
mod consent;
mod csv_quotes;
mod customer_files;
mod error;
mod file_import;
mod follow;
mod friend_groups;
mod friendships;
mod login;
mod logout;
mod messages;
mod oauth;
mod operator;
mod password_gate;
mod relationships;
pub mod secrets;
mod sessions;
mod sign_in;
mod user_info;
mod webhooks;

pub use accounts::AccountRequest;
pub use agt::{AgtError, AGT_TTL_SECS};
pub use app_users::{IssuedTokens, LinkRequest};
pub use authorize::{
    AuthorizeError, AuthorizeRequest, PendingConsent, CODE_TTL, MAX_OFFERED_CHANNELS,
};
pub use channels::{ChannelChange, ChannelRequest};
pub use chats::{MessageStats, DEFAULT_CHAT_LIMIT, MAX_CHAT_LIMIT};
pub use consent::ScopeStatus;
pub use customer_files::{FileListing, SubmittedUser, UsersOutcome};
pub use error::{ServiceError, ServiceResult};
pub use file_import::MAX_REPORTED_ERRORS;
pub use follow::{FollowStatus, KaeError};
pub use login::MAX_REDIRECT_URIS;
pub use messages::{MessageRequest, Outcome, MAX_IDEMPOTENCY_KEY_BYTES, MAX_TEST_ACCOUNTS};
pub use oauth::{OAuthError, Refreshed};
pub use operator::OperatorToken;
pub use password_gate::PasswordGate;
pub use relationships::{
    Caller, ChannelFilter, Credential, RelationshipReport, RelationshipRow, RelationshipSubject,
};
pub use sessions::SessionHandle;
pub use sign_in::{SignIn, SignInLimits};
pub use talkchannel_segments::{Counts, SegmentEngine};
pub use talkchannel_segments::{SnapshotSettings, DATABASE_ID_SETTING, SNAPSHOT_FORMAT};
pub use user_info::TokenInfo;
pub use webhooks::{
    WebhookRequest, DEFAULT_PAUSE_THRESHOLD, DEFAULT_RETRY_LIMIT_SECS, MAX_RETRY_LIMIT_SECS,
};

use std::sync::Arc;
use talkchannel_domain::Clock;
use talkchannel_store::Store;
use talkchannel_webhooks::{AddressPolicy, Sender};
use tokio::sync::Notify;

/// Browser sessions of the user-facing pages live a day unless configured.
pub const DEFAULT_SESSION_TTL: chrono::Duration = chrono::Duration::hours(24);

/// Signed-in sessions one account keeps unless configured; signing in once more ends the
/// oldest, so session storage is bounded even for someone who knows the password.
pub const DEFAULT_SESSIONS_PER_ACCOUNT: u32 = 20;

/// Lifetimes of issued tokens. Kakao's defaults: 6 hours and about 2 months.
#[derive(Debug, Clone, Copy)]
pub struct TokenPolicy {
    pub access_ttl: chrono::Duration,
    pub refresh_ttl: chrono::Duration,
}

impl Default for TokenPolicy {
    fn default() -> Self {
        Self {
            access_ttl: chrono::Duration::seconds(21_599),
            refresh_ttl: chrono::Duration::seconds(5_183_999),
        }
    }
}

/// The services over one store and one clock; cheap to clone into handlers.
#[derive(Clone)]
pub struct Services {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    tokens: TokenPolicy,
    /// Wakes this node's webhook workers when a change may have enqueued an event.
    webhook_wake: Arc<Notify>,
    /// Sends test pings, under the same address policy as the workers.
    webhook_sender: Sender,
    /// How long a browser session lives after sign-in or first visit.
    session_ttl: chrono::Duration,
    /// The most signed-in sessions an account keeps.
    sessions_per_account: u32,
    /// Friend-group counts: this process's in-memory segment indexes.
    segments: Arc<SegmentEngine>,
    /// Decoded recipient sets of sent messages (immutable, so safe on every node).
    recipient_sets: chats::RecipientCache,
    /// Sign-in throttle limits.
    sign_in_limits: SignInLimits,
    /// Bounds concurrent password hashing on this node.
    password_gate: Arc<PasswordGate>,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, tokens: TokenPolicy) -> Self {
        Self {
            segments: Arc::new(SegmentEngine::new(Arc::clone(&store))),
            clock,
            tokens,
            webhook_wake: Arc::new(Notify::new()),
            webhook_sender: Sender::new(AddressPolicy::default()),
            session_ttl: DEFAULT_SESSION_TTL,
            sessions_per_account: DEFAULT_SESSIONS_PER_ACCOUNT,
            store,
            recipient_sets: chats::recipient_cache(),
            sign_in_limits: SignInLimits::default(),
            password_gate: gate(&SignInLimits::default()),
        }
    }

    /// Throttles sign-in and bounds password hashing with `limits`.
    pub fn with_sign_in_limits(mut self, limits: SignInLimits) -> Self {
        self.password_gate = gate(&limits);
        self.sign_in_limits = limits;
        self
    }

    /// Browser sessions live this long.
    pub fn with_session_ttl(mut self, ttl: chrono::Duration) -> Self {
        self.session_ttl = ttl;
        self
    }

    /// An account keeps at most `max` signed-in sessions (at least one).
    pub fn with_sessions_per_account(mut self, max: u32) -> Self {
        self.sessions_per_account = max.max(1);
        self
    }

    /// Shares `wake` with the delivery workers and sends pings with `sender`.
    pub fn with_webhooks(mut self, wake: Arc<Notify>, sender: Sender) -> Self {
        self.webhook_wake = wake;
        self.webhook_sender = sender;
        self
    }

    /// Keeps friend-group index snapshots in `settings.dir` (none: no snapshots). Call
    /// before the services are cloned: it replaces the segment engine.
    pub fn with_segment_snapshots(mut self, settings: Option<SnapshotSettings>) -> Self {
        self.segments = Arc::new(SegmentEngine::with_snapshots(
            Arc::clone(&self.store),
            settings,
        ));
        self
    }

    /// The segment engine (benchmarks drop its indexes to measure a cold start).
    pub fn segments(&self) -> &Arc<SegmentEngine> {
        &self.segments
    }

    pub fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

fn gate(limits: &SignInLimits) -> Arc<PasswordGate> {
    Arc::new(PasswordGate::new(
        limits.hash_concurrency,
        limits.hash_queue,
    ))
}
