//! Rows as SQLite returns them, and their conversion to domain types.
//!
//! A value the domain cannot parse means the file was edited by hand or by a newer
//! version; it surfaces as `Backend` rather than a panic.

use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeSet;
use talkchannel_domain::{
    Account, App, AppKey, AppUser, ChangeSource, Channel, ChannelPublicId, ChannelStatus,
    FriendAction, Friendship, FriendshipLogEntry, Gender, KeyKind, PageRequest, PhoneNumber,
    Relation, SearchId, TimeZone, TokenRecord,
};
use talkchannel_store::{StoreError, StoreResult};

const DATE_FORMAT: &str = "%Y-%m-%d";

pub(crate) fn to_ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_ms(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms).ok_or_else(|| unreadable("timestamp", &ms.to_string()))
}

/// The time as it will read back: the column keeps whole milliseconds.
pub(crate) fn stored(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(to_ms(t)).unwrap_or(t)
}

fn opt_from_ms(ms: Option<i64>) -> StoreResult<Option<DateTime<Utc>>> {
    ms.map(from_ms).transpose()
}

pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format(DATE_FORMAT).to_string()
}

/// Keyset cursor: the id to start after (every id is greater than `i64::MIN`).
pub(crate) fn cursor(page: PageRequest) -> i64 {
    page.after.unwrap_or(i64::MIN)
}

