//! `flexwonen bench signals`: the signal run of a municipality the size of Rotterdam. A BAG
//! extract and the matching BRP extract are generated (`bag_generate`), imported the way the
//! commands import them, and the run is timed cold (the first, with nothing cached) and again
//! on each of the `runs` days after (the median), as one JSON line.

use crate::bag_generate::{Layout, Spec, generate};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_store::{Actor, Backend, Store};
use serde_json::json;
use std::time::Instant;

fn seconds(started: Instant) -> f64 {
    (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0
}

pub async fn signals(store: &Store, objects: u64, runs: usize) -> Result<String, Box<dyn std::error::Error>> {
    if store.bag_summary().await?.is_some() {
        return Err("the benchmark needs a database without a BAG import".into());
    }
    let spec = Spec::for_municipality("GM0599", objects, 1)?;
    let rotterdam = MunicipalityCode::parse("GM0599").map_err(|(_, m)| m)?;
    let dir = std::env::temp_dir().join(format!("flexwonen-bench-signals-{}", std::process::id()));
    let (bag, brp) = (dir.join("bag"), dir.join("brp.csv"));
    let made = generate(&spec, Layout::Folder, &bag, Some(&brp))?;
    let actor = Actor::system("bench signals");

    let started = Instant::now();
    crate::bag_import::import(store, &bag, &|_| {}).await?;
    let import_s = seconds(started);
    let started = Instant::now();
    let counts = flexwonen_core::brp_extract::parse_brp_extract(&std::fs::read(&brp)?)
        .map_err(|e| format!("{} problems in the generated BRP extract", e.len()))?;
    store.replace_brp_extract(&actor, &rotterdam, &counts).await?;
    let upload_s = seconds(started);
    std::fs::remove_dir_all(&dir)?;

    let today = chrono::Utc::now().date_naive();
    let started = Instant::now();
    let first = store.run_signals(&actor, &rotterdam, today).await?;
    let cold_s = seconds(started);
    let mut times = Vec::with_capacity(runs);
    let mut last = first.clone();
    // Each rerun a day later with the same inputs, as the daily run between two uploads:
    // nothing changed, so nothing but the run's own row is written.
    for day in 1..=runs {
        let date = today + chrono::Days::new(day as u64);
        let started = Instant::now();
        last = store.run_signals(&actor, &rotterdam, date).await?;
        times.push(seconds(started));
    }
    times.sort_by(f64::total_cmp);
    Ok(json!({
        "database": match store.backend() { Backend::Sqlite => "sqlite", Backend::Postgres => "postgres" },
        "verblijfsobjecten": made.verblijfsobjecten,
        "brp_addresses": made.brp_addresses,
        "registered": made.brp_registered,
        "bag_import_s": import_s,
        "brp_upload_s": upload_s,
        "addresses_judged": first.addresses,
        "signals_opened": first.opened,
        "run_cold_s": cold_s,
        "runs": runs,
        "run_median_s": times[times.len() / 2],
        "run_max_s": times.last().copied().unwrap_or(0.0),
        "open_after_rerun": last.open_signals,
    })
    .to_string())
}
