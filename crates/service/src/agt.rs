//! Kakao's `agt` ("app gateway token"): a short-lived, single-use token an SDK gets from
//! `POST /api/agt` for the user of an access token, and hands to a page it opens
//! (`/oauth/authorize`, `/talk/channel/follow`) so the browser is signed in as that
//! user without asking for a password again.
//!
//! An agt is kept as a browser-session record signed in as the account, under the hash
//! of `agt`, the app id and the token: it only works for the app it was issued to, a
//! session cookie cannot be used as an agt nor an agt as a cookie, and expired ones go
//! with the sessions' own purge. No new table is needed on either engine.

use crate::{secrets, ServiceResult, Services};
use talkchannel_domain::{AccountId, AppId, KeyKind};
use talkchannel_store::BrowserSession;

/// How long an agt lives: the SDK opens the page right after getting one.
pub const AGT_TTL_SECS: i64 = 120;

/// Why `/api/agt` refused.
#[derive(Debug, PartialEq, Eq)]
pub enum AgtError {
    /// `client_id` is not one of an app's keys (admin keys excluded).
    InvalidClient,
    /// The access token is unknown, expired, or belongs to another app.
    InvalidToken(&'static str),
}

fn agt_hash(app: AppId, agt: &str) -> String {
    secrets::token_hash(&format!("agt\0{app}\0{agt}"))
}

impl Services {
    /// Issues an agt for the user of `access_token`, which must be a token of the app
    /// `client_id` names.
    pub async fn issue_agt(
        &self,
        client_id: &str,
        access_token: &str,
    ) -> ServiceResult<Result<String, AgtError>> {
        let owner = self.key_owner(client_id).await?;
        let Some(owner) = owner.filter(|o| o.kind != KeyKind::Admin) else {
            return Ok(Err(AgtError::InvalidClient));
        };
        let found = self
            .store
            .token_by_access_hash(&secrets::token_hash(access_token))
            .await?;
        let Some((record, user)) = found else {
            return Ok(Err(AgtError::InvalidToken(
                "this access token does not exist",
            )));
        };
        if record.access_expires_at <= self.now() {
            return Ok(Err(AgtError::InvalidToken(
                "this access token is already expired",
            )));
        }
        if user.app_id != owner.app_id {
            return Ok(Err(AgtError::InvalidToken(
                "the access token belongs to another app",
            )));
        }
        let agt = secrets::bearer_token();
        let now = self.now();
        let record = BrowserSession {
            id_hash: agt_hash(owner.app_id, &agt),
            csrf_token: secrets::bearer_token(),
            account_id: Some(user.account_id),
            created_at: now,
            expires_at: now + chrono::Duration::seconds(AGT_TTL_SECS),
        };
        self.store.insert_session(&record).await?;
        Ok(Ok(agt))
    }

    /// Spends an agt of `app`: the account it signs in, or `None` when it is unknown,
    /// expired, already spent or another app's.
    pub async fn redeem_agt(&self, app: AppId, agt: &str) -> ServiceResult<Option<AccountId>> {
        if agt.is_empty() || agt.len() > 100 {
            return Ok(None);
        }
        let hash = agt_hash(app, agt);
        let Some(record) = self.store.session(&hash).await? else {
            return Ok(None);
        };
        // Single use: gone before it is honoured.
        self.store.delete_session(&hash).await?;
        Ok(record.account_id.filter(|_| record.expires_at > self.now()))
    }
}
