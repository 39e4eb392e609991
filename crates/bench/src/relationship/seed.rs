//! The relationship bench's data: one app, N connected channels, M linked accounts, and
//! for each account a deterministic pseudo-random mix of ADDED, BLOCKED and NONE channels.

use crate::control::{App, ControlClient, FriendAction};
use crate::parallel::{finish, map_bounded, progress_bar};
use anyhow::{bail, Result};
use std::time::{Duration, Instant};

/// How much data to seed.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub accounts: usize,
    pub channels: usize,
    /// Channels each account has added.
    pub added: usize,
    /// Channels each account has blocked (never the ones it added).
    pub blocked: usize,
}

impl Plan {
    pub fn validate(&self) -> Result<()> {
        if self.accounts == 0 || self.channels == 0 {
            bail!("--accounts and --channels must be at least 1");
        }
        if self.added + self.blocked > self.channels {
            bail!(
                "--added ({}) plus --blocked ({}) exceed --channels ({})",
                self.added,
                self.blocked,
                self.channels
            );
        }
        Ok(())
    }

    /// Control API calls the seeding makes.
    pub fn calls(&self) -> usize {
        1 + 2 * self.channels + self.accounts * (2 + self.added + self.blocked)
    }
}

pub struct Dataset {
    pub app: App,
    pub users: Vec<SeededUser>,
    pub seeding_time: Duration,
}

#[derive(Debug, Clone)]
pub struct SeededUser {
    pub user_id: i64,
    pub access_token: String,
}

/// `_bench00042`: valid public ids (`_` + alphanumerics), stable across runs.
pub fn channel_public_id(index: usize) -> String {
    format!("_bench{index:05}")
}

/// Seeds everything with at most `concurrency` control calls in flight.
pub async fn seed(client: &ControlClient, plan: Plan, concurrency: usize) -> Result<Dataset> {
    let started = Instant::now();
    eprintln!(
        "seeding {} accounts x {} channels ({} control API calls, {concurrency} in flight)",
        plan.accounts,
        plan.channels,
        plan.calls()
    );
    let app = client.create_app("talkchannel-bench").await?;
    seed_channels(client, &app, plan.channels, concurrency).await?;
    let users = seed_users(client, &app, plan, concurrency).await?;
    let seeding_time = started.elapsed();
    eprintln!("seeded in {:.1}s", seeding_time.as_secs_f64());
    Ok(Dataset {
        app,
        users,
        seeding_time,
    })
}

async fn seed_channels(
    client: &ControlClient,
    app: &App,
    channels: usize,
    concurrency: usize,
) -> Result<()> {
    let bar = progress_bar(channels as u64, "channels");
    let started = Instant::now();
    map_bounded((0..channels).collect(), concurrency, &bar, |index| {
        let (client, app) = (client.clone(), app.clone());
        async move {
            let public_id = channel_public_id(index);
            client
                .create_channel(&public_id, &format!("Bench channel {index}"))
                .await?;
            client.connect(&app, &public_id).await
        }
    })
    .await?;
    finish(&bar, "channels created and connected", started);
    Ok(())
}

async fn seed_users(
    client: &ControlClient,
    app: &App,
    plan: Plan,
    concurrency: usize,
) -> Result<Vec<SeededUser>> {
    let bar = progress_bar(plan.accounts as u64, "accounts");
    let started = Instant::now();
    let users = map_bounded((0..plan.accounts).collect(), concurrency, &bar, |index| {
        seed_user(client.clone(), app.clone(), plan, index)
    })
    .await?;
    finish(&bar, "accounts linked with their friendships", started);
    Ok(users)
}

/// One account: created, linked with `plusfriends`, then its friendships, in order.
async fn seed_user(
    client: ControlClient,
    app: App,
    plan: Plan,
    index: usize,
) -> Result<SeededUser> {
    let account_id = client
        .create_account(&format!("bench user {index}"))
        .await?;
    let linked = client.link(&app, account_id, &["plusfriends"]).await?;
    for (channel, action) in friendships_of(plan, index) {
        client
            .friend(&channel_public_id(channel), account_id, action)
            .await?;
    }
    Ok(SeededUser {
        user_id: linked.user_id,
        access_token: linked.access_token,
    })
}

/// Which channels account `index` adds and blocks: the same on every run.
pub fn friendships_of(plan: Plan, index: usize) -> Vec<(usize, FriendAction)> {
    let picked = pick_distinct(plan.channels, plan.added + plan.blocked, index as u64);
    picked
        .into_iter()
        .enumerate()
        .map(|(i, channel)| {
            (
                channel,
                if i < plan.added {
                    FriendAction::Add
                } else {
                    FriendAction::Block
                },
            )
        })
        .collect()
}

/// `count` distinct numbers below `range`, by a partial Fisher-Yates shuffle.
fn pick_distinct(range: usize, count: usize, seed: u64) -> Vec<usize> {
    let mut pool: Vec<usize> = (0..range).collect();
    let mut rng = SplitMix64(seed ^ 0x7a1c_c4a7_5eed_0001);
    for i in 0..count.min(range) {
        let j = i + (rng.next() % (range - i) as u64) as usize;
        pool.swap(i, j);
    }
    pool.truncate(count.min(range));
    pool
}

/// A tiny deterministic generator; quality is ample for spreading friendships.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: Plan = Plan {
        accounts: 10,
        channels: 100,
        added: 30,
        blocked: 5,
    };

    #[test]
    fn each_account_gets_the_planned_mix() {
        for index in 0..50 {
            let picks = friendships_of(PLAN, index);
            let mut channels: Vec<_> = picks.iter().map(|(c, _)| *c).collect();
            channels.sort_unstable();
            channels.dedup();
            assert_eq!(channels.len(), 35, "distinct channels");
            assert!(channels.iter().all(|c| *c < 100));
            assert_eq!(
                picks
                    .iter()
                    .filter(|(_, a)| *a == FriendAction::Add)
                    .count(),
                30
            );
        }
    }

    #[test]
    fn mixes_are_deterministic_and_differ_between_accounts() {
        assert_eq!(friendships_of(PLAN, 7), friendships_of(PLAN, 7));
        assert_ne!(friendships_of(PLAN, 7), friendships_of(PLAN, 8));
    }

    #[test]
    fn refuses_more_friendships_than_channels() {
        assert!(Plan {
            added: 90,
            blocked: 20,
            ..PLAN
        }
        .validate()
        .is_err());
        assert!(PLAN.validate().is_ok());
    }

    #[test]
    fn public_ids_are_valid() {
        let id = channel_public_id(42);
        assert_eq!(id, "_bench00042");
        assert!(id[1..].bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
