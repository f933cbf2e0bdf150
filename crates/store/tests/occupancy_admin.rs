//! Occupancy housekeeping in storage, on SQLite and on PostgreSQL: the demo occupancy bulk
//! load, the retention purge (worker records gone, no reference left anywhere, every count
//! the same, a second run a no-op) and the refresh of the registration flags as time passes.

use chrono::NaiveDate;
use flexwonen_core::demo::{self, DemoData};
use flexwonen_core::demo_occupancy::{DemoOccupancy, generate_occupancy};
use flexwonen_core::geography;
use flexwonen_core::norms::builtin_rule_sets;
use flexwonen_core::register::OrganisationDraft;
use flexwonen_store::testing::TestDb;
use flexwonen_store::{Actor, DemoLoad, OccupancyLoad, Store, db_tests};
use sqlx::Row;

const TODAY: &str = "2026-11-28";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn actor() -> Actor {
    Actor::system("test")
}

/// A small demo data set with its occupancy up to `TODAY`, loaded.
async fn load_demo(store: &Store) -> (DemoData, DemoOccupancy) {
    load_demo_purged_before(store, None).await
}

/// The demo loaded with `purged_before` (see `OccupancyLoad`).
async fn load_demo_purged_before(store: &Store, purged_before: Option<NaiveDate>) -> (DemoData, DemoOccupancy) {
    let munis = geography::parse_municipalities(geography::MUNICIPALITIES_CSV).unwrap();
    let boundaries = geography::parse_boundaries(geography::BOUNDARIES_RD_GEOJSON).unwrap();
    let places = geography::places_by_municipality(geography::PLACES_CSV);
    let data = demo::generate(0.01, demo::DEFAULT_SEED, &munis, &boundaries, &places);
    let mut org_ids = Vec::new();
    for o in &data.organisations {
        let draft = OrganisationDraft {
            name: o.name.clone(),
            kvk: o.kvk.clone(),
            kind: o.kind,
            municipality: o.municipality.clone(),
        };
        org_ids.push(store.create_organisation(&actor(), &draft).await.unwrap().id);
    }
    let rows: Vec<_> = data.locations.iter().map(|l| (l.draft.clone(), l.operator.map(|i| org_ids[i]))).collect();
    let loaded = store.bulk_load(&actor(), DemoLoad { locations: &rows }, &|_| {}).await.unwrap();
    let occupancy = generate_occupancy(&data, demo::DEFAULT_SEED, date(TODAY), &builtin_rule_sets().unwrap());
    let generation = store.occupancy_generation().await.unwrap();
    let load = OccupancyLoad { occupancy: &occupancy, organisation_ids: &org_ids, locations: &loaded, purged_before };
    let workers = store.bulk_load_occupancy(&actor(), load, &|_| {}).await.unwrap();
    assert_eq!(workers as i64, scalar(store, "SELECT COUNT(*) FROM workers").await);
    assert!(store.occupancy_generation().await.unwrap() > generation);
    (data, occupancy)
}

async fn scalar(store: &Store, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(store.pool()).await.unwrap()
}

/// The counts the statistics show, computed straight from `stays`: stays and flagged stays
/// per location, nationality and month of check-in, and nights per location.
async fn counts(store: &Store) -> Vec<(i64, String, String, i64, i64, i64)> {
    sqlx::query(
        "SELECT location_id, nationality, substr(check_in, 1, 7) AS month, COUNT(*) AS n,
                CAST(SUM(unregistered_long) AS BIGINT) AS flagged, COUNT(check_out) AS closed
         FROM stays GROUP BY location_id, nationality, substr(check_in, 1, 7)
         ORDER BY location_id, nationality, month",
    )
    .fetch_all(store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.get("location_id"),
            r.get("nationality"),
            r.get("month"),
            r.get("n"),
            r.get::<i64, _>("flagged"),
            r.get("closed"),
        )
    })
    .collect()
}

async fn audit_texts(store: &Store) -> Vec<String> {
    sqlx::query("SELECT COALESCE(before_json, '') AS b, COALESCE(after_json, '') AS a FROM audit_log")
        .fetch_all(store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.get::<String, _>("b"), r.get::<String, _>("a")))
        .collect()
}

