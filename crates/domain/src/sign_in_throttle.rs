//! The sign-in throttle's rule: failures are counted per key (a login name, a client
//! address) in a window; `limit` failures in one window block the key for a backoff that
//! doubles with each block in a row, up to a cap. A whole quiet window forgets it all.
//!
//! Pure: the store keeps one [`ThrottleState`] per key and applies
//! [`ThrottlePolicy::after_failure`] inside a transaction, so every node sees one count.

use chrono::{DateTime, Duration, Utc};

/// The limits (from `[sign_in]` in the configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures in one window that block the key.
    pub limit: u32,
    /// How long failures are remembered (from the first failure of a window).
    pub window: Duration,
    /// The first block's length; each further block in a row doubles it.
    pub base_backoff: Duration,
    /// No block is longer.
    pub max_backoff: Duration,
}

/// What the store keeps for one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThrottleState {
    /// Failures counted in the current window.
    pub failures: u32,
    /// When the current window began (after a block: when the block ends).
    pub window_start: DateTime<Utc>,
    /// Blocks in a row without a quiet window between them.
    pub lockouts: u32,
    pub blocked_until: Option<DateTime<Utc>>,
}

impl ThrottleState {
    /// Until when the key is blocked at `now`, if it is.
    pub fn blocked_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.blocked_until.filter(|until| *until > now)
    }
}

impl ThrottlePolicy {
    /// The state after one more failure at `now`.
    pub fn after_failure(&self, prev: Option<&ThrottleState>, now: DateTime<Utc>) -> ThrottleState {
        let mut next = match prev {
            // A quiet window (or no history) starts over, lockouts included.
            Some(p) if p.window_start + self.window > now => p.clone(),
            _ => ThrottleState {
                failures: 0,
                window_start: now,
                lockouts: 0,
                blocked_until: None,
            },
        };
        next.failures += 1;
        if next.failures >= self.limit.max(1) {
            let until = now + self.backoff(next.lockouts);
            next.lockouts += 1;
            next.failures = 0;
            // The next window begins when the block ends, so failures right after it
            // still count towards a longer block.
            next.window_start = until;
            next.blocked_until = Some(until);
        }
        next
    }

    /// The length of the block after `lockouts` earlier blocks in a row.
    pub fn backoff(&self, lockouts: u32) -> Duration {
        let factor = 1_i32 << lockouts.min(20);
        (self.base_backoff * factor).min(self.max_backoff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy() -> ThrottlePolicy {
        ThrottlePolicy {
            limit: 3,
            window: Duration::minutes(15),
            base_backoff: Duration::seconds(30),
            max_backoff: Duration::minutes(2),
        }
    }

    fn t(secs: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + Duration::seconds(secs)
    }

    fn fail(times: &[i64]) -> ThrottleState {
        let mut state = None;
        for &s in times {
            state = Some(policy().after_failure(state.as_ref(), t(s)));
        }
        state.expect("at least one failure")
    }

    #[test]
    fn the_limit_th_failure_blocks_for_the_base_backoff() {
        assert_eq!(fail(&[0, 1]).blocked_at(t(1)), None);
        let blocked = fail(&[0, 1, 2]);
        assert_eq!(blocked.blocked_at(t(2)), Some(t(32)));
        assert_eq!(blocked.blocked_at(t(32)), None, "ends on time");
    }

    #[test]
    fn blocks_in_a_row_double_up_to_the_cap() {
        let second = fail(&[0, 1, 2, 40, 41, 42]);
        assert_eq!(second.blocked_at(t(42)), Some(t(42 + 60)));
        let third = fail(&[0, 1, 2, 40, 41, 42, 110, 111, 112]);
        assert_eq!(third.blocked_at(t(112)), Some(t(112 + 120)));
        let fourth = fail(&[0, 1, 2, 40, 41, 42, 110, 111, 112, 240, 241, 242]);
        assert_eq!(fourth.blocked_at(t(242)), Some(t(242 + 120)), "capped");
    }

    #[test]
    fn a_quiet_window_forgets_failures_and_lockouts() {
        assert_eq!(fail(&[0, 1, 1000]).failures, 1);
        let after_quiet = fail(&[0, 1, 2, 32 + 900, 933, 934]);
        assert_eq!(after_quiet.blocked_at(t(934)), Some(t(964)), "base again");
        assert_eq!(after_quiet.lockouts, 1);
    }

    #[test]
    fn huge_lockout_counts_do_not_overflow() {
        assert_eq!(policy().backoff(u32::MAX), Duration::minutes(2));
    }
}
