//! Fixtures and assertions shared by the cases: fixed times, unique keys and ids, and
//! checks that name what they expected when they fail.

use crate::{FriendshipChange, FriendshipOutcome, NewAppUser, Store, StoreError, StoreResult};
use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use std::collections::BTreeSet;
use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use talkchannel_domain::{
    Account, AccountId, App, AppId, AppKey, AppUser, ChangeSource, Channel, ChannelId,
    ChannelPublicId, ChannelStatus, Clash, Entity, FriendAction, Gender, KeyKind, NewAccount,
    NewApp, NewChannel, Page, PageRequest, PhoneNumber, SearchId, UserId,
};

/// An id no fixture ever creates (small enough for a 32-bit column, too).
pub const UNKNOWN_ID: i64 = 987_654_321;

/// A future as `async_trait` methods return them.
pub type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = StoreResult<T>> + Send + 'a>>;

static COUNTER: AtomicU64 = AtomicU64::new(1);

/// A number no other call in this process returns.
pub fn unique() -> u64 {
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// A UTC time with millisecond precision.
pub fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid time")
        + Duration::milliseconds(ms)
}

/// The suite's "now": a fixed time with a millisecond part, as a `ManualClock` keeps it.
pub fn t0() -> DateTime<Utc> {
    utc(2026, 3, 1, 9, 30, 15, 123)
}

