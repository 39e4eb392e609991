//! Every keyset-paged list must be served by an index: PostgreSQL's plan for each query in
//! `talkchannel_store_postgres::paged` (the texts the store methods run) must have no
//! Sort node and must reach the paged table by an index scan whose `Index Cond` holds the
//! scope columns and the cursor.
//!
//! The method: the plans are asked for under `SET LOCAL enable_sort = off`. On the test's
//! near-empty tables a seq scan and a sort is the cheapest plan even when a fitting index
//! exists, so without the setting the test would fail for no reason. The setting does not
//! forbid sorting, it only prices it out: when no index yields the order, the plan still
//! sorts and the test fails. What it cannot catch alone, the planner walking the primary
//! key in key order and filtering the scope (no sort, but every other file's rows read),
//! the `Index Cond` check catches.

use sqlx::{PgPool, Row};
use talkchannel_store_postgres::paged::{paged_queries, Arg, PagedQuery};
use talkchannel_store_postgres::testing::TestDatabase;

async fn plan(pool: &PgPool, q: &PagedQuery) -> Vec<String> {
    let mut tx = pool.begin().await.expect("begin");
    sqlx::query("SET LOCAL enable_sort = off")
        .execute(&mut *tx)
        .await
        .expect("set");
    let sql = format!("EXPLAIN (COSTS OFF) {}", q.sql);
    let mut query = sqlx::query(&sql);
    for arg in &q.args {
        query = match *arg {
            Arg::Int(v) => query.bind(v),
            Arg::Text(v) => query.bind(v),
        };
    }
    let rows = query.fetch_all(&mut *tx).await.expect("explain");
    rows.iter().map(|r| r.get::<String, _>(0)).collect()
}

/// What is wrong with the plan, if anything.
fn fault(q: &PagedQuery, plan: &[String]) -> Option<String> {
    let node = |l: &str| {
        l.trim_start()
            .trim_start_matches("->")
            .trim_start()
            .to_string()
    };
    if let Some(line) = plan.iter().map(|l| node(l)).find(|l| l.contains("Sort")) {
        return Some(format!("sorts ({line})"));
    }
    // The scan of the paged table, then its `Index Cond` (the next lines up to the
    // following node).
    let at = plan.iter().position(|l| {
        let l = node(l);
        l.starts_with("Index") && l.ends_with(&format!(" on {}", q.table))
    });
    let Some(at) = at else {
        return Some(format!("no index scan on {}", q.table));
    };
    let cond = plan[at + 1..]
        .iter()
        .take_while(|l| !l.contains("->"))
        .find(|l| l.trim_start().starts_with("Index Cond:"));
    let seeks = cond.is_some_and(|c| {
        q.scope.iter().all(|col| c.contains(&format!("{col} = "))) && c.contains(" > ")
    });
    (!seeks).then(|| format!("{} not sought by {:?} and the cursor", q.table, q.scope))
}

#[tokio::test]
async fn no_paged_list_sorts_or_scans() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store().await;
    let mut faults = Vec::new();
    for q in paged_queries() {
        let plan = plan(store.pool(), &q).await;
        if let Some(f) = fault(&q, &plan) {
            faults.push(format!("{}: {f}\n    plan: {plan:#?}", q.list));
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
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let store = db.store().await;
    sqlx::query("DROP INDEX customer_file_rows_page_idx")
        .execute(store.pool())
        .await
        .expect("drop");
    let q = paged_queries()
        .into_iter()
        .find(|q| q.list == "file_rows")
        .expect("file_rows");
    let plan = plan(store.pool(), &q).await;
    assert!(
        fault(&q, &plan).is_some(),
        "passed without its index: {plan:?}"
    );
}
