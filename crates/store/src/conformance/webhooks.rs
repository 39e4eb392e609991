//! The webhook outbox: settings, enqueue inside the friendship change, ordered claims
//! with leases, retries, dead letters, pausing, replay and the delivery log.

use super::fixtures::*;
use super::{run_concurrently, BoxFuture, Spawn};
use crate::{
    DeliveryAttempt, DeliveryResult, NewAppUser, NextStep, Store, WebhookEvent, WebhookEventKind,
    WebhookEventState, WebhookSettings,
};
use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;
use std::sync::Arc;
use talkchannel_domain::{AccountId, AppId, ChannelId, Entity, FriendAction, PageRequest};

pub fn webhook_settings(app: AppId) -> WebhookSettings {
    WebhookSettings {
        app_id: app,
        url: "http://127.0.0.1:9/hook".into(),
        enabled: true,
        legacy_fields: false,
        signing_secret: Some("whsec_current".into()),
        previous_signing_secret: None,
        retry_limit_secs: 86_400,
        pause_threshold: 3,
        open_id_secret: "open-id-secret".into(),
        paused: false,
        consecutive_failures: 0,
        updated_at: t0(),
    }
}

/// An app connected to `channel` with enabled webhook settings.
async fn hooked_app(store: &dyn Store, channel: ChannelId) -> AppId {
    let app = new_app(store).await.id;
    store.connect(app, channel, t0()).await.expect("connect");
    store
        .put_webhook_settings(&webhook_settings(app))
        .await
        .expect("put_webhook_settings");
    app
}

async fn events_of(store: &dyn Store, app: AppId) -> Vec<WebhookEvent> {
    store
        .webhook_events(app, None, PageRequest::first(500))
        .await
        .expect("webhook_events")
        .items
}

async fn claim(store: &dyn Store, now: DateTime<Utc>, limit: u32) -> Vec<WebhookEvent> {
    store
        .claim_webhook_events(now, now + Duration::seconds(30), limit)
        .await
        .expect("claim_webhook_events")
}

fn result(event: &WebhookEvent, next: NextStep, status: Option<u16>) -> DeliveryResult {
    DeliveryResult {
        app_id: event.app_id,
        attempt: DeliveryAttempt {
            event_id: event.id,
            at: t(5),
            status,
            latency_ms: 12,
            error: (next != NextStep::Delivered).then(|| "answered 500".to_owned()),
        },
        next,
    }
}

async fn finish(store: &dyn Store, results: &[DeliveryResult]) {
    store
        .finish_webhook_deliveries(results)
        .await
        .expect("finish_webhook_deliveries");
}

async fn pair(store: &dyn Store) -> (ChannelId, AccountId) {
    (new_channel(store).await.id, new_account(store).await.id)
}

/// Settings read back as written; an update keeps the pause state; unknown apps are
/// NotFound.
pub async fn webhook_settings_round_trip(store: &dyn Store) {
    let app = new_app(store).await.id;
    assert_eq!(store.webhook_settings(app).await.expect("read"), None);
    let mut settings = webhook_settings(app);
    store.put_webhook_settings(&settings).await.expect("put");
    assert_eq!(
        store.webhook_settings(app).await.expect("read"),
        Some(settings.clone())
    );
    settings.url = "https://example.com/새".into();
    settings.previous_signing_secret = Some("whsec_old".into());
    settings.paused = true; // not the caller's to set
    store.put_webhook_settings(&settings).await.expect("update");
    let read = store
        .webhook_settings(app)
        .await
        .expect("read")
        .expect("settings");
    assert_eq!(
        (read.url.as_str(), read.paused),
        ("https://example.com/새", false)
    );
    assert_eq!(read.previous_signing_secret.as_deref(), Some("whsec_old"));
    assert_not_found(
        store
            .put_webhook_settings(&webhook_settings(UNKNOWN_ID))
            .await,
        Entity::App,
        "put_webhook_settings on an unknown app",
    );
    assert!(!store.resume_webhook(UNKNOWN_ID).await.expect("resume"));
}

