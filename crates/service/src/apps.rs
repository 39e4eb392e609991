use crate::{secrets, ServiceError, ServiceResult, Services};
use talkchannel_domain::{App, AppId, AppKey, Entity, KeyKind, NewApp, Page, PageRequest};
use talkchannel_store::StoreError;

/// How often to draw new keys when a random key collides (practically never).
const KEY_ATTEMPTS: usize = 3;

impl Services {
    /// Registers an app with one key of each kind; its first admin key is the primary.
    pub async fn create_app(&self, name: &str) -> ServiceResult<App> {
        let name = NewApp::validate_name(name)?;
        let now = self.now();
        for _ in 0..KEY_ATTEMPTS {
            let keys = KeyKind::ALL
                .into_iter()
                .map(|kind| AppKey {
                    kind,
                    key: secrets::app_key(),
                    primary: kind == KeyKind::Admin,
                    created_at: now,
                })
                .collect();
            match self
                .store
                .insert_app(
                    &NewApp {
                        name: name.clone(),
                        keys,
                    },
                    now,
                )
                .await
            {
                Err(StoreError::Conflict(_)) => continue,
                other => return Ok(other?),
            }
        }
        Err(ServiceError::Backend(
            "could not draw unique app keys".into(),
        ))
    }

    pub async fn app(&self, id: AppId) -> ServiceResult<App> {
        self.store
            .app(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(Entity::App, id))
    }

    pub async fn apps(&self, page: PageRequest) -> ServiceResult<Page<App>> {
        Ok(self.store.apps(page).await?)
    }

    /// Adds an admin key (for rotation); when `primary`, it becomes the one webhooks carry.
    pub async fn add_admin_key(&self, app: AppId, primary: bool) -> ServiceResult<App> {
        self.app(app).await?;
        let key = AppKey {
            kind: KeyKind::Admin,
            key: secrets::app_key(),
            primary,
            created_at: self.now(),
        };
        self.store.add_admin_key(app, &key).await?;
        self.app(app).await
    }
}
