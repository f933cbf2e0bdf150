//! Overcrowding signals (issue 6): rules, as data with a cited basis and a threshold a
//! municipality may tune, judged against what is known of one address — the BAG (floor
//! area), the municipality's BRP extract (registered persons) and the register (capacity,
//! occupancy, certification, registration flags). A signal is about an address, never a
//! person: its evidence is the numbers that triggered it, and its score says how far over
//! the threshold it is, so the list can be sorted by where to look first.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    SignalRule {
        FloorAreaPerPerson = "floor_area_per_person",
        ManyPersonsWithoutPermit = "many_persons_without_permit",
        NewRegistrationsNotInRegister = "new_registrations_not_in_register",
        OccupancyAboveCapacity = "occupancy_above_capacity",
        OccupiedWithoutCertificate = "occupied_without_certificate",
        LongUnregisteredStays = "long_unregistered_stays",
    }
}

/// A rule as shipped in `data/signals/rules.toml`, or as a municipality tuned it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDefinition {
    pub code: SignalRule,
    pub name_nl: String,
    pub name_en: String,
    pub basis_nl: String,
    pub basis_en: String,
    pub threshold: f64,
    pub unit_nl: String,
    pub unit_en: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    rules: Vec<RuleDefinition>,
}

pub const RULES_TOML: &str = include_str!("../../../data/signals/rules.toml");

/// The shipped rules, one per rule code, or what is wrong with the file.
pub fn default_rules() -> Result<Vec<RuleDefinition>, String> {
    let file: RulesFile = toml::from_str(RULES_TOML).map_err(|e| format!("data/signals/rules.toml: {e}"))?;
    if let Some(r) = file.rules.iter().find(|r| !r.threshold.is_finite() || r.threshold < 0.0) {
        return Err(format!(
            "data/signals/rules.toml: rule {} has threshold {}; a threshold is 0 or more",
            r.code, r.threshold
        ));
    }
    for code in SignalRule::ALL {
        let n = file.rules.iter().filter(|r| r.code == *code).count();
        if n != 1 {
            return Err(format!("data/signals/rules.toml: rule {code} appears {n} times, not once"));
        }
    }
    Ok(file.rules)
}

/// The highest threshold a municipality may set: beyond it a rule would never fire.
pub const MAX_THRESHOLD: f64 = 10_000.0;

/// A threshold as a municipality enters it (`12` or `12,5`).
pub fn parse_threshold(text: &str) -> crate::error::Check<f64> {
    let t: f64 = text
        .trim()
        .replace(',', ".")
        .parse()
        .map_err(|_| ("invalid_threshold", format!("'{}' is not a number", text.trim())))?;
    if !t.is_finite() || !(0.0..=MAX_THRESHOLD).contains(&t) {
        return Err(("invalid_threshold", format!("a threshold is between 0 and {MAX_THRESHOLD}")));
    }
    Ok(t)
}

/// The shipped rules with a municipality's own thresholds in place of the defaults.
pub fn tuned_rules(mut rules: Vec<RuleDefinition>, own: &[(SignalRule, f64)]) -> Vec<RuleDefinition> {
    for r in &mut rules {
        if let Some((_, t)) = own.iter().find(|(code, _)| *code == r.code) {
            r.threshold = *t;
        }
    }
    rules
}

/// Everything known of one address.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddressFacts {
    /// The verblijfsobject's floor area (BAG), m².
    pub floor_area_m2: Option<i64>,
    /// Persons registered there (the municipality's BRP extract).
    pub registered: Option<i64>,
    pub registered_last_12_months: Option<i64>,
    /// A location of the register is at this address.
    pub in_register: bool,
    /// The register location has a conversion permit.
    pub conversion_permit: bool,
    /// Persons the norms permit at the register location on the date.
    pub permitted: Option<i64>,
    /// Beds occupied there on the date.
    pub occupied: Option<i64>,
    /// The operator's certificate lapsed on this date, and none is in force now.
    pub certificate_lapsed_on: Option<NaiveDate>,
    /// Stays there flagged by the registration rule.
    pub unregistered_long_stays: i64,
}

/// One rule's finding at an address.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: SignalRule,
    /// The numbers that triggered it, by name.
    pub evidence: Vec<(String, f64)>,
    /// How far over the threshold: 1 is at it, 2 twice as far.
    pub score: f64,
}

fn finding(rule: SignalRule, evidence: &[(&str, f64)], score: f64) -> Finding {
    Finding {
        rule,
        evidence: evidence.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        score: (score * 100.0).round() / 100.0,
    }
}

