//! The body of `/v2/user/me`. Each item of `kakao_account` follows Kakao's pattern:
//! `has_X` says the account has it, `X_needs_agreement` says the user has not consented to
//! its item, and the value itself is present only with consent. `property_keys` narrows
//! the answer to the items it names.

use super::KapiError;
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use talkchannel_domain::{Account, AppUser, KakaoTime, PhoneNumber};

/// The `property_keys` Kakao documents. Those naming data talkchannel's accounts do not
/// have (`name`, `ci`, ...) are accepted and select nothing.
const PROPERTY_KEYS: [&str; 19] = [
    "properties.nickname",
    "properties.profile_image",
    "properties.thumbnail_image",
    "kakao_account.profile",
    "kakao_account.email",
    "kakao_account.age_range",
    "kakao_account.birthday",
    "kakao_account.birthyear",
    "kakao_account.gender",
    "kakao_account.phone_number",
    "kakao_account.name",
    "kakao_account.ci",
    "kakao_account.legal_name",
    "kakao_account.legal_birth_date",
    "kakao_account.legal_gender",
    "kakao_account.is_kakaotalk_user",
    "has_signed_up",
    "synched_at",
    "for_partner.uuid",
];

/// `property_keys`: a JSON array of documented keys; `None` when absent.
pub fn property_keys(raw: Option<&str>) -> Result<Option<BTreeSet<String>>, KapiError> {
    let Some(raw) = raw else { return Ok(None) };
    let keys: Vec<String> = serde_json::from_str(raw).map_err(|_| {
        KapiError::invalid(
            "property_keys must be a JSON array of strings, e.g. [\"kakao_account.email\"]",
        )
    })?;
    if let Some(unknown) = keys.iter().find(|k| !PROPERTY_KEYS.contains(&k.as_str())) {
        return Err(KapiError::invalid(format!(
            "unknown property key `{}`",
            unknown.chars().take(60).collect::<String>()
        )));
    }
    Ok(Some(keys.into_iter().collect()))
}

/// The whole answer for `user`'s `account` on `today`, narrowed to `keys` if given.
pub fn render(
    user: &AppUser,
    account: &Account,
    today: NaiveDate,
    keys: Option<&BTreeSet<String>>,
) -> Value {
    let wanted = |key: &str| keys.is_none_or(|k| k.contains(key));
    let mut kakao_account = Map::new();
    for (item, fields) in items(user, account, today) {
        if wanted(&format!("kakao_account.{item}")) {
            kakao_account.extend(fields);
        }
    }
    let mut body = json!({
        "id": user.user_id,
        "connected_at": KakaoTime(user.linked_at).to_string(),
    });
    if user.has_scope("profile_nickname") && wanted("properties.nickname") {
        body["properties"] = json!({"nickname": account.nickname});
    }
    if keys.is_none() || !kakao_account.is_empty() {
        body["kakao_account"] = Value::Object(kakao_account);
    }
    body
}

/// Each `kakao_account` item with its fields, as named in `property_keys`.
fn items(
    user: &AppUser,
    account: &Account,
    today: NaiveDate,
) -> Vec<(&'static str, Map<String, Value>)> {
    let birth = account.birth_date;
    let simple: [(&str, &str, Option<Value>); 6] = [
        (
            "email",
            "account_email",
            account.email.clone().map(Value::from),
        ),
        (
            "phone_number",
            "phone_number",
            account.phone_number.as_ref().map(|p| kakao_phone(p).into()),
        ),
        (
            "gender",
            "gender",
            account.gender.map(|g| g.as_str().into()),
        ),
        (
            "age_range",
            "age_range",
            account.age_on(today).map(|a| age_range(a).into()),
        ),
        (
            "birthyear",
            "birthyear",
            birth.map(|d| format!("{:04}", d.year()).into()),
        ),
        (
            "birthday",
            "birthday",
            birth.map(|d| format!("{:02}{:02}", d.month(), d.day()).into()),
        ),
    ];
    let mut items = vec![("profile", profile(user, account))];
    for (field, scope, value) in simple {
        let agreed = user.has_scope(scope);
        let mut fields = consent_item(field, agreed, value.clone());
        if agreed && value.is_some() {
            match field {
                // Emulated accounts' emails are taken as confirmed.
                "email" => {
                    fields.insert("is_email_valid".into(), true.into());
                    fields.insert("is_email_verified".into(), true.into());
                }
                "birthday" => {
                    fields.insert("birthday_type".into(), "SOLAR".into());
                }
                _ => {}
            }
        }
        items.push((field, fields));
    }
    items
}

