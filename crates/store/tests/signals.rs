//! Overcrowding signals in storage, on SQLite and on PostgreSQL: a run joins the BRP extract,
//! the BAG and the register per address; a second run updates instead of duplicating; a
//! signal closes when its cause is gone and opens again when it comes back; "seen, no action"
//! needs a reason and is audited; a municipality's own threshold changes what fires; a new
//! BAG changes what an extract already uploaded says.

use chrono::NaiveDate;
use flexwonen_core::access::LocationScope;
use flexwonen_core::bag::{BagRecord, Nummeraanduiding, OpenbareRuimte, Validity, Verblijfsobject, Woonplaats};
use flexwonen_core::brp_extract::parse_brp_extract;
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::signals::SignalRule;
use flexwonen_store::testing::{TestDb, dormitory, housing_provider};
use flexwonen_store::{Actor, SignalOrder, SignalState, Store, StoreError, db_tests};

fn current() -> Validity {
    Validity { begin: NaiveDate::from_ymd_opt(2020, 1, 1), end: None, registration_ended: false, inactive: false }
}

fn num(id: &str, number: i64) -> BagRecord {
    BagRecord::Nummeraanduiding(Nummeraanduiding {
        id: id.into(),
        house_number: number,
        house_letter: None,
        house_addition: None,
        postcode: Some("6981AA".into()),
        status: "Naamgeving uitgegeven".into(),
        street: "0221300000000001".into(),
        place: None,
        validity: current(),
    })
}

fn vbo(id: &str, main: &str, side: &[&str], area: i64, at: (f64, f64)) -> BagRecord {
    BagRecord::Verblijfsobject(Verblijfsobject {
        id: id.into(),
        main_address: main.into(),
        side_addresses: side.iter().map(|s| s.to_string()).collect(),
        uses: vec!["woonfunctie".into()],
        floor_area_m2: area,
        status: "Verblijfsobject in gebruik".into(),
        position: Some(at),
        validity: current(),
    })
}

/// Kerkstraat 1 (`area` m²), and Kerkstraat 2 (200 m²) with side address Kerkstraat 3.
async fn load_bag(store: &Store, actor: &Actor, area: i64) {
    let mut import = store.begin_bag_import("test").await.unwrap();
    let records = [
        BagRecord::Woonplaats(Woonplaats { id: "1001".into(), name: "Doesburg".into(), validity: current() }),
        BagRecord::OpenbareRuimte(OpenbareRuimte {
            id: "0221300000000001".into(),
            name: "Kerkstraat".into(),
            place: "1001".into(),
            validity: current(),
        }),
        num("0221200000000001", 1),
        num("0221200000000002", 2),
        num("0221200000000003", 3),
        vbo("0221010000000001", "0221200000000001", &[], area, (203_000.4, 446_000.6)),
        // A second object at number 1's address (withdrawn, say): its persons count once.
        vbo("0221010000000009", "0221200000000001", &[], area, (203_000.4, 446_000.6)),
        vbo("0221010000000002", "0221200000000002", &["0221200000000003"], 200, (203_100.0, 446_100.0)),
    ];
    for r in &records {
        import.add(r).await.unwrap();
    }
    import.finish(actor).await.unwrap();
}

async fn upload(store: &Store, actor: &Actor, csv: &str) {
    let counts = parse_brp_extract(csv.as_bytes()).unwrap();
    store.replace_brp_extract(actor, &doesburg(), &counts).await.unwrap();
}

fn doesburg() -> MunicipalityCode {
    MunicipalityCode::parse("GM0221").unwrap()
}

const HEADER: &str = "postcode;huisnummer;huisletter;huisnummertoevoeging;nummeraanduiding_id;ingeschrevenen;ingeschreven_laatste_12_maanden\n";

