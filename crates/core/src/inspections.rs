//! Inspections and defects: what an inspector measures on site, the norm it is judged by
//! (frozen on the inspection date), the defects that follow from findings, the sanction ladder
//! of overdue defects, the yearly inspection plan and the administrative address check.
//!
//! Everything here is pure: the store freezes and persists, the web asks and renders.

use crate::FieldErrors;
use crate::access::{LocationScope, Role, Viewer};
use crate::address::{Postcode, parse_house_addition, parse_house_letter, parse_house_number};
use crate::capacity::{Bedroom, Certified, Facts, Judgement, applicable, applies, judge};
use crate::certificates::{CertificateStatus, WITHDRAW_AFTER_DAYS, sanction};
use crate::ids::MunicipalityCode;
use crate::norms::{Constraint, NormScheme, RuleSet};
use crate::register::{HousingForm, MAX_TEXT_LEN};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

code_enum! {
    InspectionStatus { Planned = "planned", Done = "done", Cancelled = "cancelled" }
}

code_enum! {
    /// A defect is open until a later inspection resolves it; "overdue" is an open defect
    /// past its deadline, derived from the date, never stored.
    DefectStatus { Open = "open", Resolved = "resolved" }
}

code_enum! {
    /// Where a location stands in the yearly plan.
    PlanStatus { Done = "done", Planned = "planned", Due = "due", Overdue = "overdue" }
}

/// Most rooms and findings one inspection records.
pub const MAX_ROOMS: usize = 200;
pub const MAX_FINDINGS: usize = 100;
/// Upper bounds of plausible measurements.
const MAX_AREA: f64 = 999_999.0;
const MAX_COUNT: i64 = 10_000;

// ---------------------------------------------------------------------------------------
// Planning

/// What a client sends to plan an inspection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanInput {
    pub location_id: i64,
    pub planned_on: String,
    /// `snf`, `akf` or `bouwbesluit` (the legal norm); default `snf`.
    #[serde(default)]
    pub scheme: Option<String>,
    /// The inspector's account id; an inspector planning for themselves may leave it out.
    #[serde(default)]
    pub inspector_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlanDraft {
    pub location_id: i64,
    pub planned_on: NaiveDate,
    pub scheme: NormScheme,
    pub inspector_id: Option<i64>,
}

fn parse_date(s: &str) -> Result<NaiveDate, (&'static str, String)> {
    crate::certificates::parse_date(s)
}

fn parse_scheme(errors: &mut FieldErrors, field: &str, s: Option<&str>) -> NormScheme {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => NormScheme::Snf,
        Some(s) => match NormScheme::parse(s) {
            Some(scheme) if scheme != NormScheme::Municipal => scheme,
            _ => {
                errors.add(
                    field,
                    "unknown_scheme",
                    format!("'{s}' is not an inspected scheme; use snf, akf or bouwbesluit"),
                );
                NormScheme::Snf
            }
        },
    }
}

