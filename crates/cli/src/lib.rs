//! The `flexwonen` command: serve, migrate, demo data, import and export. This library part
//! holds what the subcommands do, so tests can call it directly.

pub mod accounts;
pub mod bag_generate;
pub mod bag_import;
pub mod bag_source;
pub mod bench;
pub mod bench_enforcement;
pub mod bench_monitor;
pub mod bench_occupancy;
pub mod bench_signals;
pub mod demo;
pub mod demo_enforcement;
pub mod locations_io;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar on stderr, hidden when stderr is not a terminal (CI, pipes).
pub fn progress(len: u64, message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}

/// The middle value (the mean of the two middle ones for an even count); 0 when empty.
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => 0.0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}
