//! What providers' systems, the API and CSV uploads send about occupancy: check-in,
//! check-out and transfer events with the pseudonymous worker and the rental terms, parsed
//! into drafts the store applies. A malformed event is reported by its fields; the CSV
//! format (one event per line) ends in the same `EventInput`.

use crate::error::{Check, FieldErrors};
use crate::ids::MunicipalityCode;
use crate::occupancy::Bsn;
use crate::register::parse_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// Where the worker is registered: the BRP of a municipality, the RNI (non-residents), or
    /// not at all.
    Registration {
        Brp = "brp",
        Rni = "rni",
        Unregistered = "none",
    }
}

code_enum! {
    EventKind {
        CheckIn = "check_in",
        CheckOut = "check_out",
        Transfer = "transfer",
    }
}

/// A worker as the provider knows them; no name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkerInput {
    /// The provider's own reference (personnel or tenant number).
    pub reference: String,
    /// ISO 3166-1 alpha-2, e.g. `PL`.
    pub nationality: String,
    #[serde(default)]
    pub employer_id: Option<i64>,
    /// `brp`, `rni` or `none`.
    pub registration: String,
    #[serde(default)]
    pub brp_municipality: Option<String>,
    #[serde(default)]
    pub registered_on: Option<String>,
    /// Only to match the same person across providers; stored as a keyed hash.
    #[serde(default)]
    pub bsn: Option<String>,
}

/// The rental terms of a stay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermsInput {
    /// A rental contract apart from the employment contract (required since 2023-07-01).
    pub separate_contract: bool,
    /// Defaults to the check-in date.
    #[serde(default)]
    pub contract_start: Option<String>,
    pub rent_per_week: f64,
    pub notice_days: i64,
    /// Rent deducted from the wage, per week; 0 when none.
    #[serde(default)]
    pub deduction_per_week: f64,
    #[serde(default)]
    pub written_authorisation: bool,
    /// Contract hours per week, for the minimum-wage limit of a deduction.
    #[serde(default)]
    pub hours_per_week: f64,
    #[serde(default)]
    pub agricultural_cao: bool,
}