impl PlanInput {
    pub fn validate(&self) -> Result<PlanDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let planned_on = errors.take("planned_on", parse_date(&self.planned_on));
        let scheme = parse_scheme(&mut errors, "scheme", self.scheme.as_deref());
        errors.into_result(|| PlanDraft {
            location_id: self.location_id,
            planned_on: planned_on.unwrap_or_default(),
            scheme,
            inspector_id: self.inspector_id,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Measurements and findings

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomMeasurementInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub area_m2: Option<f64>,
    #[serde(default)]
    pub persons: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasurementsInput {
    #[serde(default)]
    pub floor_area_m2: Option<f64>,
    #[serde(default)]
    pub toilets: Option<i64>,
    #[serde(default)]
    pub showers: Option<i64>,
    #[serde(default)]
    pub rooms: Vec<RoomMeasurementInput>,
    #[serde(default)]
    pub beds_counted: Option<i64>,
    #[serde(default)]
    pub persons_present: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FindingInput {
    pub text: String,
    /// The constraint the finding is about, when it is one (`toilets_per_person`…).
    #[serde(default)]
    pub constraint: Option<String>,
    /// A finding with a deadline becomes a defect to repair by then.
    #[serde(default)]
    pub deadline: Option<String>,
}

/// What a client sends to record an inspection as done.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompletionInput {
    pub done_on: String,
    pub measurements: MeasurementsInput,
    #[serde(default)]
    pub findings: Vec<FindingInput>,
    /// Open defects of this location that this inspection found repaired.
    #[serde(default)]
    pub resolves: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredRoom {
    pub name: String,
    pub area_m2: f64,
    pub persons: u32,
}

/// Validated measurements, as stored with the inspection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurements {
    pub floor_area_m2: f64,
    pub toilets: i64,
    pub showers: i64,
    pub rooms: Vec<MeasuredRoom>,
    pub beds_counted: u32,
    pub persons_present: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub text: String,
    pub constraint: Option<Constraint>,
    pub deadline: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub done_on: NaiveDate,
    pub measurements: Measurements,
    pub findings: Vec<Finding>,
    pub resolves: Vec<i64>,
}

fn area(errors: &mut FieldErrors, field: &str, v: Option<f64>, required: bool) -> f64 {
    match v {
        None if required => {
            errors.add(field, "required", "is required");
            0.0
        }
        None => 0.0,
        Some(a) if !a.is_finite() || a <= 0.0 => {
            errors.add(field, "invalid_area", format!("{a} m² must be greater than 0"));
            0.0
        }
        Some(a) if a > MAX_AREA => {
            errors.add(field, "implausible_area", format!("{a} m² is implausibly large"));
            0.0
        }
        Some(a) => a,
    }
}

fn count(errors: &mut FieldErrors, field: &str, v: Option<i64>, required: bool) -> i64 {
    match v {
        None if required => {
            errors.add(field, "required", "is required");
            0
        }
        None => 0,
        Some(n) if !(0..=MAX_COUNT).contains(&n) => {
            errors.add(field, "invalid_count", format!("{n} must be a count from 0 to {MAX_COUNT}"));
            0
        }
        Some(n) => n,
    }
}

impl MeasurementsInput {
    pub fn validate_into(&self, errors: &mut FieldErrors) -> Measurements {
        let floor_area_m2 = area(errors, "measurements.floor_area_m2", self.floor_area_m2, true);
        let toilets = count(errors, "measurements.toilets", self.toilets, true);
        let showers = count(errors, "measurements.showers", self.showers, true);
        if self.rooms.len() > MAX_ROOMS {
            errors.add("measurements.rooms", "too_many", format!("at most {MAX_ROOMS} rooms"));
        }
        let mut rooms = Vec::new();
        for (i, r) in self.rooms.iter().take(MAX_ROOMS).enumerate() {
            let prefix = format!("measurements.rooms[{i}]");
            let name = r.name.trim();
            if name.is_empty() {
                errors.add(format!("{prefix}.name"), "required", "is required");
            } else if name.chars().count() > MAX_TEXT_LEN {
                errors.add(format!("{prefix}.name"), "too_long", format!("at most {MAX_TEXT_LEN} characters"));
            }
            let area_m2 = area(errors, &format!("{prefix}.area_m2"), r.area_m2, true);
            let persons = count(errors, &format!("{prefix}.persons"), r.persons, true) as u32;
            rooms.push(MeasuredRoom { name: name.to_string(), area_m2, persons });
        }
        let room_area: f64 = rooms.iter().map(|r| r.area_m2).sum();
        if floor_area_m2 > 0.0 && room_area > floor_area_m2 + 1e-9 {
            errors.add(
                "measurements.rooms",
                "rooms_exceed_floor_area",
                format!("the rooms together ({room_area} m²) are larger than the floor area ({floor_area_m2} m²)"),
            );
        }
        let beds_counted = count(errors, "measurements.beds_counted", self.beds_counted, false) as u32;
        let persons_present = count(errors, "measurements.persons_present", self.persons_present, true) as u32;
        Measurements { floor_area_m2, toilets, showers, rooms, beds_counted, persons_present }
    }
}

impl CompletionInput {
    /// `planned_on` is the date the inspection was planned for; it may be done earlier or later.
    pub fn validate(&self) -> Result<Completion, FieldErrors> {
        let mut errors = FieldErrors::new();
        let done_on = errors.take("done_on", parse_date(&self.done_on));
        let measurements = self.measurements.validate_into(&mut errors);
        if self.findings.len() > MAX_FINDINGS {
            errors.add("findings", "too_many", format!("at most {MAX_FINDINGS} findings"));
        }
        let mut findings = Vec::new();
        for (i, f) in self.findings.iter().take(MAX_FINDINGS).enumerate() {
            let prefix = format!("findings[{i}]");
            let text = f.text.trim();
            if text.is_empty() {
                errors.add(format!("{prefix}.text"), "required", "say what was found");
            } else if text.chars().count() > 1000 {
                errors.add(format!("{prefix}.text"), "too_long", "at most 1000 characters");
            }
            let constraint = match f.constraint.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(c) => {
                    let parsed = Constraint::parse(c);
                    if parsed.is_none() {
                        errors.add(
                            format!("{prefix}.constraint"),
                            "unknown_constraint",
                            format!("'{c}' is not a known constraint; use one of {}", Constraint::codes()),
                        );
                    }
                    parsed
                }
            };
            let deadline = match f.deadline.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                None => None,
                Some(d) => errors.take(&format!("{prefix}.deadline"), parse_date(d)),
            };
            if let (Some(deadline), Some(done)) = (deadline, done_on)
                && deadline <= done
            {
                errors.add(
                    format!("{prefix}.deadline"),
                    "deadline_not_after_inspection",
                    format!("the deadline {deadline} must be after the inspection date {done}"),
                );
            }
            findings.push(Finding { text: text.to_string(), constraint, deadline });
        }
        let mut resolves = Vec::new();
        for (i, id) in self.resolves.iter().enumerate() {
            if resolves.contains(id) {
                errors.add(format!("resolves[{i}]"), "duplicate", format!("defect {id} is listed twice"));
            }
            resolves.push(*id);
        }
        errors.into_result(|| Completion { done_on: done_on.unwrap_or_default(), measurements, findings, resolves })
    }
}

/// The facts of the location the inspector does not measure, taken from the register on the
/// inspection date and stored with the inspection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LocationTraits {
    pub housing_form: HousingForm,
    pub zoned_residential: bool,
    pub new_build: bool,
    pub in_use_since: Option<NaiveDate>,
    pub conversion_permit: bool,
    pub bedroom_sharing_agreed: bool,
}

