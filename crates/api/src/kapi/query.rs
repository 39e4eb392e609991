//! A strict query-string reader: malformed encodings and repeated parameters are -2,
//! where a lenient parser would silently guess.

use super::KapiError;
use percent_encoding::percent_decode;
use std::collections::HashMap;

pub struct Query(HashMap<String, String>);

/// More parameters than any kapi call takes by far; beyond it a query is abuse.
const MAX_PARAMS: usize = 64;

impl Query {
    pub fn parse(raw: Option<&str>) -> Result<Self, KapiError> {
        let mut params = HashMap::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            if params.len() == MAX_PARAMS {
                return Err(KapiError::invalid(format!(
                    "too many query parameters (at most {MAX_PARAMS})"
                )));
            }
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name)?;
            let value = decode(value)?;
            if params.insert(name.clone(), value).is_some() {
                return Err(KapiError::invalid(format!(
                    "query parameter `{name}` is given more than once"
                )));
            }
        }
        Ok(Self(params))
    }

    /// The query and a form body together (Kakao's POST calls take their parameters in
    /// either): a name given in both must have the same value there.
    pub fn with_form(raw: Option<&str>, form: &[u8]) -> Result<Self, KapiError> {
        let mut params = Self::parse(raw)?;
        if form.is_empty() {
            return Ok(params);
        }
        let form = std::str::from_utf8(form)
            .map_err(|_| KapiError::invalid("the form body is not UTF-8"))?;
        for (name, value) in Self::parse(Some(form))?.0 {
            match params.0.get(&name) {
                Some(earlier) if *earlier != value => {
                    return Err(KapiError::invalid(format!(
                        "parameter `{name}` has different values in the query and the body"
                    )))
                }
                Some(_) => {}
                None if params.0.len() == MAX_PARAMS => {
                    return Err(KapiError::invalid(format!(
                        "too many parameters (at most {MAX_PARAMS})"
                    )))
                }
                None => {
                    params.0.insert(name, value);
                }
            }
        }
        Ok(params)
    }

    /// A parameter's value; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

fn decode(part: &str) -> Result<String, KapiError> {
    let plus_as_space = part.replace('+', " ");
    percent_decode(plus_as_space.as_bytes())
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            KapiError::invalid("the query string is not valid UTF-8 after percent-decoding")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_refuses_what_is_ambiguous() {
        let q = Query::parse(Some("a=%5B%22_x%22%5D&b=1+2&c=")).unwrap();
        assert_eq!(q.get("a"), Some("[\"_x\"]"));
        assert_eq!(q.get("b"), Some("1 2"));
        assert_eq!(q.get("c"), None);
        assert!(Query::parse(Some("a=1&a=2")).is_err());
        assert!(Query::parse(Some("a=%FF%FE")).is_err());
        assert!(Query::parse(None).unwrap().get("a").is_none());
    }

    #[test]
    fn a_form_body_adds_to_the_query_without_contradicting_it() {
        let q = Query::with_form(Some("a=1"), b"b=2&a=1").unwrap();
        assert_eq!((q.get("a"), q.get("b")), (Some("1"), Some("2")));
        assert!(Query::with_form(Some("a=1"), b"a=2").is_err());
        assert!(Query::with_form(None, b"b=%FF").is_err());
        assert!(Query::with_form(None, &[0xff]).is_err());
    }

    proptest::proptest! {
        /// Any query and body answer Ok or -2, never a panic; a name read from both
        /// has the one value they agree on.
        #[test]
        fn any_query_and_form_answer(
            raw in "[a-z=&%0-9A-F+]{0,40}",
            form in proptest::collection::vec(proptest::num::u8::ANY, 0..40),
        ) {
            let query = Query::parse(Some(&raw));
            if let Ok(merged) = Query::with_form(Some(&raw), &form) {
                let query = query.expect("the query alone parses when both do");
                for (name, value) in &query.0 {
                    proptest::prop_assert_eq!(merged.0.get(name), Some(value));
                }
            }
        }
    }
}
