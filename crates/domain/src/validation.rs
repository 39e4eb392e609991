use std::fmt;

/// A rejected input, naming the field and what is wrong with it, so every surface can
/// answer with a message the caller can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub field: String,
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl std::error::Error for ValidationError {}

/// Checks a free-text display field: trimmed, non-empty, bounded, no control characters.
pub fn display_text(field: &str, value: &str, max_chars: usize) -> Result<String, ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > max_chars {
        return Err(ValidationError::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValidationError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(trimmed.to_owned())
}

/// Whether text holds a control character other than tab and line breaks (which values
/// such as a multi-line customer-file field may carry): a NUL above all, which
/// PostgreSQL can neither store nor compare.
pub fn has_stray_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// A positive id written plainly: ASCII digits only, no sign, no blanks, no leading zero,
/// within `i64`. `+5`, ` 5`, `05` and `5.0` are refused rather than read as 5, so two
/// spellings never name one row.
pub fn positive_id(raw: &str) -> Option<i64> {
    let plain = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) && !raw.starts_with('0');
    plain.then(|| raw.parse::<i64>().ok()).flatten()
}

#[cfg(test)]
mod id_tests {
    use super::positive_id;

    #[test]
    fn only_plain_digits_are_ids() {
        assert_eq!(positive_id("6707126073"), Some(6_707_126_073));
        assert_eq!(positive_id("9223372036854775807"), Some(i64::MAX));
        for bad in [
            "",
            "0",
            "05",
            "+5",
            "-5",
            " 5",
            "5 ",
            "5.0",
            "1e3",
            "9223372036854775808",
            "٣",
        ] {
            assert_eq!(positive_id(bad), None, "{bad:?}");
        }
    }
}
