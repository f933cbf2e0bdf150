//! `flexwonen bench norms`: how fast the core judges locations, with no database in the way.

use flexwonen_core::capacity::{Bedroom, Certified, Facts, judge, permitted_only};
use flexwonen_core::norms::builtin_rule_sets;
use std::hint::black_box;
use std::time::Instant;

/// Judges every demo location against every applicable built-in rule set, `rounds` times on
/// this one thread, and returns the rates as a JSON line. Every operated location counts as
/// SNF-certified, so most locations meet three schemes (Bouwbesluit, SNF, and the municipal
/// rule where there is one): the heavier case.
pub fn norms(scale: f64, rounds: usize) -> Result<String, String> {
    let data = crate::demo::generate(scale, flexwonen_core::demo::DEFAULT_SEED);
    let sets = builtin_rule_sets()?;
    let bedrooms: Vec<Vec<Bedroom>> = data.locations.iter().map(|l| l.draft.bedrooms()).collect();
    let facts: Vec<Facts> = data.locations.iter().zip(&bedrooms).map(|(l, b)| l.draft.facts(b)).collect();
    let certified: Vec<Certified> =
        data.locations.iter().map(|l| Certified { snf: l.operator.is_some(), akf: false }).collect();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).ok_or("date")?;
    let n = facts.len();
    let mut permitted_times = Vec::with_capacity(rounds);
    let mut judge_times = Vec::with_capacity(rounds);
    let mut over = 0;
    for _ in 0..rounds {
        let started = Instant::now();
        over = 0;
        for ((l, f), c) in data.locations.iter().zip(&facts).zip(&certified) {
            let permitted = permitted_only(&sets, &l.draft.municipality, *c, black_box(f), date);
            over += permitted.is_some_and(|p| f.persons > p) as usize;
        }
        permitted_times.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        let mut violations = 0;
        for ((l, f), c) in data.locations.iter().zip(&facts).zip(&certified) {
            violations += judge(&sets, &l.draft.municipality, *c, black_box(f), date).violation_count();
        }
        black_box(violations);
        judge_times.push(started.elapsed().as_secs_f64());
    }
    let permitted = crate::median(&mut permitted_times);
    let judged = crate::median(&mut judge_times);
    Ok(format!(
        "{{\"scale\": {scale}, \"locations\": {n}, \"rounds\": {rounds}, \"over_capacity\": {over}, \
         \"permitted_median_s\": {permitted:.6}, \"permitted_per_s\": {:.0}, \
         \"judgement_median_s\": {judged:.6}, \"judgements_per_s\": {:.0}}}",
        n as f64 / permitted,
        n as f64 / judged
    ))
}

/// `flexwonen bench occupancy`: the demo load at `scale` into the database, timed per part
/// (the location load, the occupancy generation in memory, the occupancy load in one
/// transaction), as a JSON line. Replaces the database's data, so it refuses a database
/// that holds anything but demo data.
pub async fn occupancy(store: &flexwonen_store::Store, scale: f64) -> Result<String, Box<dyn std::error::Error>> {
    if !store.is_empty().await? && store.setting("demo_data").await?.is_none() {
        return Err("bench occupancy replaces all data: use an empty database or a demo database".into());
    }
    let started = Instant::now();
    let s = crate::demo::load(store, scale, flexwonen_core::demo::DEFAULT_SEED, false, true).await?;
    let total = started.elapsed().as_secs_f64();
    let database = match store.backend() {
        flexwonen_store::Backend::Sqlite => "sqlite",
        flexwonen_store::Backend::Postgres => "postgres",
    };
    let load = s.occupancy_loaded_s.max(1e-9);
    Ok(format!(
        "{{\"database\": \"{database}\", \"scale\": {scale}, \"locations\": {}, \"beds\": {}, \"workers\": {}, \
         \"stays\": {}, \"demo_total_s\": {total:.1}, \"occupancy_generate_s\": {:.2}, \"occupancy_load_s\": {:.2}, \
         \"stays_per_s\": {:.0}, \"rows_per_s\": {:.0}}}",
        s.locations,
        s.beds,
        s.workers,
        s.stays,
        s.occupancy_generated_s,
        s.occupancy_loaded_s,
        s.stays as f64 / load,
        (s.stays + s.workers) as f64 / load
    ))
}
