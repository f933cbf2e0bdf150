//! Synthetic occupancy for the demo data: pseudonymous workers and their stays on the demo
//! beds from 2024-01-01 up to today, plus reservations for the coming weeks.
//!
//! The shape follows the domain brief: mostly Polish, Romanian and Bulgarian workers;
//! short-stay beds that fill in spring and summer (asparagus, fruit, bulbs) and again before
//! Christmas (logistics), and empty in January and February; stay lengths by the location's
//! stay type; a mix of BRP, RNI and no registration, so that some long stays are flagged by
//! the registration rule; rent mostly within the rules, some deductions invalid; and a few
//! tolerated or illegal locations housing more persons than the norms permit.
//!
//! Everything is a pure function of the demo data set, the seed and `today`, drawn from a
//! ChaCha8 stream of its own (stream 3), so the locations and certificates do not move.
//!
//! The invariants the store enforces on each event hold here too: a bed holds one person a
//! night, a worker sleeps in one bed a night, only beds in service and only locations with a
//! housing provider are used, a bed has at most one open stay (and nothing after it), and,
//! apart from the chosen over-capacity locations, a location never houses more persons than
//! the norms permit on any day the generator checks.

use crate::capacity::Certified;
use crate::certificates::{CertificateSpan, CertificateStatus, certified_on};
use crate::demo::{DemoData, weighted};
use crate::ids::MunicipalityCode;
use crate::norms::RuleSet;
use crate::occupancy::{
    Deduction, DeductionProblem, Span, deduction_problems, minimum_wage_on, minimum_wages, unregistered_too_long,
};
use crate::occupancy_events::{Registration, Terms};
use crate::register::{LegalStatus, OrganisationKind, StayType};
use chrono::{Datelike, Days, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

/// A worker as their housing provider records them: a reference, never a name or a BSN.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoWorker {
    /// Index into `DemoData::organisations` of the housing provider whose reference this is.
    pub provider: usize,
    /// `W-000123`: unique in the whole data set.
    pub reference: String,
    /// ISO 3166-1 alpha-2.
    pub nationality: &'static str,
    /// Index into `DemoData::organisations` (a temp agency or an employer).
    pub employer: Option<usize>,
    pub registration: Registration,
    pub brp_municipality: Option<MunicipalityCode>,
    pub registered_on: Option<NaiveDate>,
}

/// One stay on one bed, with what the store would have computed when it was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoStay {
    /// Index into `DemoData::locations`.
    pub location: usize,
    /// Index of the bed within its location, counting the beds of all rooms in order.
    pub bed: usize,
    /// Index into `DemoOccupancy::workers`.
    pub worker: usize,
    pub check_in: NaiveDate,
    /// `None`: still running today, or a reservation.
    pub check_out: Option<NaiveDate>,
    pub terms: Terms,
    pub deduction_problems: Vec<DeductionProblem>,
    /// Housed more than 4 months within 6 while not in the BRP, judged on `today`.
    pub unregistered_long: bool,
}

