//! Rows as the database returns them, and their conversion to domain types.
//!
//! Enumerations are stored as text; a value the domain does not know means the database
//! was written by something else, reported as a backend error rather than a panic.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeSet;
use talkchannel_domain::{
    Account, AppKey, AppUser, ChangeSource, Channel, ChannelPublicId, ChannelStatus, FriendAction,
    Friendship, FriendshipLogEntry, Gender, KeyKind, PageRequest, PhoneNumber, Relation, SearchId,
    TimeZone, TokenRecord,
};
use talkchannel_store::{StoreError, StoreResult};

/// Column lists, shared by every query that reads a whole row.
pub(crate) const ACCOUNT_COLUMNS: &str =
    "id, nickname, phone_number, email, gender, birth_date, region, created_at";
pub(crate) const CHANNEL_COLUMNS: &str =
    "id, public_id, search_id, name, status, time_zone, created_at";
pub(crate) const APP_USER_COLUMNS: &str = "app_id, user_id, account_id, scopes, linked_at";
pub(crate) const FRIENDSHIP_COLUMNS: &str =
    "channel_id, account_id, relation, first_added_at, updated_at";
pub(crate) const LOG_COLUMNS: &str =
    "seq, channel_id, account_id, action, from_relation, to_relation, source, at";

fn parse<T>(what: &str, value: &str, read: impl FnOnce(&str) -> Option<T>) -> StoreResult<T> {
    read(value)
        .ok_or_else(|| StoreError::Backend(format!("unexpected {what} `{value}` in database")))
}

/// Converts every row, failing on the first that does not convert.
pub(crate) fn convert_all<R, T>(rows: Vec<R>) -> StoreResult<Vec<T>>
where
    T: TryFrom<R, Error = StoreError>,
{
    rows.into_iter().map(T::try_from).collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: i64,
    nickname: String,
    phone_number: Option<String>,
    email: Option<String>,
    gender: Option<String>,
    birth_date: Option<NaiveDate>,
    region: Option<String>,
    created_at: DateTime<Utc>,
}

impl TryFrom<AccountRow> for Account {
    type Error = StoreError;

