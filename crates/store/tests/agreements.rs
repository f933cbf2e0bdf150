//! Agreements, projects and the monitor in storage, on SQLite and on PostgreSQL: versions and
//! their checks, projects through their stages with realised places from the register, and
//! a past month that renders from its snapshot however the data changes afterwards.

use chrono::NaiveDate;
use flexwonen_core::access::LocationScope;
use flexwonen_core::agreements::{
    AgreementInput, MilestoneInput, MunicipalityShareInput, PartyInput, PartyShare, PlacesInput, ProjectInput,
    SignatoryInput, StageInput,
};
use flexwonen_core::certificates::CertificateInput;
use flexwonen_core::monitor::{Month, Schedule};
use flexwonen_store::testing::{TestDb, dormitory, housing_provider};
use flexwonen_store::{Actor, Store, StoreError, db_tests};

fn actor() -> Actor {
    Actor { account_id: None, name: "regio-test".into() }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-11-28";

fn field_codes(e: StoreError) -> Vec<(String, &'static str)> {
    match e {
        StoreError::Invalid(f) => f.0.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn party(store: &Store, name: &str, kind: &str, municipality: Option<&str>) -> i64 {
    let input = PartyInput {
        name: name.into(),
        kind: kind.into(),
        municipality_code: municipality.map(Into::into),
        organisation_id: None,
    };
    store.create_party(&actor(), &input.validate().unwrap()).await.unwrap().id
}

async fn haaglanden(store: &Store) -> i64 {
    store.region_by_code("campagne-stadsgewest-haaglanden").await.unwrap().id
}

fn agreement(region_id: i64, den_haag: i64, westland: i64) -> AgreementInput {
    AgreementInput {
        region_id,
        title: "Regionale afspraak Haaglanden".into(),
        applies_from: None,
        period_start: "2013-01-01".into(),
        period_end: "2022-12-31".into(),
        task: vec![PlacesInput { stay_type: "short".into(), places: 6000 }],
        signatories: vec![
            SignatoryInput { party_id: den_haag, role: "municipality".into() },
            SignatoryInput { party_id: westland, role: "municipality".into() },
        ],
        municipality_split: vec![
            MunicipalityShareInput { municipality_code: "GM0518".into(), places: 2000 },
            MunicipalityShareInput { municipality_code: "GM1783".into(), places: 2000 },
        ],
        party_split: vec![
            PartyShare { party_id: den_haag, places: 2000 },
            PartyShare { party_id: westland, places: 2000 },
        ],
        pace: vec![MilestoneInput { date: "2017-12-31".into(), places: 3000 }],
        source: "test".into(),
        synthetic: true,
    }
}

async fn agreements_in_versions_with_their_checks(db: TestDb) {
    let store = &db.store;
    let today = date(TODAY);
    // The national declaration is there from the start.
    let declaration = store.declaration().await.unwrap().expect("the declaration of 2012");
    assert_eq!(declaration.signed_on, date("2012-03-28"));
    assert!(declaration.commitments.iter().any(|c| c.party.name == "Gemeente Den Haag"));

    let den_haag = store.parties().await.unwrap().into_iter().find(|p| p.name == "Gemeente Den Haag").unwrap().id;
    let westland = party(store, "Gemeente Westland", "municipality", Some("GM1783")).await;
    let region = haaglanden(store).await;

    // A municipality outside the region and an unknown party: refused, nothing saved.
    let mut bad = agreement(region, den_haag, westland);
    bad.municipality_split[1].municipality_code = "GM0363".into();
    bad.signatories.push(SignatoryInput { party_id: 9999, role: "employer".into() });
    let e = store.create_agreement(&actor(), region, &bad.validate(true, today).unwrap()).await.unwrap_err();
    assert_eq!(
        field_codes(e),
        [
            ("municipality_split[1].municipality_code".to_string(), "not_in_region"),
            ("signatories[2].party_id".to_string(), "unknown_party")
        ]
    );
    assert!(store.agreements().await.unwrap().is_empty());

    // Saved with the unallocated places as a warning.
    let created = store
        .create_agreement(&actor(), region, &agreement(region, den_haag, westland).validate(true, today).unwrap())
        .await
        .unwrap();
    let v1 = created.latest().unwrap();
    assert_eq!(v1.version, 1);
    assert_eq!(v1.warnings[0].message, "2000 of 6000 places are not split over municipalities");

    // A revision must apply later than the current version.
    let mut revision = agreement(region, den_haag, westland);
    revision.period_end = "2027-12-31".into();
    revision.applies_from = Some("2012-06-01".into());
    let e = store
        .revise_agreement(&actor(), created.id, region, &revision.validate(false, today).unwrap())
        .await
        .unwrap_err();
    assert_eq!(field_codes(e), [("applies_from".to_string(), "not_after_previous")]);
    revision.applies_from = Some("2021-01-01".into());
    let revised =
        store.revise_agreement(&actor(), created.id, region, &revision.validate(false, today).unwrap()).await.unwrap();
    assert_eq!(revised.versions.len(), 2);
    assert_eq!(revised.version_on(date("2020-06-30")).unwrap().version, 1);
    assert_eq!(revised.version_on(date("2021-06-30")).unwrap().terms.period_end, date("2027-12-31"));
    // One agreement per region: another is refused, a revision is the way.
    let e = store
        .create_agreement(&actor(), region, &agreement(region, den_haag, westland).validate(true, today).unwrap())
        .await
        .unwrap_err();
    assert_eq!(field_codes(e), [("region_id".to_string(), "agreement_exists")]);
    let trail = store.audit_trail("agreement", created.id).await.unwrap();
    assert_eq!(trail.iter().map(|t| t.action.as_str()).collect::<Vec<_>>(), ["revise", "create"]);
}

/// A certified provider's dormitory of `beds` beds (one out of service) in `municipality`.
async fn certified_location(store: &Store, kvk: &str, municipality: &str, postcode: &str, beds: usize) -> i64 {
    let org = store.create_organisation(&actor(), &housing_provider(kvk).validate().unwrap()).await.unwrap().id;
    let certificate = CertificateInput {
        organisation_id: org,
        scheme: "snf".into(),
        number: format!("SNF-{kvk}"),
        valid_from: "2015-01-01".into(),
        valid_until: None,
    };
    store.create_certificate(&actor(), &certificate.validate().unwrap()).await.unwrap();
    let input = dormitory(municipality, postcode, org, 600.0, beds);
    store.create_location(&actor(), &LocationScope::All, &input.validate().unwrap()).await.unwrap().id
}

fn project(party: i64, agreement: i64, stage: &str, on: &str) -> ProjectInput {
    ProjectInput {
        name: "Logies Naaldwijk".into(),
        municipality_code: "GM1783".into(),
        party_id: party,
        agreement_id: Some(agreement),
        planned: vec![PlacesInput { stay_type: "short".into(), places: 120 }],
        stage: stage.into(),
        stage_date: on.into(),
        location_ids: vec![],
        synthetic: false,
    }
}

async fn projects_realise_the_certified_beds_they_deliver(db: TestDb) {
    let store = &db.store;
    let today = date(TODAY);
    let den_haag = store.parties().await.unwrap().into_iter().find(|p| p.name == "Gemeente Den Haag").unwrap().id;
    let westland = party(store, "Gemeente Westland", "municipality", Some("GM1783")).await;
    let region = haaglanden(store).await;
    let a = store
        .create_agreement(&actor(), region, &agreement(region, den_haag, westland).validate(true, today).unwrap())
        .await
        .unwrap()
        .id;

    // An unknown municipality, and a municipality outside the agreement's region.
    let mut bad = project(westland, a, "planned", "2014-03-01");
    bad.municipality_code = "GM9999".into();
    let e = store.create_project(&actor(), &LocationScope::All, &bad.validate(today).unwrap()).await.unwrap_err();
    assert_eq!(field_codes(e), [("municipality_code".to_string(), "unknown_municipality")]);
    bad.municipality_code = "GM0363".into();
    let e = store.create_project(&actor(), &LocationScope::All, &bad.validate(today).unwrap()).await.unwrap_err();
    assert_eq!(field_codes(e), [("agreement_id".to_string(), "not_in_region")]);
    assert!(store.projects().await.unwrap().is_empty());

    let p = store
        .create_project(
            &actor(),
            &LocationScope::All,
            &project(westland, a, "planned", "2014-03-01").validate(today).unwrap(),
        )
        .await
        .unwrap();
    let stage = |s: &str, on: &str, version: i64| StageInput { stage: s.into(), date: on.into(), version };
    // A stage dated before the previous one: refused, the project unchanged.
    let e = store.add_project_stage(&actor(), p.id, &stage("permitted", "2013-01-01", 1), today).await.unwrap_err();
    assert_eq!(field_codes(e), [("date".to_string(), "before_previous")]);
    assert_eq!(store.project(p.id).await.unwrap().stages.len(), 1);

    let p = store.add_project_stage(&actor(), p.id, &stage("permitted", "2015-02-01", 1), today).await.unwrap();
    let m = store.monitor_live(date("2015-12-31")).await.unwrap();
    assert_eq!(m.regions[0].figures.pipeline.permitted, 120);
    assert_eq!(m.regions[0].figures.realised, 0);

    // Delivered: the linked location's certified beds in service are realised.
    let in_westland = certified_location(store, "94444444", "GM1783", "2671AA", 41).await;
    let elsewhere = certified_location(store, "95555555", "GM0518", "2511AA", 10).await;
    let e =
        store.set_project_locations(&actor(), &LocationScope::All, p.id, p.version, &[elsewhere]).await.unwrap_err();
    assert_eq!(field_codes(e), [("location_ids[0]".to_string(), "location_elsewhere")]);
    // A location outside the caller's scope is unknown to it, as everywhere.
    let other_operator = LocationScope::Operator(-1);
    let e = store.set_project_locations(&actor(), &other_operator, p.id, p.version, &[in_westland]).await.unwrap_err();
    assert_eq!(field_codes(e), [("location_ids[0]".to_string(), "unknown_location")]);
    let p = store.set_project_locations(&actor(), &LocationScope::All, p.id, p.version, &[in_westland]).await.unwrap();
    let p = store.add_project_stage(&actor(), p.id, &stage("delivered", "2016-05-01", p.version), today).await.unwrap();
    let m = store.monitor_live(today).await.unwrap();
    let r = &m.regions[0];
    assert_eq!(r.version, 1);
    assert_eq!(r.figures.realised, 40);
    assert_eq!(r.figures.pipeline.total(), 0);
    assert_eq!(r.figures.schedule, Schedule::FarBehind);
    let westland_row = r.municipalities.iter().find(|m| m.municipality_code == "GM1783").unwrap();
    assert_eq!((westland_row.figures.task, westland_row.figures.realised), (2000, 40));
    let westland_party = r.parties.iter().find(|x| x.party_id == westland).unwrap();
    assert_eq!((westland_party.figures.task, westland_party.figures.realised, westland_party.projects), (2000, 40, 1));
    assert_eq!(r.projects[0].locations[0].beds_in_service, 40);
    // Before delivery, nothing was realised.
    assert_eq!(store.monitor_live(date("2016-04-30")).await.unwrap().regions[0].figures.realised, 0);
    // A stale version is a conflict; of two changes from the same version, one wins.
    let e = store.add_project_stage(&actor(), p.id, &stage("occupied", "2016-06-01", 1), today).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict { .. }));
    let (a, b) = (store.clone(), store.clone());
    let (sa, sb) = (stage("certified", "2016-05-20", p.version), stage("occupied", "2016-06-01", p.version));
    let (ra, rb) = tokio::join!(async move { a.add_project_stage(&actor(), p.id, &sa, today).await }, async move {
        b.add_project_stage(&actor(), p.id, &sb, today).await
    });
    assert_eq!([ra.is_ok(), rb.is_ok()].iter().filter(|ok| **ok).count(), 1, "{ra:?} {rb:?}");
    assert!(matches!(ra.err().or(rb.err()), Some(StoreError::Conflict { .. })));
    assert_eq!(store.project(p.id).await.unwrap().stages.len(), 4);
}

async fn a_past_month_renders_from_its_snapshot(db: TestDb) {
    let store = &db.store;
    let today = date(TODAY);
    let westland = party(store, "Gemeente Westland", "municipality", Some("GM1783")).await;
    let den_haag = store.parties().await.unwrap().into_iter().find(|p| p.name == "Gemeente Den Haag").unwrap().id;
    let region = haaglanden(store).await;
    let a = store
        .create_agreement(&actor(), region, &agreement(region, den_haag, westland).validate(true, today).unwrap())
        .await
        .unwrap()
        .id;
    let location = certified_location(store, "94444444", "GM1783", "2671AA", 21).await;
    let mut input = project(westland, a, "delivered", "2020-01-01");
    input.location_ids = vec![location];
    store.create_project(&actor(), &LocationScope::All, &input.validate(today).unwrap()).await.unwrap();

    // The monthly job takes last month's snapshot once.
    let october = Month::parse("2026-10").unwrap();
    let info = store.ensure_monthly_snapshot(today).await.unwrap().expect("a snapshot of October");
    assert_eq!((info.month.as_str(), info.as_of), ("2026-10", date("2026-10-31")));
    assert!(store.ensure_monthly_snapshot(today).await.unwrap().is_none());
    let e = store.create_snapshot(&actor(), october, today).await.unwrap_err();
    assert_eq!(field_codes(e), [("month".to_string(), "snapshot_exists")]);
    // A snapshot taken during November is replaced by the complete one when December comes.
    let november_month = Month::parse("2026-11").unwrap();
    assert_eq!(store.create_snapshot(&actor(), november_month, today).await.unwrap().as_of, today);
    let december = date("2026-12-02");
    assert_eq!(store.ensure_monthly_snapshot(december).await.unwrap().map(|i| i.as_of), Some(date("2026-11-30")));
    assert!(store.ensure_monthly_snapshot(december).await.unwrap().is_none());
    let before = serde_json::to_string(&*store.monitor_month(october, today).await.unwrap().monitor).unwrap();

    // The data changes: a second delivered project, and a revision of the agreement.
    let other = certified_location(store, "95555555", "GM1783", "2672AA", 31).await;
    let mut second = project(westland, a, "delivered", "2021-01-01");
    second.name = "Logies Monster".into();
    second.location_ids = vec![other];
    store.create_project(&actor(), &LocationScope::All, &second.validate(today).unwrap()).await.unwrap();
    let mut revision = agreement(region, den_haag, westland);
    revision.applies_from = Some("2024-01-01".into());
    revision.task[0].places = 8000;
    store.revise_agreement(&actor(), a, region, &revision.validate(false, today).unwrap()).await.unwrap();

    // October still reads as it was; computed now, it would not.
    let report = store.monitor_month(october, today).await.unwrap();
    assert_eq!(report.snapshot.as_ref().map(|s| s.month.as_str()), Some("2026-10"));
    assert_eq!(serde_json::to_string(&*report.monitor).unwrap(), before);
    assert_eq!(report.monitor.figures.realised, 20);
    let live = store.monitor_live(date("2026-10-31")).await.unwrap();
    assert_eq!((live.figures.realised, live.figures.task), (50, 8000));
    // The current month is computed now; a month to come is refused.
    let november = store.monitor_month(Month::parse("2026-11").unwrap(), today).await.unwrap();
    assert!(november.snapshot.is_none());
    assert_eq!(november.monitor.as_of, today);
    let e = store.monitor_month(Month::parse("2026-12").unwrap(), today).await.unwrap_err();
    assert_eq!(field_codes(e), [("as_of".to_string(), "in_future")]);
    assert_eq!(store.monitor_snapshots().await.unwrap().len(), 2);
}

db_tests!(
    agreements_in_versions_with_their_checks,
    projects_realise_the_certified_beds_they_deliver,
    a_past_month_renders_from_its_snapshot,
);
