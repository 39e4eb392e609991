//! Webhook settings and the outbox are not cached: every node's workers share them.

use crate::CachedStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{AppId, Page, PageRequest};
use talkchannel_store::{
    DeliveryResult, LoggedAttempt, Store, StoreResult, WebhookEvent, WebhookEventState,
    WebhookSettings, WebhookStore,
};

#[async_trait]
impl<S: Store> WebhookStore for CachedStore<S> {
    async fn put_webhook_settings(&self, settings: &WebhookSettings) -> StoreResult<()> {
        self.inner.put_webhook_settings(settings).await
    }

    async fn webhook_settings(&self, app: AppId) -> StoreResult<Option<WebhookSettings>> {
        self.inner.webhook_settings(app).await
    }

    async fn resume_webhook(&self, app: AppId) -> StoreResult<bool> {
        self.inner.resume_webhook(app).await
    }

    async fn claim_webhook_events(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: u32,
    ) -> StoreResult<Vec<WebhookEvent>> {
        self.inner
            .claim_webhook_events(now, lease_until, limit)
            .await
    }

    async fn finish_webhook_deliveries(&self, results: &[DeliveryResult]) -> StoreResult<()> {
        self.inner.finish_webhook_deliveries(results).await
    }

    async fn webhook_event(&self, app: AppId, id: i64) -> StoreResult<Option<WebhookEvent>> {
        self.inner.webhook_event(app, id).await
    }

    async fn webhook_events(
        &self,
        app: AppId,
        state: Option<WebhookEventState>,
        page: PageRequest,
    ) -> StoreResult<Page<WebhookEvent>> {
        self.inner.webhook_events(app, state, page).await
    }

    async fn webhook_attempts(
        &self,
        app: AppId,
        page: PageRequest,
    ) -> StoreResult<Page<LoggedAttempt>> {
        self.inner.webhook_attempts(app, page).await
    }

    async fn replay_webhook_event(
        &self,
        app: AppId,
        id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        self.inner.replay_webhook_event(app, id, now).await
    }

    async fn replay_dead_webhook_events(&self, app: AppId, now: DateTime<Utc>) -> StoreResult<u64> {
        self.inner.replay_dead_webhook_events(app, now).await
    }
}
