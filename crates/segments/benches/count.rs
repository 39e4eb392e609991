//! `cargo bench -p talkchannel-segments --bench count`: the in-memory cost of a friend-group
//! count, without HTTP or a database. Builds an index of N friends (`COUNT_BENCH_FRIENDS`,
//! default 10,000,000) with the profile mix `talkchannel seed` writes, then times
//! (`COUNT_BENCH_SAMPLES` times each, default 50) the 3-predicate count (gender = female AND age 20-39 AND region in
//! {Seoul, Busan}) and each of its predicates alone. The end-to-end figures (HTTP,
//! catch-ups, churn) come from `talkchannel-bench segments`.

use chrono::NaiveDate;
use std::time::{Duration, Instant};
use talkchannel_domain::segment::{NumberRange, ProfilePredicate, TextTest};
use talkchannel_domain::{Condition, Gender};
use talkchannel_segments::ChannelIndex;
use talkchannel_store::{FriendRecord, Profile};

const REGIONS: [&str; 8] = [
    "Seoul", "Busan", "Incheon", "Daegu", "Daejeon", "Gwangju", "Ulsan", "Gyeonggi",
];

/// A cheap deterministic hash (the bench needs a spread, not randomness).
fn mix(k: u64, salt: u64) -> u64 {
    let mut x = k.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 31;
    x.wrapping_mul(0x94D0_49BB_1331_11EB) >> 7
}

/// Friend k's profile: female?, age in whole years, region.
fn profile_of(k: u64) -> (bool, u64, &'static str) {
    (
        mix(k, 1) % 2 == 0,
        15 + mix(k, 2) % 60,
        REGIONS[(mix(k, 4) % 8) as usize],
    )
}

/// The index, and how many friends each line of [`predicates`] must count, computed
/// from the generated profiles directly (so a fast but wrong scan fails the bench).
fn build(friends: u64, today: NaiveDate) -> (ChannelIndex, [u64; 4]) {
    let mut index = ChannelIndex::default();
    let mut expected = [0; 4];
    for k in 0..friends {
        let (female, age, region) = profile_of(k);
        let tests = [
            female,
            (20..=39).contains(&age),
            region == "Seoul" || region == "Busan",
        ];
        for (n, passed) in expected.iter_mut().zip(tests) {
            *n += u64::from(passed);
        }
        expected[3] += u64::from(tests.iter().all(|&t| t));
        // Born `age` years and 0-11 months before `today` (the 1st): exactly `age` today.
        let birth = today
            .checked_sub_months(chrono::Months::new(
                12 * age as u32 + (mix(k, 3) % 12) as u32,
            ))
            .expect("a date in range");
        index.apply_friend(&FriendRecord {
            account_id: k as i64 + 1,
            added: true,
            profile: Profile {
                gender: Some(if female { Gender::Female } else { Gender::Male }),
                birth_date: Some(birth),
                region: Some(region.to_string()),
            },
        });
    }
    (index, expected)
}

fn predicates() -> Vec<(&'static str, Condition)> {
    let gender = Condition::Profile(ProfilePredicate::Gender([Gender::Female].into()));
    let age = Condition::Profile(ProfilePredicate::Age(NumberRange {
        low: Some((20.0, true)),
        high: Some((39.0, true)),
    }));
    let region = Condition::Profile(ProfilePredicate::Region(TextTest::In(
        ["Seoul".to_string(), "Busan".to_string()].into(),
    )));
    vec![
        ("gender = female", gender.clone()),
        ("age 20-39", age.clone()),
        ("region in {Seoul, Busan}", region.clone()),
        ("all three (AND)", Condition::And(vec![gender, age, region])),
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

/// A number from the environment, or the default.
fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let friends = setting("COUNT_BENCH_FRIENDS", 10_000_000);
    let samples = setting("COUNT_BENCH_SAMPLES", 50) as usize;
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
    let started = Instant::now();
    let (index, expected) = build(friends, today);
    // What the engine evaluates on: a copy taken under the index's lock.
    let frozen = index.freeze(1);
    println!(
        "index of {friends} friends built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("| count | friends matched | p50 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    for ((name, condition), expected) in predicates().into_iter().zip(expected) {
        let mut times = Vec::with_capacity(samples);
        let mut matched = 0;
        for _ in 0..samples {
            let t = Instant::now();
            matched = frozen.count(&condition, today).friends;
            times.push(t.elapsed());
        }
        assert_eq!(
            matched, expected,
            "{name}: the index counted {matched}, not {expected}"
        );
        times.sort();
        println!(
            "| {name} | {matched} | {:.2} | {:.2} | {:.2} |",
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            percentile(&times, 1.0)
        );
    }
}