async fn demo_load_keeps_every_stay(db: TestDb) {
    let store = &db.store;
    let (_, occupancy) = load_demo(store).await;
    assert_eq!(scalar(store, "SELECT COUNT(*) FROM stays").await, occupancy.stays.len() as i64);
    assert_eq!(scalar(store, "SELECT COUNT(*) FROM workers").await, occupancy.workers.len() as i64);
    let flagged = occupancy.stays.iter().filter(|s| s.unregistered_long).count() as i64;
    assert!(flagged > 0);
    assert_eq!(scalar(store, "SELECT COUNT(*) FROM stays WHERE unregistered_long = 1").await, flagged);
    // Each stay sits at the bed's own location, and its worker is the location operator's.
    assert_eq!(
        scalar(
            store,
            "SELECT COUNT(*) FROM stays s JOIN beds b ON b.id = s.bed_id WHERE b.location_id <> s.location_id"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            store,
            "SELECT COUNT(*) FROM stays s JOIN workers w ON w.id = s.worker_id JOIN locations l ON l.id = s.location_id
             WHERE w.provider_id <> l.operator_id OR s.provider_id <> l.operator_id OR w.nationality <> s.nationality"
        )
        .await,
        0
    );
    // One audit entry for the whole load, with counts only.
    let entries = store.audit_trail("occupancy", 0).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "bulk_load");
    // The flags as loaded are what a refresh on the same day computes: nothing to change.
    assert_eq!(store.refresh_open_flags(&actor(), date(TODAY)).await.unwrap(), (0, 0));
    // The store's own reading of a stay agrees with the generator's.
    let first = &occupancy.stays[0];
    let id: i64 = sqlx::query_scalar("SELECT MIN(id) FROM stays").fetch_one(store.pool()).await.unwrap();
    let stay = store.stay(&actor(), &flexwonen_core::access::LocationScope::All, id).await.unwrap();
    assert_eq!((stay.check_in, stay.check_out, stay.terms), (first.check_in, first.check_out, first.terms));
    assert_eq!(stay.worker_reference.as_deref(), Some(occupancy.workers[first.worker].reference.as_str()));
}

async fn purge_forgets_workers_and_keeps_every_count(db: TestDb) {
    let store = &db.store;
    load_demo(store).await;
    let today = date(TODAY);
    let before = counts(store).await;
    let workers_before = scalar(store, "SELECT COUNT(*) FROM workers").await;
    // Who is due: every stay closed before 2025-11-28 (12 months before today).
    let due: Vec<String> = sqlx::query_scalar(
        "SELECT reference FROM workers w WHERE NOT EXISTS (SELECT 1 FROM stays s WHERE s.worker_id = w.id
             AND (s.check_out IS NULL OR s.check_out >= '2025-11-28'))",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert!(!due.is_empty());
    let generation = store.occupancy_generation().await.unwrap();

    let purged = store.purge_workers(&actor(), today, 12).await.unwrap();
    assert_eq!(purged, due.len());
    assert_eq!(scalar(store, "SELECT COUNT(*) FROM workers").await, workers_before - purged as i64);
    assert!(store.occupancy_generation().await.unwrap() > generation);

    // The references are gone: from the workers table and from every audit entry.
    let left: Vec<String> = sqlx::query_scalar("SELECT reference FROM workers").fetch_all(store.pool()).await.unwrap();
    let left: std::collections::HashSet<String> = left.into_iter().collect();
    assert!(due.iter().all(|r| !left.contains(r)));
    let audit = audit_texts(store).await;
    assert!(audit.iter().all(|t| !t.contains("W-")), "a worker reference in the audit log");
    let entries = store.audit_trail("workers", 0).await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].action, "purge");
    assert_eq!(entries[0].after.as_ref().unwrap()["purged"], purged);

    // Their stays remain, without a worker; everyone left has a stay open or ended lately.
    assert!(scalar(store, "SELECT COUNT(*) FROM stays WHERE worker_id IS NULL").await > 0);
    assert_eq!(
        scalar(
            store,
            "SELECT COUNT(*) FROM stays WHERE worker_id IS NULL AND (check_out IS NULL OR check_out >= '2025-11-28')"
        )
        .await,
        0
    );
    assert_eq!(
        scalar(
            store,
            "SELECT COUNT(*) FROM workers w WHERE NOT EXISTS (SELECT 1 FROM stays s WHERE s.worker_id = w.id
                 AND (s.check_out IS NULL OR s.check_out >= '2025-11-28'))"
        )
        .await,
        0
    );
    // A purged stay reads back without its worker.
    let id: i64 =
        sqlx::query_scalar("SELECT MIN(id) FROM stays WHERE worker_id IS NULL").fetch_one(store.pool()).await.unwrap();
    let stay = store.stay(&actor(), &flexwonen_core::access::LocationScope::All, id).await.unwrap();
    assert_eq!((stay.worker_id, stay.worker_reference, stay.registration), (None, None, None));

    // Every count is the same, and stays so after the daily flag refresh.
    assert_eq!(counts(store).await, before);
    store.refresh_open_flags(&actor(), today).await.unwrap();
    assert_eq!(counts(store).await, before);

    // A second run changes nothing: no rows, no audit entry, no new generation.
    let generation = store.occupancy_generation().await.unwrap();
    let audit_rows = scalar(store, "SELECT COUNT(*) FROM audit_log").await;
    assert_eq!(store.purge_workers(&actor(), today, 12).await.unwrap(), 0);
    assert_eq!(store.occupancy_generation().await.unwrap(), generation);
    assert_eq!(scalar(store, "SELECT COUNT(*) FROM audit_log").await, audit_rows);
    assert_eq!(counts(store).await, before);

    // A shorter retention reaches further.
    assert!(store.purge_workers(&actor(), today, 3).await.unwrap() > 0);
    assert_eq!(counts(store).await, before);
}

