//! Certificates (SNF, SNF-inhuur, AKF): which organisation holds which mark, when, and with
//! what status, and the sanction ladder that follows from overdue defects.

use crate::error::FieldErrors;
use crate::norms::NormScheme;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// The certification schemes. SNF-inhuur is for firms that hire beds from certified
    /// providers; it brings the SNF norm like the SNF mark itself.
    CertificateScheme { Snf = "snf", SnfInhuur = "snf_inhuur", Akf = "akf" }
}

code_enum! {
    CertificateStatus { Active = "active", Suspended = "suspended", Withdrawn = "withdrawn" }
}

impl CertificateScheme {
    /// The norm a certificate of this scheme brings.
    pub fn norm(self) -> NormScheme {
        match self {
            CertificateScheme::Snf | CertificateScheme::SnfInhuur => NormScheme::Snf,
            CertificateScheme::Akf => NormScheme::Akf,
        }
    }
}

impl CertificateStatus {
    /// Withdrawal is final: a withdrawn firm is off the register and must certify anew.
    pub fn may_become(self, next: CertificateStatus) -> bool {
        use CertificateStatus::*;
        matches!((self, next), (Active, Suspended) | (Suspended, Active) | (Active | Suspended, Withdrawn))
    }
}

/// Days after a defect's deadline, still open, before the suspended certificate is withdrawn.
pub const WITHDRAW_AFTER_DAYS: i64 = 60;

/// What an open defect past its deadline does to the certificate: suspension the day after
/// the deadline, withdrawal `WITHDRAW_AFTER_DAYS` later. `None` when nothing changes.
pub fn sanction(current: CertificateStatus, deadline: NaiveDate, today: NaiveDate) -> Option<CertificateStatus> {
    let overdue_days = (today - deadline).num_days();
    match current {
        CertificateStatus::Withdrawn => None,
        _ if overdue_days > WITHDRAW_AFTER_DAYS => Some(CertificateStatus::Withdrawn),
        CertificateStatus::Active if overdue_days > 0 => Some(CertificateStatus::Suspended),
        _ => None,
    }
}

/// A certificate with its dated status history, as the norm engine needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateSpan {
    pub scheme: CertificateScheme,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// (since, status), oldest first; the first entry is the status at issue.
    pub statuses: Vec<(NaiveDate, CertificateStatus)>,
}

impl CertificateSpan {
    /// The status in effect on `date`: the latest change on or before it.
    pub fn status_on(&self, date: NaiveDate) -> Option<CertificateStatus> {
        self.statuses.iter().rev().find(|(since, _)| *since <= date).map(|(_, status)| *status)
    }

    /// Valid on `date` and active then.
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date
            && self.valid_until.is_none_or(|until| date <= until)
            && self.status_on(date) == Some(CertificateStatus::Active)
    }
}

/// The day an operator's certification ended, when none of its certificates is in force on
/// `date` but one was before: the last day one was in force (for the signal on occupied beds
/// at a location whose certificate lapsed). `None` for an operator certified on `date`, or
/// never certified.
pub fn lapsed_on<'a>(
    certificates: impl IntoIterator<Item = &'a CertificateSpan>,
    date: NaiveDate,
) -> Option<NaiveDate> {
    let mut last: Option<NaiveDate> = None;
    for c in certificates {
        if c.in_force_on(date) {
            return None;
        }
        // The end of its last active period before `date`: the earlier of its expiry and the
        // first status change after an active one.
        let mut end = None;
        for (i, (since, status)) in c.statuses.iter().enumerate() {
            if *status == CertificateStatus::Active && *since <= date {
                let stop = c.statuses.get(i + 1).map_or(date, |(next, _)| next.pred_opt().unwrap_or(*next));
                let stop = c.valid_until.map_or(stop, |u| stop.min(u));
                if stop >= c.valid_from.max(*since) && stop < date {
                    end = Some(stop);
                }
            }
        }
        last = last.max(end);
    }
    last
}

