//! Permitted capacity and violations: a location's facts judged against the rule sets that
//! apply to it on a date.
//!
//! Every applicable rule must hold, so a scheme's permitted number of persons is the lowest
//! limit of its rules, and the location's is the lowest over its schemes. Bedroom rules are
//! combined per room (a room holds the fewest persons any bedroom rule allows) before summing.
//! Evaluation does not allocate unless there are violations: the national report judges every
//! location in the register.

use crate::norms::{Constraint, NormScheme, Rule, RuleSet, RuleSetVersion};
use crate::register::HousingForm;
use chrono::NaiveDate;
use serde::Serialize;

/// Guards the floor of a division against binary rounding (10.5 / 3.5 must be 3).
const EPSILON: f64 = 1e-9;

/// A room with beds: its area and the persons it holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bedroom {
    pub area_m2: f64,
    pub persons: u32,
}

/// What the norms look at: from the register (persons = beds in service) or from an
/// inspection (persons present, measured areas).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Facts<'a> {
    pub housing_form: HousingForm,
    pub zoned_residential: bool,
    pub new_build: bool,
    pub in_use_since: Option<NaiveDate>,
    pub conversion_permit: bool,
    pub bedroom_sharing_agreed: bool,
    pub floor_area_m2: f64,
    pub toilets: i64,
    pub showers: i64,
    pub persons: u32,
    pub bedrooms: &'a [Bedroom],
}

/// Which certificates the operator holds on the date, which decides whether SNF and AKF apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Certified {
    pub snf: bool,
    pub akf: bool,
}

impl Certified {
    pub fn covers(self, scheme: NormScheme) -> bool {
        match scheme {
            NormScheme::Bouwbesluit | NormScheme::Municipal => true,
            NormScheme::Snf => self.snf,
            NormScheme::Akf => self.akf,
        }
    }
}

/// A set of constraints, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Constraints(u16);

impl Constraints {
    pub fn insert(&mut self, c: Constraint) {
        self.0 |= c.bit();
    }
    pub fn contains(self, c: Constraint) -> bool {
        self.0 & c.bit() != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Constraint> {
        Constraint::ALL.iter().copied().filter(move |c| self.contains(*c))
    }
}

impl Serialize for Constraints {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// A rule that does not hold: what was measured against what it requires.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation<'r> {
    #[serde(skip)]
    pub rule: &'r Rule,
    pub constraint: Constraint,
    /// Index into the facts' bedrooms, for a bedroom rule.
    pub bedroom: Option<usize>,
    pub measured: f64,
    pub required: f64,
    /// Whether `required` is a minimum (`at_least`) or a maximum (`at_most`).
    pub comparison: Comparison,
    pub source: &'r str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    AtLeast,
    AtMost,
}

/// One rule set's judgement of one location on one date.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment<'r> {
    pub rule_set: &'r RuleSet,
    pub version: &'r RuleSetVersion,
    /// The most persons every rule allows; `None` when no rule limits the number.
    pub permitted: Option<u32>,
    /// The constraints that set `permitted`.
    pub binding: Constraints,
    /// Bedroom rules that could not be judged because no bedrooms are known.
    pub unassessed: Constraints,
    pub violations: Vec<Violation<'r>>,
}

