use crate::error::{backend, row_exists};
use crate::rows::{from_ms, to_ms};
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{AccountId, AppId, Entity, TokenRecord, UserId};
use talkchannel_store::{LoginCredential, LoginStore, StoreError, StoreResult};

/// A tokens row: access hash, app, user, access expiry, refresh hash, refresh expiry,
/// issue time.
type TokenColumns = (String, AppId, UserId, i64, String, i64, i64);

#[async_trait]
impl LoginStore for SqliteStore {
    async fn set_redirect_uris(&self, app: AppId, uris: &[String]) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        if !row_exists(&mut tx, "apps", app).await? {
            return Err(StoreError::NotFound(Entity::App));
        }
        sqlx::query("DELETE FROM app_redirect_uris WHERE app_id = ?")
            .bind(app)
            .execute(&mut *tx)
            .await
            .map_err(backend)?;
        for (position, uri) in (0_i64..).zip(uris) {
            sqlx::query("INSERT INTO app_redirect_uris (app_id, position, uri) VALUES (?, ?, ?)")
                .bind(app)
                .bind(position)
                .bind(uri)
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
        tx.commit().await.map_err(backend)
    }

    async fn redirect_uris(&self, app: AppId) -> StoreResult<Vec<String>> {
        sqlx::query_scalar("SELECT uri FROM app_redirect_uris WHERE app_id = ? ORDER BY position")
            .bind(app)
            .fetch_all(&self.reader)
            .await
            .map_err(backend)
    }

    async fn set_client_secret(&self, app: AppId, secret: Option<&str>) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        if !row_exists(&mut tx, "apps", app).await? {
            return Err(StoreError::NotFound(Entity::App));
        }
        let query = match secret {
            Some(secret) => sqlx::query(
                "INSERT INTO app_client_secrets (app_id, secret) VALUES (?, ?) \
                 ON CONFLICT (app_id) DO UPDATE SET secret = excluded.secret",
            )
            .bind(app)
            .bind(secret),
            None => sqlx::query("DELETE FROM app_client_secrets WHERE app_id = ?").bind(app),
        };
        query.execute(&mut *tx).await.map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn client_secret(&self, app: AppId) -> StoreResult<Option<String>> {
        sqlx::query_scalar("SELECT secret FROM app_client_secrets WHERE app_id = ?")
            .bind(app)
            .fetch_optional(&self.reader)
            .await
            .map_err(backend)
    }

    async fn set_password_hash(
        &self,
        account: AccountId,
        hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        if !row_exists(&mut tx, "accounts", account).await? {
            return Err(StoreError::NotFound(Entity::Account));
        }
        sqlx::query(
            "INSERT INTO account_passwords (account_id, password_hash, updated_at) \
             VALUES (?, ?, ?) ON CONFLICT (account_id) DO UPDATE \
             SET password_hash = excluded.password_hash, updated_at = excluded.updated_at",
        )
        .bind(account)
        .bind(hash)
        .bind(to_ms(at))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)
    }

    async fn credentials_for_login(&self, login: &str) -> StoreResult<Vec<LoginCredential>> {
        let rows: Vec<(AccountId, String)> = sqlx::query_as(
            "SELECT p.account_id, p.password_hash FROM account_passwords p \
             JOIN accounts a ON a.id = p.account_id \
             WHERE a.email = ? OR a.phone_number = ? ORDER BY p.account_id",
        )
        .bind(login)
        .bind(login)
        .fetch_all(&self.reader)
        .await
        .map_err(backend)?;
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
            "DELETE FROM tokens WHERE app_id = ? AND user_id = ? RETURNING access_hash",
        )
        .bind(app)
        .bind(user)
        .fetch_all(&self.writer)
        .await
        .map_err(backend)
    }

    async fn unlink_app_user(&self, app: AppId, user: UserId) -> StoreResult<Option<Vec<String>>> {
        let mut tx = self.write_tx().await?;
        let hashes: Vec<String> = sqlx::query_scalar(
            "DELETE FROM tokens WHERE app_id = ? AND user_id = ? RETURNING access_hash",
        )
        .bind(app)
        .bind(user)
        .fetch_all(&mut *tx)
        .await
        .map_err(backend)?;
        let unlinked = sqlx::query("DELETE FROM app_users WHERE app_id = ? AND user_id = ?")
            .bind(app)
            .bind(user)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
        tx.commit().await.map_err(backend)?;
        Ok((unlinked > 0).then_some(hashes))
    }

    async fn token_by_refresh_hash(&self, hash: &str) -> StoreResult<Option<TokenRecord>> {
        let row: Option<TokenColumns> = sqlx::query_as(
            "SELECT access_hash, app_id, user_id, access_expires_at, refresh_hash, \
                    refresh_expires_at, issued_at FROM tokens WHERE refresh_hash = ?",
        )
        .bind(hash)
        .fetch_optional(&self.reader)
        .await
        .map_err(backend)?;
        row.map(
            |(access_hash, app_id, user_id, access_exp, refresh_hash, refresh_exp, issued)| {
                Ok(TokenRecord {
                    app_id,
                    user_id,
                    access_hash,
                    access_expires_at: from_ms(access_exp)?,
                    refresh_hash,
                    refresh_expires_at: from_ms(refresh_exp)?,
                    issued_at: from_ms(issued)?,
                })
            },
        )
        .transpose()
    }

    async fn replace_token(&self, old_access_hash: &str, new: &TokenRecord) -> StoreResult<bool> {
        let mut tx = self.write_tx().await?;
        let deleted = sqlx::query("DELETE FROM tokens WHERE access_hash = ?")
            .bind(old_access_hash)
            .execute(&mut *tx)
            .await
            .map_err(backend)?
            .rows_affected();
        if deleted == 0 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO tokens (access_hash, app_id, user_id, access_expires_at, \
                                 refresh_hash, refresh_expires_at, issued_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&new.access_hash)
        .bind(new.app_id)
        .bind(new.user_id)
        .bind(to_ms(new.access_expires_at))
        .bind(&new.refresh_hash)
        .bind(to_ms(new.refresh_expires_at))
        .bind(to_ms(new.issued_at))
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(true)
    }
}
