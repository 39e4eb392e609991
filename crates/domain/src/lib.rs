//! talkchannel's domain: pure types and rules, no IO.
//!
//! Everything here is shared by every surface (Kakao-compatible API, control API, later the
//! Admin Center) and by every storage engine, so it stays free of HTTP and SQL.

pub mod account;
pub mod app;
pub mod app_user;
pub mod channel;
pub mod clock;
pub mod consent;
pub mod customer_file;
pub mod errors;
pub mod friend_group;
pub mod friendship;
pub mod friendship_change;
pub mod kakao_time;
pub mod local_path;
pub mod message;
pub mod page;
pub mod phone;
pub mod pkce;
pub mod segment;
pub mod sign_in_throttle;
pub mod validation;
pub mod web_url;

pub use account::{Account, Gender, NewAccount};
pub use app::{App, AppKey, KeyKind, NewApp};
pub use app_user::{AppUser, Scope, TokenRecord, UserId};
pub use channel::{Channel, ChannelPublicId, ChannelStatus, NewChannel, SearchId, TimeZone};
pub use clock::{Clock, ManualClock, SystemClock};
pub use customer_file::{
    CustomerFile, FieldType, FileId, FileRow, FileSchema, FileUserKey, NewCustomerFile, UserType,
};
pub use errors::{Clash, Entity, Kae, KakaoCode, Koe};
pub use friend_group::{FriendGroup, GroupDraft, GroupId};
pub use friendship::{ChangeSource, FriendAction, Friendship, FriendshipLogEntry, Relation};
pub use friendship_change::{FriendshipChange, FriendshipWrite, WebhookEventKind};
pub use kakao_time::KakaoTime;
pub use message::{Message, MessageBody, MessageId, MessageState, NewMessage, Target};
pub use page::{Page, PageRequest};
pub use phone::PhoneNumber;
pub use pkce::{CodeChallenge, CodeChallengeMethod, CodeVerifier, PkceError};
pub use segment::Condition;
pub use sign_in_throttle::{ThrottlePolicy, ThrottleState};
pub use validation::ValidationError;

/// Internal row ids. They never appear on the Kakao-compatible surface.
pub type AccountId = i64;
pub type AppId = i64;
pub type ChannelId = i64;
