//! `talkchannel seed` on SQLite: synthetic friends and customer-file rows generated inside
//! SQLite by a recursive CTE, three multi-row statements per chunk in one transaction, so
//! no row crosses the driver boundary.

use crate::error::backend;
use crate::rows::to_ms;
use crate::SqliteStore;
use talkchannel_store::{SeedChunk, StoreResult};

/// The chunk's indexes (`k`), their account ids (`id`) and six hashes of (k, seed).
const NUMBERS: &str =
    "WITH RECURSIVE n(k) AS (SELECT ?1 UNION ALL SELECT k + 1 FROM n WHERE k < ?2), \
     h AS (SELECT k, ?3 + k - ?1 + 1 AS id, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 1 * 2246822519) % 4294967291 AS h1, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 2 * 2246822519) % 4294967291 AS h2, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 3 * 2246822519) % 4294967291 AS h3, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 4 * 2246822519) % 4294967291 AS h4, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 5 * 2246822519) % 4294967291 AS h5, \
       ((k + 1) * 2654435761 + ?4 * 40503 + 6 * 2246822519) % 4294967291 AS h6 FROM n), \
     v AS (SELECT id, k, CASE h1 % 2 WHEN 0 THEN 'female' ELSE 'male' END AS gender, \
       15 + h2 % 60 AS age, 1 + h3 % 12 AS month, 1 + h3 % 28 AS day, \
       CASE h4 % 8 WHEN 0 THEN 'Seoul' WHEN 1 THEN 'Busan' WHEN 2 THEN 'Incheon' \
         WHEN 3 THEN 'Daegu' WHEN 4 THEN 'Daejeon' WHEN 5 THEN 'Gwangju' WHEN 6 THEN 'Ulsan' \
         ELSE 'Gyeonggi' END AS region, \
       1 + h5 % 5 AS rating, (h6 % 1000) * 1000 AS amount, \
       '010' || printf('%08d', k) AS phone FROM h) ";

impl SqliteStore {
    /// Writes one chunk of `talkchannel seed` in one transaction: accounts, ADDED
    /// friendships and file rows, stamped with one new segment version, and the file's
    /// counts moved to match. Returns the first account id written.
    pub async fn seed_chunk(&self, chunk: &SeedChunk) -> StoreResult<i64> {
        let mut tx = self.write_tx().await?;
        let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM accounts")
            .fetch_one(&mut *tx)
            .await
            .map_err(backend)?;
        let version = crate::segments::bump_version(&mut tx, chunk.channel_id).await?;
        let year: i64 = chunk.at.format("%Y").to_string().parse().unwrap_or(2026);
        let last = (chunk.first + chunk.count - 1) as i64;
        let statements = [
            format!(
                "{NUMBERS} INSERT INTO accounts \
                 (id, nickname, phone_number, gender, birth_date, region, created_at) \
                 SELECT id, 'seed ' || k, phone, gender, \
                   printf('%04d-%02d-%02d', ?6 - age - 1, month, day), region, ?5 FROM v"
            ),
            format!(
                "{NUMBERS} INSERT INTO friendships \
                 (channel_id, account_id, relation, first_added_at, updated_at, change_seq) \
                 SELECT ?7, id, 'ADDED', ?5, ?5, ?9 FROM v"
            ),
            format!(
                "{NUMBERS} INSERT INTO customer_file_rows \
                 (file_id, user_type, user_key, fields, account_id, updated_at, change_seq) \
                 SELECT ?8, 'phone', phone, \
                   printf('{{\"gender\":\"%s\",\"age\":%d,\"region\":\"%s\",\"rating\":%d,\"purchase_amount\":%d}}', \
                     gender, age, region, rating, amount), id, ?5, ?9 FROM v"
            ),
        ];
        // Parameters by number; each statement binds up to the highest one it names.
        let params = [
            chunk.first as i64,
            last,
            base,
            chunk.seed as i64,
            to_ms(chunk.at),
            year,
            chunk.channel_id,
            chunk.file_id,
            version,
        ];
        for (sql, used) in statements.iter().zip([6, 9, 9]) {
            let mut query = sqlx::query(sql);
            for p in &params[..used] {
                query = query.bind(*p);
            }
            query.execute(&mut *tx).await.map_err(backend)?;
        }
        let n = chunk.count as i64;
        sqlx::query(
            "UPDATE customer_files SET attempted = attempted + ?1, registered = registered + ?1, \
             friends = friends + ?1, updated_at = ?2 WHERE id = ?3",
        )
        .bind(n)
        .bind(to_ms(chunk.at))
        .bind(chunk.file_id)
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
        tx.commit().await.map_err(backend)?;
        Ok(base + 1)
    }
}
