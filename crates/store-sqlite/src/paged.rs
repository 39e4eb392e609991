//! Every keyset-paged list's SQL, in one place the store methods and the plan test share.
//!
//! A page is `WHERE <scope> = ? AND <key> > ? ORDER BY <key> LIMIT ?`. It costs one index
//! seek plus `limit` rows only if one index leads with the scope columns and then the key;
//! otherwise SQLite reads every row of the scope (or of the table) and sorts them into a
//! temp b-tree on every page (issue 14: 0.14 s for `rows?limit=1` at 1M rows).
//! `tests/paged_plans.rs` asks SQLite for the plan of each query listed here and fails
//! when one sorts or does not seek by its scope, so the list cannot drift from the code:
//! the methods run these very texts.

// The plan does not depend on the bound values (no STAT4), but binding them keeps each
// statement exactly as the store runs it.
pub use talkchannel_store::{PagedArg as Arg, PagedQuery};

const CURSOR: Arg = Arg::Int(i64::MIN);
const LIMIT: Arg = Arg::Int(51);

/// Every `PageRequest`-taking store method's query. A new paged list belongs here.
pub fn paged_queries() -> Vec<PagedQuery> {
    use Arg::{Int, Text};
    let q = |list, sql: &str, table, scope, args: Vec<Arg>| PagedQuery {
        list,
        sql: sql.to_string(),
        table,
        scope,
        args,
    };
    vec![
        q("accounts", ACCOUNTS, "accounts", &[], vec![CURSOR, LIMIT]),
        q("apps", APPS, "apps", &[], vec![CURSOR, LIMIT]),
        q("channels", CHANNELS, "channels", &[], vec![CURSOR, LIMIT]),
        q(
            "friendship_log",
            FRIENDSHIP_LOG,
            "friendship_log",
            &["channel_id", "account_id"],
            vec![Int(1), Int(1), CURSOR, LIMIT],
        ),
        q(
            "file_rows",
            FILE_ROWS,
            "customer_file_rows",
            &["file_id"],
            vec![Int(1), CURSOR, LIMIT],
        ),
        q(
            "friend_groups",
            &friend_groups(),
            "friend_groups",
            &["channel_id"],
            vec![Int(1), CURSOR, LIMIT],
        ),
        q(
            "messages",
            &messages(),
            "messages",
            &["channel_id"],
            vec![Int(1), CURSOR, LIMIT],
        ),
        q(
            "webhook_events",
            &webhook_events(),
            "e",
            &["app_id"],
            vec![Int(1), Text(None), CURSOR, LIMIT],
        ),
        q(
            "webhook_events(state)",
            &webhook_events(),
            "e",
            &["app_id"],
            vec![Int(1), Text(Some("dead")), CURSOR, LIMIT],
        ),
        q(
            "webhook_attempts",
            WEBHOOK_ATTEMPTS,
            "a",
            &["app_id"],
            vec![Int(1), CURSOR, LIMIT],
        ),
    ]
}

pub(crate) const ACCOUNTS: &str =
    "SELECT id, nickname, phone_number, email, gender, birth_date, region, created_at \
     FROM accounts WHERE id > ? ORDER BY id LIMIT ?";

/// The page of apps is chosen first (so LIMIT counts apps, not keys) and joined to its
/// keys through `IN`: SQLite walks the IN list in id order, so the outer ORDER BY needs
/// no sort (a derived table `FROM (SELECT ... LIMIT ?) a` made it sort the page's keys).
pub(crate) const APPS: &str =
    "SELECT a.id AS app_id, a.name AS app_name, a.created_at AS app_created_at, \
            k.key, k.kind, k.is_primary, k.created_at AS key_created_at \
     FROM apps a LEFT JOIN app_keys k ON k.app_id = a.id \
     WHERE a.id IN (SELECT id FROM apps WHERE id > ? ORDER BY id LIMIT ?) \
     ORDER BY a.id";

pub(crate) const CHANNELS: &str =
    crate::channels::channel_select!("WHERE id > ? ORDER BY id LIMIT ?");

pub(crate) const FRIENDSHIP_LOG: &str =
    "SELECT seq, channel_id, account_id, action, from_relation, to_relation, source, at \
     FROM friendship_log \
     WHERE channel_id = ? AND account_id = ? AND seq > ? ORDER BY seq LIMIT ?";

/// Served by `customer_file_rows_page (file_id, seq)` (migration 0015).
pub(crate) const FILE_ROWS: &str =
    "SELECT seq, user_type, user_key, fields, account_id, updated_at \
     FROM customer_file_rows WHERE file_id = ? AND seq > ? ORDER BY seq LIMIT ?";

/// Served by `friend_groups_page (channel_id, id)` (migration 0015).
pub(crate) fn friend_groups() -> String {
    format!(
        "SELECT {} FROM friend_groups WHERE channel_id = ? AND id > ? ORDER BY id LIMIT ?",
        crate::friend_groups::COLUMNS
    )
}

pub(crate) fn messages() -> String {
    format!(
        "SELECT {} FROM messages WHERE channel_id = ? AND id > ? \
         AND test_of IS NULL ORDER BY id LIMIT ?",
        talkchannel_store::MESSAGE_COLUMNS
    )
}

pub(crate) fn webhook_events() -> String {
    format!(
        "{} WHERE e.app_id = ?1 AND (?2 IS NULL OR e.state = ?2) AND e.id > ?3 \
         ORDER BY e.id LIMIT ?4",
        crate::webhooks::EVENT_SELECT
    )
}

pub(crate) const WEBHOOK_ATTEMPTS: &str =
    "SELECT a.seq, e.resource_id, a.event_id, a.at, a.status, a.latency_ms, a.error \
     FROM webhook_attempts a JOIN webhook_events e ON e.id = a.event_id \
     WHERE a.app_id = ? AND a.seq > ? ORDER BY a.seq LIMIT ?";