impl Measurements {
    /// The bedrooms the norms judge, in the order measured, and the index of each in `rooms`.
    /// Every measured room is a bedroom, also one nobody sleeps in on the day: what a room
    /// may hold does not depend on who happens to be present.
    pub fn bedrooms(&self) -> (Vec<Bedroom>, Vec<usize>) {
        self.rooms.iter().enumerate().map(|(i, r)| (Bedroom { area_m2: r.area_m2, persons: r.persons }, i)).unzip()
    }

    /// The measured values as the norms' facts; persons are the persons present.
    pub fn facts<'a>(&self, traits: &LocationTraits, bedrooms: &'a [Bedroom]) -> Facts<'a> {
        Facts {
            housing_form: traits.housing_form,
            zoned_residential: traits.zoned_residential,
            new_build: traits.new_build,
            in_use_since: traits.in_use_since,
            conversion_permit: traits.conversion_permit,
            bedroom_sharing_agreed: traits.bedroom_sharing_agreed,
            floor_area_m2: self.floor_area_m2,
            toilets: self.toilets,
            showers: self.showers,
            persons: self.persons_present,
            bedrooms,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The frozen norm and the verdict

/// The norms an inspection of `scheme` judges by: the legal norm and the municipal rules
/// always, plus SNF or AKF when that scheme is inspected.
pub fn certified_for(scheme: NormScheme) -> Certified {
    Certified { snf: scheme == NormScheme::Snf, akf: scheme == NormScheme::Akf }
}

/// The rule sets that apply, each cut down to the one version in force on `date`: what an
/// inspection stores, so a later version never changes its verdict.
pub fn freeze(sets: &[RuleSet], municipality: &MunicipalityCode, scheme: NormScheme, date: NaiveDate) -> Vec<RuleSet> {
    applicable(sets, municipality, certified_for(scheme))
        .filter_map(|set| {
            let version = set.version_on(date)?.clone();
            Some(RuleSet { versions: vec![version], ..set.clone() })
        })
        .collect()
}

/// Judges measurements against frozen norms on the inspection date.
pub fn judge_measurements<'r>(
    frozen: &'r [RuleSet],
    municipality: &MunicipalityCode,
    scheme: NormScheme,
    facts: &Facts<'_>,
    date: NaiveDate,
) -> Judgement<'r> {
    judge(frozen, municipality, certified_for(scheme), facts, date)
}

/// The form field a violation is about: where the inspector sees it.
pub fn field_of(constraint: Constraint, room: Option<usize>) -> String {
    match (constraint, room) {
        (Constraint::BedroomAreaPerPerson, Some(i)) => format!("measurements.rooms[{i}].area_m2"),
        (Constraint::PersonsPerBedroom, Some(i)) => format!("measurements.rooms[{i}].persons"),
        (Constraint::FloorAreaPerPerson, _) => "measurements.floor_area_m2".into(),
        (Constraint::PersonsPerToilet, _) => "measurements.toilets".into(),
        (Constraint::PersonsPerShower, _) => "measurements.showers".into(),
        _ => "measurements.persons_present".into(),
    }
}

/// One rule judged for one form field.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldCheck {
    pub field: String,
    pub rule_set: String,
    pub constraint: Constraint,
    pub holds: bool,
    pub measured: f64,
    pub required: f64,
    /// `at_least` or `at_most`.
    pub comparison: &'static str,
    pub source: String,
}

/// Per form field, every rule that does not hold, and for the fields whose rules all hold a
/// single "holds" check per constraint: what the phone form shows next to each input. Only
/// rules in force that apply to the location (`facts`, as judged) are listed.
/// `room_index[i]` maps bedroom `i` of the judgement back to the measured room.
pub fn field_checks(
    judgement: &Judgement<'_>,
    facts: &Facts<'_>,
    room_index: &[usize],
    room_count: usize,
) -> Vec<FieldCheck> {
    let mut checks = Vec::new();
    for a in &judgement.assessments {
        for v in &a.violations {
            let room = v.bedroom.and_then(|b| room_index.get(b).copied());
            checks.push(FieldCheck {
                field: field_of(v.constraint, room),
                rule_set: a.rule_set.code.clone(),
                constraint: v.constraint,
                holds: false,
                measured: (v.measured * 100.0).round() / 100.0,
                required: v.required,
                comparison: match v.comparison {
                    crate::capacity::Comparison::AtLeast => "at_least",
                    crate::capacity::Comparison::AtMost => "at_most",
                },
                source: v.source.to_string(),
            });
        }
    }
    // The rules in force and applying here that judged a field and found nothing wrong.
    let mut held = Vec::new();
    for a in &judgement.assessments {
        for rule in a
            .version
            .rules
            .iter()
            .filter(|r| r.constraint != Constraint::Checklist && r.in_force_on(judgement.date) && applies(r, facts))
        {
            let fields: Vec<String> = if rule.constraint.per_bedroom() {
                (0..room_count).map(|i| field_of(rule.constraint, Some(i))).collect()
            } else {
                vec![field_of(rule.constraint, None)]
            };
            for field in fields {
                let violated = checks.iter().any(|c| c.field == field && c.constraint == rule.constraint);
                let already = held.iter().any(|c: &FieldCheck| c.field == field && c.constraint == rule.constraint);
                if !violated && !already {
                    held.push(FieldCheck {
                        field,
                        rule_set: a.rule_set.code.clone(),
                        constraint: rule.constraint,
                        holds: true,
                        measured: 0.0,
                        required: 0.0,
                        comparison: "",
                        source: rule.source.clone(),
                    });
                }
            }
        }
    }
    checks.extend(held);
    checks
}

