//! A frozen copy of a channel index: what a count, a send's member list and a snapshot
//! read (the data only: evaluating it is `eval`'s), taken under the index's lock in well under a millisecond and used after the
//! lock is released, so catch-ups and other counts never wait for an evaluation.

use crate::cells::Cells;
use crate::index::{ChannelIndex, FileIndex};
use crate::text::TextColumn;
use roaring::RoaringBitmap;
use talkchannel_domain::{AccountId, ChannelId, FileId};

/// The index without its id lookup: the columns share their chunks with the live index
/// (copy-on-write, so a change made meanwhile copies only the chunk it touches) and the
/// bitmaps are copied (about a megabyte each at 10,000,000 accounts).
#[derive(Debug, Clone)]
pub struct Frozen {
    pub channel: ChannelId,
    pub version: i64,
    pub(crate) accounts: Cells<i64>,
    pub(crate) friends: RoaringBitmap,
    pub(crate) profiled: RoaringBitmap,
    pub(crate) gender: Cells<u8>,
    pub(crate) birth: Cells<i32>,
    pub(crate) region: TextColumn,
    /// In id order (the order a snapshot stores them in).
    pub(crate) files: Vec<(FileId, FileIndex)>,
}

impl ChannelIndex {
    pub fn freeze(&self, channel: ChannelId) -> Frozen {
        let mut files: Vec<(FileId, FileIndex)> =
            self.files.iter().map(|(id, f)| (*id, f.clone())).collect();
        files.sort_by_key(|(id, _)| *id);
        Frozen {
            channel,
            version: self.version,
            accounts: self.accounts.clone(),
            friends: self.friends.clone(),
            profiled: self.profiled.clone(),
            gender: self.gender.clone(),
            birth: self.birth.clone(),
            region: self.region.clone(),
            files,
        }
    }
}

impl Frozen {
    pub(crate) fn file(&self, id: FileId) -> Option<&FileIndex> {
        self.files
            .binary_search_by_key(&id, |(file, _)| *file)
            .ok()
            .map(|i| &self.files[i].1)
    }

    /// Accounts in any file of the channel.
    pub(crate) fn registered(&self) -> RoaringBitmap {
        let mut all = RoaringBitmap::new();
        for (_, file) in &self.files {
            all |= &file.members;
        }
        all
    }

    /// The account a dense id stands for.
    pub(crate) fn account(&self, id: u32) -> AccountId {
        self.accounts.get(id as usize)
    }
}
