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
pub mod complaints;
pub mod demo;
pub mod demo_agreements;
pub mod demo_occupancy;
pub mod enforcement;
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

/// `YYYY-MM-DD` without the general date parser (which reads its pattern every time): for
/// the hundreds of thousands of dates a bulk read meets.
pub fn parse_day(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)
}
