//! An import's batches written through SQLite's C API, on the connection sqlx holds.
//!
//! Through sqlx, each statement is a round trip to its SQLite thread, and each bound text
//! is copied twice on the way (into owned arguments for that thread, then again by
//! SQLite). A profile of a million-row import showed the SQLite thread idle for a third
//! of the import while the async side built the next statement's arguments. Here the
//! writer takes the connection from sqlx's thread for a whole batch
//! ([`sqlx::SqliteConnection::lock_handle`]), binds the rows' texts in place
//! (`SQLITE_STATIC`) and steps the statements itself.
//!
//! All the `unsafe` of the crate is in this file. It rests on two rules, kept by the
//! types below: the `sqlite3` handle is only used while sqlx's lock on it is held (a
//! [`RawConnection`] borrows the [`LockedSqliteHandle`]), and a statement never keeps a
//! binding past [`RawStatement::execute`] (texts are bound without a copy, so the
//! statement is reset and its bindings cleared before the borrowed rows can go).

use crate::row_batch::{chunks, ChunkedSql, CHUNK_ROWS};
use libsqlite3_sys as ffi;
use sqlx::sqlite::LockedSqliteHandle;
use std::ffi::{c_int, CStr};
use std::fmt::Write;
use std::marker::PhantomData;
use std::ptr::{null_mut, NonNull};
use talkchannel_domain::FileUserKey;
use talkchannel_store::{FileRowInput, StoreError, StoreResult};

/// The connection of a locked handle, usable for as long as the lock is borrowed.
pub(crate) struct RawConnection<'h> {
    db: NonNull<ffi::sqlite3>,
    _lock: PhantomData<&'h mut ()>,
}

impl<'h> RawConnection<'h> {
    pub fn new(handle: &'h mut LockedSqliteHandle<'_>) -> Self {
        Self {
            db: handle.as_raw_handle(),
            _lock: PhantomData,
        }
    }

    fn error(&self, what: &str) -> StoreError {
        // SAFETY: the handle is open and ours while the lock is held; the message is
        // copied out before any other call on the connection.
        let message = unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.db.as_ptr())) };
        StoreError::Backend(format!("{what}: {}", message.to_string_lossy()))
    }

    pub fn prepare(&self, sql: &str) -> StoreResult<RawStatement<'_>> {
        let mut stmt = null_mut();
        let len = c_int::try_from(sql.len()).map_err(StoreError::backend)?;
        // SAFETY: `sql` is valid for `len` bytes (no NUL terminator needed with a length);
        // the statement is finalized by `RawStatement`'s drop, while the lock is held.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                self.db.as_ptr(),
                sql.as_ptr().cast(),
                len,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &mut stmt,
                null_mut(),
            )
        };
        match NonNull::new(stmt) {
            Some(stmt) if rc == ffi::SQLITE_OK => Ok(RawStatement { stmt, conn: self }),
            _ => Err(self.error("preparing a bulk statement")),
        }
    }

    /// Runs `sql` once per chunk of `rows` (as `execute_chunked` in `file_rows` does
    /// through sqlx): binds `before`, each row's type, key and values, then `after`.
    pub fn execute_chunked(
        &self,
        sql: &ChunkedSql,
        (before, after): (&[i64], &[i64]),
        rows: &[FileRowInput],
    ) -> StoreResult<()> {
        // Prepared once per call and size: a call writes a whole import batch, so the
        // 1,000-row statement is reused across its chunks.
        let mut prepared: [Option<RawStatement<'_>>; CHUNK_ROWS.len()] = Default::default();
        let mut keys = KeyTexts::default();
        for chunk in chunks(rows) {
            let at = CHUNK_ROWS
                .iter()
                .position(|&n| n == chunk.len())
                .expect("a chunk size from CHUNK_ROWS");
            if prepared[at].is_none() {
                prepared[at] = Some(self.prepare(sql.text(chunk.len()))?);
            }
            let stmt = prepared[at].as_mut().expect("prepared just above");
            keys.fill(chunk);
            stmt.execute(before, chunk, &keys, after)?;
        }
        Ok(())
    }
}

/// The chunk's keys as text, in one buffer (`App` ids are formatted, phones borrowed
/// as they are).
#[derive(Default)]
struct KeyTexts {
    text: String,
    ends: Vec<usize>,
}

impl KeyTexts {
    fn fill(&mut self, rows: &[FileRowInput]) {
        self.text.clear();
        self.ends.clear();
        for row in rows {
            match &row.key {
                FileUserKey::App(id) => write!(self.text, "{id}").expect("writing to a string"),
                FileUserKey::Phone(phone) => self.text.push_str(phone.as_str()),
            }
            self.ends.push(self.text.len());
        }
    }

    fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

pub(crate) struct RawStatement<'c> {
    stmt: NonNull<ffi::sqlite3_stmt>,
    conn: &'c RawConnection<'c>,
}

impl<'c> RawStatement<'c> {
    /// Binds the import rows in the order of the statement's text and runs it.
    fn execute(
        &mut self,
        before: &[i64],
        rows: &[FileRowInput],
        keys: &KeyTexts,
        after: &[i64],
    ) -> StoreResult<()> {
        self.run("writing import rows", |binder| {
            before.iter().try_for_each(|&v| binder.int(v))?;
            rows.iter().enumerate().try_for_each(|(i, row)| {
                binder.text(row.key.user_type().as_str())?;
                binder.text(keys.get(i))?;
                binder.text(&row.fields)
            })?;
            after.iter().try_for_each(|&v| binder.int(v))
        })
    }

