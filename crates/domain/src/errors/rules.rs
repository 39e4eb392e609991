//! What a refused operation was about, as types every layer shares: the [`Entity`] that
//! does not exist and the [`Clash`] (the rule) that a write would break. Storage engines
//! construct them, services add the words a caller acts on, and each surface turns them
//! into its wire format in one place (the Kakao code of each is in `kakao.rs`).

use std::fmt;

/// A kind of row or object an operation can find missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entity {
    Account,
    App,
    AppUser,
    Channel,
    CustomerFile,
    FriendGroup,
    /// A customer-file import (upload in parts).
    Import,
    /// A tracked link of a sent message (`/m/{message}/{button}`).
    Link,
    Message,
    /// The webhook settings of an app.
    Webhook,
    WebhookEvent,
}

impl Entity {
    pub const ALL: [Entity; 11] = [
        Entity::Account,
        Entity::App,
        Entity::AppUser,
        Entity::Channel,
        Entity::CustomerFile,
        Entity::FriendGroup,
        Entity::Import,
        Entity::Link,
        Entity::Message,
        Entity::Webhook,
        Entity::WebhookEvent,
    ];

    /// The words error messages name it with ("channel `_x` does not exist").
    pub fn name(self) -> &'static str {
        match self {
            Entity::Account => "account",
            Entity::App => "app",
            Entity::AppUser => "app user",
            Entity::Channel => "channel",
            Entity::CustomerFile => "customer file",
            Entity::FriendGroup => "friend group",
            Entity::Import => "import",
            Entity::Link => "link",
            Entity::Message => "message",
            Entity::Webhook => "webhook of app",
            Entity::WebhookEvent => "webhook event",
        }
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A rule a write would break: a uniqueness rule, a limit, or a state the target is no
/// longer in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Clash {
    /// An app key is already some app's.
    AppKeyTaken,
    /// The account is already linked to the app.
    AccountAlreadyLinked,
    /// The app already has a user with that `user_id`.
    UserIdTaken,
    /// Another channel has that profile id (`channel_public_id`).
    ChannelPublicIdTaken,
    /// Another channel has that search id.
    SearchIdTaken,
    /// The channel already has a customer file of that name (Kakao -817).
    FileNameTaken,
    /// The channel already has the maximum of customer files (Kakao -818).
    FileSlotsFull,
    /// The channel already has a friend group of that name.
    GroupNameTaken,
    /// The channel already has the maximum of friend groups.
    GroupSlotsFull,
    /// The Idempotency-Key was used for a different request.
    IdempotencyKeyReused,
    /// A concurrent request with the same Idempotency-Key committed first (engines only;
    /// they resolve it before answering).
    IdempotencyKeyRace,
    /// The message was already sent or cancelled.
    MessageNotPending,
    /// The message's target group was deleted.
    TargetGroupDeleted,
    /// A friend group names customer-file fields that no longer exist.
    GroupOutdated,
}

impl Clash {
    pub const ALL: [Clash; 14] = [
        Clash::AppKeyTaken,
        Clash::AccountAlreadyLinked,
        Clash::UserIdTaken,
        Clash::ChannelPublicIdTaken,
        Clash::SearchIdTaken,
        Clash::FileNameTaken,
        Clash::FileSlotsFull,
        Clash::GroupNameTaken,
        Clash::GroupSlotsFull,
        Clash::IdempotencyKeyReused,
        Clash::IdempotencyKeyRace,
        Clash::MessageNotPending,
        Clash::TargetGroupDeleted,
        Clash::GroupOutdated,
    ];

    /// The field or state the rule is about, as generic messages name it
    /// ("public_id already exists").
    pub fn subject(self) -> &'static str {
        match self {
            Clash::AppKeyTaken => "key",
            Clash::AccountAlreadyLinked => "account",
            Clash::UserIdTaken => "user_id",
            Clash::ChannelPublicIdTaken => "public_id",
            Clash::SearchIdTaken => "search_id",
            Clash::FileNameTaken => "file_name",
            Clash::FileSlotsFull => "file_slots",
            Clash::GroupNameTaken => "group_name",
            Clash::GroupSlotsFull => "group_slots",
            Clash::IdempotencyKeyReused => "idempotency_key",
            Clash::IdempotencyKeyRace => "idempotency_key_race",
            Clash::MessageNotPending => "message_state",
            Clash::TargetGroupDeleted => "target_group",
            Clash::GroupOutdated => "group_tree",
        }
    }
}

impl fmt::Display for Clash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.subject())
    }
}

#[cfg(test)]
mod tests {
    use super::{Clash, Entity};
    use std::collections::HashSet;

    #[test]
    fn names_are_distinct() {
        let entities: HashSet<_> = Entity::ALL.iter().map(|e| e.name()).collect();
        assert_eq!(entities.len(), Entity::ALL.len());
        let clashes: HashSet<_> = Clash::ALL.iter().map(|c| c.subject()).collect();
        assert_eq!(clashes.len(), Clash::ALL.len());
    }

    #[test]
    fn messages_keep_their_words() {
        assert_eq!(Entity::AppUser.to_string(), "app user");
        assert_eq!(Entity::CustomerFile.to_string(), "customer file");
        assert_eq!(Clash::ChannelPublicIdTaken.to_string(), "public_id");
        assert_eq!(Clash::MessageNotPending.to_string(), "message_state");
    }
}
