//! The monitor (issue 5): per regional agreement, municipality, party and project what was
//! agreed, what the pace asks by a date, what was realised and what is in the pipeline.
//!
//! Realised places are never typed in: they are the beds in service at register locations
//! linked to delivered projects, counted on a date only while the location's operator holds
//! a certificate in force then. Every figure uses the agreement version that applied on the
//! date, so a trend shows revisions where they happened. The whole result is one value that
//! serialises losslessly: a monthly snapshot is this value, and a past month renders from it.

use crate::agreements::{Agreement, AgreementTerms, Party, PartyKind, Project, SignatoryRole, Stage};
use crate::certificates::CertificateSpan;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// A register location as the monitor counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedLocation {
    pub municipality_code: String,
    pub address: String,
    pub beds_in_service: i64,
    pub operator_id: Option<i64>,
}

/// Everything the monitor reads.
pub struct MonitorInput<'a> {
    pub agreements: &'a [Agreement],
    pub projects: &'a [Project],
    pub locations: &'a HashMap<i64, LinkedLocation>,
    /// Certificates per organisation.
    pub certificates: &'a HashMap<i64, Vec<CertificateSpan>>,
    pub regions: &'a HashMap<i64, String>,
    pub municipalities: &'a HashMap<String, String>,
    pub parties: &'a HashMap<i64, Party>,
}

code_enum! {
    /// How realised places compare with the target the pace sets for the date.
    #[derive(Default)]
    Schedule {
        /// The target to date is 0.
        #[default]
        NotDue = "not_due",
        OnSchedule = "on_schedule",
        /// At least [`BEHIND_FROM`] of the target to date.
        Behind = "behind",
        FarBehind = "far_behind",
    }
}

/// Below this share of the target to date a task is far behind (red); from it up to the
/// target, behind (amber). Three colours, as Opnieuw Thuis' "Land in Beeld" shows them.
pub const BEHIND_FROM: f64 = 0.75;

/// Places per pipeline stage, in [`Stage::PIPELINE`] order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    pub idea: i64,
    pub planned: i64,
    pub permit_applied: i64,
    pub permitted: i64,
    pub under_construction: i64,
}

impl Pipeline {
    pub fn total(&self) -> i64 {
        self.idea + self.planned + self.permit_applied + self.permitted + self.under_construction
    }

    pub fn get(&self, stage: Stage) -> i64 {
        match stage {
            Stage::Idea => self.idea,
            Stage::Planned => self.planned,
            Stage::PermitApplied => self.permit_applied,
            Stage::Permitted => self.permitted,
            Stage::UnderConstruction => self.under_construction,
            _ => 0,
        }
    }

    fn add(&mut self, stage: Stage, places: i64) {
        match stage {
            Stage::Idea => self.idea += places,
            Stage::Planned => self.planned += places,
            Stage::PermitApplied => self.permit_applied += places,
            Stage::Permitted => self.permitted += places,
            Stage::UnderConstruction => self.under_construction += places,
            _ => {}
        }
    }

    fn plus(&mut self, other: &Pipeline) {
        for s in Stage::PIPELINE {
            self.add(s, other.get(s));
        }
    }
}

/// The figures of one task (a region's, a municipality's share, a party's promise).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// Places agreed.
    pub task: i64,
    /// Places the pace asks for by the date.
    pub target_to_date: i64,
    pub realised: i64,
    pub pipeline: Pipeline,
    /// Realised ÷ task.
    pub percent_of_task: Option<f64>,
    /// Realised ÷ target to date.
    pub percent_of_target: Option<f64>,
    pub schedule: Schedule,
}

impl Figures {
    fn new(task: i64, target_to_date: i64, realised: i64, pipeline: Pipeline) -> Figures {
        let ratio = |a: i64, b: i64| (b > 0).then(|| a as f64 / b as f64);
        let schedule = match ratio(realised, target_to_date) {
            None => Schedule::NotDue,
            Some(r) if r >= 1.0 => Schedule::OnSchedule,
            Some(r) if r >= BEHIND_FROM => Schedule::Behind,
            Some(_) => Schedule::FarBehind,
        };
        Figures {
            task,
            target_to_date,
            realised,
            pipeline,
            percent_of_task: ratio(realised, task),
            percent_of_target: ratio(realised, target_to_date),
            schedule,
        }
    }

