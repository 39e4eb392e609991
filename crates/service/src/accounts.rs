use crate::{ServiceError, ServiceResult, Services};
use chrono::NaiveDate;
use talkchannel_domain::{
    Account, AccountId, Entity, Gender, NewAccount, Page, PageRequest, ValidationError,
};

/// An account as a caller describes it, before validation.
#[derive(Debug, Clone, Default)]
pub struct AccountRequest {
    pub nickname: String,
    pub phone_number: Option<String>,
    pub email: Option<String>,
    pub gender: Option<String>,
    /// `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    pub region: Option<String>,
}

impl Services {
    pub async fn create_account(&self, req: &AccountRequest) -> ServiceResult<Account> {
        let now = self.now();
        let gender = req
            .gender
            .as_deref()
            .map(|g| {
                Gender::parse(g)
                    .ok_or_else(|| ValidationError::new("gender", "must be `female` or `male`"))
            })
            .transpose()?;
        let birth_date = req
            .birth_date
            .as_deref()
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d").map_err(|_| {
                    ValidationError::new(
                        "birth_date",
                        format!("`{d}` is not a date in YYYY-MM-DD form"),
                    )
                })
            })
            .transpose()?;
        let new = NewAccount::validate(
            &req.nickname,
            req.phone_number.as_deref(),
            req.email.as_deref(),
            gender,
            birth_date,
            req.region.as_deref(),
            now.date_naive(),
        )?;
        Ok(self.store.insert_account(&new, now).await?)
    }

    pub async fn account(&self, id: AccountId) -> ServiceResult<Account> {
        self.store
            .account(id)
            .await?
            .ok_or_else(|| ServiceError::not_found(Entity::Account, id))
    }

    pub async fn accounts(&self, page: PageRequest) -> ServiceResult<Page<Account>> {
        Ok(self.store.accounts(page).await?)
    }
}
