//! Demo agreements and projects (issue 5, stream 4 of the seed): the Haaglanden agreement of
//! the 2012 campaign — 6,000 extra short-stay places, 2,000 in Den Haag and 2,000 in
//! Westland, with Westland's slow delivery (about 320 by 2020) — plausible agreements for
//! the other seven campaign regions, and projects from idea to occupied beds.
//!
//! What is real is only what `domain.md` records (Haaglanden's task and its split over Den
//! Haag and Westland); everything else is synthetic and says so. Delivered projects are
//! linked to demo register locations of their municipality whose operator is certified, so
//! realised places come from the register like real ones.

use crate::agreements::{
    AgreementTerms, Milestone, MunicipalityShare, PartyKind, PartyShare, Places, Signatory, SignatoryRole, Stage,
    StageEntry,
};
use crate::certificates::CertificateSpan;
use crate::demo::DemoData;
use crate::geography::{self, RegionKind};
use crate::ids::MunicipalityCode;
use crate::register::StayType;
use chrono::{Datelike, Days, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, PartialEq)]
pub struct DemoParty {
    pub name: String,
    pub kind: PartyKind,
    pub municipality: Option<MunicipalityCode>,
}

/// An agreement's versions; every `party_id` in them is an index into
/// [`DemoAgreements::parties`] until the loader swaps in database ids.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAgreement {
    /// The region's code in the register (`campagne-…`).
    pub region_code: String,
    pub versions: Vec<AgreementTerms>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoProject {
    pub name: String,
    pub municipality: MunicipalityCode,
    /// Index into [`DemoAgreements::parties`].
    pub party: usize,
    /// Index into [`DemoAgreements::agreements`].
    pub agreement: usize,
    pub planned: Vec<Places>,
    /// Oldest first, none after today.
    pub stages: Vec<StageEntry>,
    /// Indices into [`DemoData::locations`].
    pub locations: Vec<usize>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DemoAgreements {
    pub parties: Vec<DemoParty>,
    pub agreements: Vec<DemoAgreement>,
    pub projects: Vec<DemoProject>,
}

/// A date as (year, month, day), for the constant plans.
type Ymd = (i32, u32, u32);

struct Plan {
    region: &'static str,
    short: i64,
    mid: i64,
    start: Ymd,
    end: Ymd,
    /// A revision: from when, and the new end of the period.
    revision: Option<(Ymd, Ymd)>,
    /// Places delivered by today as a share of the task.
    delivery: f64,
}

/// Haaglanden's task and its split over Den Haag and Westland are on record; the rest of these
/// plans is invented for the demo.
const PLANS: [Plan; 8] = [
    Plan {
        region: "stadsgewest-haaglanden",
        short: 6000,
        mid: 0,
        start: (2012, 10, 1),
        end: (2020, 12, 31),
        revision: Some(((2021, 1, 1), (2027, 12, 31))),
        delivery: 0.62,
    },
    Plan {
        region: "stadsregio-rotterdam",
        short: 3000,
        mid: 1000,
        start: (2013, 1, 1),
        end: (2022, 12, 31),
        revision: None,
        delivery: 0.85,
    },
    Plan {
        region: "stadsregio-amsterdam",
        short: 2500,
        mid: 1000,
        start: (2013, 7, 1),
        end: (2023, 12, 31),
        revision: Some(((2020, 7, 1), (2026, 12, 31))),
        delivery: 0.7,
    },
    Plan {
        region: "west-brabant",
        short: 3000,
        mid: 0,
        start: (2013, 1, 1),
        end: (2021, 12, 31),
        revision: None,
        delivery: 1.05,
    },
    Plan {
        region: "limburg",
        short: 2000,
        mid: 1000,
        start: (2013, 4, 1),
        end: (2022, 12, 31),
        revision: None,
        delivery: 0.9,
    },
    Plan {
        region: "noord-holland-noord",
        short: 2500,
        mid: 0,
        start: (2013, 1, 1),
        end: (2022, 12, 31),
        revision: None,
        delivery: 1.0,
    },
    Plan {
        region: "regio-eindhoven",
        short: 2000,
        mid: 500,
        start: (2013, 7, 1),
        end: (2023, 6, 30),
        revision: None,
        delivery: 0.6,
    },
    Plan {
        region: "holland-rijnland",
        short: 2000,
        mid: 0,
        start: (2014, 1, 1),
        end: (2023, 12, 31),
        revision: None,
        delivery: 0.75,
    },
];

const DEN_HAAG: &str = "GM0518";
const WESTLAND: &str = "GM1783";
/// Haaglanden's other seven municipalities share 2,000 places (the split among them is ours).
const HAAGLANDEN_OTHERS: [(&str, i64); 7] = [
    ("GM0503", 400),
    ("GM0637", 400),
    ("GM1916", 300),
    ("GM0603", 300),
    ("GM1926", 250),
    ("GM0629", 200),
    ("GM1842", 150),
];
/// Westland had about 320 of its 2,000 places by 2020 (domain.md); in the demo, later years
/// go a little faster, to about 720 today.
const WESTLAND_DELIVERY: f64 = 0.36;

fn ymd((y, m, d): Ymd) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn day_between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let (a, b) = (from.num_days_from_ce(), to.num_days_from_ce().max(from.num_days_from_ce()));
    NaiveDate::from_num_days_from_ce_opt(rng.random_range(a..=b)).unwrap_or(from)
}