// ---------------------------------------------------------------------------------------
// Defects and sanctions

/// Where a defect stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum DefectState {
    Open,
    /// Open past its deadline, by this many days.
    Overdue {
        days: i64,
    },
    Resolved,
}

pub fn defect_state(status: DefectStatus, deadline: NaiveDate, today: NaiveDate) -> DefectState {
    match status {
        DefectStatus::Resolved => DefectState::Resolved,
        DefectStatus::Open if today > deadline => DefectState::Overdue { days: (today - deadline).num_days() },
        DefectStatus::Open => DefectState::Open,
    }
}

/// The sanction an open defect brings about on `today` for a certificate in `current`
/// status whose last status change was on `last_change`: the new status and the day it takes
/// effect (the day after the deadline for a suspension, `WITHDRAW_AFTER_DAYS` later for a
/// withdrawal; never before the last change, never after today).
pub fn sanction_step(
    current: CertificateStatus,
    last_change: Option<NaiveDate>,
    deadline: NaiveDate,
    today: NaiveDate,
) -> Option<(CertificateStatus, NaiveDate)> {
    let next = sanction(current, deadline, today)?;
    let effective = match next {
        CertificateStatus::Withdrawn => deadline + chrono::Days::new(WITHDRAW_AFTER_DAYS as u64 + 1),
        _ => deadline + chrono::Days::new(1),
    };
    let effective = last_change.map_or(effective, |last| effective.max(last)).min(today);
    Some((next, effective))
}

/// May a re-inspection done on `done_on` resolve a defect found on `found_on`? Only a later
/// inspection (or one the same day, but a different one) of the same location.
pub fn may_resolve(found_on: NaiveDate, done_on: NaiveDate) -> bool {
    done_on >= found_on
}

// ---------------------------------------------------------------------------------------
// The yearly plan

/// A location's inspections as the plan sees them: (status, planned on, done on).
pub type PlanEntry = (InspectionStatus, NaiveDate, Option<NaiveDate>);

/// Done when an inspection was done in `year`; planned when one is planned in `year` on or
/// after today; overdue when a planned date passed without it being done, or the year is over;
/// due otherwise.
pub fn plan_status(entries: &[PlanEntry], year: i32, today: NaiveDate) -> PlanStatus {
    if entries.iter().any(|(s, _, done)| *s == InspectionStatus::Done && done.is_some_and(|d| d.year() == year)) {
        return PlanStatus::Done;
    }
    let planned: Vec<NaiveDate> =
        entries.iter().filter(|(s, on, _)| *s == InspectionStatus::Planned && on.year() == year).map(|e| e.1).collect();
    if planned.iter().any(|on| *on >= today) {
        PlanStatus::Planned
    } else if !planned.is_empty() || today.year() > year {
        PlanStatus::Overdue
    } else {
        PlanStatus::Due
    }
}

// ---------------------------------------------------------------------------------------
// Access

/// Whose inspections a viewer may read: administrators all; inspectors their region;
/// municipalities their territory; providers their own locations; nobody else.
pub fn read_scope(viewer: &Viewer) -> LocationScope {
    match viewer.role() {
        Some(Role::Administrator | Role::Inspector | Role::Municipality | Role::HousingProvider) => {
            viewer.location_read_scope()
        }
        _ => LocationScope::Nothing,
    }
}

/// Where a viewer may plan, record and resolve: administrators everywhere, inspectors in
/// their region.
pub fn write_scope(viewer: &Viewer) -> LocationScope {
    match viewer.role() {
        Some(Role::Administrator | Role::Inspector) => viewer.location_read_scope(),
        _ => LocationScope::Nothing,
    }
}