async fn refresh_flags_open_stays_as_time_passes(db: TestDb) {
    let store = &db.store;
    load_demo(store).await;
    // Open stays (reservations included) of workers not in the BRP, not flagged today.
    let waiting: Vec<i64> = sqlx::query_scalar(
        "SELECT s.id FROM stays s JOIN workers w ON w.id = s.worker_id
         WHERE s.check_out IS NULL AND w.registration <> 'brp' AND s.unregistered_long = 0 ORDER BY s.id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert!(!waiting.is_empty());
    const OLD_FLAGS: &str =
        "SELECT COUNT(*) FROM stays WHERE check_out IS NOT NULL AND check_out < '2026-12-01' AND unregistered_long = 1";
    let old_flags = scalar(store, OLD_FLAGS).await;

    // By then even the last reservation (at most 42 days ahead) has been housed more than
    // 4 months unregistered.
    let later = date("2027-06-01");
    let m = store.occupancy_maintenance(&actor(), later, 12).await.unwrap();
    assert!(m.flags_set >= waiting.len(), "{m:?}");
    let still: i64 = {
        let mut sql = String::from("SELECT COUNT(*) FROM stays WHERE unregistered_long = 0 AND id IN (");
        sql.push_str(&waiting.iter().map(|i| i.to_string()).collect::<Vec<_>>().join(", "));
        sql.push(')');
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(store.pool()).await.unwrap()
    };
    assert_eq!(still, 0);
    // Stays that ended long ago keep the flag they had.
    assert_eq!(scalar(store, OLD_FLAGS).await, old_flags);
    let audit = store.audit_trail("stays", 0).await.unwrap();
    assert_eq!(audit.last().unwrap().action, "refresh_registration_flags");

    // Run again on the same day: nothing to do.
    let generation = store.occupancy_generation().await.unwrap();
    let again = store.occupancy_maintenance(&actor(), later, 12).await.unwrap();
    assert_eq!((again.flags_set, again.flags_cleared, again.workers_purged), (0, 0, 0));
    assert_eq!(store.occupancy_generation().await.unwrap(), generation);
}

async fn a_demo_loaded_as_retention_leaves_it_has_nothing_to_purge(db: TestDb) {
    let store = &db.store;
    let today = date(TODAY);
    let cutoff = today.checked_sub_months(chrono::Months::new(12)).unwrap();
    let (_, occupancy) = load_demo_purged_before(store, Some(cutoff)).await;
    assert_eq!(scalar(store, "SELECT COUNT(*) FROM stays").await, occupancy.stays.len() as i64);
    let workers = scalar(store, "SELECT COUNT(*) FROM workers").await;
    assert!(0 < workers && workers < occupancy.workers.len() as i64, "{workers} of {}", occupancy.workers.len());
    assert!(scalar(store, "SELECT COUNT(*) FROM stays WHERE worker_id IS NULL").await > 0);
    assert_eq!(store.purge_workers(&actor(), today, 12).await.unwrap(), 0);
}

db_tests!(
    a_demo_loaded_as_retention_leaves_it_has_nothing_to_purge,
    demo_load_keeps_every_stay,
    purge_forgets_workers_and_keeps_every_count,
    refresh_flags_open_stays_as_time_passes
);