/// Add and block write one event per connected app with enabled settings, with the app
/// user id only under `plusfriends` consent; unblock and no-ops write none.
pub async fn friendship_changes_enqueue_events(store: &dyn Store) {
    let (channel, account) = pair(store).await;
    let consented = hooked_app(store, channel).await;
    let unconsented = hooked_app(store, channel).await;
    let quiet = new_app(store).await.id; // connected, no webhook
    store.connect(quiet, channel, t0()).await.expect("connect");
    let disabled = hooked_app(store, channel).await;
    let off = WebhookSettings {
        enabled: false,
        ..webhook_settings(disabled)
    };
    store.put_webhook_settings(&off).await.expect("disable");
    link(store, consented, account, 4_000_000_001).await;
    let no_consent = NewAppUser {
        scopes: scopes(&["profile_nickname"]),
        ..app_user_input(unconsented, account, 4_000_000_002)
    };
    store.insert_app_user(&no_consent).await.expect("link");

    apply(store, channel, account, FriendAction::Add, t(1)).await;
    apply(store, channel, account, FriendAction::Add, t(2)).await; // no-op
    apply(store, channel, account, FriendAction::Block, t(3)).await;
    apply(store, channel, account, FriendAction::Unblock, t(4)).await; // Kakao sends nothing

    let with_id = events_of(store, consented).await;
    let kinds: Vec<_> = with_id
        .iter()
        .map(|e| (e.kind, e.user_id, e.occurred_at))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (WebhookEventKind::Added, Some(4_000_000_001), t(1)),
            (WebhookEventKind::Blocked, Some(4_000_000_001), t(3)),
        ]
    );
    let first = &with_id[0];
    assert_eq!(
        (first.state, first.attempts, first.next_attempt_at),
        (WebhookEventState::Pending, 0, t(1))
    );
    assert_eq!((first.channel_id, first.account_id), (channel, account));
    assert_ne!(with_id[0].resource_id, with_id[1].resource_id);
    assert!(
        with_id[0].resource_id.len() >= 20,
        "{}",
        with_id[0].resource_id
    );
    let without_id = events_of(store, unconsented).await;
    assert_eq!(
        without_id.iter().map(|e| e.user_id).collect::<Vec<_>>(),
        vec![None, None]
    );
    assert!(
        events_of(store, quiet).await.is_empty() && events_of(store, disabled).await.is_empty()
    );
}

/// A claim skips events whose pair has an earlier pending event and events under a live
/// lease; an expired lease gives the event back.
pub async fn claims_keep_pair_order_and_honour_leases(store: &dyn Store) {
    let (channel, account) = pair(store).await;
    let other = new_account(store).await.id;
    let app = hooked_app(store, channel).await;
    apply(store, channel, account, FriendAction::Add, t(1)).await;
    apply(store, channel, account, FriendAction::Block, t(2)).await;
    apply(store, channel, other, FriendAction::Add, t(3)).await;
    let events = events_of(store, app).await;

    let first = claim(store, t(10), 10).await;
    let ids: Vec<i64> = first.iter().map(|e| e.id).collect();
    assert_eq!(
        ids,
        vec![events[0].id, events[2].id],
        "one event per pair, oldest first"
    );
    assert!(claim(store, t(20), 10).await.is_empty(), "leases hold");
    let again = claim(store, t(10) + Duration::seconds(31), 10).await;
    assert_eq!(
        again.iter().map(|e| e.id).collect::<Vec<_>>(),
        ids,
        "expired leases return"
    );

    finish(store, &[result(&events[0], NextStep::Delivered, Some(200))]).await;
    let next = claim(store, t(10) + Duration::seconds(31), 10).await;
    assert_eq!(
        next.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![events[1].id]
    );
    assert!(
        claim(store, t(0), 10).await.is_empty(),
        "nothing is due before it happened"
    );
}

