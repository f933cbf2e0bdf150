//! Occupancy in storage, on SQLite and on PostgreSQL: the invariants of stays (one person
//! per bed, beds out of service, the permitted capacity), events applied once, corrections
//! audited, the registration flag, and parallel check-ins into one bed.

use chrono::NaiveDate;
use flexwonen_core::access::LocationScope;
use flexwonen_core::occupancy_events::{EventInput, TermsInput, WorkerInput};
use flexwonen_store::testing::{TestDb, dormitory, housing_provider};
use flexwonen_store::{Actor, Applied, EventContext, Location, StayCorrection, Store, StoreError, db_tests};

fn actor() -> Actor {
    Actor { account_id: None, name: "huisvester-test".into() }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-28";

fn ctx<'a>(actor: &'a Actor, scope: &'a LocationScope) -> EventContext<'a> {
    EventContext { actor, scope, sender: "org:test", bsn_key: Some(b"test-key"), today: date(TODAY), generation: None }
}

/// A location of `floor` m² in Venlo with `beds` beds in one room, the last one out of service.
async fn location(store: &Store, operator: i64, postcode: &str, floor: f64, beds: usize) -> Location {
    let input = dormitory("GM0983", postcode, operator, floor, beds);
    store.create_location(&actor(), &LocationScope::All, &input.validate().unwrap()).await.unwrap()
}

async fn provider(store: &Store, kvk: &str) -> i64 {
    store.create_organisation(&actor(), &housing_provider(kvk).validate().unwrap()).await.unwrap().id
}

fn beds(l: &Location) -> Vec<i64> {
    l.rooms.iter().flat_map(|r| r.beds.iter().map(|b| b.id)).collect()
}

fn check_in(id: &str, bed: i64, reference: &str, on: &str) -> EventInput {
    EventInput {
        id: id.into(),
        kind: "check_in".into(),
        date: on.into(),
        bed_id: Some(bed),
        worker: Some(WorkerInput {
            reference: reference.into(),
            nationality: "PL".into(),
            registration: "none".into(),
            ..Default::default()
        }),
        worker_reference: None,
        terms: Some(TermsInput {
            separate_contract: true,
            rent_per_week: 110.0,
            notice_days: 14,
            ..Default::default()
        }),
    }
}

fn simple(id: &str, kind: &str, reference: &str, on: &str, bed: Option<i64>) -> EventInput {
    EventInput {
        id: id.into(),
        kind: kind.into(),
        date: on.into(),
        bed_id: bed,
        worker_reference: Some(reference.into()),
        ..Default::default()
    }
}

async fn apply(store: &Store, scope: &LocationScope, e: EventInput) -> Result<Applied, StoreError> {
    let a = actor();
    store.apply_event(&ctx(&a, scope), &e.validate().unwrap()).await
}

fn code(r: Result<Applied, StoreError>) -> &'static str {
    match r {
        Err(StoreError::Invalid(e)) => e.0[0].code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn stay_count(store: &Store) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM stays").fetch_one(store.pool()).await.unwrap()
}

async fn a_bed_holds_one_person_and_refusals_change_nothing(db: TestDb) {
    let store = &db.store;
    let org = provider(store, "93333333").await;
    let loc = location(store, org, "5911AB", 200.0, 4).await;
    let b = beds(&loc);
    let all = LocationScope::All;
    let Applied::Applied { stay_id } = apply(store, &all, check_in("e1", b[0], "W1", "2026-03-01")).await.unwrap()
    else {
        panic!("applied")
    };
    // The same event again: a duplicate, nothing new.
    assert_eq!(
        apply(store, &all, check_in("e1", b[0], "W1", "2026-03-01")).await.unwrap(),
        Applied::Duplicate { stay_id: Some(stay_id) }
    );
    assert_eq!(code(apply(store, &all, check_in("e2", b[0], "W2", "2026-05-01")).await), "bed_taken");
    assert_eq!(code(apply(store, &all, check_in("e3", b[1], "W1", "2026-05-01")).await), "worker_already_housed");
    assert_eq!(code(apply(store, &all, check_in("e4", b[3], "W3", "2026-05-01")).await), "bed_out_of_service");
    assert_eq!(code(apply(store, &all, check_in("e5", 999_999, "W3", "2026-05-01")).await), "unknown_bed");
    assert_eq!(code(apply(store, &all, simple("e6", "check_out", "W1", "2026-03-01", None)).await), "no_current_stay");
    assert_eq!(code(apply(store, &all, simple("e7", "check_out", "W9", "2026-04-01", None)).await), "no_current_stay");
    assert_eq!(stay_count(store).await, 1);
    // A provider's own scope does not reach another provider's beds.
    let other = provider(store, "94444444").await;
    assert_eq!(
        code(apply(store, &LocationScope::Operator(other), check_in("e8", b[1], "W8", "2026-05-01")).await),
        "unknown_bed"
    );

    // Check-out frees the bed from that day; a transfer moves the worker.
    apply(store, &all, simple("e9", "check_out", "W1", "2026-04-01", None)).await.unwrap();
    apply(store, &all, check_in("e10", b[0], "W2", "2026-04-01")).await.unwrap();
    let Applied::Applied { stay_id: moved } =
        apply(store, &all, simple("e11", "transfer", "W2", "2026-04-15", Some(b[1]))).await.unwrap()
    else {
        panic!("applied")
    };
    let first = store.stay(&actor(), &all, stay_id).await.unwrap();
    assert_eq!((first.check_out, first.worker_reference.as_deref()), (Some(date("2026-04-01")), Some("W1")));
    let after = store.stay(&actor(), &all, moved).await.unwrap();
    assert_eq!((after.bed_id, after.check_in, after.check_out), (b[1], date("2026-04-15"), None));
    assert_eq!(after.terms.rent_per_week, 110.0);
    assert_eq!(stay_count(store).await, 3);

    // A correction keeps the invariants and is audited with before and after.
    let wrong = StayCorrection { bed_id: b[0], check_in: date("2026-03-15"), check_out: Some(date("2026-04-10")) };
    assert!(matches!(
        store.correct_stay(&actor(), &all, stay_id, first.version, &wrong, date(TODAY)).await,
        Err(StoreError::Invalid(e)) if e.0[0].code == "bed_taken"
    ));
    let right = StayCorrection { bed_id: b[0], check_in: date("2026-02-20"), check_out: Some(date("2026-04-01")) };
    assert!(matches!(
        store.correct_stay(&actor(), &all, stay_id, first.version + 5, &right, date(TODAY)).await,
        Err(StoreError::Conflict { .. })
    ));
    let corrected = store.correct_stay(&actor(), &all, stay_id, first.version, &right, date(TODAY)).await.unwrap();
    assert_eq!(corrected.check_in, date("2026-02-20"));
    let trail = store.audit_trail("stay", stay_id).await.unwrap();
    assert_eq!(trail.iter().map(|e| e.action.as_str()).collect::<Vec<_>>(), ["correct", "check_out", "check_in"]);
    assert_eq!(trail[0].before.as_ref().unwrap()["check_in"], "2026-03-01");
    assert!(!trail[0].after.as_ref().unwrap().to_string().contains("W1"), "the audit log names no worker");

    // A bed with stays cannot be removed, nor its location deleted.
    let err = store.delete_location(&actor(), &all, loc.id, None).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(e) if e.0[0].code == "location_has_stays"));
}

