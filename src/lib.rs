//! Cityscape: a server-rendered web app that shows one page about a place, now: where it is, its
//! local time, the weather and the next hours, and the sun's times. Behind each page it waits on
//! three web services and SQLite, concurrently and without blocking, with caches that coalesce
//! identical waits.
//!
//! The library holds everything so that tests can build the router; `main.rs` only starts it.

pub mod boards;
pub mod body_deadline;
pub mod charts;
pub mod cities;
pub mod config;
pub mod cookies;
pub mod db;
pub mod domain;
pub mod error;
pub mod event_writes;
pub mod feeds;
pub mod handlers;
pub mod layout;
pub mod lookup;
pub mod paths;
pub mod photo_store;
pub mod protect;
pub mod request_id;
pub mod routes;
pub mod security;
pub mod server;
pub mod state;
pub mod static_assets;
pub mod telemetry;
pub mod timing;
pub mod upstream;
pub mod view_counts;
