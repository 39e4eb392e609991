//! The channel's pages: home (`/{id}`), the add bridge (`/{id}/friend`) and the chat
//! bridge (`/{id}/chat`). The query parameters SDKs append (`app_key`, `kakao_agent`,
//! `api_ver`, `referer`) are accepted and carried through sign-in unchanged.

use super::render::{html, initial, MessagePage};
use super::{sign_in_first, Chrome, FormData, PageCtx, PageError};
use crate::ApiState;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, OriginalUri, Path, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use talkchannel_domain::{ChangeSource, Channel, ChannelStatus, FriendAction, Kae, Relation};

#[derive(Template)]
#[template(path = "channel.html")]
struct HomePage {
    c: Chrome,
    name: String,
    initial: String,
    search_id: String,
    friend_count: u64,
    badge: Option<&'static str>,
    show_add: bool,
    add_href: String,
    chat_href: String,
}

#[derive(Template)]
#[template(path = "confirm.html")]
pub(crate) struct ConfirmPage {
    pub c: Chrome,
    pub heading: String,
    pub lead: String,
    pub name: String,
    pub initial: String,
    pub search_id: String,
    pub action: String,
    pub hidden: Vec<(String, String)>,
    pub cancellable: bool,
}

#[derive(Template)]
#[template(path = "chat.html")]
struct ChatPage {
    c: Chrome,
    name: String,
    initial: String,
    is_friend: bool,
    add_href: String,
    /// The channel's messages delivered to the account, oldest first.
    lines: Vec<ChatLine>,
}

/// The most recent messages the chat page shows.
const CHAT_PAGE_MESSAGES: u32 = 50;

/// One delivered message as the chat shows it.
struct ChatLine {
    text: String,
    sent_at: String,
    buttons: Vec<ChatButton>,
}

/// A message button; `href` is the tracked link that counts the click.
struct ChatButton {
    name: String,
    href: String,
}

/// The account's latest messages from the channel, oldest first. Opening the chat
/// counts as reading them (the message statistics' `read`).
async fn chat_lines(
    state: &ApiState,
    channel: &str,
    account: i64,
) -> Result<Vec<ChatLine>, PageError> {
    let services = &state.services;
    let messages = services
        .chat(channel, account, None, CHAT_PAGE_MESSAGES)
        .await?;
    services.mark_chat_read(channel, account).await?;
    let mut lines = Vec::with_capacity(messages.len());
    for message in messages.iter().rev() {
        let links = services.tracked_links(message, account).await?;
        lines.push(ChatLine {
            text: message.body.content.leading_text().to_owned(),
            sent_at: message
                .sent_at
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default(),
            buttons: message
                .body
                .buttons
                .iter()
                .zip(links)
                .map(|(b, href)| ChatButton {
                    name: b.name.clone(),
                    href,
                })
                .collect(),
        });
    }
    Ok(lines)
}

/// The channel a page is about: an active one, or the not-found / sanctioned page.
async fn active_channel(state: &ApiState, id: &str) -> Result<Channel, PageError> {
    let channel = state.services.channel(id).await?;
    if channel.status == ChannelStatus::Sanctioned {
        return Err(PageError::ChannelSanctioned);
    }
    Ok(channel)
}

/// The signed-in account's relation with the channel.
async fn relation(
    state: &ApiState,
    ctx: &PageCtx,
    channel: &Channel,
) -> Result<Relation, PageError> {
    let Some(account) = ctx.account() else {
        return Ok(Relation::None);
    };
    let found = state
        .services
        .friendship(account, channel.public_id.as_str())
        .await?;
    Ok(found.map_or(Relation::None, |f| f.relation))
}

/// A bridge link that keeps the SDK's query parameters.
fn bridge_href(channel: &Channel, page: &str, uri: &Uri) -> String {
    match uri.query() {
        Some(q) if !q.is_empty() => format!("/{}/{page}?{q}", channel.public_id.as_str()),
        _ => format!("/{}/{page}", channel.public_id.as_str()),
    }
}

/// `/{channel}` of the home page: a single segment that is not a profile id (`_...`) is
/// just an unknown path, answered before the browser session is read.
pub struct HomePath(String);

impl FromRequestParts<ApiState> for HomePath {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &ApiState) -> Result<Self, Response> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        if id.starts_with('_') {
            Ok(Self(id))
        } else {
            Err(crate::surface::not_found(OriginalUri(parts.uri.clone())).await)
        }
    }
}

