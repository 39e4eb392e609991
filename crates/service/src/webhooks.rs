//! Per-app webhook settings and the operator's levers on delivery: resume, replay, ping.
//! Delivery itself is the webhooks crate's worker; enqueueing happens in the store, in
//! the friendship change's own transaction.

use crate::{secrets, ServiceError, ServiceResult, Services};
use talkchannel_domain::{AppId, Entity, Page, PageRequest, ValidationError};
use talkchannel_store::{LoggedAttempt, WebhookEvent, WebhookEventState, WebhookSettings};
use talkchannel_webhooks::{active_secrets, payload, Outcome, Outgoing};

/// Kakao gives up after one attempt; we keep trying for a day unless told otherwise.
pub const DEFAULT_RETRY_LIMIT_SECS: i64 = 24 * 60 * 60;
pub const MAX_RETRY_LIMIT_SECS: i64 = 7 * 24 * 60 * 60;
pub const DEFAULT_PAUSE_THRESHOLD: i64 = 1_000;
const MAX_URL_CHARS: usize = 2_048;

/// What the operator sets; the rest of [`WebhookSettings`] is kept or generated.
#[derive(Debug, Clone)]
pub struct WebhookRequest {
    pub url: String,
    pub enabled: bool,
    pub legacy_fields: bool,
    pub signing: bool,
    pub retry_limit_secs: i64,
    pub pause_threshold: i64,
}

impl Services {
    pub async fn webhook(&self, app: AppId) -> ServiceResult<WebhookSettings> {
        self.app(app).await?;
        self.store
            .webhook_settings(app)
            .await?
            .ok_or_else(|| ServiceError::not_found(Entity::Webhook, app))
    }

    /// Creates or replaces the app's settings. Secrets survive an update: turning signing
    /// on draws one, turning it off forgets both.
    pub async fn put_webhook(
        &self,
        app: AppId,
        req: WebhookRequest,
    ) -> ServiceResult<WebhookSettings> {
        self.app(app).await?;
        let url = validate_url(&req.url)?;
        validate_range(
            "retry_limit_secs",
            req.retry_limit_secs,
            0,
            MAX_RETRY_LIMIT_SECS,
        )?;
        validate_range(
            "pause_threshold",
            req.pause_threshold,
            0,
            i64::from(u32::MAX),
        )?;
        let current = self.store.webhook_settings(app).await?;
        let (open_id_secret, secret, previous) = match current {
            Some(c) => (
                c.open_id_secret,
                c.signing_secret,
                c.previous_signing_secret,
            ),
            None => (secrets::alphanumeric(40), None, None),
        };
        let (signing_secret, previous_signing_secret) = match (req.signing, secret) {
            (false, _) => (None, None),
            (true, Some(s)) => (Some(s), previous),
            (true, None) => (Some(signing_secret()), None),
        };
        let settings = WebhookSettings {
            app_id: app,
            url,
            enabled: req.enabled,
            legacy_fields: req.legacy_fields,
            signing_secret,
            previous_signing_secret,
            retry_limit_secs: req.retry_limit_secs,
            pause_threshold: req.pause_threshold,
            open_id_secret,
            paused: false,
            consecutive_failures: 0,
            updated_at: self.now(),
        };
        self.store.put_webhook_settings(&settings).await?;
        self.webhook(app).await
    }

    /// Starts a rotation: a new current secret, the old one still signing beside it
    /// until the next rotation (or until signing is turned off and on).
    pub async fn rotate_webhook_secret(&self, app: AppId) -> ServiceResult<WebhookSettings> {
        let mut settings = self.webhook(app).await?;
        let Some(current) = settings.signing_secret.take() else {
            return Err(ValidationError::new(
                "signing",
                "turn signing on before rotating its secret",
            )
            .into());
        };
        settings.previous_signing_secret = Some(current);
        settings.signing_secret = Some(signing_secret());
        settings.updated_at = self.now();
        self.store.put_webhook_settings(&settings).await?;
        self.webhook(app).await
    }

    pub async fn resume_webhook(&self, app: AppId) -> ServiceResult<WebhookSettings> {
        self.webhook(app).await?;
        self.store.resume_webhook(app).await?;
        self.wake_webhooks();
        self.webhook(app).await
    }

    pub async fn webhook_events(
        &self,
        app: AppId,
        state: Option<WebhookEventState>,
        page: PageRequest,
    ) -> ServiceResult<Page<WebhookEvent>> {
        self.app(app).await?;
        Ok(self.store.webhook_events(app, state, page).await?)
    }

    pub async fn webhook_attempts(
        &self,
        app: AppId,
        page: PageRequest,
    ) -> ServiceResult<Page<LoggedAttempt>> {
        self.app(app).await?;
        Ok(self.store.webhook_attempts(app, page).await?)
    }

    /// Sends one event again (same resource id), whatever became of it.
    pub async fn replay_webhook_event(
        &self,
        app: AppId,
        event: i64,
    ) -> ServiceResult<WebhookEvent> {
        self.app(app).await?;
        if !self
            .store
            .replay_webhook_event(app, event, self.now())
            .await?
        {
            return Err(ServiceError::not_found(Entity::WebhookEvent, event));
        }
        // Read before the workers wake, so the answer is the event as the replay queued
        // it (pending), not whatever a fast worker made of it a moment later.
        let queued = self
            .store
            .webhook_event(app, event)
            .await?
            .ok_or_else(|| ServiceError::not_found(Entity::WebhookEvent, event));
        self.wake_webhooks();
        queued
    }

    /// Sends every dead-lettered event of the app again; returns how many.
    pub async fn replay_dead_webhook_events(&self, app: AppId) -> ServiceResult<u64> {
        self.app(app).await?;
        let replayed = self
            .store
            .replay_dead_webhook_events(app, self.now())
            .await?;
        self.wake_webhooks();
        Ok(replayed)
    }

    /// Sends a `ping` to the app's URL now, with the headers a real event carries, and
    /// reports what came back. Nothing is stored.
    pub async fn ping_webhook(&self, app_id: AppId) -> ServiceResult<Outcome> {
        let app = self.app(app_id).await?;
        let settings = self.webhook(app_id).await?;
        let now = self.now();
        let body = serde_json::json!({"event": "ping", "updated_at": payload::kakao_time(now)});
        let resource_id = format!("ping{}", secrets::alphanumeric(20));
        Ok(self
            .webhook_sender
            .send(Outgoing {
                url: &settings.url,
                admin_key: app.primary_admin_key().map(|k| k.key.as_str()),
                resource_id: &resource_id,
                body: body.to_string().into_bytes(),
                secrets: active_secrets(&settings),
                unix_secs: now.timestamp(),
            })
            .await)
    }

    /// Tells this node's delivery workers an event may be due.
    pub(crate) fn wake_webhooks(&self) {
        self.webhook_wake.notify_one();
    }
}

fn signing_secret() -> String {
    format!("whsec_{}", secrets::alphanumeric(40))
}

fn validate_url(url: &str) -> Result<String, ValidationError> {
    let url = talkchannel_domain::web_url::WebUrl::parse(url)
        .map_err(|why| ValidationError::new("url", why))?;
    if url.as_str().chars().count() > MAX_URL_CHARS {
        return Err(ValidationError::new(
            "url",
            format!("must be at most {MAX_URL_CHARS} characters"),
        ));
    }
    Ok(url.as_str().to_owned())
}

fn validate_range(field: &str, value: i64, min: i64, max: i64) -> Result<(), ValidationError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ValidationError::new(
            field,
            format!("must be between {min} and {max}"),
        ))
    }
}
