//! Agreements on numbers of housing places (issue 5): the parties, the national declaration
//! of 2012, regional agreements (task by stay type, split per municipality and per party,
//! pace) in immutable versions, and pipeline projects with their dated stages.
//!
//! Every input is validated here into a draft; the store adds only what needs the database
//! (regions, parties and locations that must exist). A split that leaves places unallocated
//! is a warning the agreement is saved with, never silently fixed.

use crate::error::FieldErrors;
use crate::ids::MunicipalityCode;
use crate::register::{StayType, code, parse_date, text};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

code_enum! {
    /// What kind of body a party to an agreement is.
    PartyKind {
        Municipality = "municipality",
        Province = "province",
        Ministry = "ministry",
        HousingCorporation = "housing_corporation",
        Employer = "employer",
        TempAgency = "temp_agency",
        SectorBody = "sector_body",
        Union = "union",
        Other = "other",
    }
}

code_enum! {
    /// A signatory's part in a regional agreement.
    SignatoryRole {
        Coordinator = "coordinator",
        Municipality = "municipality",
        HousingProvider = "housing_provider",
        Employer = "employer",
        Supporter = "supporter",
    }
}

code_enum! {
    /// The stages of a housing project, in the order they are passed. `Cancelled` may
    /// follow any stage and ends the project.
    Stage {
        Idea = "idea",
        Planned = "planned",
        PermitApplied = "permit_applied",
        Permitted = "permitted",
        UnderConstruction = "under_construction",
        Delivered = "delivered",
        Certified = "certified",
        Occupied = "occupied",
        Cancelled = "cancelled",
    }
}

impl Stage {
    /// The stages whose planned places are the pipeline: not yet delivered, not cancelled.
    pub const PIPELINE: [Stage; 5] =
        [Stage::Idea, Stage::Planned, Stage::PermitApplied, Stage::Permitted, Stage::UnderConstruction];

    /// Delivered or later (and not cancelled): the linked locations' certified beds count
    /// as realised.
    pub fn is_delivered(self) -> bool {
        matches!(self, Stage::Delivered | Stage::Certified | Stage::Occupied)
    }
}

// ------------------------------------------------------------------------------- parties

/// A body that signs agreements or is responsible for projects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub id: i64,
    pub name: String,
    pub kind: PartyKind,
    /// For a municipality: its code.
    pub municipality_code: Option<String>,
    /// The organisation in the register, when the party is one.
    pub organisation_id: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyInput {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub municipality_code: Option<String>,
    #[serde(default)]
    pub organisation_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyDraft {
    pub name: String,
    pub kind: PartyKind,
    pub municipality: Option<MunicipalityCode>,
    pub organisation_id: Option<i64>,
}

impl PartyInput {
    pub fn validate(&self) -> Result<PartyDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = text(&mut e, "name", &self.name, true);
        let kind = code(&mut e, "kind", &self.kind, PartyKind::parse, PartyKind::codes());
        let municipality = match self.municipality_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(m) => e.take("municipality_code", MunicipalityCode::parse(m)),
            None => None,
        };
        if kind == Some(PartyKind::Municipality) && municipality.is_none() && e.get("municipality_code").is_none() {
            e.add("municipality_code", "required", "a municipality party needs its municipality code");
        }
        e.into_result(|| PartyDraft {
            name,
            kind: kind.unwrap_or(PartyKind::Other),
            municipality,
            organisation_id: self.organisation_id,
        })
    }
}

// ------------------------------------------------------------------------------- declaration

/// The national declaration of intent and what each party committed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Declaration {
    pub id: i64,
    pub title: String,
    pub signed_on: NaiveDate,
    pub summary: String,
    pub source: String,
    pub commitments: Vec<Commitment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Commitment {
    pub party: Party,
    pub commitment: String,
}