/// One event as sent. `type` decides which fields are needed: a check-in names the bed, the
/// worker and the terms; a check-out the worker's reference; a transfer the reference and
/// the new bed (the terms carry over unless new ones are given).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventInput {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub date: String,
    #[serde(default)]
    pub bed_id: Option<i64>,
    #[serde(default)]
    pub worker: Option<WorkerInput>,
    #[serde(default)]
    pub worker_reference: Option<String>,
    #[serde(default)]
    pub terms: Option<TermsInput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkerDraft {
    pub reference: String,
    pub nationality: String,
    pub employer_id: Option<i64>,
    pub registration: Registration,
    pub brp_municipality: Option<MunicipalityCode>,
    pub registered_on: Option<NaiveDate>,
    pub bsn: Option<Bsn>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Terms {
    pub separate_contract: bool,
    pub contract_start: NaiveDate,
    pub rent_per_week: f64,
    pub notice_days: u32,
    pub deduction_per_week: f64,
    pub written_authorisation: bool,
    pub hours_per_week: f64,
    pub agricultural_cao: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    CheckIn { bed_id: i64, date: NaiveDate, worker: WorkerDraft, terms: Terms },
    CheckOut { reference: String, date: NaiveDate },
    Transfer { reference: String, bed_id: i64, date: NaiveDate, terms: Option<Terms> },
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventDraft {
    pub id: String,
    pub event: Event,
}

/// The longest event id or reference accepted: ids come from other systems, not people.
const MAX_ID: usize = 100;

fn parse_reference(value: &str) -> Check<String> {
    let v = value.trim();
    if v.is_empty() {
        Err(("required", "required".into()))
    } else if v.len() > MAX_ID || v.chars().any(char::is_control) {
        Err(("invalid_reference", format!("at most {MAX_ID} characters, no control characters")))
    } else {
        Ok(v.to_string())
    }
}

/// An ISO 3166-1 alpha-2 country code, upper case.
pub fn parse_nationality(value: &str) -> Check<String> {
    let v = value.trim().to_ascii_uppercase();
    match isocountry::CountryCode::for_alpha2(&v) {
        Ok(_) => Ok(v),
        Err(_) => Err(("invalid_nationality", format!("'{}' is not an ISO 3166-1 alpha-2 country code", value.trim()))),
    }
}

/// The English name of a country code, for display; the code itself when unknown.
pub fn country_name(code: &str) -> &str {
    isocountry::CountryCode::for_alpha2(code).map(|c| c.name()).unwrap_or(code)
}

fn amount(errors: &mut FieldErrors, field: &str, value: f64, max: f64) -> f64 {
    if !value.is_finite() || value < 0.0 || value > max {
        errors.add(field, "out_of_range", format!("must be between 0 and {max}"));
    }
    value
}

impl WorkerInput {
    pub fn validate(&self, prefix: &str, errors: &mut FieldErrors) -> Option<WorkerDraft> {
        let f = |name: &str| format!("{prefix}{name}");
        let reference = errors.take(&f("reference"), parse_reference(&self.reference));
        let nationality = errors.take(&f("nationality"), parse_nationality(&self.nationality));
        let registration = errors.take(
            &f("registration"),
            Registration::parse(self.registration.trim())
                .ok_or_else(|| ("invalid_choice", format!("one of {}", Registration::codes()))),
        );
        let brp_municipality = match self.brp_municipality.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(code) => errors.take(&f("brp_municipality"), MunicipalityCode::parse(code)),
            None => None,
        };
        let registered_on = match self.registered_on.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => errors.take(&f("registered_on"), parse_date(d)),
            None => None,
        };
        match registration {
            Some(Registration::Brp) if brp_municipality.is_none() && errors.get(&f("brp_municipality")).is_none() => {
                errors.add(f("brp_municipality"), "required", "a BRP registration names its municipality");
            }
            Some(Registration::Brp | Registration::Rni)
                if registered_on.is_none() && errors.get(&f("registered_on")).is_none() =>
            {
                errors.add(f("registered_on"), "required", "a registration has a date");
            }
            Some(Registration::Unregistered) if brp_municipality.is_some() || registered_on.is_some() => {
                errors.add(f("registration"), "inconsistent", "no municipality or date without a registration");
            }
            Some(Registration::Rni) if brp_municipality.is_some() => {
                errors.add(f("brp_municipality"), "inconsistent", "an RNI registration has no municipality");
            }
            _ => {}
        }
        let bsn = match self.bsn.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(b) => errors.take(&f("bsn"), Bsn::parse(b)),
            None => None,
        };
        Some(WorkerDraft {
            reference: reference?,
            nationality: nationality?,
            employer_id: self.employer_id,
            registration: registration?,
            brp_municipality,
            registered_on,
            bsn,
        })
    }
}

impl TermsInput {
    pub fn validate(&self, prefix: &str, check_in: Option<NaiveDate>, errors: &mut FieldErrors) -> Option<Terms> {
        let f = |name: &str| format!("{prefix}{name}");
        let contract_start = match self.contract_start.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(d) => errors.take(&f("contract_start"), parse_date(d)),
            None => check_in,
        };
        let rent_per_week = amount(errors, &f("rent_per_week"), self.rent_per_week, 10_000.0);
        let deduction_per_week = amount(errors, &f("deduction_per_week"), self.deduction_per_week, 10_000.0);
        let hours_per_week = amount(errors, &f("hours_per_week"), self.hours_per_week, 168.0);
        let notice_days = u32::try_from(self.notice_days).ok().filter(|d| *d <= 366);
        if notice_days.is_none() {
            errors.add(f("notice_days"), "out_of_range", "must be between 0 and 366 days");
        }
        if deduction_per_week > 0.0 && hours_per_week == 0.0 && errors.get(&f("hours_per_week")).is_none() {
            errors.add(f("hours_per_week"), "required", "a deduction is limited by the hours worked per week");
        }
        Some(Terms {
            separate_contract: self.separate_contract,
            contract_start: contract_start?,
            rent_per_week,
            notice_days: notice_days?,
            deduction_per_week,
            written_authorisation: self.written_authorisation,
            hours_per_week,
            agricultural_cao: self.agricultural_cao,
        })
    }
}