    /// Figures added up (a country of regions, a municipality in several agreements).
    pub fn sum<'a>(all: impl IntoIterator<Item = &'a Figures>) -> Figures {
        let (mut task, mut target, mut realised, mut pipeline) = (0, 0, 0, Pipeline::default());
        for f in all {
            task += f.task;
            target += f.target_to_date;
            realised += f.realised;
            pipeline.plus(&f.pipeline);
        }
        Figures::new(task, target, realised, pipeline)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrendPoint {
    pub date: NaiveDate,
    pub target: i64,
    pub realised: i64,
    pub pipeline: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MunicipalityMonitor {
    pub municipality_code: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
    pub trend: Vec<TrendPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartyMonitor {
    pub party_id: i64,
    pub name: String,
    pub kind: PartyKind,
    /// Its part in the agreement; none for a party responsible for projects only.
    pub role: Option<SignatoryRole>,
    /// `task` is what the party promised.
    #[serde(flatten)]
    pub figures: Figures,
    pub projects: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationMonitor {
    pub location_id: i64,
    pub address: String,
    pub beds_in_service: i64,
    /// The operator held a certificate in force on the date: the beds count as realised.
    pub certified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectMonitor {
    pub project_id: i64,
    pub name: String,
    pub municipality_code: String,
    pub municipality: String,
    pub party_id: i64,
    pub party: String,
    /// The stage on the date, and since when.
    pub stage: Option<Stage>,
    pub stage_date: Option<NaiveDate>,
    pub planned: i64,
    pub realised: i64,
    pub locations: Vec<LocationMonitor>,
    pub synthetic: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionMonitor {
    pub region_id: i64,
    pub name: String,
    pub agreement_id: i64,
    pub version: i64,
    pub title: String,
    pub applies_from: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub source: String,
    pub synthetic: bool,
    #[serde(flatten)]
    pub figures: Figures,
    /// Places per year still needed from the date to meet the task by the period's end.
    pub needed_per_year: Option<i64>,
    /// Places realised per year so far, from the period's start.
    pub realised_per_year: Option<i64>,
    pub unallocated_to_municipalities: i64,
    pub unallocated_to_parties: i64,
    pub municipalities: Vec<MunicipalityMonitor>,
    pub parties: Vec<PartyMonitor>,
    pub projects: Vec<ProjectMonitor>,
    pub trend: Vec<TrendPoint>,
}

/// What a figure counts and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    pub figure: String,
    pub counts: String,
    pub source: String,
}

/// The whole monitor on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Monitor {
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub figures: Figures,
    pub regions: Vec<RegionMonitor>,
    pub trend: Vec<TrendPoint>,
    pub provenance: Vec<Provenance>,
}

impl Monitor {
    pub fn region(&self, region_id: i64) -> Option<&RegionMonitor> {
        self.regions.iter().find(|r| r.region_id == region_id)
    }

    /// A municipality's share in each agreement it is part of, with its region.
    pub fn municipality(&self, code: &str) -> Vec<(&RegionMonitor, &MunicipalityMonitor)> {
        self.regions
            .iter()
            .flat_map(|r| r.municipalities.iter().filter(|m| m.municipality_code == code).map(move |m| (r, m)))
            .collect()
    }
}

fn provenance() -> Vec<Provenance> {
    let p = |figure: &str, counts: &str, source: &str| Provenance {
        figure: figure.into(),
        counts: counts.into(),
        source: source.into(),
    };
    vec![
        p(
            "task",
            "places agreed in the version of the regional agreement that applied on the date (a municipality's share, a party's promise)",
            "the regional agreement as entered by the region",
        ),
        p(
            "target_to_date",
            "places the agreed pace asks for by the date: straight lines from nothing at the period's start through each milestone to the whole task at the period's end",
            "the regional agreement's pace",
        ),
        p(
            "realised",
            "beds in service at register locations linked to projects delivered by the date, counted only while the location's operator held an SNF or AKF certificate in force on the date",
            "the register (locations, beds, certificates)",
        ),
        p(
            "pipeline",
            "places planned in projects that were at that stage on the date (idea, planned, permit applied, permitted, under construction)",
            "the project pipeline as entered by the parties",
        ),
        p(
            "schedule",
            "realised ÷ target to date: on schedule from 100%, behind from 75%, far behind below 75%; not due while the target is 0",
            "computed",
        ),
    ]
}

/// A calendar month, written `YYYY-MM`: what monitor reports and snapshots are kept by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    pub fn of(date: NaiveDate) -> Month {
        Month { first: date.with_day(1).unwrap_or(date) }
    }

    /// `YYYY-MM`, from 2000 to 2100.
    pub fn parse(s: &str) -> Result<Month, (&'static str, String)> {
        let s = s.trim();
        let first = (s.len() == 7 && s.as_bytes()[4] == b'-')
            .then(|| NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d").ok())
            .flatten();
        match first {
            Some(d) if (2000..=2100).contains(&d.year()) => Ok(Month { first: d }),
            Some(_) => Err(("out_of_range", format!("{s} is not between 2000 and 2100"))),
            None => Err(("invalid_month", format!("'{s}' is not a month of the form YYYY-MM"))),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        self.first
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first.pred_opt().unwrap_or(self.first)
    }

    pub fn next(self) -> Month {
        Month { first: self.first.checked_add_months(Months::new(1)).unwrap_or(self.first) }
    }

    pub fn previous(self) -> Month {
        Month { first: self.first.checked_sub_months(Months::new(1)).unwrap_or(self.first) }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.first.format("%Y-%m"))
    }
}

/// The dates a trend shows: every quarter's end from `from` up to `as_of`, and `as_of`.
pub fn trend_dates(from: NaiveDate, as_of: NaiveDate) -> Vec<NaiveDate> {
    let mut dates = Vec::new();
    let mut q = NaiveDate::from_ymd_opt(from.year(), (from.month0() / 3) * 3 + 1, 1).unwrap_or(from);
    while let Some(end) = q.checked_add_months(Months::new(3)).and_then(|d| d.pred_opt()) {
        if end >= as_of {
            break;
        }
        dates.push(end);
        q = end.succ_opt().unwrap_or(end);
    }
    dates.push(as_of);
    dates
}

struct Counter<'a> {
    input: &'a MonitorInput<'a>,
}

impl Counter<'_> {
    fn certified(&self, operator: Option<i64>, date: NaiveDate) -> bool {
        operator
            .and_then(|o| self.input.certificates.get(&o))
            .is_some_and(|spans| spans.iter().any(|c| c.in_force_on(date)))
    }

    /// (realised, pipeline stage and places) of a project on `date`.
    fn project_on(&self, p: &Project, date: NaiveDate) -> (i64, Option<(Stage, i64)>) {
        match p.stage_on(date).map(|s| s.stage) {
            Some(s) if s.is_delivered() => {
                let realised = p
                    .location_ids
                    .iter()
                    .filter_map(|id| self.input.locations.get(id))
                    .filter(|l| self.certified(l.operator_id, date))
                    .map(|l| l.beds_in_service)
                    .sum();
                (realised, None)
            }
            Some(s) if Stage::PIPELINE.contains(&s) => (0, Some((s, p.planned_total()))),
            _ => (0, None),
        }
    }

    /// Realised and pipeline of projects on `date`.
    fn count<'p>(&self, projects: impl IntoIterator<Item = &'p Project>, date: NaiveDate) -> (i64, Pipeline) {
        let mut pipeline = Pipeline::default();
        let mut realised = 0;
        for p in projects {
            let (r, pipe) = self.project_on(p, date);
            realised += r;
            if let Some((stage, places)) = pipe {
                pipeline.add(stage, places);
            }
        }
        (realised, pipeline)
    }

    /// The trend of a task: `share` of the agreement's task (`None`: all of it).
    fn trend<'p>(
        &self,
        agreement: &Agreement,
        share: &dyn Fn(&AgreementTerms) -> Option<i64>,
        projects: &[&'p Project],
        dates: &[NaiveDate],
    ) -> Vec<TrendPoint> {
        dates
            .iter()
            .map(|&date| {
                let target = agreement.version_on(date).map_or(0, |v| scaled_target(&v.terms, share(&v.terms), date));
                let (realised, pipeline) = self.count(projects.iter().copied(), date);
                TrendPoint { date, target, realised, pipeline: pipeline.total() }
            })
            .collect()
    }
}

