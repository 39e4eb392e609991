//! Kakao Login's authorization step (`/oauth/authorize`): which client and redirect URI
//! may ask, what the user has still to consent to, the consent itself (link or widen the
//! link, add the offered channels) and the single-use authorization code it yields; and
//! the code's redemption at `/oauth/token`.

use crate::oauth::OAuthError;
use crate::{secrets, IssuedTokens, LinkRequest, ServiceError, ServiceResult, Services};
use std::collections::BTreeSet;
use talkchannel_domain::{
    AccountId, App, AppId, AppUser, ChangeSource, Channel, ChannelStatus, CodeChallenge,
    CodeVerifier, FriendAction, KeyKind, Relation,
};
use talkchannel_store::AuthorizationCode;

/// Codes are short-lived (RFC 6749 §4.1.2 recommends at most 10 minutes).
pub const CODE_TTL: chrono::Duration = chrono::Duration::minutes(10);
/// At most this many channels may be offered on one consent screen.
pub const MAX_OFFERED_CHANNELS: usize = 10;

/// Why an authorization request cannot go on. Which of them may be reported to the
/// redirect URI is the surface's business: the first two must not be.
#[derive(Debug)]
pub enum AuthorizeError {
    /// KOE101: `client_id` is not a REST API or JavaScript key.
    InvalidClient,
    /// KOE006: `redirect_uri` is not one of the app's registered URIs.
    UnregisteredRedirectUri,
    /// KOE201: `response_type` is not `code`.
    UnsupportedResponseType(String),
    /// KOE205: a scope that is not a consent item the app uses.
    InvalidScope(String),
    /// KOE102: an offered channel is unknown or not connected to the app.
    ChannelNotConnected(String),
    Service(ServiceError),
}

impl From<ServiceError> for AuthorizeError {
    fn from(e: ServiceError) -> Self {
        Self::Service(e)
    }
}

impl From<talkchannel_store::StoreError> for AuthorizeError {
    fn from(e: talkchannel_store::StoreError) -> Self {
        Self::Service(e.into())
    }
}

/// A checked authorization request.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    pub app: App,
    pub redirect_uri: String,
    /// What the consent screen may ask for: the items `scope` named, or without it every
    /// item the app uses (required or optional). May be empty.
    pub scopes: BTreeSet<String>,
    /// The app's required items: asked whenever the user is not linked yet (whatever
    /// `scope` says) and never untickable.
    pub required: BTreeSet<String>,
    /// Whether `scope` named the items (a request for additional consent).
    pub scope_given: bool,
    /// Connected, active channels offered for adding, in the order asked.
    pub channels: Vec<Channel>,
    /// The PKCE challenge the code will be bound to, if the client sent one.
    pub code_challenge: Option<CodeChallenge>,
}

/// What the consent screen must still ask for.
#[derive(Debug, Clone, Default)]
pub struct PendingConsent {
    /// Scopes the user has not granted yet and is now asked for.
    pub scopes: BTreeSet<String>,
    /// Those of `scopes` the user cannot untick.
    pub required: BTreeSet<String>,
    /// Offered channels the user has not added yet.
    pub channels: Vec<Channel>,
    pub linked: bool,
}

impl PendingConsent {
    pub fn is_empty(&self) -> bool {
        self.linked && self.scopes.is_empty() && self.channels.is_empty()
    }
}

impl Services {
    /// The app whose REST API or JavaScript key `client_id` is, with `redirect_uri`
    /// registered on it (compared exactly).
    pub async fn authorize_client(
        &self,
        client_id: &str,
        redirect_uri: &str,
    ) -> Result<App, AuthorizeError> {
        let app = self
            .login_client(client_id)
            .await?
            .ok_or(AuthorizeError::InvalidClient)?;
        let registered = self.store.redirect_uris(app.id).await?;
        if !registered.iter().any(|uri| uri == redirect_uri) {
            return Err(AuthorizeError::UnregisteredRedirectUri);
        }
        Ok(app)
    }

