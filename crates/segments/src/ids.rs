//! Dense ids by account: a hash table holding only the dense ids (4 bytes a slot), whose
//! keys are read from the account-by-id column the index keeps anyway. A map of
//! (account, id) pairs takes 16 bytes a slot: at 10,000,000 accounts that is ~190 MB
//! more to allocate, fill and, on a restore from a snapshot, fault in.

use crate::cells::Cells;
use hashbrown::{DefaultHashBuilder, HashTable};
use std::hash::BuildHasher;
use talkchannel_domain::AccountId;

#[derive(Debug, Default)]
pub struct Ids {
    table: HashTable<u32>,
    hasher: DefaultHashBuilder,
}

impl Ids {
    pub fn get(&self, accounts: &Cells<i64>, account: AccountId) -> Option<u32> {
        let hash = self.hasher.hash_one(account);
        self.table
            .find(hash, |&id| accounts.get(id as usize) == account)
            .copied()
    }

    /// Records `id` for the account stored at `accounts[id]`; false if the account
    /// already has an id.
    pub fn insert(&mut self, accounts: &Cells<i64>, id: u32) -> bool {
        let account = accounts.get(id as usize);
        let hash = self.hasher.hash_one(account);
        let hasher = &self.hasher;
        match self.table.entry(
            hash,
            |&other| accounts.get(other as usize) == account,
            |&other| hasher.hash_one(accounts.get(other as usize)),
        ) {
            hashbrown::hash_table::Entry::Occupied(_) => false,
            hashbrown::hash_table::Entry::Vacant(slot) => {
                slot.insert(id);
                true
            }
        }
    }

    pub fn reserve(&mut self, accounts: &Cells<i64>, additional: usize) {
        let hasher = &self.hasher;
        self.table
            .reserve(additional, |&id| hasher.hash_one(accounts.get(id as usize)));
    }
}
