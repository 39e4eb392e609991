//! Bounded concurrency with a progress bar on stderr, for seeding.

use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress_bar(len: u64, label: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let style =
        ProgressStyle::with_template("{prefix:>10} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .expect("a valid progress template")
            .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(label.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Runs `work` on every item with at most `limit` in flight; results keep the items' order.
/// The first error stops the run (the tasks still in flight are aborted).
pub async fn map_bounded<T, R, F, Fut>(
    items: Vec<T>,
    limit: usize,
    bar: &ProgressBar,
    work: F,
) -> Result<Vec<R>>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<R>> + Send + 'static,
    R: Send + 'static,
{
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    let mut pending = items.into_iter().enumerate();
    let mut running = JoinSet::new();
    loop {
        while running.len() < limit.max(1) {
            let Some((index, item)) = pending.next() else {
                break;
            };
            let job = work(item);
            running.spawn(async move { (index, job.await) });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (index, result) = joined.context("a seeding task panicked")?;
        results[index] = Some(result?);
        bar.inc(1);
    }
    Ok(results
        .into_iter()
        .map(|r| r.expect("every task finished"))
        .collect())
}

/// Finishes the bar and prints the phase's duration and rate on stderr.
pub fn finish(bar: &ProgressBar, label: &str, started: Instant) -> Duration {
    bar.finish_and_clear();
    let elapsed = started.elapsed();
    let rate = bar.position() as f64 / elapsed.as_secs_f64().max(1e-9);
    eprintln!(
        "{label}: {} in {:.1}s ({rate:.0}/s)",
        bar.position(),
        elapsed.as_secs_f64()
    );
    elapsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_order_and_bounds_concurrency() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let bar = ProgressBar::hidden();
        let out = map_bounded((0..50).collect(), 4, &bar, |i: u32| {
            let (in_flight, peak) = (in_flight.clone(), peak.clone());
            async move {
                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(1)).await;
                in_flight.fetch_sub(1, Ordering::SeqCst);
                Ok(i * 2)
            }
        })
        .await
        .unwrap();
        assert_eq!(out, (0..50).map(|i| i * 2).collect::<Vec<_>>());
        assert!(peak.load(Ordering::SeqCst) <= 4);
        assert_eq!(bar.position(), 50);
    }

    #[tokio::test]
    async fn stops_at_the_first_error() {
        let bar = ProgressBar::hidden();
        let out = map_bounded((0..10).collect(), 2, &bar, |i: u32| async move {
            if i == 3 {
                anyhow::bail!("item {i} failed")
            }
            Ok(i)
        })
        .await;
        assert!(out.unwrap_err().to_string().contains("item 3 failed"));
    }
}
