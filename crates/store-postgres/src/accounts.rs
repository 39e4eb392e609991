use crate::error::db;
use crate::rows::{after, convert_all, AccountRow, ACCOUNT_COLUMNS};
use crate::PgStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{Account, AccountId, NewAccount, Page, PageRequest};
use talkchannel_store::{AccountStore, StoreResult};

#[async_trait]
impl AccountStore for PgStore {
    async fn insert_account(&self, new: &NewAccount, at: DateTime<Utc>) -> StoreResult<Account> {
        let sql = format!(
            "INSERT INTO accounts (nickname, phone_number, email, gender, birth_date, region, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {ACCOUNT_COLUMNS}"
        );
        let row: AccountRow = sqlx::query_as(&sql)
            .bind(&new.nickname)
            .bind(new.phone_number.as_ref().map(|p| p.as_str()))
            .bind(&new.email)
            .bind(new.gender.map(|g| g.as_str()))
            .bind(new.birth_date)
            .bind(&new.region)
            .bind(at)
            .fetch_one(&self.pool)
            .await
            .map_err(db)?;
        row.try_into()
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        let row: Option<AccountRow> = sqlx::query_as(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.map(Account::try_from).transpose()
    }

    async fn accounts(&self, page: PageRequest) -> StoreResult<Page<Account>> {
        let rows: Vec<AccountRow> = sqlx::query_as(&crate::paged::accounts())
            .bind(after(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.pool)
            .await
            .map_err(db)?;
        Ok(Page::from_rows(convert_all(rows)?, page, |a: &Account| {
            a.id
        }))
    }
}