fn months_before(date: NaiveDate, rng: &mut ChaCha8Rng, lo: u64, hi: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(rng.random_range(lo * 30..=hi * 30))).unwrap_or(date)
}

/// Yearly cumulative milestones on a straight line from the start to the whole task at the end.
fn yearly_pace(start: NaiveDate, end: NaiveDate, total: i64) -> Vec<Milestone> {
    let span = (end - start).num_days().max(1);
    (start.year()..end.year())
        .filter_map(|y| NaiveDate::from_ymd_opt(y, 12, 31))
        .filter(|d| *d > start && *d < end)
        .map(|date| Milestone { date, places: total * (date - start).num_days() / span / 10 * 10 })
        .collect()
}

/// The stages of a project delivered on `delivered`, the steps before it backwards, the ones
/// after it forwards, none after `today`.
fn delivered_stages(rng: &mut ChaCha8Rng, delivered: NaiveDate, today: NaiveDate) -> Vec<StageEntry> {
    let building = months_before(delivered, rng, 6, 18);
    let permitted = months_before(building, rng, 2, 6);
    let applied = months_before(permitted, rng, 3, 9);
    let planned = months_before(applied, rng, 2, 6);
    let idea = months_before(planned, rng, 3, 9);
    let certified = delivered.checked_add_days(Days::new(rng.random_range(0..=60))).unwrap_or(delivered);
    let occupied = certified.checked_add_days(Days::new(rng.random_range(0..=60))).unwrap_or(certified);
    [
        (Stage::Idea, idea),
        (Stage::Planned, planned),
        (Stage::PermitApplied, applied),
        (Stage::Permitted, permitted),
        (Stage::UnderConstruction, building),
        (Stage::Delivered, delivered),
        (Stage::Certified, certified),
        (Stage::Occupied, occupied),
    ]
    .into_iter()
    .filter(|(_, d)| *d <= today)
    .map(|(stage, date)| StageEntry { stage, date })
    .collect()
}

/// A project still in the pipeline (at `stage` since a recent date), or cancelled there.
fn pipeline_stages(
    rng: &mut ChaCha8Rng,
    stage: Stage,
    since: NaiveDate,
    cancelled: Option<NaiveDate>,
) -> Vec<StageEntry> {
    let mut stages = Vec::new();
    let mut date = since;
    for s in Stage::PIPELINE.iter().rev().filter(|s| **s <= stage) {
        stages.push(StageEntry { stage: *s, date });
        date = months_before(date, rng, 2, 8);
    }
    stages.reverse();
    if let Some(c) = cancelled {
        stages.push(StageEntry { stage: Stage::Cancelled, date: c.max(since) });
    }
    stages
}

