//! orgaudit: a read-only compliance audit scanner for AWS Organizations.
//!
//! Data flows one way: `collect` (AWS, read-only) → [`snapshot::Snapshot`] →
//! `rules` (evaluate) → [`findings`] → `report` (render).

pub mod analysis;
pub mod app;
pub mod cli;
#[cfg(feature = "scan")]
pub mod collect;
pub mod compliance;
pub mod config;
pub mod diagnostic;
pub mod diff;
pub mod findings;
pub mod fsutil;
pub mod json_error;
pub mod report;
pub mod rules;
pub mod sanitize;
pub mod snapshot;
pub mod waivers;
