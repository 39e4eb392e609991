//! The storage conformance suite: one async function per behaviour every engine must show,
//! and [`conformance_tests!`](crate::conformance_tests) to run them all as tests of an
//! engine's crate.
//!
//! ```ignore
//! // crates/store-xyz/tests/conformance.rs
//! async fn fresh() -> Option<Subject> {
//!     let store = XyzStore::connect(url).await.unwrap();
//!     store.migrate().await.unwrap();
//!     Some(Subject::new(store).keep(whatever_must_outlive_the_test))
//! }
//! talkchannel_store::conformance_tests!(fresh());
//! ```
//!
//! The expression given to the macro is evaluated once per test and must be a future of
//! `Option<impl IntoSubject>` (a store, or a [`Subject`]); `None` skips the test (an engine
//! whose database is unreachable says why itself). Each case gets a fresh, migrated, empty
//! store, so cases may count rows. The invoking crate needs `tokio` (a dev-dependency).
//!
//! Cases use fixed times (see [`fixtures::t0`]) with millisecond precision, as
//! `ManualClock` hands them out, so values read back must equal values written.

mod accounts;
mod app_users;
mod apps;
mod browser;
mod channel_time_zones;
mod channels;
mod concurrency;
mod consent;
mod customer_files;
pub mod fixtures;
mod friendship_transitions;
mod friendships;
mod generations;
mod login;
mod messages;
pub mod seeding;
mod segments;
mod settings;
mod throttle;
mod webhooks;

pub use accounts::*;
pub use app_users::*;
pub use apps::*;
pub use browser::*;
pub use channel_time_zones::*;
pub use channels::*;
pub use concurrency::*;
pub use consent::*;
pub use customer_files::*;
pub use friendship_transitions::*;
pub use friendships::*;
pub use generations::*;
pub use login::*;
pub use messages::*;
pub use segments::*;
pub use settings::*;
pub use throttle::*;
pub use webhooks::*;

use crate::Store;
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};

/// The store under test, with whatever must live as long as it (a temporary directory, a
/// throw-away database). The store is dropped first.
pub struct Subject {
    store: Arc<dyn Store>,
    _guards: Vec<Box<dyn Any + Send>>,
}

impl Subject {
    pub fn new(store: impl Store) -> Self {
        Self {
            store: Arc::new(store),
            _guards: Vec::new(),
        }
    }

    /// Keeps `guard` alive until the store has been dropped.
    pub fn keep(mut self, guard: impl Any + Send) -> Self {
        self._guards.push(Box::new(guard));
        self
    }

    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    pub fn shared(&self) -> Arc<dyn Store> {
        Arc::clone(&self.store)
    }
}

/// What a setup expression may produce: a bare store or a [`Subject`].
pub trait IntoSubject {
    fn into_subject(self) -> Subject;
}

impl IntoSubject for Subject {
    fn into_subject(self) -> Subject {
        self
    }
}

impl<S: Store> IntoSubject for S {
    fn into_subject(self) -> Subject {
        Subject::new(self)
    }
}

#[doc(hidden)]
pub fn __subject<T: IntoSubject>(setup: Option<T>) -> Option<Subject> {
    setup.map(IntoSubject::into_subject)
}

pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// Starts a task right away and returns a future that ends when it does (and panics if it
/// panicked). The macro passes one built on `tokio::spawn`.
pub type Spawn<'a> = &'a (dyn Fn(BoxFuture<()>) -> BoxFuture<()> + Sync);

/// Runs every task at once through `spawn` and returns their outputs in task order.
pub async fn run_concurrently<T: Send + 'static>(
    spawn: Spawn<'_>,
    tasks: Vec<BoxFuture<T>>,
) -> Vec<T> {
    let slots: Arc<Mutex<Vec<Option<T>>>> =
        Arc::new(Mutex::new(tasks.iter().map(|_| None).collect()));
    let running: Vec<BoxFuture<()>> = tasks
        .into_iter()
        .enumerate()
        .map(|(i, task)| {
            let slots = Arc::clone(&slots);
            spawn(Box::pin(async move {
                let out = task.await;
                slots.lock().unwrap_or_else(PoisonError::into_inner)[i] = Some(out);
            }))
        })
        .collect();
    for task in running {
        task.await;
    }
    let mut slots = slots.lock().unwrap_or_else(PoisonError::into_inner);
    slots
        .drain(..)
        .map(|out| out.expect("every task finished"))
        .collect()
}

