//! One module per page.

pub mod about;
pub mod activity;
pub mod dataset;
pub mod error;
pub mod groups;
pub mod home;
pub mod resource;
pub mod search;
pub mod tokens;
pub mod user;
