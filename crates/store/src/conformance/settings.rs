use crate::Store;

/// `engine()` names the engine; `ping()` succeeds.
pub async fn engine_is_named_and_answers_ping(store: &dyn Store) {
    let engine = store.engine();
    assert!(
        matches!(engine, "sqlite" | "postgres"),
        "engine() = {engine:?}, expected sqlite or postgres"
    );
    store.ping().await.expect("ping()");
}

/// `put_setting` upserts; `put_setting_if_absent` stores only when unset and says whether
/// it did; an unknown setting is `None`.
pub async fn settings_upsert_and_insert_if_absent(store: &dyn Store) {
    assert_eq!(
        store.setting("missing").await.expect("setting"),
        None,
        "unknown setting"
    );

    store
        .put_setting("operator_token_hash", "abc")
        .await
        .expect("put_setting (insert)");
    assert_eq!(
        store
            .setting("operator_token_hash")
            .await
            .expect("setting")
            .as_deref(),
        Some("abc")
    );
    store
        .put_setting("operator_token_hash", "운영자 토큰")
        .await
        .expect("put_setting (update)");
    assert_eq!(
        store
            .setting("operator_token_hash")
            .await
            .expect("setting")
            .as_deref(),
        Some("운영자 토큰"),
        "put_setting must overwrite"
    );

    let stored = store
        .put_setting_if_absent("operator_token_hash", "other")
        .await
        .expect("if_absent");
    assert!(
        !stored,
        "put_setting_if_absent on a set name must return false"
    );
    assert_eq!(
        store
            .setting("operator_token_hash")
            .await
            .expect("setting")
            .as_deref(),
        Some("운영자 토큰"),
        "put_setting_if_absent must not overwrite"
    );

    let stored = store
        .put_setting_if_absent("instance_id", "i-1")
        .await
        .expect("if_absent");
    assert!(
        stored,
        "put_setting_if_absent on an unset name must return true"
    );
    assert_eq!(
        store
            .setting("instance_id")
            .await
            .expect("setting")
            .as_deref(),
        Some("i-1")
    );
    let stored = store
        .put_setting_if_absent("instance_id", "i-2")
        .await
        .expect("if_absent");
    assert!(!stored, "second put_setting_if_absent must return false");
    assert_eq!(
        store
            .setting("instance_id")
            .await
            .expect("setting")
            .as_deref(),
        Some("i-1")
    );

    store
        .put_setting("empty", "")
        .await
        .expect("put_setting empty value");
    assert_eq!(
        store.setting("empty").await.expect("setting").as_deref(),
        Some(""),
        "empty value round-trips"
    );
}
