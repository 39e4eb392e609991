use crate::error::db;
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{Postgres, Transaction};
use talkchannel_domain::{AccountId, AppId, UserId};
use talkchannel_store::{LoginCredential, LoginStore, StoreError, StoreResult};

/// Locks the row `id` of `table`, so concurrent replacements of what hangs off it queue;
/// false when there is no such row.
async fn lock_row(
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
            return Err(StoreError::NotFound("app"));
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

    async fn set_password_hash(
        &self,
        account: AccountId,
        hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        if !lock_row(&mut tx, "accounts", account).await? {
            return Err(StoreError::NotFound("account"));
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
}
