//! Enforcement cases (issue 7), the pure part: the workflow as versioned data
//! (`data/enforcement/workflows.toml`), which step may come next, the decisions, a penalty
//! order (last onder dwangsom) and the bed-for-bed ledger with its invariant
//! found = legalised + relocated + departed + open.

use crate::error::FieldErrors;
use chrono::NaiveDate;
use serde::Deserialize;

pub const WORKFLOWS_TOML: &str = include_str!("../../../data/enforcement/workflows.toml");

/// One step of a workflow.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Step {
    pub code: String,
    pub name_nl: String,
    pub name_en: String,
    /// A required step cannot be skipped.
    pub required: bool,
    /// Its deadline, in days from the day the step before it was done.
    pub days: u32,
}

/// A version of the workflow: its steps in order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Workflow {
    pub version: u32,
    /// Cases opened from this day on start under this version.
    pub since: NaiveDate,
    #[serde(rename = "step")]
    pub steps: Vec<Step>,
}

#[derive(Deserialize)]
struct WorkflowsFile {
    workflow: Vec<Workflow>,
}

/// The shipped workflow versions, oldest first, or what is wrong with the file.
pub fn workflows() -> Result<Vec<Workflow>, String> {
    let file: WorkflowsFile =
        toml::from_str(WORKFLOWS_TOML).map_err(|e| format!("data/enforcement/workflows.toml: {e}"))?;
    let mut workflows = file.workflow;
    workflows.sort_by_key(|w| w.version);
    if workflows.windows(2).any(|w| w[0].version == w[1].version || w[0].since >= w[1].since) {
        return Err("data/enforcement/workflows.toml: versions must differ and start on later days".into());
    }
    for w in &workflows {
        let codes: Vec<&str> = w.steps.iter().map(|s| s.code.as_str()).collect();
        if codes.first() != Some(&"intake") || codes.last() != Some(&"closed") || !codes.contains(&"decision") {
            return Err(format!(
                "workflow version {}: steps must run from intake through decision to closed",
                w.version
            ));
        }
        if (1..codes.len()).any(|i| codes[..i].contains(&codes[i])) {
            return Err(format!("workflow version {}: a step appears twice", w.version));
        }
    }
    Ok(workflows)
}

/// The version a case opened on `day` starts under: the latest that applies.
pub fn workflow_on(workflows: &[Workflow], day: NaiveDate) -> Option<&Workflow> {
    workflows.iter().rev().find(|w| w.since <= day).or(workflows.first())
}

/// Why a step cannot be recorded now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepError {
    Unknown(String),
    AlreadyDone(String),
    /// The required steps before it that are not done yet.
    Skipped {
        step: String,
        missing: Vec<String>,
    },
}

impl StepError {
    pub fn to_field_errors(&self) -> FieldErrors {
        match self {
            StepError::Unknown(s) => FieldErrors::single("step", "unknown_step", format!("'{s}' is not a step")),
            StepError::AlreadyDone(s) => {
                FieldErrors::single("step", "step_done", format!("the step {s} is done already"))
            }
            StepError::Skipped { step, missing } => {
                FieldErrors::single("step", "step_skipped", format!("{step} needs {} first", missing.join(", ")))
            }
        }
    }
}

impl Workflow {
    pub fn step(&self, code: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.code == code)
    }

    /// Whether `to` may be recorded after the steps in `done`: it is a step, not done yet,
    /// no later step is done, and every required step before it is.
    pub fn check_next(&self, done: &[&str], to: &str) -> Result<(), StepError> {
        let at = self.steps.iter().position(|s| s.code == to).ok_or_else(|| StepError::Unknown(to.to_string()))?;
        if done.contains(&to) || self.steps[at + 1..].iter().any(|s| done.contains(&s.code.as_str())) {
            return Err(StepError::AlreadyDone(to.to_string()));
        }
        let missing: Vec<String> = self.steps[..at]
            .iter()
            .filter(|s| s.required && !done.contains(&s.code.as_str()))
            .map(|s| s.code.clone())
            .collect();
        if missing.is_empty() { Ok(()) } else { Err(StepError::Skipped { step: to.to_string(), missing }) }
    }
}

code_enum! {
    /// What a decision says of a grey situation.
    Decision {
        /// Made legal: the location gets its permit and meets the norm.
        Legalise = "legalise",
        /// Its residents move to legal beds elsewhere, bed for bed.
        Relocate = "relocate",
        CloseLocation = "close_location",
        NoViolation = "no_violation",
    }
}