/// Expands to one `#[tokio::test]` per conformance case, each on a fresh store from
/// `$setup` (a future of `Option<impl IntoSubject>`; `None` skips). See the module docs.
///
/// A new case is a `pub async fn` in a submodule (taking `&dyn Store`, or
/// `(Arc<dyn Store>, Spawn)` for concurrent ones) listed below under its kind.
#[macro_export]
macro_rules! conformance_tests {
    ($setup:expr $(,)?) => {
        $crate::__conformance_cases! {
            $setup;
            plain: [
                engine_is_named_and_answers_ping,
                settings_upsert_and_insert_if_absent,
                account_fields_round_trip,
                accounts_are_keyset_paginated,
                timestamps_round_trip_exactly,
                unicode_round_trips,
                app_round_trips_with_keys_in_order,
                key_owner_finds_every_key,
                insert_app_with_taken_key_conflicts_and_creates_nothing,
                apps_are_keyset_paginated,
                add_admin_key_to_unknown_app_is_not_found,
                add_admin_key_primary_replaces_previous_primary,
                add_admin_key_non_primary_keeps_primary,
                add_admin_key_taken_key_conflicts_and_changes_nothing,
                channel_round_trips,
                channel_public_ids_are_case_sensitive,
                insert_channel_taken_ids_conflict,
                channels_are_keyset_paginated,
                set_channel_status_updates_and_returns_channel,
                connect_reports_new_connections,
                connect_unknown_app_or_channel_is_not_found,
                disconnect_reports_removed_connections,
                connected_channels_in_connection_order,
                app_user_round_trips_with_scopes,
                insert_app_user_conflicts,
                insert_app_user_unknown_refs_not_found,
                same_account_and_user_id_across_apps,
                token_round_trips_with_its_app_user,
                insert_token_unknown_app_user_not_found,
                friendships_of_returns_only_existing_rows,
                friendship_add_writes_row_and_log_entry,
                friendship_no_op_writes_nothing,
                friendship_transitions_follow_domain_rule,
                friendship_first_added_at_is_set_once,
                friendship_change_unknown_refs_not_found,
                friendship_log_is_keyset_paginated,
                webhook_settings_round_trip,
                friendship_changes_enqueue_events,
                claims_keep_pair_order_and_honour_leases,
                finish_retries_pauses_dead_letters_and_logs,
                customer_file_round_trips,
                customer_file_names_and_slots_are_limited,
                file_rows_upsert_and_resolve_accounts,
                file_friends_follow_friendships_and_rows,
                file_rows_page_and_file_deletes,
                row_import_is_all_or_nothing,
                row_import_counts_replacements_and_friends,
                file_import_reports_round_trip,
                redirect_uris_are_replaced_in_order,
                client_secrets_are_set_and_removed,
                consent_settings_are_replaced_per_app,
                login_setters_on_unknown_refs_are_not_found,
                credentials_are_found_by_email_or_phone,
                revoke_tokens_deletes_only_that_users_tokens,
                unlink_removes_link_and_tokens,
                refresh_replaces_the_token_once,
                generations_follow_writes,
                sessions_round_trip_and_expire,
                sessions_are_trimmed_to_the_newest,
                authorization_codes_are_taken_once,
                authorization_codes_keep_their_challenge,
                scopes_are_replaced_and_friends_counted,
                follow_results_round_trip,
                friend_groups_round_trip,
                segment_version_follows_friendship_changes,
                segment_rows_stream_with_tombstones,
                messages_round_trip_with_keys_and_schedules,
                keyed_message_finds_what_a_key_did,
                delivery_fixes_recipients_once,
                channel_time_zones_are_stored,
                sign_in_failures_are_counted_per_key,
                old_throttle_rows_are_purged,
            ];
            concurrent: [
                concurrent_adds_on_one_pair_log_once,
                concurrent_mixed_changes_keep_log_consistent,
                concurrent_changes_on_many_pairs_all_apply,
                concurrent_put_setting_if_absent_stores_once,
                concurrent_connects_connect_once,
                concurrent_claims_are_disjoint,
                concurrent_code_takes_succeed_once,
                concurrent_deliveries_deliver_once,
                concurrent_sign_in_failures_all_count,
            ];
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_cases {
    ($setup:expr; plain: [$($case:ident),* $(,)?]; concurrent: [$($ccase:ident),* $(,)?];) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let Some(subject) = $crate::conformance::__subject($setup.await) else {
                    return;
                };
                $crate::conformance::$case(subject.store()).await;
            }
        )*
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $ccase() {
                let Some(subject) = $crate::conformance::__subject($setup.await) else {
                    return;
                };
                let spawn = |task: $crate::conformance::BoxFuture<()>| -> $crate::conformance::BoxFuture<()> {
                    let handle = ::tokio::spawn(task);
                    ::std::boxed::Box::pin(async move {
                        if let ::std::result::Result::Err(e) = handle.await {
                            if e.is_panic() {
                                ::std::panic::resume_unwind(e.into_panic());
                            }
                            panic!("conformance task failed: {e}");
                        }
                    })
                };
                $crate::conformance::$ccase(subject.shared(), &spawn).await;
            }
        )*
    };
}
