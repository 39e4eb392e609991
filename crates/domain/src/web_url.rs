//! An absolute http(s) URL as an operator or a message writes it (webhook targets,
//! redirect URIs, message links), parsed once so every such field refuses the same
//! things: control characters (a NUL that PostgreSQL cannot store, a newline that splits
//! a header), blanks and backslashes inside, user names and passwords, and authorities
//! the URL parser would repair (`http:///x` parses as `http://x/`).

use url::Url;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebUrl {
    /// As written (trimmed): redirect URIs are compared byte for byte.
    raw: String,
    parsed: Url,
}

impl WebUrl {
    /// `Err` says what is wrong, for the caller's field-named message.
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let raw = input.trim();
        if raw
            .chars()
            .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
        {
            return Err("must not contain control characters, blanks or backslashes");
        }
        let lower = raw.get(..8).unwrap_or(raw).to_ascii_lowercase();
        let rest = if lower.starts_with("https://") {
            &raw[8..]
        } else if lower.starts_with("http://") {
            &raw[7..]
        } else {
            return Err("must be an absolute http:// or https:// URL");
        };
        if rest.is_empty() || rest.starts_with('/') {
            return Err("must name a host after the scheme");
        }
        let parsed = Url::parse(raw).map_err(|_| "is not a valid URL")?;
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err("must name a host after the scheme");
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err("must not carry a user name or password");
        }
        Ok(Self {
            raw: raw.to_owned(),
            parsed,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn url(&self) -> &Url {
        &self.parsed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_web_urls_are_kept_as_written() {
        for ok in [
            "https://shop.example/cb",
            "http://127.0.0.1:8080/hook?x=1#top",
            "HTTPS://Shop.Example/Path",
            "https://xn--9n2bp8q.example/",
        ] {
            assert_eq!(WebUrl::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(
            WebUrl::parse("  https://a.example/ ").unwrap().as_str(),
            "https://a.example/"
        );
    }

    #[test]
    fn what_a_parser_would_repair_or_a_header_would_split_is_refused() {
        for bad in [
            "http:///x",
            "https:/a.example",
            "https:a.example",
            "https://",
            "https://a.example/\u{0}",
            "https://a.example/a\nb",
            "https://a.example/a b",
            "https://a.example\\@evil.example/",
            "https://user:pw@a.example/",
            "https://user@a.example/",
            "ftp://a.example/",
            "javascript:alert(1)",
            "//a.example/",
            "a.example",
            "",
        ] {
            assert!(WebUrl::parse(bad).is_err(), "{bad:?}");
        }
    }
}
