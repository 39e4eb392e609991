//! A path on this server to send a browser back to (`continue` after sign-in or
//! sign-out). Checked by parsing it as a browser would, against a placeholder origin:
//! a prefix test passes `/\t/evil.example/` (browsers drop the tab and follow
//! `//evil.example/`) and lets a newline make a `Location` header impossible.

use url::{Position, Url};

/// A same-origin absolute path with its query, free of control characters and
/// backslashes, that a browser resolves to this origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPath(String);

/// Stands for this server's own origin while parsing.
const HERE: &str = "http://talkchannel.invalid";

impl LocalPath {
    pub fn parse(raw: &str) -> Option<Self> {
        let plain = raw.starts_with('/')
            && !raw.starts_with("//")
            && !raw.chars().any(|c| c.is_control() || c == '\\');
        if !plain {
            return None;
        }
        let base = Url::parse(HERE).expect("a valid placeholder origin");
        let resolved = base.join(raw).ok()?;
        if resolved.origin() != base.origin() {
            return None;
        }
        // What the browser will ask for: the path and query as the parser wrote them.
        // Dot segments can leave a path that starts with `//` (`/.//evil.example`), which
        // a `Location` would send off-site: the written form is checked again.
        let written = &resolved[Position::BeforePath..Position::AfterQuery];
        if !written.starts_with('/') || written.starts_with("//") {
            return None;
        }
        Some(Self(written.to_owned()))
    }

    /// The start page, where a missing or refused target goes.
    pub fn root() -> Self {
        Self("/".to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_paths_are_kept() {
        for ok in [
            "/",
            "/_abc/friend?x=1",
            "/oauth/authorize?a=b&c=%2F%2Fd",
            "/a/%09b",
        ] {
            assert_eq!(LocalPath::parse(ok).unwrap().as_str(), ok);
        }
        assert_eq!(LocalPath::parse("/a/../b").unwrap().as_str(), "/b");
        assert_eq!(LocalPath::parse("/a#frag").unwrap().as_str(), "/a");
    }

    #[test]
    fn dot_segments_cannot_make_a_protocol_relative_path() {
        for tricky in [
            "/.//evil.example/x",
            "/..//evil.example/x",
            "/a/..//evil.example",
            "/%2e//evil.example",
        ] {
            let parsed = LocalPath::parse(tricky);
            assert!(
                parsed
                    .as_ref()
                    .is_none_or(|p| !p.as_str().starts_with("//")),
                "{tricky:?} -> {parsed:?}"
            );
        }
    }

    #[test]
    fn anything_a_browser_could_take_elsewhere_is_refused() {
        for bad in [
            "//evil.example/",
            "/\t/evil.example/x",
            "/\n/evil.example/x",
            "/\r\n/x",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example/",
            "http:evil.example",
            "x",
            "",
            " /a",
            "/a\u{0}b",
            "/a\u{7f}",
            "/a\u{85}",
        ] {
            assert_eq!(LocalPath::parse(bad), None, "{bad:?}");
        }
    }
}
