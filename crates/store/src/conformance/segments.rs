use super::fixtures::*;
use crate::{FieldValue, FileRowInput, FriendRecord, Profile, RowRecord, Store, SINCE_THE_START};
use serde_json::json;
use talkchannel_domain::friend_group::GroupDraft;
use talkchannel_domain::{
    Clash, Entity, FieldType, FileId, FileSchema, FileUserKey, FriendAction, Gender,
    NewCustomerFile,
};

fn draft(name: &str) -> GroupDraft {
    GroupDraft {
        name: name.to_owned(),
        tree: json!({"profile": "gender", "op": "in", "value": ["female"]}),
    }
}

/// Groups round-trip, list by id with keyset paging, update, delete; names are unique
/// per channel; an unknown channel is named.
pub async fn friend_groups_round_trip(store: &dyn Store) {
    let channel = new_channel(store).await;
    let first = store
        .insert_friend_group(channel.id, &draft("여성"), t0())
        .await
        .expect("insert_friend_group");
    assert_eq!(
        store.friend_group(first.id).await.expect("read"),
        Some(first.clone())
    );
    assert_conflict(
        store
            .insert_friend_group(channel.id, &draft("여성"), t(1))
            .await,
        Clash::GroupNameTaken,
        "same name twice",
    );
    let other = new_channel(store).await;
    store
        .insert_friend_group(other.id, &draft("여성"), t(1))
        .await
        .expect("same name on another channel");
    let mut ids = vec![first.id];
    for i in 0..3 {
        let g = store
            .insert_friend_group(channel.id, &draft(&format!("g{i}")), t(2))
            .await
            .expect("insert");
        ids.push(g.id);
    }
    check_keyset(
        "friend_groups",
        &ids,
        |page| store.friend_groups(channel.id, page),
        |g| g.id,
    )
    .await;

    let mut changed = draft("바뀐 이름");
    changed.tree = json!({"profile": "age", "op": "gte", "value": 20});
    let updated = store
        .update_friend_group(first.id, &changed, t(3))
        .await
        .expect("update")
        .expect("the group exists");
    assert_eq!(
        (updated.name.as_str(), &updated.tree),
        ("바뀐 이름", &changed.tree)
    );
    assert_eq!((updated.created_at, updated.updated_at), (t0(), t(3)));
    assert_conflict(
        store
            .update_friend_group(first.id, &draft("g0"), t(4))
            .await,
        Clash::GroupNameTaken,
        "renaming onto a taken name",
    );
    assert_eq!(
        store
            .update_friend_group(UNKNOWN_ID, &changed, t(4))
            .await
            .expect("update"),
        None
    );
    assert!(store.delete_friend_group(first.id).await.expect("delete"));
    assert!(!store
        .delete_friend_group(first.id)
        .await
        .expect("delete again"));
    assert_eq!(store.friend_group(first.id).await.expect("read"), None);
    assert_not_found(
        store
            .insert_friend_group(UNKNOWN_ID, &draft("x"), t0())
            .await,
        Entity::Channel,
        "unknown channel",
    );
}

async fn friends_since(store: &dyn Store, channel: i64, since: i64) -> Vec<FriendRecord> {
    let mut out = Vec::new();
    store
        .friend_records(channel, since, &mut |r| out.push(r))
        .await
        .expect("friend_records");
    out.sort_by_key(|r| r.account_id);
    out
}

/// Friendship changes bump the channel's version and are read back above the version
/// before them, with the account's profile; no-ops change nothing.
pub async fn segment_version_follows_friendship_changes(store: &dyn Store) {
    let channel = new_channel(store).await;
    let other = new_channel(store).await;
    assert_eq!(store.segment_version(channel.id).await.expect("version"), 0);
    let full = store
        .insert_account(&full_account_input(), t0())
        .await
        .expect("insert_account");
    let bare = new_account(store).await;
    apply(store, channel.id, full.id, FriendAction::Add, t(1)).await;
    let v1 = store.segment_version(channel.id).await.expect("version");
    assert!(v1 > 0);
    apply(store, channel.id, bare.id, FriendAction::Add, t(2)).await;
    apply(store, channel.id, bare.id, FriendAction::Add, t(3)).await; // a no-op
    apply(store, channel.id, bare.id, FriendAction::Block, t(4)).await;
    let v3 = store.segment_version(channel.id).await.expect("version");
    assert_eq!(v3, v1 + 2, "one bump per change, none for the no-op");
    assert_eq!(store.segment_version(other.id).await.expect("version"), 0);

    let all = friends_since(store, channel.id, SINCE_THE_START).await;
    let full_profile = Profile {
        gender: Some(Gender::Female),
        birth_date: Some(date(1990, 2, 28)),
        region: Some("서울특별시 강남구".into()),
    };
    assert_eq!(
        all,
        vec![
            FriendRecord {
                account_id: full.id,
                added: true,
                profile: full_profile
            },
            FriendRecord {
                account_id: bare.id,
                added: false,
                profile: Profile::default()
            },
        ]
    );
    let tail = friends_since(store, channel.id, v1).await;
    assert_eq!(
        tail.iter().map(|r| r.account_id).collect::<Vec<_>>(),
        vec![bare.id]
    );
    assert!(friends_since(store, channel.id, v3).await.is_empty());
    assert_eq!(
        store
            .profiles(&[bare.id, full.id, UNKNOWN_ID])
            .await
            .expect("profiles")
            .len(),
        2
    );
}