impl DemoStay {
    pub fn span(&self) -> Span {
        Span { from: self.check_in, until: self.check_out }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct DemoOccupancy {
    pub workers: Vec<DemoWorker>,
    pub stays: Vec<DemoStay>,
}

/// The first day of demo occupancy.
pub const OCCUPANCY_FROM: NaiveDate = match NaiveDate::from_ymd_opt(2024, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// Reservations reach this many days beyond today.
pub const RESERVATION_DAYS: u64 = 42;

/// Nationalities of EU labour migrants in the Netherlands, as weights: Poland first by far,
/// then Romania and Bulgaria, then the rest of central and southern Europe.
pub const NATIONALITIES: &[(&str, f64)] = &[
    ("PL", 55.0),
    ("RO", 18.0),
    ("BG", 10.0),
    ("HU", 3.5),
    ("LT", 3.0),
    ("LV", 2.0),
    ("SK", 2.0),
    ("PT", 1.8),
    ("ES", 1.2),
    ("GR", 1.0),
    ("HR", 0.8),
    ("CZ", 0.7),
    ("IT", 0.5),
    ("EE", 0.3),
    ("SI", 0.2),
];

/// Check-ins per free bed and day on short-stay beds, by month: the harvest season from
/// April, the logistics peak in October and November, hardly anyone in midwinter.
const SHORT_STAY_ARRIVALS: [f64; 12] = [0.008, 0.012, 0.05, 0.14, 0.14, 0.11, 0.10, 0.10, 0.09, 0.12, 0.10, 0.015];
const MID_STAY_ARRIVALS: [f64; 12] = [0.02, 0.025, 0.06, 0.08, 0.08, 0.07, 0.06, 0.06, 0.07, 0.07, 0.06, 0.02];
const LONG_STAY_ARRIVALS: [f64; 12] = [0.04; 12];

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(OCCUPANCY_FROM)
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

fn minus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

/// Days until the next check-in on a free bed from `from`: exponential waiting with the
/// month's rate, drawn again at each month boundary (the wait has no memory).
fn wait(rng: &mut ChaCha8Rng, rates: &[f64; 12], from: NaiveDate, horizon: NaiveDate) -> Option<NaiveDate> {
    let mut t = from;
    while t <= horizon {
        let rate = rates[t.month0() as usize];
        let next_month = if t.month() == 12 { day(t.year() + 1, 1, 1) } else { day(t.year(), t.month() + 1, 1) };
        let u: f64 = rng.random::<f64>().max(1e-12);
        let days = (-u.ln() / rate).floor() as i64;
        let candidate = t + chrono::Duration::days(days);
        if candidate < next_month {
            return Some(candidate);
        }
        t = next_month;
    }
    None
}

/// The check-out day of a stay by the location's stay type: short stay three weeks to four
/// months, most of a season (now and then a contract runs just over four months), mid 4–12
/// months, long a year or more.
fn stay_until(rng: &mut ChaCha8Rng, stay_type: StayType, check_in: NaiveDate) -> NaiveDate {
    let months = |n: u32| check_in.checked_add_months(chrono::Months::new(n)).unwrap_or(check_in);
    match stay_type {
        StayType::Short if rng.random_bool(0.03) => plus(check_in, rng.random_range(121..150)),
        StayType::Short => plus(check_in, 21 + (rng.random::<f64>().powf(0.6) * 99.0) as u64),
        StayType::Mid => {
            let (from, to) = (months(4), months(12));
            plus(from, (rng.random::<f64>().powf(1.3) * (to - from).num_days() as f64) as u64)
        }
        StayType::Long => plus(months(12), (rng.random::<f64>().powf(1.5) * 700.0) as u64),
    }
}

/// The certificates of each organisation as dated spans, as the store keeps them.
pub(crate) fn certificate_book(data: &DemoData) -> HashMap<usize, Vec<CertificateSpan>> {
    let mut book: HashMap<usize, Vec<CertificateSpan>> = HashMap::new();
    for c in &data.certificates {
        let mut statuses = vec![(c.valid_from, CertificateStatus::Active)];
        statuses.extend(c.status_change.map(|(status, since)| (since, status)));
        book.entry(c.organisation).or_default().push(CertificateSpan {
            scheme: c.scheme,
            valid_from: c.valid_from,
            valid_until: None,
            statuses,
        });
    }
    book
}

fn certified(book: &HashMap<usize, Vec<CertificateSpan>>, operator: usize, date: NaiveDate) -> Certified {
    book.get(&operator).map(|spans| certified_on(spans, date)).unwrap_or_default()
}

/// A returning worker a provider may house again: free from the day of their last check-out.
struct Returning {
    worker: usize,
    free_from: NaiveDate,
}

/// Generates the demo occupancy for `data` up to `today` (and reservations after it).
/// `sets` are the norms the permitted capacity is judged by (the built-in rule sets).
pub fn generate_occupancy(data: &DemoData, seed: u64, today: NaiveDate, sets: &[RuleSet]) -> DemoOccupancy {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(3);
    let book = certificate_book(data);
    let wages = minimum_wages().unwrap_or_default();
    let employers: Vec<(usize, f64)> = data
        .organisations
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match o.kind {
            OrganisationKind::TempAgency => Some((i, 3.0)),
            OrganisationKind::Employer => Some((i, 1.0)),
            _ => None,
        })
        .collect();
    let horizon = plus(today, RESERVATION_DAYS);
    // The days on which the permitted capacity is checked: the first, the norm changes,
    // today, and (per operator, below) the days its certificates change.
    let checks: Vec<NaiveDate> = [OCCUPANCY_FROM, day(2024, 8, 15), day(2025, 7, 1), day(2026, 1, 1), today]
        .into_iter()
        .filter(|d| *d <= today)
        .collect();

    let mut out = DemoOccupancy::default();
    let mut returning: HashMap<usize, Vec<Returning>> = HashMap::new();
    // Per provider: does it keep to the deduction rules (most do)?
    let mut keeps_rules: HashMap<usize, bool> = HashMap::new();
    for (li, location) in data.locations.iter().enumerate() {
        let draft = &location.draft;
        let Some(operator) = location.operator else { continue };
        if !matches!(
            draft.legal_status,
            LegalStatus::InUse | LegalStatus::Permitted | LegalStatus::Tolerated | LegalStatus::Illegal
        ) {
            continue;
        }
        let start = draft.in_use_since.map_or(OCCUPANCY_FROM, |s| s.max(OCCUPANCY_FROM));
        if start > horizon {
            continue;
        }
        let in_service: Vec<usize> = draft
            .rooms
            .iter()
            .flat_map(|r| &r.beds)
            .enumerate()
            .filter(|(_, b)| b.out_of_service_reason.is_none())
            .map(|(i, _)| i)
            .collect();
        let bedrooms = draft.bedrooms();
        let facts = draft.facts(&bedrooms);
        let certificate_days = book.get(&operator).into_iter().flatten().flat_map(|c| c.statuses.iter().map(|s| s.0));
        let permitted = checks
            .iter()
            .copied()
            .chain(certificate_days.filter(|d| (OCCUPANCY_FROM..=today).contains(d)))
            .collect::<Vec<_>>()
            .iter()
            .filter_map(|d| {
                crate::capacity::permitted_only(sets, &draft.municipality, certified(&book, operator, *d), &facts, *d)
            })
            .min();
        // Grey and illegal places are where people are packed in beyond the norms.
        let overfull = match draft.legal_status {
            LegalStatus::Tolerated => rng.random_bool(0.4),
            LegalStatus::Illegal => rng.random_bool(0.7),
            _ => false,
        };
        let slots = match permitted {
            Some(p) if !overfull => in_service.len().min(p as usize),
            _ => in_service.len(),
        };
        let rates = match draft.stay_type {
            StayType::Short => &SHORT_STAY_ARRIVALS,
            StayType::Mid => &MID_STAY_ARRIVALS,
            StayType::Long => &LONG_STAY_ARRIVALS,
        };
        let fair = *keeps_rules.entry(operator).or_insert_with(|| rng.random_bool(0.85));
        let agricultural = rng.random_bool(0.3);
        let base_rent = 80.0 + (rng.random::<f64>() * 60.0).round();
        for &bed in &in_service[..slots] {
            // Many beds are taken in the first weeks of the data; the rest wait for the season.
            let mut free_from = start;
            let mut first = true;
            loop {
                let check_in = if first && rng.random_bool(0.6) {
                    plus(free_from, rng.random_range(0..21))
                } else {
                    match wait(&mut rng, rates, free_from, horizon) {
                        Some(d) => d,
                        None => break,
                    }
                };
                first = false;
                if check_in > horizon {
                    break;
                }
                let mut check_out = stay_until(&mut rng, draft.stay_type, check_in);
                // Most seasonal workers go home for Christmas.
                let christmas = day(check_in.year(), 12, 18);
                if draft.stay_type == StayType::Short
                    && check_in < minus(christmas, 14)
                    && check_out > christmas
                    && rng.random_bool(0.8)
                {
                    check_out = plus(christmas, rng.random_range(0..6));
                }
                let open = check_out > today || check_in > today;
                let worker = pick_worker(
                    &mut rng,
                    &mut out.workers,
                    &mut returning,
                    &employers,
                    operator,
                    draft,
                    check_in,
                    today,
                );
                let terms = terms(&mut rng, &wages, check_in, base_rent, fair, agricultural);
                let location_certified = {
                    let c = certified(&book, operator, check_in);
                    c.snf || c.akf
                };
                let deduction = Deduction {
                    per_week: terms.deduction_per_week,
                    rent_per_week: terms.rent_per_week,
                    hours_per_week: terms.hours_per_week,
                    written_authorisation: terms.written_authorisation,
                    agricultural_cao: terms.agricultural_cao,
                    location_certified,
                };
                let problems = deduction_problems(&deduction, &wages, check_in).into_iter().map(|p| p.0).collect();
                out.stays.push(DemoStay {
                    location: li,
                    bed,
                    worker,
                    check_in,
                    check_out: (!open).then_some(check_out),
                    terms,
                    deduction_problems: problems,
                    unregistered_long: false,
                });
                if open {
                    // An open stay runs for ever: nothing can follow it on this bed, and its
                    // worker is not free for another.
                    break;
                }
                // Some workers come back to the same provider: seasonal workers for the next
                // season (after some months at home), the others for the next job.
                if rng.random_bool(0.5) {
                    let home = if draft.stay_type == StayType::Short { rng.random_range(60..240) } else { 0 };
                    returning.entry(operator).or_default().push(Returning { worker, free_from: plus(check_out, home) });
                }
                free_from = check_out;
            }
        }
    }
    flag_unregistered(&mut out, today);
    out
}

/// A returning worker of this provider who is free on `check_in`, or a new one.
#[allow(clippy::too_many_arguments)]
fn pick_worker(
    rng: &mut ChaCha8Rng,
    workers: &mut Vec<DemoWorker>,
    returning: &mut HashMap<usize, Vec<Returning>>,
    employers: &[(usize, f64)],
    provider: usize,
    location: &crate::register::LocationDraft,
    check_in: NaiveDate,
    today: NaiveDate,
) -> usize {
    if let Some(pool) = returning.get_mut(&provider) {
        // A few tries among the most recent: free by now, and gone less than a year.
        for _ in 0..8.min(pool.len()) {
            let i = pool.len() - 1 - rng.random_range(0..pool.len().min(64));
            let r = &pool[i];
            if r.free_from <= check_in && (check_in - r.free_from).num_days() < 365 {
                return pool.swap_remove(i).worker;
            }
        }
    }
    let nationality = weighted(rng, NATIONALITIES);
    // Who expects to stay longer registers in the BRP; short stays mostly in the RNI.
    let registration = match location.stay_type {
        StayType::Short => {
            weighted(rng, &[(Registration::Brp, 8.0), (Registration::Rni, 62.0), (Registration::Unregistered, 30.0)])
        }
        StayType::Mid => {
            weighted(rng, &[(Registration::Brp, 88.0), (Registration::Rni, 7.0), (Registration::Unregistered, 5.0)])
        }
        StayType::Long => {
            weighted(rng, &[(Registration::Brp, 92.0), (Registration::Rni, 4.0), (Registration::Unregistered, 4.0)])
        }
    };
    let (registration, brp_municipality, registered_on) = match registration {
        Registration::Brp => {
            let on = plus(check_in, rng.random_range(3..60));
            if on <= today {
                (Registration::Brp, Some(location.municipality.clone()), Some(on))
            } else {
                (Registration::Unregistered, None, None)
            }
        }
        Registration::Rni => (Registration::Rni, None, Some(minus(check_in, rng.random_range(0..30)).min(today))),
        Registration::Unregistered => (Registration::Unregistered, None, None),
    };
    let employer = (!employers.is_empty()).then(|| weighted(rng, employers));
    workers.push(DemoWorker {
        provider,
        reference: format!("W-{:06}", workers.len() + 1),
        nationality,
        employer,
        registration,
        brp_municipality,
        registered_on,
    });
    workers.len() - 1
}

/// Rent per week (€ 80–150, the location's level give or take), one to four weeks'
/// notice, a rental contract apart from the employment contract (nearly always, as the law
/// has asked since July 2023), and rent deducted from the wage for about half the stays:
/// providers that keep to the rules deduct at most what the minimum wage allows.
fn terms(
    rng: &mut ChaCha8Rng,
    wages: &[crate::occupancy::MinimumWage],
    check_in: NaiveDate,
    base_rent: f64,
    fair: bool,
    agricultural: bool,
) -> Terms {
    let rent_per_week = (base_rent + rng.random_range(-5.0..=10.0f64)).clamp(80.0, 150.0).round();
    let hours_per_week = weighted(rng, &[(40.0, 60.0), (38.0, 15.0), (36.0, 10.0), (32.0, 15.0)]);
    let deducted = rng.random_bool(0.5);
    let written_authorisation = deducted && rng.random_bool(if fair { 0.97 } else { 0.7 });
    let deduction_per_week = if !deducted {
        0.0
    } else if fair {
        let share = if agricultural { 0.20 } else { 0.25 };
        let limit = minimum_wage_on(wages, check_in).map_or(0.0, |w| w.per_hour * hours_per_week * share);
        rent_per_week.min((limit * 100.0).floor() / 100.0)
    } else {
        rent_per_week
    };
    Terms {
        separate_contract: rng.random_bool(0.95),
        contract_start: minus(check_in, if rng.random_bool(0.2) { rng.random_range(1..15) } else { 0 }),
        rent_per_week,
        notice_days: weighted(rng, &[(7, 25.0), (14, 35.0), (21, 10.0), (28, 30.0)]),
        deduction_per_week,
        written_authorisation,
        hours_per_week,
        agricultural_cao: agricultural,
    }
}

/// The registration rule for every worker, as the store computes it: the worker's stays
/// against their BRP registration; every stay before the registration is flagged when the
/// worker was housed more than 4 months within 6 unregistered.
fn flag_unregistered(out: &mut DemoOccupancy, today: NaiveDate) {
    let mut by_worker: Vec<Vec<usize>> = vec![Vec::new(); out.workers.len()];
    for (i, s) in out.stays.iter().enumerate() {
        by_worker[s.worker].push(i);
    }
    for (w, stays) in by_worker.iter().enumerate() {
        let worker = &out.workers[w];
        let brp_since = (worker.registration == Registration::Brp).then_some(worker.registered_on).flatten();
        let spans: Vec<Span> = stays.iter().map(|&i| out.stays[i].span()).collect();
        if !unregistered_too_long(&spans, brp_since, today) {
            continue;
        }
        let stop = brp_since.unwrap_or(NaiveDate::MAX);
        for &i in stays {
            out.stays[i].unregistered_long = out.stays[i].check_in < stop;
        }
    }
}

/// Nights occupied per calendar month (`(year, month)` → bed-nights), for tests and checks.
pub fn nights_per_month(stays: &[DemoStay], until: NaiveDate) -> HashMap<(i32, u32), u64> {
    let mut out: HashMap<(i32, u32), u64> = HashMap::new();
    for s in stays {
        let end = s.check_out.unwrap_or(until).min(until);
        let mut d = s.check_in;
        while d < end {
            *out.entry((d.year(), d.month())).or_default() += 1;
            d = d.succ_opt().unwrap_or(end);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::{DEFAULT_SEED, generate};
    use crate::geography::{
        BOUNDARIES_RD_GEOJSON, MUNICIPALITIES_CSV, PLACES_CSV, parse_boundaries, parse_municipalities,
        places_by_municipality,
    };
    use crate::norms::builtin_rule_sets;
    use crate::occupancy::{StayLength, first_overlap};
    use std::collections::HashSet;
    use std::sync::LazyLock;

    const TODAY: NaiveDate = match NaiveDate::from_ymd_opt(2026, 11, 28) {
        Some(d) => d,
        None => NaiveDate::MIN,
    };

    static DATA: LazyLock<DemoData> = LazyLock::new(|| {
        let munis = parse_municipalities(MUNICIPALITIES_CSV).unwrap();
        let boundaries = parse_boundaries(BOUNDARIES_RD_GEOJSON).unwrap();
        generate(0.1, DEFAULT_SEED, &munis, &boundaries, &places_by_municipality(PLACES_CSV))
    });
    static SETS: LazyLock<Vec<RuleSet>> = LazyLock::new(|| builtin_rule_sets().unwrap());
    static SAMPLE: LazyLock<DemoOccupancy> = LazyLock::new(|| generate_occupancy(&DATA, DEFAULT_SEED, TODAY, &SETS));

    fn share(part: usize, whole: usize) -> f64 {
        part as f64 / whole.max(1) as f64
    }

    #[test]
    fn deterministic_by_seed_and_day() {
        let again = generate_occupancy(&DATA, DEFAULT_SEED, TODAY, &SETS);
        assert!(again == *SAMPLE);
        let other = generate_occupancy(&DATA, DEFAULT_SEED + 1, TODAY, &SETS);
        assert!(other.stays != SAMPLE.stays);
    }

    #[test]
    fn one_person_per_bed_and_one_bed_per_person() {
        let o = &*SAMPLE;
        assert!(o.stays.len() > 10_000, "{} stays", o.stays.len());
        let mut per_bed: HashMap<(usize, usize), Vec<Span>> = HashMap::new();
        let mut per_worker: HashMap<usize, Vec<Span>> = HashMap::new();
        for s in &o.stays {
            per_bed.entry((s.location, s.bed)).or_default().push(s.span());
            per_worker.entry(s.worker).or_default().push(s.span());
        }
        for (bed, spans) in &per_bed {
            assert_eq!(first_overlap(spans), None, "bed {bed:?}: {spans:?}");
            // At most one open stay, and nothing begins after it.
            let open: Vec<_> = spans.iter().filter(|s| s.until.is_none()).collect();
            assert!(open.len() <= 1, "bed {bed:?}");
            if let Some(o) = open.first() {
                assert!(spans.iter().all(|s| s.from <= o.from), "bed {bed:?}");
            }
        }
        for (worker, spans) in &per_worker {
            assert_eq!(first_overlap(spans), None, "worker {worker}: {spans:?}");
        }
        // Some workers come back, for another season or another bed.
        assert!(per_worker.values().filter(|s| s.len() > 1).count() > o.workers.len() / 20);
    }

    #[test]
    fn only_beds_in_service_at_operated_locations_in_use() {
        let o = &*SAMPLE;
        for s in &o.stays {
            let l = &DATA.locations[s.location];
            assert!(l.operator.is_some());
            assert!(!matches!(l.draft.legal_status, LegalStatus::Planned | LegalStatus::Closed));
            let bed = l.draft.rooms.iter().flat_map(|r| &r.beds).nth(s.bed).unwrap();
            assert!(bed.out_of_service_reason.is_none());
            assert_eq!(o.workers[s.worker].provider, l.operator.unwrap());
            assert!(s.check_in >= OCCUPANCY_FROM && s.check_in <= plus(TODAY, RESERVATION_DAYS));
            // Closed stays ended by today; the others run on (reservations included).
            assert!(s.check_out.is_none_or(|c| c <= TODAY));
        }
        let reservations = o.stays.iter().filter(|s| s.check_in > TODAY).count();
        let current = o.stays.iter().filter(|s| s.check_in <= TODAY && s.check_out.is_none()).count();
        assert!(reservations > 0 && current > 10 * reservations, "{reservations} reservations, {current} current");
        let references: HashSet<_> = o.workers.iter().map(|w| w.reference.as_str()).collect();
        assert_eq!(references.len(), o.workers.len());
        assert!(o.workers.iter().all(|w| w.reference.len() == 8 && w.reference.starts_with("W-")));
    }

    #[test]
    fn mostly_polish_romanian_and_bulgarian() {
        let w = &SAMPLE.workers;
        let of = |c: &str| share(w.iter().filter(|x| x.nationality == c).count(), w.len());
        assert!((0.50..0.60).contains(&of("PL")), "PL {}", of("PL"));
        assert!((0.15..0.21).contains(&of("RO")), "RO {}", of("RO"));
        assert!((0.08..0.12).contains(&of("BG")), "BG {}", of("BG"));
        assert!(of("HU") > 0.0 && of("PT") > 0.0);
        assert!(w.iter().all(|x| crate::occupancy_events::parse_nationality(x.nationality).is_ok()));
    }

    #[test]
    fn summer_and_the_christmas_peak_busier_than_february() {
        let nights = nights_per_month(&SAMPLE.stays, TODAY);
        for year in [2025, 2026] {
            let feb = nights[&(year, 2)] as f64;
            let jul = nights[&(year, 7)] as f64;
            assert!(jul > 1.3 * feb, "{year}: July {jul} vs February {feb}");
        }
        let nov = nights[&(2025, 11)] as f64;
        assert!(nov > 1.2 * nights[&(2026, 2)] as f64);
        // On short-stay beds the swing is larger still.
        let short: Vec<DemoStay> = SAMPLE
            .stays
            .iter()
            .filter(|s| DATA.locations[s.location].draft.stay_type == StayType::Short)
            .cloned()
            .collect();
        let n = nights_per_month(&short, TODAY);
        assert!(n[&(2025, 7)] as f64 > 1.8 * n[&(2025, 2)] as f64);
    }

    #[test]
    fn stay_lengths_follow_the_stay_type() {
        let mut by_type: HashMap<StayType, Vec<StayLength>> = HashMap::new();
        for s in SAMPLE.stays.iter().filter(|s| s.check_out.is_some()) {
            let t = DATA.locations[s.location].draft.stay_type;
            by_type.entry(t).or_default().push(StayLength::of(&s.span(), TODAY));
        }
        let of = |t: StayType, l: StayLength| {
            let v = &by_type[&t];
            share(v.iter().filter(|x| **x == l).count(), v.len())
        };
        assert!(of(StayType::Short, StayLength::Short) > 0.85);
        assert_eq!(of(StayType::Mid, StayLength::Short), 0.0);
        assert!(of(StayType::Mid, StayLength::Mid) > 0.99);
        assert_eq!(of(StayType::Long, StayLength::Long), 1.0);
    }

    #[test]
    fn registration_mix_and_unregistered_long_stays() {
        let o = &*SAMPLE;
        for w in &o.workers {
            match w.registration {
                Registration::Brp => assert!(w.brp_municipality.is_some() && w.registered_on.is_some()),
                Registration::Rni => assert!(w.brp_municipality.is_none() && w.registered_on.is_some()),
                Registration::Unregistered => assert!(w.brp_municipality.is_none() && w.registered_on.is_none()),
            }
            assert!(w.registered_on.is_none_or(|d| d <= TODAY));
        }
        for r in [Registration::Brp, Registration::Rni, Registration::Unregistered] {
            assert!(share(o.workers.iter().filter(|w| w.registration == r).count(), o.workers.len()) > 0.1, "{r}");
        }
        let flagged = o.stays.iter().filter(|s| s.unregistered_long).count();
        assert!((0.02..0.3).contains(&share(flagged, o.stays.len())), "{flagged} of {}", o.stays.len());
        // The flag is the core's rule, recomputed per worker.
        let mut by_worker: HashMap<usize, Vec<&DemoStay>> = HashMap::new();
        for s in &o.stays {
            by_worker.entry(s.worker).or_default().push(s);
        }
        for (w, stays) in by_worker {
            let worker = &o.workers[w];
            let brp = (worker.registration == Registration::Brp).then_some(worker.registered_on).flatten();
            let spans: Vec<Span> = stays.iter().map(|s| s.span()).collect();
            let rule = unregistered_too_long(&spans, brp, TODAY);
            for s in stays {
                assert_eq!(s.unregistered_long, rule && brp.is_none_or(|b| s.check_in < b));
            }
        }
    }

    #[test]
    fn over_capacity_only_at_a_few_grey_or_illegal_locations() {
        let mut per_location: HashMap<usize, Vec<Span>> = HashMap::new();
        for s in &SAMPLE.stays {
            per_location.entry(s.location).or_default().push(s.span());
        }
        let mut over = Vec::new();
        for (li, spans) in &per_location {
            let l = &DATA.locations[*li];
            let bedrooms = l.draft.bedrooms();
            let facts = l.draft.facts(&bedrooms);
            // Uncertified is the most lenient reading: over even then is over.
            let Some(permitted) =
                crate::capacity::permitted_only(&SETS, &l.draft.municipality, Certified::default(), &facts, TODAY)
            else {
                continue;
            };
            let peak = spans.iter().filter(|s| s.covers(TODAY)).count();
            if peak > permitted as usize {
                over.push(l.draft.legal_status);
            }
        }
        assert!(!over.is_empty());
        assert!(over.iter().all(|s| s.is_grey_or_illegal()), "{over:?}");
        assert!(over.len() * 20 < per_location.len(), "{} of {}", over.len(), per_location.len());
    }

    #[test]
    fn rental_terms_are_realistic() {
        let o = &*SAMPLE;
        for s in &o.stays {
            let t = &s.terms;
            assert!((80.0..=150.0).contains(&t.rent_per_week), "{}", t.rent_per_week);
            assert!((7..=28).contains(&t.notice_days));
            assert!(t.contract_start <= s.check_in);
            assert!(t.deduction_per_week <= t.rent_per_week);
        }
        let deducted: Vec<_> = o.stays.iter().filter(|s| s.terms.deduction_per_week > 0.0).collect();
        assert!((0.4..0.6).contains(&share(deducted.len(), o.stays.len())));
        let invalid = deducted.iter().filter(|s| !s.deduction_problems.is_empty()).count();
        assert!((0.05..0.4).contains(&share(invalid, deducted.len())), "{invalid} of {}", deducted.len());
        assert!(o.stays.iter().filter(|s| s.terms.deduction_per_week == 0.0).all(|s| s.deduction_problems.is_empty()));
        assert!(o.stays.iter().any(|s| !s.terms.separate_contract));
    }
}
