//! The pages' words in Korean and English. The language comes from `?lang=`, then the
//! `tc_lang` cookie, then `Accept-Language`; Korean is the default, as on Kakao.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ko => "ko",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ko" => Some(Lang::Ko),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first of `ko`/`en` in an `Accept-Language` header, by quality.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or_default().trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            if let Some(lang) = Lang::parse(primary) {
                if best.is_none_or(|(bq, _)| q > bq) {
                    best = Some((q, lang));
                }
            }
        }
        best.map(|(_, lang)| lang)
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::Ko => &KO,
            Lang::En => &EN,
        }
    }
}

impl Texts {
    /// How long `secs` is, in whole seconds under two minutes, else in whole minutes
    /// (rounded up: never tell someone to come back before they may).
    pub fn wait(&self, secs: i64) -> String {
        if secs <= 1 {
            self.one_second.to_owned()
        } else if secs < 120 {
            self.seconds.replace("{n}", &secs.to_string())
        } else {
            self.minutes.replace("{n}", &((secs + 59) / 60).to_string())
        }
    }
}

/// Every fixed text of the pages.
pub struct Texts {
    pub brand: &'static str,
    pub language: &'static str,
    pub sign_in_title: &'static str,
    pub sign_in_lead: &'static str,
    pub login_label: &'static str,
    pub login_placeholder: &'static str,
    pub password_label: &'static str,
    pub sign_in: &'static str,
    pub sign_in_failed: &'static str,
    pub session_expired: &'static str,
    /// `{wait}` is replaced by how long (see [`Texts::wait`]).
    pub sign_in_throttled: &'static str,
    pub sign_in_busy: &'static str,
    pub seconds: &'static str,
    /// English says "1 second", not "1 seconds".
    pub one_second: &'static str,
    pub minutes: &'static str,
    pub quick_accounts: &'static str,
    pub quick_accounts_note: &'static str,
    pub sign_out: &'static str,
    pub signed_in_as: &'static str,
    pub consent_title: &'static str,
    pub consent_lead: &'static str,
    pub consent_scopes: &'static str,
    pub consent_required: &'static str,
    pub consent_optional: &'static str,
    pub consent_channels: &'static str,
    pub consent_channels_note: &'static str,
    pub agree: &'static str,
    pub cancel: &'static str,
    pub friends: &'static str,
    pub add_channel: &'static str,
    pub chat: &'static str,
    pub added_badge: &'static str,
    pub blocked_badge: &'static str,
    pub add_title: &'static str,
    pub add_lead: &'static str,
    pub add_done: &'static str,
    pub already_added: &'static str,
    pub go_home: &'static str,
    pub chat_placeholder: &'static str,
    pub chat_send: &'static str,
    pub chat_empty: &'static str,
    pub chat_not_friend: &'static str,
    pub follow_title: &'static str,
    pub follow_lead: &'static str,
    pub follow_done: &'static str,
    pub follow_declined: &'static str,
    pub window_closes: &'static str,
    pub error_title: &'static str,
    pub not_found_title: &'static str,
    pub not_found_lead: &'static str,
    pub sanctioned_title: &'static str,
    pub sanctioned_lead: &'static str,
    pub error_code: &'static str,
    pub scope_profile_nickname: &'static str,
    pub scope_profile_image: &'static str,
    pub scope_account_email: &'static str,
    pub scope_gender: &'static str,
    pub scope_age_range: &'static str,
    pub scope_birthday: &'static str,
    pub scope_birthyear: &'static str,
    pub scope_phone_number: &'static str,
    pub scope_plusfriends: &'static str,
    pub share_title: &'static str,
    pub share_lead: &'static str,
    pub share_send: &'static str,
    pub share_image: &'static str,
    pub share_done: &'static str,
    pub share_done_lead: &'static str,
    pub share_cancelled: &'static str,
}

