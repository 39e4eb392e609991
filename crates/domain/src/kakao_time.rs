use chrono::{DateTime, Datelike, Timelike, Utc};
use std::fmt;

/// A time as Kakao's APIs write it: RFC 3339, UTC, whole seconds, `Z`
/// (`2018-03-14T05:25:01Z`). Formats without allocating, for hot responses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KakaoTime(pub DateTime<Utc>);

impl KakaoTime {
    /// The 20 ASCII bytes of the time, written digit by digit: this sits on the hot path
    /// of the relationship check (two times per channel), where `core::fmt` shows up.
    pub fn to_bytes(self) -> [u8; 20] {
        let t = self.0.naive_utc();
        let (date, time) = (t.date(), t.time());
        let mut out = *b"0000-00-00T00:00:00Z";
        let year = date.year().clamp(0, 9999) as u32;
        write_digits(&mut out[0..4], year);
        write_digits(&mut out[5..7], date.month());
        write_digits(&mut out[8..10], date.day());
        write_digits(&mut out[11..13], time.hour());
        write_digits(&mut out[14..16], time.minute());
        write_digits(&mut out[17..19], time.second());
        out
    }
}

fn write_digits(slot: &mut [u8], mut value: u32) {
    for byte in slot.iter_mut().rev() {
        *byte = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

impl fmt::Display for KakaoTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.to_bytes();
        f.write_str(std::str::from_utf8(&bytes).map_err(|_| fmt::Error)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{SecondsFormat, TimeZone};

    #[test]
    fn matches_rfc3339_in_seconds() {
        for t in [
            Utc.with_ymd_and_hms(2018, 3, 14, 5, 25, 1).unwrap(),
            Utc.timestamp_millis_opt(1_767_225_599_999).unwrap(),
            Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
        ] {
            assert_eq!(
                KakaoTime(t).to_string(),
                t.to_rfc3339_opts(SecondsFormat::Secs, true)
            );
        }
    }
}
