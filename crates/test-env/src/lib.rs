//! One policy for tests that need something outside the process (PostgreSQL, a browser).
//!
//! Under CI a missing dependency fails the test: a green CI run has run everything.
//! Elsewhere the test may skip, and the skip is shown where a person sees it. The test
//! harness captures `print!`/`eprint!` output of passing tests, so a skip notice written
//! with `eprintln!` vanishes behind an `ok`; [`skip`] writes to the process's standard
//! error handle directly, which the harness does not capture, and numbers its notices so
//! the last one of a test binary says how many of its tests skipped.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The variable CI systems set; see [`under_ci`].
pub const CI_VAR: &str = "CI";

static SKIPPED: AtomicUsize = AtomicUsize::new(0);

/// Whether skipping is forbidden. CI systems set `CI` to `true` (GitHub, GitLab) or `1`
/// (others); any value but an empty one, `false` or `0` counts.
pub fn under_ci() -> bool {
    std::env::var(CI_VAR).is_ok_and(|value| means_on(&value))
}

fn means_on(value: &str) -> bool {
    let value = value.trim();
    !(value.is_empty() || value == "0" || value.eq_ignore_ascii_case("false"))
}

/// The current test cannot run because `missing` is not there (`remedy` says how to
/// provide it). Under CI this panics, failing the test; elsewhere it writes one
/// uncaptured line to standard error and returns, and the caller skips the test.
pub fn skip(missing: &str, remedy: &str) {
    if under_ci() {
        panic!(
            "{missing}: required under {CI_VAR}={}; {remedy}",
            ci_value()
        );
    }
    let count = SKIPPED.fetch_add(1, Ordering::Relaxed) + 1;
    let _ = std::io::stderr()
        .lock()
        .write_all(notice(&current_test(), missing, remedy, count).as_bytes());
}

/// How many tests of this process skipped so far.
pub fn skipped() -> usize {
    SKIPPED.load(Ordering::Relaxed)
}

fn ci_value() -> String {
    std::env::var(CI_VAR).unwrap_or_default()
}

/// The harness names each test's thread after the test.
fn current_test() -> String {
    std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .unwrap_or("a test")
        .to_owned()
}

fn notice(test: &str, missing: &str, remedy: &str, count: usize) -> String {
    format!(
        "SKIPPED {test}: {missing} ({count} skipped in this test binary so far); {remedy}; \
         set {CI_VAR}=true to make this a failure\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_values_mean_what_ci_systems_mean() {
        for on in ["true", "TRUE", "1", "yes", " true "] {
            assert!(means_on(on), "{on:?}");
        }
        for off in ["", "  ", "0", "false", "False"] {
            assert!(!means_on(off), "{off:?}");
        }
    }

    #[test]
    fn a_notice_names_the_test_the_reason_the_count_and_the_remedy() {
        let line = notice("it::x", "PostgreSQL not reachable", "start it", 3);
        assert_eq!(
            line,
            "SKIPPED it::x: PostgreSQL not reachable (3 skipped in this test binary so far); \
             start it; set CI=true to make this a failure\n"
        );
    }

    #[test]
    fn the_test_is_named_after_its_thread() {
        assert_eq!(current_test(), "tests::the_test_is_named_after_its_thread");
    }
}