fn profile(user: &AppUser, account: &Account) -> Map<String, Value> {
    let nickname = user.has_scope("profile_nickname");
    let image = user.has_scope("profile_image");
    let mut fields = Map::new();
    fields.insert(
        "profile_nickname_needs_agreement".into(),
        (!nickname).into(),
    );
    fields.insert("profile_image_needs_agreement".into(), (!image).into());
    let mut profile = Map::new();
    if nickname {
        profile.insert("nickname".into(), account.nickname.clone().into());
        profile.insert("is_default_nickname".into(), false.into());
    }
    if image {
        // Accounts here have no picture: Kakao's answer for a default one.
        profile.insert("is_default_image".into(), true.into());
    }
    if nickname || image {
        fields.insert("profile".into(), Value::Object(profile));
    }
    fields
}

fn consent_item(field: &str, agreed: bool, value: Option<Value>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert(format!("has_{field}"), value.is_some().into());
    if let Some(value) = value {
        out.insert(format!("{field}_needs_agreement"), (!agreed).into());
        if agreed {
            out.insert(field.to_owned(), value);
        }
    }
    out
}

/// Kakao's age bands: `1~9`, `10~14`, `15~19`, then tens up to `90~`.
fn age_range(age: u32) -> String {
    match age {
        0..=9 => "1~9".into(),
        10..=14 => "10~14".into(),
        15..=19 => "15~19".into(),
        90.. => "90~".into(),
        _ => format!("{0}0~{0}9", age / 10),
    }
}

/// Kakao's spelling: `+82 10-1234-5678` (national `01012345678`).
fn kakao_phone(phone: &PhoneNumber) -> String {
    let digits = &phone.as_str()[1..];
    let (prefix, rest) = digits.split_at(2);
    let (middle, last) = rest.split_at(rest.len() - 4);
    format!("+82 {prefix}-{middle}-{last}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_are_spelled_as_kakao_does() {
        let phone = |s| kakao_phone(&PhoneNumber::parse(s).expect("valid"));
        assert_eq!(phone("010-1234-5678"), "+82 10-1234-5678");
        assert_eq!(phone("011-123-4567"), "+82 11-123-4567");
    }

    #[test]
    fn ages_fall_in_kakaos_bands() {
        let bands: Vec<String> = [0, 9, 10, 14, 15, 19, 20, 29, 35, 89, 90, 120]
            .into_iter()
            .map(age_range)
            .collect();
        assert_eq!(
            bands,
            [
                "1~9", "1~9", "10~14", "10~14", "15~19", "15~19", "20~29", "20~29", "30~39",
                "80~89", "90~", "90~"
            ]
        );
    }

    #[test]
    fn property_keys_are_a_json_array_of_documented_keys() {
        assert_eq!(property_keys(None).unwrap(), None);
        let keys = property_keys(Some(r#"["kakao_account.email","properties.nickname"]"#))
            .unwrap()
            .unwrap();
        assert_eq!(keys.len(), 2);
        for bad in [
            "kakao_account.email",
            "[1]",
            r#"["kakao_account.nope"]"#,
            "{}",
        ] {
            assert!(property_keys(Some(bad)).is_err(), "{bad}");
        }
    }
}
