//! The markdown report a bench prints: context, results table, targets.

use crate::machine::RunContext;
use crate::wrk::WrkReport;
use std::fmt::Write;
use std::time::Duration;

/// One measured case; the first case of a report is the baseline the others compare to.
pub struct Case {
    pub name: String,
    pub wrk: WrkReport,
}

/// A goal and whether the run met it.
pub struct TargetCheck {
    pub goal: String,
    pub measured: String,
    pub pass: bool,
}

pub struct Report<'a> {
    pub title: &'a str,
    pub context: &'a RunContext,
    /// Extra `- **key**: value` lines (dataset, load, seeding time).
    pub facts: Vec<(&'a str, String)>,
    pub cases: &'a [Case],
    pub targets: Vec<TargetCheck>,
}

impl Report<'_> {
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        writeln!(out, "## {}\n", self.title).unwrap();
        self.write_context(&mut out);
        writeln!(out).unwrap();
        out.push_str(&results_table(self.cases));
        writeln!(out).unwrap();
        out.push_str(&targets_table(&self.targets));
        out
    }

    pub fn all_targets_met(&self) -> bool {
        self.targets.iter().all(|t| t.pass)
    }

    fn write_context(&self, out: &mut String) {
        let c = self.context;
        writeln!(out, "- **Command**: `{}`", c.command).unwrap();
        writeln!(out, "- **Machine**: {}", c.machine()).unwrap();
        writeln!(out, "- **Commit**: {}", c.commit).unwrap();
        writeln!(out, "- **Date**: {}", c.date).unwrap();
        for (key, value) in &self.facts {
            writeln!(out, "- **{key}**: {value}").unwrap();
        }
    }
}

/// `| case | req/s | p50 | p90 | p99 | vs baseline |`.
pub fn results_table(cases: &[Case]) -> String {
    let Some(baseline) = cases.first() else {
        return String::new();
    };
    let mut out = format!(
        "| case | req/s | p50 | p90 | p99 | vs {} |\n|---|---:|---:|---:|---:|---:|\n",
        baseline.name
    );
    for case in cases {
        let ratio = case.wrk.requests_per_sec / baseline.wrk.requests_per_sec;
        writeln!(
            out,
            "| {} | {:.0} | {} | {} | {} | {:.1}% |",
            case.name,
            case.wrk.requests_per_sec,
            ms(case.wrk.p50),
            ms(case.wrk.p90),
            ms(case.wrk.p99),
            ratio * 100.0
        )
        .unwrap();
    }
    out
}

pub fn targets_table(targets: &[TargetCheck]) -> String {
    let mut out = String::from("| target | measured | result |\n|---|---|---|\n");
    for t in targets {
        writeln!(
            out,
            "| {} | {} | {} |",
            t.goal,
            t.measured,
            if t.pass { "PASS" } else { "FAIL" }
        )
        .unwrap();
    }
    out
}

/// `1.23 ms`.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(name: &str, rps: f64, p99_us: u64) -> Case {
        let d = Duration::from_micros(p99_us);
        Case {
            name: name.to_owned(),
            wrk: WrkReport {
                requests: 1,
                requests_per_sec: rps,
                p50: d,
                p75: d,
                p90: d,
                p99: d,
                non_2xx: 0,
                socket_errors: 0,
            },
        }
    }

    #[test]
    fn compares_each_case_to_the_first() {
        let table = results_table(&[
            case("/healthz", 40_000.0, 900),
            case("admin", 10_000.0, 12_500),
        ]);
        assert!(
            table.contains("| /healthz | 40000 | 0.90 ms | 0.90 ms | 0.90 ms | 100.0% |"),
            "{table}"
        );
        assert!(
            table.contains("| admin | 10000 | 12.50 ms | 12.50 ms | 12.50 ms | 25.0% |"),
            "{table}"
        );
    }

    #[test]
    fn marks_targets() {
        let out = targets_table(&[TargetCheck {
            goal: "p99 < 10 ms".into(),
            measured: "12.50 ms".into(),
            pass: false,
        }]);
        assert!(out.contains("| p99 < 10 ms | 12.50 ms | FAIL |"), "{out}");
    }
}
