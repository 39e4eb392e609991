use crate::app_users;
use crate::error::{backend, conflict_on, row_exists};
use crate::rows::{cursor, group_apps, key_kind, sort_keys, stored, to_ms, AppKeyRow};
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::SqliteConnection;
use talkchannel_domain::{
    AccountId, App, AppId, AppKey, AppUser, Clash, Entity, NewApp, Page, PageRequest, TokenRecord,
    UserId,
};
use talkchannel_store::{AppStore, KeyOwner, NewAppUser, StoreError, StoreResult};

/// The key's primary key is the only unique column `app_keys` has.
const KEY_TAKEN: &[(&str, Clash)] = &[("app_keys.key", Clash::AppKeyTaken)];

#[async_trait]
impl AppStore for SqliteStore {
    async fn insert_app(&self, new: &NewApp, at: DateTime<Utc>) -> StoreResult<App> {
        let mut tx = self.write_tx().await?;
        let id: i64 =
            sqlx::query_scalar("INSERT INTO apps (name, created_at) VALUES (?, ?) RETURNING id")
                .bind(&new.name)
                .bind(to_ms(at))
                .fetch_one(&mut *tx)
                .await
                .map_err(backend)?;
        for key in &new.keys {
            insert_key(&mut tx, id, key)
                .await
                .map_err(|e| conflict_on(e, KEY_TAKEN))?;
        }
        tx.commit().await.map_err(backend)?;
        let mut keys: Vec<AppKey> = new
            .keys
            .iter()
            .map(|k| AppKey {
                created_at: stored(k.created_at),
                ..k.clone()
            })
            .collect();
        sort_keys(&mut keys);
        Ok(App {
            id,
            name: new.name.clone(),
            created_at: stored(at),
            keys,
        })
    }

    async fn app(&self, id: AppId) -> StoreResult<Option<App>> {
        let rows = sqlx::query_as::<_, AppKeyRow>(
            "SELECT a.id AS app_id, a.name AS app_name, a.created_at AS app_created_at, \
                    k.key, k.kind, k.is_primary, k.created_at AS key_created_at \
             FROM apps a LEFT JOIN app_keys k ON k.app_id = a.id \
             WHERE a.id = ?",
        )
        .bind(id)
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
        Ok(group_apps(rows)?.pop())
    }

    async fn apps(&self, page: PageRequest) -> StoreResult<Page<App>> {
        // Pages the apps first, then joins their keys, so LIMIT counts apps, not keys.
        let rows = sqlx::query_as::<_, AppKeyRow>(crate::paged::APPS)
            .bind(cursor(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        Ok(Page::from_rows(group_apps(rows)?, page, |a| a.id))
    }

    async fn add_admin_key(&self, app: AppId, key: &AppKey) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        if !row_exists(&mut tx, "apps", app).await? {
            return Err(StoreError::NotFound(Entity::App));
        }
        if key.primary {
            sqlx::query(
                "UPDATE app_keys SET is_primary = 0 \
                 WHERE app_id = ? AND kind = 'admin' AND is_primary = 1",
            )
            .bind(app)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        }
        insert_key(&mut tx, app, key)
            .await
            .map_err(|e| conflict_on(e, KEY_TAKEN))?;
        tx.commit().await.map_err(backend)
    }

    async fn key_owner(&self, key: &str) -> StoreResult<Option<KeyOwner>> {
        let row: Option<(i64, String)> =
            sqlx::query_as("SELECT app_id, kind FROM app_keys WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.reader)
                .await
                .map_err(backend)?;
        row.map(|(app_id, kind)| {
            Ok(KeyOwner {
                app_id,
                kind: key_kind(&kind)?,
            })
        })
        .transpose()
    }

    async fn insert_app_user(&self, new: &NewAppUser) -> StoreResult<AppUser> {
        app_users::insert_app_user(self, new).await
    }

    async fn app_user(&self, app: AppId, user_id: UserId) -> StoreResult<Option<AppUser>> {
        app_users::app_user(self, app, user_id).await
    }

    async fn app_user_by_account(
        &self,
        app: AppId,
        account: AccountId,
    ) -> StoreResult<Option<AppUser>> {
        app_users::app_user_by_account(self, app, account).await
    }

    async fn insert_token(&self, token: &TokenRecord) -> StoreResult<()> {
        app_users::insert_token(self, token).await
    }

    async fn token_by_access_hash(
        &self,
        hash: &str,
    ) -> StoreResult<Option<(TokenRecord, AppUser)>> {
        app_users::token_by_access_hash(self, hash).await
    }
}

async fn insert_key(conn: &mut SqliteConnection, app: AppId, key: &AppKey) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO app_keys (key, app_id, kind, is_primary, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&key.key)
    .bind(app)
    .bind(key.kind.as_str())
    .bind(key.primary)
    .bind(to_ms(key.created_at))
    .execute(conn)
    .await
    .map(drop)
}