impl EventInput {
    /// The event as a draft, or every problem with its field.
    pub fn validate(&self) -> Result<EventDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let id = errors.take("id", parse_reference(&self.id));
        let kind = errors.take(
            "type",
            EventKind::parse(self.kind.trim())
                .ok_or_else(|| ("invalid_choice", format!("one of {}", EventKind::codes()))),
        );
        let date = errors.take("date", parse_date(&self.date));
        let needs = |errors: &mut FieldErrors, field: &str, present: bool| {
            if !present {
                errors.add(field, "required", "required for this type of event");
            }
        };
        let unwanted = |errors: &mut FieldErrors, field: &str, present: bool| {
            if present {
                errors.add(field, "not_allowed", "not part of this type of event");
            }
        };
        let event = match kind {
            Some(EventKind::CheckIn) => {
                needs(&mut errors, "bed_id", self.bed_id.is_some());
                needs(&mut errors, "worker", self.worker.is_some());
                needs(&mut errors, "terms", self.terms.is_some());
                unwanted(&mut errors, "worker_reference", self.worker_reference.is_some());
                let worker = self.worker.as_ref().and_then(|w| w.validate("worker.", &mut errors));
                let terms = self.terms.as_ref().and_then(|t| t.validate("terms.", date, &mut errors));
                match (self.bed_id, date, worker, terms) {
                    (Some(bed_id), Some(date), Some(worker), Some(terms)) => {
                        Some(Event::CheckIn { bed_id, date, worker, terms })
                    }
                    _ => None,
                }
            }
            Some(kind @ (EventKind::CheckOut | EventKind::Transfer)) => {
                let transfer = kind == EventKind::Transfer;
                unwanted(&mut errors, "worker", self.worker.is_some());
                if transfer {
                    needs(&mut errors, "bed_id", self.bed_id.is_some());
                } else {
                    unwanted(&mut errors, "bed_id", self.bed_id.is_some());
                    unwanted(&mut errors, "terms", self.terms.is_some());
                }
                let reference = match &self.worker_reference {
                    Some(r) => errors.take("worker_reference", parse_reference(r)),
                    None => {
                        needs(&mut errors, "worker_reference", false);
                        None
                    }
                };
                let terms = match &self.terms {
                    Some(t) if transfer => t.validate("terms.", date, &mut errors),
                    _ => None,
                };
                match (reference, date) {
                    (Some(reference), Some(date)) if !transfer => Some(Event::CheckOut { reference, date }),
                    (Some(reference), Some(date)) => {
                        self.bed_id.map(|bed_id| Event::Transfer { reference, bed_id, date, terms })
                    }
                    _ => None,
                }
            }
            None => None,
        };
        match (id, event) {
            (Some(id), Some(event)) if errors.is_empty() => Ok(EventDraft { id, event }),
            _ => Err(errors),
        }
    }
}

impl EventDraft {
    pub fn kind(&self) -> EventKind {
        match self.event {
            Event::CheckIn { .. } => EventKind::CheckIn,
            Event::CheckOut { .. } => EventKind::CheckOut,
            Event::Transfer { .. } => EventKind::Transfer,
        }
    }
}

/// The columns of an event CSV file, in order. Empty cells are absent values; booleans
/// are `ja`/`nee`, `yes`/`no`, `true`/`false` or `1`/`0`.
pub const CSV_COLUMNS: [&str; 19] = [
    "id",
    "type",
    "date",
    "bed_id",
    "worker_reference",
    "nationality",
    "employer_id",
    "registration",
    "brp_municipality",
    "registered_on",
    "bsn",
    "separate_contract",
    "contract_start",
    "rent_per_week",
    "notice_days",
    "deduction_per_week",
    "written_authorisation",
    "hours_per_week",
    "agricultural_cao",
];

/// A line of an event CSV file that could not be read as an event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CsvLineError {
    /// 1-based line in the file (the header is line 1).
    pub line: u64,
    pub errors: FieldErrors,
}

/// A line of an event file with its number: an event to apply, or why it cannot be one.
pub type CsvLine = (u64, Result<EventInput, FieldErrors>);

