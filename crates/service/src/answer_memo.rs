//! Rendered relationship answers, reused while the data they were built from is unchanged.
//!
//! A relationship answer is a pure function of the app's connected channels, the
//! account's friendships, the user id, the filter and the wire variant. When the store
//! shares snapshots ([`Store::shares_snapshots`](talkchannel_store::Store::shares_snapshots)),
//! an unchanged list is the same `Arc`; an entry keeps the two `Arc`s it was built from
//! (so their addresses cannot be reused) and is valid while both are still the current
//! ones. Any write the store sees gives a new `Arc`, so no entry needs invalidating.

use crate::relationships::ChannelFilter;
use bytes::Bytes;
use moka::sync::Cache;
use std::sync::Arc;
use talkchannel_domain::{AppId, Channel, Friendship, UserId};

/// At most this many bytes of rendered answers are kept (about 12,000 answers that list
/// 100 channels each; typical apps have a handful of channels and far smaller answers).
pub const ANSWER_MEMO_BYTES: u64 = 128 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct AnswerKey {
    pub app: AppId,
    pub user_id: UserId,
    pub filter: ChannelFilter,
    /// Which rendering (API version) the bytes are.
    pub variant: u8,
}

/// The inputs an answer was built from; the answer is valid while they are current.
#[derive(Clone)]
pub(crate) struct AnswerSource {
    pub channels: Arc<Vec<Channel>>,
    pub friendships: Arc<Vec<Friendship>>,
}

impl AnswerSource {
    fn is(&self, other: &AnswerSource) -> bool {
        Arc::ptr_eq(&self.channels, &other.channels)
            && Arc::ptr_eq(&self.friendships, &other.friendships)
    }
}

struct Entry {
    source: AnswerSource,
    answer: Bytes,
}

pub(crate) struct AnswerMemo {
    entries: Cache<AnswerKey, Arc<Entry>>,
}

impl AnswerMemo {
    pub fn new(max_bytes: u64) -> Self {
        Self {
            entries: Cache::builder()
                .max_capacity(max_bytes)
                .weigher(|_, entry: &Arc<Entry>| {
                    u32::try_from(entry.answer.len()).unwrap_or(u32::MAX)
                })
                .build(),
        }
    }

    /// The answer rendered from exactly `source`, if there is one.
    pub fn get(&self, key: &AnswerKey, source: &AnswerSource) -> Option<Bytes> {
        self.entries
            .get(key)
            .filter(|entry| entry.source.is(source))
            .map(|entry| entry.answer.clone())
    }

    pub fn put(&self, key: AnswerKey, source: AnswerSource, answer: Bytes) {
        self.entries.insert(key, Arc::new(Entry { source, answer }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AnswerKey {
        AnswerKey {
            app: 1,
            user_id: 7,
            filter: ChannelFilter::Connected,
            variant: 2,
        }
    }

    fn source() -> AnswerSource {
        AnswerSource {
            channels: Arc::new(Vec::new()),
            friendships: Arc::new(Vec::new()),
        }
    }

    #[test]
    fn an_answer_is_reused_only_for_the_snapshots_it_was_built_from() {
        let memo = AnswerMemo::new(1024);
        let built_from = source();
        memo.put(key(), built_from.clone(), Bytes::from_static(b"{}"));
        assert_eq!(
            memo.get(&key(), &built_from),
            Some(Bytes::from_static(b"{}"))
        );

        let equal_but_newer = source();
        assert_eq!(
            memo.get(&key(), &equal_but_newer),
            None,
            "a write made new lists"
        );
        let other_variant = AnswerKey {
            variant: 1,
            ..key()
        };
        assert_eq!(memo.get(&other_variant, &built_from), None);
    }
}
