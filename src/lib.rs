//! Kho: an open-data catalogue server speaking the CKAN Action API.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing))]

pub mod actions;
pub mod app;
pub mod auth;
pub mod cli;
pub mod compliance;
pub mod config;
pub mod dcat;
pub mod demo;
pub mod error;
pub mod feed;
pub mod gate;
pub mod harvest;
pub mod http;
pub mod licenses;
pub mod mail;
pub mod model;
pub mod portal;
pub mod preview;
pub mod schemas;
pub mod search;
pub mod store;
pub mod tabular;
pub mod telemetry;
pub mod uploads;
pub mod workflows;