pub async fn home(
    State(state): State<ApiState>,
    HomePath(id): HomePath,
    ctx: PageCtx,
    uri: Uri,
) -> Response {
    let result = async {
        let channel = active_channel(&state, &id).await?;
        let relation = relation(&state, &ctx, &channel).await?;
        let t = ctx.t;
        let page = HomePage {
            c: Chrome::of(&ctx, &state).await,
            initial: initial(&channel.name),
            name: channel.name.clone(),
            search_id: channel.search_id.to_string(),
            friend_count: state.services.friend_count(&channel).await?,
            badge: match relation {
                Relation::Added => Some(t.added_badge),
                Relation::Blocked => Some(t.blocked_badge),
                Relation::None => None,
            },
            show_add: relation != Relation::Added,
            add_href: bridge_href(&channel, "friend", &uri),
            chat_href: bridge_href(&channel, "chat", &uri),
        };
        Ok(html(StatusCode::OK, &page))
    }
    .await;
    ctx.end(&state, result).await
}

/// The add bridge: sign in first, then "add this channel?" (or "already added").
pub async fn friend(
    State(state): State<ApiState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let result = async {
        let channel = active_channel(&state, &id).await?;
        if ctx.account().is_none() {
            return Ok(sign_in_first(&ctx.here));
        }
        if relation(&state, &ctx, &channel).await? == Relation::Added {
            return Ok(added_page(&state, &ctx, &channel, &uri, ctx.t.already_added).await);
        }
        let t = ctx.t;
        let page = ConfirmPage {
            c: Chrome::of(&ctx, &state).await,
            heading: t.add_title.to_owned(),
            lead: t.add_lead.to_owned(),
            initial: initial(&channel.name),
            name: channel.name.clone(),
            search_id: channel.search_id.to_string(),
            action: ctx.here.clone(),
            hidden: Vec::new(),
            cancellable: false,
        };
        Ok(html(StatusCode::OK, &page))
    }
    .await;
    ctx.end(&state, result).await
}

/// Adds the channel through the one friendship service (so webhooks fire).
pub async fn add(
    State(state): State<ApiState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    uri: Uri,
    body: Bytes,
) -> Response {
    let form = FormData::parse(&body);
    let result = async {
        let channel = active_channel(&state, &id).await?;
        let Some(account) = ctx.account() else {
            return Ok(sign_in_first(&ctx.here));
        };
        ctx.require_csrf(&form, Kae::InvalidRequest.code())?;
        state
            .services
            .change_friendship(
                account,
                channel.public_id.as_str(),
                FriendAction::Add,
                ChangeSource::ChannelPage,
            )
            .await?;
        Ok(added_page(&state, &ctx, &channel, &uri, ctx.t.add_lead).await)
    }
    .await;
    ctx.end(&state, result).await
}

async fn added_page(
    state: &ApiState,
    ctx: &PageCtx,
    channel: &Channel,
    uri: &Uri,
    lead: &str,
) -> Response {
    let t = ctx.t;
    let mut page = MessagePage::new(Chrome::of(ctx, state).await, "ok", t.add_done, lead);
    page.name = Some(channel.name.clone());
    page.initial = Some(initial(&channel.name));
    page.links = vec![
        (
            format!("/{}", channel.public_id.as_str()),
            t.go_home.to_owned(),
            "secondary",
        ),
        (
            bridge_href(channel, "chat", uri),
            t.chat.to_owned(),
            "primary",
        ),
    ];
    html(StatusCode::OK, &page)
}

/// The chat bridge: signs in, then opens the user's chat room with the channel.
pub async fn chat(
    State(state): State<ApiState>,
    ctx: PageCtx,
    Path(id): Path<String>,
    uri: Uri,
) -> Response {
    let result = async {
        let channel = active_channel(&state, &id).await?;
        let Some(account) = ctx.account() else {
            return Ok(sign_in_first(&ctx.here));
        };
        let is_friend = relation(&state, &ctx, &channel).await? == Relation::Added;
        let lines = chat_lines(&state, channel.public_id.as_str(), account).await?;
        let page = ChatPage {
            lines,
            c: Chrome::of(&ctx, &state).await,
            initial: initial(&channel.name),
            name: channel.name.clone(),
            is_friend,
            add_href: bridge_href(&channel, "friend", &uri),
        };
        Ok(html(StatusCode::OK, &page))
    }
    .await;
    ctx.end(&state, result).await
}