/// What a penalty is forfeited for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PenaltyUnit {
    Week,
    Breach,
}

/// A penalty order: an amount per week or per breach, up to a maximum (in euro cents).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PenaltyOrder {
    pub amount_cents: i64,
    pub per: PenaltyUnit,
    pub maximum_cents: i64,
}

impl PenaltyOrder {
    /// A penalty order needs a positive amount and a maximum at least that amount (the Awb
    /// requires a maximum: art. 5:32b).
    pub fn new(amount_cents: i64, per: PenaltyUnit, maximum_cents: Option<i64>) -> Result<PenaltyOrder, FieldErrors> {
        let mut errors = FieldErrors::new();
        if amount_cents <= 0 {
            errors.add("penalty.amount", "penalty_amount", "a penalty amount is more than 0");
        }
        match maximum_cents {
            None => errors.add("penalty.maximum", "penalty_maximum_required", "a penalty order needs a maximum"),
            Some(m) if m < amount_cents => {
                errors.add("penalty.maximum", "penalty_maximum_below_amount", "the maximum is at least the amount")
            }
            Some(_) => {}
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(PenaltyOrder { amount_cents, per, maximum_cents: maximum_cents.unwrap_or(amount_cents) })
    }

    /// What is forfeited after `units` weeks or breaches: never more than the maximum.
    pub fn forfeited_cents(&self, units: i64) -> i64 {
        self.amount_cents.saturating_mul(units.max(0)).min(self.maximum_cents)
    }
}

/// The bed-for-bed ledger of a case: every bed or person found ends legalised, relocated or
/// departed; until then it is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ledger {
    pub found: u32,
    pub legalised: u32,
    pub relocated: u32,
    pub departed: u32,
}

impl Ledger {
    /// Found and not yet accounted for (found = legalised + relocated + departed + open).
    pub fn open(&self) -> u32 {
        self.found.saturating_sub(self.legalised + self.relocated + self.departed)
    }

    /// Whether the outcomes add up: never more accounted for than found.
    pub fn is_consistent(&self) -> bool {
        self.legalised + self.relocated + self.departed <= self.found
    }

    /// A case closes only when every bed is accounted for.
    pub fn can_close(&self) -> bool {
        self.is_consistent() && self.open() == 0
    }
}

code_enum! {
    /// Where a case came from.
    CaseSource {
        Signal = "signal",
        Complaint = "complaint",
        Manual = "manual",
    }
}

code_enum! {
    /// How a bed or person found in a grey situation is accounted for.
    Outcome {
        /// The location got its permit and meets the norm: the bed stays, legally.
        Legalised = "legalised",
        /// The person moved to a vacant certified bed elsewhere (a check-in of issue 4).
        Relocated = "relocated",
        /// Left on their own, or whereabouts unknown: counted apart, never hidden.
        Departed = "departed",
    }
}

/// The most beds or persons one case records: more is a typing error, not a house.
pub const MAX_FOUND: i64 = 500;
const MAX_NOTE_CHARS: usize = 2_000;

/// A new case as a municipality opens it: from a signal or a complaint (whose address it
/// takes), or by hand with an address.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseInput {
    pub source: String,
    #[serde(default)]
    pub signal_id: Option<i64>,
    #[serde(default)]
    pub complaint_id: Option<i64>,
    /// Required by hand; from a signal or complaint, taken from it.
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub house_number: i64,
    #[serde(default)]
    pub house_letter: String,
    #[serde(default)]
    pub house_addition: String,
    /// The stay type of the people found, for the vacancies proposed to them.
    pub stay_type: String,
    /// Beds or persons found so far (more can be recorded later).
    #[serde(default)]
    pub found: i64,
    #[serde(default)]
    pub summary: String,
    /// The account (user name) handling the case, e.g. an inspector.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Defaults to today.
    #[serde(default)]
    pub opened_on: Option<String>,
}

/// Where the case's address comes from, once checked.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseOrigin {
    Signal(i64),
    Complaint(i64),
    Manual(crate::address::AddressParts),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseDraft {
    pub origin: CaseOrigin,
    pub stay_type: crate::register::StayType,
    pub found: i64,
    pub summary: String,
    pub assignee: Option<String>,
    pub opened_on: Option<NaiveDate>,
}

fn note(e: &mut FieldErrors, field: &str, value: &str) -> String {
    let v: String = value.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().trim().to_string();
    if v.chars().count() > MAX_NOTE_CHARS {
        e.add(field, "note_too_long", format!("at most {MAX_NOTE_CHARS} characters"));
    }
    v
}

