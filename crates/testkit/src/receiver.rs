//! A real webhook receiver on 127.0.0.1:0 that records every request Kakao-style
//! deliveries make, and misbehaves on demand: error statuses, answers later than the
//! 3 s limit, or connections closed without an answer.
//!
//! It speaks just enough HTTP/1.1 (keep-alive, `Content-Length` bodies) to be able to
//! drop a connection mid-request, which a framework would not let a handler do.

use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the receiver answers from now on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 200 at once.
    Ok,
    /// 200 after a pause (to keep deliveries in flight).
    Slow(Duration),
    Status(u16),
    /// No answer for this long, then the connection is closed.
    Hang(Duration),
    /// The connection is closed as soon as the request has arrived.
    Close,
}

/// One request as it arrived, and what it was answered (None: no answer).
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Names in lower case.
    pub headers: HashMap<String, String>,
    pub raw_body: Vec<u8>,
    pub body: Value,
    pub answered: Option<u16>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    pub fn resource_id(&self) -> &str {
        self.header("x-kakao-resource-id").unwrap_or_default()
    }

    pub fn accepted(&self) -> bool {
        self.answered.is_some_and(|s| (200..300).contains(&s))
    }
}

struct Shared {
    mode: Mutex<Mode>,
    received: Mutex<Vec<Received>>,
}

#[derive(Clone)]
pub struct Receiver {
    /// `http://127.0.0.1:{port}/hook`
    pub url: String,
    shared: Arc<Shared>,
}

impl Receiver {
    pub async fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind receiver");
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let shared = Arc::new(Shared {
            mode: Mutex::new(mode),
            received: Mutex::new(Vec::new()),
        });
        let serving = Arc::clone(&shared);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&serving)));
            }
        });
        Self { url, shared }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self
            .shared
            .mode
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = mode;
    }

    /// Every request so far, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        self.shared
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(Received::accepted)
            .collect()
    }

    /// Polls until `done` holds for the requests so far (or panics after `within`).
    pub async fn wait_until(
        &self,
        within: Duration,
        what: &str,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        let deadline = Instant::now() + within;
        loop {
            let received = self.received();
            if done(&received) {
                return received;
            }
            assert!(
                Instant::now() < deadline,
                "receiver: {what} did not happen within {within:?}; got {} requests ({} accepted)",
                received.len(),
                received.iter().filter(|r| r.accepted()).count()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Waits until `n` distinct resource ids have been accepted; returns the accepted ones.
    pub async fn wait_accepted(&self, n: usize, within: Duration) -> Vec<Received> {
        let what = format!("{n} distinct accepted events");
        self.wait_until(within, &what, |all| {
            let ids: std::collections::HashSet<&str> = all
                .iter()
                .filter(|r| r.accepted())
                .map(Received::resource_id)
                .collect();
            ids.len() >= n
        })
        .await
        .into_iter()
        .filter(Received::accepted)
        .collect()
    }
}

async fn serve(stream: TcpStream, shared: Arc<Shared>) {
    let mut conn = BufReader::new(stream);
    while let Some(mut request) = read_request(&mut conn).await {
        let mode = *shared.mode.lock().unwrap_or_else(PoisonError::into_inner);
        let status = match mode {
            Mode::Ok => Some(200),
            Mode::Slow(pause) => {
                tokio::time::sleep(pause).await;
                Some(200)
            }
            Mode::Status(status) => Some(status),
            Mode::Hang(pause) => {
                tokio::time::sleep(pause).await;
                None
            }
            Mode::Close => None,
        };
        request.answered = status;
        shared
            .received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
        let Some(status) = status else { return };
        let answer = format!("HTTP/1.1 {status} X\r\ncontent-length: 2\r\n\r\nok");
        if conn.get_mut().write_all(answer.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn read_request(conn: &mut BufReader<TcpStream>) -> Option<Received> {
    let mut line = String::new();
    conn.read_line(&mut line).await.ok().filter(|n| *n > 0)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        conn.read_line(&mut header).await.ok().filter(|n| *n > 0)?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_owned());
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut raw_body = vec![0; length];
    conn.read_exact(&mut raw_body).await.ok()?;
    let body = serde_json::from_slice(&raw_body).unwrap_or(Value::Null);
    Some(Received {
        method,
        path,
        headers,
        raw_body,
        body,
        answered: None,
    })
}
