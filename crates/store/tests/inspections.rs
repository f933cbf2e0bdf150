//! Inspections and defects in storage, on SQLite and on PostgreSQL: the frozen verdict, the
//! sanction ladder with dates on both sides, re-inspection, the plan and the address check,
//! and concurrent recordings of one inspection (recorded once, its defects created once).

use chrono::NaiveDate;
use flexwonen_core::access::LocationScope;
use flexwonen_core::certificates::{CertificateInput, CertificateStatus};
use flexwonen_core::inspections::{
    CompletionInput, DefectState, FindingInput, InspectionStatus, MeasurementsInput, PlanInput, PlanStatus,
    RoomMeasurementInput, parse_address_list,
};
use flexwonen_core::norms::{RuleInput, RuleSetInput, VersionInput};
use flexwonen_core::register::{AddressInput, BedInput, Facilities, LocationInput, OrganisationInput, RoomInput};
use flexwonen_store::testing::TestDb;
use flexwonen_store::{Actor, PlanFilter, Store, StoreError, db_tests};

fn actor() -> Actor {
    Actor { account_id: None, name: "inspecteur-test".into() }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn location(postcode: &str, number: i64, municipality: &str, operator: i64, first_responsible: bool) -> LocationInput {
    LocationInput {
        address: AddressInput {
            postcode: postcode.into(),
            house_number: number,
            house_letter: None,
            house_addition: None,
            street: "Kaldenkerkerweg".into(),
            place: "Venlo".into(),
        },
        municipality_code: municipality.into(),
        bag_vbo_id: None,
        housing_form: "a".into(),
        zoned_residential: true,
        floor_area_m2: 100.0,
        legal_status: "in_use".into(),
        stay_type: "short".into(),
        operator_id: Some(operator),
        facilities: Facilities { toilets: 2, showers: 2, kitchens: 1, washing_machines: 1 },
        position: None,
        new_build: false,
        in_use_since: None,
        conversion_permit: true,
        bedroom_sharing_agreed: false,
        first_responsible,
        rooms: vec![RoomInput {
            id: None,
            name: "Kamer 1".into(),
            area_m2: 12.0,
            beds: vec![BedInput { id: None, label: "1A".into(), in_service: true, out_of_service_reason: None }],
        }],
    }
}

struct Setup {
    org: i64,
    certificate: i64,
    venlo: i64,
}

async fn setup(store: &Store) -> Setup {
    let org = store
        .create_organisation(
            &actor(),
            &OrganisationInput {
                name: "Flex Wonen Venlo B.V.".into(),
                kvk: Some("93333333".into()),
                kind: "housing_provider".into(),
                municipality_code: None,
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap()
        .id;
    let certificate = store
        .create_certificate(
            &actor(),
            &CertificateInput {
                organisation_id: org,
                scheme: "snf".into(),
                number: "SNF-7001".into(),
                valid_from: "2024-01-01".into(),
                valid_until: None,
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap()
        .id;
    let venlo = store
        .create_location(&actor(), &LocationScope::All, &location("5911AB", 1, "GM0983", org, true).validate().unwrap())
        .await
        .unwrap()
        .id;
    Setup { org, certificate, venlo }
}

fn measured(floor: f64, toilets: i64, persons: i64) -> MeasurementsInput {
    MeasurementsInput {
        floor_area_m2: Some(floor),
        toilets: Some(toilets),
        showers: Some(2),
        rooms: vec![
            RoomMeasurementInput { name: "Kamer 1".into(), area_m2: Some(7.0), persons: Some(2) },
            RoomMeasurementInput { name: "Kamer 2".into(), area_m2: Some(14.0), persons: Some(4) },
        ],
        beds_counted: Some(persons),
        persons_present: Some(persons),
    }
}

async fn plan(store: &Store, location: i64, on: &str) -> i64 {
    let draft =
        PlanInput { location_id: location, planned_on: on.into(), scheme: Some("snf".into()), inspector_id: None }
            .validate()
            .unwrap();
    store.plan_inspection(&actor(), &LocationScope::All, &draft).await.unwrap().id
}

async fn a_done_inspection_keeps_its_verdict_when_the_norm_changes(db: TestDb) {
    let store = &db.store;
    let s = setup(store).await;
    // Venlo's own rule set: at most 20 persons. A version never starts in the past, so the
    // inspection is dated ahead of the later version published below.
    let venlo_max = |value: f64, from: &str| VersionInput {
        valid_from: from.into(),
        rules: vec![RuleInput {
            constraint: "max_persons".into(),
            value: Some(value),
            source: "Raadsbesluit Venlo (test)".into(),
            ..Default::default()
        }],
        ..Default::default()
    };
    let set = RuleSetInput {
        code: "venlo-max".into(),
        scheme: "municipal".into(),
        name: "Venlo: ten hoogste 20 personen".into(),
        municipalities: vec!["GM0983".into()],
        versions: vec![venlo_max(20.0, "2020-01-01")],
    };
    store.create_rule_set(&actor(), &set.validate().unwrap()).await.unwrap();
    let id = plan(store, s.venlo, "2032-03-10").await;
    let completion =
        CompletionInput { done_on: "2032-03-10".into(), measurements: measured(100.0, 2, 9), ..Default::default() }
            .validate()
            .unwrap();
    let done = store.complete_inspection(&actor(), &LocationScope::All, id, Some(1), &completion).await.unwrap();
    assert_eq!(done.status, InspectionStatus::Done);
    // 100 m² at 12 m² (zoned for living, SNF) is 8 persons; the bedrooms allow 2 + 4.
    assert_eq!(done.verdict.as_ref().unwrap()["permitted"], 6);
    assert_eq!(done.permitted, Some(6));
    let frozen_codes: Vec<&str> = done.norms.as_ref().unwrap().iter().map(|s| s.code.as_str()).collect();
    assert_eq!(frozen_codes, ["bouwbesluit-2012", "snf", "venlo-max"]);
    let view_of = |v: &serde_json::Value, code: &str| {
        v["schemes"].as_array().unwrap().iter().find(|s| s["rule_set"] == code).unwrap().clone()
    };
    assert_eq!(view_of(done.verdict.as_ref().unwrap(), "snf")["permitted"], 6);
    assert_eq!(view_of(done.verdict.as_ref().unwrap(), "venlo-max")["permitted"], 20);
    assert_eq!(view_of(done.verdict.as_ref().unwrap(), "venlo-max")["version"], 1);

    // Venlo then publishes version 2 from 2032-03-01: at most 5 persons.
    store.add_rule_set_version(&actor(), "venlo-max", &venlo_max(5.0, "2032-03-01")).await.unwrap();
    let location = store.location(&LocationScope::All, s.venlo).await.unwrap();
    let now = store
        .judge_inspection(
            &location,
            flexwonen_core::norms::NormScheme::Snf,
            date("2032-03-10"),
            &completion.measurements,
        )
        .await
        .unwrap();
    assert_eq!(now.view.permitted, Some(5), "judged again, the new version binds");
    let again = store.inspection(&LocationScope::All, id).await.unwrap();
    assert_eq!(again.verdict, done.verdict, "the stored verdict is unchanged");
    assert_eq!(view_of(again.verdict.as_ref().unwrap(), "venlo-max")["version"], 1);
    assert_eq!(again.norms, done.norms);
    // Recording twice is refused and changes nothing.
    let err = store.complete_inspection(&actor(), &LocationScope::All, id, None, &completion).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(f) if f.0[0].code == "not_planned"), "{err:?}");
    assert!(store.audit_trail("inspection", id).await.unwrap().iter().any(|e| e.action == "record"));
}

async fn overdue_defect_suspends_then_withdraws(db: TestDb) {
    let store = &db.store;
    let s = setup(store).await;
    let id = plan(store, s.venlo, "2026-03-10").await;
    let completion = CompletionInput {
        done_on: "2026-03-10".into(),
        measurements: measured(100.0, 1, 6),
        findings: vec![
            FindingInput {
                text: "Tweede toilet ontbreekt".into(),
                constraint: Some("persons_per_toilet".into()),
                deadline: Some("2026-04-01".into()),
            },
            FindingInput { text: "Rookmelder hangt scheef".into(), constraint: None, deadline: None },
        ],
        resolves: vec![],
    }
    .validate()
    .unwrap();
    let done = store.complete_inspection(&actor(), &LocationScope::All, id, None, &completion).await.unwrap();
    assert_eq!(done.defects.len(), 1, "only a finding with a deadline is a defect");
    let defect = &done.defects[0];
    assert_eq!(defect.state(date("2026-04-01")), DefectState::Open);
    assert_eq!(defect.state(date("2026-04-02")), DefectState::Overdue { days: 1 });

    let status = |store: Store| async move { store.certificate(s.certificate).await.unwrap().status };
    // On the deadline nothing happens.
    assert!(store.apply_sanctions(date("2026-04-01"), &actor()).await.unwrap().is_empty());
    assert_eq!(status(store.clone()).await, CertificateStatus::Active);
    // The day after: suspended, from that day.
    let applied = store.apply_sanctions(date("2026-04-02"), &actor()).await.unwrap();
    assert_eq!(applied.len(), 1);
    assert_eq!((applied[0].to, applied[0].since), (CertificateStatus::Suspended, date("2026-04-02")));
    assert_eq!(status(store.clone()).await, CertificateStatus::Suspended);
    // Run twice: nothing more.
    assert!(store.apply_sanctions(date("2026-04-02"), &actor()).await.unwrap().is_empty());
    // 60 days after the deadline: still suspended; 61: withdrawn.
    assert!(store.apply_sanctions(date("2026-05-31"), &actor()).await.unwrap().is_empty());
    assert_eq!(status(store.clone()).await, CertificateStatus::Suspended);
    let applied = store.apply_sanctions(date("2026-06-01"), &actor()).await.unwrap();
    assert_eq!((applied[0].to, applied[0].since), (CertificateStatus::Withdrawn, date("2026-06-01")));
    assert!(store.apply_sanctions(date("2026-12-01"), &actor()).await.unwrap().is_empty());
    let cert = store.certificate(s.certificate).await.unwrap();
    let history: Vec<(CertificateStatus, NaiveDate)> = cert.history.iter().map(|h| (h.status, h.since)).collect();
    assert_eq!(
        history,
        [
            (CertificateStatus::Active, date("2024-01-01")),
            (CertificateStatus::Suspended, date("2026-04-02")),
            (CertificateStatus::Withdrawn, date("2026-06-01")),
        ]
    );
    assert!(cert.history[1].reason.contains("Tweede toilet ontbreekt"));
    let trail = store.audit_trail("certificate", s.certificate).await.unwrap();
    assert!(
        trail.iter().any(|e| e.action == "status withdrawn") && trail.iter().any(|e| e.action == "status suspended")
    );
    let _ = s.org;
}

async fn reinspection_resolves_defects_explicitly(db: TestDb) {
    let store = &db.store;
    let s = setup(store).await;
    let first = plan(store, s.venlo, "2026-03-10").await;
    let finding =
        |text: &str| FindingInput { text: text.into(), constraint: None, deadline: Some("2026-04-01".into()) };
    let done = store
        .complete_inspection(
            &actor(),
            &LocationScope::All,
            first,
            None,
            &CompletionInput {
                done_on: "2026-03-10".into(),
                measurements: measured(100.0, 2, 6),
                findings: vec![finding("Lekkage badkamer"), finding("Nooduitgang geblokkeerd")],
                resolves: vec![],
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
    let (leak, exit) = (done.defects[0].id, done.defects[1].id);
    // The inspection that found a defect cannot resolve it.
    let second = plan(store, s.venlo, "2026-03-25").await;
    let recheck = |resolves: Vec<i64>| {
        CompletionInput {
            done_on: "2026-03-25".into(),
            measurements: measured(100.0, 2, 6),
            resolves,
            ..Default::default()
        }
        .validate()
        .unwrap()
    };
    // An unknown defect: refused, and the re-inspection stays planned.
    let err = store
        .complete_inspection(&actor(), &LocationScope::All, second, None, &recheck(vec![leak, 999_999]))
        .await
        .unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(f) if f.0[0].field == "resolves[1]"), "{err:?}");
    assert_eq!(store.inspection(&LocationScope::All, second).await.unwrap().status, InspectionStatus::Planned);
    assert!(store.defects(&LocationScope::All, s.venlo).await.unwrap().iter().all(|d| d.resolved_on.is_none()));
    // Resolve the leak only.
    store.complete_inspection(&actor(), &LocationScope::All, second, None, &recheck(vec![leak])).await.unwrap();
    let defects = store.defects(&LocationScope::All, s.venlo).await.unwrap();
    let state: Vec<(i64, DefectState)> = defects.iter().map(|d| (d.id, d.state(date("2026-04-02")))).collect();
    assert_eq!(state, [(leak, DefectState::Resolved), (exit, DefectState::Overdue { days: 1 })]);
    assert_eq!(defects[0].resolved_by_inspection_id, Some(second));
    // The other defect through the separate resolution, by the same re-inspection.
    let err = store.resolve_defect(&actor(), &LocationScope::All, exit, first).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(f) if f.0[0].code == "not_a_reinspection"), "{err:?}");
    store.resolve_defect(&actor(), &LocationScope::All, exit, second).await.unwrap();
    let err = store.resolve_defect(&actor(), &LocationScope::All, exit, second).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(f) if f.0[0].code == "not_open"), "{err:?}");
    // No open defect left: no sanction.
    assert!(store.apply_sanctions(date("2026-09-01"), &actor()).await.unwrap().is_empty());
    // Out of scope reads as not found.
    let elsewhere =
        LocationScope::Municipalities(vec![flexwonen_core::ids::MunicipalityCode::parse("GM0518").unwrap()]);
    assert!(matches!(store.inspection(&elsewhere, first).await, Err(StoreError::NotFound)));
}