/// Reads an event CSV file: every line becomes an event input (with its line number) or an
/// error naming the line and field. A file that is not UTF-8 or has the wrong header is one
/// error for line 1 (or the line where the bad bytes are), and no events.
pub fn parse_events_csv(bytes: &[u8]) -> Result<Vec<CsvLine>, CsvLineError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64 + 1;
            return Err(CsvLineError {
                line,
                errors: FieldErrors::single(
                    "file",
                    "not_utf8",
                    "the file is not UTF-8; save it as CSV UTF-8 and upload it again",
                ),
            });
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_string()).collect(),
        Err(e) => {
            return Err(CsvLineError { line: 1, errors: FieldErrors::single("file", "invalid_csv", e.to_string()) });
        }
    };
    if header != CSV_COLUMNS {
        return Err(CsvLineError {
            line: 1,
            errors: FieldErrors::single(
                "header",
                "wrong_header",
                format!("the first line must be: {}", CSV_COLUMNS.join(",")),
            ),
        });
    }
    let mut out = Vec::new();
    for record in reader.records() {
        match record {
            Ok(r) => {
                let line = r.position().map_or(0, |p| p.line());
                out.push((line, event_from_record(&r)));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                out.push((line, Err(FieldErrors::single("line", "invalid_csv", e.to_string()))));
            }
        }
    }
    Ok(out)
}

fn event_from_record(r: &csv::StringRecord) -> Result<EventInput, FieldErrors> {
    let mut errors = FieldErrors::new();
    if r.len() != CSV_COLUMNS.len() {
        errors.add("line", "wrong_column_count", format!("{} columns, expected {}", r.len(), CSV_COLUMNS.len()));
        return Err(errors);
    }
    let cell = |name: &str| -> Option<String> {
        let i = CSV_COLUMNS.iter().position(|c| *c == name)?;
        r.get(i).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string)
    };
    let mut number = |name: &str| -> Option<f64> {
        let v = cell(name)?;
        match v.replace(',', ".").parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                errors.add(name, "invalid_number", format!("'{v}' is not a number"));
                None
            }
        }
    };
    let rent = number("rent_per_week");
    let deduction = number("deduction_per_week");
    let hours = number("hours_per_week");
    let notice = number("notice_days");
    let bed_id = number("bed_id");
    let employer_id = number("employer_id");
    let mut flag = |name: &str| -> bool {
        match cell(name).map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("nee" | "no" | "false" | "0") => false,
            Some("ja" | "yes" | "true" | "1") => true,
            Some(other) => {
                errors.add(name, "invalid_boolean", format!("'{other}' is not ja or nee"));
                false
            }
        }
    };
    let separate_contract = flag("separate_contract");
    let written_authorisation = flag("written_authorisation");
    let agricultural_cao = flag("agricultural_cao");
    let whole = |errors: &mut FieldErrors, name: &str, v: Option<f64>| -> Option<i64> {
        let v = v?;
        if v.fract() == 0.0 && v.abs() < 1e15 {
            Some(v as i64)
        } else {
            errors.add(name, "invalid_number", "must be a whole number");
            None
        }
    };
    let bed_id = whole(&mut errors, "bed_id", bed_id);
    let employer_id = whole(&mut errors, "employer_id", employer_id);
    let notice_days = whole(&mut errors, "notice_days", notice);
    let kind = cell("type").unwrap_or_default();
    let check_in = kind == EventKind::CheckIn.as_str();
    let worker = check_in.then(|| WorkerInput {
        reference: cell("worker_reference").unwrap_or_default(),
        nationality: cell("nationality").unwrap_or_default(),
        employer_id,
        registration: cell("registration").unwrap_or_default(),
        brp_municipality: cell("brp_municipality"),
        registered_on: cell("registered_on"),
        bsn: cell("bsn"),
    });
    let has_terms = rent.is_some() || notice_days.is_some() || cell("contract_start").is_some();
    let terms = (has_terms || check_in).then(|| TermsInput {
        separate_contract,
        contract_start: cell("contract_start"),
        rent_per_week: rent.unwrap_or(-1.0),
        notice_days: notice_days.unwrap_or(-1),
        deduction_per_week: deduction.unwrap_or(0.0),
        written_authorisation,
        hours_per_week: hours.unwrap_or(0.0),
        agricultural_cao,
    });
    let input = EventInput {
        id: cell("id").unwrap_or_default(),
        kind,
        date: cell("date").unwrap_or_default(),
        bed_id,
        worker_reference: if check_in { None } else { cell("worker_reference") },
        worker,
        terms: if check_in || kind_is_transfer(r) { terms } else { None },
    };
    if errors.is_empty() { Ok(input) } else { Err(errors) }
}

