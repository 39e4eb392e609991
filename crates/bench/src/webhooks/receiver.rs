//! A webhook receiver on 127.0.0.1 that answers 200 at once and counts deliveries and
//! distinct resource ids. Minimal HTTP/1.1 (keep-alive, Content-Length), so it costs
//! the server under test as little CPU as possible.

use anyhow::{bail, Context, Result};
use indicatif::ProgressBar;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct Counts {
    deliveries: u64,
    ids: HashSet<String>,
}

#[derive(Clone)]
pub struct CountingReceiver {
    pub url: String,
    counts: Arc<Mutex<Counts>>,
}

impl CountingReceiver {
    pub async fn start() -> Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .context("could not bind the webhook receiver on 127.0.0.1")?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        let counts = Arc::new(Mutex::new(Counts::default()));
        let shared = Arc::clone(&counts);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, Arc::clone(&shared)));
            }
        });
        Ok(Self { url, counts })
    }

    /// (deliveries, distinct resource ids) so far.
    pub fn counts(&self) -> (u64, usize) {
        let c = self.counts.lock().unwrap_or_else(PoisonError::into_inner);
        (c.deliveries, c.ids.len())
    }

    /// Waits until `n` distinct events arrived; returns how long that took from `since`.
    pub async fn wait_for(
        &self,
        n: usize,
        since: Instant,
        within: Duration,
        bar: &ProgressBar,
    ) -> Result<Duration> {
        loop {
            let (_, distinct) = self.counts();
            bar.set_position(distinct as u64);
            if distinct >= n {
                return Ok(since.elapsed());
            }
            if since.elapsed() > within {
                bail!("only {distinct} of {n} events arrived within {}s; check the server's log above", within.as_secs());
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

async fn serve(stream: TcpStream, counts: Arc<Mutex<Counts>>) {
    let mut conn = BufReader::new(stream);
    while let Some(id) = read_request(&mut conn).await {
        {
            let mut c = counts.lock().unwrap_or_else(PoisonError::into_inner);
            c.deliveries += 1;
            c.ids.insert(id);
        }
        if conn
            .get_mut()
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Reads one request; returns its `X-Kakao-Resource-ID`.
async fn read_request(conn: &mut BufReader<TcpStream>) -> Option<String> {
    let mut line = String::new();
    conn.read_line(&mut line).await.ok().filter(|n| *n > 0)?;
    let (mut length, mut id) = (0usize, String::new());
    loop {
        line.clear();
        conn.read_line(&mut line).await.ok().filter(|n| *n > 0)?;
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok()?;
        } else if name.eq_ignore_ascii_case("x-kakao-resource-id") {
            id = value.trim().to_owned();
        }
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body).await.ok()?;
    Some(id)
}
