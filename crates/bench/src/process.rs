//! What the server process used, read from `/proc` (Linux only).

use anyhow::{Context, Result};

/// The server's peak resident set (VmHWM) so far, in MB.
pub fn peak_rss_mb(pid: u32) -> Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .context("cannot read /proc/PID/status (Linux only)")?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmHWM line in /proc/PID/status")?;
    Ok(kb / 1024.0)
}

/// The server's CPU time so far (user + system, every thread), in seconds. It is what
/// the work cost whatever else the machine runs, so it compares builds on a busy machine.
pub fn cpu_secs(pid: u32) -> Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .context("cannot read /proc/PID/stat (Linux only)")?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| -> Result<f64> {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .context("unreadable /proc/PID/stat")
    };
    // /proc reports in USER_HZ, which Linux fixes at 100 per second.
    Ok((ticks(11)? + ticks(12)?) / 100.0)
}
