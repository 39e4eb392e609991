//! The SDKs' `KAE` error codes (kakao-channel-api.md §5.9) that talkchannel's Follow
//! Channel and channel pages answer with: in a callback's query (`error_code`,
//! `error_msg`), in the web SDK's result JSON, and on error pages.

/// A Kakao SDK ("apps") error, with its code text and the sentence talkchannel sends as
/// `error_msg` when the caller has none more precise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kae {
    /// KAE001: talkchannel failed; retry.
    Internal,
    /// KAE002: the request is not valid (a stale form).
    InvalidRequest,
    /// KAE003: a parameter is missing or malformed.
    InvalidParameter,
    /// KAE005: there is no such channel.
    ChannelNotFound,
    /// KAE006: the channel cannot be added (sanctioned).
    ChannelNotAddable,
    /// KAE104: the app key is not a JavaScript or native key.
    WrongAppKey,
    /// KAE105: the channel is not connected to the app.
    ChannelNotConnected,
    /// KAE205: the user must sign in first.
    LoginRequired,
}

impl Kae {
    pub const ALL: [Kae; 8] = [
        Kae::Internal,
        Kae::InvalidRequest,
        Kae::InvalidParameter,
        Kae::ChannelNotFound,
        Kae::ChannelNotAddable,
        Kae::WrongAppKey,
        Kae::ChannelNotConnected,
        Kae::LoginRequired,
    ];

    /// The `error_code` text.
    pub fn code(self) -> &'static str {
        match self {
            Kae::Internal => "KAE001",
            Kae::InvalidRequest => "KAE002",
            Kae::InvalidParameter => "KAE003",
            Kae::ChannelNotFound => "KAE005",
            Kae::ChannelNotAddable => "KAE006",
            Kae::WrongAppKey => "KAE104",
            Kae::ChannelNotConnected => "KAE105",
            Kae::LoginRequired => "KAE205",
        }
    }

    /// The `error_msg` sent with the code by default.
    pub fn message(self) -> &'static str {
        match self {
            Kae::Internal => "a temporary error occurred; try again",
            Kae::InvalidRequest => "the request is not valid",
            Kae::InvalidParameter => "a parameter is missing or malformed",
            Kae::ChannelNotFound => "there is no such channel",
            Kae::ChannelNotAddable => "this channel cannot be added",
            Kae::WrongAppKey => "app_key must be the app's JavaScript or native app key",
            Kae::ChannelNotConnected => "the channel is not connected to the app",
            Kae::LoginRequired => "sign in first",
        }
    }

    /// The variant with this code text (a stored one).
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// The code text, as messages and logs quote it.
impl std::fmt::Display for Kae {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::Kae::{self, *};
    use std::collections::HashSet;

    /// The codes as kakao-channel-api.md §5.9 lists them.
    const DOCUMENTED: [(Kae, &str); 8] = [
        (Internal, "KAE001"),
        (InvalidRequest, "KAE002"),
        (InvalidParameter, "KAE003"),
        (ChannelNotFound, "KAE005"),
        (ChannelNotAddable, "KAE006"),
        (WrongAppKey, "KAE104"),
        (ChannelNotConnected, "KAE105"),
        (LoginRequired, "KAE205"),
    ];

    #[test]
    fn codes_are_the_documented_ones() {
        for (kae, code) in DOCUMENTED {
            assert_eq!(kae.code(), code);
            assert_eq!(Kae::parse(code), Some(kae));
        }
        let listed: HashSet<_> = DOCUMENTED.iter().map(|d| d.0).collect();
        assert_eq!(listed, Kae::ALL.into_iter().collect());
        assert_eq!(Kae::parse("KAE999"), None);
    }

    #[test]
    fn no_two_variants_share_a_code() {
        let codes: HashSet<_> = Kae::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(codes.len(), Kae::ALL.len());
    }
}
