use crate::ValidationError;
use std::fmt;

/// A Korean mobile number in national form (`01012345678`), however it was written:
/// `010-1234-5678`, `8210...`, `+82 10-...` and `+82 010...` all name one number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let bad = || {
            ValidationError::new("phone_number", format!("`{input}` is not a Korean mobile number such as 010-1234-5678 or +82 10-1234-5678"))
        };
        let mut digits = String::with_capacity(16);
        for (i, c) in input.trim().chars().enumerate() {
            match c {
                '0'..='9' => digits.push(c),
                '+' if i == 0 => {}
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(bad()),
            }
        }
        let national = match digits.strip_prefix("82") {
            Some(rest) if rest.starts_with('0') => rest.to_owned(),
            Some(rest) => format!("0{rest}"),
            None => digits,
        };
        let valid = national.starts_with("01")
            && (10..=11).contains(&national.len())
            && matches!(
                national.as_bytes()[2],
                b'0' | b'1' | b'6' | b'7' | b'8' | b'9'
            );
        if valid {
            Ok(Self(national))
        } else {
            Err(bad())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// International digits as Kakao's APIs exchange them: `821012345678`.
    pub fn international(&self) -> String {
        format!("82{}", &self.0[1..])
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_names_one_number() {
        for s in [
            "01012345678",
            "010-1234-5678",
            "821012345678",
            "+82 10-1234-5678",
            "+82 010 1234 5678",
            "(010) 1234.5678",
        ] {
            assert_eq!(
                PhoneNumber::parse(s).unwrap().as_str(),
                "01012345678",
                "{s}"
            );
        }
        assert_eq!(
            PhoneNumber::parse("0111234567").unwrap().international(),
            "82111234567"
        );
    }

    #[test]
    fn rejects_what_is_not_a_mobile_number() {
        for s in [
            "",
            "abc",
            "0212345678",
            "010123",
            "0101234567890",
            "1+01012345678",
            "010-1234-567x",
        ] {
            assert!(PhoneNumber::parse(s).is_err(), "{s}");
        }
    }
}
