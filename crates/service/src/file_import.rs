//! CSV import into a customer file, all or nothing.
//!
//! A blocking task parses the CSV (any `std::io::Read`: a file for the CLI, the request
//! body bridged from its stream for the control API) and hands checked rows over in
//! batches through a small bounded channel, so memory stays flat whatever the file's size.
//! The async side writes each batch into one store transaction, committed only when no
//! line failed; the report (line, reason) is stored either way.

use crate::customer_files::last_per_key;
use crate::{ServiceError, ServiceResult, Services};
use std::io::Read;
use talkchannel_domain::customer_file::TextRowLayout;
use talkchannel_domain::{CustomerFile, Entity, FileId, FileSchema, FileUserKey, UserType};
use talkchannel_store::{FileImport, FileRowInput, ImportError, ImportStatus};
use tokio::sync::mpsc;

/// Rows per store write. A write has a fixed cost (the SQLite store prepares its
/// statements once per write), which 20,000 rows make small; at five fields such a batch
/// is about 4 MB, and the channel holds four.
const BATCH_ROWS: usize = 20_000;
/// Errors kept in the report; reading stops after this many (a garbage file ends fast).
pub const MAX_REPORTED_ERRORS: usize = 1_000;
/// Header names accepted for the id column (case-insensitive).
const ID_COLUMNS: [&str; 5] = ["id", "user_id", "app_user_id", "phone", "phone_number"];

/// What the parser tells the writer.
enum Parsed {
    Rows(Vec<FileRowInput>),
    /// The end of input: rows read, and every error seen.
    Done {
        rows_read: u64,
        errors: Errors,
    },
}

#[derive(Default)]
struct Errors {
    count: u64,
    kept: Vec<ImportError>,
}

impl Errors {
    fn push(&mut self, line: u64, reason: impl Into<String>) {
        self.count += 1;
        if self.kept.len() < MAX_REPORTED_ERRORS {
            self.kept.push(ImportError {
                line,
                reason: reason.into(),
            });
        }
    }

    fn full(&self) -> bool {
        self.count >= MAX_REPORTED_ERRORS as u64
    }
}

impl Services {
    /// Imports a CSV whose header names the id column and schema fields. Returns the
    /// stored report: `applied` with every row written, or `rejected` with nothing written.
    pub async fn import_customer_file_csv<R: Read + Send + 'static>(
        &self,
        file: FileId,
        user_type: UserType,
        input: R,
    ) -> ServiceResult<FileImport> {
        let file = self.customer_file(file).await?;
        let mut import = self.store.begin_row_import(file.id).await?;
        let (tx, mut rx) = mpsc::channel::<Parsed>(4);
        let schema = file.schema.clone();
        let parser = tokio::task::spawn_blocking(move || parse(input, &schema, user_type, &tx));
        let mut done = None;
        while let Some(message) = rx.recv().await {
            match message {
                Parsed::Rows(rows) => import.write(&rows, self.now()).await?,
                Parsed::Done { rows_read, errors } => done = Some((rows_read, errors)),
            }
        }
        parser
            .await
            .map_err(|e| ServiceError::Backend(format!("the CSV parser failed: {e}")))?;
        let (rows_read, errors) =
            done.ok_or_else(|| ServiceError::Backend("the CSV parser ended early".into()))?;
        let status = if errors.count == 0 {
            import.commit(rows_read, self.now()).await?;
            self.segments_changed(file.channel_id);
            ImportStatus::Applied
        } else {
            drop(import);
            ImportStatus::Rejected
        };
        let report = self
            .store
            .insert_file_import(&report(
                &file,
                user_type,
                status,
                rows_read,
                errors,
                self.now(),
            ))
            .await?;
        tracing::info!(
            file = file.id,
            import = report.id,
            status = status.as_str(),
            rows = rows_read,
            errors = report.error_count,
            "customer file import"
        );
        Ok(report)
    }

    pub async fn file_import(&self, id: i64) -> ServiceResult<FileImport> {
        self.store
            .file_import(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(Entity::Import, id))
    }
}

fn report(
    file: &CustomerFile,
    user_type: UserType,
    status: ImportStatus,
    rows_read: u64,
    errors: Errors,
    at: chrono::DateTime<chrono::Utc>,
) -> FileImport {
    FileImport {
        id: 0,
        file_id: file.id,
        user_type,
        status,
        rows_read,
        error_count: errors.count,
        errors: errors.kept,
        created_at: at,
    }
}

/// Runs on a blocking thread. Once a line has failed, rows are no longer sent (they
/// would be rolled back) but reading goes on to report every error, up to the cap.
fn parse(input: impl Read, schema: &FileSchema, user_type: UserType, tx: &mpsc::Sender<Parsed>) {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(crate::csv_quotes::QuoteWatch::new(input));
    let (rows_read, errors) = read_rows(&mut reader, schema, user_type, tx);
    // Whatever is left is discarded unparsed: a client still sending could not read our
    // answer if we stopped reading its body.
    let _ = std::io::copy(reader.get_mut(), &mut std::io::sink());
    let _ = tx.blocking_send(Parsed::Done { rows_read, errors });
}