/// Judges `facts` against the version of `set` in force on `date`; `None` when no version
/// is in force then.
pub fn assess<'r>(set: &'r RuleSet, facts: &Facts<'_>, date: NaiveDate) -> Option<Assessment<'r>> {
    let version = set.version_on(date)?;
    let mut assessment = Assessment {
        rule_set: set,
        version,
        permitted: None,
        binding: Constraints::default(),
        unassessed: Constraints::default(),
        violations: Vec::new(),
    };
    // (limit, constraints at that limit) over the location-wide rules.
    let mut lowest: Option<u32> = None;
    let mut lowest_binding = Constraints::default();
    let mut has_bedroom_rules = false;
    for rule in version.rules.iter().filter(|r| r.in_force_on(date) && applies(r, facts)) {
        if rule.constraint.per_bedroom() {
            has_bedroom_rules = true;
            continue;
        }
        let Some(limit) = location_limit(rule, facts) else { continue };
        match lowest {
            Some(l) if l < limit => {}
            Some(l) if l == limit => lowest_binding.insert(rule.constraint),
            _ => {
                lowest = Some(limit);
                lowest_binding = Constraints::default();
                lowest_binding.insert(rule.constraint);
            }
        }
        if facts.persons > limit {
            assessment.violations.push(location_violation(rule, facts));
        }
    }
    if has_bedroom_rules {
        if facts.bedrooms.is_empty() {
            for rule in
                version.rules.iter().filter(|r| r.constraint.per_bedroom() && r.in_force_on(date) && applies(r, facts))
            {
                assessment.unassessed.insert(rule.constraint);
            }
        } else {
            let (total, binding) = bedrooms_limit(version, facts, date, &mut assessment.violations);
            match lowest {
                Some(l) if l < total => {}
                Some(l) if l == total => lowest_binding.0 |= binding.0,
                _ => {
                    lowest = Some(total);
                    lowest_binding = binding;
                }
            }
        }
    }
    assessment.permitted = lowest;
    assessment.binding = lowest_binding;
    Some(assessment)
}

/// Whether `rule` applies to a location with these facts: its housing forms, zoning and
/// "new location since" conditions all hold. Whether it is in force is asked separately.
pub fn applies(rule: &Rule, facts: &Facts<'_>) -> bool {
    let when = &rule.when;
    when.housing_forms.as_ref().is_none_or(|forms| forms.contains(&facts.housing_form))
        && when.zoned_residential.is_none_or(|z| z == facts.zoned_residential)
        && when.new_location_since.is_none_or(|since| {
            (facts.new_build || facts.housing_form == HousingForm::B) && facts.in_use_since.is_some_and(|d| d >= since)
        })
}

fn persons_fit(area: f64, per_person: f64) -> u32 {
    // Saturating: a tiny norm on a huge area is a big number, not a wrap-around.
    (area / per_person + EPSILON).floor().clamp(0.0, u32::MAX as f64) as u32
}

fn times(count: i64, per: f64) -> u32 {
    (count.max(0) as f64 * per).clamp(0.0, u32::MAX as f64) as u32
}

/// The persons a location-wide rule allows; `None` when it sets no limit here.
fn location_limit(rule: &Rule, facts: &Facts<'_>) -> Option<u32> {
    Some(match rule.constraint {
        Constraint::FloorAreaPerPerson => persons_fit(facts.floor_area_m2, rule.value),
        Constraint::PersonsPerToilet => times(facts.toilets, rule.value),
        Constraint::PersonsPerShower => times(facts.showers, rule.value),
        Constraint::MaxPersons => rule.value as u32,
        Constraint::ConversionPermitFrom if facts.conversion_permit => return None,
        Constraint::ConversionPermitFrom => (rule.value as u32).saturating_sub(1),
        Constraint::BedroomAreaPerPerson | Constraint::PersonsPerBedroom | Constraint::Checklist => return None,
    })
}

fn location_violation<'r>(rule: &'r Rule, facts: &Facts<'_>) -> Violation<'r> {
    let persons = facts.persons as f64;
    let (measured, required, comparison) = match rule.constraint {
        Constraint::FloorAreaPerPerson => (facts.floor_area_m2 / persons, rule.value, Comparison::AtLeast),
        Constraint::PersonsPerToilet => (facts.toilets as f64, (persons / rule.value).ceil(), Comparison::AtLeast),
        Constraint::PersonsPerShower => (facts.showers as f64, (persons / rule.value).ceil(), Comparison::AtLeast),
        Constraint::ConversionPermitFrom => (persons, rule.value - 1.0, Comparison::AtMost),
        _ => (persons, rule.value, Comparison::AtMost),
    };
    Violation { rule, constraint: rule.constraint, bedroom: None, measured, required, comparison, source: &rule.source }
}

fn bedroom_rule_limit(rule: &Rule, facts: &Facts<'_>, room: &Bedroom) -> u32 {
    match rule.constraint {
        Constraint::BedroomAreaPerPerson => persons_fit(room.area_m2, rule.value),
        _ => bedroom_capacity(rule, facts) as u32,
    }
}