fn count(e: &mut FieldErrors, field: &str, n: i64, least: i64) -> i64 {
    if !(least..=MAX_FOUND).contains(&n) {
        e.add(field, "invalid_found", format!("{n} is not a number from {least} to {MAX_FOUND}"));
    }
    n
}

fn optional_date(e: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<Option<NaiveDate>> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(None),
        Some(d) => e.take(field, crate::register::parse_date(d)).map(Some),
    }
}

fn assignee(value: Option<&str>) -> Option<String> {
    value.map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
}

impl CaseInput {
    pub fn validate(&self) -> Result<CaseDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let source = CaseSource::parse(self.source.trim());
        let origin = match source {
            None => {
                e.add("source", "invalid_choice", format!("'{}' is not one of: {}", self.source, CaseSource::codes()));
                None
            }
            Some(CaseSource::Signal) => match self.signal_id {
                Some(id) => Some(CaseOrigin::Signal(id)),
                None => {
                    e.add("signal_id", "required", "a case from a signal names the signal");
                    None
                }
            },
            Some(CaseSource::Complaint) => match self.complaint_id {
                Some(id) => Some(CaseOrigin::Complaint(id)),
                None => {
                    e.add("complaint_id", "required", "a case from a complaint names the complaint");
                    None
                }
            },
            Some(CaseSource::Manual) => crate::address::AddressParts::parse(
                &mut e,
                &self.postcode,
                self.house_number,
                &self.house_letter,
                &self.house_addition,
            )
            .map(CaseOrigin::Manual),
        };
        let stay_type = crate::register::code(
            &mut e,
            "stay_type",
            &self.stay_type,
            crate::register::StayType::parse,
            crate::register::StayType::codes(),
        );
        let found = count(&mut e, "found", self.found, 0);
        let summary = note(&mut e, "summary", &self.summary);
        let opened_on = optional_date(&mut e, "opened_on", self.opened_on.as_deref());
        match (origin, stay_type, opened_on) {
            (Some(origin), Some(stay_type), Some(opened_on)) if e.is_empty() => Ok(CaseDraft {
                origin,
                stay_type,
                found,
                summary,
                assignee: assignee(self.assignee.as_deref()),
                opened_on,
            }),
            _ => Err(e),
        }
    }
}

/// A penalty order as sent: amounts in euro cents.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PenaltyInput {
    pub amount_cents: i64,
    /// `week` or `breach`.
    pub per: String,
    #[serde(default)]
    pub maximum_cents: Option<i64>,
}

impl PenaltyUnit {
    pub fn parse(s: &str) -> Option<PenaltyUnit> {
        match s {
            "week" => Some(PenaltyUnit::Week),
            "breach" => Some(PenaltyUnit::Breach),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PenaltyUnit::Week => "week",
            PenaltyUnit::Breach => "breach",
        }
    }
}

/// A step as recorded: the decision with the decision step, the inspection with the visit,
/// a penalty order with the decision or the follow-up.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    pub step: String,
    /// Defaults to today.
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub decision: Option<String>,
    #[serde(default)]
    pub inspection_id: Option<i64>,
    #[serde(default)]
    pub penalty: Option<PenaltyInput>,
    /// Who handles the case from here (user name); unchanged when absent.
    #[serde(default)]
    pub assignee: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepDraft {
    pub step: String,
    pub date: Option<NaiveDate>,
    pub note: String,
    pub decision: Option<Decision>,
    pub inspection_id: Option<i64>,
    pub penalty: Option<PenaltyOrder>,
    pub assignee: Option<String>,
}