impl Texts {
    pub fn scope(&self, scope: &str) -> &'static str {
        match scope {
            "profile_nickname" => self.scope_profile_nickname,
            "profile_image" => self.scope_profile_image,
            "account_email" => self.scope_account_email,
            "gender" => self.scope_gender,
            "age_range" => self.scope_age_range,
            "birthday" => self.scope_birthday,
            "birthyear" => self.scope_birthyear,
            "phone_number" => self.scope_phone_number,
            _ => self.scope_plusfriends,
        }
    }
}

static KO: Texts = Texts {
    brand: "talkchannel",
    language: "언어",
    sign_in_title: "로그인",
    sign_in_lead: "카카오계정 이메일 또는 전화번호로 로그인하세요.",
    login_label: "이메일 또는 전화번호",
    login_placeholder: "name@example.com 또는 010-0000-0000",
    password_label: "비밀번호",
    sign_in: "로그인",
    sign_in_failed: "이메일(전화번호) 또는 비밀번호가 올바르지 않습니다.",
    session_expired: "페이지가 만료되었습니다. 다시 시도해 주세요.",
    sign_in_throttled: "로그인 시도가 너무 많습니다. {wait} 후에 다시 시도해 주세요.",
    sign_in_busy: "지금은 로그인 요청이 많습니다. 잠시 후 다시 시도해 주세요.",
    seconds: "{n}초",
    one_second: "1초",
    minutes: "{n}분",
    quick_accounts: "빠른 계정 선택 (에뮬레이터)",
    quick_accounts_note: "에뮬레이터 설정으로 비밀번호 없이 로그인합니다.",
    sign_out: "로그아웃",
    signed_in_as: "로그인 계정",
    consent_title: "동의하고 계속하기",
    consent_lead: "서비스 이용을 위해 아래 정보 제공에 동의해 주세요.",
    consent_scopes: "제공 항목",
    consent_required: "필수",
    consent_optional: "선택",
    consent_channels: "카카오톡 채널 추가",
    consent_channels_note: "채널을 추가하면 채널의 소식과 메시지를 받을 수 있습니다.",
    agree: "동의하고 계속하기",
    cancel: "취소",
    friends: "친구",
    add_channel: "채널 추가",
    chat: "채팅",
    added_badge: "추가한 채널",
    blocked_badge: "차단한 채널",
    add_title: "채널을 추가할까요?",
    add_lead: "채널을 추가하면 소식과 혜택을 메시지로 받을 수 있습니다.",
    add_done: "채널을 추가했습니다.",
    already_added: "이미 추가한 채널입니다.",
    go_home: "채널 홈",
    chat_placeholder: "메시지 입력",
    chat_send: "전송",
    chat_empty: "채널과의 대화가 여기에 표시됩니다.",
    chat_not_friend: "채널을 추가하면 메시지를 받을 수 있습니다.",
    follow_title: "채널 간편 추가",
    follow_lead: "아래 채널을 추가합니다.",
    follow_done: "채널을 추가했습니다. 이 창은 닫아도 됩니다.",
    follow_declined: "채널을 추가하지 않았습니다. 이 창은 닫아도 됩니다.",
    window_closes: "잠시 후 창이 닫힙니다.",
    error_title: "요청을 처리할 수 없습니다",
    not_found_title: "채널을 찾을 수 없습니다",
    not_found_lead: "주소가 올바른지 확인해 주세요.",
    sanctioned_title: "이용할 수 없는 채널입니다",
    sanctioned_lead: "운영 정책에 따라 이용이 제한된 채널입니다.",
    error_code: "오류 코드",
    scope_profile_nickname: "닉네임",
    scope_profile_image: "프로필 사진",
    scope_account_email: "카카오계정(이메일)",
    scope_gender: "성별",
    scope_age_range: "연령대",
    scope_birthday: "생일",
    scope_birthyear: "출생 연도",
    scope_phone_number: "카카오계정(전화번호)",
    scope_plusfriends: "카카오톡 채널 추가 상태 및 내역",
    share_title: "카카오톡 공유",
    share_lead: "아래 메시지를 카카오톡으로 공유합니다.",
    share_send: "공유하기",
    share_image: "이미지",
    share_done: "공유했습니다.",
    share_done_lead: "메시지를 공유했습니다. 이 창은 닫아도 됩니다.",
    share_cancelled: "공유하지 않았습니다. 이 창은 닫아도 됩니다.",
};

