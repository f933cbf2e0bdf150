//! Complaints, enforcement cases and the bed-for-bed ledger in storage, on SQLite and on
//! PostgreSQL: a complaint kept once per form and routed by its address; a case that cannot
//! skip a step or close with a bed unaccounted for; vacancies proposed nearest first from
//! certified locations in the region; a relocation that is a real check-in; penalties capped
//! at their maximum; the ledger's invariant found = legalised + relocated + departed + open.

use chrono::NaiveDate;
use flexwonen_core::access::{CaseScope, LocationScope, Role};
use flexwonen_core::certificates::CertificateInput;
use flexwonen_core::complaints::{ComplaintInput, FollowUpCode};
use flexwonen_core::enforcement::{CaseInput, OutcomeInput, PenaltyInput, StepInput};
use flexwonen_core::geo::{PositionInput, RdPoint};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::occupancy_events::{EventInput, TermsInput, WorkerInput};
use flexwonen_store::testing::{TestDb, dormitory, housing_provider};
use flexwonen_store::{AccountSpec, Actor, ComplaintState, EventContext, Store, StoreError, db_tests};

fn actor() -> Actor {
    Actor { account_id: None, name: "handhaver-test".into() }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const TODAY: &str = "2026-12-10";

fn westland() -> MunicipalityCode {
    MunicipalityCode::parse("GM1783").unwrap()
}

fn codes(e: StoreError) -> Vec<&'static str> {
    match e {
        StoreError::Invalid(f) => f.0.iter().map(|e| e.code).collect(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// A dormitory of `beds` beds (one out of service) at RD position `x`, run by a new provider
/// that is certified when `certified`.
async fn location(
    store: &Store,
    kvk: &str,
    municipality: &str,
    postcode: &str,
    beds: usize,
    x: f64,
    certified: bool,
) -> (i64, Vec<i64>) {
    let org = store.create_organisation(&actor(), &housing_provider(kvk).validate().unwrap()).await.unwrap().id;
    if certified {
        let certificate = CertificateInput {
            organisation_id: org,
            scheme: "snf".into(),
            number: format!("SNF-{kvk}"),
            valid_from: "2015-01-01".into(),
            valid_until: None,
        };
        store.create_certificate(&actor(), &certificate.validate().unwrap()).await.unwrap();
    }
    let mut input = dormitory(municipality, postcode, org, 600.0, beds);
    input.position = Some(PositionInput::Rd(RdPoint { x, y: 445_000.0 }));
    let l = store.create_location(&actor(), &LocationScope::All, &input.validate().unwrap()).await.unwrap();
    (l.id, l.rooms.iter().flat_map(|r| r.beds.iter().map(|b| b.id)).collect())
}

fn complaint(postcode: &str) -> ComplaintInput {
    ComplaintInput {
        postcode: postcode.into(),
        house_number: 1,
        kind: "overcrowding".into(),
        description: "Er wonen veel te veel mensen in dit huis.".into(),
        ..ComplaintInput::default()
    }
}

async fn a_complaint_is_kept_once_per_form_and_routed_by_its_address(db: TestDb) {
    let store = &db.store;
    location(store, "11111111", "GM1783", "2671AA", 4, 75_000.0, false).await;
    let c = complaint("2671 aa").validate().unwrap();
    // The register knows the address: Westland, whatever the form said.
    assert_eq!(store.municipality_of_address(&c.address).await.unwrap(), Some(westland()));
    let unknown = complaint("9999 ZZ").validate().unwrap();
    assert_eq!(store.municipality_of_address(&unknown.address).await.unwrap(), None);

    let code = FollowUpCode::for_submission(b"key", "nonce-1");
    let first = store.receive_complaint(&c, &westland(), "nonce-1", &code, "pl").await.unwrap();
    let again = store.receive_complaint(&c, &westland(), "nonce-1", &code, "pl").await.unwrap();
    assert!(!first.again && again.again && first.id == again.id, "one form, one complaint");
    assert_eq!(store.complaint_count().await.unwrap(), 1);

    let status = store.complaint_status(&code).await.unwrap();
    assert_eq!((status.state, status.municipality.as_str()), (ComplaintState::Received, "Westland"));
    let other = FollowUpCode::for_submission(b"key", "nonce-2");
    assert!(matches!(store.complaint_status(&other).await, Err(StoreError::NotFound)));

    let listed = store.complaints(&westland(), true, 10).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].contact, None, "anonymous");
    let den_haag = MunicipalityCode::parse("GM0518").unwrap();
    assert!(store.complaints(&den_haag, false, 10).await.unwrap().is_empty());
    assert!(matches!(store.complaint(&den_haag, first.id).await, Err(StoreError::NotFound)));
    // The audit entry holds neither the text nor contact details.
    let trail = store.audit_trail("complaint", first.id).await.unwrap();
    assert_eq!(trail.len(), 1);
    assert!(!trail[0].after.as_ref().unwrap().to_string().contains("mensen"));

    // A case on it: the reporter sees it in progress; a second case on it is refused.
    let input = CaseInput {
        source: "complaint".into(),
        complaint_id: Some(first.id),
        stay_type: "short".into(),
        ..CaseInput::default()
    };
    let case = store.open_case(&actor(), &westland(), &input.validate().unwrap(), date(TODAY)).await.unwrap();
    assert_eq!(case.address_key, "2671AA|1||");
    assert!(case.location_id.is_some());
    assert_eq!(store.complaint_status(&code).await.unwrap().state, ComplaintState::InProgress);
    let twice = store.open_case(&actor(), &westland(), &input.validate().unwrap(), date(TODAY)).await.unwrap_err();
    assert_eq!(codes(twice), ["complaint_has_case"]);
    // Handled without a case: refused for the complaint with a case; another one closes for
    // its reporter, leaves the list of complaints without a case, and takes no case after.
    assert_eq!(
        codes(store.dismiss_complaint(&actor(), &westland(), first.id, "Gezin", date(TODAY)).await.unwrap_err()),
        ["complaint_handled"]
    );
    let other_code = FollowUpCode::for_submission(b"key", "nonce-3");
    let other = store.receive_complaint(&c, &westland(), "nonce-3", &other_code, "nl").await.unwrap();
    assert_eq!(
        codes(store.dismiss_complaint(&actor(), &westland(), other.id, " ", date(TODAY)).await.unwrap_err()),
        ["reason_required"]
    );
    let handled =
        store.dismiss_complaint(&actor(), &westland(), other.id, "Bezocht: een gezin.", date(TODAY)).await.unwrap();
    assert_eq!(handled.dismissed.map(|d| d.2), Some("Bezocht: een gezin.".to_string()));
    assert_eq!(store.complaint_status(&other_code).await.unwrap().state, ComplaintState::Closed);
    assert!(store.complaints(&westland(), true, 10).await.unwrap().is_empty());
    let on_handled = CaseInput { complaint_id: Some(other.id), ..input.clone() };
    assert_eq!(
        codes(store.open_case(&actor(), &westland(), &on_handled.validate().unwrap(), date(TODAY)).await.unwrap_err()),
        ["complaint_has_case"]
    );
    assert!(matches!(
        store.dismiss_complaint(&actor(), &den_haag, other.id, "nope", date(TODAY)).await,
        Err(StoreError::NotFound)
    ));
    // Another municipality cannot open a case on Westland's complaint.
    let elsewhere = store.open_case(&actor(), &den_haag, &input.validate().unwrap(), date(TODAY)).await.unwrap_err();
    assert_eq!(codes(elsewhere), ["unknown_source"]);
}

fn step(code: &str, on: &str) -> StepInput {
    StepInput { step: code.into(), date: Some(on.into()), ..StepInput::default() }
}

async fn a_case_runs_its_workflow_and_closes_only_when_every_bed_is_accounted_for(db: TestDb) {
    let store = &db.store;
    let today = date(TODAY);
    let scope = CaseScope::Municipalities(vec![westland()]);
    // The grey situation: an illegal dormitory in Westland where 6 people were found.
    let (grey, _) = location(store, "22222222", "GM1783", "2671AB", 3, 75_000.0, false).await;
    // Vacancies: certified in Westland 1 km away and in Den Haag 6 km away (region
    // Haaglanden); uncertified next door; certified but in Venlo (another region).
    let (near, near_beds) = location(store, "33333333", "GM1783", "2671AC", 4, 76_000.0, true).await;
    let (far, _) = location(store, "44444444", "GM0518", "2511AA", 3, 81_000.0, true).await;
    location(store, "55555555", "GM1783", "2671AD", 5, 75_100.0, false).await;
    location(store, "66666666", "GM0983", "5911AA", 5, 75_050.0, true).await;

    let inspector_region = store
        .regions_of(&westland())
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.kind.as_str() == "labour_market")
        .unwrap()
        .id;
    let inspector = store
        .create_account(
            &actor(),
            &AccountSpec {
                username: "inspecteur".into(),
                display_name: "Inspecteur".into(),
                password_hash: "x".into(),
                role: Role::Inspector,
                region_id: Some(inspector_region),
                municipality: None,
                organisation_id: None,
            },
        )
        .await
        .unwrap();

    let input = CaseInput {
        source: "manual".into(),
        postcode: "2671ab".into(),
        house_number: 1,
        stay_type: "short".into(),
        found: 6,
        summary: "Melding buren, 6 bedden op zolder".into(),
        assignee: Some("inspecteur".into()),
        opened_on: Some("2026-12-01".into()),
        ..CaseInput::default()
    };
    let case = store.open_case(&actor(), &westland(), &input.validate().unwrap(), today).await.unwrap();
    assert_eq!((case.workflow_version, case.location_id), (1, Some(grey)));
    assert_eq!((case.next_step.as_deref(), case.due_on.as_deref()), (Some("intake"), Some("2026-12-06")));
    assert_eq!(case.ledger.found, 6);
    assert_eq!(case.assignee_id, Some(inspector));
    // The inspector reads it through their assignment; another inspector does not.
    assert!(store.case(&CaseScope::Assigned(inspector), case.id).await.is_ok());
    assert!(matches!(store.case(&CaseScope::Assigned(inspector + 1), case.id).await, Err(StoreError::NotFound)));
    // By hand, an address in another municipality is refused.
    let elsewhere = CaseInput { postcode: "5911AA".into(), ..input.clone() };
    assert_eq!(
        codes(store.open_case(&actor(), &westland(), &elsewhere.validate().unwrap(), today).await.unwrap_err()),
        ["address_elsewhere"]
    );

    let id = case.id;
    store.record_step(&actor(), &scope, id, &step("intake", "2026-12-02").validate().unwrap(), today).await.unwrap();
    // Skipping the desk check and the visit: refused, nothing written.
    let decision = StepInput { decision: Some("relocate".into()), ..step("decision", "2026-12-03") };
    let skipped = store.record_step(&actor(), &scope, id, &decision.validate().unwrap(), today).await.unwrap_err();
    assert_eq!(codes(skipped), ["step_skipped"]);
    assert_eq!(store.case(&scope, id).await.unwrap().steps.len(), 1);
    store
        .record_step(&actor(), &scope, id, &step("desk_check", "2026-12-03").validate().unwrap(), today)
        .await
        .unwrap();
    let case =
        store.record_step(&actor(), &scope, id, &step("visit", "2026-12-04").validate().unwrap(), today).await.unwrap();
    assert_eq!((case.next_step.as_deref(), case.due_on.as_deref()), (Some("decision"), Some("2027-01-29")));
    let with_penalty = StepInput {
        penalty: Some(PenaltyInput { amount_cents: 50_000, per: "week".into(), maximum_cents: Some(120_000) }),
        ..decision.clone()
    };
    let case = store
        .record_step(
            &actor(),
            &scope,
            id,
            &StepInput { date: Some("2026-12-05".into()), ..with_penalty }.validate().unwrap(),
            today,
        )
        .await
        .unwrap();
    assert_eq!(case.penalty.as_ref().map(|p| p.maximum_cents), Some(120_000));

    // Penalties forfeited stop at the maximum.
    store.record_forfeit(&actor(), &scope, id, 2, today).await.unwrap();
    let case = store.record_forfeit(&actor(), &scope, id, 2, today).await.unwrap();
    assert_eq!(case.forfeited_cents, 120_000);
    assert_eq!(codes(store.record_forfeit(&actor(), &scope, id, 1, today).await.unwrap_err()), ["maximum_reached"]);

    // Closing with beds open: refused.
    let close = step("closed", "2026-12-09");
    assert_eq!(
        codes(store.record_step(&actor(), &scope, id, &close.validate().unwrap(), today).await.unwrap_err()),
        ["ledger_open"]
    );

    // Vacancies: nearest first, certified only, in the region, of the stay type, never the
    // grey location itself, never a bed out of service.
    let proposals = store.vacancies(&scope, id, today, 50).await.unwrap();
    let at: Vec<i64> = proposals.iter().map(|v| v.location_id).collect();
    assert_eq!(at, [near, near, near, far, far]);
    assert_eq!(proposals[0].distance_km, Some(1.0));

    // Legalising: the grey location has no permit: refused.
    let legalise = OutcomeInput { outcome: "legalised".into(), count: 2, ..OutcomeInput::default() };
    assert_eq!(
        codes(store.record_outcome(&actor(), &scope, id, &legalise.validate().unwrap(), today).await.unwrap_err()),
        ["no_permit"]
    );

    // Relocating: a check-in at the near location, in one transaction with the ledger.
    let a = actor();
    let nobody = LocationScope::Nothing;
    let ctx = EventContext { actor: &a, scope: &nobody, sender: "account:1", bsn_key: None, today, generation: None };
    let move_to = |bed: i64, reference: &str| EventInput {
        id: format!("case-{id}-{reference}"),
        kind: "check_in".into(),
        date: TODAY.into(),
        bed_id: Some(bed),
        worker: Some(WorkerInput {
            reference: reference.into(),
            nationality: "RO".into(),
            registration: "none".into(),
            ..Default::default()
        }),
        worker_reference: None,
        terms: Some(TermsInput {
            separate_contract: true,
            rent_per_week: 100.0,
            notice_days: 14,
            ..Default::default()
        }),
    };
    let case = store.relocate(&ctx, &scope, id, &move_to(near_beds[0], "R1").validate().unwrap()).await.unwrap();
    assert_eq!(case.ledger.relocated, 1);
    // The same bed again: taken; a bed out of service; a bed of an uncertified location.
    assert_eq!(
        codes(store.relocate(&ctx, &scope, id, &move_to(near_beds[0], "R2").validate().unwrap()).await.unwrap_err()),
        ["bed_taken"]
    );
    assert_eq!(
        codes(store.relocate(&ctx, &scope, id, &move_to(near_beds[3], "R2").validate().unwrap()).await.unwrap_err()),
        ["bed_out_of_service"]
    );
    let uncertified_bed = store
        .vacancies(&scope, id, today, 50)
        .await
        .unwrap()
        .iter()
        .all(|v| v.location_id != near || v.bed_id != near_beds[0]);
    assert!(uncertified_bed, "a taken bed is no longer proposed");
    let (_, grey_beds) = (grey, store.location(&LocationScope::All, grey).await.unwrap().rooms[0].beds[0].id);
    assert_eq!(
        codes(store.relocate(&ctx, &scope, id, &move_to(grey_beds, "R2").validate().unwrap()).await.unwrap_err()),
        ["bed_not_certified"]
    );
    let case = store.relocate(&ctx, &scope, id, &move_to(near_beds[1], "R2").validate().unwrap()).await.unwrap();
    assert_eq!(case.ledger.relocated, 2);

    // Departed: counted apart; more than open is refused.
    let departed = |n| OutcomeInput { outcome: "departed".into(), count: n, ..OutcomeInput::default() };
    assert_eq!(
        codes(store.record_outcome(&actor(), &scope, id, &departed(5).validate().unwrap(), today).await.unwrap_err()),
        ["more_than_open"]
    );
    let case = store.record_outcome(&actor(), &scope, id, &departed(3).validate().unwrap(), today).await.unwrap();
    let l = case.ledger;
    assert_eq!((l.found, l.legalised, l.relocated, l.departed, l.open), (6, 0, 2, 3, 1));
    assert_eq!(l.found, l.legalised + l.relocated + l.departed + l.open);

    // The grey location gets its permit: one bed legalised within its permitted capacity.
    let grey_location = store.location(&LocationScope::All, grey).await.unwrap();
    let mut update = dormitory("GM1783", "2671AB", grey_location.operator_id.unwrap(), 600.0, 3);
    update.legal_status = "permitted".into();
    store
        .update_location(&actor(), &LocationScope::All, grey, grey_location.version, &update.validate().unwrap())
        .await
        .unwrap();
    let one = OutcomeInput { count: 1, ..legalise };
    let case = store.record_outcome(&actor(), &scope, id, &one.validate().unwrap(), today).await.unwrap();
    assert_eq!(case.ledger.open, 0);
    let closed = store.record_step(&actor(), &scope, id, &close.validate().unwrap(), today).await.unwrap();
    assert_eq!((closed.closed_on.as_deref(), closed.next_step), (Some("2026-12-09"), None));
    assert_eq!(
        codes(store.record_outcome(&actor(), &scope, id, &departed(1).validate().unwrap(), today).await.unwrap_err()),
        ["case_closed"]
    );

    // Every step and ledger change audited.
    let trail = store.audit_trail("case", id).await.unwrap();
    let actions: Vec<&str> = trail.iter().rev().map(|t| t.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "open",
            "step:intake",
            "step:desk_check",
            "step:visit",
            "step:decision",
            "forfeit",
            "forfeit",
            "ledger:relocated",
            "ledger:relocated",
            "ledger:departed",
            "ledger:legalised",
            "step:closed"
        ]
    );

    // The balance: Westland, its region, the country; the receiving location within capacity.
    let all = store.bed_for_bed(None, today).await.unwrap();
    assert_eq!((all.totals.found, all.totals.relocated, all.totals.departed, all.totals.legalised), (6, 2, 3, 1));
    assert_eq!((all.cases_open, all.cases_closed), (0, 1));
    assert_eq!(all.municipalities, [("GM1783".to_string(), all.totals)], "per municipality");
    assert_eq!(all.months.last().map(|(m, c)| (m.as_str(), c.open)), Some(("2026-12", 0)));
    let venlo = MunicipalityCode::parse("GM0983").unwrap();
    assert_eq!(store.bed_for_bed(Some(&[venlo]), today).await.unwrap().totals.found, 0);
    let receivers = store.relocation_receivers(Some(&[westland()]), today).await.unwrap();
    assert_eq!(receivers.len(), 1);
    assert_eq!((receivers[0].location_id, receivers[0].relocated, receivers[0].housed), (near, 2, 2));
    assert!(!receivers[0].over_capacity());
}

db_tests!(
    a_complaint_is_kept_once_per_form_and_routed_by_its_address,
    a_case_runs_its_workflow_and_closes_only_when_every_bed_is_accounted_for,
);
