//! App users (accounts linked to an app) and their tokens; the `AppStore` impl delegates
//! here to keep each file small.

use crate::error::{backend, is_fk_violation, is_unique_violation, missing_parent};
use crate::rows::{scopes_text, stored, to_ms, AppUserRow, TokenUserRow};
use crate::SqliteStore;
use sqlx::SqliteConnection;
use talkchannel_domain::{AccountId, AppId, AppUser, Clash, Entity, TokenRecord, UserId};
use talkchannel_store::{NewAppUser, StoreError, StoreResult};

pub(crate) async fn insert_app_user(store: &SqliteStore, new: &NewAppUser) -> StoreResult<AppUser> {
    let mut conn = store.writer.acquire().await.map_err(backend)?;
    let inserted = sqlx::query(
        "INSERT INTO app_users (app_id, user_id, account_id, scopes, linked_at) \
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(new.app_id)
    .bind(new.user_id)
    .bind(new.account_id)
    .bind(scopes_text(&new.scopes))
    .bind(to_ms(new.linked_at))
    .execute(&mut *conn)
    .await;
    match inserted {
        Ok(_) => Ok(AppUser {
            app_id: new.app_id,
            account_id: new.account_id,
            user_id: new.user_id,
            scopes: new.scopes.clone(),
            linked_at: stored(new.linked_at),
        }),
        Err(e) if is_fk_violation(&e) => {
            let parents = [
                (Entity::App, "apps", new.app_id),
                (Entity::Account, "accounts", new.account_id),
            ];
            Err(missing_parent(&mut conn, &parents).await)
        }
        Err(e) if is_unique_violation(&e) => Err(link_conflict(&mut conn, new).await),
        Err(e) => Err(backend(e)),
    }
}

/// Both uniqueness rules can fail at once; the account already being linked is what the
/// caller most needs to know, so it wins over the user id being taken.
async fn link_conflict(conn: &mut SqliteConnection, new: &NewAppUser) -> StoreError {
    let linked = sqlx::query_scalar::<_, bool>(
        "SELECT EXISTS (SELECT 1 FROM app_users WHERE app_id = ? AND account_id = ?)",
    )
    .bind(new.app_id)
    .bind(new.account_id)
    .fetch_one(conn)
    .await;
    match linked {
        Ok(true) => StoreError::Conflict(Clash::AccountAlreadyLinked),
        Ok(false) => StoreError::Conflict(Clash::UserIdTaken),
        Err(e) => backend(e),
    }
}

pub(crate) async fn app_user(
    store: &SqliteStore,
    app: AppId,
    user_id: UserId,
) -> StoreResult<Option<AppUser>> {
    sqlx::query_as::<_, AppUserRow>(
        "SELECT app_id, user_id, account_id, scopes, linked_at FROM app_users \
         WHERE app_id = ? AND user_id = ?",
    )
    .bind(app)
    .bind(user_id)
    .fetch_optional(&store.reader)
    .await
    .map_err(backend)?
    .map(AppUserRow::into_domain)
    .transpose()
}

pub(crate) async fn app_user_by_account(
    store: &SqliteStore,
    app: AppId,
    account: AccountId,
) -> StoreResult<Option<AppUser>> {
    sqlx::query_as::<_, AppUserRow>(
        "SELECT app_id, user_id, account_id, scopes, linked_at FROM app_users \
         WHERE app_id = ? AND account_id = ?",
    )
    .bind(app)
    .bind(account)
    .fetch_optional(&store.reader)
    .await
    .map_err(backend)?
    .map(AppUserRow::into_domain)
    .transpose()
}

pub(crate) async fn insert_token(store: &SqliteStore, token: &TokenRecord) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO tokens (access_hash, app_id, user_id, access_expires_at, \
                             refresh_hash, refresh_expires_at, issued_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&token.access_hash)
    .bind(token.app_id)
    .bind(token.user_id)
    .bind(to_ms(token.access_expires_at))
    .bind(&token.refresh_hash)
    .bind(to_ms(token.refresh_expires_at))
    .bind(to_ms(token.issued_at))
    .execute(&store.writer)
    .await
    .map(drop)
    .map_err(|e| {
        if is_fk_violation(&e) {
            StoreError::NotFound(Entity::AppUser)
        } else {
            backend(e)
        }
    })
}

/// One indexed lookup and one primary-key join: this runs on every user-token request.
pub(crate) async fn token_by_access_hash(
    store: &SqliteStore,
    hash: &str,
) -> StoreResult<Option<(TokenRecord, AppUser)>> {
    sqlx::query_as::<_, TokenUserRow>(
        "SELECT t.access_hash, t.access_expires_at, t.refresh_hash, t.refresh_expires_at, \
                t.issued_at, u.app_id, u.user_id, u.account_id, u.scopes, u.linked_at \
         FROM tokens t \
         JOIN app_users u ON u.app_id = t.app_id AND u.user_id = t.user_id \
         WHERE t.access_hash = ?",
    )
    .bind(hash)
    .fetch_optional(&store.reader)
    .await
    .map_err(backend)?
    .map(TokenUserRow::into_domain)
    .transpose()
}