fn bedroom_capacity(rule: &Rule, facts: &Facts<'_>) -> f64 {
    match rule.value_with_consent {
        Some(with_consent) if facts.bedroom_sharing_agreed => with_consent,
        _ => rule.value,
    }
}

/// The sum over bedrooms of the fewest persons any bedroom rule allows in each, with the
/// constraints that set it, and a violation for every room and rule that does not hold.
fn bedrooms_limit<'r>(
    version: &'r RuleSetVersion,
    facts: &Facts<'_>,
    date: NaiveDate,
    violations: &mut Vec<Violation<'r>>,
) -> (u32, Constraints) {
    let rules =
        || version.rules.iter().filter(|r| r.constraint.per_bedroom() && r.in_force_on(date) && applies(r, facts));
    let mut total: u32 = 0;
    let mut binding = Constraints::default();
    for (index, room) in facts.bedrooms.iter().enumerate() {
        let mut room_limit = u32::MAX;
        let mut room_binding = Constraints::default();
        for rule in rules() {
            let limit = bedroom_rule_limit(rule, facts, room);
            if limit < room_limit {
                room_limit = limit;
                room_binding = Constraints::default();
            }
            if limit == room_limit {
                room_binding.insert(rule.constraint);
            }
            if room.persons > limit {
                let (measured, required, comparison) = match rule.constraint {
                    Constraint::BedroomAreaPerPerson => {
                        (room.area_m2 / room.persons as f64, rule.value, Comparison::AtLeast)
                    }
                    _ => (room.persons as f64, bedroom_capacity(rule, facts), Comparison::AtMost),
                };
                violations.push(Violation {
                    rule,
                    constraint: rule.constraint,
                    bedroom: Some(index),
                    measured,
                    required,
                    comparison,
                    source: &rule.source,
                });
            }
        }
        total = total.saturating_add(room_limit);
        binding.0 |= room_binding.0;
    }
    (total, binding)
}

/// A location judged by every scheme that applies to it on a date.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement<'r> {
    pub date: NaiveDate,
    pub persons: u32,
    pub assessments: Vec<Assessment<'r>>,
}

impl Judgement<'_> {
    /// The lowest permitted number over all schemes; `None` when no scheme sets one.
    pub fn permitted(&self) -> Option<u32> {
        self.assessments.iter().filter_map(|a| a.permitted).min()
    }

    /// Persons (beds in use) above the permitted number; negative when there is room.
    pub fn gap(&self) -> Option<i64> {
        self.permitted().map(|p| self.persons as i64 - p as i64)
    }

    pub fn violation_count(&self) -> usize {
        self.assessments.iter().map(|a| a.violations.len()).sum()
    }
}

/// The rule sets that apply to a location in `municipality` whose operator holds `certified`.
pub fn applicable<'r>(
    sets: &'r [RuleSet],
    municipality: &crate::ids::MunicipalityCode,
    certified: Certified,
) -> impl Iterator<Item = &'r RuleSet> {
    sets.iter().filter(move |set| {
        certified.covers(set.scheme) && (set.scheme != NormScheme::Municipal || set.covers_municipality(municipality))
    })
}

/// Judges a location against every applicable rule set in force on `date`.
pub fn judge<'r>(
    sets: &'r [RuleSet],
    municipality: &crate::ids::MunicipalityCode,
    certified: Certified,
    facts: &Facts<'_>,
    date: NaiveDate,
) -> Judgement<'r> {
    Judgement {
        date,
        persons: facts.persons,
        assessments: applicable(sets, municipality, certified).filter_map(|set| assess(set, facts, date)).collect(),
    }
}

/// The permitted number alone, without collecting assessments: the national report's path.
pub fn permitted_only(
    sets: &[RuleSet],
    municipality: &crate::ids::MunicipalityCode,
    certified: Certified,
    facts: &Facts<'_>,
    date: NaiveDate,
) -> Option<u32> {
    applicable(sets, municipality, certified).filter_map(|set| assess(set, facts, date)?.permitted).min()
}

