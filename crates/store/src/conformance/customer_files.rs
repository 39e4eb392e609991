use super::fixtures::*;
use crate::{FileImport, FileRowInput, ImportError, ImportStatus, RowsWritten, Store};
use talkchannel_domain::customer_file::MAX_FILES_PER_CHANNEL;
use talkchannel_domain::{
    App, Channel, Clash, CustomerFile, Entity, FileId, FileSchema, FileUserKey, FriendAction,
    NewCustomerFile, PageRequest, PhoneNumber, UserType,
};

fn schema() -> FileSchema {
    FileSchema::parse([("age", "number"), ("지역", "string")]).expect("valid schema")
}

fn new_file(app: &App, channel: &Channel, name: &str) -> NewCustomerFile {
    NewCustomerFile {
        app_id: app.id,
        channel_id: channel.id,
        name: name.to_owned(),
        schema: schema(),
    }
}

async fn setup(store: &dyn Store) -> (App, Channel, CustomerFile) {
    let app = new_app(store).await;
    let channel = new_channel(store).await;
    let file = store
        .insert_customer_file(&new_file(&app, &channel, "고객리스트"), t0())
        .await
        .expect("insert_customer_file");
    (app, channel, file)
}

async fn file(store: &dyn Store, id: FileId) -> CustomerFile {
    store
        .customer_file(id)
        .await
        .expect("customer_file")
        .expect("the file exists")
}

fn row(key: FileUserKey, age: u32) -> FileRowInput {
    FileRowInput {
        key,
        fields: format!("{{\"age\":{age}}}"),
    }
}

fn phone(s: &str) -> FileUserKey {
    FileUserKey::Phone(PhoneNumber::parse(s).expect("valid phone"))
}

/// Counts as (attempted, registered, friends).
async fn counts(store: &dyn Store, id: FileId) -> (i64, i64, i64) {
    let f = file(store, id).await;
    (f.attempted, f.registered, f.friends)
}

/// A created file reads back whole, alone and among its channel's files.
pub async fn customer_file_round_trips(store: &dyn Store) {
    let (app, channel, created) = setup(store).await;
    assert_eq!(created.schema, schema());
    assert_eq!((created.created_at, created.updated_at), (t0(), t0()));
    assert_eq!(file(store, created.id).await, created);
    let second = store
        .insert_customer_file(&new_file(&app, &channel, "두번째"), t(5))
        .await
        .expect("second file");
    let listed = store
        .channel_customer_files(channel.id)
        .await
        .expect("channel_customer_files");
    assert_eq!(listed, vec![created, second]);
    assert_eq!(store.customer_file(UNKNOWN_ID).await.expect("lookup"), None);
}

/// Names are unique per channel; a channel holds at most 30 files; unknown refs are named.
pub async fn customer_file_names_and_slots_are_limited(store: &dyn Store) {
    let (app, channel, _) = setup(store).await;
    assert_conflict(
        store
            .insert_customer_file(&new_file(&app, &channel, "고객리스트"), t0())
            .await,
        Clash::FileNameTaken,
        "same name on one channel",
    );
    let other = new_channel(store).await;
    store
        .insert_customer_file(&new_file(&app, &other, "고객리스트"), t0())
        .await
        .expect("same name on another channel");
    for i in 1..MAX_FILES_PER_CHANNEL {
        store
            .insert_customer_file(&new_file(&app, &channel, &format!("f{i}")), t0())
            .await
            .expect("within the limit");
    }
    assert_conflict(
        store
            .insert_customer_file(&new_file(&app, &channel, "one too many"), t0())
            .await,
        Clash::FileSlotsFull,
        "31st file",
    );
    let mut missing = new_file(&app, &channel, "x");
    missing.channel_id = UNKNOWN_ID;
    assert_not_found(
        store.insert_customer_file(&missing, t0()).await,
        Entity::Channel,
        "unknown channel",
    );
}