async fn open_rules(store: &Store) -> Vec<SignalRule> {
    let (signals, _) = store.signals(&doesburg(), SignalState::Open, SignalOrder::Rule, None).await.unwrap();
    signals.iter().map(|s| s.rule).collect()
}

async fn signals_follow_the_data(db: TestDb) {
    let store = &db.store;
    let actor = Actor::system("test");
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    load_bag(store, &actor, 60).await;
    // The register's dormitory at Kerkstraat 2, with a conversion permit.
    let org = store.create_organisation(&actor, &housing_provider("96666661").validate().unwrap()).await.unwrap().id;
    let mut home = dormitory("GM0221", "6981AA", org, 200.0, 4);
    home.address.house_number = 2;
    store.create_location(&actor, &LocationScope::All, &home.validate().unwrap()).await.unwrap();
    load_bag(store, &actor, 60).await; // links the location to its BAG object

    // 8 persons in 60 m² at number 1, 7 of them new; 8 at number 3, the dormitory's side
    // address (in the register, with a permit, room enough): only number 1 is a signal.
    upload(store, &actor, &format!("{HEADER}6981AA;1;;;;8;7\n6981 aa;3;;;;8;7\n")).await;
    let run = store.run_signals(&actor, &doesburg(), day(1)).await.unwrap();
    assert_eq!((run.opened, run.closed, run.open_signals), (3, 0, 3));
    assert_eq!(run.addresses, 2, "number 3 is the dormitory's address: {run:?}");
    assert_eq!(
        open_rules(store).await,
        [
            SignalRule::FloorAreaPerPerson,
            SignalRule::ManyPersonsWithoutPermit,
            SignalRule::NewRegistrationsNotInRegister
        ]
    );
    let (list, total) = store.signals(&doesburg(), SignalState::Open, SignalOrder::Score, Some((0, 10))).await.unwrap();
    assert_eq!(total, 3);
    let floor = list.iter().find(|s| s.rule == SignalRule::FloorAreaPerPerson).unwrap();
    assert_eq!(floor.address, "Kerkstraat 1, 6981 AA Doesburg");
    assert!(matches!(floor.vbo_id.as_deref(), Some("0221010000000001" | "0221010000000009")));
    assert_eq!((floor.x, floor.y), (Some(203_000.0), Some(446_001.0)));
    assert_eq!(floor.evidence["registered"], 8.0);
    assert_eq!(floor.evidence["allowed"], 5.0);
    assert_eq!(floor.score, 1.6);
    assert!(list.windows(2).all(|w| w[0].score >= w[1].score), "sorted by score");

    // "Seen, no action" needs a reason, and is audited.
    let new = list.iter().find(|s| s.rule == SignalRule::NewRegistrationsNotInRegister).unwrap().id;
    let err = store.dismiss_signal(&actor, &doesburg(), new, " ").await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(e) if e.0[0].field == "reason"), "{err:?}");
    let other = MunicipalityCode::parse("GM0363").unwrap();
    assert!(matches!(store.dismiss_signal(&actor, &other, new, "elders").await, Err(StoreError::NotFound)));
    let dismissed =
        store.dismiss_signal(&actor, &doesburg(), new, "Seizoenswerkers van de camping, gecontroleerd").await.unwrap();
    assert!(dismissed.dismissed.is_some());
    assert_eq!(store.audit_trail("signal", new).await.unwrap().len(), 1);
    assert_eq!(open_rules(store).await.len(), 2);

    // The same data again: updated, not duplicated; first seen and the dismissal kept.
    let again = store.run_signals(&actor, &doesburg(), day(2)).await.unwrap();
    assert_eq!((again.opened, again.closed, again.open_signals), (0, 0, 3));
    let (all, _) = store.signals(&doesburg(), SignalState::All, SignalOrder::Address, None).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|s| s.first_seen == "2026-11-01" && s.last_seen == "2026-11-02"), "{all:?}");
    assert!(store.signal(&doesburg(), new).await.unwrap().dismissed.is_some());

    // The cause gone: every signal closes.
    upload(store, &actor, &format!("{HEADER}6981AA;1;;;;3;0\n")).await;
    let gone = store.run_signals(&actor, &doesburg(), day(3)).await.unwrap();
    assert_eq!((gone.opened, gone.closed, gone.open_signals), (0, 3, 0));
    let (closed, _) = store.signals(&doesburg(), SignalState::Closed, SignalOrder::Score, None).await.unwrap();
    assert!(closed.iter().all(|s| s.closed_on.as_deref() == Some("2026-11-03") && s.last_seen == "2026-11-02"));
    assert!(store.dismiss_signal(&actor, &doesburg(), new, "te laat").await.is_err(), "a closed signal stays closed");

    // Back again: the same signals open afresh, without the old dismissal.
    upload(store, &actor, &format!("{HEADER};;;;0221200000000001;8;7\n")).await;
    let back = store.run_signals(&actor, &doesburg(), day(4)).await.unwrap();
    assert_eq!((back.opened, back.closed, back.open_signals), (3, 0, 3));
    // A run for a day before the last one would write the past over the present: refused.
    let err = store.run_signals(&actor, &doesburg(), day(3)).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(e) if e.0[0].code == "before_last_run"), "{err:?}");
    let reopened = store.signal(&doesburg(), new).await.unwrap();
    assert_eq!((reopened.first_seen.as_str(), reopened.closed_on, reopened.dismissed), ("2026-11-04", None, None));

    // The municipality's own norm: from 10 persons, not 4, so that signal closes.
    store.set_signal_threshold(&actor, &doesburg(), SignalRule::ManyPersonsWithoutPermit, 10.0).await.unwrap();
    let tuned = store.run_signals(&actor, &doesburg(), day(5)).await.unwrap();
    assert_eq!((tuned.closed, tuned.open_signals), (1, 2));
    let rules = store.signal_rules(&doesburg()).await.unwrap();
    assert_eq!(rules.iter().find(|r| r.code == SignalRule::ManyPersonsWithoutPermit).unwrap().threshold, 10.0);
    assert_eq!(store.signal_run(&doesburg()).await.unwrap(), Some(tuned));

    // Counts per municipality and rule, without addresses.
    let counts = store.signal_counts(None).await.unwrap();
    assert_eq!(counts.iter().map(|c| c.open).sum::<i64>(), 2);
    assert!(counts.iter().all(|c| c.municipality_code == "GM0221" && c.name == "Doesburg"));
    assert!(store.signal_counts(Some(&[other])).await.unwrap().is_empty());

    // A new BAG gives number 1 200 m²: the extract's lines get the new floor area with it,
    // and the next run closes the floor-area signal without a new upload.
    load_bag(store, &actor, 200).await;
    let bigger = store.run_signals(&actor, &doesburg(), day(6)).await.unwrap();
    assert_eq!((bigger.closed, bigger.open_signals), (1, 1));
    assert_eq!(open_rules(store).await, [SignalRule::NewRegistrationsNotInRegister]);

    // Other numbers for a signal still open: its evidence follows, it stays the same signal.
    let (before, _) = store.signals(&doesburg(), SignalState::Open, SignalOrder::Rule, None).await.unwrap();
    upload(store, &actor, &format!("{HEADER};;;;0221200000000001;9;9\n")).await;
    let changed = store.run_signals(&actor, &doesburg(), day(7)).await.unwrap();
    assert_eq!((changed.opened, changed.closed, changed.open_signals), (0, 0, 1));
    let after = store.signal(&doesburg(), before[0].id).await.unwrap();
    assert_eq!(
        (after.evidence["registered_last_12_months"].as_f64(), after.first_seen.as_str()),
        (Some(9.0), "2026-11-04")
    );
    assert_eq!(after.last_seen, "2026-11-07");
}

db_tests!(signals_follow_the_data);
