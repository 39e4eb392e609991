//! Channel webhook delivery: Kakao's headers and body, optional HMAC signatures, an HTTP
//! client that only reaches allowed addresses, and the claim-deliver-record worker that
//! every `serve` process runs over the shared outbox.

mod guard;
pub mod payload;
mod retry;
mod sender;
pub mod signing;
mod worker;

pub use guard::AddressPolicy;
pub use retry::Backoff;
pub use sender::{Outcome, Outgoing, Sender, TIMEOUT};
pub use worker::{active_secrets, DeliveryCounts, Worker, WorkerConfig};
