//! Rendered relationship answers, reused while the store's generation of the data they
//! were built from is unchanged.
//!
//! A relationship answer is a pure function of the app's connected channels, the
//! account's friendships, the user id, the filter and the wire version. The store names
//! the state of the first two with a [`RelationshipGeneration`], read before the data
//! (see `Services::relationship_subject`); an entry keeps the generation it was built
//! under and serves only while that is still the current one. Stores that keep no
//! generation (PostgreSQL today: other nodes write behind this one's back) get no reuse.

use bytes::Bytes;
use moka::sync::Cache;
use std::sync::Arc;
use talkchannel_domain::{AppId, UserId};
use talkchannel_service::{ChannelFilter, RelationshipSubject};
use talkchannel_store::RelationshipGeneration;

/// At most this many bytes of rendered answers are kept (about 12,000 answers that list
/// 100 channels each; typical apps have a handful of channels and far smaller answers).
pub const ANSWER_CACHE_BYTES: u64 = 128 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct AnswerKey {
    app: AppId,
    user_id: UserId,
    filter: ChannelFilter,
    /// Which rendering (API version) the bytes are.
    variant: u8,
}

struct Entry {
    generation: RelationshipGeneration,
    answer: Bytes,
}

pub struct AnswerCache {
    entries: Cache<AnswerKey, Arc<Entry>>,
}

impl AnswerCache {
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

    /// The subject's answer for `filter` and `variant`: the one rendered under the
    /// subject's generation if there is one, else `build()`'s (kept when the store gave a
    /// generation).
    pub async fn answer<E, F>(
        &self,
        subject: &RelationshipSubject,
        filter: &ChannelFilter,
        variant: u8,
        build: impl FnOnce() -> F,
    ) -> Result<Bytes, E>
    where
        F: std::future::Future<Output = Result<Bytes, E>>,
    {
        let Some(generation) = subject.generation else {
            return build().await;
        };
        let key = AnswerKey {
            app: subject.user.app_id,
            user_id: subject.user.user_id,
            filter: filter.clone(),
            variant,
        };
        if let Some(entry) = self.entries.get(&key) {
            if entry.generation == generation {
                return Ok(entry.answer.clone());
            }
        }
        let answer = build().await?;
        let entry = Entry {
            generation,
            answer: answer.clone(),
        };
        self.entries.insert(key, Arc::new(entry));
        Ok(answer)
    }
}

impl Default for AnswerCache {
    fn default() -> Self {
        Self::new(ANSWER_CACHE_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use talkchannel_domain::AppUser;

    fn subject(generation: Option<(u64, u64)>) -> RelationshipSubject {
        RelationshipSubject {
            user: AppUser {
                app_id: 1,
                account_id: 3,
                user_id: 7,
                scopes: Default::default(),
                linked_at: chrono::Utc::now(),
            },
            generation: generation.map(|(channels, friendships)| RelationshipGeneration {
                channels,
                friendships,
            }),
        }
    }

    async fn ask(cache: &AnswerCache, s: &RelationshipSubject, variant: u8, body: &str) -> Bytes {
        let body = Bytes::from(body.to_owned());
        cache
            .answer(s, &ChannelFilter::Connected, variant, || async {
                Ok::<_, ()>(body)
            })
            .await
            .expect("an answer")
    }

    #[tokio::test]
    async fn an_answer_is_reused_only_under_the_generation_it_was_built_from() {
        let cache = AnswerCache::new(1024);
        let built = subject(Some((1, 1)));
        assert_eq!(ask(&cache, &built, 2, "first").await, "first");
        assert_eq!(ask(&cache, &built, 2, "second").await, "first", "reused");
        assert_eq!(
            ask(&cache, &subject(Some((1, 2))), 2, "newer").await,
            "newer",
            "the friendships changed"
        );
        assert_eq!(
            ask(&cache, &built, 1, "v1").await,
            "v1",
            "another rendering"
        );
        let none = subject(None);
        assert_eq!(ask(&cache, &none, 2, "a").await, "a");
        assert_eq!(
            ask(&cache, &none, 2, "b").await,
            "b",
            "no generation, no reuse"
        );
    }
}
