//! What happens to an event after a failed attempt: exponential backoff with jitter,
//! until the app's retry window closes, then the dead letter.

use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use talkchannel_store::{NextStep, WebhookEvent};

#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::seconds(1),
            max: Duration::minutes(10),
        }
    }
}

impl Backoff {
    /// The wait before attempt `failures + 1`: base·2^(failures-1), capped, then a random
    /// point in its upper half so a recovering receiver is not hit by a synchronized wave.
    pub fn delay(&self, failures: i64) -> Duration {
        let exponent = u32::try_from(failures.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let full = self
            .base
            .checked_mul(1 << exponent)
            .unwrap_or(self.max)
            .min(self.max);
        let ms = full.num_milliseconds().max(2);
        Duration::milliseconds(rand::rng().random_range(ms / 2..=ms))
    }

    pub fn next_step(
        &self,
        succeeded: bool,
        event: &WebhookEvent,
        retry_limit_secs: i64,
        now: DateTime<Utc>,
    ) -> NextStep {
        if succeeded {
            return NextStep::Delivered;
        }
        let deadline = event.retry_from + Duration::seconds(retry_limit_secs);
        if now >= deadline {
            return NextStep::Dead;
        }
        // The last retry lands on the deadline rather than past it.
        NextStep::RetryAt((now + self.delay(event.attempts + 1)).min(deadline))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_doubles_within_jitter_and_caps() {
        let b = Backoff::default();
        for (failures, full_ms) in [(1, 1_000), (2, 2_000), (4, 8_000), (40, 600_000)] {
            let d = b.delay(failures).num_milliseconds();
            assert!((full_ms / 2..=full_ms).contains(&d), "{failures}: {d}");
        }
    }
}
