//! Bringing a channel index up to the database: a full load the first time, then a
//! catch-up from what the store stamped above the index's version.

use crate::index::{ChannelIndex, FileIndex};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use talkchannel_domain::{AccountId, ChannelId, CustomerFile, FieldType, FileId};
use talkchannel_store::{Store, StoreResult, SINCE_THE_START};

/// Profiles looked up per query for accounts known only from file rows.
const PROFILE_BATCH: usize = 10_000;

fn fields_of(file: &CustomerFile) -> Vec<(String, FieldType)> {
    file.schema
        .fields()
        .iter()
        .map(|(name, kind)| (name.clone(), *kind))
        .collect()
}

/// Makes `index` reflect the database at `version` (or later) for the channel's current
/// `files`. The version is read by the caller before anything else, so every change at or
/// below it is visible to the reads here; changes above it that show up too are simply
/// applied again by the next catch-up (every step sets state, none adds to it).
///
/// Returns how many records it applied: the work a restart from the index's previous
/// snapshot would redo (a full load counts as none, its snapshot follows at once).
pub async fn sync(
    store: &dyn Store,
    index: &mut ChannelIndex,
    channel: ChannelId,
    files: &[CustomerFile],
    version: i64,
) -> StoreResult<u64> {
    let since = index.version;
    let mut applied = 0u64;
    if since != version {
        store
            .friend_records(channel, since, &mut |r| {
                applied += 1;
                index.apply_friend(&r)
            })
            .await?;
    }
    // Files deleted since, and files whose schema differs (an index restored from a
    // snapshot of another file under the same id), go; the latter load afresh below.
    let wanted: HashMap<FileId, Vec<(String, FieldType)>> =
        files.iter().map(|f| (f.id, fields_of(f))).collect();
    index
        .files
        .retain(|id, f| wanted.get(id).is_some_and(|fields| *fields == f.fields));
    let mut new_accounts = BTreeSet::new();
    for file in files {
        let fresh = !index.files.contains_key(&file.id);
        let from = if fresh { SINCE_THE_START } else { since };
        if !fresh && since == version {
            continue;
        }
        let mut file_index = index
            .files
            .remove(&file.id)
            .unwrap_or_else(|| FileIndex::new(fields_of(file)));
        let fields = file_index.fields.clone();
        store
            .row_records(file.id, &fields, from, &mut |r| {
                applied += 1;
                let id = index.id_or_new(r.account_id);
                if !index.profiled.contains(id) {
                    new_accounts.insert(r.account_id);
                }
                file_index.apply(id, &r);
            })
            .await?;
        index.files.insert(file.id, file_index);
    }
    if since != version && since != SINCE_THE_START {
        applied += replay_tombstones(store, index, channel, since).await?;
    }
    load_profiles(store, index, new_accounts).await?;
    index.version = version;
    Ok(if since == SINCE_THE_START { 0 } else { applied })
}

/// Rows deleted or moved to another account since `since`: the accounts they named are
/// recomputed from what the file holds now.
async fn replay_tombstones(
    store: &dyn Store,
    index: &mut ChannelIndex,
    channel: ChannelId,
    since: i64,
) -> StoreResult<u64> {
    let mut per_file: BTreeMap<FileId, BTreeSet<AccountId>> = BTreeMap::new();
    let tombstones = store.row_tombstones(channel, since).await?;
    let replayed = tombstones.len() as u64;
    for (file, account) in tombstones {
        per_file.entry(file).or_default().insert(account);
    }
    for (file, accounts) in per_file {
        let Some(file_index) = index.files.get_mut(&file) else {
            continue;
        };
        let accounts: Vec<AccountId> = accounts.into_iter().collect();
        let latest = store
            .account_rows(file, &file_index.fields, &accounts)
            .await?;
        for account in &accounts {
            if let Some(id) = index.ids.get(&index.accounts, *account) {
                file_index.clear(id);
            }
        }
        for record in &latest {
            if let Some(id) = index.ids.get(&index.accounts, record.account_id) {
                file_index.apply(id, record);
            }
        }
    }
    Ok(replayed)
}

async fn load_profiles(
    store: &dyn Store,
    index: &mut ChannelIndex,
    accounts: BTreeSet<AccountId>,
) -> StoreResult<()> {
    let accounts: Vec<AccountId> = accounts.into_iter().collect();
    for chunk in accounts.chunks(PROFILE_BATCH) {
        for (account, profile) in store.profiles(chunk).await? {
            let id = index.id_or_new(account);
            index.set_profile(id, &profile);
        }
    }
    Ok(())
}