/// The target on `date` of a share of the task, in proportion to the whole task's target.
fn scaled_target(terms: &AgreementTerms, share: Option<i64>, date: NaiveDate) -> i64 {
    let target = terms.target_on(date);
    match share {
        None => target,
        Some(s) => {
            let total = terms.total_task();
            if total == 0 { 0 } else { s * target / total }
        }
    }
}

fn per_year(places: i64, from: NaiveDate, to: NaiveDate) -> Option<i64> {
    let days = (to - from).num_days();
    (days > 0).then(|| (places as f64 * 365.25 / days as f64).ceil() as i64)
}

/// The monitor on `as_of`: every region with an agreement in force then (a version applying
/// on or before the date), in the order of the regions' names.
pub fn monitor(input: &MonitorInput, as_of: NaiveDate) -> Monitor {
    let counter = Counter { input };
    let mut regions = Vec::new();
    for agreement in input.agreements {
        let Some(version) = agreement.version_on(as_of) else { continue };
        let terms = &version.terms;
        let projects: Vec<&Project> = input.projects.iter().filter(|p| p.agreement_id == Some(agreement.id)).collect();
        let dates = trend_dates(
            agreement.versions.first().map_or(terms.period_start, |v| v.terms.period_start.min(v.terms.applies_from)),
            as_of,
        );

        // Municipalities: the split, then any other municipality with projects.
        let mut shares: BTreeMap<String, Option<i64>> =
            terms.municipality_split.iter().map(|s| (s.municipality_code.clone(), Some(s.places))).collect();
        for p in &projects {
            shares.entry(p.municipality_code.clone()).or_insert(None);
        }
        let mut municipalities = Vec::new();
        for (code, share) in &shares {
            let of_municipality: Vec<&Project> =
                projects.iter().copied().filter(|p| &p.municipality_code == code).collect();
            let (realised, pipeline) = counter.count(of_municipality.iter().copied(), as_of);
            let share_of = |t: &AgreementTerms| {
                Some(t.municipality_split.iter().find(|s| &s.municipality_code == code).map_or(0, |s| s.places))
            };
            let task = share.unwrap_or(0);
            municipalities.push(MunicipalityMonitor {
                municipality_code: code.clone(),
                name: input.municipalities.get(code).cloned().unwrap_or_else(|| code.clone()),
                figures: Figures::new(task, scaled_target(terms, Some(task), as_of), realised, pipeline),
                trend: counter.trend(agreement, &share_of, &of_municipality, &dates),
            });
        }
        municipalities.sort_by(|a, b| b.figures.task.cmp(&a.figures.task).then(a.name.cmp(&b.name)));

        // Parties: the signatories, then any other party responsible for projects.
        let mut party_ids: Vec<i64> = terms.signatories.iter().map(|s| s.party_id).collect();
        for p in &projects {
            if !party_ids.contains(&p.party_id) {
                party_ids.push(p.party_id);
            }
        }
        let parties = party_ids
            .iter()
            .map(|&id| {
                let of_party: Vec<&Project> = projects.iter().copied().filter(|p| p.party_id == id).collect();
                let (realised, pipeline) = counter.count(of_party.iter().copied(), as_of);
                let promised = terms.party_split.iter().find(|s| s.party_id == id).map_or(0, |s| s.places);
                let party = input.parties.get(&id);
                PartyMonitor {
                    party_id: id,
                    name: party.map_or_else(|| format!("#{id}"), |p| p.name.clone()),
                    kind: party.map_or(PartyKind::Other, |p| p.kind),
                    role: terms.signatories.iter().find(|s| s.party_id == id).map(|s| s.role),
                    figures: Figures::new(promised, scaled_target(terms, Some(promised), as_of), realised, pipeline),
                    projects: of_party.len() as i64,
                }
            })
            .collect();

        let mut project_rows: Vec<ProjectMonitor> = projects
            .iter()
            .map(|p| {
                let stage = p.stage_on(as_of);
                let (realised, _) = counter.project_on(p, as_of);
                ProjectMonitor {
                    project_id: p.id,
                    name: p.name.clone(),
                    municipality: input
                        .municipalities
                        .get(&p.municipality_code)
                        .cloned()
                        .unwrap_or_else(|| p.municipality_code.clone()),
                    municipality_code: p.municipality_code.clone(),
                    party_id: p.party_id,
                    party: input
                        .parties
                        .get(&p.party_id)
                        .map_or_else(|| format!("#{}", p.party_id), |x| x.name.clone()),
                    stage: stage.map(|s| s.stage),
                    stage_date: stage.map(|s| s.date),
                    planned: p.planned_total(),
                    realised,
                    locations: p
                        .location_ids
                        .iter()
                        .filter_map(|id| input.locations.get(id).map(|l| (id, l)))
                        .map(|(id, l)| LocationMonitor {
                            location_id: *id,
                            address: l.address.clone(),
                            beds_in_service: l.beds_in_service,
                            certified: counter.certified(l.operator_id, as_of),
                        })
                        .collect(),
                    synthetic: p.synthetic,
                }
            })
            .collect();
        project_rows.sort_by(|a, b| a.municipality.cmp(&b.municipality).then(a.name.cmp(&b.name)));

        let (realised, pipeline) = counter.count(projects.iter().copied(), as_of);
        let figures = Figures::new(terms.total_task(), terms.target_on(as_of), realised, pipeline);
        let left = (terms.total_task() - realised).max(0);
        regions.push(RegionMonitor {
            region_id: agreement.region_id,
            name: input.regions.get(&agreement.region_id).cloned().unwrap_or_default(),
            agreement_id: agreement.id,
            version: version.version,
            title: terms.title.clone(),
            applies_from: terms.applies_from,
            period_start: terms.period_start,
            period_end: terms.period_end,
            source: terms.source.clone(),
            synthetic: terms.synthetic,
            needed_per_year: if as_of < terms.period_end { per_year(left, as_of, terms.period_end) } else { None },
            realised_per_year: per_year(realised, terms.period_start, as_of.min(terms.period_end)),
            unallocated_to_municipalities: terms.unallocated_to_municipalities(),
            unallocated_to_parties: terms.unallocated_to_parties(),
            trend: counter.trend(agreement, &|_| None, &projects, &dates),
            figures,
            municipalities,
            parties,
            projects: project_rows,
        });
    }
    regions.sort_by(|a, b| a.name.cmp(&b.name));
    let figures = Figures::sum(regions.iter().map(|r| &r.figures));
    let trend = add_trends(regions.iter().map(|r| r.trend.as_slice()));
    Monitor { as_of, figures, trend, regions, provenance: provenance() }
}

