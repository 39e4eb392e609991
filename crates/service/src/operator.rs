//! The operator token that guards the control API.

use crate::{secrets, ServiceResult, Services};

const SETTING: &str = "operator_token_sha256";

/// Where the operator token comes from.
#[derive(Debug, Clone)]
pub enum OperatorToken {
    /// Set in configuration; never stored.
    Configured(String),
    /// Generated on first start; only its hash is stored.
    Stored,
}

impl Services {
    /// On first start, generates the operator token and returns it (to print once);
    /// afterwards returns `None`. Safe when several nodes start at once: one token wins.
    pub async fn ensure_operator_token(&self) -> ServiceResult<Option<String>> {
        if self.store.setting(SETTING).await?.is_some() {
            return Ok(None);
        }
        let token = format!("tco_{}", secrets::alphanumeric(40));
        let stored = self
            .store
            .put_setting_if_absent(SETTING, &secrets::token_hash(&token))
            .await?;
        Ok(stored.then_some(token))
    }

    /// Replaces the stored operator token with a new one and returns it.
    pub async fn rotate_operator_token(&self) -> ServiceResult<String> {
        let token = format!("tco_{}", secrets::alphanumeric(40));
        self.store
            .put_setting(SETTING, &secrets::token_hash(&token))
            .await?;
        Ok(token)
    }

    /// Checks a presented token against the configured one or the stored hash.
    pub async fn verify_operator_token(
        &self,
        source: &OperatorToken,
        presented: &str,
    ) -> ServiceResult<bool> {
        match source {
            OperatorToken::Configured(expected) => Ok(secrets::constant_time_eq(
                expected.as_bytes(),
                presented.as_bytes(),
            )),
            OperatorToken::Stored => {
                let stored = self.store.setting(SETTING).await?;
                let hash = secrets::token_hash(presented);
                Ok(
                    stored
                        .is_some_and(|s| secrets::constant_time_eq(s.as_bytes(), hash.as_bytes())),
                )
            }
        }
    }
}
