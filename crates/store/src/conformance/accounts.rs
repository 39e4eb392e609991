use super::fixtures::*;
use crate::{NewAppUser, Store};
use chrono::{DateTime, Utc};
use talkchannel_domain::{
    ChangeSource, ChannelStatus, FriendAction, Gender, NewAccount, NewApp, NewChannel, PageRequest,
    PhoneNumber, Relation, SearchId, TokenRecord,
};

/// Accounts round-trip every field, optional ones both `Some` and `None`; unknown ids
/// read as `None`.
pub async fn account_fields_round_trip(store: &dyn Store) {
    assert_eq!(
        store.account(UNKNOWN_ID).await.expect("account"),
        None,
        "unknown account"
    );

    for (label, new) in [
        ("all fields set", full_account_input()),
        ("no optional field", bare_account_input()),
    ] {
        let at = t(7);
        let inserted = store
            .insert_account(&new, at)
            .await
            .expect("insert_account");
        assert_eq!(
            inserted,
            expected_account(inserted.id, &new, at),
            "insert_account returns the account ({label})"
        );
        let read = store.account(inserted.id).await.expect("account");
        assert_eq!(
            read,
            Some(inserted),
            "account reads back what was inserted ({label})"
        );
    }

    let male = NewAccount {
        gender: Some(Gender::Male),
        ..bare_account_input()
    };
    let inserted = store
        .insert_account(&male, t0())
        .await
        .expect("insert_account");
    assert_eq!(
        store
            .account(inserted.id)
            .await
            .expect("account")
            .and_then(|a| a.gender),
        Some(Gender::Male)
    );
}

/// `accounts` is keyset-paginated by id.
pub async fn accounts_are_keyset_paginated(store: &dyn Store) {
    let empty = store
        .accounts(PageRequest::first(PageRequest::DEFAULT_LIMIT))
        .await
        .expect("accounts");
    assert!(
        empty.items.is_empty() && empty.next_cursor.is_none(),
        "fresh store has no accounts: {empty:?}"
    );
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(new_account(store).await.id);
    }
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "ids grow with insertion: {ids:?}"
    );
    check_keyset("accounts", &ids, |p| store.accounts(p), |a| a.id).await;
}

/// Timestamps (and birth dates) far from now read back exactly, to the millisecond, in UTC,
/// on every entity that keeps one.
pub async fn timestamps_round_trip_exactly(store: &dyn Store) {
    let times: Vec<DateTime<Utc>> = vec![
        utc(1900, 1, 1, 0, 0, 0, 1),
        utc(1969, 12, 31, 23, 59, 59, 999),
        utc(1970, 1, 1, 0, 0, 0, 0),
        t0(),
        utc(2038, 1, 19, 3, 14, 8, 1),
        utc(2999, 12, 31, 23, 59, 59, 999),
        utc(9999, 12, 31, 23, 59, 59, 999),
    ];
    let births = [
        date(1900, 1, 1),
        date(1969, 12, 31),
        date(2024, 2, 29),
        date(9999, 12, 31),
    ];
    for (i, &at) in times.iter().enumerate() {
        let new = NewAccount {
            birth_date: Some(births[i % births.len()]),
            ..full_account_input()
        };
        let account = store
            .insert_account(&new, at)
            .await
            .expect("insert_account");
        let read = store
            .account(account.id)
            .await
            .expect("account")
            .expect("account exists");
        assert_eq!(read.created_at, at, "account.created_at");
        assert_eq!(read.birth_date, new.birth_date, "account.birth_date");

        let mut app_new = app_input(at);
        app_new.keys[0].created_at = times[times.len() - 1 - i];
        let app = store.insert_app(&app_new, at).await.expect("insert_app");
        let read = store.app(app.id).await.expect("app").expect("app exists");
        assert_eq!(read.created_at, at, "app.created_at");
        assert_eq!(ordered_keys(&app_new.keys), read.keys, "app key created_at");

        let channel = store
            .insert_channel(&channel_input(), at)
            .await
            .expect("insert_channel");
        let read = store
            .channel(channel.id)
            .await
            .expect("channel")
            .expect("channel exists");
        assert_eq!(read.created_at, at, "channel.created_at");

        let user = NewAppUser {
            linked_at: at,
            ..app_user_input(app.id, account.id, 1000 + i as i64)
        };
        store.insert_app_user(&user).await.expect("insert_app_user");
        let read = store
            .app_user(app.id, user.user_id)
            .await
            .expect("app_user")
            .expect("app user exists");
        assert_eq!(read.linked_at, at, "app_user.linked_at");

        let token = TokenRecord {
            app_id: app.id,
            user_id: user.user_id,
            access_hash: format!("access-{}", unique_key()),
            access_expires_at: at,
            refresh_hash: format!("refresh-{}", unique_key()),
            refresh_expires_at: times[times.len() - 1 - i],
            issued_at: at,
        };
        store.insert_token(&token).await.expect("insert_token");
        let (read, _) = store
            .token_by_access_hash(&token.access_hash)
            .await
            .expect("token")
            .expect("token exists");
        assert_eq!(read, token, "token times");

        let outcome = apply(store, channel.id, account.id, FriendAction::Add, at).await;
        let row = outcome.friendship.expect("row after add");
        assert_eq!(
            (row.first_added_at, row.updated_at),
            (Some(at), at),
            "friendship times (returned)"
        );
        let read = store
            .friendship(channel.id, account.id)
            .await
            .expect("friendship")
            .expect("row");
        assert_eq!(
            (read.first_added_at, read.updated_at),
            (Some(at), at),
            "friendship times (read)"
        );
        assert_eq!(outcome.logged.expect("logged").at, at, "log entry time");
    }
}

