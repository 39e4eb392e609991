//! `seed_chunk`, which each engine has as its own method (not a [`Store`] method): the
//! behaviour both must show, run by each engine's test with its method passed in.

use super::fixtures::{app_user_input, new_app, new_channel, t0, UNKNOWN_ID};
use crate::{FieldValue, SeedChunk, Store, StoreError, StoreResult, SEED_SCHEMA, SINCE_THE_START};
use std::future::Future;
use talkchannel_domain::{
    AppId, ChannelId, CustomerFile, Entity, FieldType, FileSchema, NewCustomerFile,
};

/// A customer file with `talkchannel seed`'s schema in the channel, as a seed needs.
pub async fn seed_schema_file(store: &dyn Store, app: AppId, channel: ChannelId) -> CustomerFile {
    let new_file = NewCustomerFile {
        app_id: app,
        channel_id: channel,
        name: "seeded".into(),
        schema: FileSchema::parse(SEED_SCHEMA).unwrap(),
    };
    store.insert_customer_file(&new_file, t0()).await.unwrap()
}

/// Two chunks write 1,000 friends with their rows and one version each; a chunk naming a
/// file of another channel is refused; afterwards foreign keys hold again (linking an
/// unknown account fails). Returns the chunk that would come next, for engine-specific
/// checks.
pub async fn seed_chunks_write_what_they_claim<F, Fut>(store: &dyn Store, seed: F) -> SeedChunk
where
    F: Fn(SeedChunk) -> Fut,
    Fut: Future<Output = StoreResult<i64>>,
{
    let app = new_app(store).await;
    let channel = new_channel(store).await;
    let other = new_channel(store).await;
    let file = seed_schema_file(store, app.id, channel.id).await;
    let chunk = |first, count| SeedChunk {
        channel_id: channel.id,
        file_id: file.id,
        first,
        count,
        seed: 7,
        at: t0(),
    };
    assert_eq!(seed(chunk(0, 600)).await.unwrap(), 1);
    assert_eq!(seed(chunk(600, 400)).await.unwrap(), 601);
    let wrong_channel = SeedChunk {
        channel_id: other.id,
        ..chunk(1000, 10)
    };
    assert!(matches!(
        seed(wrong_channel).await,
        Err(StoreError::NotFound(Entity::CustomerFile))
    ));
    let nobody = app_user_input(app.id, UNKNOWN_ID, 1);
    assert!(matches!(
        store.insert_app_user(&nobody).await,
        Err(StoreError::NotFound(Entity::Account))
    ));

    let counts = store.customer_file(file.id).await.unwrap().unwrap();
    assert_eq!(
        (counts.attempted, counts.registered, counts.friends),
        (1000, 1000, 1000)
    );
    assert_eq!(store.segment_version(channel.id).await.unwrap(), 2);
    assert_eq!(store.segment_version(other.id).await.unwrap(), 0);
    let mut friends = Vec::new();
    store
        .friend_records(channel.id, SINCE_THE_START, &mut |r| friends.push(r))
        .await
        .unwrap();
    assert_eq!(friends.len(), 1000);
    assert!(friends
        .iter()
        .all(|f| f.added && f.profile.gender.is_some()));
    // Rows stamped with the second chunk's version are exactly the second chunk.
    let fields = [("rating".to_owned(), FieldType::Number)];
    let mut rows = Vec::new();
    store
        .row_records(file.id, &fields, 1, &mut |r| rows.push(r))
        .await
        .unwrap();
    assert_eq!(rows.len(), 400);
    assert_eq!(rows[0].account_id, 601);
    assert!(rows.iter().all(|r| matches!(
        r.values[0],
        Some(FieldValue::Number(n)) if (1.0..=5.0).contains(&n)
    )));
    chunk(1000, 100)
}