/// The demo's agreements and projects for `data` up to `today`.
pub fn generate_agreements(data: &DemoData, seed: u64, today: NaiveDate) -> DemoAgreements {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(4);
    let munis = geography::parse_municipalities(geography::MUNICIPALITIES_CSV).unwrap_or_default();
    let names: HashMap<&str, &str> = munis.iter().map(|m| (m.code.as_str(), m.name.as_str())).collect();
    let regions = geography::standard_regions(&munis, geography::CAMPAIGN_REGIONS_CSV).unwrap_or_default();
    let book: HashMap<usize, Vec<CertificateSpan>> = crate::demo_occupancy::certificate_book(data);
    let certified =
        |operator: usize, date: NaiveDate| book.get(&operator).is_some_and(|c| c.iter().any(|s| s.in_force_on(date)));

    // Locations a delivered project can be linked to: per municipality and stay type, with a
    // certified operator today, in the order of the data set.
    let mut candidates: HashMap<(String, StayType), Vec<usize>> = HashMap::new();
    for (i, l) in data.locations.iter().enumerate() {
        if let Some(op) = l.operator
            && certified(op, today)
        {
            candidates.entry((l.draft.municipality.as_str().to_string(), l.draft.stay_type)).or_default().push(i);
        }
    }
    let mut used: HashSet<usize> = HashSet::new();

    let mut out = DemoAgreements::default();
    let mut municipality_party: HashMap<String, usize> = HashMap::new();
    for plan in &PLANS {
        let code = format!("campagne-{}", plan.region);
        let Some(region) = regions.iter().find(|r| r.kind == RegionKind::Campaign2012 && r.code == code) else {
            continue;
        };
        let (start, end) = (ymd(plan.start), ymd(plan.end));
        let total = plan.short + plan.mid;
        let haaglanden = plan.region == "stadsgewest-haaglanden";

        // Parties: the municipalities, two housing corporations and two employers.
        let mut signatories = Vec::new();
        for m in &region.members {
            let index = *municipality_party.entry(m.as_str().to_string()).or_insert_with(|| {
                out.parties.push(DemoParty {
                    name: format!("Gemeente {}", names.get(m.as_str()).copied().unwrap_or(m.as_str())),
                    kind: PartyKind::Municipality,
                    municipality: Some(m.clone()),
                });
                out.parties.len() - 1
            });
            signatories.push(Signatory { party_id: index as i64, role: SignatoryRole::Municipality });
        }
        let short_name = region.name.split_whitespace().last().unwrap_or(&region.name).to_string();
        let builders: Vec<(usize, SignatoryRole, f64)> = [
            (
                format!("Woonstichting {short_name} (demo)"),
                PartyKind::HousingCorporation,
                SignatoryRole::HousingProvider,
                0.35,
            ),
            (
                format!("Wooncorporatie {short_name} Flex (demo)"),
                PartyKind::HousingCorporation,
                SignatoryRole::HousingProvider,
                0.25,
            ),
            (format!("Uitzendbureau {short_name} (demo)"), PartyKind::TempAgency, SignatoryRole::Employer, 0.15),
            (format!("Werkgeversvereniging {short_name} (demo)"), PartyKind::Employer, SignatoryRole::Employer, 0.1),
        ]
        .into_iter()
        .map(|(name, kind, role, share)| {
            out.parties.push(DemoParty { name, kind, municipality: None });
            (out.parties.len() - 1, role, share)
        })
        .collect();
        signatories.extend(builders.iter().map(|(i, role, _)| Signatory { party_id: *i as i64, role: *role }));
        // 85% of the task is taken on by a party: the rest shows as unallocated.
        let party_split: Vec<PartyShare> = builders
            .iter()
            .map(|(i, _, share)| PartyShare {
                party_id: *i as i64,
                places: (total as f64 * share / 10.0).round() as i64 * 10,
            })
            .collect();

        // The split over municipalities: Haaglanden's as recorded, the others by the beds
        // each municipality has in the demo register.
        let municipality_split: Vec<MunicipalityShare> = if haaglanden {
            [(DEN_HAAG, 2000), (WESTLAND, 2000)]
                .into_iter()
                .chain(HAAGLANDEN_OTHERS)
                .map(|(c, places)| MunicipalityShare { municipality_code: c.to_string(), places })
                .collect()
        } else {
            let weight = |m: &MunicipalityCode| {
                candidates
                    .iter()
                    .filter(|((c, _), _)| c == m.as_str())
                    .map(|(_, v)| v.iter().map(|&i| data.locations[i].draft.beds_in_service()).sum::<usize>())
                    .sum::<usize>() as f64
                    + 20.0
            };
            let weights: Vec<(String, f64)> =
                region.members.iter().map(|m| (m.as_str().to_string(), weight(m))).collect();
            let sum: f64 = weights.iter().map(|(_, w)| w).sum();
            weights
                .into_iter()
                .map(|(c, w)| MunicipalityShare {
                    municipality_code: c,
                    places: (total as f64 * w / sum / 10.0).floor() as i64 * 10,
                })
                .collect()
        };

        let mut task = vec![Places { stay_type: StayType::Short, places: plan.short }];
        if plan.mid > 0 {
            task.push(Places { stay_type: StayType::Mid, places: plan.mid });
        }
        let source = if haaglanden {
            "Opgave 6.000 extra short-stay plaatsen, waarvan 2.000 in Den Haag en 2.000 in Westland: brief aan de Tweede Kamer, 18 januari 2013. Looptijd, tempo, de verdeling over de andere gemeenten en over partijen en de herziening zijn synthetisch (demo).".to_string()
        } else {
            format!("Synthetisch (demo): een denkbare afspraak voor {} in de campagne Flexwonen van 2012.", region.name)
        };
        let first = AgreementTerms {
            title: format!("Regionale afspraak huisvesting arbeidsmigranten {}", region.name),
            applies_from: start,
            period_start: start,
            period_end: end,
            task: task.clone(),
            signatories: signatories.clone(),
            municipality_split: municipality_split.clone(),
            party_split: party_split.clone(),
            pace: yearly_pace(start, end, total),
            source: source.clone(),
            synthetic: true,
        };
        let mut versions = vec![first.clone()];
        if let Some((from, new_end)) = plan.revision {
            let (from, new_end) = (ymd(from), ymd(new_end));
            // The revision keeps the milestones of the years before its last, and stretches the
            // rest of the task to the new end: the target to date drops where it applies.
            let keep_until = from.checked_sub_months(chrono::Months::new(12)).unwrap_or(from);
            let mut pace: Vec<Milestone> = first.pace.iter().filter(|m| m.date < keep_until).copied().collect();
            let (since, done) = pace.last().map_or((start, 0), |m| (m.date, m.places));
            pace.extend(
                yearly_pace(since, new_end, total - done)
                    .into_iter()
                    .filter(|m| m.date > since)
                    .map(|m| Milestone { date: m.date, places: done + m.places }),
            );
            versions.push(AgreementTerms {
                title: format!("{} (herzien)", first.title),
                applies_from: from,
                period_end: new_end,
                pace,
                ..first.clone()
            });
        }
        let agreement = out.agreements.len();
        out.agreements.push(DemoAgreement { region_code: code.clone(), versions });

        // Projects per municipality: delivered ones up to the municipality's delivery, then
        // the pipeline, a few cancelled.
        let first_delivery = start.checked_add_days(Days::new(540)).unwrap_or(start);
        let last_delivery = today.checked_sub_days(Days::new(60)).unwrap_or(today);
        for share in &municipality_split {
            let Ok(municipality) = MunicipalityCode::parse(&share.municipality_code) else { continue };
            let westland = share.municipality_code == WESTLAND;
            let delivery =
                if westland { WESTLAND_DELIVERY } else { (plan.delivery * rng.random_range(0.7..1.3)).min(1.2) };
            let delivered_target = (share.places as f64 * delivery) as i64;
            let pipeline_target = (share.places as f64 * rng.random_range(0.15..0.45)) as i64;
            let place = names.get(share.municipality_code.as_str()).copied().unwrap_or("");
            // The projects first (size, stay type, party), delivered ones up to the target;
            // then their dates by the cumulative delivered share, so they spread over the years
            // (Westland's come late).
            let mut drafts: Vec<(i64, StayType, usize, bool)> = Vec::new();
            let (mut delivered, mut in_pipeline) = (0, 0);
            while delivered < delivered_target || in_pipeline < pipeline_target {
                let stay_type =
                    if plan.mid > 0 && rng.random_range(0..4) == 0 { StayType::Mid } else { StayType::Short };
                let planned = (rng.random_range(4..=24) * 10).min(share.places.max(40));
                let party = if rng.random_range(0..10) < 3 {
                    municipality_party.get(&share.municipality_code).copied().unwrap_or(builders[0].0)
                } else {
                    builders[rng.random_range(0..builders.len())].0
                };
                let is_delivered = delivered < delivered_target;
                if is_delivered {
                    delivered += planned;
                } else {
                    in_pipeline += planned;
                }
                drafts.push((planned, stay_type, party, is_delivered));
            }
            let span = (last_delivery - first_delivery).num_days().max(1) as f64;
            let mut cumulative = 0;
            for (n, (planned, stay_type, party, is_delivered)) in drafts.into_iter().enumerate() {
                let (stages, locations) = if is_delivered {
                    // Somewhere in the project's own slice of the delivered places (a
                    // municipality with one project gets any year).
                    let x = (cumulative as f64 + planned as f64 * rng.random::<f64>()) / delivered.max(1) as f64;
                    cumulative += planned;
                    let t = if westland { x.powf(0.7) } else { x };
                    let date = first_delivery.checked_add_days(Days::new((span * t) as u64)).unwrap_or(first_delivery);
                    // Linked locations: the municipality's of the stay type whose operator was
                    // certified when delivered (so its beds count from then on), until their beds
                    // cover most of the plan.
                    let mut beds = 0;
                    let mut linked = Vec::new();
                    if let Some(list) = candidates.get(&(share.municipality_code.clone(), stay_type)) {
                        for &i in list {
                            if beds as f64 >= planned as f64 * 0.85 {
                                break;
                            }
                            let b = data.locations[i].draft.beds_in_service() as i64;
                            let in_time = data.locations[i].operator.is_some_and(|op| certified(op, date));
                            if b > 0 && b as f64 <= planned as f64 * 1.2 && in_time && used.insert(i) {
                                beds += b;
                                linked.push(i);
                            }
                        }
                    }
                    (delivered_stages(&mut rng, date, today), linked)
                } else {
                    let stage = Stage::PIPELINE[rng.random_range(0..Stage::PIPELINE.len())];
                    let since = day_between(&mut rng, today.checked_sub_days(Days::new(400)).unwrap_or(today), today);
                    let cancelled = (rng.random_range(0..12) == 0).then(|| day_between(&mut rng, since, today));
                    (pipeline_stages(&mut rng, stage, since, cancelled), Vec::new())
                };
                out.projects.push(DemoProject {
                    name: format!(
                        "{} {place} {} (demo)",
                        if stay_type == StayType::Mid { "Midstay" } else { "Logies" },
                        n + 1
                    ),
                    municipality: municipality.clone(),
                    party,
                    agreement,
                    planned: vec![Places { stay_type, places: planned }],
                    stages,
                    locations,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> (DemoData, DemoAgreements, NaiveDate) {
        let munis = geography::parse_municipalities(geography::MUNICIPALITIES_CSV).unwrap();
        let boundaries = geography::parse_boundaries(geography::BOUNDARIES_RD_GEOJSON).unwrap();
        let places = geography::places_by_municipality(geography::PLACES_CSV);
        let data = crate::demo::generate(0.3, 7, &munis, &boundaries, &places);
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
        let agreements = generate_agreements(&data, 7, today);
        (data, agreements, today)
    }

    #[test]
    fn eight_campaign_agreements_with_haaglanden_as_recorded() {
        let (data, demo, today) = demo();
        assert_eq!(demo.agreements.len(), 8);
        let haaglanden = &demo.agreements[0];
        let v1 = &haaglanden.versions[0];
        assert_eq!(v1.total_task(), 6000);
        let share = |c: &str| v1.municipality_split.iter().find(|s| s.municipality_code == c).unwrap().places;
        assert_eq!((share(DEN_HAAG), share(WESTLAND)), (2000, 2000));
        assert_eq!(v1.unallocated_to_municipalities(), 0);
        assert_eq!(haaglanden.versions.len(), 2);
        // Every project's stages come in order, none after today; links are unique.
        let mut seen = HashSet::new();
        for p in &demo.projects {
            assert!(p.stages.windows(2).all(|w| w[0].date <= w[1].date && (w[0].stage < w[1].stage)), "{p:?}");
            assert!(p.stages.last().is_some_and(|s| s.date <= today));
            assert!(
                p.locations.iter().all(|i| seen.insert(*i) && data.locations[*i].draft.municipality == p.municipality)
            );
        }
        // Westland planned its delivered projects slowly: well under half of the share by 2020.
        let westland_by_2020: i64 = demo
            .projects
            .iter()
            .filter(|p| p.municipality.as_str() == WESTLAND)
            .filter(|p| p.stages.iter().any(|s| s.stage == Stage::Delivered && s.date.year() <= 2020))
            .map(|p| p.planned[0].places)
            .sum();
        assert!((150..=500).contains(&westland_by_2020), "{westland_by_2020}");
        // Deterministic.
        assert_eq!(demo, generate_agreements(&data, 7, today));
    }
}