impl StepInput {
    /// Checks the shape; which step may come now is the workflow's (`check_next`).
    pub fn validate(&self) -> Result<StepDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let step = self.step.trim().to_string();
        let date = optional_date(&mut e, "date", self.date.as_deref());
        let note = note(&mut e, "note", &self.note);
        let decision = match self.decision.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None if step == "decision" => {
                e.add("decision", "required", format!("choose one of: {}", Decision::codes()));
                None
            }
            None => None,
            Some(_) if step != "decision" => {
                e.add("decision", "decision_not_here", "a decision is recorded with the decision step");
                None
            }
            Some(d) => crate::register::code(&mut e, "decision", d, Decision::parse, Decision::codes()),
        };
        if self.inspection_id.is_some() && step != "visit" {
            e.add("inspection_id", "inspection_not_here", "an inspection is recorded with the visit step");
        }
        let penalty = match &self.penalty {
            None => None,
            Some(_) if !matches!(step.as_str(), "decision" | "follow_up") => {
                e.add("penalty", "penalty_not_here", "a penalty order comes with the decision or the follow-up");
                None
            }
            Some(p) => match PenaltyUnit::parse(p.per.trim()) {
                None => {
                    e.add("penalty.per", "invalid_choice", "'week' or 'breach'");
                    None
                }
                Some(per) => match PenaltyOrder::new(p.amount_cents, per, p.maximum_cents) {
                    Ok(order) => Some(order),
                    Err(errors) => {
                        e.0.extend(errors.0);
                        None
                    }
                },
            },
        };
        match date {
            Some(date) if e.is_empty() => Ok(StepDraft {
                step,
                date,
                note,
                decision,
                inspection_id: self.inspection_id,
                penalty,
                assignee: assignee(self.assignee.as_deref()),
            }),
            _ => Err(e),
        }
    }
}

/// Beds or persons accounted for at once: `count` open ones legalised or departed.
/// (A relocation is one person at a time: it is a check-in.)
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutcomeInput {
    pub outcome: String,
    pub count: i64,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeDraft {
    pub outcome: Outcome,
    pub count: i64,
    pub date: Option<NaiveDate>,
    pub note: String,
}

impl OutcomeInput {
    pub fn validate(&self) -> Result<OutcomeDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let outcome = match Outcome::parse(self.outcome.trim()) {
            Some(Outcome::Relocated) => {
                e.add("outcome", "relocate_by_check_in", "a relocation is recorded as a check-in on a proposed bed");
                None
            }
            Some(o) => Some(o),
            None => {
                e.add("outcome", "invalid_choice", "'legalised' or 'departed'");
                None
            }
        };
        let count = count(&mut e, "count", self.count, 1);
        let date = optional_date(&mut e, "date", self.date.as_deref());
        let note = note(&mut e, "note", &self.note);
        match (outcome, date) {
            (Some(outcome), Some(date)) if e.is_empty() => Ok(OutcomeDraft { outcome, count, date, note }),
            _ => Err(e),
        }
    }
}

/// Where a case stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Deadline {
    /// Due later than the coming week.
    Upcoming,
    /// Due within a week.
    Due,
    Overdue,
}

/// A week's notice before a deadline.
const DUE_SOON_DAYS: i64 = 7;

impl Workflow {
    /// The step to do next and its deadline: the step after the last one done, due its
    /// `days` after that step's day (after `opened_on` for the first). `None` when closed.
    pub fn next_due<'w>(&'w self, opened_on: NaiveDate, done: &[(&str, NaiveDate)]) -> Option<(&'w Step, NaiveDate)> {
        let last = done
            .iter()
            .filter_map(|(code, day)| Some((self.steps.iter().position(|s| s.code == *code)?, *day)))
            .max_by_key(|(at, _)| *at);
        let (next, from) = match last {
            None => (0, opened_on),
            Some((at, day)) => (at + 1, day),
        };
        let step = self.steps.get(next)?;
        Some((step, from + chrono::Days::new(u64::from(step.days))))
    }
}