/// `t0` moved by `ms` milliseconds.
pub fn t(ms: i64) -> DateTime<Utc> {
    t0() + Duration::milliseconds(ms)
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A fresh 32-character lower-case hex key.
pub fn unique_key() -> String {
    format!("{:08x}{:024x}", std::process::id(), unique())
}

/// A key of `kind`, fresh.
pub fn key(kind: KeyKind, primary: bool, created_at: DateTime<Utc>) -> AppKey {
    AppKey {
        kind,
        key: unique_key(),
        primary,
        created_at,
    }
}

/// An account with every optional field set (Korean nickname and region).
pub fn full_account_input() -> NewAccount {
    let n = unique();
    NewAccount {
        nickname: format!("김민지 {n}"),
        phone_number: Some(
            PhoneNumber::parse(&format!("010{:08}", n % 100_000_000)).expect("valid phone"),
        ),
        email: Some(format!("minji{n}@example.com")),
        gender: Some(Gender::Female),
        birth_date: Some(date(1990, 2, 28)),
        region: Some("서울특별시 강남구".to_owned()),
    }
}

/// An account with no optional field set.
pub fn bare_account_input() -> NewAccount {
    NewAccount {
        nickname: format!("사용자 {}", unique()),
        phone_number: None,
        email: None,
        gender: None,
        birth_date: None,
        region: None,
    }
}

/// What an inserted account must read back as.
pub fn expected_account(id: AccountId, new: &NewAccount, at: DateTime<Utc>) -> Account {
    Account {
        id,
        nickname: new.nickname.clone(),
        phone_number: new.phone_number.clone(),
        email: new.email.clone(),
        gender: new.gender,
        birth_date: new.birth_date,
        region: new.region.clone(),
        created_at: at,
    }
}

pub async fn new_account(store: &dyn Store) -> Account {
    store
        .insert_account(&bare_account_input(), t0())
        .await
        .expect("insert_account")
}

/// An app with one key of each kind (the admin key primary), all created at `at`.
pub fn app_input(at: DateTime<Utc>) -> NewApp {
    NewApp {
        name: format!("테스트 앱 {}", unique()),
        keys: KeyKind::ALL
            .iter()
            .map(|&k| key(k, k == KeyKind::Admin, at))
            .collect(),
    }
}

pub async fn new_app(store: &dyn Store) -> App {
    store
        .insert_app(&app_input(t0()), t0())
        .await
        .expect("insert_app")
}

/// Position of a kind in `KeyKind::ALL`.
pub fn kind_rank(kind: KeyKind) -> usize {
    KeyKind::ALL
        .iter()
        .position(|&k| k == kind)
        .expect("kind in ALL")
}

/// Keys in the contract's order: kind as in `KeyKind::ALL`, then created_at, then key.
pub fn ordered_keys(keys: &[AppKey]) -> Vec<AppKey> {
    let mut keys = keys.to_vec();
    keys.sort_by(|a, b| {
        (kind_rank(a.kind), a.created_at, &a.key).cmp(&(kind_rank(b.kind), b.created_at, &b.key))
    });
    keys
}

/// A channel with fresh ids (a Korean search id and name), active.
pub fn channel_input() -> NewChannel {
    let n = unique();
    NewChannel {
        public_id: ChannelPublicId::parse(&format!("_tc{:x}z{n}", std::process::id()))
            .expect("valid public id"),
        search_id: SearchId::parse(&format!("@채널_{n}")).expect("valid search id"),
        name: format!("카카오 채널 {n}"),
        status: ChannelStatus::Active,
        time_zone: Default::default(),
    }
}

pub fn expected_channel(id: ChannelId, new: &NewChannel, at: DateTime<Utc>) -> Channel {
    Channel {
        id,
        public_id: new.public_id.clone(),
        search_id: new.search_id.clone(),
        name: new.name.clone(),
        status: new.status,
        time_zone: new.time_zone,
        created_at: at,
    }
}

pub async fn new_channel(store: &dyn Store) -> Channel {
    store
        .insert_channel(&channel_input(), t0())
        .await
        .expect("insert_channel")
}

pub fn scopes(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

pub fn app_user_input(app: AppId, account: AccountId, user_id: UserId) -> NewAppUser {
    NewAppUser {
        app_id: app,
        account_id: account,
        user_id,
        scopes: scopes(&["plusfriends", "profile_nickname"]),
        linked_at: t0(),
    }
}

pub async fn link(store: &dyn Store, app: AppId, account: AccountId, user_id: UserId) -> AppUser {
    store
        .insert_app_user(&app_user_input(app, account, user_id))
        .await
        .expect("insert_app_user")
}

pub fn change(
    channel: ChannelId,
    account: AccountId,
    action: FriendAction,
    at: DateTime<Utc>,
) -> FriendshipChange {
    FriendshipChange {
        channel_id: channel,
        account_id: account,
        action,
        source: ChangeSource::ControlApi,
        at,
    }
}

pub async fn apply(
    store: &dyn Store,
    channel: ChannelId,
    account: AccountId,
    action: FriendAction,
    at: DateTime<Utc>,
) -> FriendshipOutcome {
    let c = change(channel, account, action, at);
    store
        .apply_friendship_change(&c)
        .await
        .unwrap_or_else(|e| panic!("apply_friendship_change({c:?}) failed: {e:?}"))
}

/// Fails unless `result` is `Conflict(clash)`.
#[track_caller]
pub fn assert_conflict<T: Debug>(result: StoreResult<T>, clash: Clash, doing: &str) {
    match result {
        Err(StoreError::Conflict(c)) if c == clash => {}
        other => panic!("{doing}: expected Err(Conflict({clash:?})), got {other:?}"),
    }
}

/// Fails unless `result` is `NotFound(what)`.
#[track_caller]
pub fn assert_not_found<T: Debug>(result: StoreResult<T>, what: Entity, doing: &str) {
    match result {
        Err(StoreError::NotFound(w)) if w == what => {}
        other => panic!("{doing}: expected Err(NotFound({what:?})), got {other:?}"),
    }
}

/// Reads every page at `limit` and checks the keyset contract against `expected`, the ids
/// of all rows in ascending order: each page holds the next `limit` ids, `next_cursor` is
/// the page's last id when more rows follow and `None` on the last page.
pub async fn check_keyset<'a, T: Debug>(
    what: &str,
    expected: &[i64],
    fetch: impl Fn(PageRequest) -> StoreFuture<'a, Page<T>>,
    id_of: impl Fn(&T) -> i64,
) {
    let limits = [
        1,
        2,
        3,
        expected.len(),
        expected.len() + 1,
        PageRequest::MAX_LIMIT as usize,
    ];
    for limit in limits.into_iter().filter(|&l| l > 0) {
        let limit = u32::try_from(limit).expect("small limit");
        let mut after = None;
        let mut rest = expected;
        loop {
            let req = PageRequest { after, limit };
            let page = fetch(req)
                .await
                .unwrap_or_else(|e| panic!("{what}({req:?}): {e:?}"));
            let got: Vec<i64> = page.items.iter().map(&id_of).collect();
            let take = rest.len().min(limit as usize);
            assert_eq!(got, rest[..take], "{what}({req:?}): wrong ids on the page");
            rest = &rest[take..];
            let cursor = if rest.is_empty() {
                None
            } else {
                got.last().copied()
            };
            assert_eq!(
                page.next_cursor, cursor,
                "{what}({req:?}): wrong next_cursor"
            );
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => break,
            }
        }
    }
    // Any id works as a cursor, including the last one (an empty page).
    for (i, &id) in expected.iter().enumerate() {
        let req = PageRequest {
            after: Some(id),
            limit: PageRequest::MAX_LIMIT,
        };
        let page = fetch(req)
            .await
            .unwrap_or_else(|e| panic!("{what}({req:?}): {e:?}"));
        let got: Vec<i64> = page.items.iter().map(&id_of).collect();
        assert_eq!(
            got,
            expected[i + 1..],
            "{what}({req:?}): wrong ids after a cursor"
        );
        assert_eq!(
            page.next_cursor, None,
            "{what}({req:?}): a last page has no cursor"
        );
    }
}
