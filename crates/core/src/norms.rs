//! Housing norms as dated rule sets.
//!
//! A rule set (the Bouwbesluit, the SNF norm, the AKF norm, a municipal ordinance) has
//! versions; a published version is never edited, a change is a new version with a later
//! start date. Each rule names one constraint, its value, when it applies, its own validity
//! dates and its source. The built-in sets ship as TOML files in `data/norms/`; municipalities
//! add their own through the API or the web form, in the same shape.

use crate::error::FieldErrors;
use crate::ids::MunicipalityCode;
use crate::register::HousingForm;
use crate::register::parse_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Which kind of norm a rule set is. Bouwbesluit and municipal sets apply to every
    /// location in their area; SNF and AKF only where the operator holds that certificate.
    NormScheme { Bouwbesluit = "bouwbesluit", Snf = "snf", Akf = "akf", Municipal = "municipal" }
}

code_enum! {
    /// What a rule limits. All but `checklist` yield a number of persons; a checklist item
    /// can only be judged on site and is listed for the inspector.
    Constraint {
        FloorAreaPerPerson = "floor_area_per_person",
        BedroomAreaPerPerson = "bedroom_area_per_person",
        PersonsPerBedroom = "persons_per_bedroom",
        PersonsPerToilet = "persons_per_toilet",
        PersonsPerShower = "persons_per_shower",
        MaxPersons = "max_persons",
        ConversionPermitFrom = "conversion_permit_from",
        Checklist = "checklist",
    }
}

impl Constraint {
    /// Rules judged per bedroom rather than per location.
    pub fn per_bedroom(self) -> bool {
        matches!(self, Constraint::BedroomAreaPerPerson | Constraint::PersonsPerBedroom)
    }

    /// Rules whose value counts persons, which must be whole.
    fn counts_persons(self) -> bool {
        matches!(
            self,
            Constraint::PersonsPerBedroom
                | Constraint::PersonsPerToilet
                | Constraint::PersonsPerShower
                | Constraint::MaxPersons
                | Constraint::ConversionPermitFrom
        )
    }

    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// The built-in rule sets, compiled in from `data/norms/` (file name, TOML text).
pub const BUILTIN_RULE_SETS: &[(&str, &str)] = &[
    ("bouwbesluit-2012.toml", include_str!("../../../data/norms/bouwbesluit-2012.toml")),
    ("snf.toml", include_str!("../../../data/norms/snf.toml")),
    ("akf.toml", include_str!("../../../data/norms/akf.toml")),
    (
        "den-haag-huisvestingsverordening.toml",
        include_str!("../../../data/norms/den-haag-huisvestingsverordening.toml"),
    ),
    ("bommelerwaard.toml", include_str!("../../../data/norms/bommelerwaard.toml")),
];

/// A rule's value above this is implausible (m² per person, persons).
const MAX_VALUE: f64 = 10_000.0;
const MAX_RULES: usize = 200;
const MAX_VERSIONS: usize = 200;
const MAX_TEXT: usize = 500;

/// When a rule applies to a location. Every given condition must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The location's housing form is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub housing_forms: Option<Vec<HousingForm>>,
    /// The location is (or is not) zoned for living.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoned_residential: Option<bool>,
    /// Only new locations: new-build housing or a hotel/pension (form b), taken into use on
    /// or after this date. A location with an unknown start of use counts as existing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_location_since: Option<NaiveDate>,
}

impl Condition {
    pub fn is_empty(&self) -> bool {
        *self == Condition::default()
    }
}

/// One rule of a published version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    pub constraint: Constraint,
    /// m² per person for area rules, persons for count rules; 0 for a checklist item.
    pub value: f64,
    /// Persons per bedroom when the residents agreed in writing to share.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_with_consent: Option<f64>,
    #[serde(default, skip_serializing_if = "Condition::is_empty")]
    pub when: Condition,
    pub valid_from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_nl: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description_en: Option<String>,
}

impl Rule {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_until.is_none_or(|until| date <= until)
    }
}

/// A published version of a rule set: immutable once stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSetVersion {
    pub version: u32,
    pub valid_from: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub rules: Vec<Rule>,
}