impl crate::register::LocationDraft {
    /// The rooms with beds, as the norms judge them: persons are the beds in service.
    pub fn bedrooms(&self) -> Vec<Bedroom> {
        self.rooms
            .iter()
            .filter(|r| !r.beds.is_empty())
            .map(|r| Bedroom {
                area_m2: r.area_m2,
                persons: r.beds.iter().filter(|b| b.out_of_service_reason.is_none()).count() as u32,
            })
            .collect()
    }

    /// What the norms look at in this location, with `bedrooms` from [`Self::bedrooms`].
    pub fn facts<'a>(&self, bedrooms: &'a [Bedroom]) -> Facts<'a> {
        Facts {
            housing_form: self.housing_form,
            zoned_residential: self.zoned_residential,
            new_build: self.new_build,
            in_use_since: self.in_use_since,
            conversion_permit: self.conversion_permit,
            bedroom_sharing_agreed: self.bedroom_sharing_agreed,
            floor_area_m2: self.floor_area_m2,
            toilets: self.facilities.toilets,
            showers: self.facilities.showers,
            persons: self.beds_in_service() as u32,
            bedrooms,
        }
    }
}

/// A judgement as the API and the pages show it: owned, with room names and sources.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityView {
    pub date: NaiveDate,
    /// Beds in service (the register) or persons present (an inspection).
    pub persons: u32,
    /// The lowest permitted number over all schemes; absent when no scheme sets one.
    pub permitted: Option<u32>,
    /// `persons - permitted`: positive means over capacity.
    pub gap: Option<i64>,
    pub schemes: Vec<SchemeView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemeView {
    pub rule_set: String,
    pub name: String,
    pub scheme: NormScheme,
    pub version: u32,
    pub version_valid_from: NaiveDate,
    pub permitted: Option<u32>,
    pub binding: Vec<Constraint>,
    /// Bedroom rules not judged because no bedrooms are registered.
    pub unassessed: Vec<Constraint>,
    pub violations: Vec<ViolationView>,
    /// Items only an inspection on site can judge.
    pub checklist: Vec<ChecklistItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViolationView {
    pub constraint: Constraint,
    /// The room's name, for a bedroom rule.
    pub room: Option<String>,
    pub measured: f64,
    pub required: f64,
    pub comparison: Comparison,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChecklistItem {
    pub description_nl: String,
    pub description_en: String,
    pub source: String,
}

impl Judgement<'_> {
    /// The owned view; `room_names[i]` names `facts.bedrooms[i]`.
    pub fn view(&self, facts: &Facts<'_>, room_names: &[&str]) -> CapacityView {
        let schemes = self
            .assessments
            .iter()
            .map(|a| SchemeView {
                rule_set: a.rule_set.code.clone(),
                name: a.rule_set.name.clone(),
                scheme: a.rule_set.scheme,
                version: a.version.version,
                version_valid_from: a.version.valid_from,
                permitted: a.permitted,
                binding: a.binding.iter().collect(),
                unassessed: a.unassessed.iter().collect(),
                violations: a
                    .violations
                    .iter()
                    .map(|v| ViolationView {
                        constraint: v.constraint,
                        room: v.bedroom.and_then(|i| room_names.get(i)).map(|n| n.to_string()),
                        measured: (v.measured * 100.0).round() / 100.0,
                        required: v.required,
                        comparison: v.comparison,
                        source: v.source.to_string(),
                    })
                    .collect(),
                checklist: a
                    .version
                    .rules
                    .iter()
                    .filter(|r| r.constraint == Constraint::Checklist && r.in_force_on(self.date) && applies(r, facts))
                    .map(|r| ChecklistItem {
                        description_nl: r.description_nl.clone().unwrap_or_default(),
                        description_en: r.description_en.clone().unwrap_or_default(),
                        source: r.source.clone(),
                    })
                    .collect(),
            })
            .collect();
        CapacityView { date: self.date, persons: self.persons, permitted: self.permitted(), gap: self.gap(), schemes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::MunicipalityCode;
    use crate::norms::builtin_rule_sets;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn gm(code: &str) -> MunicipalityCode {
        MunicipalityCode::parse(code).unwrap()
    }

    fn dwelling(floor_area_m2: f64) -> Facts<'static> {
        Facts {
            housing_form: HousingForm::A,
            zoned_residential: true,
            new_build: false,
            in_use_since: Some(date("2015-03-01")),
            conversion_permit: true,
            bedroom_sharing_agreed: false,
            floor_area_m2,
            toilets: 2,
            showers: 2,
            persons: 0,
            bedrooms: &[],
        }
    }

    fn scheme<'r>(judgement: &'r Judgement<'r>, code: &str) -> &'r Assessment<'r> {
        judgement.assessments.iter().find(|a| a.rule_set.code == code).unwrap_or_else(|| panic!("no {code}"))
    }

    const SNF: Certified = Certified { snf: true, akf: false };
    const AKF: Certified = Certified { snf: false, akf: true };
    const UTRECHT: &str = "GM0344";

    /// What is judged, the facts, the municipality, the certificates, the date, the rule set,
    /// and the permitted persons and binding constraints expected.
    type Case<'a> = (&'a str, Facts<'a>, &'a str, Certified, &'a str, &'a str, Option<u32>, &'a [Constraint]);

    #[test]
    fn permitted_persons_with_the_real_numbers() {
        let sets = builtin_rule_sets().unwrap();
        let rooms_7 = [Bedroom { area_m2: 7.0, persons: 2 }];
        let new_build = Facts {
            housing_form: HousingForm::D,
            new_build: true,
            in_use_since: Some(date("2025-09-01")),
            ..dwelling(120.0)
        };
        let hotel = Facts {
            housing_form: HousingForm::B,
            zoned_residential: false,
            in_use_since: Some(date("2025-07-01")),
            ..dwelling(120.0)
        };
        let cases: Vec<Case> = vec![
            (
                "120 m² dwelling zoned for living under SNF",
                dwelling(120.0),
                UTRECHT,
                SNF,
                "2024-05-01",
                "snf",
                Some(10),
                &[Constraint::FloorAreaPerPerson],
            ),
            (
                "the same dwelling under the Bouwbesluit",
                dwelling(120.0),
                UTRECHT,
                SNF,
                "2024-05-01",
                "bouwbesluit-2012",
                Some(10),
                &[Constraint::FloorAreaPerPerson],
            ),
            (
                "not zoned for living under SNF: 10 m²",
                Facts { zoned_residential: false, ..dwelling(120.0) },
                UTRECHT,
                SNF,
                "2024-05-01",
                "snf",
                Some(12),
                &[Constraint::FloorAreaPerPerson],
            ),
            (
                "hotel (form b) under SNF before the change: 10 m²",
                Facts { in_use_since: Some(date("2020-01-01")), ..hotel },
                UTRECHT,
                SNF,
                "2025-08-01",
                "snf",
                Some(12),
                &[Constraint::FloorAreaPerPerson],
            ),
            (
                "new-build 120 m² in use after 2025-07-01: 15 m²",
                new_build,
                UTRECHT,
                SNF,
                "2025-09-01",
                "snf",
                Some(8),
                &[Constraint::FloorAreaPerPerson],
            ),
            (
                "the same new build judged on 2025-06-30: 12 m²",
                new_build,
                UTRECHT,
                SNF,
                "2025-06-30",
                "snf",
                Some(10),
                &[Constraint::FloorAreaPerPerson],
            ),
            (
                "a hotel taken into use on 2025-07-01: 15 m²",
                hotel,
                UTRECHT,
                SNF,
                "2025-07-01",
                "snf",
                Some(8),
                &[Constraint::FloorAreaPerPerson],
            ),
            (
                "a 7 m² bedroom under SNF holds 2",
                Facts { floor_area_m2: 200.0, bedrooms: &rooms_7, ..dwelling(0.0) },
                UTRECHT,
                SNF,
                "2024-05-01",
                "snf",
                Some(2),
                &[Constraint::BedroomAreaPerPerson],
            ),
            (
                "a 6.9 m² bedroom holds 1",
                Facts { floor_area_m2: 200.0, bedrooms: &[Bedroom { area_m2: 6.9, persons: 1 }], ..dwelling(0.0) },
                UTRECHT,
                SNF,
                "2024-05-01",
                "snf",
                Some(1),
                &[Constraint::BedroomAreaPerPerson],
            ),
            (
                "one toilet and shower serve 8 under SNF",
                Facts { toilets: 1, showers: 1, ..dwelling(500.0) },
                UTRECHT,
                SNF,
                "2024-05-01",
                "snf",
                Some(8),
                &[Constraint::PersonsPerToilet, Constraint::PersonsPerShower],
            ),
            (
                "new build, 1 per bedroom",
                Facts { floor_area_m2: 300.0, bedrooms: &rooms_7, ..new_build },
                UTRECHT,
                SNF,
                "2025-09-01",
                "snf",
                Some(1),
                &[Constraint::PersonsPerBedroom],
            ),
            (
                "new build, 2 per bedroom when agreed in writing",
                Facts { floor_area_m2: 300.0, bedroom_sharing_agreed: true, bedrooms: &rooms_7, ..new_build },
                UTRECHT,
                SNF,
                "2025-09-01",
                "snf",
                Some(2),
                &[Constraint::BedroomAreaPerPerson, Constraint::PersonsPerBedroom],
            ),
            (
                "AKF on 2025-12-31: 13 m²",
                dwelling(130.0),
                UTRECHT,
                AKF,
                "2025-12-31",
                "akf",
                Some(10),
                &[Constraint::FloorAreaPerPerson],
            ),
            (
                "AKF on 2026-01-01: 15 m²",
                dwelling(130.0),
                UTRECHT,
                AKF,
                "2026-01-01",
                "akf",
                Some(8),
                &[Constraint::FloorAreaPerPerson],
            ),
            ("AKF on 2024-08-14: not yet in force", dwelling(130.0), UTRECHT, AKF, "2024-08-14", "akf", None, &[]),
            (
                "AKF: at most 2 per bedroom",
                Facts { bedrooms: &[Bedroom { area_m2: 20.0, persons: 3 }], ..dwelling(300.0) },
                UTRECHT,
                AKF,
                "2025-01-01",
                "akf",
                Some(2),
                &[Constraint::PersonsPerBedroom],
            ),
            (
                "municipal maximum of 4 binds below the floor-area limit",
                dwelling(120.0),
                "GM0297",
                Certified::default(),
                "2024-05-01",
                "bommelerwaard",
                Some(4),
                &[Constraint::MaxPersons],
            ),
            (
                "Den Haag: 18 m² per resident",
                dwelling(120.0),
                "GM0518",
                Certified::default(),
                "2024-05-01",
                "den-haag-huisvestingsverordening",
                Some(6),
                &[Constraint::FloorAreaPerPerson],
            ),
            (
                "Den Haag: at most 8",
                dwelling(400.0),
                "GM0518",
                Certified::default(),
                "2024-05-01",
                "den-haag-huisvestingsverordening",
                Some(8),
                &[Constraint::MaxPersons],
            ),
            (
                "Den Haag without a conversion permit: 2",
                Facts { conversion_permit: false, ..dwelling(120.0) },
                "GM0518",
                Certified::default(),
                "2024-05-01",
                "den-haag-huisvestingsverordening",
                Some(2),
                &[Constraint::ConversionPermitFrom],
            ),
        ];
        for (what, facts, municipality, certified, on, code, permitted, binding) in cases {
            let municipality = gm(municipality);
            let judgement = judge(&sets, &municipality, certified, &facts, date(on));
            let found = judgement.assessments.iter().find(|a| a.rule_set.code == code);
            match permitted {
                None => assert!(found.is_none_or(|a| a.permitted.is_none()), "{what}: {found:?}"),
                Some(p) => {
                    let a = found.unwrap_or_else(|| panic!("{what}: {code} does not apply"));
                    assert_eq!(a.permitted, Some(p), "{what}");
                    assert_eq!(a.binding.iter().collect::<Vec<_>>(), binding, "{what}");
                }
            }
        }
    }

    #[test]
    fn which_schemes_apply() {
        let sets = builtin_rule_sets().unwrap();
        let codes = |municipality: &str, certified| {
            let m = gm(municipality);
            judge(&sets, &m, certified, &dwelling(100.0), date("2026-03-01"))
                .assessments
                .iter()
                .map(|a| a.rule_set.code.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(UTRECHT, Certified::default()), ["bouwbesluit-2012"]);
        assert_eq!(codes(UTRECHT, SNF), ["bouwbesluit-2012", "snf"]);
        assert_eq!(codes("GM0518", AKF), ["bouwbesluit-2012", "akf", "den-haag-huisvestingsverordening"]);
        assert_eq!(codes("GM0263", Certified::default()), ["bouwbesluit-2012", "bommelerwaard"]);
        assert_eq!(codes("GM0297", Certified::default()), ["bouwbesluit-2012", "bommelerwaard"]);
        assert!(judge(&sets, &gm(UTRECHT), SNF, &dwelling(100.0), date("2012-03-31")).assessments.is_empty());
    }

    #[test]
    fn violations_name_rule_measured_and_required() {
        let sets = builtin_rule_sets().unwrap();
        let rooms = [
            Bedroom { area_m2: 7.0, persons: 3 },
            Bedroom { area_m2: 14.0, persons: 4 },
            Bedroom { area_m2: 10.0, persons: 2 },
        ];
        // 9 persons, one toilet, 100 m²: SNF allows 8 (100/12 = 8, toilet 8, shower 16).
        let facts = Facts { toilets: 1, persons: 9, bedrooms: &rooms, ..dwelling(100.0) };
        let judgement = judge(&sets, &gm(UTRECHT), SNF, &facts, date("2024-05-01"));
        let snf = scheme(&judgement, "snf");
        let found: Vec<(Constraint, Option<usize>, f64, f64, Comparison)> =
            snf.violations.iter().map(|v| (v.constraint, v.bedroom, v.measured, v.required, v.comparison)).collect();
        assert_eq!(
            found,
            [
                (Constraint::FloorAreaPerPerson, None, 100.0 / 9.0, 12.0, Comparison::AtLeast),
                (Constraint::PersonsPerToilet, None, 1.0, 2.0, Comparison::AtLeast),
                (Constraint::BedroomAreaPerPerson, Some(0), 7.0 / 3.0, 3.5, Comparison::AtLeast),
            ]
        );
        assert!(snf.violations.iter().all(|v| v.source.starts_with("SNF")));
        assert_eq!(snf.permitted, Some(8));
        assert_eq!(judgement.permitted(), Some(8));
        assert_eq!(judgement.gap(), Some(1));
        // Exactly 8 persons with one toilet holds.
        let eight = Facts { persons: 8, bedrooms: &[], ..facts };
        let judgement = judge(&sets, &gm(UTRECHT), SNF, &eight, date("2024-05-01"));
        assert!(scheme(&judgement, "snf").violations.iter().all(|v| v.constraint != Constraint::PersonsPerToilet));
        assert_eq!(judgement.gap(), Some(0));
    }

    #[test]
    fn bedroom_rules_without_rooms_are_unassessed_not_unlimited_guesses() {
        let sets = builtin_rule_sets().unwrap();
        let judgement = judge(&sets, &gm(UTRECHT), SNF, &dwelling(120.0), date("2024-05-01"));
        let snf = scheme(&judgement, "snf");
        assert!(snf.unassessed.contains(Constraint::BedroomAreaPerPerson));
        assert_eq!(snf.permitted, Some(10));
    }

    #[test]
    fn municipal_rule_only_in_its_municipalities_and_checklist_never_limits() {
        let sets = builtin_rule_sets().unwrap();
        let utrecht = judge(&sets, &gm(UTRECHT), Certified::default(), &dwelling(120.0), date("2024-05-01"));
        assert_eq!(utrecht.permitted(), Some(10));
        let zaltbommel = judge(&sets, &gm("GM0297"), Certified::default(), &dwelling(120.0), date("2024-05-01"));
        assert_eq!(zaltbommel.permitted(), Some(4));
        // Before the Bommelerwaard rule started, only the Bouwbesluit counted.
        let before = judge(&sets, &gm("GM0297"), Certified::default(), &dwelling(120.0), date("2018-12-31"));
        assert_eq!(before.permitted(), Some(10));
        assert_eq!(
            permitted_only(&sets, &gm("GM0297"), Certified::default(), &dwelling(120.0), date("2024-05-01")),
            Some(4)
        );
    }
}
