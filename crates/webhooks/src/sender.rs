//! One HTTP client for every delivery: pooled, never follows redirects, 3 s per request,
//! reads at most a few KiB of any answer, reaches only addresses the policy allows.

use crate::guard::AddressPolicy;
use crate::guard::GuardedResolver;
use crate::signing::{signature, SIGNATURE_HEADER};
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, USER_AGENT};
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::{Host, Url};

/// Kakao's limit: a receiver must answer 2xx within 3 seconds.
pub const TIMEOUT: Duration = Duration::from_secs(3);
/// Answers are ignored; this much is read so the connection can be reused.
const MAX_RESPONSE_BYTES: usize = 16 * 1024;

/// One request to send: the target, the app's admin key, the event's id and body.
pub struct Outgoing<'a> {
    pub url: &'a str,
    pub admin_key: Option<&'a str>,
    pub resource_id: &'a str,
    pub body: Vec<u8>,
    /// Active signing secrets, current first; empty when the app does not sign.
    pub secrets: Vec<&'a str>,
    pub unix_secs: i64,
}

/// What one attempt got: a status (any answer) or an error, and how long it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Option<u16>,
    pub latency_ms: i64,
    pub error: Option<String>,
}

impl Outcome {
    /// Kakao's rule: any 2xx; 3xx and everything else fail.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    policy: AddressPolicy,
}

impl Sender {
    pub fn new(policy: AddressPolicy) -> Self {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .connect_timeout(TIMEOUT)
            .pool_max_idle_per_host(256)
            .dns_resolver(Arc::new(GuardedResolver { policy }))
            .build()
            .expect("the TLS backend initialises");
        Self { client, policy }
    }

    pub async fn send(&self, out: Outgoing<'_>) -> Outcome {
        let started = Instant::now();
        let result = self.exchange(out).await;
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        match result {
            Ok(status) => Outcome {
                status: Some(status),
                latency_ms,
                error: (!(200..300).contains(&status)).then(|| format!("answered {status}")),
            },
            Err(error) => Outcome {
                status: None,
                latency_ms,
                error: Some(error),
            },
        }
    }

    async fn exchange(&self, out: Outgoing<'_>) -> Result<u16, String> {
        let url = Url::parse(out.url).map_err(|e| format!("invalid url: {e}"))?;
        self.check_literal_host(&url)?;
        let headers = headers(&out)?;
        let mut res = self
            .client
            .post(url)
            .headers(headers)
            .body(out.body)
            .send()
            .await
            .map_err(describe)?;
        let status = res.status().as_u16();
        let mut read = 0;
        while read < MAX_RESPONSE_BYTES {
            match res.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                Ok(None) => break,
                // The status counts; a body cut short does not change it.
                Err(_) => break,
            }
        }
        Ok(status)
    }

    /// The resolver sees host names only; an address in the URL is checked here.
    fn check_literal_host(&self, url: &Url) -> Result<(), String> {
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => v4.into(),
            Some(Host::Ipv6(v6)) => v6.into(),
            Some(Host::Domain(_)) => return Ok(()),
            None => return Err("the url has no host".into()),
        };
        match self.policy.refusal(ip) {
            Some(reason) => Err(format!(
                "destination refused: {ip} is a {reason} address; allow it in [webhooks] of the server config"
            )),
            None => Ok(()),
        }
    }
}

fn headers(out: &Outgoing<'_>) -> Result<HeaderMap, String> {
    let value = |v: &str| HeaderValue::from_str(v).map_err(|e| format!("bad header value: {e}"));
    let mut headers = HeaderMap::new();
    if let Some(key) = out.admin_key {
        headers.insert(AUTHORIZATION, value(&format!("KakaoAK {key}"))?);
    }
    headers.insert("x-kakao-resource-id", value(out.resource_id)?);
    headers.insert(USER_AGENT, HeaderValue::from_static("KakaoOpenAPI/1.0"));
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some(sig) = signature(&out.secrets, out.unix_secs, &out.body) {
        headers.insert(SIGNATURE_HEADER, value(&sig)?);
    }
    Ok(headers)
}

/// A short reason for the delivery log, without the URL (already known to the reader).
fn describe(e: reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out after 3 s"
    } else if e.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    // The innermost cause says most (connection refused, reset, refused address).
    let mut innermost = None;
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        innermost = Some(s.to_string());
        source = s.source();
    }
    let detail = innermost.unwrap_or_else(|| e.without_url().to_string());
    format!("{kind}: {detail}")
}
