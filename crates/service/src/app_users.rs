use crate::{secrets, ServiceError, ServiceResult, Services};
use std::collections::BTreeSet;
use talkchannel_domain::app_user::KNOWN_SCOPES;
use talkchannel_domain::{
    AccountId, AppId, AppUser, Clash, Entity, TokenRecord, UserId, ValidationError,
};
use talkchannel_store::{NewAppUser, StoreError};

/// Link an account to an app, as Kakao Login's first consent does.
#[derive(Debug, Clone, Default)]
pub struct LinkRequest {
    pub account_id: AccountId,
    pub scopes: Vec<String>,
    /// A fixed app user id (handy for scripted tests); drawn at random when absent.
    pub user_id: Option<UserId>,
}

/// A freshly issued token pair, shown to the caller once (only hashes are stored).
#[derive(Debug, Clone)]
pub struct IssuedTokens {
    pub access_token: String,
    pub expires_in: i64,
    pub refresh_token: String,
    pub refresh_token_expires_in: i64,
}

const USER_ID_ATTEMPTS: usize = 5;

impl Services {
    pub async fn link_account(
        &self,
        app: AppId,
        req: &LinkRequest,
    ) -> ServiceResult<(AppUser, IssuedTokens)> {
        let scopes = validate_scopes(&req.scopes)?;
        if let Some(id) = req.user_id {
            if id <= 0 {
                return Err(ValidationError::new("user_id", "must be a positive number").into());
            }
        }
        self.app(app).await?;
        self.account(req.account_id).await?;
        let user = self.insert_app_user(app, req, scopes).await?;
        let tokens = self.issue_tokens(app, user.user_id).await?;
        Ok((user, tokens))
    }

    pub(crate) async fn insert_app_user(
        &self,
        app: AppId,
        req: &LinkRequest,
        scopes: BTreeSet<String>,
    ) -> ServiceResult<AppUser> {
        let linked_at = self.now();
        for _ in 0..USER_ID_ATTEMPTS {
            let new = NewAppUser {
                app_id: app,
                account_id: req.account_id,
                user_id: req.user_id.unwrap_or_else(secrets::user_id),
                scopes: scopes.clone(),
                linked_at,
            };
            match self.store.insert_app_user(&new).await {
                Err(StoreError::Conflict(Clash::UserIdTaken)) if req.user_id.is_none() => continue,
                Err(StoreError::Conflict(clash @ Clash::UserIdTaken)) => {
                    return Err(ServiceError::conflict(
                        clash,
                        format!("user_id {} is already used in this app", new.user_id),
                    ))
                }
                Err(StoreError::Conflict(clash)) => {
                    return Err(ServiceError::conflict(
                        clash,
                        format!("account {} is already linked to this app", req.account_id),
                    ))
                }
                other => return Ok(other?),
            }
        }
        Err(ServiceError::Backend(
            "could not draw a unique user id".into(),
        ))
    }

    pub async fn app_user(&self, app: AppId, user_id: UserId) -> ServiceResult<AppUser> {
        self.store
            .app_user(app, user_id)
            .await?
            .ok_or_else(|| ServiceError::not_found(Entity::AppUser, user_id))
    }

    /// Issues a new token pair for a linked user (earlier pairs stay valid until they expire).
    pub async fn issue_tokens(&self, app: AppId, user_id: UserId) -> ServiceResult<IssuedTokens> {
        self.app_user(app, user_id).await?;
        let now = self.now();
        let issued = IssuedTokens {
            access_token: secrets::bearer_token(),
            expires_in: self.tokens.access_ttl.num_seconds(),
            refresh_token: secrets::bearer_token(),
            refresh_token_expires_in: self.tokens.refresh_ttl.num_seconds(),
        };
        let record = TokenRecord {
            app_id: app,
            user_id,
            access_hash: secrets::token_hash(&issued.access_token),
            access_expires_at: now + self.tokens.access_ttl,
            refresh_hash: secrets::token_hash(&issued.refresh_token),
            refresh_expires_at: now + self.tokens.refresh_ttl,
            issued_at: now,
        };
        self.store.insert_token(&record).await?;
        Ok(issued)
    }
}

fn validate_scopes(scopes: &[String]) -> Result<BTreeSet<String>, ValidationError> {
    scopes
        .iter()
        .map(|s| {
            let s = s.trim();
            if KNOWN_SCOPES.contains(&s) {
                Ok(s.to_owned())
            } else {
                Err(ValidationError::new(
                    "scopes",
                    format!(
                        "unknown scope `{s}`; known scopes: {}",
                        KNOWN_SCOPES.join(", ")
                    ),
                ))
            }
        })
        .collect()
}
