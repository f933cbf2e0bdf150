//! Demo enforcement (issue 7): complaints from the public form at Westland's signalled
//! addresses, and four cases through the real store calls — one well under way with
//! relocations to vacant certified beds and departures, one from a complaint at its desk
//! check, one overdue, one closed with every bed accounted for.

use chrono::{Days, NaiveDate};
use flexwonen_core::access::{CaseScope, LocationScope};
use flexwonen_core::complaints::{ComplaintInput, ComplaintKind, FollowUpCode};
use flexwonen_core::enforcement::{CaseInput, OutcomeInput, PenaltyInput, StepInput};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::occupancy_events::{EventInput, TermsInput, WorkerInput};
use flexwonen_store::{Actor, EventContext, SignalOrder, SignalState, Store, StoreError};

const DESCRIPTIONS: [&str; 4] = [
    "Elke avond veel lawaai en busjes die 's nachts komen en gaan. Het afval staat al weken naast de container.",
    "In dit rijtjeshuis wonen volgens mij meer dan twaalf mensen. Er liggen matrassen op zolder en in de garage.",
    "De bewoners vertellen dat de verwarming en de rookmelders het niet doen. Er hangen losse snoeren.",
    "Een bewoner zegt dat er 150 euro per week huur van zijn loon wordt ingehouden voor een bed op een gedeelde kamer.",
];

fn ago(today: NaiveDate, days: u64) -> String {
    (today - Days::new(days)).to_string()
}

/// The address parts of a signal's key (`2671AB|12|A|`), as a form would send them.
fn parts(key: &str) -> (String, i64, String, String) {
    let mut f = key.split('|');
    let postcode = f.next().unwrap_or("").to_string();
    let number = f.next().and_then(|n| n.parse().ok()).unwrap_or(0);
    (postcode, number, f.next().unwrap_or("").to_string(), f.next().unwrap_or("").to_string())
}