/// The declaration as shipped in `data/agreements/declaration-2012.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationFile {
    pub title: String,
    pub signed_on: NaiveDate,
    pub summary: String,
    pub source: String,
    pub parties: Vec<DeclarationParty>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclarationParty {
    pub name: String,
    pub kind: PartyKind,
    #[serde(default)]
    pub municipality_code: Option<String>,
    pub commitment: String,
}

pub const DECLARATION_2012: &str = include_str!("../../../data/agreements/declaration-2012.toml");

/// The shipped declaration; a broken file is a build defect, caught by a test.
pub fn declaration_2012() -> Result<DeclarationFile, String> {
    toml::from_str(DECLARATION_2012).map_err(|e| format!("data/agreements/declaration-2012.toml: {e}"))
}

// ------------------------------------------------------------------------------- agreements

/// A number of places of one stay type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Places {
    pub stay_type: StayType,
    pub places: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signatory {
    pub party_id: i64,
    pub role: SignatoryRole,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MunicipalityShare {
    pub municipality_code: String,
    pub places: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyShare {
    pub party_id: i64,
    pub places: i64,
}

/// A cumulative target: `places` realised by `date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Milestone {
    pub date: NaiveDate,
    pub places: i64,
}

/// What one version of a regional agreement fixes. Versions are never edited: a revision is
/// a new version that applies from a later date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementTerms {
    pub title: String,
    /// The monitor uses this version for dates from here until the next version applies.
    pub applies_from: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub task: Vec<Places>,
    pub signatories: Vec<Signatory>,
    pub municipality_split: Vec<MunicipalityShare>,
    pub party_split: Vec<PartyShare>,
    /// Cumulative targets within the period, dates ascending; the whole task is due at the
    /// period's end.
    pub pace: Vec<Milestone>,
    /// Where the figures come from.
    pub source: String,
    /// Invented for the demo (in whole or in part: `source` says which).
    pub synthetic: bool,
}

/// A problem the agreement is saved with, shown wherever it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub field: String,
    pub code: String,
    pub message: String,
    /// The places concerned (unallocated ones).
    pub places: i64,
}

impl AgreementTerms {
    pub fn total_task(&self) -> i64 {
        self.task.iter().map(|p| p.places).sum()
    }

    /// Places of the task not given to a municipality.
    pub fn unallocated_to_municipalities(&self) -> i64 {
        self.total_task() - self.municipality_split.iter().map(|s| s.places).sum::<i64>()
    }

    /// Places of the task no party took on.
    pub fn unallocated_to_parties(&self) -> i64 {
        self.total_task() - self.party_split.iter().map(|s| s.places).sum::<i64>()
    }

    pub fn warnings(&self) -> Vec<Warning> {
        let mut w = Vec::new();
        for (field, left, how) in [
            ("municipality_split", self.unallocated_to_municipalities(), "are not split over municipalities"),
            ("party_split", self.unallocated_to_parties(), "are promised by no party"),
        ] {
            if left > 0 {
                w.push(Warning {
                    field: field.into(),
                    code: "unallocated".into(),
                    message: format!("{left} of {} places {how}", self.total_task()),
                    places: left,
                });
            }
        }
        w
    }

    /// The cumulative target on `date` by the pace: straight lines from nothing at the
    /// period's start through each milestone to the whole task at its end, rounded down.
    pub fn target_on(&self, date: NaiveDate) -> i64 {
        if date < self.period_start {
            return 0;
        }
        let total = self.total_task();
        let mut points = vec![(self.period_start, 0)];
        points.extend(self.pace.iter().map(|m| (m.date, m.places)));
        if points.last().is_some_and(|(d, _)| *d < self.period_end) {
            points.push((self.period_end, total));
        }
        for pair in points.windows(2) {
            let ((d0, p0), (d1, p1)) = (pair[0], pair[1]);
            if date <= d1 {
                let span = (d1 - d0).num_days().max(1);
                let done = (date - d0).num_days().clamp(0, span);
                return p0 + (p1 - p0) * done / span;
            }
        }
        points.last().map_or(total, |(_, p)| *p)
    }