pub(crate) fn scopes_text(scopes: &BTreeSet<String>) -> String {
    // BTreeSet iterates in order, so the stored text is already sorted.
    scopes
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

fn unreadable(what: &str, value: &str) -> StoreError {
    StoreError::Backend(format!("unreadable {what} in database: `{value}`"))
}

fn parse<T>(what: &str, value: &str, parse: impl Fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(value).ok_or_else(|| unreadable(what, value))
}

pub(crate) fn relation(s: &str) -> StoreResult<Relation> {
    parse("relation", s, Relation::parse)
}

pub(crate) fn key_kind(s: &str) -> StoreResult<KeyKind> {
    parse("key kind", s, KeyKind::parse)
}

#[derive(sqlx::FromRow)]
pub(crate) struct AccountRow {
    id: i64,
    nickname: String,
    phone_number: Option<String>,
    email: Option<String>,
    gender: Option<String>,
    birth_date: Option<String>,
    region: Option<String>,
    created_at: i64,
}

impl AccountRow {
    pub(crate) fn into_domain(self) -> StoreResult<Account> {
        let phone_number = self.phone_number.as_deref().map(parse_phone).transpose()?;
        let gender = self
            .gender
            .as_deref()
            .map(|g| parse("gender", g, Gender::parse));
        let birth_date = self.birth_date.as_deref().map(parse_date).transpose()?;
        Ok(Account {
            id: self.id,
            nickname: self.nickname,
            phone_number,
            email: self.email,
            gender: gender.transpose()?,
            birth_date,
            region: self.region,
            created_at: from_ms(self.created_at)?,
        })
    }
}

fn parse_phone(s: &str) -> StoreResult<PhoneNumber> {
    PhoneNumber::parse(s).map_err(|_| unreadable("phone number", s))
}

fn parse_date(s: &str) -> StoreResult<NaiveDate> {
    NaiveDate::parse_from_str(s, DATE_FORMAT).map_err(|_| unreadable("date", s))
}

/// An app joined with one of its keys (key columns are NULL for an app without keys).
#[derive(sqlx::FromRow)]
pub(crate) struct AppKeyRow {
    app_id: i64,
    app_name: String,
    app_created_at: i64,
    key: Option<String>,
    kind: Option<String>,
    is_primary: Option<bool>,
    key_created_at: Option<i64>,
}

impl AppKeyRow {
    fn app(&self) -> StoreResult<App> {
        Ok(App {
            id: self.app_id,
            name: self.app_name.clone(),
            created_at: from_ms(self.app_created_at)?,
            keys: Vec::new(),
        })
    }

    fn key(self) -> StoreResult<Option<AppKey>> {
        let (Some(key), Some(kind), Some(primary), Some(created_at)) =
            (self.key, self.kind, self.is_primary, self.key_created_at)
        else {
            return Ok(None);
        };
        let kind = key_kind(&kind)?;
        Ok(Some(AppKey {
            kind,
            key,
            primary,
            created_at: from_ms(created_at)?,
        }))
    }
}

/// Folds app-key rows ordered by app id into apps with their keys in contract order.
pub(crate) fn group_apps(rows: Vec<AppKeyRow>) -> StoreResult<Vec<App>> {
    let mut apps: Vec<App> = Vec::new();
    for row in rows {
        if apps.last().is_none_or(|a| a.id != row.app_id) {
            apps.push(row.app()?);
        }
        if let (Some(key), Some(app)) = (row.key()?, apps.last_mut()) {
            app.keys.push(key);
        }
    }
    apps.iter_mut().for_each(|app| sort_keys(&mut app.keys));
    Ok(apps)
}

/// Keys by kind (in `KeyKind::ALL` order), then age, then the key itself.
pub(crate) fn sort_keys(keys: &mut [AppKey]) {
    let rank = |k: KeyKind| KeyKind::ALL.iter().position(|&x| x == k);
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
    created_at: i64,
}

impl ChannelRow {
    pub(crate) fn into_domain(self) -> StoreResult<Channel> {
        Ok(Channel {
            id: self.id,
            public_id: ChannelPublicId::parse(&self.public_id)
                .map_err(|_| unreadable("channel public id", &self.public_id))?,
            search_id: SearchId::parse(&self.search_id)
                .map_err(|_| unreadable("search id", &self.search_id))?,
            name: self.name,
            status: parse("channel status", &self.status, ChannelStatus::parse)?,
            time_zone: parse("channel time zone", &self.time_zone, |z| {
                TimeZone::parse(z).ok()
            })?,
            created_at: from_ms(self.created_at)?,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AppUserRow {
    app_id: i64,
    user_id: i64,
    account_id: i64,
    scopes: String,
    linked_at: i64,
}

impl AppUserRow {
    pub(crate) fn into_domain(self) -> StoreResult<AppUser> {
        Ok(AppUser {
            app_id: self.app_id,
            account_id: self.account_id,
            user_id: self.user_id,
            scopes: self.scopes.split_whitespace().map(str::to_owned).collect(),
            linked_at: from_ms(self.linked_at)?,
        })
    }
}

/// A token joined with the app user it was issued to.
#[derive(sqlx::FromRow)]
pub(crate) struct TokenUserRow {
    access_hash: String,
    access_expires_at: i64,
    refresh_hash: String,
    refresh_expires_at: i64,
    issued_at: i64,
    #[sqlx(flatten)]
    user: AppUserRow,
}

impl TokenUserRow {
    pub(crate) fn into_domain(self) -> StoreResult<(TokenRecord, AppUser)> {
        let token = TokenRecord {
            app_id: self.user.app_id,
            user_id: self.user.user_id,
            access_hash: self.access_hash,
            access_expires_at: from_ms(self.access_expires_at)?,
            refresh_hash: self.refresh_hash,
            refresh_expires_at: from_ms(self.refresh_expires_at)?,
            issued_at: from_ms(self.issued_at)?,
        };
        Ok((token, self.user.into_domain()?))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct FriendshipRow {
    channel_id: i64,
    account_id: i64,
    relation: String,
    first_added_at: Option<i64>,
    updated_at: i64,
}

impl FriendshipRow {
    pub(crate) fn into_domain(self) -> StoreResult<Friendship> {
        Ok(Friendship {
            channel_id: self.channel_id,
            account_id: self.account_id,
            relation: relation(&self.relation)?,
            first_added_at: opt_from_ms(self.first_added_at)?,
            updated_at: from_ms(self.updated_at)?,
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
    at: i64,
}

impl LogRow {
    pub(crate) fn into_domain(self) -> StoreResult<FriendshipLogEntry> {
        Ok(FriendshipLogEntry {
            seq: self.seq,
            channel_id: self.channel_id,
            account_id: self.account_id,
            action: parse("friend action", &self.action, FriendAction::parse)?,
            from: relation(&self.from_relation)?,
            to: relation(&self.to_relation)?,
            source: parse("change source", &self.source, ChangeSource::parse)?,
            at: from_ms(self.at)?,
        })
    }
}

/// Converts every row, failing on the first unreadable one.
pub(crate) fn all<R, T>(rows: Vec<R>, f: impl Fn(R) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.into_iter().map(f).collect()
}
