//! Every keyset-paged list must be served by an index: SQLite's plan for each query in
//! `talkchannel_store_sqlite::paged` (the texts the store methods run) must not sort
//! (`USE TEMP B-TREE FOR ORDER BY`) and must seek the paged table by its scope columns
//! and the cursor (`SEARCH t USING ... (file_id=? AND rowid>?)`). A plan that walks the
//! whole table in key order and filters the scope does not sort, but reads every other
//! file's rows too, so it fails as well.

use sqlx::{Row, SqlitePool};
use talkchannel_store_sqlite::paged::{paged_queries, Arg, PagedQuery};
use talkchannel_store_sqlite::SqliteStore;

/// A migrated database and a pool of its own on the same file.
async fn migrated() -> (tempfile::TempDir, SqlitePool) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}", dir.path().join("plans.db").display());
    let store = SqliteStore::connect(&url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store.close().await;
    (dir, SqlitePool::connect(&url).await.expect("pool"))
}

async fn plan(pool: &SqlitePool, q: &PagedQuery) -> Vec<String> {
    let sql = format!("EXPLAIN QUERY PLAN {}", q.sql);
    let mut query = sqlx::query(&sql);
    for arg in &q.args {
        query = match *arg {
            Arg::Int(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
        };
    }
    let rows = query.fetch_all(pool).await.expect("explain");
    rows.iter().map(|r| r.get::<String, _>("detail")).collect()
}

/// What is wrong with the plan, if anything.
fn fault(q: &PagedQuery, plan: &[String]) -> Option<String> {
    if let Some(line) = plan.iter().find(|l| l.contains("TEMP B-TREE")) {
        return Some(format!("sorts ({line})"));
    }
    let seeks = plan.iter().any(|l| {
        l.starts_with(&format!("SEARCH {} ", q.table))
            && q.scope.iter().all(|c| l.contains(&format!("{c}=?")))
            && l.contains(">?")
    });
    (!seeks).then(|| {
        format!(
            "no index seek on {} by {:?} and the cursor",
            q.table, q.scope
        )
    })
}

#[tokio::test]
async fn no_paged_list_sorts_or_scans() {
    let (_dir, pool) = migrated().await;
    let mut faults = Vec::new();
    for q in paged_queries() {
        let plan = plan(&pool, &q).await;
        if let Some(f) = fault(&q, &plan) {
            faults.push(format!("{}: {f}\n    plan: {plan:?}", q.list));
        }
    }
    assert!(
        faults.is_empty(),
        "paged lists not served by an index:\n{}",
        faults.join("\n")
    );
}

/// The check itself: without the index that serves it, the customer-file rows list
/// (issue 14's case) must fail it.
#[tokio::test]
async fn the_check_fails_without_the_index() {
    let (_dir, pool) = migrated().await;
    sqlx::query("DROP INDEX customer_file_rows_page")
        .execute(&pool)
        .await
        .expect("drop");
    let q = paged_queries()
        .into_iter()
        .find(|q| q.list == "file_rows")
        .expect("file_rows");
    let plan = plan(&pool, &q).await;
    assert!(
        fault(&q, &plan).is_some(),
        "passed without its index: {plan:?}"
    );
}
