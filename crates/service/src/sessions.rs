//! Browser sessions for the user-facing pages: a random token in an HttpOnly cookie, its
//! hash and a CSRF token in the database (so any node serves any session), signing in
//! with an email or phone number and password, and signing out.

use crate::{secrets, ServiceResult, Services};
use talkchannel_domain::AccountId;
use talkchannel_store::BrowserSession;

/// How often (one start in N) a new session also deletes expired sessions, codes and
/// follow results: cheap housekeeping without a background job on every node.
const PURGE_ONE_IN: u32 = 64;

/// A session as the pages use it: the token to put in the cookie and the stored record.
#[derive(Debug, Clone)]
pub struct SessionHandle {
    pub token: String,
    pub session: BrowserSession,
}

impl SessionHandle {
    pub fn account(&self) -> Option<AccountId> {
        self.session.account_id
    }

    /// Whether `submitted` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, submitted: &str) -> bool {
        secrets::constant_time_eq(submitted.as_bytes(), self.session.csrf_token.as_bytes())
    }
}

impl Services {
    /// The live session a cookie names; expired and unknown ones are `None`.
    pub async fn browser_session(&self, token: &str) -> ServiceResult<Option<SessionHandle>> {
        if token.is_empty() || token.len() > 100 {
            return Ok(None);
        }
        let found = self.store.session(&secrets::token_hash(token)).await?;
        Ok(found
            .filter(|s| s.expires_at > self.now())
            .map(|session| SessionHandle {
                token: token.to_owned(),
                session,
            }))
    }

    /// A new session, signed in as `account` or anonymous.
    pub async fn start_browser_session(
        &self,
        account: Option<AccountId>,
    ) -> ServiceResult<SessionHandle> {
        let now = self.now();
        if rand::random_ratio(1, PURGE_ONE_IN) {
            let purged = self.store.purge_expired(now).await?;
            tracing::debug!(purged, "expired sessions, codes and follow results purged");
        }
        let token = secrets::bearer_token();
        let session = BrowserSession {
            id_hash: secrets::token_hash(&token),
            csrf_token: secrets::bearer_token(),
            account_id: account,
            created_at: now,
            expires_at: now + self.session_ttl,
        };
        self.store.insert_session(&session).await?;
        if let Some(account) = account {
            let ended = self
                .store
                .trim_sessions(account, self.sessions_per_account)
                .await?;
            if ended > 0 {
                tracing::debug!(
                    account,
                    ended,
                    "oldest sessions ended: the account is at its cap"
                );
            }
        }
        Ok(SessionHandle { token, session })
    }

    /// Signs in as `account` without a password: the emulator's quick account picker.
    pub async fn sign_in_as(
        &self,
        old: Option<&SessionHandle>,
        account: AccountId,
    ) -> ServiceResult<SessionHandle> {
        self.account(account).await?;
        self.switch_session(old, account).await
    }

    pub(crate) async fn switch_session(
        &self,
        old: Option<&SessionHandle>,
        account: AccountId,
    ) -> ServiceResult<SessionHandle> {
        let new = self.start_browser_session(Some(account)).await?;
        if let Some(old) = old {
            self.store.delete_session(&old.session.id_hash).await?;
        }
        Ok(new)
    }

    pub async fn sign_out(&self, session: &SessionHandle) -> ServiceResult<()> {
        Ok(self.store.delete_session(&session.session.id_hash).await?)
    }
}
