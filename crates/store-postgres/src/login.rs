use crate::error::db;
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Postgres, Transaction};
use talkchannel_domain::{AccountId, AppId, Entity, TokenRecord, UserId};

/// A tokens row: access hash, app, user, access expiry, refresh hash, refresh expiry,
/// issue time.
type TokenColumns = (
    String,
    AppId,
    UserId,
    DateTime<Utc>,
    String,
    DateTime<Utc>,
    DateTime<Utc>,
);
use talkchannel_store::{LoginCredential, LoginStore, StoreError, StoreResult};

/// Locks the row `id` of `table`, so concurrent replacements of what hangs off it queue;
/// false when there is no such row.
pub(crate) async fn lock_row(
    tx: &mut Transaction<'static, Postgres>,
    table: &'static str,
    id: i64,
) -> StoreResult<bool> {
    let sql = format!("SELECT id FROM {table} WHERE id = $1 FOR UPDATE");
    let found: Option<i64> = sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db)?;
    Ok(found.is_some())
}

#[async_trait]
impl LoginStore for PgStore {
    async fn set_redirect_uris(&self, app: AppId, uris: &[String]) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !lock_row(&mut tx, "apps", app).await? {
            return Err(StoreError::NotFound(Entity::App));
        }
        sqlx::query("DELETE FROM app_redirect_uris WHERE app_id = $1")
            .bind(app)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        for (position, uri) in (0_i32..).zip(uris) {
            sqlx::query(
                "INSERT INTO app_redirect_uris (app_id, position, uri) VALUES ($1, $2, $3)",
            )
            .bind(app)
            .bind(position)
            .bind(uri)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    async fn redirect_uris(&self, app: AppId) -> StoreResult<Vec<String>> {
        sqlx::query_scalar("SELECT uri FROM app_redirect_uris WHERE app_id = $1 ORDER BY position")
            .bind(app)
            .fetch_all(&self.pool)
            .await
            .map_err(db)
    }

    async fn set_client_secret(&self, app: AppId, secret: Option<&str>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !lock_row(&mut tx, "apps", app).await? {
            return Err(StoreError::NotFound(Entity::App));
        }
        let query = match secret {
            Some(secret) => sqlx::query(
                "INSERT INTO app_client_secrets (app_id, secret) VALUES ($1, $2) \
                 ON CONFLICT (app_id) DO UPDATE SET secret = excluded.secret",
            )
            .bind(app)
            .bind(secret),
            None => sqlx::query("DELETE FROM app_client_secrets WHERE app_id = $1").bind(app),
        };
        query.execute(&mut *tx).await.map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn client_secret(&self, app: AppId) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT secret FROM app_client_secrets WHERE app_id = $1")
            .bind(app)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)
    }

    async fn set_password_hash(
        &self,
        account: AccountId,
        hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !lock_row(&mut tx, "accounts", account).await? {
            return Err(StoreError::NotFound(Entity::Account));
        }
        sqlx::query(
            "INSERT INTO account_passwords (account_id, password_hash, updated_at) \
             VALUES ($1, $2, $3) ON CONFLICT (account_id) DO UPDATE \
             SET password_hash = EXCLUDED.password_hash, updated_at = EXCLUDED.updated_at",
        )
        .bind(account)
        .bind(hash)
        .bind(at)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)
    }

    async fn credentials_for_login(&self, login: &str) -> StoreResult<Vec<LoginCredential>> {
        let rows: Vec<(AccountId, String)> = sqlx::query_as(
            "SELECT p.account_id, p.password_hash FROM account_passwords p \
             JOIN accounts a ON a.id = p.account_id \
             WHERE a.email = $1 OR a.phone_number = $1 ORDER BY p.account_id",
        )
        .bind(login)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|(account_id, password_hash)| LoginCredential {
                account_id,
                password_hash,
            })
            .collect())
    }

    async fn revoke_tokens(&self, app: AppId, user: UserId) -> StoreResult<Vec<String>> {
        sqlx::query_scalar(
            "DELETE FROM tokens WHERE app_id = $1 AND user_id = $2 RETURNING access_hash",
        )
        .bind(app)
        .bind(user)
        .fetch_all(&self.pool)
        .await
        .map_err(db)
    }

    async fn unlink_app_user(&self, app: AppId, user: UserId) -> StoreResult<Option<Vec<String>>> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Locking the link first makes a concurrent token issue wait, then fail on its
        // foreign key, instead of slipping a token in between the two deletes.
        sqlx::query("SELECT 1 FROM app_users WHERE app_id = $1 AND user_id = $2 FOR UPDATE")
            .bind(app)
            .bind(user)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let hashes: Vec<String> = sqlx::query_scalar(
            "DELETE FROM tokens WHERE app_id = $1 AND user_id = $2 RETURNING access_hash",
        )
        .bind(app)
        .bind(user)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let unlinked = sqlx::query("DELETE FROM app_users WHERE app_id = $1 AND user_id = $2")
            .bind(app)
            .bind(user)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        tx.commit().await.map_err(db)?;
        Ok((unlinked > 0).then_some(hashes))
    }

    async fn token_by_refresh_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>> {
        let row: Option<TokenColumns> = sqlx::query_as(
            "SELECT access_hash, app_id, user_id, access_expires_at, refresh_hash, \
                    refresh_expires_at, issued_at FROM tokens WHERE refresh_hash = $1",
        )
        .bind(hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(
            |(
                access_hash,
                app_id,
                user_id,
                access_expires_at,
                refresh_hash,
                refresh_expires_at,
                issued_at,
            )| {
                TokenRecord {
                    app_id,
                    user_id,
                    access_hash,
                    access_expires_at,
                    refresh_hash,
                    refresh_expires_at,
                    issued_at,
                }
            },
        ))
    }

    async fn replace_token(&self, old_access_hash: &str, new: &TokenRecord) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let deleted = sqlx::query("DELETE FROM tokens WHERE access_hash = $1")
            .bind(old_access_hash)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        if deleted == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO tokens (access_hash, app_id, user_id, access_expires_at, refresh_hash, \
             refresh_expires_at, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&new.access_hash)
        .bind(new.app_id)
        .bind(new.user_id)
        .bind(new.access_expires_at)
        .bind(&new.refresh_hash)
        .bind(new.refresh_expires_at)
        .bind(new.issued_at)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }
}
