//! Harvesting: sources, jobs and a scheduler; CKAN, DCAT and department API (JSON/CSV) source
//! types. Jobs write only through the harvest actions (`crate::actions::harvest`), which use
//! the dataset write path.

mod api;
mod ckan;
pub mod command;
pub mod config;
mod dcat;
mod dcat_map;
pub mod dcat_read;
mod dcat_values;
mod fetch;
pub mod run;
pub mod scheduler;
mod vocab_reverse;

pub use fetch::is_private;
