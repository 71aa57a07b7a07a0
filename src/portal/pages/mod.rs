//! One module per page.

pub mod about;
pub mod access_requests;
pub mod activity;
pub mod admin;
pub mod changes;
pub mod dashboard;
pub mod datarequests;
pub mod dataset;
pub mod dataset_form;
pub mod error;
pub mod error_reports;
pub mod evaluation;
pub mod group_form;
pub mod groups;
pub mod harvest;
pub mod home;
pub mod maintenance;
pub mod members;
pub mod oidc;
pub mod profile;
pub mod reports;
pub mod resource;
pub mod resource_form;
pub mod search;
pub mod tokens;
pub mod user;
