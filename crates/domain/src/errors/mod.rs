//! The error catalogue: every code talkchannel answers with and every typed refusal,
//! with their wire text and HTTP status. Nothing else in the workspace spells a code;
//! each surface maps typed errors to its wire format in one place (kapi/error.rs,
//! kauth/error.rs, control/error.rs, pages/render.rs).
//!
//! - [`KakaoCode`]: the Kakao API's `{"code": -N}` codes, and which code a missing
//!   [`Entity`] or a broken [`Clash`] becomes.
//! - [`Koe`]: Kakao Login's `KOE` codes with their OAuth `error` and status.
//! - [`Kae`]: the SDKs' `KAE` codes with their `error_msg`.
//! - [`Entity`], [`Clash`]: what a store or service refusal is about.

pub mod kae;
pub mod kakao;
pub mod koe;
pub mod rules;

pub use kae::Kae;
pub use kakao::KakaoCode;
pub use koe::Koe;
pub use rules::{Clash, Entity};