pub async fn load_enforcement(
    store: &Store,
    westland: &MunicipalityCode,
    today: NaiveDate,
) -> Result<usize, StoreError> {
    let actor = Actor::system("demo");
    let (signals, _) = store.signals(westland, SignalState::Open, SignalOrder::Score, Some((0, 12))).await?;
    let invalid = |e: flexwonen_core::FieldErrors| StoreError::Invalid(e);
    // Complaints at eight signalled addresses, the first two with contact details.
    let mut complaints = Vec::new();
    for (i, s) in signals.iter().skip(4).take(8).enumerate() {
        let (postcode, house_number, house_letter, house_addition) = parts(&s.address_key);
        let input = ComplaintInput {
            postcode,
            house_number,
            house_letter,
            house_addition,
            kind: ComplaintKind::ALL[i % 4].as_str().to_string(),
            description: DESCRIPTIONS[i % 4].to_string(),
            contact: if i < 2 { format!("06-1234567{i}") } else { String::new() },
        };
        let complaint = input.validate().map_err(invalid)?;
        let nonce = format!("demo-{i}");
        let code = FollowUpCode::for_submission(b"demo", &nonce);
        let language = ["nl", "pl", "ro", "bg"][i % 4];
        complaints.push(store.receive_complaint(&complaint, westland, &nonce, &code, language).await?.id);
    }
    let scope = CaseScope::Municipalities(vec![westland.clone()]);
    let step = |code: &str, on: String| StepInput { step: code.into(), date: Some(on), ..StepInput::default() };
    let actor_ref = &actor;
    let open = |input: CaseInput| async move {
        store.open_case(actor_ref, westland, &input.validate().map_err(invalid)?, today).await
    };
    let mut cases = 0;

    // 1. A signal under way: decided, relocations to vacant certified beds, departures.
    if let Some(signal) = signals.first() {
        let input = CaseInput {
            source: "signal".into(),
            signal_id: Some(signal.id),
            stay_type: "short".into(),
            found: 12,
            summary: "Bij het bezoek twaalf bedden aangetroffen in woonkamer, zolder en garage.".into(),
            opened_on: Some(ago(today, 60)),
            ..CaseInput::default()
        };
        let case = open(input).await?;
        for (code, days) in [("intake", 58), ("desk_check", 50), ("visit", 41)] {
            store
                .record_step(&actor, &scope, case.id, &step(code, ago(today, days)).validate().map_err(invalid)?, today)
                .await?;
        }
        let decision = StepInput {
            decision: Some("relocate".into()),
            penalty: Some(PenaltyInput { amount_cents: 50_000, per: "week".into(), maximum_cents: Some(500_000) }),
            note: "Last onder dwangsom: per week dat er meer dan vier personen wonen.".into(),
            ..step("decision", ago(today, 30))
        };
        store.record_step(&actor, &scope, case.id, &decision.validate().map_err(invalid)?, today).await?;
        store.record_forfeit(&actor, &scope, case.id, 2, today - Days::new(10)).await?;
        let moved_on = today - Days::new(20);
        let vacancies = store.vacancies(&scope, case.id, moved_on, 5).await?;
        let nowhere = LocationScope::Nothing;
        let ctx = EventContext {
            actor: &actor,
            scope: &nowhere,
            sender: "demo-enforcement",
            bsn_key: None,
            today,
            generation: None,
        };
        for (i, v) in vacancies.iter().enumerate() {
            let event = EventInput {
                id: format!("demo-case-{}-{i}", case.id),
                kind: "check_in".into(),
                date: moved_on.to_string(),
                bed_id: Some(v.bed_id),
                worker: Some(WorkerInput {
                    reference: format!("H-{}-{i}", case.id),
                    nationality: ["PL", "RO", "BG"][i % 3].into(),
                    registration: "none".into(),
                    ..WorkerInput::default()
                }),
                worker_reference: None,
                terms: Some(TermsInput {
                    separate_contract: true,
                    rent_per_week: 105.0,
                    notice_days: 14,
                    ..TermsInput::default()
                }),
            };
            // A bed the demo occupancy fills later is refused by the check-in: skip it.
            match store.relocate(&ctx, &scope, case.id, &event.validate().map_err(invalid)?).await {
                Ok(_) | Err(StoreError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        let departed = OutcomeInput {
            outcome: "departed".into(),
            count: 3,
            date: Some(ago(today, 15)),
            ..OutcomeInput::default()
        };
        store.record_outcome(&actor, &scope, case.id, &departed.validate().map_err(invalid)?, today).await?;
        cases += 1;
    }
    // 2. A complaint at its desk check, handled by the municipality's own account.
    if let Some(complaint) = complaints.get(1) {
        let input = CaseInput {
            source: "complaint".into(),
            complaint_id: Some(*complaint),
            stay_type: "mid".into(),
            found: 0,
            assignee: Some("gemeente-westland".into()),
            opened_on: Some(ago(today, 9)),
            ..CaseInput::default()
        };
        let case = open(input).await?;
        store
            .record_step(&actor, &scope, case.id, &step("intake", ago(today, 8)).validate().map_err(invalid)?, today)
            .await?;
        cases += 1;
    }
    // 3. Overdue: the desk check was due weeks ago.
    if let Some(signal) = signals.get(1) {
        let input = CaseInput {
            source: "signal".into(),
            signal_id: Some(signal.id),
            stay_type: "short".into(),
            found: 5,
            opened_on: Some(ago(today, 45)),
            ..CaseInput::default()
        };
        let case = open(input).await?;
        store
            .record_step(&actor, &scope, case.id, &step("intake", ago(today, 44)).validate().map_err(invalid)?, today)
            .await?;
        cases += 1;
    }
    // 4. Closed: every bed accounted for.
    if let Some(signal) = signals.get(2) {
        let input = CaseInput {
            source: "signal".into(),
            signal_id: Some(signal.id),
            stay_type: "short".into(),
            found: 4,
            opened_on: Some(ago(today, 120)),
            ..CaseInput::default()
        };
        let case = open(input).await?;
        for (code, days) in [("intake", 118), ("desk_check", 110), ("visit", 100)] {
            store
                .record_step(&actor, &scope, case.id, &step(code, ago(today, days)).validate().map_err(invalid)?, today)
                .await?;
        }
        let decision = StepInput { decision: Some("close_location".into()), ..step("decision", ago(today, 90)) };
        store.record_step(&actor, &scope, case.id, &decision.validate().map_err(invalid)?, today).await?;
        let departed = OutcomeInput {
            outcome: "departed".into(),
            count: 4,
            date: Some(ago(today, 70)),
            ..OutcomeInput::default()
        };
        store.record_outcome(&actor, &scope, case.id, &departed.validate().map_err(invalid)?, today).await?;
        store
            .record_step(&actor, &scope, case.id, &step("closed", ago(today, 65)).validate().map_err(invalid)?, today)
            .await?;
        cases += 1;
    }
    Ok(cases)
}
