//! A minimal browser for page tests over plain HTTP: keeps cookies, does not follow
//! redirects (tests look at each `Location`), and reads hidden form fields.
//! Real-browser journeys (Chromium) live in `e2e/` and are driven by the server's tests.

use crate::TestServer;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use std::collections::BTreeMap;
use std::sync::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub struct Browser {
    http: reqwest::Client,
    base: String,
    cookies: Mutex<BTreeMap<String, String>>,
}

/// A page as the browser got it.
#[derive(Debug)]
pub struct Page {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub location: Option<String>,
    pub text: String,
}

impl Browser {
    pub fn new(server: &TestServer) -> Self {
        Self::at(&server.base)
    }

    /// A browser talking to `base` (another node over the same database, say).
    pub fn at(base: &str) -> Self {
        Self::with_headers(base, reqwest::header::HeaderMap::new())
    }

    /// A browser whose every request carries `headers`, as if a proxy in front of the
    /// server added them (`X-Forwarded-For`, say).
    pub fn with_headers(base: &str, headers: reqwest::header::HeaderMap) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .default_headers(headers)
                .build()
                .expect("client"),
            base: base.to_owned(),
            cookies: Mutex::new(BTreeMap::new()),
        }
    }

    fn url(&self, target: &str) -> String {
        if target.starts_with("http") {
            target.to_owned()
        } else {
            format!("{}{}", self.base, target)
        }
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    /// Replaces the cookie jar's value (to play another browser's cookie).
    pub fn set_cookie(&self, name: &str, value: &str) {
        self.cookies
            .lock()
            .unwrap()
            .insert(name.to_owned(), value.to_owned());
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Page {
        let jar: Vec<String> = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let req = if jar.is_empty() {
            req
        } else {
            req.header(COOKIE, jar.join("; "))
        };
        let res = req.send().await.expect("request reaches the server");
        let status = res.status();
        let headers = res.headers().clone();
        for value in headers.get_all(SET_COOKIE) {
            let text = value.to_str().unwrap_or_default();
            let pair = text.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                let mut jar = self.cookies.lock().unwrap();
                if v.is_empty() || text.contains("Max-Age=0") {
                    jar.remove(k);
                } else {
                    jar.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let location = headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Page {
            status,
            headers,
            location,
            text: res.text().await.unwrap_or_default(),
        }
    }

    pub async fn get(&self, target: &str) -> Page {
        self.send(self.http.get(self.url(target))).await
    }

    pub async fn post(&self, target: &str, form: &[(&str, &str)]) -> Page {
        self.send(self.http.post(self.url(target)).form(form)).await
    }

    /// Follows redirects (to this server only) until a page that is not one.
    pub async fn follow(&self, mut page: Page) -> Page {
        for _ in 0..10 {
            match &page.location {
                Some(loc) if page.status.is_redirection() && !loc.starts_with("http") => {
                    page = self.get(&loc.clone()).await;
                }
                _ => return page,
            }
        }
        panic!("too many redirects");
    }
}

impl Page {
    /// The value of the first `<input ... name="{name}" value="...">`.
    pub fn field(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.text.find(&marker)? + marker.len();
        let end = self.text[start..].find('"')? + start;
        Some(unescape(&self.text[start..end]))
    }

    pub fn location(&self) -> &str {
        self.location.as_deref().unwrap_or_default()
    }
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&gt;", ">")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// A web page of "the developer's site" on its own origin (127.0.0.1 on another port):
/// answers every GET with the same HTML, so `/` and `/callback` are one page.
pub struct TestSite {
    pub origin: String,
}

impl TestSite {
    pub async fn serve(html: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind test site");
        let origin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let html = html.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    let mut read = 0;
                    while read < buf.len() {
                        match stream.read(&mut buf[read..]).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => read += n,
                        }
                        if buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                            break;
                        }
                    }
                    let head = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
                        html.len()
                    );
                    let _ = stream.write_all(head.as_bytes()).await;
                    let _ = stream.write_all(html.as_bytes()).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { origin }
    }
}
