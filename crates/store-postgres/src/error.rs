//! Maps database errors to store errors.
//!
//! Constraint names are fixed by the migration, so a violation names exactly which rule
//! was broken; everything else is a backend failure.

use sqlx::error::ErrorKind;
use talkchannel_domain::{Clash, Entity};
use talkchannel_store::StoreError;

/// Violations the caller can act on, by constraint name.
const MEANINGS: &[(&str, Meaning)] = &[
    ("app_keys_pkey", Meaning::Conflict(Clash::AppKeyTaken)),
    ("app_keys_app_id_fkey", Meaning::NotFound(Entity::App)),
    (
        "channels_public_id_key",
        Meaning::Conflict(Clash::ChannelPublicIdTaken),
    ),
    (
        "channels_search_id_key",
        Meaning::Conflict(Clash::SearchIdTaken),
    ),
    ("app_channels_app_id_fkey", Meaning::NotFound(Entity::App)),
    (
        "app_channels_channel_id_fkey",
        Meaning::NotFound(Entity::Channel),
    ),
    ("app_users_pkey", Meaning::Conflict(Clash::UserIdTaken)),
    (
        "app_users_account_key",
        Meaning::Conflict(Clash::AccountAlreadyLinked),
    ),
    ("app_users_app_id_fkey", Meaning::NotFound(Entity::App)),
    (
        "app_users_account_id_fkey",
        Meaning::NotFound(Entity::Account),
    ),
    ("tokens_app_user_fkey", Meaning::NotFound(Entity::AppUser)),
    (
        "webhook_settings_app_id_fkey",
        Meaning::NotFound(Entity::App),
    ),
    (
        "friendships_channel_id_fkey",
        Meaning::NotFound(Entity::Channel),
    ),
    (
        "friendships_account_id_fkey",
        Meaning::NotFound(Entity::Account),
    ),
    (
        "customer_files_name_key",
        Meaning::Conflict(Clash::FileNameTaken),
    ),
    ("customer_files_app_id_fkey", Meaning::NotFound(Entity::App)),
    (
        "customer_files_channel_id_fkey",
        Meaning::NotFound(Entity::Channel),
    ),
    (
        "customer_file_imports_file_id_fkey",
        Meaning::NotFound(Entity::CustomerFile),
    ),
    (
        "friendship_log_channel_id_fkey",
        Meaning::NotFound(Entity::Channel),
    ),
    (
        "friendship_log_account_id_fkey",
        Meaning::NotFound(Entity::Account),
    ),
    (
        "browser_sessions_account_id_fkey",
        Meaning::NotFound(Entity::Account),
    ),
    (
        "authorization_codes_app_user_fkey",
        Meaning::NotFound(Entity::AppUser),
    ),
    ("follow_results_app_id_fkey", Meaning::NotFound(Entity::App)),
    (
        "friend_groups_name_key",
        Meaning::Conflict(Clash::GroupNameTaken),
    ),
    (
        "friend_groups_channel_id_fkey",
        Meaning::NotFound(Entity::Channel),
    ),
];

#[derive(Clone, Copy)]
enum Meaning {
    NotFound(Entity),
    Conflict(Clash),
}

impl From<Meaning> for StoreError {
    fn from(m: Meaning) -> Self {
        match m {
            Meaning::NotFound(what) => StoreError::NotFound(what),
            Meaning::Conflict(what) => StoreError::Conflict(what),
        }
    }
}

/// The store error for a failed query.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    let meaning = violated_constraint(&e)
        .and_then(|name| MEANINGS.iter().find(|(n, _)| *n == name))
        .map(|(_, m)| *m);
    match meaning {
        Some(m) => m.into(),
        None => StoreError::backend(e),
    }
}

/// Whether `e` is a unique violation of `constraint`.
pub(crate) fn is_unique_violation(e: &sqlx::Error, constraint: &str) -> bool {
    let unique = e
        .as_database_error()
        .is_some_and(|d| d.kind() == ErrorKind::UniqueViolation);
    unique && violated_constraint(e).as_deref() == Some(constraint)
}

/// Whether the database asks for the transaction to be retried: a serialisation
/// failure (distributed engines run SERIALIZABLE and report contention this way) or a
/// deadlock it broke by failing this transaction.
pub(crate) fn is_serialization_failure(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|code| code == "40001" || code == "40P01")
}

/// The constraint a unique or foreign-key violation names. Some Postgres-compatible
/// engines leave the constraint field empty, so the message is read as a fallback
/// (`... violates unique constraint "name"`).
fn violated_constraint(e: &sqlx::Error) -> Option<String> {
    let d = e.as_database_error()?;
    if !matches!(
        d.kind(),
        ErrorKind::UniqueViolation | ErrorKind::ForeignKeyViolation
    ) {
        return None;
    }
    if let Some(name) = d.constraint() {
        return Some(name.to_owned());
    }
    let (_, rest) = d.message().split_once("constraint \"")?;
    rest.split_once('"').map(|(name, _)| name.to_owned())
}