/// A rule set with all its versions, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleSet {
    pub code: String,
    pub scheme: NormScheme,
    pub name: String,
    /// The municipalities a municipal set covers; empty for national schemes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub municipalities: Vec<MunicipalityCode>,
    /// Shipped in `data/norms/`: it changes through those files, not through the API.
    #[serde(default)]
    pub builtin: bool,
    pub versions: Vec<RuleSetVersion>,
}

impl RuleSet {
    /// The version in force on `date`: the latest one started on or before it, unless it
    /// has ended.
    pub fn version_on(&self, date: NaiveDate) -> Option<&RuleSetVersion> {
        let version = self.versions.iter().rev().find(|v| v.valid_from <= date)?;
        version.valid_until.is_none_or(|until| date <= until).then_some(version)
    }

    /// The last day `versions[index]` is in force, if it ends.
    pub fn version_end(&self, index: usize) -> Option<NaiveDate> {
        let next_start = self.versions.get(index + 1).and_then(|next| next.valid_from.pred_opt());
        match (self.versions.get(index)?.valid_until, next_start) {
            (Some(until), Some(next)) => Some(until.min(next)),
            (until, next) => until.or(next),
        }
    }

    pub fn covers_municipality(&self, municipality: &MunicipalityCode) -> bool {
        self.municipalities.contains(municipality)
    }
}

