//! How an engine lists its keyset-paged queries for its plan test.
//!
//! Each engine keeps every paged list's SQL in its own `paged` module and describes each
//! with a [`PagedQuery`]; its `tests/paged_plans.rs` asks the database for the plan of
//! each and fails when one sorts or does not seek by its scope. The description is the
//! same for every engine, so it lives here.

/// A value to bind when asking for a plan.
#[derive(Debug, Clone, Copy)]
pub enum PagedArg {
    Int(i64),
    Text(Option<&'static str>),
}

/// One paged list's query as its store method runs it.
#[derive(Debug, Clone)]
pub struct PagedQuery {
    /// The store method that runs it (and a variant, when one method has two shapes).
    pub list: &'static str,
    pub sql: String,
    /// The paged table as the plan names it (its alias when the query gives one).
    pub table: &'static str,
    /// The columns the list is scoped by (`file_id = $1`), which the index must lead with.
    pub scope: &'static [&'static str],
    /// Placeholder values, in order.
    pub args: Vec<PagedArg>,
}
