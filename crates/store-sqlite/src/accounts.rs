use crate::error::backend;
use crate::rows::{all, cursor, date_text, stored, to_ms, AccountRow};
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use talkchannel_domain::{Account, AccountId, Gender, NewAccount, Page, PageRequest, PhoneNumber};
use talkchannel_store::{AccountStore, StoreResult};

#[async_trait]
impl AccountStore for SqliteStore {
    async fn insert_account(&self, new: &NewAccount, at: DateTime<Utc>) -> StoreResult<Account> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts \
             (nickname, phone_number, email, gender, birth_date, region, created_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&new.nickname)
        .bind(new.phone_number.as_ref().map(PhoneNumber::as_str))
        .bind(new.email.as_deref())
        .bind(new.gender.map(Gender::as_str))
        .bind(new.birth_date.map(date_text))
        .bind(new.region.as_deref())
        .bind(to_ms(at))
        .fetch_one(&self.writer)
        .await
        .map_err(backend)?;
        Ok(Account {
            id,
            nickname: new.nickname.clone(),
            phone_number: new.phone_number.clone(),
            email: new.email.clone(),
            gender: new.gender,
            birth_date: new.birth_date,
            region: new.region.clone(),
            created_at: stored(at),
        })
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>> {
        sqlx::query_as::<_, AccountRow>(
            "SELECT id, nickname, phone_number, email, gender, birth_date, region, created_at \
             FROM accounts WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(backend)?
        .map(AccountRow::into_domain)
        .transpose()
    }

    async fn accounts(&self, page: PageRequest) -> StoreResult<Page<Account>> {
        let rows = sqlx::query_as::<_, AccountRow>(crate::paged::ACCOUNTS)
            .bind(cursor(page))
            .bind(page.fetch_limit())
            .fetch_all(&self.reader)
            .await
            .map_err(backend)?;
        Ok(Page::from_rows(
            all(rows, AccountRow::into_domain)?,
            page,
            |a| a.id,
        ))
    }
}