/// Trends added up, on every date any of them has (one that starts later adds nothing before).
pub fn add_trends<'a>(trends: impl IntoIterator<Item = &'a [TrendPoint]>) -> Vec<TrendPoint> {
    let mut by_date: BTreeMap<NaiveDate, TrendPoint> = BTreeMap::new();
    for t in trends.into_iter().flatten() {
        let e = by_date.entry(t.date).or_insert(TrendPoint { date: t.date, target: 0, realised: 0, pipeline: 0 });
        e.target += t.target;
        e.realised += t.realised;
        e.pipeline += t.pipeline;
    }
    by_date.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agreements::{AgreementVersion, MunicipalityShare, PartyShare, Places, Signatory, StageEntry};
    use crate::certificates::{CertificateScheme, CertificateStatus};
    use crate::register::StayType;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn terms(applies_from: &str, end: &str) -> AgreementTerms {
        AgreementTerms {
            title: "Haaglanden".into(),
            applies_from: d(applies_from),
            period_start: d("2013-01-01"),
            period_end: d(end),
            task: vec![Places { stay_type: StayType::Short, places: 6000 }],
            signatories: vec![Signatory { party_id: 1, role: SignatoryRole::Municipality }],
            municipality_split: vec![
                MunicipalityShare { municipality_code: "GM0518".into(), places: 2000 },
                MunicipalityShare { municipality_code: "GM1783".into(), places: 2000 },
            ],
            party_split: vec![PartyShare { party_id: 1, places: 2000 }],
            pace: vec![],
            source: "test".into(),
            synthetic: true,
        }
    }

    fn project(id: i64, municipality: &str, stages: &[(Stage, &str)], locations: &[i64]) -> Project {
        Project {
            id,
            name: format!("P{id}"),
            municipality_code: municipality.into(),
            party_id: 1,
            agreement_id: Some(7),
            planned: vec![Places { stay_type: StayType::Short, places: 100 }],
            stages: stages.iter().map(|(stage, date)| StageEntry { stage: *stage, date: d(date) }).collect(),
            location_ids: locations.to_vec(),
            synthetic: true,
            version: 1,
        }
    }

    #[test]
    fn realised_counts_certified_beds_of_delivered_projects_with_the_version_in_force() {
        let agreement = Agreement {
            id: 7,
            region_id: 3,
            versions: vec![
                AgreementVersion { version: 1, terms: terms("2013-01-01", "2022-12-31"), warnings: vec![] },
                AgreementVersion { version: 2, terms: terms("2021-01-01", "2026-12-31"), warnings: vec![] },
            ],
        };
        let projects = [
            project(1, "GM1783", &[(Stage::Planned, "2014-01-01"), (Stage::Delivered, "2016-06-01")], &[10]),
            project(2, "GM1783", &[(Stage::Permitted, "2015-01-01")], &[]),
            project(3, "GM0518", &[(Stage::Delivered, "2015-01-01")], &[11]),
        ];
        let loc = |beds, op| LinkedLocation {
            municipality_code: String::new(),
            address: String::new(),
            beds_in_service: beds,
            operator_id: Some(op),
        };
        let locations = HashMap::from([(10, loc(80, 100)), (11, loc(50, 101))]);
        // Operator 100 certified from 2016; operator 101's certificate was withdrawn in 2019.
        let span = |from: &str, statuses: Vec<(&str, CertificateStatus)>| CertificateSpan {
            scheme: CertificateScheme::Snf,
            valid_from: d(from),
            valid_until: None,
            statuses: statuses.into_iter().map(|(s, st)| (d(s), st)).collect(),
        };
        let certificates = HashMap::from([
            (100, vec![span("2016-01-01", vec![("2016-01-01", CertificateStatus::Active)])]),
            (
                101,
                vec![span(
                    "2014-01-01",
                    vec![("2014-01-01", CertificateStatus::Active), ("2019-01-01", CertificateStatus::Withdrawn)],
                )],
            ),
        ]);
        let input = MonitorInput {
            agreements: &[agreement],
            projects: &projects,
            locations: &locations,
            certificates: &certificates,
            regions: &HashMap::from([(3, "Haaglanden".to_string())]),
            municipalities: &HashMap::new(),
            parties: &HashMap::new(),
        };

        let m = monitor(&input, d("2018-01-01"));
        let r = &m.regions[0];
        assert_eq!(r.version, 1);
        assert_eq!(r.figures.realised, 130);
        assert_eq!(r.figures.pipeline.permitted, 100);
        let westland = r.municipalities.iter().find(|m| m.municipality_code == "GM1783").unwrap();
        assert_eq!((westland.figures.task, westland.figures.realised), (2000, 80));
        assert_eq!(r.unallocated_to_municipalities, 2000);
        assert_eq!(r.figures.schedule, Schedule::FarBehind);

        // The withdrawn certificate takes its beds out; version 2 stretches the pace.
        let later = monitor(&input, d("2021-06-30"));
        let r2 = &later.regions[0];
        assert_eq!((r2.version, r2.figures.realised), (2, 80));
        assert!(r2.figures.target_to_date < terms("2013-01-01", "2022-12-31").target_on(d("2021-06-30")));
        // The trend keeps what each date saw.
        let at_2018 = r2.trend.iter().find(|t| t.date == d("2017-12-31")).unwrap();
        assert_eq!(at_2018.realised, 130);
        assert_eq!(later.figures.realised, 80);
        assert_eq!(later.trend.last().unwrap().realised, 80);

        // Before the agreement applies, there is nothing to monitor.
        assert!(monitor(&input, d("2012-06-01")).regions.is_empty());
    }

    #[test]
    fn the_schedule_colour() {
        assert_eq!(Figures::new(100, 0, 0, Pipeline::default()).schedule, Schedule::NotDue);
        assert_eq!(Figures::new(100, 40, 40, Pipeline::default()).schedule, Schedule::OnSchedule);
        assert_eq!(Figures::new(100, 40, 30, Pipeline::default()).schedule, Schedule::Behind);
        assert_eq!(Figures::new(100, 40, 29, Pipeline::default()).schedule, Schedule::FarBehind);
    }

    #[test]
    fn months() {
        let m = Month::parse("2024-02").unwrap();
        assert_eq!((m.first_day(), m.last_day()), (d("2024-02-01"), d("2024-02-29")));
        assert_eq!((m.next().to_string(), m.previous().to_string()), ("2024-03".into(), "2024-01".into()));
        assert_eq!(Month::parse("2024-13").unwrap_err().0, "invalid_month");
        assert_eq!(Month::parse("1999-12").unwrap_err().0, "out_of_range");
        assert_eq!(Month::of(d("2026-11-28")).to_string(), "2026-11");
    }

    #[test]
    fn a_trend_by_quarter() {
        let dates = trend_dates(d("2025-02-10"), d("2025-11-05"));
        assert_eq!(dates, [d("2025-03-31"), d("2025-06-30"), d("2025-09-30"), d("2025-11-05")]);
        assert_eq!(trend_dates(d("2025-02-10"), d("2025-03-31")), [d("2025-03-31")]);
    }

    #[test]
    fn a_monitor_survives_a_round_trip_through_json() {
        let m = Monitor {
            as_of: d("2026-10-31"),
            figures: Figures::new(10, 5, 4, Pipeline { idea: 1, ..Pipeline::default() }),
            regions: vec![],
            trend: vec![],
            provenance: provenance(),
        };
        let back: Monitor = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}