/// Which norms an operator's certificates bring on `date`.
pub fn certified_on<'a>(
    certificates: impl IntoIterator<Item = &'a CertificateSpan>,
    date: NaiveDate,
) -> crate::capacity::Certified {
    let mut certified = crate::capacity::Certified::default();
    for c in certificates.into_iter().filter(|c| c.in_force_on(date)) {
        match c.scheme.norm() {
            NormScheme::Snf => certified.snf = true,
            NormScheme::Akf => certified.akf = true,
            NormScheme::Bouwbesluit | NormScheme::Municipal => {}
        }
    }
    certified
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, (&'static str, String)> {
    crate::register::parse_date(s)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateInput {
    pub organisation_id: i64,
    pub scheme: String,
    pub number: String,
    pub valid_from: String,
    #[serde(default)]
    pub valid_until: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CertificateDraft {
    pub organisation_id: i64,
    pub scheme: CertificateScheme,
    pub number: String,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
}

impl CertificateInput {
    pub fn validate(&self) -> Result<CertificateDraft, FieldErrors> {
        let mut errors = FieldErrors::new();
        let scheme = CertificateScheme::parse(self.scheme.trim());
        if scheme.is_none() {
            errors.add(
                "scheme",
                "unknown_scheme",
                format!("'{}' is not a certification scheme; use one of {}", self.scheme, CertificateScheme::codes()),
            );
        }
        let number = self.number.trim();
        if number.is_empty() {
            errors.add("number", "required", "is required");
        } else if number.len() > 40 || !number.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.') {
            errors.add("number", "invalid_certificate_number", "use at most 40 letters, digits, hyphens and dots");
        }
        let valid_from = errors.take("valid_from", parse_date(&self.valid_from));
        let valid_until = match self.valid_until.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => errors.take("valid_until", parse_date(s)),
            None => None,
        };
        if let (Some(from), Some(until)) = (valid_from, valid_until)
            && until < from
        {
            errors.add("valid_until", "ends_before_start", format!("{until} is before the start {from}"));
        }
        errors.into_result(|| CertificateDraft {
            organisation_id: self.organisation_id,
            scheme: scheme.unwrap_or(CertificateScheme::Snf),
            number: number.to_string(),
            valid_from: valid_from.unwrap_or_default(),
            valid_until,
        })
    }
}

/// A change of status, from a date, with the reason (shown in the public history).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusChangeInput {
    pub status: String,
    pub since: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatusChange {
    pub status: CertificateStatus,
    pub since: NaiveDate,
    pub reason: String,
}

impl StatusChangeInput {
    pub fn validate(&self) -> Result<StatusChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let status = CertificateStatus::parse(self.status.trim());
        if status.is_none() {
            errors.add(
                "status",
                "unknown_status",
                format!("'{}' is not a status; use one of {}", self.status, CertificateStatus::codes()),
            );
        }
        let since = errors.take("since", parse_date(&self.since));
        let reason = self.reason.trim();
        if reason.is_empty() {
            errors.add("reason", "required", "say why the status changes");
        } else if reason.chars().count() > crate::register::MAX_TEXT_LEN {
            errors.add("reason", "too_long", format!("is longer than {} characters", crate::register::MAX_TEXT_LEN));
        }
        errors.into_result(|| StatusChange {
            status: status.unwrap_or(CertificateStatus::Active),
            since: since.unwrap_or_default(),
            reason: reason.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn sanction_ladder_by_days_overdue() {
        use CertificateStatus::*;
        let deadline = date("2026-03-01");
        let cases = [
            (Active, "2026-03-01", None),
            (Active, "2026-03-02", Some(Suspended)),
            (Suspended, "2026-04-30", None),
            (Suspended, "2026-05-01", Some(Withdrawn)),
            (Active, "2026-05-01", Some(Withdrawn)),
            (Withdrawn, "2027-01-01", None),
        ];
        for (current, today, expect) in cases {
            assert_eq!(sanction(current, deadline, date(today)), expect, "{current} on {today}");
        }
    }

    #[test]
    fn in_force_by_validity_and_status_history() {
        use CertificateStatus::*;
        let c = CertificateSpan {
            scheme: CertificateScheme::SnfInhuur,
            valid_from: date("2024-01-01"),
            valid_until: Some(date("2026-12-31")),
            statuses: vec![(date("2024-01-01"), Active), (date("2025-03-01"), Suspended), (date("2025-04-15"), Active)],
        };
        let on = |d: &str| c.in_force_on(date(d));
        assert!(!on("2023-12-31") && on("2024-01-01") && on("2025-02-28"));
        assert!(!on("2025-03-01") && !on("2025-04-14") && on("2025-04-15"));
        assert!(on("2026-12-31") && !on("2027-01-01"));
        assert_eq!(certified_on([&c], date("2025-05-01")), crate::capacity::Certified { snf: true, akf: false });
        assert_eq!(certified_on([&c], date("2025-03-10")), crate::capacity::Certified::default());
        // Lapsed: during the suspension since the day before it, after expiry since the expiry.
        assert_eq!(lapsed_on([&c], date("2025-03-10")), Some(date("2025-02-28")));
        assert_eq!(lapsed_on([&c], date("2025-05-01")), None);
        assert_eq!(lapsed_on([&c], date("2027-02-01")), Some(date("2026-12-31")));
        // Never certified is not lapsed; a second certificate in force means certified.
        assert_eq!(lapsed_on([&c], date("2023-06-01")), None);
        let renewed = CertificateSpan {
            valid_from: date("2027-01-01"),
            valid_until: None,
            statuses: vec![(date("2027-01-01"), Active)],
            ..c.clone()
        };
        assert_eq!(lapsed_on([&c, &renewed], date("2027-02-01")), None);
    }

    #[test]
    fn withdrawal_is_final() {
        use CertificateStatus::*;
        assert!(Active.may_become(Suspended) && Suspended.may_become(Active) && Suspended.may_become(Withdrawn));
        assert!(!Withdrawn.may_become(Active) && !Active.may_become(Active));
    }

    #[test]
    fn bad_certificate_input_names_the_field() {
        let input = CertificateInput {
            organisation_id: 1,
            scheme: "iso9001".into(),
            number: "".into(),
            valid_from: "2026-02-30".into(),
            valid_until: Some("2020-01-01".into()),
        };
        let fields: Vec<String> = input.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["scheme", "number", "valid_from"]);
        let ok = CertificateInput {
            scheme: "snf".into(),
            number: "SNF-1234".into(),
            valid_from: "2024-01-01".into(),
            ..input
        };
        assert_eq!(ok.validate().unwrap_err().0[0].code, "ends_before_start");
    }
}