/// Rows upsert by key, resolve accounts by app user id and phone, and move the counts.
pub async fn file_rows_upsert_and_resolve_accounts(store: &dyn Store) {
    let (app, _channel, f) = setup(store).await;
    let linked = new_account(store).await;
    link(store, app.id, linked.id, 7001).await;
    let with_phone = store
        .insert_account(&full_account_input(), t0())
        .await
        .expect("insert_account");
    let number = with_phone
        .phone_number
        .clone()
        .expect("fixture has a phone");
    let rows = vec![
        row(FileUserKey::App(7001), 20),
        row(FileUserKey::App(7002), 30),
        row(FileUserKey::Phone(number.clone()), 40),
    ];
    let written = store
        .put_file_rows(f.id, &rows, 4, t(1))
        .await
        .expect("put_file_rows");
    assert_eq!(
        written,
        RowsWritten {
            inserted: 3,
            replaced: 0
        }
    );
    assert_eq!(counts(store, f.id).await, (4, 3, 0));
    let again = vec![
        row(FileUserKey::App(7001), 21),
        row(phone("01099998888"), 50),
    ];
    let written = store
        .put_file_rows(f.id, &again, 2, t(2))
        .await
        .expect("second put");
    assert_eq!(
        written,
        RowsWritten {
            inserted: 1,
            replaced: 1
        }
    );
    assert_eq!(counts(store, f.id).await, (6, 4, 0));
    assert_eq!(file(store, f.id).await.updated_at, t(2));

    let page = store
        .file_rows(f.id, PageRequest::first(10))
        .await
        .expect("file_rows");
    let seen: Vec<_> = page
        .items
        .iter()
        .map(|r| (r.key.clone(), r.fields.as_str(), r.account_id))
        .collect();
    assert_eq!(
        seen,
        vec![
            (FileUserKey::App(7001), "{\"age\":21}", Some(linked.id)),
            (FileUserKey::App(7002), "{\"age\":30}", None),
            (
                FileUserKey::Phone(number),
                "{\"age\":40}",
                Some(with_phone.id)
            ),
            (phone("01099998888"), "{\"age\":50}", None),
        ]
    );
    assert_not_found(
        store.put_file_rows(UNKNOWN_ID, &again, 2, t(3)).await,
        Entity::CustomerFile,
        "unknown file",
    );
}

/// `friends` counts rows whose account has the channel ADDED, through adds, blocks,
/// row writes and row deletes.
pub async fn file_friends_follow_friendships_and_rows(store: &dyn Store) {
    let (app, channel, f) = setup(store).await;
    let (a, b) = (new_account(store).await, new_account(store).await);
    link(store, app.id, a.id, 1).await;
    link(store, app.id, b.id, 2).await;
    apply(store, channel.id, a.id, FriendAction::Add, t(1)).await;
    store
        .put_file_rows(
            f.id,
            &[row(FileUserKey::App(1), 1), row(FileUserKey::App(2), 2)],
            2,
            t(2),
        )
        .await
        .expect("put");
    assert_eq!(counts(store, f.id).await, (2, 2, 1), "a is a friend");
    apply(store, channel.id, b.id, FriendAction::Add, t(3)).await;
    assert_eq!(counts(store, f.id).await.2, 2, "b added");
    apply(store, channel.id, a.id, FriendAction::Block, t(4)).await;
    assert_eq!(counts(store, f.id).await.2, 1, "a blocked");
    apply(store, channel.id, a.id, FriendAction::Block, t(5)).await;
    assert_eq!(counts(store, f.id).await.2, 1, "a no-op changes nothing");
    let other = new_channel(store).await;
    apply(store, other.id, a.id, FriendAction::Add, t(6)).await;
    assert_eq!(
        counts(store, f.id).await.2,
        1,
        "another channel does not count"
    );
    let removed = store
        .delete_file_rows(f.id, &[FileUserKey::App(2), FileUserKey::App(99)], t(7))
        .await
        .expect("delete_file_rows");
    assert_eq!(removed, 1);
    assert_eq!(counts(store, f.id).await, (2, 1, 0), "b's row deleted");
    apply(store, channel.id, a.id, FriendAction::Unblock, t(8)).await;
    apply(store, channel.id, a.id, FriendAction::Add, t(9)).await;
    assert_eq!(counts(store, f.id).await.2, 1, "a added again");
}

/// Rows page by `seq`; deleting a file removes it with its rows.
pub async fn file_rows_page_and_file_deletes(store: &dyn Store) {
    let (_app, channel, f) = setup(store).await;
    let rows: Vec<_> = (1..=7).map(|i| row(FileUserKey::App(i), 1)).collect();
    store
        .put_file_rows(f.id, &rows, 7, t(1))
        .await
        .expect("put");
    let all = store
        .file_rows(f.id, PageRequest::first(PageRequest::MAX_LIMIT))
        .await
        .expect("file_rows");
    let ids: Vec<i64> = all.items.iter().map(|r| r.seq).collect();
    check_keyset(
        "file_rows",
        &ids,
        |page| store.file_rows(f.id, page),
        |r| r.seq,
    )
    .await;
    assert!(store.delete_customer_file(f.id).await.expect("delete"));
    assert!(!store
        .delete_customer_file(f.id)
        .await
        .expect("delete again"));
    assert_eq!(store.customer_file(f.id).await.expect("lookup"), None);
    assert_eq!(
        store
            .channel_customer_files(channel.id)
            .await
            .expect("list"),
        vec![]
    );
}