/// Every rule that fires at an address.
pub fn judge(rules: &[RuleDefinition], f: &AddressFacts) -> Vec<Finding> {
    let mut out = Vec::new();
    for r in rules {
        let t = r.threshold;
        let found = match r.code {
            SignalRule::FloorAreaPerPerson => match (f.floor_area_m2, f.registered) {
                (Some(area), Some(persons)) if t > 0.0 && persons > 0 => {
                    let allowed = (area as f64 / t).floor();
                    (persons as f64 > allowed).then(|| {
                        finding(
                            r.code,
                            &[
                                ("registered", persons as f64),
                                ("floor_area_m2", area as f64),
                                ("allowed", allowed),
                                ("m2_per_person", t),
                            ],
                            persons as f64 / allowed.max(1.0),
                        )
                    })
                }
                _ => None,
            },
            SignalRule::ManyPersonsWithoutPermit => match f.registered {
                // Never an empty address, whatever the threshold.
                Some(persons) if persons > 0 && persons as f64 >= t && !f.conversion_permit => Some(finding(
                    r.code,
                    &[("registered", persons as f64), ("threshold", t)],
                    persons as f64 / t.max(1.0),
                )),
                _ => None,
            },
            SignalRule::NewRegistrationsNotInRegister => match f.registered_last_12_months {
                Some(new) if new > 0 && new as f64 >= t && !f.in_register => Some(finding(
                    r.code,
                    &[("registered_last_12_months", new as f64), ("threshold", t)],
                    new as f64 / t.max(1.0),
                )),
                _ => None,
            },
            SignalRule::OccupancyAboveCapacity => match (f.occupied, f.permitted) {
                (Some(occupied), Some(permitted)) if (occupied - permitted) as f64 > t => Some(finding(
                    r.code,
                    &[("occupied", occupied as f64), ("permitted", permitted as f64)],
                    occupied as f64 / (permitted.max(1)) as f64,
                )),
                _ => None,
            },
            SignalRule::OccupiedWithoutCertificate => match (f.occupied, f.certificate_lapsed_on) {
                (Some(occupied), Some(_)) if occupied as f64 > t => {
                    Some(finding(r.code, &[("occupied", occupied as f64)], 1.0 + occupied as f64 / 10.0))
                }
                _ => None,
            },
            SignalRule::LongUnregisteredStays => (f.unregistered_long_stays as f64 > t).then(|| {
                finding(
                    r.code,
                    &[("stays_flagged", f.unregistered_long_stays as f64)],
                    1.0 + f.unregistered_long_stays as f64 / 5.0,
                )
            }),
        };
        out.extend(found);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fired(f: &AddressFacts) -> Vec<SignalRule> {
        judge(&default_rules().unwrap(), f).into_iter().map(|x| x.rule).collect()
    }

    #[test]
    fn a_municipality_tunes_a_threshold_within_bounds() {
        assert_eq!(parse_threshold(" 12,5 "), Ok(12.5));
        assert_eq!(parse_threshold("-1").unwrap_err().0, "invalid_threshold");
        assert_eq!(parse_threshold("NaN").unwrap_err().0, "invalid_threshold");
        assert_eq!(parse_threshold("veel").unwrap_err().0, "invalid_threshold");
        let rules = tuned_rules(default_rules().unwrap(), &[(SignalRule::ManyPersonsWithoutPermit, 6.0)]);
        let t = |code| rules.iter().find(|r| r.code == code).unwrap().threshold;
        assert_eq!((t(SignalRule::ManyPersonsWithoutPermit), t(SignalRule::FloorAreaPerPerson)), (6.0, 12.0));
    }

    #[test]
    fn the_shipped_rules_read() {
        let rules = default_rules().unwrap();
        assert_eq!(rules.len(), SignalRule::ALL.len());
        assert!(rules.iter().all(|r| !r.basis_nl.is_empty() && !r.basis_en.is_empty() && !r.name_nl.is_empty()));
    }

    #[test]
    fn each_rule_fires_on_its_own_evidence_only() {
        // 60 m² houses 5 by Bouwbesluit; 8 registered, 7 of them this year, not in the register.
        let house = AddressFacts {
            floor_area_m2: Some(60),
            registered: Some(8),
            registered_last_12_months: Some(7),
            ..Default::default()
        };
        assert_eq!(
            fired(&house),
            [
                SignalRule::FloorAreaPerPerson,
                SignalRule::ManyPersonsWithoutPermit,
                SignalRule::NewRegistrationsNotInRegister
            ]
        );
        let f = judge(&default_rules().unwrap(), &house);
        assert_eq!(f[0].evidence[2], ("allowed".to_string(), 5.0));
        assert_eq!(f[0].score, 1.6);
        // In the register with a permit and room enough: nothing.
        let fine = AddressFacts {
            floor_area_m2: Some(200),
            registered: Some(8),
            registered_last_12_months: Some(7),
            in_register: true,
            conversion_permit: true,
            permitted: Some(10),
            occupied: Some(8),
            ..Default::default()
        };
        assert!(fired(&fine).is_empty());
        // The register's own signals.
        let over = AddressFacts {
            in_register: true,
            conversion_permit: true,
            permitted: Some(10),
            occupied: Some(12),
            certificate_lapsed_on: NaiveDate::from_ymd_opt(2026, 1, 1),
            unregistered_long_stays: 2,
            ..Default::default()
        };
        assert_eq!(
            fired(&over),
            [
                SignalRule::OccupancyAboveCapacity,
                SignalRule::OccupiedWithoutCertificate,
                SignalRule::LongUnregisteredStays
            ]
        );
        // A municipality's own norm: 20 m² per person makes 100 m² too small for 6.
        let mut rules = default_rules().unwrap();
        rules[0].threshold = 20.0;
        let six = AddressFacts { floor_area_m2: Some(100), registered: Some(6), ..Default::default() };
        assert_eq!(judge(&rules, &six)[0].rule, SignalRule::FloorAreaPerPerson);
        assert!(!fired(&six).contains(&SignalRule::FloorAreaPerPerson));
        // A threshold of 0 never makes an empty address a signal.
        let mut zero = default_rules().unwrap();
        zero.iter_mut().for_each(|r| r.threshold = 0.0);
        let empty = AddressFacts {
            floor_area_m2: Some(50),
            registered: Some(0),
            registered_last_12_months: Some(0),
            ..Default::default()
        };
        assert!(judge(&zero, &empty).is_empty());
    }
}