fn read_rows<R: Read>(
    reader: &mut csv::Reader<crate::csv_quotes::QuoteWatch<R>>,
    schema: &FileSchema,
    user_type: UserType,
    tx: &mpsc::Sender<Parsed>,
) -> (u64, Errors) {
    let mut errors = Errors::default();
    let mut rows_read = 0;
    // One record reused for every line: no allocation per row beyond the row's own.
    let mut record = csv::ByteRecord::new();
    let columns = match reader.read_byte_record(&mut record) {
        Ok(true) => header_columns(&record, schema),
        Err(e) => Err(format!("the header row is not readable CSV: {e}")),
        Ok(false) => {
            Err("the file is empty: the first line must be a header such as `id,age`".into())
        }
    };
    let columns = match columns {
        Ok(columns) => columns,
        Err(reason) => {
            errors.push(1, reason);
            return (rows_read, errors);
        }
    };
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    loop {
        let checked = match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                let line = record.position().map_or(0, |p| p.line());
                check_row(&record, &columns, user_type).map_err(|reason| (line, reason))
            }
            Err(e) => Err((
                e.position().map_or(0, |p| p.line()),
                format!("not readable CSV: {e}"),
            )),
        };
        rows_read += 1;
        match checked {
            Ok(row) if errors.count == 0 => batch.push(row),
            Ok(_) => {}
            Err((line, reason)) => errors.push(line, reason),
        }
        if errors.full() {
            errors.push(
                0,
                format!("stopped reading after {MAX_REPORTED_ERRORS} errors"),
            );
            break;
        }
        if batch.len() == BATCH_ROWS && !send_batch(tx, &mut batch) {
            break;
        }
    }
    if reader.get_ref().inside_quotes() && !errors.full() {
        let line = reader.position().line();
        errors.push(
            line,
            "not readable CSV: a quoted field is never closed (a `\"` is missing)",
        );
    }
    if !batch.is_empty() && errors.count == 0 {
        send_batch(tx, &mut batch);
    }
    (rows_read, errors)
}

/// Hands a batch (one row per key) to the writer; false when the writer is gone.
/// Keys are deduplicated here, on the parser's thread, so the writer only writes.
fn send_batch(tx: &mpsc::Sender<Parsed>, batch: &mut Vec<FileRowInput>) -> bool {
    let rows = last_per_key(std::mem::replace(batch, Vec::with_capacity(BATCH_ROWS)));
    tx.blocking_send(Parsed::Rows(rows)).is_ok()
}

/// The id column's position, the header's width, and how its field columns are written.
struct Columns {
    id: usize,
    width: usize,
    fields: TextRowLayout,
}

fn header_columns(header: &csv::ByteRecord, schema: &FileSchema) -> Result<Columns, String> {
    let mut id = None;
    let mut names: Vec<String> = Vec::with_capacity(header.len());
    for (i, raw) in header.iter().enumerate() {
        let raw = raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw);
        let name = std::str::from_utf8(raw)
            .map_err(|_| format!("header column {} is not UTF-8 text", i + 1))?
            .trim()
            .to_owned();
        if ID_COLUMNS.iter().any(|c| c.eq_ignore_ascii_case(&name)) && id.is_none() {
            id = Some(i);
        } else if !schema.fields().contains_key(&name) {
            return Err(format!(
                "header column `{}` is neither the id column ({}) nor a field of the schema",
                name.chars().take(40).collect::<String>(),
                ID_COLUMNS.join(", ")
            ));
        } else if names.contains(&name) {
            return Err(format!("header column `{name}` is given twice"));
        }
        names.push(name);
    }
    let id = id.ok_or_else(|| {
        format!(
            "the header has no id column: name it one of {}",
            ID_COLUMNS.join(", ")
        )
    })?;
    let field_columns = names
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != id)
        .map(|(i, name)| (i, name.as_str()));
    Ok(Columns {
        id,
        width: names.len(),
        fields: schema.text_row_layout(field_columns)?,
    })
}

fn check_row(
    record: &csv::ByteRecord,
    columns: &Columns,
    user_type: UserType,
) -> Result<FileRowInput, String> {
    if record.len() != columns.width {
        return Err(format!(
            "expected {} columns as in the header, found {}",
            columns.width,
            record.len()
        ));
    }
    let texts = record
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            std::str::from_utf8(raw).map_err(|_| format!("column {} is not UTF-8 text", i + 1))
        })
        .collect::<Result<Vec<&str>, String>>()?;
    let key = FileUserKey::parse(user_type, texts[columns.id])?;
    let fields = columns.fields.row_json(&texts)?;
    Ok(FileRowInput { key, fields })
}