async fn a_check_in_above_the_permitted_capacity_is_refused(db: TestDb) {
    let store = &db.store;
    let org = provider(store, "93333333").await;
    // 30 m² and 8 beds: the norms permit fewer persons than there are beds.
    let loc = location(store, org, "5911AB", 30.0, 8).await;
    let b = beds(&loc);
    let permitted = store.location_capacity(&loc, date("2026-03-01")).await.unwrap().permitted.unwrap() as usize;
    assert!(permitted < 7, "the test needs a location with fewer places than beds in service ({permitted})");
    let all = LocationScope::All;
    for (i, bed) in b.iter().take(permitted).enumerate() {
        apply(store, &all, check_in(&format!("c{i}"), *bed, &format!("W{i}"), "2026-03-01")).await.unwrap();
    }
    let refused = apply(store, &all, check_in("over", b[permitted], "W-over", "2026-03-01")).await;
    let Err(StoreError::Invalid(e)) = refused else { panic!("refused") };
    assert_eq!(e.0[0].code, "over_capacity");
    assert!(e.0[0].message.contains(&format!("permit {permitted} persons")), "{}", e.0[0].message);
    // A reservation after someone leaves fits; one before does not.
    apply(store, &all, simple("out", "check_out", "W0", "2026-04-01", None)).await.unwrap();
    assert_eq!(code(apply(store, &all, check_in("early", b[permitted], "W-res", "2026-03-20")).await), "over_capacity");
    apply(store, &all, check_in("later", b[permitted], "W-res", "2026-04-01")).await.unwrap();
}

