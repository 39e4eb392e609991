//! Reads the figures out of wrk's `--latency` report.

use anyhow::{bail, Context, Result};
use std::time::Duration;

/// What one wrk run measured.
#[derive(Debug, Clone, PartialEq)]
pub struct WrkReport {
    pub requests: u64,
    pub requests_per_sec: f64,
    pub p50: Duration,
    pub p75: Duration,
    pub p90: Duration,
    pub p99: Duration,
    /// wrk's "Non-2xx or 3xx responses" (statuses of 400 and above).
    pub non_2xx: u64,
    /// Connect, read, write and timeout errors, summed.
    pub socket_errors: u64,
}

pub fn parse_report(output: &str) -> Result<WrkReport> {
    Ok(WrkReport {
        requests: parse_request_count(output)?,
        requests_per_sec: field(output, "Requests/sec:")
            .context("no `Requests/sec:` line")?
            .parse()
            .context("unreadable Requests/sec")?,
        p50: percentile(output, "50%")?,
        p75: percentile(output, "75%")?,
        p90: percentile(output, "90%")?,
        p99: percentile(output, "99%")?,
        non_2xx: field(output, "Non-2xx or 3xx responses:")
            .map_or(Ok(0), str::parse)
            .context("unreadable non-2xx count")?,
        socket_errors: parse_socket_errors(output)?,
    })
}

/// The text after `label` on the first line that starts with it (after indentation).
fn field<'a>(output: &'a str, label: &str) -> Option<&'a str> {
    output
        .lines()
        .find_map(|line| line.trim().strip_prefix(label))
        .map(str::trim)
}

/// `  1800000 requests in 15.00s, 200.00MB read`.
fn parse_request_count(output: &str) -> Result<u64> {
    let line = output
        .lines()
        .find(|l| l.contains(" requests in "))
        .context("no `N requests in` line")?;
    let count = line
        .split_whitespace()
        .next()
        .context("empty request count line")?;
    count
        .parse()
        .with_context(|| format!("unreadable request count `{count}`"))
}

/// A line of the Latency Distribution block: `     99%    1.20ms`.
fn percentile(output: &str, label: &str) -> Result<Duration> {
    let value = field(output, label)
        .with_context(|| format!("no {label} latency line; was wrk run with --latency?"))?;
    parse_wrk_duration(value)
}

/// wrk prints times as `512.34us`, `1.20ms`, `1.01s` or `2.00m`.
pub fn parse_wrk_duration(value: &str) -> Result<Duration> {
    let split = value
        .find(|c: char| c.is_ascii_alphabetic())
        .with_context(|| format!("`{value}` has no unit"))?;
    let (number, unit) = value.split_at(split);
    let number: f64 = number
        .parse()
        .with_context(|| format!("unreadable latency `{value}`"))?;
    let seconds = match unit {
        "us" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => bail!("unknown time unit in `{value}`"),
    };
    Ok(Duration::from_secs_f64(seconds))
}

/// `  Socket errors: connect 0, read 0, write 0, timeout 0` (absent when all are 0).
fn parse_socket_errors(output: &str) -> Result<u64> {
    let Some(rest) = field(output, "Socket errors:") else {
        return Ok(0);
    };
    rest.split(',')
        .map(|part| {
            let count = part
                .split_whitespace()
                .nth(1)
                .with_context(|| format!("unreadable socket errors `{rest}`"))?;
            count
                .parse::<u64>()
                .with_context(|| format!("unreadable socket errors `{rest}`"))
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 15s test @ http://127.0.0.1:40111/healthz
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   512.34us  200.00us   5.00ms   80.00%
    Req/Sec    60.00k     3.00k   70.00k    70.00%
  Latency Distribution
     50%  480.00us
     75%  600.00us
     90%  700.00us
     99%    1.20ms
  1800000 requests in 15.00s, 200.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 5
Requests/sec: 120000.00
Transfer/sec:     13.33MB
";

    #[test]
    fn reads_a_full_report() {
        let report = parse_report(SAMPLE).unwrap();
        assert_eq!(report.requests, 1_800_000);
        assert!((report.requests_per_sec - 120_000.0).abs() < 1e-6);
        assert_eq!(report.p50, Duration::from_micros(480));
        assert_eq!(report.p75, Duration::from_micros(600));
        assert_eq!(report.p90, Duration::from_micros(700));
        assert_eq!(report.p99, Duration::from_micros(1200));
        assert_eq!(report.non_2xx, 5);
        assert_eq!(report.socket_errors, 5);
    }

    #[test]
    fn absent_error_lines_mean_zero() {
        let clean: String = SAMPLE
            .lines()
            .filter(|l| !l.contains("errors") && !l.contains("Non-2xx"))
            .map(|l| format!("{l}\n"))
            .collect();
        let report = parse_report(&clean).unwrap();
        assert_eq!((report.non_2xx, report.socket_errors), (0, 0));
    }

    #[test]
    fn needs_the_latency_distribution() {
        let without: String = SAMPLE
            .lines()
            .filter(|l| !l.contains('%') || l.contains("Stdev"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert!(parse_report(&without)
            .unwrap_err()
            .to_string()
            .contains("--latency"));
    }

    #[test]
    fn reads_every_unit() {
        assert_eq!(
            parse_wrk_duration("1.01s").unwrap(),
            Duration::from_millis(1010)
        );
        assert_eq!(
            parse_wrk_duration("2.00m").unwrap(),
            Duration::from_secs(120)
        );
        assert!(parse_wrk_duration("3.00xs").is_err());
    }
}
