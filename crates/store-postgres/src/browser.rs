use crate::error::db;
use crate::rows::scopes_to_text;
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeSet;
use talkchannel_domain::{AccountId, AppId, AppUser, ChannelId, UserId};
use talkchannel_store::{
    challenge_from_columns, AuthorizationCode, BrowserSession, BrowserStore, FollowResult,
    StoreResult,
};

type SessionColumns = (
    String,
    String,
    Option<AccountId>,
    DateTime<Utc>,
    DateTime<Utc>,
);
type CodeColumns = (
    String,
    AppId,
    UserId,
    String,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
    DateTime<Utc>,
);
type FollowColumns = (String, AppId, String, String, Option<String>, DateTime<Utc>);

#[async_trait]
impl BrowserStore for PgStore {
    async fn insert_session(&self, s: &BrowserSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO browser_sessions (id_hash, csrf_token, account_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&s.id_hash)
        .bind(&s.csrf_token)
        .bind(s.account_id)
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<BrowserSession>> {
        let row: Option<SessionColumns> = sqlx::query_as(
            "SELECT id_hash, csrf_token, account_id, created_at, expires_at \
             FROM browser_sessions WHERE id_hash = $1",
        )
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(
            |(id_hash, csrf_token, account_id, created_at, expires_at)| BrowserSession {
                id_hash,
                csrf_token,
                account_id,
                created_at,
                expires_at,
            },
        ))
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM browser_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn trim_sessions(&self, account: AccountId, keep: u32) -> StoreResult<u64> {
        let done = sqlx::query(
            "DELETE FROM browser_sessions WHERE account_id = $1 AND id_hash IN \
             (SELECT id_hash FROM browser_sessions WHERE account_id = $1 \
              ORDER BY created_at DESC, id_hash DESC OFFSET $2)",
        )
        .bind(account)
        .bind(i64::from(keep))
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(done.rows_affected())
    }

    async fn purge_expired(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let mut purged = 0;
        for table in ["browser_sessions", "authorization_codes", "follow_results"] {
            purged += sqlx::query(&format!("DELETE FROM {table} WHERE expires_at <= $1"))
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(db)?
                .rows_affected();
        }
        tx.commit().await.map_err(db)?;
        Ok(purged)
    }

    async fn insert_authorization_code(&self, c: &AuthorizationCode) -> StoreResult<()> {
        let (challenge, method) = c.challenge_columns();
        sqlx::query(
            "INSERT INTO authorization_codes \
             (code_hash, app_id, user_id, redirect_uri, code_challenge, code_challenge_method, \
              created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&c.code_hash)
        .bind(c.app_id)
        .bind(c.user_id)
        .bind(&c.redirect_uri)
        .bind(challenge)
        .bind(method)
        .bind(c.created_at)
        .bind(c.expires_at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn take_authorization_code(
        &self,
        code_hash: &str,
    ) -> StoreResult<Option<AuthorizationCode>> {
        let row: Option<CodeColumns> = sqlx::query_as(
            "DELETE FROM authorization_codes WHERE code_hash = $1 \
             RETURNING code_hash, app_id, user_id, redirect_uri, \
                       code_challenge, code_challenge_method, created_at, expires_at",
        )
        .bind(code_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(
            |(
                code_hash,
                app_id,
                user_id,
                redirect_uri,
                challenge,
                method,
                created_at,
                expires_at,
            )| {
                Ok(AuthorizationCode {
                    code_hash,
                    app_id,
                    user_id,
                    redirect_uri,
                    code_challenge: challenge_from_columns(challenge, method)?,
                    created_at,
                    expires_at,
                })
            },
        )
        .transpose()
    }

    async fn set_app_user_scopes(
        &self,
        app: AppId,
        user: UserId,
        scopes: &BTreeSet<String>,
    ) -> StoreResult<Option<AppUser>> {
        let updated =
            sqlx::query("UPDATE app_users SET scopes = $1 WHERE app_id = $2 AND user_id = $3")
                .bind(scopes_to_text(scopes))
                .bind(app)
                .bind(user)
                .execute(&self.pool)
                .await
                .map_err(db)?
                .rows_affected();
        if updated == 0 {
            return Ok(None);
        }
        crate::app_users::app_user(&self.pool, app, user).await
    }

    async fn friend_count(&self, channel: ChannelId) -> StoreResult<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM friendships WHERE channel_id = $1 AND relation = 'ADDED'",
        )
        .bind(channel)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(n.max(0) as u64)
    }

    async fn put_follow_result(&self, r: &FollowResult) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO follow_results \
             (trans_hash, app_id, channel_public_id, status, error_code, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (trans_hash) DO UPDATE SET \
             app_id = excluded.app_id, channel_public_id = excluded.channel_public_id, \
             status = excluded.status, error_code = excluded.error_code, \
             expires_at = excluded.expires_at",
        )
        .bind(&r.trans_hash)
        .bind(r.app_id)
        .bind(&r.channel_public_id)
        .bind(&r.status)
        .bind(&r.error_code)
        .bind(r.expires_at)
        .execute(&self.pool)
        .await
        .map_err(db)?;
        Ok(())
    }

    async fn follow_result(&self, trans_hash: &str) -> StoreResult<Option<FollowResult>> {
        let row: Option<FollowColumns> = sqlx::query_as(
            "SELECT trans_hash, app_id, channel_public_id, status, error_code, expires_at \
             FROM follow_results WHERE trans_hash = $1",
        )
        .bind(trans_hash)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        Ok(row.map(
            |(trans_hash, app_id, channel_public_id, status, error_code, expires_at)| {
                FollowResult {
                    trans_hash,
                    app_id,
                    channel_public_id,
                    status,
                    error_code,
                    expires_at,
                }
            },
        ))
    }
}