impl Deadline {
    pub fn of(due: NaiveDate, today: NaiveDate) -> Deadline {
        if due < today {
            Deadline::Overdue
        } else if (due - today).num_days() <= DUE_SOON_DAYS {
            Deadline::Due
        } else {
            Deadline::Upcoming
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        crate::parse_day(s).unwrap()
    }

    #[test]
    fn the_shipped_workflow_reads_and_a_case_keeps_its_version() {
        let all = workflows().unwrap();
        let v1 = workflow_on(&all, day("2026-12-15")).unwrap();
        assert_eq!(v1.version, 1);
        assert_eq!(v1.step("desk_check").unwrap().name_nl, "Bureauonderzoek");
        let mut later = v1.clone();
        later.version = 2;
        later.since = day("2027-06-01");
        later.steps.retain(|s| s.code != "visit");
        let both = [v1.clone(), later];
        assert_eq!(workflow_on(&both, day("2027-01-01")).unwrap().version, 1);
        assert_eq!(workflow_on(&both, day("2027-06-01")).unwrap().version, 2);
    }

    #[test]
    fn a_required_step_cannot_be_skipped() {
        let all = workflows().unwrap();
        let w = &all[0];
        assert_eq!(w.check_next(&[], "intake"), Ok(()));
        let skipped = w.check_next(&["intake"], "decision").unwrap_err();
        assert_eq!(
            skipped,
            StepError::Skipped { step: "decision".into(), missing: vec!["desk_check".into(), "visit".into()] }
        );
        assert_eq!(skipped.to_field_errors().0[0].code, "step_skipped");
        // Follow-up is optional: a case may close straight after its decision.
        assert_eq!(w.check_next(&["intake", "desk_check", "visit", "decision"], "closed"), Ok(()));
        assert_eq!(w.check_next(&["intake", "desk_check"], "intake"), Err(StepError::AlreadyDone("intake".into())));
        assert_eq!(w.check_next(&["intake"], "appeal"), Err(StepError::Unknown("appeal".into())));
    }

    #[test]
    fn a_penalty_order_needs_a_maximum_and_never_exceeds_it() {
        let e = PenaltyOrder::new(50_000, PenaltyUnit::Week, None).unwrap_err();
        assert_eq!(e.0[0].code, "penalty_maximum_required");
        assert!(PenaltyOrder::new(0, PenaltyUnit::Breach, Some(10)).is_err());
        assert!(PenaltyOrder::new(50_000, PenaltyUnit::Week, Some(10_000)).is_err());
        let order = PenaltyOrder::new(50_000, PenaltyUnit::Week, Some(200_000)).unwrap();
        assert_eq!((order.forfeited_cents(3), order.forfeited_cents(10)), (150_000, 200_000));
        assert_eq!(Decision::parse("close_location").map(Decision::as_str), Some("close_location"));
    }

    #[test]
    fn the_ledger_adds_up_and_closes_only_when_every_bed_is_accounted_for() {
        let mut l = Ledger { found: 12, ..Ledger::default() };
        assert_eq!(l.open(), 12);
        l.legalised = 4;
        l.relocated = 5;
        l.departed = 2;
        assert_eq!(l.found, l.legalised + l.relocated + l.departed + l.open());
        assert!(!l.can_close());
        l.relocated += 1;
        assert!(l.can_close());
        l.departed += 1;
        assert!(!l.is_consistent() && !l.can_close(), "more accounted for than found");
    }

    #[test]
    fn the_next_step_and_its_deadline() {
        let all = workflows().unwrap();
        let w = &all[0];
        let opened = day("2026-12-01");
        let (step, due) = w.next_due(opened, &[]).unwrap();
        assert_eq!((step.code.as_str(), due), ("intake", day("2026-12-06")));
        let (step, due) =
            w.next_due(opened, &[("intake", day("2026-12-02")), ("desk_check", day("2026-12-10"))]).unwrap();
        assert_eq!((step.code.as_str(), due), ("visit", day("2027-01-07")));
        assert_eq!(Deadline::of(due, day("2027-01-08")), Deadline::Overdue);
        assert_eq!(Deadline::of(due, day("2027-01-01")), Deadline::Due);
        assert_eq!(Deadline::of(due, day("2026-12-20")), Deadline::Upcoming);
        assert!(w.next_due(opened, &[("closed", day("2027-03-01"))]).is_none());
    }

    #[test]
    fn case_and_step_inputs_name_every_problem() {
        let by_hand = CaseInput {
            source: "manual".into(),
            postcode: "2671 AB".into(),
            house_number: 4,
            stay_type: "short".into(),
            found: 12,
            ..CaseInput::default()
        };
        let draft = by_hand.validate().unwrap();
        assert!(matches!(draft.origin, CaseOrigin::Manual(_)));
        let bad = CaseInput { source: "signal".into(), stay_type: "week".into(), found: 9_999, ..CaseInput::default() };
        let fields: Vec<String> = bad.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["signal_id", "stay_type", "found"]);
        let no_max = StepInput {
            step: "decision".into(),
            decision: Some("relocate".into()),
            penalty: Some(PenaltyInput { amount_cents: 50_000, per: "week".into(), maximum_cents: None }),
            ..StepInput::default()
        };
        assert_eq!(no_max.validate().unwrap_err().0[0].code, "penalty_maximum_required");
        let no_decision = StepInput { step: "decision".into(), ..StepInput::default() };
        assert_eq!(no_decision.validate().unwrap_err().0[0].field, "decision");
        let relocate = OutcomeInput { outcome: "relocated".into(), count: 1, ..OutcomeInput::default() };
        assert_eq!(relocate.validate().unwrap_err().0[0].code, "relocate_by_check_in");
    }
}
