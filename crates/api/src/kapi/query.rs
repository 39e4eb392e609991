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
}
