//! Per-app consent item settings (동의항목), as Kakao's developer console sets them: each
//! known item is required (the consent screen asks, the user cannot untick it), optional
//! (asked, may be unticked) or disabled (the app may not ask for it).

use crate::app_user::KNOWN_SCOPES;
use std::collections::{BTreeMap, BTreeSet};

/// How an app uses one consent item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Requirement {
    Required,
    Optional,
    Disabled,
}

impl Requirement {
    /// What an item is for an app that never set it: every known item may be asked for,
    /// none is forced (links made before the settings existed keep what they granted).
    pub const DEFAULT: Requirement = Requirement::Optional;

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "required",
            Self::Optional => "optional",
            Self::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Required, Self::Optional, Self::Disabled]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// An app's setting for every known item, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentItems(BTreeMap<&'static str, Requirement>);

impl Default for ConsentItems {
    fn default() -> Self {
        Self(
            KNOWN_SCOPES
                .iter()
                .map(|s| (*s, Requirement::DEFAULT))
                .collect(),
        )
    }
}

impl ConsentItems {
    /// The defaults with `settings` applied; `Err(item)` names an unknown item.
    pub fn with<'a>(
        settings: impl IntoIterator<Item = (&'a str, Requirement)>,
    ) -> Result<Self, String> {
        let mut items = Self::default();
        for (scope, requirement) in settings {
            let known = KNOWN_SCOPES
                .iter()
                .find(|k| **k == scope)
                .ok_or_else(|| scope.to_owned())?;
            items.0.insert(known, requirement);
        }
        Ok(items)
    }

    /// `None` for an item we do not know.
    pub fn requirement(&self, scope: &str) -> Option<Requirement> {
        self.0.get(scope).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Requirement)> + '_ {
        self.0.iter().map(|(s, r)| (*s, *r))
    }

    /// Items the user must agree to before the app is linked.
    pub fn required(&self) -> BTreeSet<String> {
        self.having(|r| r == Requirement::Required)
    }

    /// Items the app may ask for (required or optional).
    pub fn enabled(&self) -> BTreeSet<String> {
        self.having(|r| r != Requirement::Disabled)
    }

    /// The settings that differ from the default, which is all a store keeps.
    pub fn overrides(&self) -> Vec<(&'static str, Requirement)> {
        self.iter()
            .filter(|(_, r)| *r != Requirement::DEFAULT)
            .collect()
    }

    fn having(&self, keep: impl Fn(Requirement) -> bool) -> BTreeSet<String> {
        self.iter()
            .filter(|(_, r)| keep(*r))
            .map(|(s, _)| s.to_owned())
            .collect()
    }
}

/// How Kakao's consent screen and `/v2/user/scopes` name an item (`display_name`).
pub fn display_name(scope: &str) -> &'static str {
    match scope {
        "profile_nickname" => "닉네임",
        "profile_image" => "프로필 사진",
        "account_email" => "카카오계정(이메일)",
        "gender" => "성별",
        "age_range" => "연령대",
        "birthday" => "생일",
        "birthyear" => "출생 연도",
        "phone_number" => "카카오계정(전화번호)",
        "plusfriends" => "카카오톡 채널 추가 상태 및 내역",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_then_settings_and_only_differences_are_kept() {
        let items = ConsentItems::with([
            ("profile_nickname", Requirement::Required),
            ("phone_number", Requirement::Disabled),
        ])
        .unwrap();
        assert_eq!(
            items.requirement("account_email"),
            Some(Requirement::Optional)
        );
        assert_eq!(items.requirement("nope"), None);
        assert_eq!(
            items.required(),
            BTreeSet::from(["profile_nickname".into()])
        );
        assert!(!items.enabled().contains("phone_number"));
        assert_eq!(items.enabled().len(), KNOWN_SCOPES.len() - 1);
        assert_eq!(
            items.overrides(),
            [
                ("phone_number", Requirement::Disabled),
                ("profile_nickname", Requirement::Required)
            ]
        );
        assert_eq!(
            ConsentItems::with([("nope", Requirement::Optional)]),
            Err("nope".into())
        );
        for r in [
            Requirement::Required,
            Requirement::Optional,
            Requirement::Disabled,
        ] {
            assert_eq!(Requirement::parse(r.as_str()), Some(r));
        }
        assert!(KNOWN_SCOPES.iter().all(|s| !display_name(s).is_empty()));
    }
}