/// An import shows nothing until committed; a dropped import leaves the file untouched.
pub async fn row_import_is_all_or_nothing(store: &dyn Store) {
    let (_app, _channel, f) = setup(store).await;
    let mut import = store.begin_row_import(f.id).await.expect("begin");
    import
        .write(&[row(FileUserKey::App(1), 1)], t(1))
        .await
        .expect("write");
    drop(import);
    assert_eq!(counts(store, f.id).await, (0, 0, 0), "dropped import");
    let mut import = store.begin_row_import(f.id).await.expect("begin again");
    for chunk in [[1, 2], [3, 4]] {
        let rows: Vec<_> = chunk.iter().map(|&i| row(FileUserKey::App(i), 1)).collect();
        import.write(&rows, t(2)).await.expect("write");
    }
    import.commit(5, t(3)).await.expect("commit");
    assert_eq!(counts(store, f.id).await, (5, 4, 0), "committed import");
    assert!(store.begin_row_import(UNKNOWN_ID).await.is_err());
}

/// An import settles the counts at commit: rows it replaced are not counted twice, a
/// key repeated across writes keeps its last values, and re-resolved accounts count as
/// friends by their relation now.
pub async fn row_import_counts_replacements_and_friends(store: &dyn Store) {
    let (app, channel, f) = setup(store).await;
    let (a, b, c) = (
        new_account(store).await,
        new_account(store).await,
        new_account(store).await,
    );
    link(store, app.id, a.id, 1).await;
    link(store, app.id, b.id, 2).await;
    apply(store, channel.id, a.id, FriendAction::Add, t(1)).await;
    let first: Vec<_> = [1, 3, 9].map(|i| row(FileUserKey::App(i), 1)).into();
    store
        .put_file_rows(f.id, &first, 3, t(2))
        .await
        .expect("put");
    assert_eq!(counts(store, f.id).await, (3, 3, 1), "before the import");
    // App user 9 gets an account (a friend) after its row was written without one.
    link(store, app.id, c.id, 9).await;
    apply(store, channel.id, c.id, FriendAction::Add, t(3)).await;
    assert_eq!(counts(store, f.id).await.2, 1, "row 9 still has no account");

    let mut import = store.begin_row_import(f.id).await.expect("begin");
    for (chunk, age) in [([1, 2, 4], 2), ([2, 5, 9], 3)] {
        let rows: Vec<_> = chunk.map(|i| row(FileUserKey::App(i), age)).into();
        import.write(&rows, t(4)).await.expect("write");
    }
    import.commit(6, t(5)).await.expect("commit");
    assert_eq!(counts(store, f.id).await, (9, 6, 2), "a's and c's rows");
    let rows = store
        .file_rows(f.id, PageRequest::first(10))
        .await
        .expect("file_rows");
    let seen: Vec<_> = rows
        .items
        .iter()
        .map(|r| (r.key.clone(), r.fields.as_str(), r.account_id))
        .collect();
    assert_eq!(
        seen,
        vec![
            (FileUserKey::App(1), "{\"age\":2}", Some(a.id)),
            (FileUserKey::App(3), "{\"age\":1}", None),
            (FileUserKey::App(9), "{\"age\":3}", Some(c.id)),
            (FileUserKey::App(2), "{\"age\":3}", Some(b.id)),
            (FileUserKey::App(4), "{\"age\":2}", None),
            (FileUserKey::App(5), "{\"age\":3}", None),
        ]
    );
    assert_eq!(file(store, f.id).await.updated_at, t(5));
    apply(store, channel.id, b.id, FriendAction::Add, t(6)).await;
    assert_eq!(counts(store, f.id).await.2, 3, "b added after the import");
}

/// Import reports read back as written.
pub async fn file_import_reports_round_trip(store: &dyn Store) {
    let (_app, _channel, f) = setup(store).await;
    let report = FileImport {
        id: 0,
        file_id: f.id,
        user_type: UserType::Phone,
        status: ImportStatus::Rejected,
        rows_read: 3,
        error_count: 2,
        errors: vec![
            ImportError {
                line: 2,
                reason: "`x` is not a Korean mobile number".into(),
            },
            ImportError {
                line: 4,
                reason: "field `age` must be a number".into(),
            },
        ],
        created_at: t(1),
    };
    let stored = store.insert_file_import(&report).await.expect("insert");
    assert!(stored.id > 0);
    assert_eq!(
        stored,
        FileImport {
            id: stored.id,
            ..report
        }
    );
    assert_eq!(
        store.file_import(stored.id).await.expect("read"),
        Some(stored)
    );
    assert_eq!(store.file_import(UNKNOWN_ID).await.expect("read"), None);
}
