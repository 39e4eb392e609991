use crate::validation::display_text;
use crate::{AccountId, PhoneNumber, ValidationError};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// A Kakao Talk user: what adds, blocks and chats with channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub nickname: String,
    pub phone_number: Option<PhoneNumber>,
    pub email: Option<String>,
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    pub region: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Account {
    /// Age in whole years on `today`, as Kakao's targeting computes it (international age).
    pub fn age_on(&self, today: NaiveDate) -> Option<u32> {
        let born = self.birth_date?;
        let mut age = today.year() - born.year();
        if (today.month(), today.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        u32::try_from(age).ok()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gender {
    Female,
    Male,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Female => "female",
            Gender::Male => "male",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "female" => Some(Gender::Female),
            "male" => Some(Gender::Male),
            _ => None,
        }
    }
}

/// A validated request to create an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub nickname: String,
    pub phone_number: Option<PhoneNumber>,
    pub email: Option<String>,
    pub gender: Option<Gender>,
    pub birth_date: Option<NaiveDate>,
    pub region: Option<String>,
}

pub const NICKNAME_MAX_CHARS: usize = 64;
pub const REGION_MAX_CHARS: usize = 64;
pub const EMAIL_MAX_CHARS: usize = 254;

impl NewAccount {
    /// Validates raw input; `today` bounds the birth date.
    pub fn validate(
        nickname: &str,
        phone_number: Option<&str>,
        email: Option<&str>,
        gender: Option<Gender>,
        birth_date: Option<NaiveDate>,
        region: Option<&str>,
        today: NaiveDate,
    ) -> Result<Self, ValidationError> {
        let nickname = display_text("nickname", nickname, NICKNAME_MAX_CHARS)?;
        let phone_number = phone_number.map(PhoneNumber::parse).transpose()?;
        let email = email.map(validate_email).transpose()?;
        if let Some(born) = birth_date {
            let oldest = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");
            if born > today || born < oldest {
                return Err(ValidationError::new(
                    "birth_date",
                    "must be between 1900-01-01 and today",
                ));
            }
        }
        let region = region
            .map(|r| display_text("region", r, REGION_MAX_CHARS))
            .transpose()?;
        Ok(Self {
            nickname,
            phone_number,
            email,
            gender,
            birth_date,
            region,
        })
    }
}

fn validate_email(raw: &str) -> Result<String, ValidationError> {
    let email = raw.trim().to_lowercase();
    let shaped = email.len() <= EMAIL_MAX_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, host)| {
            !local.is_empty()
                && host.contains('.')
                && !host.starts_with('.')
                && !host.ends_with('.')
                && !host.contains('@')
        });
    if shaped {
        Ok(email)
    } else {
        Err(ValidationError::new(
            "email",
            format!("`{raw}` is not an email address"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn age_turns_on_the_birthday() {
        let mut a = Account {
            id: 1,
            nickname: "n".into(),
            phone_number: None,
            email: None,
            gender: None,
            birth_date: Some(date(2000, 3, 15)),
            region: None,
            created_at: Utc::now(),
        };
        assert_eq!(a.age_on(date(2020, 3, 14)), Some(19));
        assert_eq!(a.age_on(date(2020, 3, 15)), Some(20));
        a.birth_date = None;
        assert_eq!(a.age_on(date(2020, 3, 15)), None);
    }

    #[test]
    fn validation_names_the_field() {
        let today = date(2026, 1, 1);
        let err = NewAccount::validate("  ", None, None, None, None, None, today).unwrap_err();
        assert_eq!(err.field, "nickname");
        let err =
            NewAccount::validate("a", None, Some("nope"), None, None, None, today).unwrap_err();
        assert_eq!(err.field, "email");
        let err = NewAccount::validate("a", None, None, None, Some(date(2027, 1, 1)), None, today)
            .unwrap_err();
        assert_eq!(err.field, "birth_date");
        let ok = NewAccount::validate(
            " Kim ",
            Some("+82 10-1111-2222"),
            Some("Kim@Example.com"),
            Some(Gender::Female),
            Some(date(1990, 1, 1)),
            Some("Seoul"),
            today,
        )
        .unwrap();
        assert_eq!(
            (ok.nickname.as_str(), ok.email.as_deref()),
            ("Kim", Some("kim@example.com"))
        );
    }
}
