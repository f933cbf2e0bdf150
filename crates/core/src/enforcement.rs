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
}