/// Korean (and other non-ASCII) text round-trips in every free-text field, and lookups by
/// non-ASCII values find their row.
pub async fn unicode_round_trips(store: &dyn Store) {
    let new = NewAccount {
        nickname: "홍길동 🍊".to_owned(),
        region: Some("부산광역시 해운대구".to_owned()),
        phone_number: Some(PhoneNumber::parse("+82 10-9876-5432").expect("phone")),
        ..full_account_input()
    };
    let account = store
        .insert_account(&new, t0())
        .await
        .expect("insert_account");
    assert_eq!(
        store.account(account.id).await.expect("account"),
        Some(expected_account(account.id, &new, t0()))
    );

    let app_new = NewApp {
        name: "카카오 테스트 앱 ☕".to_owned(),
        ..app_input(t0())
    };
    let app = store.insert_app(&app_new, t0()).await.expect("insert_app");
    assert_eq!(
        store.app(app.id).await.expect("app").map(|a| a.name),
        Some(app_new.name)
    );

    let channel_new = NewChannel {
        name: "동네 커피숍 ☕".to_owned(),
        search_id: SearchId::parse("@동네커피_라떼.1").expect("search id"),
        status: ChannelStatus::Active,
        ..channel_input()
    };
    let channel = store
        .insert_channel(&channel_new, t0())
        .await
        .expect("insert_channel");
    let expected = expected_channel(channel.id, &channel_new, t0());
    assert_eq!(
        store.channel(channel.id).await.expect("channel"),
        Some(expected.clone())
    );
    assert_eq!(
        store
            .channel_by_public_id(&channel_new.public_id)
            .await
            .expect("by public id"),
        Some(expected)
    );

    store
        .put_setting("인사말", "안녕하세요 👋")
        .await
        .expect("put_setting");
    assert_eq!(
        store.setting("인사말").await.expect("setting").as_deref(),
        Some("안녕하세요 👋")
    );

    let change = crate::FriendshipChange {
        channel_id: channel.id,
        account_id: account.id,
        action: FriendAction::Add,
        source: ChangeSource::ChannelPage,
        at: t0(),
    };
    let outcome = store.apply_friendship_change(&change).await.expect("apply");
    assert_eq!(
        outcome.friendship.map(|f| f.relation),
        Some(Relation::Added)
    );
}
