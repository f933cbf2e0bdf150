//! `flexwonen import locations` and `flexwonen export locations`: the CSV format of
//! `flexwonen_core::locations_csv`, all-or-nothing, every bad row reported by line.

use flexwonen_core::access::LocationScope;
use flexwonen_core::locations_csv::{self, ExportBed, ExportRoom, ExportRow, RowError};
use flexwonen_store::{Actor, ImportError, Store, StoreError};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum ImportFailure {
    #[error("{} problem(s); nothing was imported", .0.len())]
    Rows(Vec<RowError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Imports every row of a locations CSV, or none.
pub async fn import(store: &Store, actor: &Actor, bytes: &[u8], show_progress: bool) -> Result<usize, ImportFailure> {
    let rows = locations_csv::parse(bytes).map_err(ImportFailure::Rows)?;
    let mut errors = Vec::new();
    let mut drafts = Vec::with_capacity(rows.len());
    let mut kvk_ids: HashMap<String, Option<i64>> = HashMap::new();
    for row in &rows {
        let mut input = row.input.clone();
        if let Some(kvk) = &row.operator_kvk {
            let id = match kvk_ids.get(kvk.as_str()) {
                Some(id) => *id,
                None => {
                    let id = store.organisation_by_kvk(kvk.as_str()).await?.map(|o| o.id);
                    kvk_ids.insert(kvk.as_str().to_string(), id);
                    id
                }
            };
            match id {
                Some(id) => input.operator_id = Some(id),
                None => errors.push(RowError {
                    line: row.line,
                    field: "operator_kvk".into(),
                    message: format!("no organisation with KvK number {} is registered", kvk.as_str()),
                }),
            }
        }
        match input.validate() {
            Ok(d) => drafts.push((row.line, d)),
            Err(e) => {
                errors.extend(e.0.into_iter().map(|f| RowError { line: row.line, field: f.field, message: f.message }))
            }
        }
    }
    if !errors.is_empty() {
        return Err(ImportFailure::Rows(errors));
    }
    let bar = crate::progress(drafts.len() as u64, "import");
    if !show_progress {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let only: Vec<_> = drafts.iter().map(|(_, d)| d.clone()).collect();
    let result = store.import_locations(actor, &LocationScope::All, &only, &|n| bar.inc(n)).await;
    bar.finish_and_clear();
    match result {
        Ok(n) => Ok(n),
        Err(ImportError::Rows(problems)) => Err(ImportFailure::Rows(
            problems
                .into_iter()
                .flat_map(|(i, e)| {
                    let line = drafts[i].0;
                    e.0.into_iter().map(move |f| RowError {
                        line,
                        field: csv_column(&f.field).to_string(),
                        message: f.message,
                    })
                })
                .collect(),
        )),
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}

/// The CSV column of a field the store named.
fn csv_column(field: &str) -> &str {
    match field {
        "address" => "postcode",
        "operator_id" => "operator_kvk",
        f => f.strip_prefix("address.").unwrap_or(f),
    }
}

/// Writes every location in `scope` as CSV.
pub async fn export<W: std::io::Write>(
    store: &Store,
    scope: &LocationScope,
    out: W,
) -> Result<usize, Box<dyn std::error::Error>> {
    let locations = store.export_locations(scope).await?;
    let mut kvk: HashMap<i64, String> = HashMap::new();
    let mut page = 1;
    loop {
        let p = store.organisations(None, None, page, 500).await?;
        let done = p.items.len() < 500;
        kvk.extend(p.items.into_iter().filter_map(|o| Some((o.id, o.kvk?))));
        if done {
            break;
        }
        page += 1;
    }
    let rows = locations.iter().map(|l| ExportRow {
        address: &l.address,
        municipality_code: &l.municipality_code,
        bag_vbo_id: l.bag_vbo_id.as_deref(),
        housing_form: l.housing_form,
        zoned_residential: l.zoned_residential,
        floor_area_m2: l.floor_area_m2,
        legal_status: l.legal_status,
        stay_type: l.stay_type,
        operator_kvk: l.operator_id.and_then(|id| kvk.get(&id)).map(String::as_str),
        facilities: l.facilities,
        position: l.position.map(|p| p.rd),
        new_build: l.new_build,
        in_use_since: l.in_use_since,
        conversion_permit: l.conversion_permit,
        bedroom_sharing_agreed: l.bedroom_sharing_agreed,
        first_responsible: l.first_responsible,
        rooms: l
            .rooms
            .iter()
            .map(|r| ExportRoom {
                name: &r.name,
                area_m2: r.area_m2,
                beds: r
                    .beds
                    .iter()
                    .map(|b| ExportBed { label: &b.label, out_of_service_reason: b.out_of_service_reason.as_deref() })
                    .collect(),
            })
            .collect(),
    });
    locations_csv::write(out, rows)?;
    // The file names operators by KvK number; one without cannot be named.
    let unnamed = locations.iter().filter(|l| l.operator_id.is_some_and(|id| !kvk.contains_key(&id))).count();
    if unnamed > 0 {
        eprintln!("warning: {unnamed} location(s) have an operator without a KvK number; their operator_kvk is empty");
    }
    Ok(locations.len())
}
