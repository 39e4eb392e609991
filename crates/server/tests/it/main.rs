//! End-to-end tests: the real server over HTTP on 127.0.0.1:0, on SQLite and PostgreSQL.

mod bad_input;
mod browser;
mod channel_pages;
mod chat_page;
mod cli;
mod client_secret;
mod control;
mod credentials;
mod customer_file_import;
mod customer_files;
mod follow_channel;
mod friend_group_snapshots;
mod friend_groups;
mod friendships;
mod kauth_authorize;
mod kauth_authorize_errors;
mod kauth_token;
mod login_setup;
mod logout;
mod messages;
mod ops;
mod relationship;
mod user_info;
mod webhook_faults;
mod webhooks;
