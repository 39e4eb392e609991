//! Accounts linked to apps, and the tokens issued to them.

use crate::error::db;
use crate::rows::{scopes_to_text, AppUserRow, TokenUserRow, APP_USER_COLUMNS};
use sqlx::PgPool;
use talkchannel_domain::{AccountId, AppId, AppUser, TokenRecord, UserId};
use talkchannel_store::{NewAppUser, StoreResult};

/// Unique and foreign-key violations name the clash (`account`, `user_id`, `app`).
pub(crate) async fn insert_app_user(pool: &PgPool, new: &NewAppUser) -> StoreResult<AppUser> {
    sqlx::query(
        "INSERT INTO app_users (app_id, user_id, account_id, scopes, linked_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(new.app_id)
    .bind(new.user_id)
    .bind(new.account_id)
    .bind(scopes_to_text(&new.scopes))
    .bind(new.linked_at)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(AppUser {
        app_id: new.app_id,
        account_id: new.account_id,
        user_id: new.user_id,
        scopes: new.scopes.clone(),
        linked_at: new.linked_at,
    })
}

pub(crate) async fn app_user(
    pool: &PgPool,
    app: AppId,
    user_id: UserId,
) -> StoreResult<Option<AppUser>> {
    let sql =
        format!("SELECT {APP_USER_COLUMNS} FROM app_users WHERE app_id = $1 AND user_id = $2");
    let row: Option<AppUserRow> = sqlx::query_as(&sql)
        .bind(app)
        .bind(user_id)
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    Ok(row.map(AppUser::from))
}

pub(crate) async fn app_user_by_account(
    pool: &PgPool,
    app: AppId,
    account: AccountId,
) -> StoreResult<Option<AppUser>> {
    let sql =
        format!("SELECT {APP_USER_COLUMNS} FROM app_users WHERE app_id = $1 AND account_id = $2");
    let row: Option<AppUserRow> = sqlx::query_as(&sql)
        .bind(app)
        .bind(account)
        .fetch_optional(pool)
        .await
        .map_err(db)?;
    Ok(row.map(AppUser::from))
}

/// `NotFound(Entity::AppUser)` when the token's (app, user) is not linked.
pub(crate) async fn insert_token(pool: &PgPool, token: &TokenRecord) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tokens (access_hash, app_id, user_id, access_expires_at, refresh_hash, \
         refresh_expires_at, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&token.access_hash)
    .bind(token.app_id)
    .bind(token.user_id)
    .bind(token.access_expires_at)
    .bind(&token.refresh_hash)
    .bind(token.refresh_expires_at)
    .bind(token.issued_at)
    .execute(pool)
    .await
    .map_err(db)?;
    Ok(())
}

/// One join, since every authenticated request makes this lookup.
pub(crate) async fn token_by_access_hash(
    pool: &PgPool,
    hash: &str,
) -> StoreResult<Option<(TokenRecord, AppUser)>> {
    let row: Option<TokenUserRow> = sqlx::query_as(
        "SELECT t.app_id, t.user_id, t.access_hash, t.access_expires_at, t.refresh_hash, \
         t.refresh_expires_at, t.issued_at, u.account_id, u.scopes, u.linked_at \
         FROM tokens t JOIN app_users u ON u.app_id = t.app_id AND u.user_id = t.user_id \
         WHERE t.access_hash = $1",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await
    .map_err(db)?;
    Ok(row.map(Into::into))
}