    /// The app of a REST API or JavaScript key, which is what Kakao Login accepts as
    /// `client_id`.
    pub async fn login_client(&self, client_id: &str) -> ServiceResult<Option<App>> {
        match self.key_owner(client_id).await? {
            Some(o) if matches!(o.kind, KeyKind::RestApi | KeyKind::JavaScript) => {
                Ok(Some(self.app(o.app_id).await?))
            }
            _ => Ok(None),
        }
    }

    /// Checks the rest of an authorization request for a known client.
    pub async fn authorize_request(
        &self,
        app: App,
        redirect_uri: &str,
        response_type: &str,
        scope: Option<&str>,
        channel_public_ids: Option<&str>,
        code_challenge: Option<CodeChallenge>,
    ) -> Result<AuthorizeRequest, AuthorizeError> {
        if response_type != "code" {
            return Err(AuthorizeError::UnsupportedResponseType(
                response_type.chars().take(40).collect(),
            ));
        }
        let items = self.stored_consent_items(app.id).await?;
        let enabled = items.enabled();
        let named: Vec<&str> = scope
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|s| !s.is_empty())
            .collect();
        let mut scopes = BTreeSet::new();
        for s in &named {
            // Unknown, or an item the app's settings disable: Kakao's KOE205.
            if !enabled.contains(*s) {
                return Err(AuthorizeError::InvalidScope(s.chars().take(40).collect()));
            }
            scopes.insert((*s).to_owned());
        }
        let channels = self
            .offered_channels(app.id, channel_public_ids.unwrap_or_default())
            .await?;
        Ok(AuthorizeRequest {
            app,
            redirect_uri: redirect_uri.to_owned(),
            scope_given: !named.is_empty(),
            scopes: if named.is_empty() { enabled } else { scopes },
            required: items.required(),
            channels,
            code_challenge,
        })
    }

    async fn offered_channels(
        &self,
        app: AppId,
        ids: &str,
    ) -> Result<Vec<Channel>, AuthorizeError> {
        let connected = self.store.connected_channels(app).await?;
        let mut offered: Vec<Channel> = Vec::new();
        for id in ids.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let channel = connected
                .iter()
                .find(|c| c.public_id.as_str() == id && c.status == ChannelStatus::Active)
                .ok_or_else(|| {
                    AuthorizeError::ChannelNotConnected(id.chars().take(40).collect())
                })?;
            if !offered.iter().any(|c| c.id == channel.id) {
                offered.push(channel.clone());
            }
        }
        if offered.len() > MAX_OFFERED_CHANNELS {
            return Err(AuthorizeError::ChannelNotConnected(format!(
                "at most {MAX_OFFERED_CHANNELS} channels may be offered"
            )));
        }
        Ok(offered)
    }

    /// What `account` has not yet granted of `req`.
    pub async fn pending_consent(
        &self,
        req: &AuthorizeRequest,
        account: AccountId,
    ) -> ServiceResult<PendingConsent> {
        let user = self.store.app_user_by_account(req.app.id, account).await?;
        let granted = user.as_ref().map(|u| u.scopes.clone()).unwrap_or_default();
        let ids: Vec<_> = req.channels.iter().map(|c| c.id).collect();
        let friendships = self.store.friendships_of(account, &ids).await?;
        let channels = req
            .channels
            .iter()
            .filter(|c| {
                !friendships
                    .iter()
                    .any(|f| f.channel_id == c.id && f.relation == Relation::Added)
            })
            .cloned()
            .collect();
        // A first link asks for the required items and what was named (or every item the
        // app uses); a linked user is asked only for what `scope` names, or else for
        // required items added since, never again for optional ones declined before.
        let wanted = match (&user, req.scope_given) {
            (None, _) => req.scopes.union(&req.required).cloned().collect(),
            (Some(_), true) => req.scopes.clone(),
            (Some(_), false) => req.required.clone(),
        };
        let scopes: BTreeSet<String> = wanted.difference(&granted).cloned().collect();
        Ok(PendingConsent {
            required: scopes.intersection(&req.required).cloned().collect(),
            scopes,
            channels,
            linked: user.is_some(),
        })
    }

    /// Records the user's consent: links the account (or adds `agreed` to its link), adds
    /// the channels the user ticked, and issues a single-use code for the redirect.
    pub async fn grant_consent(
        &self,
        req: &AuthorizeRequest,
        account: AccountId,
        agreed: &BTreeSet<String>,
        add_channels: &[Channel],
    ) -> ServiceResult<String> {
        let user = self.link_with_scopes(req.app.id, account, agreed).await?;
        for channel in add_channels {
            self.change_friendship(
                account,
                channel.public_id.as_str(),
                FriendAction::Add,
                ChangeSource::ChannelPage,
            )
            .await?;
        }
        self.issue_code(&user, req).await
    }

    async fn link_with_scopes(
        &self,
        app: AppId,
        account: AccountId,
        scopes: &BTreeSet<String>,
    ) -> ServiceResult<AppUser> {
        if let Some(user) = self.store.app_user_by_account(app, account).await? {
            if scopes.is_subset(&user.scopes) {
                return Ok(user);
            }
            let all = user.scopes.union(scopes).cloned().collect();
            return self
                .store
                .set_app_user_scopes(app, user.user_id, &all)
                .await?
                .ok_or(ServiceError::NotLinked);
        }
        let req = LinkRequest {
            account_id: account,
            scopes: Vec::new(),
            user_id: None,
        };
        self.insert_app_user(app, &req, scopes.clone()).await
    }

    async fn issue_code(&self, user: &AppUser, req: &AuthorizeRequest) -> ServiceResult<String> {
        let code = secrets::bearer_token();
        let now = self.now();
        self.store
            .insert_authorization_code(&AuthorizationCode {
                code_hash: secrets::token_hash(&code),
                app_id: user.app_id,
                user_id: user.user_id,
                redirect_uri: req.redirect_uri.clone(),
                code_challenge: req.code_challenge.clone(),
                created_at: now,
                expires_at: now + CODE_TTL,
            })
            .await?;
        Ok(code)
    }

    /// The authorization_code grant: the code is spent whatever the outcome (a missing or
    /// wrong `code_verifier` included), so a leaked code cannot be tried twice. A
    /// malformed verifier never gets here: the surface refuses it first.
    pub async fn redeem_code(
        &self,
        client_id: &str,
        client_secret: Option<&str>,
        code: &str,
        redirect_uri: &str,
        code_verifier: Option<&CodeVerifier>,
    ) -> Result<(IssuedTokens, BTreeSet<String>), OAuthError> {
        let app = self.login_client(client_id).await?.ok_or_else(|| {
            OAuthError::InvalidClient(
                "invalid client_id: use the app's REST API or JavaScript key".into(),
            )
        })?;
        self.check_client_secret(app.id, client_secret).await?;
        let taken = self
            .store
            .take_authorization_code(&secrets::token_hash(code))
            .await?
            .filter(|c| c.app_id == app.id && c.expires_at > self.now())
            .ok_or(OAuthError::InvalidCode)?;
        if redirect_uri != taken.redirect_uri {
            return Err(OAuthError::RedirectUriMismatch);
        }
        check_code_verifier(taken.code_challenge.as_ref(), code_verifier)?;
        let user = self
            .store
            .app_user(app.id, taken.user_id)
            .await?
            .ok_or(OAuthError::InvalidCode)?;
        let tokens = self.issue_tokens(app.id, user.user_id).await?;
        Ok((tokens, user.scopes))
    }
}

/// PKCE at the token endpoint (RFC 7636 §4.6). A verifier for a code asked without a
/// challenge is refused too: accepting it would let a downgraded request pass for a
/// protected one (RFC 9700 §2.1.1).
fn check_code_verifier(
    challenge: Option<&CodeChallenge>,
    verifier: Option<&CodeVerifier>,
) -> Result<(), OAuthError> {
    match (challenge, verifier) {
        (None, None) => Ok(()),
        (None, Some(_)) => Err(OAuthError::UnexpectedCodeVerifier),
        (Some(_), None) => Err(OAuthError::MissingCodeVerifier),
        (Some(challenge), Some(verifier)) => {
            if challenge.is_satisfied_by(verifier) {
                Ok(())
            } else {
                Err(OAuthError::CodeVerifierMismatch)
            }
        }
    }
}