fn fields() -> Vec<(String, FieldType)> {
    vec![
        ("age".into(), FieldType::Number),
        ("지역".into(), FieldType::String),
    ]
}

async fn rows_since(store: &dyn Store, file: FileId, since: i64) -> Vec<RowRecord> {
    let mut out = Vec::new();
    store
        .row_records(file, &fields(), since, &mut |r| out.push(r))
        .await
        .expect("row_records");
    out
}

fn record(account_id: i64, age: Option<f64>, region: Option<&str>) -> RowRecord {
    RowRecord {
        account_id,
        values: vec![
            age.map(FieldValue::Number),
            region.map(|r| FieldValue::Text(r.into())),
        ],
    }
}

/// File rows naming accounts stream with their values in write order; deletes and
/// re-resolved keys leave tombstones; deleting the file bumps the version.
pub async fn segment_rows_stream_with_tombstones(store: &dyn Store) {
    let app = new_app(store).await;
    let channel = new_channel(store).await;
    let schema = FileSchema::parse([("age", "number"), ("지역", "string")]).expect("schema");
    let file = store
        .insert_customer_file(
            &NewCustomerFile {
                app_id: app.id,
                channel_id: channel.id,
                name: "f".into(),
                schema,
            },
            t0(),
        )
        .await
        .expect("insert_customer_file");
    let (a, b) = (new_account(store).await, new_account(store).await);
    link(store, app.id, a.id, 1).await;
    link(store, app.id, b.id, 2).await;
    let put = |key: i64, fields: &str| FileRowInput {
        key: FileUserKey::App(key),
        fields: fields.to_owned(),
    };
    store
        .put_file_rows(
            file.id,
            &[
                put(1, r#"{"age":31,"지역":"부산"}"#),
                put(2, r#"{"age":2.5}"#),
                put(3, "{}"),
            ],
            3,
            t(1),
        )
        .await
        .expect("put");
    let v1 = store.segment_version(channel.id).await.expect("version");
    assert_eq!(
        rows_since(store, file.id, SINCE_THE_START).await,
        vec![
            record(a.id, Some(31.0), Some("부산")),
            record(b.id, Some(2.5), None)
        ],
        "rows without an account are left out"
    );
    store
        .put_file_rows(file.id, &[put(2, r#"{"지역":"서울"}"#)], 1, t(2))
        .await
        .expect("second put");
    assert_eq!(
        rows_since(store, file.id, v1).await,
        vec![record(b.id, None, Some("서울"))]
    );
    let v2 = store.segment_version(channel.id).await.expect("version");
    assert!(v2 > v1);
    assert!(store
        .row_tombstones(channel.id, v1)
        .await
        .expect("tombstones")
        .is_empty());

    store
        .delete_file_rows(file.id, &[FileUserKey::App(1), FileUserKey::App(3)], t(3))
        .await
        .expect("delete");
    assert_eq!(
        store
            .row_tombstones(channel.id, v2)
            .await
            .expect("tombstones"),
        vec![(file.id, a.id)]
    );
    let latest = store
        .account_rows(file.id, &fields(), &[a.id, b.id])
        .await
        .expect("account_rows");
    assert_eq!(latest, vec![record(b.id, None, Some("서울"))]);

    let v3 = store.segment_version(channel.id).await.expect("version");
    assert!(store
        .delete_customer_file(file.id)
        .await
        .expect("delete file"));
    assert!(store.segment_version(channel.id).await.expect("version") > v3);
}