async fn the_plan_counts_done_planned_due_and_overdue(db: TestDb) {
    let store = &db.store;
    let s = setup(store).await;
    let loc = |pc: &str, n, first| location(pc, n, "GM0983", s.org, first).validate().unwrap();
    let all = LocationScope::All;
    let planned = store.create_location(&actor(), &all, &loc("5911AB", 2, true)).await.unwrap().id;
    let overdue = store.create_location(&actor(), &all, &loc("5911AB", 3, true)).await.unwrap().id;
    let due = store.create_location(&actor(), &all, &loc("5911AB", 4, true)).await.unwrap().id;
    // Not first responsible: not in the plan.
    store.create_location(&actor(), &all, &loc("5911AB", 5, false)).await.unwrap();
    let done = plan(store, s.venlo, "2026-02-01").await;
    store
        .complete_inspection(
            &actor(),
            &all,
            done,
            None,
            &CompletionInput {
                done_on: "2026-02-03".into(),
                measurements: measured(100.0, 2, 6),
                ..Default::default()
            }
            .validate()
            .unwrap(),
        )
        .await
        .unwrap();
    plan(store, planned, "2026-06-15").await;
    plan(store, overdue, "2026-06-14").await;
    let today = date("2026-06-15");
    let p = store.inspection_plan(&all, 2026, today, &PlanFilter::default()).await.unwrap();
    let status_of = |id: i64| p.rows.iter().find(|r| r.location_id == id).map(|r| r.status);
    assert_eq!(p.rows.len(), 4);
    assert_eq!(status_of(s.venlo), Some(PlanStatus::Done));
    assert_eq!(status_of(planned), Some(PlanStatus::Planned));
    assert_eq!(status_of(overdue), Some(PlanStatus::Overdue));
    assert_eq!(status_of(due), Some(PlanStatus::Due));
    assert_eq!((p.total.done, p.total.planned, p.total.due, p.total.overdue), (1, 1, 1, 1));
    assert_eq!(p.by_region.len(), 1);
    assert_eq!(p.by_region[0].name, "Limburg");
    // Another region's filter sees nothing; the province of Limburg sees all four.
    let utrecht = store.region_by_code("PV26").await.unwrap().id;
    let limburg = store.region_by_code("PV31").await.unwrap().id;
    let filtered = |region| PlanFilter { region_id: Some(region), inspector_id: None };
    assert!(store.inspection_plan(&all, 2026, today, &filtered(utrecht)).await.unwrap().rows.is_empty());
    assert_eq!(store.inspection_plan(&all, 2026, today, &filtered(limburg)).await.unwrap().rows.len(), 4);
    // A year later nothing is done yet, and last year's "due" is now overdue.
    let next = store.inspection_plan(&all, 2027, date("2027-01-05"), &PlanFilter::default()).await.unwrap();
    assert_eq!(next.total.due, 4);
    let past = store.inspection_plan(&all, 2026, date("2027-01-05"), &PlanFilter::default()).await.unwrap();
    assert_eq!((past.total.done, past.total.overdue), (1, 3));
    // Without an SNF certificate in force the plan is empty.
    let suspended = flexwonen_core::certificates::StatusChange {
        status: CertificateStatus::Suspended,
        since: date("2026-05-01"),
        reason: "test".into(),
    };
    store.change_certificate_status(&actor(), s.certificate, 1, &suspended).await.unwrap();
    assert!(store.inspection_plan(&all, 2026, today, &PlanFilter::default()).await.unwrap().rows.is_empty());
}

