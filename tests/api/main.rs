//! One integration test binary: each file is an area of the app, driven over real HTTP on
//! 127.0.0.1 against a fake upstream server, with its own temporary SQLite file.

mod api;
mod bad_input;
mod binary;
mod caching;
mod calendars;
mod city_places;
mod cli;
mod concurrency;
mod decode_memory;
mod degradation;
mod durability;
mod events;
mod fixtures;
mod helpers;
mod limits;
mod live_providers;
mod observability;
mod pages;
mod photos;
mod providers;
mod saved;
mod search;
mod security;
mod simulated;
mod slow_clients;
mod static_assets;
mod static_embedded;
mod storage;
mod view_counts;
