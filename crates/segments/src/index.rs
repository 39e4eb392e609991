//! One channel's in-memory index: dense ids for the accounts it knows, the friend set,
//! profile columns and, per customer file, its members and one column per field.

use crate::cells::Cells;
use crate::columns::NumberColumn;
use crate::ids::Ids;
use crate::text::TextColumn;
use roaring::RoaringBitmap;
use std::collections::HashMap;
use talkchannel_domain::{AccountId, FieldType, FileId, Gender};
use talkchannel_store::{FieldValue, FriendRecord, Profile, RowRecord};

/// No birth date in the birth column.
pub const NO_BIRTH: i32 = i32::MIN;

#[derive(Debug)]
pub struct ChannelIndex {
    /// The segment version the index reflects.
    pub version: i64,
    /// Dense id by account (see `ids`).
    pub(crate) ids: Ids,
    /// Account by dense id: the keys of `ids`, what members resolve to and what a
    /// snapshot stores (`ids` is rebuilt from it).
    pub(crate) accounts: Cells<i64>,
    /// Accounts whose relation with the channel is ADDED.
    pub friends: RoaringBitmap,
    /// Accounts whose profile is loaded (friends come with theirs; file-only accounts
    /// are looked up in batches).
    pub profiled: RoaringBitmap,
    /// 0 = unknown, 1 = female, 2 = male.
    pub gender: Cells<u8>,
    /// Days from the common era (`NaiveDate::num_days_from_ce`), [`NO_BIRTH`] if unknown.
    pub birth: Cells<i32>,
    pub region: TextColumn,
    pub files: HashMap<FileId, FileIndex>,
}

impl Default for ChannelIndex {
    fn default() -> Self {
        Self {
            version: talkchannel_store::SINCE_THE_START,
            ids: Ids::default(),
            accounts: Cells::new(0),
            friends: RoaringBitmap::new(),
            profiled: RoaringBitmap::new(),
            gender: Cells::new(0),
            birth: Cells::new(NO_BIRTH),
            region: TextColumn::default(),
            files: HashMap::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct FileIndex {
    pub fields: Vec<(String, FieldType)>,
    /// Accounts with at least one row in the file.
    pub members: RoaringBitmap,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone)]
pub enum Column {
    Number(NumberColumn),
    Text(TextColumn),
}

impl FileIndex {
    pub fn new(fields: Vec<(String, FieldType)>) -> Self {
        let columns = fields
            .iter()
            .map(|(_, kind)| match kind {
                FieldType::Number => Column::Number(NumberColumn::default()),
                FieldType::String => Column::Text(TextColumn::default()),
            })
            .collect();
        Self {
            fields,
            members: RoaringBitmap::new(),
            columns,
        }
    }

    /// Makes the row the account's values in this file (the latest row wins).
    pub fn apply(&mut self, id: u32, record: &RowRecord) {
        self.members.insert(id);
        for (column, value) in self.columns.iter_mut().zip(&record.values) {
            match (column, value) {
                (Column::Number(c), Some(FieldValue::Number(x))) => c.set(id, Some(*x)),
                (Column::Text(c), Some(FieldValue::Text(s))) => c.set(id, Some(s)),
                (Column::Number(c), _) => c.set(id, None),
                (Column::Text(c), _) => c.set(id, None),
            }
        }
    }

    /// Forgets the account's values in this file.
    pub fn clear(&mut self, id: u32) {
        if self.members.remove(id) {
            for column in &mut self.columns {
                match column {
                    Column::Number(c) => c.set(id, None),
                    Column::Text(c) => c.set(id, None),
                }
            }
        }
    }

    pub fn column(&self, field: &str) -> Option<&Column> {
        let i = self.fields.iter().position(|(name, _)| name == field)?;
        self.columns.get(i)
    }
}

impl ChannelIndex {
    /// How many dense ids are handed out (the universe NOT complements against).
    pub fn accounts(&self) -> u32 {
        self.accounts.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.accounts.len() == 0
    }

    pub fn id(&self, account: AccountId) -> Option<u32> {
        self.ids.get(&self.accounts, account)
    }

    /// The account's dense id, handing out the next one to a new account.
    pub fn id_or_new(&mut self, account: AccountId) -> u32 {
        if let Some(id) = self.id(account) {
            return id;
        }
        let id = self.accounts();
        self.accounts.push(account);
        self.ids.insert(&self.accounts, id);
        id
    }

    pub fn apply_friend(&mut self, record: &FriendRecord) {
        let id = self.id_or_new(record.account_id);
        if record.added {
            self.friends.insert(id);
        } else {
            self.friends.remove(id);
        }
        self.set_profile(id, &record.profile);
    }

    pub fn set_profile(&mut self, id: u32, profile: &Profile) {
        let gender = match profile.gender {
            None => 0,
            Some(Gender::Female) => 1,
            Some(Gender::Male) => 2,
        };
        self.gender.set(id as usize, gender);
        let birth = profile
            .birth_date
            .map_or(NO_BIRTH, |d| chrono::Datelike::num_days_from_ce(&d));
        self.birth.set(id as usize, birth);
        self.region.set(id, profile.region.as_deref());
        self.profiled.insert(id);
    }
}
