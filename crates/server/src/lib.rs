//! The composition root: configuration, storage engine selection, the HTTP stack and the
//! `talkchannel` command line. Only this crate names concrete storage engines.

pub mod cli;
pub mod config;
mod http;
pub mod import;
mod run;
mod scheduler;
pub mod seed;
mod sign_in;
mod snapshots;
mod storage;
pub mod telemetry;
mod workers;

pub use config::Config;
pub use run::{RunningServer, Server};
pub use sign_in::{SignInConfig, ThrottleConfig};
pub use snapshots::SegmentsConfig;
pub use storage::open_store;
pub use talkchannel_service::SegmentEngine;
pub use talkchannel_webhooks::DeliveryCounts;
pub use workers::WebhookConfig;