// ---------------------------------------------------------------------------------------
// Input: what a file, the API or a form sends, validated into the types above.

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionInput {
    #[serde(default)]
    pub housing_forms: Option<Vec<String>>,
    #[serde(default)]
    pub zoned_residential: Option<bool>,
    #[serde(default)]
    pub new_location_since: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleInput {
    pub constraint: String,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub value_with_consent: Option<f64>,
    #[serde(default)]
    pub when: ConditionInput,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub description_nl: Option<String>,
    #[serde(default)]
    pub description_en: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    /// Optional: versions are numbered 1, 2, 3 in order.
    #[serde(default)]
    pub version: Option<u32>,
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    pub rules: Vec<RuleInput>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSetInput {
    pub code: String,
    pub scheme: String,
    pub name: String,
    #[serde(default)]
    pub municipalities: Vec<String>,
    pub versions: Vec<VersionInput>,
}

fn check_text(errors: &mut FieldErrors, field: &str, text: &str, required: bool) {
    if required && text.trim().is_empty() {
        errors.add(field, "required", "is required");
    } else if text.chars().count() > MAX_TEXT {
        errors.add(field, "too_long", format!("is longer than {MAX_TEXT} characters"));
    }
}

fn check_code(code: &str) -> Result<(), (&'static str, String)> {
    let ok = (2..=60).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !code.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(("invalid_code", format!("'{code}' must be 2–60 characters: lowercase letters, digits and hyphens")))
    }
}

impl RuleSetInput {
    /// Checks the whole set; every problem is reported with its field path.
    pub fn validate(&self) -> Result<RuleSet, FieldErrors> {
        let mut errors = FieldErrors::new();
        errors.take("code", check_code(&self.code));
        let scheme = NormScheme::parse(&self.scheme);
        if scheme.is_none() {
            errors.add(
                "scheme",
                "unknown_scheme",
                format!("'{}' is not a known scheme; use one of {}", self.scheme, NormScheme::codes()),
            );
        }
        check_text(&mut errors, "name", &self.name, true);
        let mut municipalities = Vec::new();
        for (i, code) in self.municipalities.iter().enumerate() {
            if let Some(code) = errors.take(&format!("municipalities[{i}]"), MunicipalityCode::parse(code)) {
                if municipalities.contains(&code) {
                    errors.add(format!("municipalities[{i}]"), "duplicate", format!("{code} is listed twice"));
                }
                municipalities.push(code);
            }
        }
        match scheme {
            Some(NormScheme::Municipal) if self.municipalities.is_empty() => {
                errors.add("municipalities", "required", "a municipal rule set names at least one municipality")
            }
            Some(s) if s != NormScheme::Municipal && !self.municipalities.is_empty() => errors.add(
                "municipalities",
                "not_allowed",
                format!("a {s} rule set applies nationally and names no municipalities"),
            ),
            _ => {}
        }
        if self.versions.is_empty() {
            errors.add("versions", "required", "a rule set has at least one version");
        } else if self.versions.len() > MAX_VERSIONS {
            errors.add("versions", "too_many", format!("at most {MAX_VERSIONS} versions"));
        }
        let mut versions: Vec<RuleSetVersion> = Vec::new();
        for (i, input) in self.versions.iter().enumerate() {
            let prefix = format!("versions[{i}]");
            let Some(version) = input.validate_into(&prefix, i as u32 + 1, &mut errors) else { continue };
            if let Some(previous) = versions.last() {
                check_follows(previous, &version, &prefix, &mut errors);
            }
            versions.push(version);
        }
        municipalities.sort();
        errors.into_result(|| RuleSet {
            code: self.code.clone(),
            scheme: scheme.unwrap_or(NormScheme::Municipal),
            name: self.name.trim().to_string(),
            municipalities,
            builtin: false,
            versions,
        })
    }
}

/// A new version must start after the previous one and not overlap it.
pub fn check_follows(previous: &RuleSetVersion, next: &RuleSetVersion, prefix: &str, errors: &mut FieldErrors) {
    if next.valid_from <= previous.valid_from {
        errors.add(
            format!("{prefix}.valid_from"),
            "overlapping_validity",
            format!(
                "version {} starts on {}, not after version {} which starts on {}",
                next.version, next.valid_from, previous.version, previous.valid_from
            ),
        );
    } else if previous.valid_until.is_some_and(|until| until >= next.valid_from) {
        errors.add(
            format!("{prefix}.valid_from"),
            "overlapping_validity",
            format!(
                "version {} starts on {} while version {} is still valid",
                next.version, next.valid_from, previous.version
            ),
        );
    }
}

impl VersionInput {
    /// Validates one version as number `number` of its set, adding problems under `prefix`.
    pub fn validate_into(&self, prefix: &str, number: u32, errors: &mut FieldErrors) -> Option<RuleSetVersion> {
        let before = errors.0.len();
        if let Some(given) = self.version
            && given != number
        {
            errors.add(
                format!("{prefix}.version"),
                "wrong_version_number",
                format!("versions are numbered in order; this one is {number}, not {given}"),
            );
        }
        let valid_from = errors.take(&format!("{prefix}.valid_from"), parse_date(&self.valid_from));
        let valid_until = match &self.valid_until {
            Some(s) => errors.take(&format!("{prefix}.valid_until"), parse_date(s)),
            None => None,
        };
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until < from
        {
            errors.add(
                format!("{prefix}.valid_until"),
                "ends_before_start",
                format!("{until} is before the start {from}"),
            );
        }
        if let Some(note) = &self.note {
            check_text(errors, &format!("{prefix}.note"), note, false);
        }
        if self.rules.is_empty() {
            errors.add(format!("{prefix}.rules"), "required", "a version has at least one rule");
        } else if self.rules.len() > MAX_RULES {
            errors.add(format!("{prefix}.rules"), "too_many", format!("at most {MAX_RULES} rules"));
        }
        let mut rules: Vec<Rule> = Vec::new();
        for (j, input) in self.rules.iter().enumerate() {
            let field = format!("{prefix}.rules[{j}]");
            let period = (valid_from.unwrap_or(crate::register::EARLIEST_DATE), valid_until);
            let Some(rule) = input.validate_into(&field, period, errors) else { continue };
            if let Some(k) = rules.iter().position(|other| overlaps(other, &rule)) {
                errors.add(
                    format!("{field}.valid_from"),
                    "overlapping_validity",
                    format!("overlaps rule {k} ({}) with the same conditions in time", rule.constraint),
                );
            }
            rules.push(rule);
        }
        let valid_from = valid_from?;
        (errors.0.len() == before).then(|| RuleSetVersion {
            version: number,
            valid_from,
            valid_until,
            note: self.note.as_ref().map(|n| n.trim().to_string()).filter(|n| !n.is_empty()),
            rules,
        })
    }
}

/// Two rules of one kind, with the same conditions, in force on a common day: which one
/// holds would be ambiguous.
fn overlaps(a: &Rule, b: &Rule) -> bool {
    a.constraint == b.constraint
        && a.constraint != Constraint::Checklist
        && a.when == b.when
        && a.valid_until.is_none_or(|until| b.valid_from <= until)
        && b.valid_until.is_none_or(|until| a.valid_from <= until)
}

impl RuleInput {
    /// Validates one rule of a version in force over `version` (start, optional end).
    fn validate_into(
        &self,
        prefix: &str,
        version: (NaiveDate, Option<NaiveDate>),
        errors: &mut FieldErrors,
    ) -> Option<Rule> {
        let (version_start, version_end) = version;
        let before = errors.0.len();
        let constraint = Constraint::parse(&self.constraint);
        if constraint.is_none() {
            errors.add(
                format!("{prefix}.constraint"),
                "unknown_constraint",
                format!("'{}' is not a known constraint; use one of {}", self.constraint, Constraint::codes()),
            );
        }
        let value = match (constraint, self.value) {
            (Some(Constraint::Checklist), _) => 0.0,
            (Some(c), Some(v)) => check_value(errors, &format!("{prefix}.value"), c, v),
            (Some(_), None) => {
                errors.add(format!("{prefix}.value"), "required", "is required");
                0.0
            }
            (None, v) => v.unwrap_or(0.0),
        };
        if let Some(with_consent) = self.value_with_consent {
            let field = format!("{prefix}.value_with_consent");
            if constraint != Some(Constraint::PersonsPerBedroom) {
                errors.add(field, "not_allowed", "only a persons_per_bedroom rule has a value with consent");
            } else if check_value(errors, &field, Constraint::PersonsPerBedroom, with_consent) < value {
                errors.add(field, "below_value", format!("{with_consent} is below the value without consent {value}"));
            }
        }
        let when = self.when.validate_into(&format!("{prefix}.when"), errors);
        let valid_from = match &self.valid_from {
            Some(s) => errors.take(&format!("{prefix}.valid_from"), parse_date(s)),
            None => Some(version_start),
        };
        let valid_until = match &self.valid_until {
            Some(s) => errors.take(&format!("{prefix}.valid_until"), parse_date(s)),
            None => None,
        };
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until < from
        {
            errors.add(
                format!("{prefix}.valid_until"),
                "ends_before_start",
                format!("{until} is before the start {from}"),
            );
        }
        // A rule outside its version's period would never apply: a typing error.
        if let Some(from) = valid_from {
            if from < version_start {
                errors.add(
                    format!("{prefix}.valid_from"),
                    "outside_version",
                    format!("{from} is before its version starts ({version_start})"),
                );
            } else if let Some(end) = version_end.filter(|end| from > *end) {
                errors.add(
                    format!("{prefix}.valid_from"),
                    "outside_version",
                    format!("{from} is after its version ends ({end})"),
                );
            }
        }
        check_text(errors, &format!("{prefix}.source"), &self.source, true);
        let description = |text: &Option<String>| text.as_ref().map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
        let (description_nl, description_en) = (description(&self.description_nl), description(&self.description_en));
        for (name, text) in [("description_nl", &self.description_nl), ("description_en", &self.description_en)] {
            let field = format!("{prefix}.{name}");
            match text {
                Some(text) => check_text(errors, &field, text, constraint == Some(Constraint::Checklist)),
                None if constraint == Some(Constraint::Checklist) => {
                    errors.add(field, "required", "a checklist item says what to check, in Dutch and English")
                }
                None => {}
            }
        }
        if errors.0.len() != before {
            return None;
        }
        Some(Rule {
            constraint: constraint?,
            value,
            value_with_consent: self.value_with_consent,
            when: when?,
            valid_from: valid_from?,
            valid_until,
            source: self.source.trim().to_string(),
            description_nl,
            description_en,
        })
    }
}

fn check_value(errors: &mut FieldErrors, field: &str, constraint: Constraint, value: f64) -> f64 {
    if !value.is_finite() || value <= 0.0 {
        errors.add(field, "not_positive", format!("{value} must be greater than 0"));
    } else if value > MAX_VALUE {
        errors.add(field, "too_large", format!("{value} is implausibly large (at most {MAX_VALUE})"));
    } else if constraint.counts_persons() && value.fract() != 0.0 {
        errors.add(field, "not_whole", format!("{value} counts persons and must be a whole number"));
    }
    value
}

impl ConditionInput {
    fn validate_into(&self, prefix: &str, errors: &mut FieldErrors) -> Option<Condition> {
        let before = errors.0.len();
        let housing_forms = self.housing_forms.as_ref().map(|forms| {
            if forms.is_empty() {
                errors.add(
                    format!("{prefix}.housing_forms"),
                    "required",
                    "name at least one housing form, or leave it out",
                );
            }
            forms
                .iter()
                .enumerate()
                .filter_map(|(i, code)| {
                    let form = HousingForm::parse(code.trim());
                    if form.is_none() {
                        errors.add(
                            format!("{prefix}.housing_forms[{i}]"),
                            "unknown_housing_form",
                            format!("'{code}' is not a housing form; use one of {}", HousingForm::codes()),
                        );
                    }
                    form
                })
                .collect::<Vec<_>>()
        });
        // A set of forms: order and repeats do not make another condition.
        let housing_forms = housing_forms.map(|mut forms| {
            forms.sort();
            forms.dedup();
            forms
        });
        let new_location_since = match &self.new_location_since {
            Some(s) => errors.take(&format!("{prefix}.new_location_since"), parse_date(s)),
            None => None,
        };
        (errors.0.len() == before).then_some(Condition {
            housing_forms,
            zoned_residential: self.zoned_residential,
            new_location_since,
        })
    }
}

// ---------------------------------------------------------------------------------------
// Files: TOML in the shape of `RuleSetInput`, with errors pointing at lines.

/// A problem in a rule-set file, located by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileError {
    pub line: usize,
    /// The field path, when the problem is in one field.
    pub field: Option<String>,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.field {
            Some(field) => write!(f, "line {}: {field}: {}", self.line, self.message),
            None => write!(f, "line {}: {}", self.line, self.message),
        }
    }
}

