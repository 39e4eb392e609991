//! Turning SQLite failures into the store's errors.

use sqlx::error::ErrorKind;
use sqlx::SqliteConnection;
use talkchannel_domain::{Clash, Entity};
use talkchannel_store::StoreError;

pub(crate) fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn constraint(e: &sqlx::Error, kind: ErrorKind) -> Option<&str> {
    match e {
        sqlx::Error::Database(db) if db.kind() == kind => Some(db.message()),
        _ => None,
    }
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    constraint(e, ErrorKind::UniqueViolation).is_some()
}

/// Whether a uniqueness failure names `table.column`: SQLite's message reads
/// "UNIQUE constraint failed: channels.public_id", which is the only way to tell two
/// unique columns of one table apart.
pub(crate) fn is_unique_on(e: &sqlx::Error, column: &str) -> bool {
    constraint(e, ErrorKind::UniqueViolation).is_some_and(|m| m.contains(column))
}

pub(crate) fn is_fk_violation(e: &sqlx::Error) -> bool {
    constraint(e, ErrorKind::ForeignKeyViolation).is_some()
}

/// Maps a uniqueness failure on one of `columns` (`table.column`, rule) to
/// `Conflict(rule)`, anything else to `Backend`.
pub(crate) fn conflict_on(e: sqlx::Error, columns: &[(&str, Clash)]) -> StoreError {
    columns
        .iter()
        .find(|(column, _)| is_unique_on(&e, column))
        .map_or_else(|| backend(e), |&(_, clash)| StoreError::Conflict(clash))
}

/// A parent row an insert refers to: (what `NotFound` names, table, id).
pub(crate) type Parent = (Entity, &'static str, i64);

/// SQLite's foreign-key error does not say which reference failed, so look each parent up
/// and name the first one missing.
pub(crate) async fn missing_parent(conn: &mut SqliteConnection, parents: &[Parent]) -> StoreError {
    for &(name, table, id) in parents {
        match row_exists(conn, table, id).await {
            Ok(true) => continue,
            Ok(false) => return StoreError::NotFound(name),
            Err(e) => return e,
        }
    }
    StoreError::Backend("foreign key constraint failed".into())
}

pub(crate) async fn row_exists(
    conn: &mut SqliteConnection,
    table: &'static str,
    id: i64,
) -> Result<bool, StoreError> {
    let sql = format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?)");
    sqlx::query_scalar(&sql)
        .bind(id)
        .fetch_one(conn)
        .await
        .map_err(backend)
}