    /// Binds the parameters through `bind`, runs the statement to its end, then resets it
    /// and clears its bindings, so none of the borrowed texts is referenced once this
    /// returns. `what` names the work in an error.
    pub fn run<'t>(
        &mut self,
        what: &str,
        bind: impl FnOnce(&mut Binder<'_, 'c, 't>) -> StoreResult<()>,
    ) -> StoreResult<()> {
        let mut binder = Binder {
            stmt: self,
            next: 1,
            _texts: PhantomData,
        };
        let bound = bind(&mut binder);
        // SAFETY: the statement is live; every text bound above lives for `'t`, which
        // outlasts this call, and the reset and clear below drop the statement's
        // references to them.
        let stepped = match bound {
            Ok(()) => match unsafe { ffi::sqlite3_step(self.stmt.as_ptr()) } {
                ffi::SQLITE_DONE => Ok(()),
                _ => Err(self.conn.error(what)),
            },
            Err(e) => Err(e),
        };
        unsafe {
            ffi::sqlite3_reset(self.stmt.as_ptr());
            ffi::sqlite3_clear_bindings(self.stmt.as_ptr());
        }
        stepped
    }
}

impl Drop for RawStatement<'_> {
    fn drop(&mut self) {
        // SAFETY: prepared on this connection, whose lock outlives the statement.
        unsafe { ffi::sqlite3_finalize(self.stmt.as_ptr()) };
    }
}

/// Binds parameters in order (the statements use anonymous `?` only); texts are borrowed
/// for `'t`, which outlasts the [`RawStatement::run`] they are bound in.
pub(crate) struct Binder<'s, 'c, 't> {
    stmt: &'s mut RawStatement<'c>,
    next: c_int,
    _texts: PhantomData<&'t str>,
}

impl<'t> Binder<'_, '_, 't> {
    fn check(&mut self, rc: c_int) -> StoreResult<()> {
        self.next += 1;
        if rc == ffi::SQLITE_OK {
            Ok(())
        } else {
            Err(self.stmt.conn.error("binding import rows"))
        }
    }

    pub fn int(&mut self, value: i64) -> StoreResult<()> {
        // SAFETY: the statement is live and `next` is within its parameter count (each
        // statement text has exactly the parameters its caller binds; SQLite refuses an
        // index past the count with SQLITE_RANGE).
        let rc = unsafe { ffi::sqlite3_bind_int64(self.stmt.stmt.as_ptr(), self.next, value) };
        self.check(rc)
    }

    pub fn text(&mut self, value: &'t str) -> StoreResult<()> {
        let len = c_int::try_from(value.len()).map_err(StoreError::backend)?;
        // SAFETY: as for `int`; SQLITE_STATIC lets SQLite read the text in place, which
        // `RawStatement::run` allows by clearing the binding before it returns, within `'t`.
        let rc = unsafe {
            ffi::sqlite3_bind_text(
                self.stmt.stmt.as_ptr(),
                self.next,
                value.as_ptr().cast(),
                len,
                ffi::SQLITE_STATIC(),
            )
        };
        self.check(rc)
    }
}

/// Runs `f`, which blocks, on this thread: on a multi-threaded runtime the thread's other
/// tasks move to another worker first; a single-threaded runtime (tests) just waits.
pub(crate) fn blocking<R>(f: impl FnOnce() -> R) -> R {
    use tokio::runtime::{Handle, RuntimeFlavor};
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => tokio::task::block_in_place(f),
        _ => f(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::{Connection, SqliteConnection};
    use talkchannel_domain::PhoneNumber;

    static INSERT: ChunkedSql = ChunkedSql::new("INSERT INTO t SELECT ?, * FROM (VALUES ", ")");

    fn row(key: FileUserKey, fields: &str) -> FileRowInput {
        FileRowInput {
            key,
            fields: fields.into(),
        }
    }

    #[tokio::test]
    async fn chunks_bind_in_order_and_errors_leave_the_statement_clean() {
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        sqlx::query(
            "CREATE TABLE t (n INTEGER, kind TEXT, key TEXT, fields TEXT CHECK (fields <> 'bad'))",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        let phone = PhoneNumber::parse("010-1234-5678").unwrap();
        let mut rows: Vec<_> = (1..=1_011)
            .map(|i| row(FileUserKey::App(i), &format!("{{\"i\":{i}}}")))
            .collect();
        rows.push(row(FileUserKey::Phone(phone), "{}"));
        {
            let mut handle = conn.lock_handle().await.unwrap();
            let raw = RawConnection::new(&mut handle);
            raw.execute_chunked(&INSERT, (&[7], &[]), &rows).unwrap();
            let bad = [row(FileUserKey::App(5), "bad")];
            let e = raw.execute_chunked(&INSERT, (&[8], &[]), &bad).unwrap_err();
            assert!(e.to_string().contains("CHECK constraint failed"), "{e}");
        }
        let stored: Vec<(i64, String, String, String)> =
            sqlx::query_as("SELECT n, kind, key, fields FROM t ORDER BY rowid")
                .fetch_all(&mut conn)
                .await
                .unwrap();
        assert_eq!(stored.len(), 1_012);
        assert_eq!(stored[0], (7, "app".into(), "1".into(), "{\"i\":1}".into()));
        assert_eq!(stored[1_010].2, "1011");
        assert_eq!(
            stored[1_011],
            (7, "phone".into(), "01012345678".into(), "{}".into())
        );
        // Nothing of ours is left on the connection: sqlx can still close it.
        conn.close().await.unwrap();
    }
}