    pub fn party_ids(&self) -> BTreeSet<i64> {
        self.signatories.iter().map(|s| s.party_id).chain(self.party_split.iter().map(|s| s.party_id)).collect()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlacesInput {
    pub stay_type: String,
    pub places: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignatoryInput {
    pub party_id: i64,
    pub role: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MunicipalityShareInput {
    pub municipality_code: String,
    pub places: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneInput {
    pub date: String,
    pub places: i64,
}

/// A regional agreement or a revision of one, as clients send it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementInput {
    pub region_id: i64,
    pub title: String,
    /// Absent: the period's start for a first version, today for a revision.
    #[serde(default)]
    pub applies_from: Option<String>,
    pub period_start: String,
    pub period_end: String,
    pub task: Vec<PlacesInput>,
    pub signatories: Vec<SignatoryInput>,
    #[serde(default)]
    pub municipality_split: Vec<MunicipalityShareInput>,
    #[serde(default)]
    pub party_split: Vec<PartyShare>,
    #[serde(default)]
    pub pace: Vec<MilestoneInput>,
    pub source: String,
    #[serde(default)]
    pub synthetic: bool,
}

/// The most places one agreement or project may name: far above any real task.
pub const MAX_PLACES: i64 = 1_000_000;

fn places(e: &mut FieldErrors, field: &str, n: i64, positive: bool) -> i64 {
    if n < 0 || (positive && n == 0) {
        e.add(field, "out_of_range", if positive { "must be at least 1" } else { "must be 0 or more" });
    } else if n > MAX_PLACES {
        e.add(field, "out_of_range", format!("at most {MAX_PLACES}"));
    }
    n
}

/// Places per stay type, each type at most once.
fn places_by_type(e: &mut FieldErrors, field: &str, input: &[PlacesInput]) -> Vec<Places> {
    if input.is_empty() {
        e.add(field, "required", "give the places of at least one stay type");
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (i, p) in input.iter().enumerate() {
        let f = format!("{field}[{i}]");
        let n = places(e, &format!("{f}.places"), p.places, true);
        if let Some(stay_type) = code(e, &format!("{f}.stay_type"), &p.stay_type, StayType::parse, StayType::codes()) {
            if !seen.insert(stay_type) {
                e.add(format!("{f}.stay_type"), "duplicate", format!("{stay_type} is listed twice"));
            }
            out.push(Places { stay_type, places: n });
        }
    }
    out
}

impl AgreementInput {
    /// Checks the terms; `today` is the default start of a revision.
    pub fn validate(&self, first_version: bool, today: NaiveDate) -> Result<AgreementTerms, FieldErrors> {
        let mut e = FieldErrors::new();
        let title = text(&mut e, "title", &self.title, true);
        let source = text(&mut e, "source", &self.source, true);
        let start = e.take("period_start", parse_date(&self.period_start));
        let end = e.take("period_end", parse_date(&self.period_end));
        if let (Some(s), Some(en)) = (start, end)
            && en <= s
        {
            e.add("period_end", "before_start", format!("the period ends {en}, not after its start {s}"));
        }
        let applies_from = match self.applies_from.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => e.take("applies_from", parse_date(d)),
            None if first_version => start,
            None => Some(today),
        };
        let task = places_by_type(&mut e, "task", &self.task);
        let total: i64 = task.iter().map(|p| p.places).sum();

        if self.signatories.is_empty() {
            e.add("signatories", "required", "an agreement has at least one signatory");
        }
        let mut signatories = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, s) in self.signatories.iter().enumerate() {
            if !seen.insert(s.party_id) {
                e.add(format!("signatories[{i}].party_id"), "duplicate", format!("party {} signs twice", s.party_id));
            }
            let f = format!("signatories[{i}].role");
            if let Some(role) = code(&mut e, &f, &s.role, SignatoryRole::parse, SignatoryRole::codes()) {
                signatories.push(Signatory { party_id: s.party_id, role });
            }
        }

        let mut municipality_split = Vec::new();
        let mut codes = BTreeSet::new();
        for (i, s) in self.municipality_split.iter().enumerate() {
            let f = format!("municipality_split[{i}]");
            let n = places(&mut e, &format!("{f}.places"), s.places, false);
            if let Some(m) =
                e.take(&format!("{f}.municipality_code"), MunicipalityCode::parse(s.municipality_code.trim()))
            {
                if !codes.insert(m.as_str().to_string()) {
                    e.add(format!("{f}.municipality_code"), "duplicate", format!("{m} is listed twice"));
                }
                municipality_split.push(MunicipalityShare { municipality_code: m.as_str().to_string(), places: n });
            }
        }
        let allocated: i64 = municipality_split.iter().map(|s| s.places).sum();
        if allocated > total && total > 0 {
            e.add(
                "municipality_split",
                "over_allocated",
                format!("the split gives {allocated} places, the task is {total}"),
            );
        }

        let mut party_split = Vec::new();
        let mut parties = BTreeSet::new();
        for (i, s) in self.party_split.iter().enumerate() {
            let f = format!("party_split[{i}]");
            let n = places(&mut e, &format!("{f}.places"), s.places, false);
            if !parties.insert(s.party_id) {
                e.add(format!("{f}.party_id"), "duplicate", format!("party {} is listed twice", s.party_id));
            } else if !seen.contains(&s.party_id) {
                e.add(
                    format!("{f}.party_id"),
                    "not_a_signatory",
                    format!("party {} did not sign the agreement", s.party_id),
                );
            }
            party_split.push(PartyShare { party_id: s.party_id, places: n });
        }
        let taken: i64 = party_split.iter().map(|s| s.places).sum();
        if taken > total && total > 0 {
            e.add("party_split", "over_allocated", format!("the parties take {taken} places, the task is {total}"));
        }

        let mut pace: Vec<Milestone> = Vec::new();
        for (i, m) in self.pace.iter().enumerate() {
            let f = format!("pace[{i}]");
            let n = places(&mut e, &format!("{f}.places"), m.places, false);
            let Some(date) = e.take(&format!("{f}.date"), parse_date(&m.date)) else { continue };
            if let (Some(s), Some(en)) = (start, end)
                && (date <= s || date > en)
            {
                e.add(format!("{f}.date"), "outside_period", format!("{date} is not within the period {s} – {en}"));
            }
            if let Some(prev) = pace.last() {
                if date <= prev.date {
                    e.add(format!("{f}.date"), "not_ascending", format!("{date} does not come after {}", prev.date));
                }
                if n < prev.places {
                    e.add(
                        format!("{f}.places"),
                        "decreasing",
                        format!("{n} is below the earlier target {}", prev.places),
                    );
                }
            }
            if n > total && total > 0 {
                e.add(format!("{f}.places"), "above_task", format!("{n} is more than the task of {total}"));
            }
            if end == Some(date) && n < total {
                e.add(
                    format!("{f}.places"),
                    "below_task_at_end",
                    format!("at the period's end the whole task of {total} is due, not {n}"),
                );
            }
            pace.push(Milestone { date, places: n });
        }

        e.into_result(|| AgreementTerms {
            title,
            applies_from: applies_from.unwrap_or(today),
            period_start: start.unwrap_or(today),
            period_end: end.unwrap_or(today),
            task,
            signatories,
            municipality_split,
            party_split,
            pace,
            source,
            synthetic: self.synthetic,
        })
    }
}

/// A regional agreement with every version it has had, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Agreement {
    pub id: i64,
    pub region_id: i64,
    pub versions: Vec<AgreementVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgreementVersion {
    pub version: i64,
    #[serde(flatten)]
    pub terms: AgreementTerms,
    pub warnings: Vec<Warning>,
}

impl Agreement {
    /// The version that applied on `date`: the latest that applies from then or earlier.
    pub fn version_on(&self, date: NaiveDate) -> Option<&AgreementVersion> {
        self.versions.iter().rev().find(|v| v.terms.applies_from <= date)
    }

    pub fn latest(&self) -> Option<&AgreementVersion> {
        self.versions.last()
    }
}

/// A revision must apply from a later date than the version before it.
pub fn check_revision(previous: &AgreementTerms, next: &AgreementTerms) -> Result<(), FieldErrors> {
    if next.applies_from <= previous.applies_from {
        return Err(FieldErrors::single(
            "applies_from",
            "not_after_previous",
            format!(
                "the current version applies from {}; a revision must apply from a later date",
                previous.applies_from
            ),
        ));
    }
    Ok(())
}

// ------------------------------------------------------------------------------- projects

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageEntry {
    pub stage: Stage,
    pub date: NaiveDate,
}

/// A housing project in the pipeline, from idea to occupied beds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Project {
    pub id: i64,
    pub name: String,
    pub municipality_code: String,
    pub party_id: i64,
    pub agreement_id: Option<i64>,
    pub planned: Vec<Places>,
    /// Every stage reached, oldest first.
    pub stages: Vec<StageEntry>,
    /// Register locations the project delivered.
    pub location_ids: Vec<i64>,
    pub synthetic: bool,
    pub version: i64,
}

impl Project {
    pub fn planned_total(&self) -> i64 {
        self.planned.iter().map(|p| p.places).sum()
    }

    /// The stage the project was in on `date` (none before its first stage).
    pub fn stage_on(&self, date: NaiveDate) -> Option<StageEntry> {
        self.stages.iter().rev().find(|s| s.date <= date).copied()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectInput {
    pub name: String,
    pub municipality_code: String,
    pub party_id: i64,
    #[serde(default)]
    pub agreement_id: Option<i64>,
    pub planned: Vec<PlacesInput>,
    pub stage: String,
    pub stage_date: String,
    #[serde(default)]
    pub location_ids: Vec<i64>,
    #[serde(default)]
    pub synthetic: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectDraft {
    pub name: String,
    pub municipality: MunicipalityCode,
    pub party_id: i64,
    pub agreement_id: Option<i64>,
    pub planned: Vec<Places>,
    pub first_stage: StageEntry,
    pub location_ids: Vec<i64>,
    pub synthetic: bool,
}

impl ProjectInput {
    pub fn validate(&self, today: NaiveDate) -> Result<ProjectDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = text(&mut e, "name", &self.name, true);
        let municipality = e.take("municipality_code", MunicipalityCode::parse(self.municipality_code.trim()));
        let planned = places_by_type(&mut e, "planned", &self.planned);
        let first_stage = stage_entry(&mut e, ("stage", "stage_date"), (&self.stage, &self.stage_date), &[], today);
        let location_ids = unique_locations(&mut e, &self.location_ids);
        match (municipality, first_stage) {
            (Some(municipality), Some(first_stage)) if e.is_empty() => Ok(ProjectDraft {
                name,
                municipality,
                party_id: self.party_id,
                agreement_id: self.agreement_id,
                planned,
                first_stage,
                location_ids,
                synthetic: self.synthetic,
            }),
            _ => Err(e),
        }
    }
}

fn unique_locations(e: &mut FieldErrors, ids: &[i64]) -> Vec<i64> {
    let mut seen = BTreeSet::new();
    for (i, id) in ids.iter().enumerate() {
        if !seen.insert(*id) {
            e.add(format!("location_ids[{i}]"), "duplicate", format!("location {id} is listed twice"));
        }
    }
    ids.to_vec()
}

fn stage_entry(
    e: &mut FieldErrors,
    (stage_field, date_field): (&str, &str),
    (stage, date): (&str, &str),
    history: &[StageEntry],
    today: NaiveDate,
) -> Option<StageEntry> {
    let stage = code(e, stage_field, stage, Stage::parse, Stage::codes());
    let date = e.take(date_field, parse_date(date));
    let entry = StageEntry { stage: stage?, date: date? };
    // A stage as the next of `history`; the first stage of a project follows nothing.
    if let Err(f) = check_next_stage(history, entry, today) {
        e.0.extend(f.0.into_iter().map(|mut x| {
            x.field = if x.field == "date" { date_field } else { stage_field }.to_string();
            x
        }));
    }
    Some(entry)
}

/// A stage reached, as clients send it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageInput {
    pub stage: String,
    pub date: String,
    /// The project's version, as read.
    pub version: i64,
}

impl StageInput {
    /// Checks the stage against the project's history: it comes later in the order (or is a
    /// cancellation), on or after the previous stage's date, and not in the future.
    pub fn validate(&self, history: &[StageEntry], today: NaiveDate) -> Result<StageEntry, FieldErrors> {
        let mut e = FieldErrors::new();
        let entry = stage_entry(&mut e, ("stage", "date"), (&self.stage, &self.date), history, today);
        e.into_result(|| entry.unwrap_or(StageEntry { stage: Stage::Idea, date: today }))
    }
}

/// May `next` follow `history`: later in the order (or a cancellation), not before the
/// previous stage's date, not in the future, nothing after a cancellation.
pub fn check_next_stage(history: &[StageEntry], next: StageEntry, today: NaiveDate) -> Result<(), FieldErrors> {
    let mut e = FieldErrors::new();
    if next.date > today {
        e.add("date", "in_future", format!("{} is after today: record a stage when it is reached", next.date));
    }
    if let Some(last) = history.last() {
        if last.stage == Stage::Cancelled {
            e.add("stage", "cancelled", "the project was cancelled; it has no later stages");
        } else if next.stage != Stage::Cancelled && next.stage <= last.stage {
            e.add(
                "stage",
                "not_later",
                format!("the project is already at {}; {} does not come after it", last.stage, next.stage),
            );
        }
        if next.date < last.date {
            e.add(
                "date",
                "before_previous",
                format!("{} is before the previous stage's date {} ({})", next.date, last.date, last.stage),
            );
        }
    }
    e.into_result(|| ())
}

/// The register locations a project delivered, as clients send them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectLocationsInput {
    pub location_ids: Vec<i64>,
    pub version: i64,
}

impl ProjectLocationsInput {
    pub fn validate(&self) -> Result<Vec<i64>, FieldErrors> {
        let mut e = FieldErrors::new();
        let ids = unique_locations(&mut e, &self.location_ids);
        e.into_result(|| ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn haaglanden() -> AgreementInput {
        AgreementInput {
            region_id: 1,
            title: "Haaglanden".into(),
            applies_from: None,
            period_start: "2012-07-01".into(),
            period_end: "2022-12-31".into(),
            task: vec![PlacesInput { stay_type: "short".into(), places: 6000 }],
            signatories: vec![
                SignatoryInput { party_id: 1, role: "municipality".into() },
                SignatoryInput { party_id: 2, role: "municipality".into() },
            ],
            municipality_split: vec![
                MunicipalityShareInput { municipality_code: "GM0518".into(), places: 2000 },
                MunicipalityShareInput { municipality_code: "GM1783".into(), places: 2000 },
            ],
            party_split: vec![PartyShare { party_id: 1, places: 2000 }],
            pace: vec![MilestoneInput { date: "2016-12-31".into(), places: 2000 }],
            source: "test".into(),
            synthetic: true,
        }
    }

    fn codes(e: &FieldErrors) -> Vec<(String, &'static str)> {
        e.0.iter().map(|e| (e.field.clone(), e.code)).collect()
    }

    #[test]
    fn an_agreement_split_short_of_its_task_is_saved_with_a_warning() {
        let terms = haaglanden().validate(true, d("2026-01-01")).unwrap();
        assert_eq!(terms.applies_from, d("2012-07-01"));
        assert_eq!(terms.total_task(), 6000);
        assert_eq!(terms.unallocated_to_municipalities(), 2000);
        let w = terms.warnings();
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].field, "municipality_split");
        assert_eq!(w[0].message, "2000 of 6000 places are not split over municipalities");
    }

    #[test]
    fn bad_terms_are_reported_per_field() {
        let mut input = haaglanden();
        input.municipality_split[0].places = 5000;
        input.pace = vec![
            MilestoneInput { date: "2011-01-01".into(), places: 100 },
            MilestoneInput { date: "2030-01-01".into(), places: 50 },
        ];
        input.party_split.push(PartyShare { party_id: 9, places: 1 });
        input.task.push(PlacesInput { stay_type: "short".into(), places: 1 });
        let e = input.validate(true, d("2026-01-01")).unwrap_err();
        assert_eq!(
            codes(&e),
            [
                ("task[1].stay_type".to_string(), "duplicate"),
                ("municipality_split".to_string(), "over_allocated"),
                ("party_split[1].party_id".to_string(), "not_a_signatory"),
                ("pace[0].date".to_string(), "outside_period"),
                ("pace[1].date".to_string(), "outside_period"),
                ("pace[1].places".to_string(), "decreasing"),
            ]
        );
    }

    #[test]
    fn the_target_follows_the_pace() {
        let terms = haaglanden().validate(true, d("2026-01-01")).unwrap();
        assert_eq!(terms.target_on(d("2012-01-01")), 0);
        assert_eq!(terms.target_on(d("2012-07-01")), 0);
        assert_eq!(terms.target_on(d("2016-12-31")), 2000);
        assert!((900..1100).contains(&terms.target_on(d("2014-09-30"))));
        assert_eq!(terms.target_on(d("2022-12-31")), 6000);
        assert_eq!(terms.target_on(d("2030-01-01")), 6000);
        // A milestone at the period's end is the whole task.
        let mut short = haaglanden();
        short.pace.push(MilestoneInput { date: "2022-12-31".into(), places: 5000 });
        let e = short.validate(true, d("2026-01-01")).unwrap_err();
        assert_eq!(codes(&e), [("pace[1].places".to_string(), "below_task_at_end")]);
    }

    #[test]
    fn stages_go_forward_in_time_and_order() {
        let history = [
            StageEntry { stage: Stage::Planned, date: d("2014-01-01") },
            StageEntry { stage: Stage::Permitted, date: d("2015-06-01") },
        ];
        let today = d("2026-01-01");
        let input = |stage: &str, date: &str| StageInput { stage: stage.into(), date: date.into(), version: 1 };
        assert_eq!(
            input("under_construction", "2016-01-01").validate(&history, today).unwrap().stage,
            Stage::UnderConstruction
        );
        let e = input("under_construction", "2015-01-01").validate(&history, today).unwrap_err();
        assert_eq!(codes(&e), [("date".to_string(), "before_previous")]);
        let e = input("idea", "2016-01-01").validate(&history, today).unwrap_err();
        assert_eq!(codes(&e), [("stage".to_string(), "not_later")]);
        let e = input("delivered", "2027-01-01").validate(&history, today).unwrap_err();
        assert_eq!(codes(&e), [("date".to_string(), "in_future")]);
        assert!(input("cancelled", "2016-01-01").validate(&history, today).is_ok());
    }

    #[test]
    fn the_shipped_declaration_reads() {
        let d = declaration_2012().unwrap();
        assert_eq!(d.signed_on, NaiveDate::from_ymd_opt(2012, 3, 28).unwrap());
        assert!(d.parties.len() >= 10);
    }
}