    fn try_from(r: AccountRow) -> StoreResult<Account> {
        let phone_number = r
            .phone_number
            .map(|p| parse("phone number", &p, |s| PhoneNumber::parse(s).ok()))
            .transpose()?;
        let gender = r
            .gender
            .map(|g| parse("gender", &g, Gender::parse))
            .transpose()?;
        Ok(Account {
            id: r.id,
            nickname: r.nickname,
            phone_number,
            email: r.email,
            gender,
            birth_date: r.birth_date,
            region: r.region,
            created_at: r.created_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AppRow {
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct AppKeyRow {
    pub(crate) app_id: i64,
    key: String,
    kind: String,
    is_primary: bool,
    created_at: DateTime<Utc>,
}

impl TryFrom<AppKeyRow> for AppKey {
    type Error = StoreError;

    fn try_from(r: AppKeyRow) -> StoreResult<AppKey> {
        Ok(AppKey {
            kind: parse("key kind", &r.kind, KeyKind::parse)?,
            key: r.key,
            primary: r.is_primary,
            created_at: r.created_at,
        })
    }
}

/// Orders keys as `App.keys` promises: by kind in `KeyKind::ALL` order, then age, then key.
pub(crate) fn sort_keys(keys: &mut [AppKey]) {
    let rank = |kind: KeyKind| KeyKind::ALL.iter().position(|k| *k == kind);
    keys.sort_by(|a, b| {
        (rank(a.kind), a.created_at, &a.key).cmp(&(rank(b.kind), b.created_at, &b.key))
    });
}

#[derive(sqlx::FromRow)]
pub(crate) struct ChannelRow {
    id: i64,
    public_id: String,
    search_id: String,
    name: String,
    status: String,
    time_zone: String,
    created_at: DateTime<Utc>,
}

impl TryFrom<ChannelRow> for Channel {
    type Error = StoreError;

    fn try_from(r: ChannelRow) -> StoreResult<Channel> {
        let public_id = parse("public id", &r.public_id, |s| {
            ChannelPublicId::parse(s).ok()
        })?;
        let search_id = parse("search id", &r.search_id, |s| SearchId::parse(s).ok())?;
        Ok(Channel {
            id: r.id,
            public_id,
            search_id,
            name: r.name,
            status: parse("channel status", &r.status, ChannelStatus::parse)?,
            time_zone: parse("channel time zone", &r.time_zone, |z| {
                TimeZone::parse(z).ok()
            })?,
            created_at: r.created_at,
        })
    }
}

/// Scopes are stored sorted and space-separated (a `BTreeSet` iterates sorted).
pub(crate) fn scopes_to_text(scopes: &BTreeSet<String>) -> String {
    scopes
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(sqlx::FromRow)]
pub(crate) struct AppUserRow {
    app_id: i64,
    user_id: i64,
    account_id: i64,
    scopes: String,
    linked_at: DateTime<Utc>,
}

impl From<AppUserRow> for AppUser {
    fn from(r: AppUserRow) -> AppUser {
        AppUser {
            app_id: r.app_id,
            account_id: r.account_id,
            user_id: r.user_id,
            scopes: r.scopes.split_whitespace().map(str::to_owned).collect(),
            linked_at: r.linked_at,
        }
    }
}

/// A token joined with its app user; both halves read the shared `app_id`, `user_id`.
#[derive(sqlx::FromRow)]
pub(crate) struct TokenUserRow {
    app_id: i64,
    user_id: i64,
    access_hash: String,
    access_expires_at: DateTime<Utc>,
    refresh_hash: String,
    refresh_expires_at: DateTime<Utc>,
    issued_at: DateTime<Utc>,
    account_id: i64,
    scopes: String,
    linked_at: DateTime<Utc>,
}

impl From<TokenUserRow> for (TokenRecord, AppUser) {
    fn from(r: TokenUserRow) -> Self {
        let user = AppUserRow {
            app_id: r.app_id,
            user_id: r.user_id,
            account_id: r.account_id,
            scopes: r.scopes,
            linked_at: r.linked_at,
        };
        let token = TokenRecord {
            app_id: r.app_id,
            user_id: r.user_id,
            access_hash: r.access_hash,
            access_expires_at: r.access_expires_at,
            refresh_hash: r.refresh_hash,
            refresh_expires_at: r.refresh_expires_at,
            issued_at: r.issued_at,
        };
        (token, user.into())
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct FriendshipRow {
    channel_id: i64,
    account_id: i64,
    relation: String,
    first_added_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<FriendshipRow> for Friendship {
    type Error = StoreError;

    fn try_from(r: FriendshipRow) -> StoreResult<Friendship> {
        Ok(Friendship {
            channel_id: r.channel_id,
            account_id: r.account_id,
            relation: parse("relation", &r.relation, Relation::parse)?,
            first_added_at: r.first_added_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct LogRow {
    seq: i64,
    channel_id: i64,
    account_id: i64,
    action: String,
    from_relation: String,
    to_relation: String,
    source: String,
    at: DateTime<Utc>,
}

impl TryFrom<LogRow> for FriendshipLogEntry {
    type Error = StoreError;

    fn try_from(r: LogRow) -> StoreResult<FriendshipLogEntry> {
        Ok(FriendshipLogEntry {
            seq: r.seq,
            channel_id: r.channel_id,
            account_id: r.account_id,
            action: parse("friend action", &r.action, FriendAction::parse)?,
            from: parse("relation", &r.from_relation, Relation::parse)?,
            to: parse("relation", &r.to_relation, Relation::parse)?,
            source: parse("change source", &r.source, ChangeSource::parse)?,
            at: r.at,
        })
    }
}

/// The keyset bound for a page: every id is greater than `i64::MIN`, so no cursor means all.
pub(crate) fn after(page: PageRequest) -> i64 {
    page.after.unwrap_or(i64::MIN)
}
