//! Consent items: the app's settings (the developer console's 동의항목), and what a user
//! has agreed to as Kakao's `/v2/user/scopes` and `/v2/user/revoke/scopes` report it.

use crate::{Caller, ServiceError, ServiceResult, Services};
use std::collections::BTreeSet;
use talkchannel_domain::consent::{ConsentItems, Requirement};
use talkchannel_domain::{AppId, AppUser, UserId, ValidationError};
use talkchannel_store::StoreError;

/// One item as a user's consent details show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeStatus {
    pub scope: &'static str,
    pub requirement: Requirement,
    pub agreed: bool,
}

impl ScopeStatus {
    /// Only optional items can be taken back; required ones hold the link.
    pub fn revocable(&self) -> bool {
        self.agreed && self.requirement == Requirement::Optional
    }
}

impl Services {
    /// The app's setting for every known item.
    pub async fn consent_items(&self, app: AppId) -> ServiceResult<ConsentItems> {
        self.app(app).await?;
        self.stored_consent_items(app).await
    }

    pub(crate) async fn stored_consent_items(&self, app: AppId) -> ServiceResult<ConsentItems> {
        let stored = self.store.consent_settings(app).await?;
        ConsentItems::with(stored.iter().map(|(s, r)| (s.as_str(), *r))).map_err(|item| {
            ServiceError::Backend(format!(
                "unknown consent item `{item}` stored for app {app}"
            ))
        })
    }

    /// Replaces the app's settings: the given items as given, the others at the default
    /// (`optional`). Returns every item's setting.
    pub async fn set_consent_items(
        &self,
        app: AppId,
        changes: &[(String, String)],
    ) -> ServiceResult<ConsentItems> {
        let current = ConsentItems::default();
        let mut parsed = Vec::with_capacity(changes.len());
        for (scope, requirement) in changes {
            let requirement = Requirement::parse(requirement).ok_or_else(|| {
                ValidationError::new(
                    format!("consent_items.{scope}"),
                    "must be `required`, `optional` or `disabled`",
                )
            })?;
            parsed.push((scope.as_str(), requirement));
        }
        let kept = current.iter().map(|(s, r)| (s as &str, r));
        let items = ConsentItems::with(kept.chain(parsed)).map_err(|item| {
            ValidationError::new(
                "consent_items",
                format!(
                    "unknown consent item `{item}`; known: {}",
                    talkchannel_domain::app_user::KNOWN_SCOPES.join(", ")
                ),
            )
        })?;
        self.store
            .set_consent_settings(app, &items.overrides())
            .await
            .map_err(|e| match e {
                StoreError::NotFound(what) => ServiceError::not_found(what, app),
                other => other.into(),
            })?;
        Ok(items)
    }

    /// The user's consent details: every item the app uses (or those in `only`).
    pub async fn scope_statuses(
        &self,
        caller: Caller,
        target: Option<UserId>,
        only: Option<&BTreeSet<String>>,
    ) -> ServiceResult<(UserId, Vec<ScopeStatus>)> {
        let user = self.resolve_app_user(caller, target).await?;
        self.statuses_of(&user, only).await
    }

    async fn statuses_of(
        &self,
        user: &AppUser,
        only: Option<&BTreeSet<String>>,
    ) -> ServiceResult<(UserId, Vec<ScopeStatus>)> {
        let items = self.stored_consent_items(user.app_id).await?;
        if let Some(unknown) = only.and_then(|o| o.iter().find(|s| items.requirement(s).is_none()))
        {
            return Err(invalid_scope(unknown, "is not a consent item"));
        }
        let statuses = items
            .iter()
            .filter(|(scope, r)| only.map_or(*r != Requirement::Disabled, |o| o.contains(*scope)))
            .map(|(scope, requirement)| ScopeStatus {
                scope,
                requirement,
                agreed: user.has_scope(scope),
            })
            .collect();
        Ok((user.user_id, statuses))
    }

    /// Takes back the user's consent to `scopes` (each agreed and optional), all or none;
    /// returns the details afterwards.
    pub async fn revoke_scopes(
        &self,
        caller: Caller,
        target: Option<UserId>,
        scopes: &BTreeSet<String>,
    ) -> ServiceResult<(UserId, Vec<ScopeStatus>)> {
        let user = self.resolve_app_user(caller, target).await?;
        let (_, before) = self.statuses_of(&user, None).await?;
        for scope in scopes {
            match before.iter().find(|s| s.scope == scope) {
                None => return Err(invalid_scope(scope, "is not a consent item the app uses")),
                Some(s) if !s.agreed => return Err(invalid_scope(scope, "was not agreed")),
                Some(s) if !s.revocable() => {
                    return Err(invalid_scope(scope, "is required and cannot be revoked"))
                }
                Some(_) => {}
            }
        }
        let left: BTreeSet<String> = user.scopes.difference(scopes).cloned().collect();
        let after = self
            .store
            .set_app_user_scopes(user.app_id, user.user_id, &left)
            .await?
            .ok_or(ServiceError::NotLinked)?;
        self.statuses_of(&after, None).await
    }
}

fn invalid_scope(scope: &str, why: &str) -> ServiceError {
    ServiceError::Invalid(ValidationError::new(
        "scopes",
        format!("`{}` {why}", scope.chars().take(40).collect::<String>()),
    ))
}
