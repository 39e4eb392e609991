//! A channel's time zone (migration 0010): stored on insert, replaced by
//! `set_channel_time_zone`, read back by every channel read, Asia/Seoul by default.

use super::fixtures::*;
use crate::{Store, StoreError};
use talkchannel_domain::{Channel, ChannelPublicId, Entity, NewChannel, TimeZone};

async fn reads(store: &dyn Store, id: i64, public_id: &ChannelPublicId) -> [Option<Channel>; 2] {
    [
        store.channel(id).await.expect("channel"),
        store
            .channel_by_public_id(public_id)
            .await
            .expect("channel_by_public_id"),
    ]
}

pub async fn channel_time_zones_are_stored(store: &dyn Store) {
    let seoul = new_channel(store).await;
    assert_eq!(seoul.time_zone.as_str(), "Asia/Seoul", "the default zone");

    let paris = TimeZone::parse("Europe/Paris").expect("zone");
    let new = NewChannel {
        time_zone: paris,
        ..channel_input()
    };
    let inserted = store.insert_channel(&new, t(1)).await.expect("insert");
    assert_eq!(inserted.time_zone, paris, "insert returns the zone");
    let expected = expected_channel(inserted.id, &new, t(1));
    assert_eq!(
        reads(store, inserted.id, &new.public_id).await,
        [Some(expected.clone()), Some(expected)],
        "the zone is stored"
    );

    let new_york = TimeZone::parse("America/New_York").expect("zone");
    let updated = store
        .set_channel_time_zone(inserted.id, new_york)
        .await
        .expect("set_channel_time_zone");
    let expected = Channel {
        time_zone: new_york,
        ..inserted.clone()
    };
    assert_eq!(updated, expected, "set returns the updated channel");
    assert_eq!(
        reads(store, inserted.id, &inserted.public_id).await,
        [Some(expected.clone()), Some(expected)],
        "the new zone is stored"
    );
    assert_eq!(
        store.channel(seoul.id).await.expect("channel"),
        Some(seoul),
        "other channels keep theirs"
    );
    assert!(matches!(
        store.set_channel_time_zone(UNKNOWN_ID, new_york).await,
        Err(StoreError::NotFound(Entity::Channel))
    ));
}
