//! The Kakao API (kapi) error codes talkchannel answers with, and which code each typed
//! refusal ([`Entity`] missing, [`Clash`] broken) becomes on the Kakao surface.

use super::rules::{Clash, Entity};

/// The Kakao API error codes talkchannel answers with (spec §1.5 and §3.6), each with the
/// HTTP status Kakao pairs it with. The HTTP edge renders them as `{"code": -N, "msg": ...}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KakaoCode {
    /// -1: internal error while processing; the client may retry.
    Internal,
    /// -2: a required parameter is missing, of the wrong type or out of range.
    InvalidParameter,
    /// -3: a prerequisite feature or setting is not enabled.
    NotEnabled,
    /// -8: a header is malformed.
    InvalidHeader,
    /// -101: the user is not linked to the app.
    NotLinked,
    /// -401: invalid app key or access token, or one of the wrong kind.
    InvalidCredential,
    /// -402: the user has not consented to a required scope.
    InsufficientScope,
    /// -541: the channel does not exist.
    ChannelNotFound,
    /// -544: the channel is sanctioned.
    ChannelSanctioned,
    /// -815: internal error in the channel API.
    ChannelInternal,
    /// -816: no customer file with that id.
    FileNotFound,
    /// -817: the file name is taken or not allowed.
    FileNameRejected,
    /// -818: the channel already has the maximum number of customer files.
    TooManyFiles,
    /// -819: the channel is not connected to the app.
    ChannelNotConnected,
    /// -9798: service under maintenance.
    Maintenance,
}

impl KakaoCode {
    pub fn code(self) -> i32 {
        match self {
            Self::Internal => -1,
            Self::InvalidParameter => -2,
            Self::NotEnabled => -3,
            Self::InvalidHeader => -8,
            Self::NotLinked => -101,
            Self::InvalidCredential => -401,
            Self::InsufficientScope => -402,
            Self::ChannelNotFound => -541,
            Self::ChannelSanctioned => -544,
            Self::ChannelInternal => -815,
            Self::FileNotFound => -816,
            Self::FileNameRejected => -817,
            Self::TooManyFiles => -818,
            Self::ChannelNotConnected => -819,
            Self::Maintenance => -9798,
        }
    }

    /// The HTTP status sent with this code: Kakao's, except that talkchannel's own
    /// failures (-1, -815) answer 500 so that clients and proxies treat them as retryable.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidCredential => 401,
            Self::NotEnabled | Self::InsufficientScope => 403,
            Self::Internal | Self::ChannelInternal => 500,
            Self::Maintenance => 503,
            _ => 400,
        }
    }

    /// The code for a missing `what`: Kakao has its own for channels; anything else is a
    /// bad parameter. (A missing customer file of the Kakao API is `ServiceError::FileNotFound`,
    /// -816, raised where the request names it.)
    pub fn for_missing(what: Entity) -> Self {
        match what {
            Entity::Channel => Self::ChannelNotFound,
            _ => Self::InvalidParameter,
        }
    }

    /// The code for a broken rule: the customer-file rules have Kakao codes of their own;
    /// the rest are bad parameters.
    pub fn for_clash(clash: Clash) -> Self {
        match clash {
            Clash::FileNameTaken => Self::FileNameRejected,
            Clash::FileSlotsFull => Self::TooManyFiles,
            _ => Self::InvalidParameter,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KakaoCode::{self, *};
    use crate::errors::{Clash, Entity};
    use std::collections::HashSet;

    /// Every variant with the code and HTTP status of the spec (kakao-channel-api.md §1.5
    /// and §3.6), except the two internal errors noted on `http_status`.
    const DOCUMENTED: [(KakaoCode, i32, u16); 15] = [
        (Internal, -1, 500),
        (InvalidParameter, -2, 400),
        (NotEnabled, -3, 403),
        (InvalidHeader, -8, 400),
        (NotLinked, -101, 400),
        (InvalidCredential, -401, 401),
        (InsufficientScope, -402, 403),
        (ChannelNotFound, -541, 400),
        (ChannelSanctioned, -544, 400),
        (ChannelInternal, -815, 500),
        (FileNotFound, -816, 400),
        (FileNameRejected, -817, 400),
        (TooManyFiles, -818, 400),
        (ChannelNotConnected, -819, 400),
        (Maintenance, -9798, 503),
    ];

    #[test]
    fn codes_and_statuses_are_the_documented_ones() {
        for (variant, code, status) in DOCUMENTED {
            assert_eq!(
                (variant.code(), variant.http_status()),
                (code, status),
                "{variant:?}"
            );
        }
    }

    #[test]
    fn no_two_variants_share_a_code() {
        let variants: HashSet<_> = DOCUMENTED.iter().map(|d| d.0).collect();
        let codes: HashSet<_> = DOCUMENTED.iter().map(|d| d.0.code()).collect();
        assert_eq!(
            variants.len(),
            DOCUMENTED.len(),
            "a variant is listed twice"
        );
        assert_eq!(codes.len(), DOCUMENTED.len(), "two variants share a code");
    }

    #[test]
    fn refusals_map_to_their_kakao_codes() {
        assert_eq!(KakaoCode::for_missing(Entity::Channel), ChannelNotFound);
        assert_eq!(KakaoCode::for_missing(Entity::App), InvalidParameter);
        assert_eq!(KakaoCode::for_clash(Clash::FileNameTaken), FileNameRejected);
        assert_eq!(KakaoCode::for_clash(Clash::FileSlotsFull), TooManyFiles);
        assert_eq!(
            KakaoCode::for_clash(Clash::GroupNameTaken),
            InvalidParameter
        );
    }
}
