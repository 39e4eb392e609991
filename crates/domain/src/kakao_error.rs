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

    /// The HTTP status Kakao sends with this code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidCredential => 401,
            Self::NotEnabled | Self::InsufficientScope => 403,
            Self::Internal | Self::ChannelInternal => 500,
            Self::Maintenance => 503,
            _ => 400,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KakaoCode::*;

    #[test]
    fn statuses_follow_the_catalogue() {
        assert_eq!(
            (InvalidCredential.code(), InvalidCredential.http_status()),
            (-401, 401)
        );
        assert_eq!(
            (InsufficientScope.code(), InsufficientScope.http_status()),
            (-402, 403)
        );
        assert_eq!((NotLinked.code(), NotLinked.http_status()), (-101, 400));
        assert_eq!(
            (
                ChannelNotConnected.code(),
                ChannelNotConnected.http_status()
            ),
            (-819, 400)
        );
    }
}