/// Failures reschedule and count toward the pause threshold; a paused app is not
/// claimed until resumed; dead events wait for a replay; every attempt is logged.
pub async fn finish_retries_pauses_dead_letters_and_logs(store: &dyn Store) {
    let (channel, account) = pair(store).await;
    let app = hooked_app(store, channel).await; // pauses after 3 failures
    apply(store, channel, account, FriendAction::Add, t(1)).await;
    let event = claim(store, t(10), 10).await.remove(0);

    finish(
        store,
        &[result(&event, NextStep::RetryAt(t(1_000)), Some(500))],
    )
    .await;
    let read = store
        .webhook_event(app, event.id)
        .await
        .expect("read")
        .expect("event");
    assert_eq!(
        (read.state, read.attempts, read.next_attempt_at),
        (WebhookEventState::Pending, 1, t(1_000))
    );
    assert!(claim(store, t(999), 10).await.is_empty(), "not due yet");
    let event = claim(store, t(1_000), 10).await.remove(0);
    let twice = [
        result(&event, NextStep::RetryAt(t(2_000)), None),
        result(&event, NextStep::RetryAt(t(2_000)), Some(503)),
    ];
    finish(store, &twice).await;
    let settings = store
        .webhook_settings(app)
        .await
        .expect("read")
        .expect("settings");
    assert_eq!((settings.consecutive_failures, settings.paused), (3, true));
    assert!(
        claim(store, t(5_000), 10).await.is_empty(),
        "a paused app is not claimed"
    );
    assert!(store.resume_webhook(app).await.expect("resume"));

    let event = claim(store, t(5_000), 10).await.remove(0);
    finish(store, &[result(&event, NextStep::Dead, Some(500))]).await;
    assert!(
        claim(store, t(9_000), 10).await.is_empty(),
        "dead events wait"
    );
    let dead = store
        .webhook_events(app, Some(WebhookEventState::Dead), PageRequest::first(10))
        .await
        .expect("dead events");
    assert_eq!(dead.items.len(), 1);
    assert_eq!(
        store
            .replay_dead_webhook_events(app, t(9_000))
            .await
            .expect("replay"),
        1
    );
    let event = claim(store, t(9_000), 10).await.remove(0);
    assert_eq!(event.retry_from, t(9_000));
    finish(store, &[result(&event, NextStep::Delivered, Some(204))]).await;
    let settings = store
        .webhook_settings(app)
        .await
        .expect("read")
        .expect("settings");
    assert_eq!(settings.consecutive_failures, 0);

    let log = store
        .webhook_attempts(app, PageRequest::first(2))
        .await
        .expect("log");
    assert_eq!(log.items[0].attempt.status, Some(500));
    assert_eq!(log.items[0].resource_id, event.resource_id);
    let rest = store
        .webhook_attempts(
            app,
            PageRequest {
                after: log.next_cursor,
                limit: 10,
            },
        )
        .await
        .expect("log");
    let statuses: Vec<_> = rest.items.iter().map(|a| a.attempt.status).collect();
    assert_eq!(statuses, vec![Some(503), Some(500), Some(204)]);
    assert!(store
        .replay_webhook_event(app, event.id, t(9_500))
        .await
        .expect("replay one"));
    assert!(!store
        .replay_webhook_event(app + 1, event.id, t(9_500))
        .await
        .expect("other app"));
}

/// Concurrent claimers (several nodes) never get the same event.
pub async fn concurrent_claims_are_disjoint(store: Arc<dyn Store>, spawn: Spawn<'_>) {
    let channel = new_channel(&*store).await.id;
    hooked_app(&*store, channel).await;
    for i in 0..60 {
        let account = new_account(&*store).await.id;
        apply(&*store, channel, account, FriendAction::Add, t(i)).await;
    }
    let tasks: Vec<BoxFuture<Vec<i64>>> = (0..6)
        .map(|_| {
            let store = Arc::clone(&store);
            Box::pin(async move {
                let mut mine = Vec::new();
                loop {
                    let got = claim(&*store, t(100), 7).await;
                    if got.is_empty() {
                        return mine;
                    }
                    mine.extend(got.iter().map(|e| e.id));
                }
            }) as BoxFuture<Vec<i64>>
        })
        .collect();
    let claimed: Vec<i64> = run_concurrently(spawn, tasks)
        .await
        .into_iter()
        .flatten()
        .collect();
    let distinct: BTreeSet<i64> = claimed.iter().copied().collect();
    assert_eq!(
        (claimed.len(), distinct.len()),
        (60, 60),
        "each event claimed exactly once"
    );
}
