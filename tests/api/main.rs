//! Black-box tests: the real server on a random port, driven over HTTP, on SQLite and
//! PostgreSQL. One test binary so linking happens once.

mod access_requests;
mod accounts;
mod activity;
mod architecture;
mod authz;
mod cli;
mod datasets;
mod dcat;
mod feed;
mod forgiving;
mod golden;
mod groups;
mod harvest;
mod helpers;
mod hostile;
mod mailbox;
mod portal;
mod publishing;
mod quality;
mod relevance;
mod search;
mod signin;
mod summary;
mod transport;
mod typed;
mod workflows;
