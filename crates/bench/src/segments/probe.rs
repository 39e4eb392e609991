//! What the segments bench measures with: the server's count, the same audience by SQL,
//! and waits for the first answer after a start and for the snapshot.

use super::{CHANNEL, OPERATOR_TOKEN};
use crate::database::{Arg, BenchDatabase, Reader};
use anyhow::{bail, Context, Result};
use chrono::{Duration as Days, Months, Utc};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// gender = female AND age 20-39 AND region in {Seoul, Busan}.
pub fn tree() -> Value {
    json!({"tree": {"and": [
        {"profile": "gender", "op": "equals", "value": "female"},
        {"profile": "age", "op": "between", "value": [20, 39]},
        {"profile": "region", "op": "in", "value": ["Seoul", "Busan"]}
    ]}})
}

pub struct Counter {
    http: reqwest::Client,
    url: String,
}

impl Counter {
    pub fn new(base: &str) -> Self {
        Self {
            http: reqwest::Client::new(),
            url: format!("{base}/admin/api/v1/channels/{CHANNEL}/groups/count"),
        }
    }

    /// (friends counted, time taken).
    pub async fn count(&self) -> Result<(u64, Duration)> {
        let started = Instant::now();
        let res = self
            .http
            .post(&self.url)
            .bearer_auth(OPERATOR_TOKEN)
            .json(&tree())
            .send()
            .await?;
        let status = res.status();
        let body: Value = res.json().await?;
        if !status.is_success() {
            bail!("count failed: {status} {body}");
        }
        Ok((
            body["friends"].as_u64().context("friends")?,
            started.elapsed(),
        ))
    }
}

/// The same audience by SQL over the database: the baseline and the check.
pub struct Baseline {
    reader: Reader,
}

const AUDIENCE: &str = "SELECT COUNT(*) FROM friendships f JOIN accounts a ON a.id = f.account_id \
     WHERE f.channel_id = (SELECT id FROM channels WHERE public_id = ?) \
       AND f.relation = 'ADDED' AND a.gender = 'female' \
       AND a.region IN ('Seoul', 'Busan') AND a.birth_date BETWEEN ? AND ?";

impl Baseline {
    pub async fn open(db: &BenchDatabase) -> Result<Self> {
        Ok(Self {
            reader: db.reader().await?,
        })
    }

    pub async fn count(&self) -> Result<(u64, Duration)> {
        // The channel's (Korean) date, as the server computes ages.
        let today = (Utc::now() + Days::hours(9)).date_naive();
        let latest = today
            .checked_sub_months(Months::new(12 * 20))
            .context("date")?;
        let earliest = today
            .checked_sub_months(Months::new(12 * 40))
            .context("date")?
            .succ_opt()
            .context("date")?;
        let started = Instant::now();
        let args = [Arg::Text(CHANNEL), Arg::Date(earliest), Arg::Date(latest)];
        let n = self.reader.scalar(AUDIENCE, &args).await?;
        Ok((n as u64, started.elapsed()))
    }
}

/// The first count after a start, retried while the load outlasts the request timeout
/// (408; the load keeps going in the background): (friends, time until answered).
pub async fn first_answer(counter: &Counter) -> Result<(u64, Duration)> {
    let started = Instant::now();
    loop {
        match counter.count().await {
            Ok((n, _)) => return Ok((n, started.elapsed())),
            Err(_) if started.elapsed() < Duration::from_secs(900) => continue,
            Err(e) => return Err(e.context("no count answered within 15 minutes of a start")),
        }
    }
}

/// Waits for the server's snapshot of the channel (renamed into place when complete):
/// (its size, time waited).
pub async fn wait_for_snapshot(dir: &std::path::Path) -> Result<(u64, Duration)> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(600) {
        let found = std::fs::read_dir(dir).ok().and_then(|entries| {
            entries
                .filter_map(|e| e.ok())
                .find(|e| e.path().extension().is_some_and(|x| x == "tcseg"))
        });
        if let Some(entry) = found {
            return Ok((entry.metadata()?.len(), started.elapsed()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!(
        "no segment snapshot appeared in {} within 10 minutes",
        dir.display()
    )
}

pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}
