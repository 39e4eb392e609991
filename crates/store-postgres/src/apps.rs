//! Apps and their keys. App users and tokens live in `app_users`; this file holds the
//! one `AppStore` impl and forwards to it.

use crate::app_users;
use crate::error::db;
use crate::rows::{after, convert_all, sort_keys, AppKeyRow, AppRow};
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use std::collections::HashMap;
use talkchannel_domain::{
    AccountId, App, AppId, AppKey, AppUser, Entity, KeyKind, NewApp, Page, PageRequest,
    TokenRecord, UserId,
};
use talkchannel_store::{AppStore, KeyOwner, NewAppUser, StoreError, StoreResult};

#[async_trait]
impl AppStore for PgStore {
    async fn insert_app(&self, new: &NewApp, at: DateTime<Utc>) -> StoreResult<App> {
        // App and keys together: an app must never be visible without its keys.
        let mut tx = self.pool.begin().await.map_err(db)?;
        let row: AppRow = sqlx::query_as(
            "INSERT INTO apps (name, created_at) VALUES ($1, $2) RETURNING id, name, created_at",
        )
        .bind(&new.name)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        for key in &new.keys {
            insert_key(&mut tx, row.id, key.kind, key).await?;
        }
        tx.commit().await.map_err(db)?;
        let mut keys = new.keys.clone();
        sort_keys(&mut keys);
        Ok(App {
            id: row.id,
            name: row.name,
            created_at: row.created_at,
            keys,
        })
    }

    async fn app(&self, id: AppId) -> StoreResult<Option<App>> {
        let row: Option<AppRow> =
            sqlx::query_as("SELECT id, name, created_at FROM apps WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        let Some(row) = row else { return Ok(None) };
        let mut keys = keys_of(&self.pool, &[row.id]).await?;
        Ok(Some(with_keys(row, &mut keys)))
    }

    async fn apps(&self, page: PageRequest) -> StoreResult<Page<App>> {
        let rows: Vec<AppRow> = sqlx::query_as(crate::paged::APPS)
            .bind(after(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        // One query for every listed app's keys rather than one per app.
        let ids: Vec<AppId> = rows.iter().map(|r| r.id).collect();
        let mut keys = keys_of(&self.pool, &ids).await?;
        let apps = rows.into_iter().map(|r| with_keys(r, &mut keys)).collect();
        Ok(Page::from_rows(apps, page, |a: &App| a.id))
    }

    async fn add_admin_key(&self, app: AppId, key: &AppKey) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Locking the app serialises concurrent key additions, so two new primaries
        // cannot both survive; it also tells an unknown app apart.
        let found = sqlx::query("SELECT id FROM apps WHERE id = $1 FOR UPDATE")
            .bind(app)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db)?;
        if found.is_none() {
            return Err(StoreError::NotFound(Entity::App));
        }
        if key.primary {
            sqlx::query(
                "UPDATE app_keys SET is_primary = FALSE \
                 WHERE app_id = $1 AND kind = $2 AND is_primary",
            )
            .bind(app)
            .bind(KeyKind::Admin.as_str())
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        insert_key(&mut tx, app, KeyKind::Admin, key).await?;
        tx.commit().await.map_err(db)
    }

    async fn key_owner(&self, key: &str) -> StoreResult<Option<KeyOwner>> {
        let row: Option<(AppId, String)> =
            sqlx::query_as("SELECT app_id, kind FROM app_keys WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await
                .map_err(db)?;
        row.map(|(app_id, kind)| {
            let kind = KeyKind::parse(&kind).ok_or_else(|| {
                StoreError::Backend(format!("unexpected key kind `{kind}` in database"))
            })?;
            Ok(KeyOwner { app_id, kind })
        })
        .transpose()
    }

    async fn insert_app_user(&self, new: &NewAppUser) -> StoreResult<AppUser> {
        app_users::insert_app_user(&self.pool, new).await
    }

    async fn app_user(&self, app: AppId, user_id: UserId) -> StoreResult<Option<AppUser>> {
        app_users::app_user(&self.pool, app, user_id).await
    }

    async fn app_user_by_account(
        &self,
        app: AppId,
        account: AccountId,
    ) -> StoreResult<Option<AppUser>> {
        app_users::app_user_by_account(&self.pool, app, account).await
    }

    async fn insert_token(&self, token: &TokenRecord) -> StoreResult<()> {
        app_users::insert_token(&self.pool, token).await
    }

    async fn token_by_access_hash(
        &self,
        hash: &str,
    ) -> StoreResult<Option<(TokenRecord, AppUser)>> {
        app_users::token_by_access_hash(&self.pool, hash).await
    }
}

/// Inserts one key as `kind` (admin keys are always stored as admin, whatever the caller
/// put in `key.kind`).
async fn insert_key(
    conn: &mut PgConnection,
    app: AppId,
    kind: KeyKind,
    key: &AppKey,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO app_keys (key, app_id, kind, is_primary, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&key.key)
    .bind(app)
    .bind(kind.as_str())
    .bind(key.primary)
    .bind(key.created_at)
    .execute(conn)
    .await
    .map_err(db)?;
    Ok(())
}

/// The keys of `apps`, grouped by app, each group in `App.keys` order.
async fn keys_of(pool: &PgPool, apps: &[AppId]) -> StoreResult<HashMap<AppId, Vec<AppKey>>> {
    let rows: Vec<AppKeyRow> = sqlx::query_as(
        "SELECT app_id, key, kind, is_primary, created_at FROM app_keys WHERE app_id = ANY($1)",
    )
    .bind(apps)
    .fetch_all(pool)
    .await
    .map_err(db)?;
    let mut grouped: HashMap<AppId, Vec<AppKeyRow>> = HashMap::new();
    for row in rows {
        grouped.entry(row.app_id).or_default().push(row);
    }
    grouped
        .into_iter()
        .map(|(app, rows)| {
            let mut keys: Vec<AppKey> = convert_all(rows)?;
            sort_keys(&mut keys);
            Ok((app, keys))
        })
        .collect()
}

fn with_keys(row: AppRow, keys: &mut HashMap<AppId, Vec<AppKey>>) -> App {
    let keys = keys.remove(&row.id).unwrap_or_default();
    App {
        id: row.id,
        name: row.name,
        created_at: row.created_at,
        keys,
    }
}
