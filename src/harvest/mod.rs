//! Harvesting: sources, jobs and a scheduler; CKAN, DCAT and department API (JSON/CSV) source
//! types. Jobs write only through the harvest actions (`crate::actions::harvest`), which use
//! the dataset write path.

mod api;
mod ckan;
pub mod config;
mod dcat;
pub mod dcat_read;
mod fetch;
pub mod run;
pub mod scheduler;
mod dcat_map;
mod dcat_values;
mod vocab_reverse;

pub use fetch::is_private;