async fn administrative_check_lists_unregistered_addresses(db: TestDb) {
    let store = &db.store;
    let s = setup(store).await;
    let audit_before = store.audit_trail("organisation", s.org).await.unwrap().len();
    let list =
        parse_address_list("postcode;house_number;house_letter;house_addition\n5911 AB;1;;\n5911AB;9;b;\n").unwrap();
    let check = store.admin_check(&actor(), s.org, &list).await.unwrap();
    assert_eq!((check.listed, check.registered), (2, 1));
    assert_eq!(check.unregistered.iter().map(|a| a.display()).collect::<Vec<_>>(), ["5911 AB 9b"]);
    assert!(check.not_listed.is_empty());
    let trail = store.audit_trail("organisation", s.org).await.unwrap();
    assert_eq!(trail.len(), audit_before + 1);
    assert_eq!(trail[0].action, "administrative check");
    // A bad line is named and nothing is checked.
    let errors = parse_address_list("postcode,house_number\n5911AB,1\n5911AB,nul\n").unwrap_err();
    assert_eq!((errors[0].line, errors[0].field.as_str()), (3, "house_number"));
    let empty = store.admin_check(&actor(), s.org, &[]).await.unwrap();
    assert_eq!(empty.not_listed.len(), 1);
    assert!(matches!(store.admin_check(&actor(), 999_999, &[]).await, Err(StoreError::NotFound)));
}

