//! The occupancy views' counts in storage, on SQLite and on PostgreSQL: the rate, stays by
//! nationality and length, the monthly chart, per country, region and municipality; the
//! registration flags per location and per municipality; the same counts after a purge.

use chrono::NaiveDate;
use flexwonen_core::access::LocationScope;
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::occupancy::StayLength;
use flexwonen_core::occupancy_events::{EventInput, TermsInput, WorkerInput};
use flexwonen_core::occupancy_stats::Area;
use flexwonen_store::testing::{TestDb, dormitory, housing_provider};
use flexwonen_store::{Actor, EventContext, Location, OccupancyReport, Store, StoreError, db_tests};

fn actor() -> Actor {
    Actor { account_id: None, name: "huisvester-test".into() }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-28";

/// A roomy location with `beds` beds in one room, the last one out of service.
async fn location(store: &Store, operator: i64, municipality: &str, postcode: &str, beds: usize) -> Location {
    let input = dormitory(municipality, postcode, operator, 400.0, beds);
    store.create_location(&actor(), &LocationScope::All, &input.validate().unwrap()).await.unwrap()
}

async fn provider(store: &Store) -> i64 {
    store.create_organisation(&actor(), &housing_provider("93333333").validate().unwrap()).await.unwrap().id
}

fn beds(l: &Location) -> Vec<i64> {
    l.rooms.iter().flat_map(|r| r.beds.iter().map(|b| b.id)).collect()
}

async fn apply(store: &Store, e: EventInput) {
    let a = actor();
    let scope = LocationScope::All;
    let ctx = EventContext {
        actor: &a,
        scope: &scope,
        sender: "org:test",
        bsn_key: None,
        today: date(TODAY),
        generation: None,
    };
    store.apply_event(&ctx, &e.validate().unwrap()).await.unwrap();
}

async fn check_in(store: &Store, bed: i64, reference: &str, nationality: &str, on: &str, brp_since: Option<&str>) {
    let worker = WorkerInput {
        reference: reference.into(),
        nationality: nationality.into(),
        registration: if brp_since.is_some() { "brp" } else { "none" }.into(),
        brp_municipality: brp_since.map(|_| "GM0983".into()),
        registered_on: brp_since.map(Into::into),
        ..Default::default()
    };
    let terms = TermsInput { separate_contract: true, rent_per_week: 110.0, notice_days: 14, ..Default::default() };
    apply(
        store,
        EventInput {
            id: format!("in-{reference}"),
            kind: "check_in".into(),
            date: on.into(),
            bed_id: Some(bed),
            worker: Some(worker),
            worker_reference: None,
            terms: Some(terms),
        },
    )
    .await;
}

async fn check_out(store: &Store, reference: &str, on: &str) {
    apply(
        store,
        EventInput {
            id: format!("out-{reference}"),
            kind: "check_out".into(),
            date: on.into(),
            worker_reference: Some(reference.into()),
            ..Default::default()
        },
    )
    .await;
}

/// Venlo: 5 beds in service, Westland: 2. Stays (today 2026-11-28):
/// W1 PL Venlo 2026-01-01 – open, unregistered: flagged;
/// W2 RO Venlo 2026-06-01 – 2026-08-01;
/// W3 BG Venlo 2026-07-01 – open, in the BRP since 2026-07-01;
/// W5 PL Venlo 2026-01-01 – 2026-06-01, unregistered: flagged;
/// W4 PL Westland 2026-10-01 – open.
async fn setting(store: &Store) -> (Location, Location) {
    let org = provider(store).await;
    let venlo = location(store, org, "GM0983", "5911AB", 6).await;
    let westland = location(store, org, "GM1783", "2671AB", 3).await;
    let (v, w) = (beds(&venlo), beds(&westland));
    check_in(store, v[0], "W1", "PL", "2026-01-01", None).await;
    check_in(store, v[1], "W2", "RO", "2026-06-01", None).await;
    check_out(store, "W2", "2026-08-01").await;
    check_in(store, v[2], "W3", "BG", "2026-07-01", Some("2026-07-01")).await;
    check_in(store, v[3], "W5", "PL", "2026-01-01", None).await;
    check_out(store, "W5", "2026-06-01").await;
    check_in(store, w[0], "W4", "PL", "2026-10-01", None).await;
    (venlo, westland)
}

fn municipality(code: &str) -> Area {
    Area::Municipality(MunicipalityCode::parse(code).unwrap())
}

fn month(r: &OccupancyReport, m: &str) -> (i64, i64, f64) {
    let m = r.stats.months.iter().find(|x| x.month == m).unwrap_or_else(|| panic!("month {m}"));
    (m.days, m.bed_nights, m.average_occupied)
}

async fn occupancy_rate_nationalities_lengths_and_months(db: TestDb) {
    let store = &db.store;
    let (_, westland) = setting(store).await;
    let r = store.occupancy_stats(&Area::National, date("2026-09-15")).await.unwrap();
    assert_eq!((r.level, r.id.as_deref(), r.name.as_deref()), ("national", None, None));
    let s = &r.stats;
    assert_eq!((s.beds_in_service, s.occupied, s.reserved), (7, 2, 1));
    assert_eq!(s.rate, Some(2.0 / 7.0));
    assert_eq!((s.stays_in_year, s.unregistered_long_in_year), (4, 2));
    let n: Vec<(&str, i64, i64)> =
        s.by_nationality.iter().map(|c| (c.nationality.as_str(), c.on_date, c.in_year)).collect();
    assert_eq!(n, [("PL", 1, 2), ("BG", 1, 1), ("RO", 0, 1)]);
    let l: Vec<(StayLength, i64, i64)> = s.by_length.iter().map(|c| (c.length, c.on_date, c.in_year)).collect();
    assert_eq!(l, [(StayLength::Short, 1, 2), (StayLength::Mid, 1, 2), (StayLength::Long, 0, 0)]);
    // The summer peak: three beds taken all of July, two in June, May and August.
    assert_eq!(s.months.len(), 36);
    assert_eq!((s.months[0].month.as_str(), s.months[35].month.as_str()), ("2023-10", "2026-09"));
    assert_eq!(month(&r, "2026-05"), (31, 62, 2.0));
    assert_eq!(month(&r, "2026-06"), (30, 60, 2.0));
    assert_eq!(month(&r, "2026-07"), (31, 93, 3.0));
    assert_eq!(month(&r, "2026-08"), (31, 62, 2.0));
    assert_eq!(month(&r, "2026-09"), (15, 30, 2.0), "the month of the date up to the date");
    assert_eq!(month(&r, "2025-12"), (31, 0, 0.0));
    assert_eq!(s.months.iter().find(|m| m.month == "2026-07").unwrap().rate, Some(3.0 / 7.0));
    let ms: Vec<(&str, i64, i64)> =
        r.by_municipality.iter().map(|m| (m.municipality_code.as_str(), m.beds_in_service, m.occupied)).collect();
    assert_eq!(ms, [("GM0983", 5, 2), ("GM1783", 2, 0)]);

    // A municipality: its own stays and beds only.
    let w = store.occupancy_stats(&municipality("GM1783"), date("2026-11-01")).await.unwrap();
    assert_eq!(
        (w.name.as_deref(), w.stats.beds_in_service, w.stats.occupied, w.stats.rate),
        (Some("Westland"), 2, 1, Some(0.5))
    );
    assert!(w.by_municipality.is_empty());
    // A region: Limburg holds Venlo, not Westland.
    let limburg = store.region_by_code("PV31").await.unwrap();
    let l = store.occupancy_stats(&Area::Region(limburg.id), date("2026-09-15")).await.unwrap();
    assert_eq!((l.stats.beds_in_service, l.stats.occupied, l.stats.reserved), (5, 2, 0));
    assert_eq!(l.by_municipality.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["Venlo"]);
    assert!(matches!(store.occupancy_stats(&Area::Region(999_999), date(TODAY)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.occupancy_stats(&municipality("GM9999"), date(TODAY)).await, Err(StoreError::NotFound)));

    // A new stay moves the figures at once (the cache follows the occupancy generation).
    check_in(store, beds(&westland)[1], "W6", "HU", "2026-10-15", None).await;
    let w = store.occupancy_stats(&municipality("GM1783"), date("2026-11-01")).await.unwrap();
    assert_eq!((w.stats.occupied, w.stats.rate), (2, Some(1.0)));
    assert_eq!(w.stats.by_nationality.iter().map(|c| c.nationality.as_str()).collect::<Vec<_>>(), ["HU", "PL"]);
}

async fn registration_flags_per_location_and_per_municipality(db: TestDb) {
    let store = &db.store;
    let (venlo, _) = setting(store).await;
    let venlo_code = MunicipalityCode::parse("GM0983").unwrap();
    let flags = store.registration_flags(&venlo_code, date(TODAY)).await.unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!((flags[0].location_id, flags[0].flagged, flags[0].housed), (venlo.id, 2, 1));
    assert_eq!(flags[0].address, "Teststraat 1, 5911 AB Testplaats");
    // Both were housed on 1 March; a year after W5 left, only W1 counts.
    let march = store.registration_flags(&venlo_code, date("2026-03-01")).await.unwrap();
    assert_eq!((march[0].flagged, march[0].housed), (2, 2));
    let next_summer = store.registration_flags(&venlo_code, date("2027-07-01")).await.unwrap();
    assert_eq!((next_summer[0].flagged, next_summer[0].housed), (1, 1));
    assert!(store.registration_flags(&venlo_code, date("2025-12-01")).await.unwrap().is_empty(), "before anyone came");
    let westland = MunicipalityCode::parse("GM1783").unwrap();
    assert!(store.registration_flags(&westland, date(TODAY)).await.unwrap().is_empty());
    let counts = store.registration_flag_counts(date(TODAY)).await.unwrap();
    let c: Vec<(&str, &str, i64, i64, i64)> = counts
        .iter()
        .map(|c| (c.municipality_code.as_str(), c.name.as_str(), c.locations, c.flagged, c.housed))
        .collect();
    assert_eq!(c, [("GM0983", "Venlo", 1, 2, 1)]);
}

/// Purging worker records leaves every count as it was: the views read stays only.
async fn counts_stay_the_same_after_workers_are_purged(db: TestDb) {
    let store = &db.store;
    setting(store).await;
    let on = date("2026-09-15");
    let national = store.occupancy_stats(&Area::National, on).await.unwrap();
    let venlo = store.occupancy_stats(&municipality("GM0983"), on).await.unwrap();
    let flags = store.registration_flag_counts(date(TODAY)).await.unwrap();
    // What the purge does to the stays' rows, and a new generation so nothing is served
    // from memory.
    for sql in [
        "UPDATE stays SET worker_id = NULL",
        "DELETE FROM workers",
        "UPDATE occupancy_generation SET generation = generation + 1 WHERE id = 1",
    ] {
        sqlx::query(sql).execute(store.pool()).await.unwrap();
    }
    let workers: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workers").fetch_one(store.pool()).await.unwrap();
    assert_eq!(workers, 0);
    assert_eq!(*store.occupancy_stats(&Area::National, on).await.unwrap(), *national);
    assert_eq!(*store.occupancy_stats(&municipality("GM0983"), on).await.unwrap(), *venlo);
    assert_eq!(*store.registration_flag_counts(date(TODAY)).await.unwrap(), *flags);
}

db_tests!(
    occupancy_rate_nationalities_lengths_and_months,
    registration_flags_per_location_and_per_municipality,
    counts_stay_the_same_after_workers_are_purged,
);