static EN: Texts = Texts {
    brand: "talkchannel",
    language: "Language",
    sign_in_title: "Sign in",
    sign_in_lead: "Sign in with your Kakao Account's email or phone number.",
    login_label: "Email or phone number",
    login_placeholder: "name@example.com or 010-0000-0000",
    password_label: "Password",
    sign_in: "Sign in",
    sign_in_failed: "The email (phone number) or password is not correct.",
    session_expired: "This page expired. Please try again.",
    sign_in_throttled: "Too many sign-in attempts. Please try again in {wait}.",
    sign_in_busy: "Too many sign-in requests right now. Please try again in a moment.",
    seconds: "{n} seconds",
    one_second: "1 second",
    minutes: "{n} minutes",
    quick_accounts: "Quick account picker (emulator)",
    quick_accounts_note: "The emulator profile lets you sign in without a password.",
    sign_out: "Sign out",
    signed_in_as: "Signed in as",
    consent_title: "Agree and continue",
    consent_lead: "To use this service, please agree to share the information below.",
    consent_scopes: "Information shared",
    consent_required: "Required",
    consent_optional: "Optional",
    consent_channels: "Add Kakao Talk Channels",
    consent_channels_note: "Added channels can send you news and messages.",
    agree: "Agree and continue",
    cancel: "Cancel",
    friends: "friends",
    add_channel: "Add channel",
    chat: "Chat",
    added_badge: "Added",
    blocked_badge: "Blocked",
    add_title: "Add this channel?",
    add_lead: "Once added, the channel can send you news and offers as messages.",
    add_done: "The channel was added.",
    already_added: "You have already added this channel.",
    go_home: "Channel home",
    chat_placeholder: "Type a message",
    chat_send: "Send",
    chat_empty: "Your conversation with the channel appears here.",
    chat_not_friend: "Add the channel to receive its messages.",
    follow_title: "Add channel",
    follow_lead: "You are about to add this channel.",
    follow_done: "The channel was added. You may close this window.",
    follow_declined: "The channel was not added. You may close this window.",
    window_closes: "This window closes in a moment.",
    error_title: "The request cannot be processed",
    not_found_title: "Channel not found",
    not_found_lead: "Please check the address.",
    sanctioned_title: "This channel is not available",
    sanctioned_lead: "The channel has been restricted under the operating policy.",
    error_code: "Error code",
    scope_profile_nickname: "Nickname",
    scope_profile_image: "Profile image",
    scope_account_email: "Kakao Account (email)",
    scope_gender: "Gender",
    scope_age_range: "Age range",
    scope_birthday: "Birthday",
    scope_birthyear: "Birth year",
    scope_phone_number: "Kakao Account (phone number)",
    scope_plusfriends: "Kakao Talk Channel addition status and history",
    share_title: "Share on Kakao Talk",
    share_lead: "You are about to share this message on Kakao Talk.",
    share_send: "Share",
    share_image: "Image",
    share_done: "Shared.",
    share_done_lead: "The message was shared. You may close this window.",
    share_cancelled: "Nothing was shared. You may close this window.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_known_language() {
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,ko;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("fr, ko-KR;q=0.7, en;q=0.5"),
            Some(Lang::Ko)
        );
        assert_eq!(Lang::from_accept_language("fr, de"), None);
        assert_eq!(Lang::from_accept_language(""), None);
    }
}
