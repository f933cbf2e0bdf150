//! The domain of flexwonen: the register's types, their validation, who may see what, and
//! the demo-data generator.
//!
//! Architecture invariant: this crate does no I/O. It parses and validates values, decides
//! access and generates data; the store persists and the web serves. Everything here is
//! deterministic, which keeps it testable with plain `check(input, expect)` tests.

#[macro_use]
mod codes;

pub mod access;
pub mod address;
pub mod agreements;
pub mod bag;
pub mod brp_extract;
pub mod capacity;
pub mod certificates;
pub mod demo;
pub mod demo_agreements;
pub mod demo_occupancy;
pub mod error;
pub mod geo;
pub mod geography;
pub mod ids;
pub mod inspections;
pub mod locations_csv;
pub mod monitor;
pub mod norms;
pub mod occupancy;
pub mod occupancy_events;
pub mod occupancy_stats;
pub mod register;
pub mod signals;
pub mod totals;

pub use error::{FieldError, FieldErrors};
