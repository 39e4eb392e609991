//! Every keyset-paged list's SQL, in one place the store methods and the plan test share.
//!
//! A page is `WHERE <scope> = $1 AND <key> > $2 ORDER BY <key> LIMIT $3`. It costs one
//! index descent plus `limit` rows only if one index leads with the scope columns and then
//! the key. Without one PostgreSQL either sorts the scope's rows on every page or walks
//! the primary key in key order filtering the scope, reading every other file's rows (what
//! the customer-file rows list did: issue 14). `tests/paged_plans.rs` asks PostgreSQL
//! for the plan of each query listed here and fails when one sorts or does not seek by its
//! scope, so the list cannot drift from the code: the methods run these very texts.

pub use talkchannel_store::{PagedArg as Arg, PagedQuery};

const CURSOR: Arg = Arg::Int(i64::MIN);
const LIMIT: Arg = Arg::Int(51);

/// Every `PageRequest`-taking store method's query. A new paged list belongs here.
pub fn paged_queries() -> Vec<PagedQuery> {
    use Arg::{Int, Text};
    let q = |list, sql: String, table, scope, args: Vec<Arg>| PagedQuery {
        list,
        sql,
        table,
        scope,
        args,
    };
    vec![
        q("accounts", accounts(), "accounts", &[], vec![CURSOR, LIMIT]),
        q("apps", APPS.into(), "apps", &[], vec![CURSOR, LIMIT]),
        q("channels", channels(), "channels", &[], vec![CURSOR, LIMIT]),
        q(
            "friendship_log",
            friendship_log(),
            "friendship_log",
            &["channel_id", "account_id"],
            vec![Int(1), Int(1), CURSOR, LIMIT],
        ),
        q(
            "file_rows",
            FILE_ROWS.into(),
            "customer_file_rows",
            &["file_id"],
            vec![Int(1), CURSOR, LIMIT],
        ),
        q(
            "friend_groups",
            friend_groups(),
            "friend_groups",
            &["channel_id"],
            vec![Int(1), CURSOR, LIMIT],
        ),
        q(
            "messages",
            messages(),
            "messages",
            &["channel_id"],
            vec![Int(1), CURSOR, LIMIT],
        ),
        q(
            "webhook_events",
            webhook_events(),
            "webhook_events e",
            &["app_id"],
            vec![Int(1), Text(None), CURSOR, LIMIT],
        ),
        q(
            "webhook_events(state)",
            webhook_events(),
            "webhook_events e",
            &["app_id"],
            vec![Int(1), Text(Some("dead")), CURSOR, LIMIT],
        ),
        q(
            "webhook_attempts",
            WEBHOOK_ATTEMPTS.into(),
            "webhook_attempts a",
            &["app_id"],
            vec![Int(1), CURSOR, LIMIT],
        ),
    ]
}

pub(crate) fn accounts() -> String {
    let columns = crate::rows::ACCOUNT_COLUMNS;
    format!("SELECT {columns} FROM accounts WHERE id > $1 ORDER BY id LIMIT $2")
}

/// The page's keys are read by a second query, so LIMIT counts apps, not keys.
pub(crate) const APPS: &str =
    "SELECT id, name, created_at FROM apps WHERE id > $1 ORDER BY id LIMIT $2";

pub(crate) fn channels() -> String {
    let columns = crate::rows::CHANNEL_COLUMNS;
    format!("SELECT {columns} FROM channels WHERE id > $1 ORDER BY id LIMIT $2")
}

pub(crate) fn friendship_log() -> String {
    format!(
        "SELECT {} FROM friendship_log \
         WHERE channel_id = $1 AND account_id = $2 AND seq > $3 ORDER BY seq LIMIT $4",
        crate::rows::LOG_COLUMNS
    )
}

/// Served by `customer_file_rows_page_idx (file_id, seq)` (migration 0015).
pub(crate) const FILE_ROWS: &str =
    "SELECT seq, user_type, user_key, fields, account_id, updated_at \
     FROM customer_file_rows WHERE file_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";

/// Served by `friend_groups_page_idx (channel_id, id)` (migration 0015).
pub(crate) fn friend_groups() -> String {
    format!(
        "SELECT {} FROM friend_groups WHERE channel_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        crate::friend_groups::COLUMNS
    )
}

pub(crate) fn messages() -> String {
    format!(
        "SELECT {} FROM messages WHERE channel_id = $1 AND id > $2 \
         AND test_of IS NULL ORDER BY id LIMIT $3",
        talkchannel_store::MESSAGE_COLUMNS
    )
}

pub(crate) fn webhook_events() -> String {
    format!(
        "SELECT {} FROM webhook_events e JOIN channels c ON c.id = e.channel_id \
         WHERE e.app_id = $1 AND ($2::text IS NULL OR e.state = $2) AND e.id > $3 \
         ORDER BY e.id LIMIT $4",
        crate::webhooks::EVENT_FIELDS
    )
}

pub(crate) const WEBHOOK_ATTEMPTS: &str =
    "SELECT a.seq, e.resource_id, a.event_id, a.at, a.status, a.latency_ms, a.error \
     FROM webhook_attempts a JOIN webhook_events e ON e.id = a.event_id \
     WHERE a.app_id = $1 AND a.seq > $2 ORDER BY a.seq LIMIT $3";
