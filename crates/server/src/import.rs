//! `talkchannel import`: loads a CSV into a customer file straight through the database
//! named by the server's configuration, with the same service (and the same all-or-nothing
//! rule and report) as the control API's upload.

use crate::cli::ImportArgs;
use crate::open_store;
use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;
use talkchannel_domain::{SystemClock, UserType};
use talkchannel_service::{Services, TokenPolicy};
use talkchannel_store::ImportStatus;

/// Errors printed in full; the rest are counted (all are kept in the stored report).
const SHOWN_ERRORS: usize = 20;

pub async fn run(args: ImportArgs) -> anyhow::Result<()> {
    let config = args.settings.resolve()?;
    let user_type = UserType::parse(&args.user_type)
        .context("--user-type must be `app` (app user ids) or `phone` (phone numbers)")?;
    let file = std::fs::File::open(&args.csv)
        .with_context(|| format!("cannot open {}", args.csv.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let services = Services::new(
        open_store(&config.database_url, true).await?,
        Arc::new(SystemClock),
        TokenPolicy::default(),
    );
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .expect("a valid progress template")
            .progress_chars("=> "),
    );
    let reader = bar.wrap_read(std::io::BufReader::with_capacity(1 << 16, file));
    let report = services
        .import_customer_file_csv(args.file_id, user_type, reader)
        .await
        .with_context(|| format!("cannot import into customer file {}", args.file_id))?;
    bar.finish_and_clear();
    if report.status == ImportStatus::Applied {
        println!(
            "imported {} rows into customer file {} (import {})",
            report.rows_read, report.file_id, report.id
        );
        return Ok(());
    }
    for e in report.errors.iter().take(SHOWN_ERRORS) {
        eprintln!("line {}: {}", e.line, e.reason);
    }
    if report.error_count > SHOWN_ERRORS as u64 {
        eprintln!("... and {} more", report.error_count - SHOWN_ERRORS as u64);
    }
    bail!(
        "nothing was imported: {} lines failed; fix them and run the import again \
         (the report is import {}: GET /admin/api/v1/customer-file-imports/{})",
        report.error_count,
        report.id,
        report.id
    )
}
