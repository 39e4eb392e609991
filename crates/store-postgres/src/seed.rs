//! `talkchannel seed` on PostgreSQL: synthetic friends and customer-file rows generated
//! by `generate_series` inside the database, three set-based statements per chunk in one
//! transaction. Values match the SQLite engine's for the same index and seed.
//!
//! Where the time went (100,000-row chunks, psql `\timing`, on a shared 2-core machine):
//! accounts 0.5 s, friendships 1.4 s, file rows 1.4 s, of which about 0.9 s and 0.4 s were
//! the foreign-key triggers of the last two (one lookup of the parent per row). The rows
//! are valid by construction, so the chunk's transaction skips those triggers where the
//! role may (see [`skip_foreign_key_triggers`]): `talkchannel seed --friends 1000000`
//! went from 62.4 s to 29.1 s, writing the same rows.
//! Computing the numbers once for all three inserts (one statement of data-modifying CTEs)
//! was no faster: the materialised rows cost what the repeated hashing saved.

use crate::error::db;
use crate::PgStore;
use chrono::Datelike;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;
use sqlx::{PgConnection, Postgres};
use talkchannel_domain::Entity;
use talkchannel_store::{SeedChunk, StoreError, StoreResult};

const NUMBERS: &str = "WITH h AS (SELECT k, $3 + k - $1 + 1 AS id, \
       ((k + 1) * 2654435761 + $4 * 40503 + 1 * 2246822519) % 4294967291 AS h1, \
       ((k + 1) * 2654435761 + $4 * 40503 + 2 * 2246822519) % 4294967291 AS h2, \
       ((k + 1) * 2654435761 + $4 * 40503 + 3 * 2246822519) % 4294967291 AS h3, \
       ((k + 1) * 2654435761 + $4 * 40503 + 4 * 2246822519) % 4294967291 AS h4, \
       ((k + 1) * 2654435761 + $4 * 40503 + 5 * 2246822519) % 4294967291 AS h5, \
       ((k + 1) * 2654435761 + $4 * 40503 + 6 * 2246822519) % 4294967291 AS h6 \
       FROM generate_series($1::bigint, $2::bigint) AS k), \
     v AS (SELECT id, k, CASE h1 % 2 WHEN 0 THEN 'female' ELSE 'male' END AS gender, \
       15 + h2 % 60 AS age, 1 + h3 % 12 AS month, 1 + h3 % 28 AS day, \
       (ARRAY['Seoul','Busan','Incheon','Daegu','Daejeon','Gwangju','Ulsan','Gyeonggi'])[1 + h4 % 8] AS region, \
       1 + h5 % 5 AS rating, (h6 % 1000) * 1000 AS amount, \
       '010' || lpad(k::text, 8, '0') AS phone FROM h) ";

/// A statement with the parameters every seed statement shares ($1 to $5).
fn head<'q>(
    sql: &'q str,
    chunk: &SeedChunk,
    last: i64,
    base: i64,
) -> Query<'q, Postgres, PgArguments> {
    sqlx::query(sql)
        .bind(chunk.first as i64)
        .bind(last)
        .bind(base)
        .bind(chunk.seed as i64)
        .bind(chunk.at)
}

impl PgStore {
    /// Writes one chunk of `talkchannel seed` in one transaction (see the SQLite engine);
    /// returns the first account id written. A file of another channel is refused.
    pub async fn seed_chunk(&self, chunk: &SeedChunk) -> StoreResult<i64> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // Serialises seeds (ids are taken as MAX + 1) and keeps the identity ahead of them.
        sqlx::query("LOCK TABLE accounts IN EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        // What the skipped foreign keys would have checked: the file exists (and stays,
        // locked until the commit) and belongs to the channel, which therefore exists.
        let file_lock = crate::file_rows::lock_file(&mut tx, chunk.file_id).await?;
        if file_lock.channel_id != chunk.channel_id {
            return Err(StoreError::NotFound(Entity::CustomerFile));
        }
        skip_foreign_key_triggers(&mut tx).await?;
        let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM accounts")
            .fetch_one(&mut *tx)
            .await
            .map_err(db)?;
        let last = (chunk.first + chunk.count - 1) as i64;
        let statements = [
            format!(
                "{NUMBERS} INSERT INTO accounts \
                 (id, nickname, phone_number, gender, birth_date, region, created_at) \
                 SELECT id, 'seed ' || k, phone, gender, \
                   make_date(($6 - age - 1)::int, month::int, day::int), region, $5 FROM v"
            ),
            format!(
                "{NUMBERS} INSERT INTO friendships \
                 (channel_id, account_id, relation, first_added_at, updated_at, change_seq) \
                 SELECT $6, id, 'ADDED', $5, $5, $7 FROM v"
            ),
            format!(
                "{NUMBERS} INSERT INTO customer_file_rows \
                 (file_id, user_type, user_key, fields, account_id, updated_at, change_seq) \
                 SELECT $6, 'phone', phone, \
                   format('{{\"gender\":\"%s\",\"age\":%s,\"region\":\"%s\",\"rating\":%s,\"purchase_amount\":%s}}', \
                     gender, age, region, rating, amount), id, $5, $7 FROM v"
            ),
        ];
        let head = |sql| head(sql, chunk, last, base);
        head(&statements[0])
            .bind(i64::from(chunk.at.year()))
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let version = crate::segments::bump_version(&mut tx, file_lock.channel_id).await?;
        head(&statements[1])
            .bind(chunk.channel_id)
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        head(&statements[2])
            .bind(chunk.file_id)
            .bind(version)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query(
            "SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT MAX(id) FROM accounts))",
        )
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        let n = chunk.count as i64;
        sqlx::query(
            "UPDATE customer_files SET attempted = attempted + $1, registered = registered + $1, \
             friends = friends + $1, updated_at = $2 WHERE id = $3",
        )
        .bind(n)
        .bind(chunk.at)
        .bind(chunk.file_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(base + 1)
    }
}

/// Turns off the foreign-key triggers for the rest of the transaction, for rows that
/// satisfy them by construction: every account a friendship or file row names is
/// inserted in the same transaction, and the file and its channel are checked (and the
/// file locked) first. CHECK, NOT NULL and unique constraints still hold; the schema has
/// no other triggers. `SET LOCAL` ends with the transaction, committed or rolled back, so
/// the pooled connection never keeps it. Only superusers (or roles granted SET on the
/// parameter) may set it; for others, and engines without it, the savepoint is rolled
/// back and the triggers run: slower, same rows.
async fn skip_foreign_key_triggers(conn: &mut PgConnection) -> StoreResult<()> {
    let mut savepoint = sqlx::Connection::begin(&mut *conn).await.map_err(db)?;
    let set = sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *savepoint)
        .await;
    match set {
        Ok(_) => savepoint.commit().await.map_err(db),
        Err(e) => {
            tracing::debug!("seeding with foreign-key triggers: {e}");
            savepoint.rollback().await.map_err(db)
        }
    }
}
