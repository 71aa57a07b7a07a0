//! The provincial workflows' shared rules: the working-day calendar their deadlines use. The
//! workflows themselves are actions (`crate::actions::maintenance`, …) with their pages and
//! tables.

pub mod calendar;
pub mod quality;
pub mod reminders;
pub mod retention;

pub use calendar::Calendar;