/// Checks a different worker into each of `beds` at once (a bed may repeat), on 2026-06-01;
/// answers how many were applied, and asserts every other answer is a refusal with `code`.
async fn check_in_all_at_once(store: &Store, beds: &[i64], code: &str) -> usize {
    let tasks: Vec<_> = beds
        .iter()
        .enumerate()
        .map(|(i, bed)| {
            let (store, bed) = (store.clone(), *bed);
            tokio::spawn(async move {
                apply(&store, &LocationScope::All, check_in(&format!("p{i}"), bed, &format!("P{i}"), "2026-06-01"))
                    .await
            })
        })
        .collect();
    let mut applied = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(Applied::Applied { .. }) => applied += 1,
            Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].code, code),
            other => panic!("unexpected {other:?}"),
        }
    }
    applied
}

async fn parallel_check_ins_into_one_bed_let_exactly_one_through(db: TestDb) {
    let store = &db.store;
    let org = provider(store, "93333333").await;
    let loc = location(store, org, "5911AB", 200.0, 3).await;
    assert_eq!(check_in_all_at_once(store, &[beds(&loc)[0]; 12], "bed_taken").await, 1);
    assert_eq!(stay_count(store).await, 1);
}

async fn parallel_check_ins_into_different_beds_stop_at_the_permitted_capacity(db: TestDb) {
    let store = &db.store;
    let org = provider(store, "93333333").await;
    let loc = location(store, org, "5911AB", 30.0, 9).await;
    let permitted = store.location_capacity(&loc, date("2026-06-01")).await.unwrap().permitted.unwrap() as usize;
    let in_service: Vec<i64> = beds(&loc).into_iter().take(8).collect();
    assert!(permitted < in_service.len());
    assert_eq!(check_in_all_at_once(store, &in_service, "over_capacity").await, permitted);
    assert_eq!(stay_count(store).await, permitted as i64);
}

async fn long_unregistered_stays_are_flagged_across_providers(db: TestDb) {
    let store = &db.store;
    let a = provider(store, "93333333").await;
    let b = provider(store, "94444444").await;
    let la = location(store, a, "5911AB", 200.0, 3).await;
    let lb = location(store, b, "5912AB", 200.0, 3).await;
    let all = LocationScope::All;
    let with_bsn = |mut e: EventInput| {
        e.worker.as_mut().unwrap().bsn = Some("111222333".into());
        e
    };
    // Three months at A, then two at B: the same person by BSN, never in the BRP.
    apply(store, &all, with_bsn(check_in("a1", beds(&la)[0], "A-1", "2026-01-05"))).await.unwrap();
    apply(store, &all, simple("a2", "check_out", "A-1", "2026-04-05", None)).await.unwrap();
    let flagged = |store: &Store| {
        let store = store.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM stays WHERE unregistered_long = 1")
                .fetch_one(store.pool())
                .await
                .unwrap()
        }
    };
    assert_eq!(flagged(store).await, 0, "three months is within the rule");
    apply(store, &all, with_bsn(check_in("b1", beds(&lb)[0], "B-7", "2026-04-05"))).await.unwrap();
    apply(store, &all, simple("b2", "check_out", "B-7", "2026-06-05", None)).await.unwrap();
    assert_eq!(flagged(store).await, 2, "five months within six, over two providers");

    // A BSN without a configured key is refused; a bad BSN never reaches the store.
    let who = actor();
    let no_key = EventContext { bsn_key: None, ..ctx(&who, &all) };
    let draft = with_bsn(check_in("c1", beds(&la)[1], "A-2", "2026-07-01")).validate().unwrap();
    let err = store.apply_event(&no_key, &draft).await.unwrap_err();
    assert!(matches!(err, StoreError::Invalid(e) if e.0[0].code == "bsn_not_configured"));
    let stored: Vec<String> = sqlx::query_scalar("SELECT bsn_hash FROM workers WHERE bsn_hash IS NOT NULL")
        .fetch_all(store.pool())
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert!(stored.iter().all(|h| h.len() == 64 && !h.contains("111222333")));
}

db_tests!(
    a_bed_holds_one_person_and_refusals_change_nothing,
    a_check_in_above_the_permitted_capacity_is_refused,
    parallel_check_ins_into_one_bed_let_exactly_one_through,
    parallel_check_ins_into_different_beds_stop_at_the_permitted_capacity,
    long_unregistered_stays_are_flagged_across_providers,
);