fn kind_is_transfer(r: &csv::StringRecord) -> bool {
    r.get(1).map(str::trim) == Some(EventKind::Transfer.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_in() -> EventInput {
        EventInput {
            id: "e-1".into(),
            kind: "check_in".into(),
            date: "2026-03-01".into(),
            bed_id: Some(7),
            worker: Some(WorkerInput {
                reference: "P-100".into(),
                nationality: "pl".into(),
                registration: "rni".into(),
                registered_on: Some("2026-02-20".into()),
                ..Default::default()
            }),
            worker_reference: None,
            terms: Some(TermsInput {
                separate_contract: true,
                rent_per_week: 120.0,
                notice_days: 14,
                ..Default::default()
            }),
        }
    }

    fn fields(e: &EventInput) -> Vec<(String, &'static str)> {
        e.validate().unwrap_err().0.into_iter().map(|x| (x.field, x.code)).collect()
    }

    #[test]
    fn a_check_in_needs_bed_worker_and_terms() {
        let draft = check_in().validate().unwrap();
        let Event::CheckIn { worker, terms, .. } = draft.event else { panic!("a check-in") };
        assert_eq!(worker.nationality, "PL");
        assert_eq!(terms.contract_start.to_string(), "2026-03-01");
        let mut e = check_in();
        e.bed_id = None;
        e.terms = None;
        assert_eq!(fields(&e), [("bed_id".into(), "required"), ("terms".into(), "required")]);
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut e = check_in();
        e.date = "2026-02-30".into();
        let w = e.worker.as_mut().unwrap();
        w.nationality = "XX".into();
        w.bsn = Some("111222334".into());
        w.registration = "brp".into();
        e.terms.as_mut().unwrap().rent_per_week = -5.0;
        let got = fields(&e);
        for want in [
            ("date", "invalid_date"),
            ("worker.nationality", "invalid_nationality"),
            ("worker.bsn", "invalid_bsn"),
            ("worker.brp_municipality", "required"),
            ("terms.rent_per_week", "out_of_range"),
        ] {
            assert!(got.contains(&(want.0.to_string(), want.1)), "{want:?} in {got:?}");
        }
    }

    #[test]
    fn check_out_and_transfer_name_the_worker_by_reference() {
        let out = EventInput {
            id: "e-2".into(),
            kind: "check_out".into(),
            date: "2026-04-01".into(),
            worker_reference: Some("P-100".into()),
            ..Default::default()
        };
        assert_eq!(
            out.validate().unwrap().event,
            Event::CheckOut { reference: "P-100".into(), date: NaiveDate::from_ymd_opt(2026, 4, 1).unwrap() }
        );
        let transfer = EventInput { kind: "transfer".into(), ..out.clone() };
        assert_eq!(fields(&transfer), [("bed_id".into(), "required")]);
        let unknown = EventInput { kind: "move".into(), ..out };
        assert_eq!(fields(&unknown), [("type".into(), "invalid_choice")]);
    }

    #[test]
    fn csv_lines_become_events_or_errors_by_line() {
        let header = CSV_COLUMNS.join(",");
        let file = format!(
            "{header}\n\
             e-1,check_in,2026-03-01,7,P-100,PL,,none,,,,ja,,120,14,,,,\n\
             e-2,check_out,2026-04-01,,P-100,,,,,,,,,,,,,,\n\
             e-3,check_in,2026-03-01,x,P-101,RO,,none,,,,ja,,120,14,,,,\n"
        );
        let rows = parse_events_csv(file.as_bytes()).unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].0, 2);
        assert!(rows[0].1.as_ref().unwrap().validate().is_ok());
        assert!(rows[1].1.as_ref().unwrap().validate().is_ok());
        assert_eq!(rows[2].0, 4);
        assert_eq!(rows[2].1.as_ref().unwrap_err().0[0].field, "bed_id");
        let latin1 = [header.as_bytes(), b"\ne-1,check_in,2026-03-01,7,P-\xe9,PL\n"].concat();
        let err = parse_events_csv(&latin1).unwrap_err();
        assert_eq!((err.line, err.errors.0[0].code), (2, "not_utf8"));
        assert_eq!(parse_events_csv(b"id;type\n").unwrap_err().errors.0[0].code, "wrong_header");
    }
}