/// The organisation whose addresses a viewer may check: a provider its own, an administrator
/// any it names.
pub fn admin_check_organisation(viewer: &Viewer, requested: Option<i64>) -> Option<i64> {
    let p = viewer.principal()?;
    match p.role {
        Role::HousingProvider => p.organisation_id.filter(|own| requested.is_none_or(|r| r == *own)),
        Role::Administrator => requested,
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------
// The administrative check: a provider's own list of addresses

/// An address as the list gives it, compared by `Address::key()` rules.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct ListedAddress {
    pub line: usize,
    pub postcode: Postcode,
    pub house_number: i64,
    pub house_letter: Option<String>,
    pub house_addition: Option<String>,
}

impl ListedAddress {
    pub fn key(&self) -> String {
        address_key(&self.postcode, self.house_number, self.house_letter.as_deref(), self.house_addition.as_deref())
    }

    /// `2511 AB 12a-3`
    pub fn display(&self) -> String {
        let mut s = format!("{} {}", self.postcode.display(), self.house_number);
        if let Some(l) = &self.house_letter {
            s.push_str(l);
        }
        if let Some(a) = &self.house_addition {
            s.push('-');
            s.push_str(a);
        }
        s
    }
}

/// The same key as `Address::key()`.
pub fn address_key(postcode: &Postcode, number: i64, letter: Option<&str>, addition: Option<&str>) -> String {
    format!(
        "{}|{}|{}|{}",
        postcode.as_str(),
        number,
        letter.unwrap_or("").to_ascii_uppercase(),
        addition.unwrap_or("").to_ascii_uppercase()
    )
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineError {
    pub line: usize,
    pub field: String,
    pub code: &'static str,
    pub message: String,
}

/// Most addresses one list may hold.
pub const MAX_LIST_LINES: usize = 100_000;

/// Reads a CSV of addresses: a header naming `postcode` and `house_number` (and optionally
/// `house_letter`, `house_addition`), separated by commas or semicolons. Every bad line is
/// reported with its line number (the header is line 1).
pub fn parse_address_list(text: &str) -> Result<Vec<ListedAddress>, Vec<LineError>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.contains(';') && !first.contains(',') { b';' } else { b',' };
    let mut reader =
        csv::ReaderBuilder::new().delimiter(delimiter).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let err = |line: usize, field: &str, code: &'static str, message: String| LineError {
        line,
        field: field.into(),
        code,
        message,
    };
    let headers = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.to_ascii_lowercase()).collect::<Vec<_>>(),
        Err(e) => return Err(vec![err(1, "header", "unreadable", e.to_string())]),
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(pc), Some(nr)) = (column("postcode"), column("house_number")) else {
        return Err(vec![err(
            1,
            "header",
            "missing_column",
            "the first line must name the columns postcode and house_number (and optionally house_letter, house_addition)".into(),
        )]);
    };
    let (letter, addition) = (column("house_letter"), column("house_addition"));
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                errors.push(err(line, "line", "unreadable", e.to_string()));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        if out.len() + errors.len() >= MAX_LIST_LINES {
            errors.push(err(line, "line", "too_many", format!("at most {MAX_LIST_LINES} addresses")));
            break;
        }
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("");
        let before = errors.len();
        let postcode = Postcode::parse(get(Some(pc))).map_err(|(c, m)| errors.push(err(line, "postcode", c, m))).ok();
        let number = match get(Some(nr)).parse::<i64>() {
            Ok(n) => parse_house_number(n).map_err(|(c, m)| errors.push(err(line, "house_number", c, m))).ok(),
            Err(_) => {
                errors.push(err(
                    line,
                    "house_number",
                    "not_a_number",
                    format!("'{}' is not a house number", get(Some(nr))),
                ));
                None
            }
        };
        let house_letter =
            parse_house_letter(get(letter)).map_err(|(c, m)| errors.push(err(line, "house_letter", c, m))).ok();
        let house_addition =
            parse_house_addition(get(addition)).map_err(|(c, m)| errors.push(err(line, "house_addition", c, m))).ok();
        if errors.len() == before
            && let (Some(postcode), Some(house_number), Some(house_letter), Some(house_addition)) =
                (postcode, number, house_letter, house_addition)
        {
            out.push(ListedAddress { line, postcode, house_number, house_letter, house_addition });
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// The listed addresses that are not registered, and the registered keys not on the list.
pub fn compare_addresses<'a>(
    listed: &'a [ListedAddress],
    registered: &'a [String],
) -> (Vec<&'a ListedAddress>, Vec<&'a String>) {
    let listed_keys: std::collections::HashSet<String> = listed.iter().map(|a| a.key()).collect();
    let registered_keys: std::collections::HashSet<&String> = registered.iter().collect();
    let mut seen = std::collections::HashSet::new();
    let unregistered =
        listed.iter().filter(|a| !registered_keys.contains(&a.key()) && seen.insert(a.key())).collect::<Vec<_>>();
    let missing = registered.iter().filter(|k| !listed_keys.contains(*k)).collect();
    (unregistered, missing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::norms::builtin_rule_sets;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn gm(code: &str) -> MunicipalityCode {
        MunicipalityCode::parse(code).unwrap()
    }

    const DWELLING: LocationTraits = LocationTraits {
        housing_form: HousingForm::A,
        zoned_residential: true,
        new_build: false,
        in_use_since: None,
        conversion_permit: true,
        bedroom_sharing_agreed: false,
    };

    fn measured(floor: f64, toilets: i64, persons: i64, rooms: &[(f64, i64)]) -> MeasurementsInput {
        MeasurementsInput {
            floor_area_m2: Some(floor),
            toilets: Some(toilets),
            showers: Some(2),
            rooms: rooms
                .iter()
                .enumerate()
                .map(|(i, (a, p))| RoomMeasurementInput {
                    name: format!("Kamer {}", i + 1),
                    area_m2: Some(*a),
                    persons: Some(*p),
                })
                .collect(),
            beds_counted: Some(persons),
            persons_present: Some(persons),
        }
    }

    /// (what, measurements, scheme, date, permitted, fields that fail)
    type Case = (&'static str, MeasurementsInput, NormScheme, &'static str, Option<u32>, Vec<&'static str>);

    #[test]
    fn measured_values_judged_per_field() {
        let sets = builtin_rule_sets().unwrap();
        let utrecht = gm("GM0344");
        let cases: Vec<Case> = vec![
            (
                "120 m², 10 persons under SNF: holds",
                measured(120.0, 2, 10, &[]),
                NormScheme::Snf,
                "2024-05-01",
                Some(10),
                vec![],
            ),
            (
                "120 m², 11 persons: floor area fails",
                measured(120.0, 2, 11, &[]),
                NormScheme::Snf,
                "2024-05-01",
                Some(10),
                vec!["measurements.floor_area_m2"],
            ),
            (
                "9 persons share one toilet",
                measured(200.0, 1, 9, &[]),
                NormScheme::Snf,
                "2024-05-01",
                Some(8),
                vec!["measurements.toilets"],
            ),
            (
                "the legal norm has no toilet rule",
                measured(200.0, 1, 9, &[]),
                NormScheme::Bouwbesluit,
                "2024-05-01",
                Some(16),
                vec![],
            ),
            (
                "a 7 m² room holds 2, not 3",
                measured(100.0, 2, 5, &[(7.0, 3), (10.0, 2)]),
                NormScheme::Snf,
                "2024-05-01",
                Some(4),
                vec!["measurements.rooms[0].area_m2"],
            ),
            (
                "a room empty on the day is still a bedroom: 5 m² holds 1, 7 m² holds 2",
                measured(100.0, 2, 2, &[(5.0, 0), (7.0, 2)]),
                NormScheme::Snf,
                "2024-05-01",
                Some(3),
                vec![],
            ),
            (
                "emptying a room does not lower the limit: 14 m² holds 4 with or without persons",
                measured(100.0, 2, 2, &[(14.0, 0), (7.0, 2)]),
                NormScheme::Snf,
                "2024-05-01",
                Some(6),
                vec![],
            ),
            (
                "AKF 130 m² on 2025-12-31: 10",
                measured(130.0, 2, 10, &[]),
                NormScheme::Akf,
                "2025-12-31",
                Some(10),
                vec![],
            ),
            (
                "AKF 130 m² on 2026-01-01: 8",
                measured(130.0, 2, 10, &[]),
                NormScheme::Akf,
                "2026-01-01",
                Some(8),
                vec!["measurements.floor_area_m2"],
            ),
        ];
        for (what, input, scheme, on, permitted, failing) in cases {
            let mut errors = FieldErrors::new();
            let m = input.validate_into(&mut errors);
            assert!(errors.is_empty(), "{what}: {errors}");
            let frozen = freeze(&sets, &utrecht, scheme, date(on));
            assert!(frozen.iter().all(|s| s.versions.len() == 1), "{what}");
            let (bedrooms, index) = m.bedrooms();
            let facts = m.facts(&DWELLING, &bedrooms);
            let judgement = judge_measurements(&frozen, &utrecht, scheme, &facts, date(on));
            assert_eq!(judgement.permitted(), permitted, "{what}");
            let checks = field_checks(&judgement, &facts, &index, m.rooms.len());
            let mut failed: Vec<&str> = checks.iter().filter(|c| !c.holds).map(|c| c.field.as_str()).collect();
            failed.dedup();
            assert_eq!(failed, failing, "{what}: {checks:?}");
            for f in &failing {
                assert!(!checks.iter().any(|c| c.holds
                    && c.field == *f
                    && checks.iter().any(|d| !d.holds && d.constraint == c.constraint && d.field == c.field)));
            }
        }
    }

    #[test]
    fn every_measured_room_is_a_bedroom() {
        let mut errors = FieldErrors::new();
        let m = measured(100.0, 2, 2, &[(7.0, 2), (14.0, 0), (5.0, 0)]).validate_into(&mut errors);
        assert!(errors.is_empty(), "{errors}");
        let (bedrooms, index) = m.bedrooms();
        assert_eq!(
            bedrooms,
            [
                Bedroom { area_m2: 7.0, persons: 2 },
                Bedroom { area_m2: 14.0, persons: 0 },
                Bedroom { area_m2: 5.0, persons: 0 }
            ]
        );
        assert_eq!(index, [0, 1, 2]);
        // The permitted number is the same whoever is present: 2 + 4 + 1.
        let sets = builtin_rule_sets().unwrap();
        let utrecht = gm("GM0344");
        let frozen = freeze(&sets, &utrecht, NormScheme::Snf, date("2024-05-01"));
        let permitted = |rooms: &[(f64, i64)]| {
            let m = measured(100.0, 2, 2, rooms).validate_into(&mut FieldErrors::new());
            let (bedrooms, _) = m.bedrooms();
            judge_measurements(&frozen, &utrecht, NormScheme::Snf, &m.facts(&DWELLING, &bedrooms), date("2024-05-01"))
                .permitted()
        };
        assert_eq!(permitted(&[(7.0, 2), (14.0, 0), (5.0, 0)]), Some(7));
        assert_eq!(permitted(&[(7.0, 0), (14.0, 2), (5.0, 0)]), Some(7));
        assert_eq!(permitted(&[(7.0, 1), (14.0, 1), (5.0, 0)]), Some(7));
    }

    #[test]
    fn the_form_lists_only_rules_that_apply_to_the_location() {
        let sets = builtin_rule_sets().unwrap();
        let utrecht = gm("GM0344");
        let on = date("2026-01-01");
        let frozen = freeze(&sets, &utrecht, NormScheme::Snf, on);
        let mut errors = FieldErrors::new();
        let m = measured(200.0, 2, 2, &[(10.0, 1), (10.0, 1)]).validate_into(&mut errors);
        assert!(errors.is_empty(), "{errors}");
        let (bedrooms, index) = m.bedrooms();
        let checks_for = |traits: &LocationTraits| {
            let facts = m.facts(traits, &bedrooms);
            let judgement = judge_measurements(&frozen, &utrecht, NormScheme::Snf, &facts, on);
            field_checks(&judgement, &facts, &index, m.rooms.len())
        };
        let new_rule = |c: &FieldCheck| c.constraint == Constraint::PersonsPerBedroom || c.source.contains("15 m²");
        // An existing location (not new-build, no start date): the SNF rules for new locations
        // from 2025-07-01 (15 m² per person, 1 person per bedroom) are not shown as holding.
        let existing = checks_for(&DWELLING);
        assert!(!existing.is_empty());
        assert!(existing.iter().all(|c| c.holds), "{existing:?}");
        assert!(!existing.iter().any(new_rule), "{existing:?}");
        assert!(existing.iter().any(|c| c.field == "measurements.rooms[1].area_m2" && c.holds));
        // A new-build location in use since 2025-08-01: they apply and are listed per bedroom.
        let new_build = LocationTraits { new_build: true, in_use_since: Some(date("2025-08-01")), ..DWELLING };
        let checks = checks_for(&new_build);
        for field in ["measurements.rooms[0].persons", "measurements.rooms[1].persons"] {
            assert!(
                checks.iter().any(|c| c.field == field && c.constraint == Constraint::PersonsPerBedroom && c.holds),
                "{field}: {checks:?}"
            );
        }
        // A rule that does not apply is not shown even when the measured value would break it:
        // 2 persons in a 10 m² room break "1 per bedroom" only for a new location.
        let m = measured(200.0, 2, 2, &[(10.0, 2)]).validate_into(&mut FieldErrors::new());
        let (bedrooms, index) = m.bedrooms();
        let facts = m.facts(&DWELLING, &bedrooms);
        let judgement = judge_measurements(&frozen, &utrecht, NormScheme::Snf, &facts, on);
        let checks = field_checks(&judgement, &facts, &index, m.rooms.len());
        assert!(checks.iter().all(|c| c.holds) && !checks.iter().any(new_rule), "{checks:?}");
    }

    #[test]
    fn frozen_norm_keeps_its_version() {
        let sets = builtin_rule_sets().unwrap();
        // AKF frozen on 2025-12-31 stays at 13 m² even when judged again later.
        let frozen = freeze(&sets, &gm("GM0344"), NormScheme::Akf, date("2025-12-31"));
        let codes: Vec<&str> = frozen.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["bouwbesluit-2012", "akf"]);
        let akf = &frozen[1].versions[0];
        assert!(akf.valid_from <= date("2025-12-31"));
        assert!(frozen[1].version_on(date("2025-12-31")).is_some());
        // A legal-norm inspection freezes no certificate scheme.
        let legal = freeze(&sets, &gm("GM0297"), NormScheme::Bouwbesluit, date("2024-05-01"));
        let codes: Vec<&str> = legal.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["bouwbesluit-2012", "bommelerwaard"]);
    }

    #[test]
    fn bad_measurements_name_the_field() {
        let input = CompletionInput {
            done_on: "2026-02-30".into(),
            measurements: MeasurementsInput {
                floor_area_m2: Some(-5.0),
                toilets: None,
                showers: Some(-1),
                rooms: vec![RoomMeasurementInput { name: " ".into(), area_m2: Some(f64::NAN), persons: Some(2) }],
                beds_counted: None,
                persons_present: Some(3),
            },
            findings: vec![FindingInput {
                text: "".into(),
                constraint: Some("kast".into()),
                deadline: Some("gisteren".into()),
            }],
            resolves: vec![4, 4],
        };
        let fields: Vec<String> = input.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                "done_on",
                "measurements.floor_area_m2",
                "measurements.toilets",
                "measurements.showers",
                "measurements.rooms[0].name",
                "measurements.rooms[0].area_m2",
                "findings[0].text",
                "findings[0].constraint",
                "findings[0].deadline",
                "resolves[1]",
            ]
        );
        // A deadline on or before the inspection date is refused; the day after is fine.
        let mut ok = CompletionInput {
            done_on: "2026-03-10".into(),
            measurements: measured(100.0, 1, 4, &[(12.0, 2)]),
            ..Default::default()
        };
        ok.findings =
            vec![FindingInput { text: "Lekkage".into(), constraint: None, deadline: Some("2026-03-10".into()) }];
        assert_eq!(ok.validate().unwrap_err().0[0].code, "deadline_not_after_inspection");
        ok.findings[0].deadline = Some("2026-03-11".into());
        assert_eq!(ok.validate().unwrap().findings[0].deadline, Some(date("2026-03-11")));
        ok.measurements.rooms =
            vec![RoomMeasurementInput { name: "Zaal".into(), area_m2: Some(101.0), persons: Some(1) }];
        assert_eq!(ok.validate().unwrap_err().0[0].code, "rooms_exceed_floor_area");
    }

    #[test]
    fn defect_lifecycle_and_sanction_dates() {
        use CertificateStatus::*;
        let deadline = date("2026-03-01");
        let cases = [
            (DefectStatus::Open, "2026-03-01", DefectState::Open),
            (DefectStatus::Open, "2026-03-02", DefectState::Overdue { days: 1 }),
            (DefectStatus::Resolved, "2026-09-01", DefectState::Resolved),
        ];
        for (status, today, expect) in cases {
            assert_eq!(defect_state(status, deadline, date(today)), expect, "{today}");
        }
        // (current, last change, today, expected step)
        let steps = [
            (Active, None, "2026-03-01", None),
            (Active, None, "2026-03-02", Some((Suspended, "2026-03-02"))),
            (Active, None, "2026-03-20", Some((Suspended, "2026-03-02"))),
            (Active, Some("2026-03-10"), "2026-03-20", Some((Suspended, "2026-03-10"))),
            (Suspended, Some("2026-03-02"), "2026-04-30", None),
            (Suspended, Some("2026-03-02"), "2026-05-01", Some((Withdrawn, "2026-05-01"))),
            (Active, None, "2026-06-01", Some((Withdrawn, "2026-05-01"))),
            (Withdrawn, Some("2026-05-01"), "2027-01-01", None),
        ];
        for (current, last, today, expect) in steps {
            let got = sanction_step(current, last.map(date), deadline, date(today));
            assert_eq!(got, expect.map(|(s, d)| (s, date(d))), "{current} {last:?} {today}");
        }
        assert!(
            may_resolve(date("2026-03-01"), date("2026-03-01")) && !may_resolve(date("2026-03-02"), date("2026-03-01"))
        );
    }

    #[test]
    fn plan_status_by_year_and_date() {
        use InspectionStatus::*;
        let e = |s, on: &str, done: Option<&str>| (s, date(on), done.map(date));
        let today = date("2026-06-15");
        let cases: Vec<(&str, Vec<PlanEntry>, i32, PlanStatus)> = vec![
            ("nothing yet this year", vec![], 2026, PlanStatus::Due),
            ("nothing in a past year", vec![], 2025, PlanStatus::Overdue),
            ("planned later", vec![e(Planned, "2026-06-15", None)], 2026, PlanStatus::Planned),
            ("planned date passed", vec![e(Planned, "2026-06-14", None)], 2026, PlanStatus::Overdue),
            (
                "done this year",
                vec![e(Planned, "2026-06-14", None), e(Done, "2026-03-01", Some("2026-03-02"))],
                2026,
                PlanStatus::Done,
            ),
            ("done last year only", vec![e(Done, "2025-03-01", Some("2025-03-01"))], 2026, PlanStatus::Due),
            ("cancelled counts for nothing", vec![e(Cancelled, "2026-01-10", None)], 2026, PlanStatus::Due),
        ];
        for (what, entries, year, expect) in cases {
            assert_eq!(plan_status(&entries, year, today), expect, "{what}");
        }
    }

    #[test]
    fn address_list_reports_bad_lines_by_number() {
        let text = "postcode;house_number;house_letter;house_addition\n2511 AB;12;a;\n2511AB;x;;\n0511AB;3;;\n\n1011ZZ;7;;bis\n";
        let errors = parse_address_list(text).unwrap_err();
        let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(got, [(3, "house_number"), (4, "postcode")]);
        let good = parse_address_list("postcode,house_number\n2511 AB,12\n1011zz,7\n2511AB,12\n").unwrap();
        assert_eq!(good.len(), 3);
        assert_eq!(good[1].line, 3);
        let registered = vec!["2511AB|12||".to_string(), "9999ZZ|1||".to_string()];
        let (unregistered, missing) = compare_addresses(&good, &registered);
        assert_eq!(unregistered.iter().map(|a| a.display()).collect::<Vec<_>>(), ["1011 ZZ 7"]);
        assert_eq!(missing, [&"9999ZZ|1||".to_string()]);
        assert_eq!(parse_address_list("adres,nummer\n").unwrap_err()[0].code, "missing_column");
        // Case of letter and addition does not matter, as for the register's keys.
        let a = parse_address_list("postcode,house_number,house_letter\n2511AB,12,a\n").unwrap();
        assert_eq!(a[0].key(), "2511AB|12|A|");
    }

    #[test]
    fn who_may_do_what() {
        use crate::access::Principal;
        let p = |role| {
            Viewer::Account(Principal {
                account_id: 1,
                username: "x".into(),
                role,
                region_id: Some(1),
                municipality: Some(gm("GM1783")),
                organisation_id: Some(42),
                region_members: vec![gm("GM0983")],
            })
        };
        // (role, reads, writes, admin check of own org 42, of org 7)
        let table = [
            (Role::Administrator, true, true, Some(42), Some(7)),
            (Role::Inspector, true, true, None, None),
            (Role::Municipality, true, false, None, None),
            (Role::HousingProvider, true, false, Some(42), None),
            (Role::RegionalCoordinator, false, false, None, None),
            (Role::Ministry, false, false, None, None),
        ];
        for (role, reads, writes, own, other) in table {
            let v = p(role);
            assert_eq!(read_scope(&v) != LocationScope::Nothing, reads, "{role:?}");
            assert_eq!(write_scope(&v) != LocationScope::Nothing, writes, "{role:?}");
            assert_eq!(admin_check_organisation(&v, Some(42)), own, "{role:?}");
            assert_eq!(admin_check_organisation(&v, Some(7)), other, "{role:?}");
        }
        assert_eq!(read_scope(&Viewer::Public), LocationScope::Nothing);
        assert_eq!(write_scope(&p(Role::Inspector)), LocationScope::Municipalities(vec![gm("GM0983")]));
    }
}