/// Reads and validates a rule-set file; every problem names its line.
pub fn parse_rule_set_file(text: &str) -> Result<RuleSet, Vec<FileError>> {
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
    let input: RuleSetInput = toml::from_str(text).map_err(|e| {
        vec![FileError {
            line: e.span().map_or(1, |span| line_of(span.start)),
            field: None,
            message: e.message().trim().to_string(),
        }]
    })?;
    input.validate().map_err(|errors| {
        let document = toml::de::DeTable::parse(text).ok();
        errors
            .0
            .into_iter()
            .map(|e| FileError {
                line: document.as_ref().and_then(|doc| span_of(doc.get_ref(), &e.field)).map_or(1, line_of),
                message: e.message,
                field: Some(e.field),
            })
            .collect()
    })
}

/// The byte offset of a field path like `versions[0].rules[2].value` in a parsed document:
/// the deepest part of the path that exists (a missing field points at its table).
fn span_of(table: &toml::de::DeTable<'_>, path: &str) -> Option<usize> {
    let mut segments = Vec::new();
    for part in path.split('.') {
        let (name, rest) = part.split_once('[').unwrap_or((part, ""));
        segments.push((name, None));
        for index in rest.split('[') {
            if let Ok(i) = index.trim_end_matches(']').parse::<usize>() {
                segments.push(("", Some(i)));
            }
        }
    }
    let mut current_table = Some(table);
    let mut current_array: Option<&[toml::Spanned<toml::de::DeValue<'_>>]> = None;
    let mut found = None;
    for (name, index) in segments {
        let value = match index {
            None => current_table?.iter().find(|(k, _)| k.get_ref() == name).map(|(_, v)| v),
            Some(i) => current_array?.get(i),
        };
        let Some(value) = value else { break };
        found = Some(value.span().start);
        current_table = None;
        current_array = None;
        match value.get_ref() {
            toml::de::DeValue::Table(t) => current_table = Some(t),
            toml::de::DeValue::Array(a) => current_array = Some(a),
            _ => {}
        }
    }
    found
}

/// The built-in rule sets, validated. A broken built-in file is a bug, found by the tests.
pub fn builtin_rule_sets() -> Result<Vec<RuleSet>, String> {
    BUILTIN_RULE_SETS
        .iter()
        .map(|(name, text)| {
            parse_rule_set_file(text).map(|set| RuleSet { builtin: true, ..set }).map_err(|errors| {
                let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                format!("data/norms/{name}: {}", list.join("; "))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn builtin_files_are_valid_and_cite_sources() {
        let sets = builtin_rule_sets().unwrap();
        assert_eq!(sets.len(), BUILTIN_RULE_SETS.len());
        for set in &sets {
            for version in &set.versions {
                assert!(version.rules.iter().all(|r| !r.source.is_empty()), "{}", set.code);
            }
        }
        let codes: Vec<&str> = sets.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["bouwbesluit-2012", "snf", "akf", "den-haag-huisvestingsverordening", "bommelerwaard"]);
    }

    #[test]
    fn version_in_force_by_date() {
        let text = r#"
code = "test"
scheme = "municipal"
name = "Test"
municipalities = ["GM0518"]
[[versions]]
valid_from = "2020-01-01"
[[versions.rules]]
constraint = "max_persons"
value = 6
source = "v1"
[[versions]]
valid_from = "2024-07-01"
valid_until = "2030-12-31"
[[versions.rules]]
constraint = "max_persons"
value = 4
source = "v2"
"#;
        let set = parse_rule_set_file(text).unwrap();
        assert_eq!(set.version_on(date("2019-12-31")), None);
        assert_eq!(set.version_on(date("2020-01-01")).unwrap().version, 1);
        assert_eq!(set.version_on(date("2024-06-30")).unwrap().version, 1);
        assert_eq!(set.version_on(date("2024-07-01")).unwrap().version, 2);
        assert_eq!(set.version_on(date("2030-12-31")).unwrap().version, 2);
        assert_eq!(set.version_on(date("2031-01-01")), None);
        assert_eq!(set.version_end(0), Some(date("2024-06-30")));
        assert_eq!(set.version_end(1), Some(date("2030-12-31")));
    }

    /// Each bad file is rejected with the line and field of the problem.
    #[test]
    fn bad_files_name_line_and_reason() {
        let head = "code = \"x-1\"\nscheme = \"municipal\"\nname = \"X\"\nmunicipalities = [\"GM0518\"]\n[[versions]]\nvalid_from = \"2020-01-01\"\n";
        let rule = |body: &str| format!("{head}[[versions.rules]]\n{body}");
        let cases: Vec<(String, usize, &str, &str)> = vec![
            // (file, line, field or "" for a syntax error, code or message fragment)
            (
                rule("constraint = \"max_persons\"\nvalue = 4\nsource = \"s\"\n")
                    .replace("municipal\"", "gemeentelijk\""),
                2,
                "scheme",
                "not a known scheme",
            ),
            (rule("constraint = \"max_persons\"\nvalue = 4\n"), 7, "versions[0].rules[0].source", "is required"),
            (
                rule("constraint = \"floor_area_per_person\"\nvalue = -12\nsource = \"s\"\n"),
                9,
                "versions[0].rules[0].value",
                "greater than 0",
            ),
            (
                rule(
                    "constraint = \"max_persons\"\nvalue = 4\nsource = \"s\"\nvalid_from = \"2021-01-01\"\nvalid_until = \"2020-12-31\"\n",
                ),
                12,
                "versions[0].rules[0].valid_until",
                "before the start",
            ),
            (
                rule(
                    "constraint = \"max_persons\"\nvalue = 4\nsource = \"s\"\n[[versions.rules]]\nconstraint = \"max_persons\"\nvalue = 5\nsource = \"t\"\nvalid_from = \"2022-01-01\"\n",
                ),
                15,
                "versions[0].rules[1].valid_from",
                "overlaps rule 0",
            ),
            (
                rule("constraint = \"wardrobe\"\nsource = \"s\"\n"),
                8,
                "versions[0].rules[0].constraint",
                "not a known constraint",
            ),
            (
                format!(
                    "{}[[versions]]\nvalid_from = \"2019-01-01\"\n[[versions.rules]]\nconstraint = \"max_persons\"\nvalue = 3\nsource = \"s\"\n",
                    rule("constraint = \"max_persons\"\nvalue = 4\nsource = \"s\"\n")
                ),
                12,
                "versions[1].valid_from",
                "not after version 1",
            ),
            (
                rule("constraint = \"max_persons\"\nvalue = 4\nsource = \"s\"\ncolour = \"red\"\n"),
                11,
                "",
                "unknown field",
            ),
            (rule("constraint = \"max_persons\"\nvalue = 4\nsource = \"s\n"), 10, "", ""),
        ];
        for (text, line, field, fragment) in cases {
            let errors = parse_rule_set_file(&text).expect_err(&text);
            let e = &errors[0];
            assert_eq!(e.line, line, "{text}\n{errors:?}");
            if field.is_empty() {
                assert_eq!(e.field, None);
            } else {
                assert_eq!(e.field.as_deref(), Some(field), "{errors:?}");
            }
            assert!(e.message.contains(fragment), "{errors:?}");
        }
    }

    #[test]
    fn rules_stay_inside_their_version_and_forms_are_a_set() {
        let version = |rules: Vec<RuleInput>| VersionInput {
            valid_from: "2024-01-01".into(),
            valid_until: Some("2025-12-31".into()),
            rules,
            ..Default::default()
        };
        let rule = |from: &str, forms: &[&str]| RuleInput {
            constraint: "max_persons".into(),
            value: Some(4.0),
            valid_from: Some(from.into()),
            when: ConditionInput {
                housing_forms: Some(forms.iter().map(|f| f.to_string()).collect()),
                ..Default::default()
            },
            source: "s".into(),
            ..Default::default()
        };
        let codes = |v: VersionInput| {
            let mut errors = FieldErrors::new();
            v.validate_into("v", 1, &mut errors);
            errors.0.into_iter().map(|e| (e.field, e.code)).collect::<Vec<_>>()
        };
        assert_eq!(
            codes(version(vec![rule("2023-12-31", &["a"])])),
            [("v.rules[0].valid_from".to_string(), "outside_version")]
        );
        assert_eq!(
            codes(version(vec![rule("2026-01-01", &["a"])])),
            [("v.rules[0].valid_from".to_string(), "outside_version")]
        );
        assert!(codes(version(vec![rule("2025-12-31", &["a"])])).is_empty());
        // [a, c] and [c, a, c] are the same condition: the second overlaps the first.
        let overlap = codes(version(vec![rule("2024-01-01", &["a", "c"]), rule("2024-06-01", &["c", "a", "c"])]));
        assert_eq!(overlap, [("v.rules[1].valid_from".to_string(), "overlapping_validity")]);
    }

    #[test]
    fn national_sets_name_no_municipalities_and_municipal_sets_do() {
        let mut input = RuleSetInput {
            code: "eigen".into(),
            scheme: "municipal".into(),
            name: "Eigen regel".into(),
            municipalities: vec![],
            versions: vec![VersionInput {
                valid_from: "2024-01-01".into(),
                rules: vec![RuleInput {
                    constraint: "max_persons".into(),
                    value: Some(4.0),
                    source: "raadsbesluit".into(),
                    ..Default::default()
                }],
                ..Default::default()
            }],
        };
        assert_eq!(input.validate().unwrap_err().0[0].field, "municipalities");
        input.municipalities = vec!["GM9999x".into()];
        assert_eq!(input.validate().unwrap_err().0[0].field, "municipalities[0]");
        input.municipalities = vec!["GM0297".into()];
        assert!(input.validate().is_ok());
        input.scheme = "snf".into();
        assert_eq!(input.validate().unwrap_err().0[0].code, "not_allowed");
        input.scheme = "municipal".into();
        input.versions[0].rules[0].value = Some(4.5);
        assert_eq!(input.validate().unwrap_err().0[0].code, "not_whole");
    }
}