/// Two requests recording the same inspection at once (a double submit, two phones): on
/// PostgreSQL both may read it as planned; exactly one records it, the other is refused, and
/// the findings become defects once. Several rounds, to meet the race more than by luck.
async fn recording_the_same_inspection_twice_at_once_records_it_once(db: TestDb) {
    let store = &db.store;
    let s = setup(store).await;
    let completion = CompletionInput {
        done_on: "2026-03-10".into(),
        measurements: measured(100.0, 2, 6),
        findings: vec![FindingInput {
            text: "Lekkage badkamer".into(),
            constraint: None,
            deadline: Some("2026-04-01".into()),
        }],
        resolves: vec![],
    }
    .validate()
    .unwrap();
    const ROUNDS: usize = 6;
    for round in 0..ROUNDS {
        let id = plan(store, s.venlo, "2026-03-10").await;
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let (store, barrier, completion) = (store.clone(), barrier.clone(), completion.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    store.complete_inspection(&actor(), &LocationScope::All, id, None, &completion).await
                })
            })
            .collect();
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        let done: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        let outcome: Vec<_> = results.iter().map(|r| r.as_ref().map(|i| i.version)).collect();
        assert_eq!(done.len(), 1, "round {round}: exactly one records it: {outcome:?}");
        let refused = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(
            matches!(refused, StoreError::Conflict { current: 2 })
                || matches!(refused, StoreError::Invalid(f) if f.0[0].code == "not_planned"),
            "round {round}: {refused:?}"
        );
        let stored = store.inspection(&LocationScope::All, id).await.unwrap();
        assert_eq!((stored.status, stored.version), (InspectionStatus::Done, 2), "round {round}");
        assert_eq!(stored.defects.len(), 1, "round {round}: the finding is one defect");
        let records = store.audit_trail("inspection", id).await.unwrap();
        assert_eq!(records.iter().filter(|e| e.action == "record").count(), 1, "round {round}");
    }
    let defects = store.defects(&LocationScope::All, s.venlo).await.unwrap();
    assert_eq!(defects.len(), ROUNDS, "one defect per inspection, none twice");

    // Recording and cancelling at once: one of them, never both.
    for round in 0..ROUNDS {
        let id = plan(store, s.venlo, "2026-03-11").await;
        let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let (st, b, c) = (store.clone(), barrier.clone(), completion.clone());
        let record = tokio::spawn(async move {
            b.wait().await;
            st.complete_inspection(&actor(), &LocationScope::All, id, None, &c).await.is_ok()
        });
        let (st, b) = (store.clone(), barrier.clone());
        let cancel = tokio::spawn(async move {
            b.wait().await;
            st.cancel_inspection(&actor(), &LocationScope::All, id).await.is_ok()
        });
        let (recorded, cancelled) = (record.await.unwrap(), cancel.await.unwrap());
        assert!(recorded != cancelled, "round {round}: recorded {recorded}, cancelled {cancelled}");
        let stored = store.inspection(&LocationScope::All, id).await.unwrap();
        let expected = if recorded { InspectionStatus::Done } else { InspectionStatus::Cancelled };
        assert_eq!((stored.status, stored.version), (expected, 2), "round {round}");
        assert_eq!(stored.defects.len(), usize::from(recorded), "round {round}");
    }
}

db_tests!(
    recording_the_same_inspection_twice_at_once_records_it_once,
    a_done_inspection_keeps_its_verdict_when_the_norm_changes,
    overdue_defect_suspends_then_withdraws,
    reinspection_resolves_defects_explicitly,
    the_plan_counts_done_planned_due_and_overdue,
    administrative_check_lists_unregistered_addresses,
);
