//! Rule sets, certificates and permitted capacity in storage, on SQLite and on PostgreSQL.

use chrono::NaiveDate;
use flexwonen_core::access::LocationScope;
use flexwonen_core::certificates::{CertificateInput, StatusChangeInput};
use flexwonen_core::norms::{RuleInput, RuleSetInput, VersionInput};
use flexwonen_core::register::{AddressInput, BedInput, Facilities, LocationInput, OrganisationInput, RoomInput};
use flexwonen_store::testing::TestDb;
use flexwonen_store::{Actor, Store, StoreError, db_tests};

fn actor() -> Actor {
    Actor { account_id: None, name: "test".into() }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A 120 m² regular dwelling zoned for living, with `beds` beds in two rooms of 20 m².
fn dwelling(municipality: &str, postcode: &str, beds: usize, operator: Option<i64>) -> LocationInput {
    let bed = |i: usize| BedInput { id: None, label: format!("B{i}"), in_service: true, out_of_service_reason: None };
    let half = beds / 2;
    LocationInput {
        address: AddressInput {
            postcode: postcode.into(),
            house_number: 1,
            house_letter: None,
            house_addition: None,
            street: "Normstraat".into(),
            place: "Normdorp".into(),
        },
        municipality_code: municipality.into(),
        bag_vbo_id: None,
        housing_form: "a".into(),
        zoned_residential: true,
        floor_area_m2: 120.0,
        legal_status: "in_use".into(),
        stay_type: "short".into(),
        operator_id: operator,
        facilities: Facilities { toilets: 2, showers: 2, kitchens: 1, washing_machines: 1 },
        position: None,
        new_build: false,
        in_use_since: Some("2018-05-01".into()),
        conversion_permit: false,
        bedroom_sharing_agreed: false,
        first_responsible: true,
        rooms: vec![
            RoomInput { id: None, name: "Kamer 1".into(), area_m2: 20.0, beds: (0..half).map(bed).collect() },
            RoomInput { id: None, name: "Kamer 2".into(), area_m2: 20.0, beds: (half..beds).map(bed).collect() },
        ],
    }
}

async fn provider(store: &Store) -> i64 {
    let draft = OrganisationInput {
        name: "Norm Huisvesting B.V.".into(),
        kvk: Some("93333333".into()),
        kind: "housing_provider".into(),
        municipality_code: None,
    }
    .validate()
    .unwrap();
    store.create_organisation(&actor(), &draft).await.unwrap().id
}

fn max_persons(value: f64, from: &str) -> VersionInput {
    VersionInput {
        valid_from: from.into(),
        rules: vec![RuleInput {
            constraint: "max_persons".into(),
            value: Some(value),
            source: "Raadsbesluit (test)".into(),
            ..Default::default()
        }],
        ..Default::default()
    }
}

async fn builtin_sets_load_once_and_published_versions_stay_put(db: TestDb) {
    let store = &db.store;
    let codes: Vec<String> = store.rule_sets().await.unwrap().iter().map(|s| s.code.clone()).collect();
    assert_eq!(codes, ["bouwbesluit-2012", "snf", "akf", "bommelerwaard", "den-haag-huisvestingsverordening"]);
    // Again at the next start: nothing changes.
    store.sync_builtin_rule_sets().await.unwrap();
    assert_eq!(store.rule_sets().await.unwrap().len(), 5);
    // A published version that no longer matches its file stops the start with a clear error.
    sqlx::query("UPDATE rule_set_versions SET version_json = REPLACE(version_json, '12.0', '11.0') WHERE rule_set_code = 'bouwbesluit-2012'")
        .execute(store.pool())
        .await
        .unwrap();
    match store.sync_builtin_rule_sets().await {
        Err(StoreError::Invalid(e)) => assert_eq!(e.0[0].code, "published_version_changed", "{e:?}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

async fn municipal_rule_sets_are_versioned_never_edited(db: TestDb) {
    let store = &db.store;
    let all = LocationScope::All;
    let draft = dwelling("GM0344", "3511AB", 6, None).validate().unwrap();
    let location = store.create_location(&actor(), &all, &draft).await.unwrap();
    let permitted = |view: &flexwonen_core::capacity::CapacityView| view.permitted;
    // Utrecht: only the Bouwbesluit, 120 / 12 = 10.
    assert_eq!(permitted(&store.location_capacity(&location, date("2026-06-01")).await.unwrap()), Some(10));

    let input = RuleSetInput {
        code: "utrecht-max".into(),
        scheme: "municipal".into(),
        name: "Utrecht: ten hoogste 5 personen".into(),
        municipalities: vec!["GM0344".into()],
        versions: vec![max_persons(5.0, "2026-01-01")],
    };
    store.create_rule_set(&actor(), &input.validate().unwrap()).await.unwrap();
    let duplicate = store.create_rule_set(&actor(), &input.validate().unwrap()).await;
    assert!(matches!(duplicate, Err(StoreError::Invalid(ref e)) if e.0[0].code == "duplicate_code"), "{duplicate:?}");
    let view = store.location_capacity(&location, date("2026-06-01")).await.unwrap();
    assert_eq!((view.permitted, view.gap), (Some(5), Some(1)));
    assert_eq!(permitted(&store.location_capacity(&location, date("2025-12-31")).await.unwrap()), Some(10));

    // A change is a new version from a later date; the old one keeps judging the past.
    // (Far enough ahead that the test does not depend on today: a version may not start in
    // the past, which would change answers already given.)
    let v2 = store.add_rule_set_version(&actor(), "utrecht-max", &max_persons(4.0, "2031-01-01")).await.unwrap();
    assert_eq!(v2.version, 2);
    assert_eq!(permitted(&store.location_capacity(&location, date("2030-12-31")).await.unwrap()), Some(5));
    assert_eq!(permitted(&store.location_capacity(&location, date("2031-01-01")).await.unwrap()), Some(4));

    // A version that starts on or before the latest one, or in the past, or with a negative
    // value is refused, and nothing is written.
    for (bad, code) in [
        (max_persons(3.0, "2031-01-01"), "overlapping_validity"),
        (max_persons(3.0, "2026-06-01"), "overlapping_validity"),
        (max_persons(-3.0, "2032-01-01"), "not_positive"),
    ] {
        let e = store.add_rule_set_version(&actor(), "utrecht-max", &bad).await;
        assert!(matches!(e, Err(StoreError::Invalid(ref f)) if f.0[0].code == code), "{e:?}");
    }
    let yesterday = (chrono::Utc::now().date_naive() - chrono::Days::new(1)).to_string();
    let input3 =
        RuleSetInput { code: "utrecht-past".into(), versions: vec![max_persons(5.0, "2020-01-01")], ..input.clone() };
    store.create_rule_set(&actor(), &input3.validate().unwrap()).await.unwrap();
    let past = store.add_rule_set_version(&actor(), "utrecht-past", &max_persons(3.0, &yesterday)).await;
    assert!(matches!(past, Err(StoreError::Invalid(ref f)) if f.0[0].code == "starts_in_past"), "{past:?}");
    // Built-in sets change through their files only.
    let builtin = store.add_rule_set_version(&actor(), "snf", &max_persons(3.0, "2032-01-01")).await;
    assert!(matches!(builtin, Err(StoreError::Forbidden(_))), "{builtin:?}");
    for bad in [max_persons(3.0, "2031-01-01")] {
        let e = store.add_rule_set_version(&actor(), "utrecht-max", &bad).await;
        assert!(matches!(e, Err(StoreError::Invalid(_))), "{e:?}");
    }
    assert_eq!(store.rule_set("utrecht-max").await.unwrap().versions.len(), 2);
    let missing = store.add_rule_set_version(&actor(), "nergens", &max_persons(3.0, "2030-01-01")).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
    let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE entity = 'rule_set' AND actor = 'test'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(audit, 3, "both creations and the second version are audited");
}

async fn certificates_decide_which_norms_apply(db: TestDb) {
    let store = &db.store;
    let operator = provider(store).await;
    let all = LocationScope::All;
    // 12 beds in a 120 m² dwelling: Bouwbesluit allows 10.
    let draft = dwelling("GM0344", "3511AC", 12, Some(operator)).validate().unwrap();
    let location = store.create_location(&actor(), &all, &draft).await.unwrap();
    let schemes = |view: &flexwonen_core::capacity::CapacityView| {
        view.schemes.iter().map(|s| s.rule_set.clone()).collect::<Vec<_>>()
    };
    let before = store.location_capacity(&location, date("2026-03-01")).await.unwrap();
    assert_eq!(schemes(&before), ["bouwbesluit-2012"]);
    assert_eq!(before.gap, Some(2));

    let cert = CertificateInput {
        organisation_id: operator,
        scheme: "snf".into(),
        number: "SNF-0001".into(),
        valid_from: "2025-01-01".into(),
        valid_until: None,
    };
    let cert = store.create_certificate(&actor(), &cert.validate().unwrap()).await.unwrap();
    let certified = store.location_capacity(&location, date("2026-03-01")).await.unwrap();
    assert_eq!(schemes(&certified), ["bouwbesluit-2012", "snf"]);
    let snf = &certified.schemes[1];
    assert_eq!(snf.permitted, Some(10));
    assert!(snf.violations.iter().any(|v| v.constraint == flexwonen_core::norms::Constraint::FloorAreaPerPerson));
    // Before the certificate started, SNF did not apply.
    assert_eq!(schemes(&store.location_capacity(&location, date("2024-12-31")).await.unwrap()), ["bouwbesluit-2012"]);

    let report = store.capacity_report(date("2026-03-01")).await.unwrap();
    let utrecht = report.rows.iter().find(|r| r.municipality_code == "GM0344").unwrap();
    assert_eq!((utrecht.locations, utrecht.beds_in_service, utrecht.locations_over, utrecht.beds_over), (1, 12, 1, 2));

    // Suspended from 2026-02-01: SNF no longer applies from that day; the history keeps both.
    let change = StatusChangeInput { status: "suspended".into(), since: "2026-02-01".into(), reason: "tekort".into() };
    let suspended =
        store.change_certificate_status(&actor(), cert.id, cert.version, &change.validate().unwrap()).await.unwrap();
    assert_eq!(suspended.history.len(), 2);
    assert_eq!(schemes(&store.location_capacity(&location, date("2026-03-01")).await.unwrap()), ["bouwbesluit-2012"]);
    assert_eq!(
        schemes(&store.location_capacity(&location, date("2026-01-31")).await.unwrap()),
        ["bouwbesluit-2012", "snf"]
    );
    // A stale version and a final withdrawal turning active again are refused.
    let stale = store.change_certificate_status(&actor(), cert.id, cert.version, &change.validate().unwrap()).await;
    assert!(matches!(stale, Err(StoreError::Conflict { .. })), "{stale:?}");
    let withdraw =
        StatusChangeInput { status: "withdrawn".into(), since: "2026-03-01".into(), reason: "herhaald".into() };
    let withdrawn = store
        .change_certificate_status(&actor(), cert.id, suspended.version, &withdraw.validate().unwrap())
        .await
        .unwrap();
    let reinstate = StatusChangeInput { status: "active".into(), since: "2026-04-01".into(), reason: "x".into() };
    let refused =
        store.change_certificate_status(&actor(), cert.id, withdrawn.version, &reinstate.validate().unwrap()).await;
    assert!(matches!(refused, Err(StoreError::Invalid(ref e)) if e.0[0].code == "invalid_transition"), "{refused:?}");
    assert_eq!(store.certificate(cert.id).await.unwrap().history.len(), 3);
}

db_tests!(
    builtin_sets_load_once_and_published_versions_stay_put,
    municipal_rule_sets_are_versioned_never_edited,
    certificates_decide_which_norms_apply,
);
