//! Occupancy (issue 4), the pure parts: the BSN check, stays as date ranges that must not
//! overlap on one bed, the registration rule (housed more than 4 months within 6 while not
//! registered in the BRP), and the rules for rent deducted from wages, with the statutory
//! minimum wage as dated data (`data/minimum-wage.toml`).
//!
//! Dates are days. A stay runs from its check-in day up to, not including, its check-out day:
//! a bed freed on the 10th can be taken by someone checking in on the 10th.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// A citizen service number that passed the eleven-test. It is only ever held in memory
/// long enough to be hashed with the configured key; it is never stored or shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Bsn([u8; 9]);

impl std::fmt::Debug for Bsn {
    /// Never the number itself, not even in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bsn(…)")
    }
}

impl Bsn {
    /// Nine digits (eight with an implied leading zero), spaces and dots allowed, passing
    /// the eleven-test: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 and not 0.
    pub fn parse(input: &str) -> Result<Bsn, (&'static str, String)> {
        let digits: Vec<u8> = input.bytes().filter(|b| !matches!(b, b' ' | b'.')).collect();
        let bad = || ("invalid_bsn", "a BSN is 9 digits that pass the eleven-test".to_string());
        if !(8..=9).contains(&digits.len()) || !digits.iter().all(u8::is_ascii_digit) {
            return Err(bad());
        }
        let mut d = [0u8; 9];
        let offset = 9 - digits.len();
        for (i, b) in digits.iter().enumerate() {
            d[offset + i] = b - b'0';
        }
        let sum: i64 = (0..8).map(|i| (9 - i as i64) * d[i] as i64).sum::<i64>() - d[8] as i64;
        if sum == 0 || sum % 11 != 0 {
            return Err(bad());
        }
        Ok(Bsn(d))
    }

    /// The digits, for the keyed hash only.
    pub fn digits(&self) -> String {
        self.0.iter().map(|d| char::from(b'0' + d)).collect()
    }

    /// HMAC-SHA256 of the digits under the configured key, in hex: the same person gives the
    /// same value at every provider, and without the key the value cannot be turned back
    /// into a BSN by trying all billion numbers.
    pub fn keyed_hash(&self, key: &[u8]) -> String {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
        mac.update(self.digits().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// A stay on one bed: from the check-in day up to the check-out day (open while absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from: NaiveDate,
    pub until: Option<NaiveDate>,
}

impl Span {
    /// A check-out must come after the check-in (a stay of at least one night).
    pub fn new(from: NaiveDate, until: Option<NaiveDate>) -> Result<Span, (&'static str, String)> {
        match until {
            Some(u) if u <= from => {
                Err(("check_out_before_check_in", format!("check-out {u} is not after check-in {from}")))
            }
            _ => Ok(Span { from, until }),
        }
    }

    /// Do the two stays share a night?
    pub fn overlaps(&self, other: &Span) -> bool {
        self.until.is_none_or(|u| other.from < u) && other.until.is_none_or(|u| self.from < u)
    }

    /// Is the bed taken on `day`?
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.from <= day && self.until.is_none_or(|u| day < u)
    }
}

/// The first pair of stays (by index) on one bed that share a night, if any.
pub fn first_overlap(stays: &[Span]) -> Option<(usize, usize)> {
    let mut order: Vec<usize> = (0..stays.len()).collect();
    order.sort_by_key(|&i| (stays[i].from, i));
    order.windows(2).find(|w| stays[w[0]].overlaps(&stays[w[1]])).map(|w| (w[0].min(w[1]), w[0].max(w[1])))
}

code_enum! {
    /// A bed on a day: taken, free, free now but booked later, or not usable.
    BedState {
        Free = "free",
        Occupied = "occupied",
        Reserved = "reserved",
        OutOfService = "out_of_service",
    }
}

code_enum! {
    /// How long a stay lasts (or has lasted so far): short under 4 months (below the BRP
    /// registration threshold), mid from 4 to 12 months, long 12 months or more.
    StayLength {
        Short = "short",
        Mid = "mid",
        Long = "long",
    }
}

impl StayLength {
    /// The class of a stay judged on `today` (an open stay by its length so far).
    pub fn of(span: &Span, today: NaiveDate) -> StayLength {
        let end = span.until.unwrap_or(today).max(span.from);
        if span.from.checked_add_months(Months::new(12)).is_some_and(|y| end >= y) {
            StayLength::Long
        } else if span.from.checked_add_months(Months::new(4)).is_some_and(|m| end >= m) {
            StayLength::Mid
        } else {
            StayLength::Short
        }
    }
}

/// Nights of `span` within [from, to), as days.
fn nights_within(span: &Span, from: NaiveDate, to: NaiveDate) -> i64 {
    let start = span.from.max(from);
    let end = span.until.map_or(to, |u| u.min(to));
    (end - start).num_days().max(0)
}

/// Housed more than 4 months within some 6 months while not registered in the BRP (Wet BRP:
/// who expects to stay 4 months in 6 must register). `housed` are the person's stays at any
/// location, not overlapping; `brp_since` the day of BRP registration, if any; nights from
/// that day on do not count. Judged up to `today` (an open stay counts until then).
pub fn unregistered_too_long(housed: &[Span], brp_since: Option<NaiveDate>, today: NaiveDate) -> bool {
    let stop = brp_since.map_or(today, |b| b.min(today));
    let unregistered: Vec<Span> = housed
        .iter()
        .filter(|s| s.from < stop)
        .map(|s| Span { from: s.from, until: Some(s.until.map_or(stop, |u| u.min(stop))) })
        .collect();
    // The busiest 6-month window starts on some stay's first night.
    unregistered.iter().any(|start| {
        let (Some(four), Some(six)) =
            (start.from.checked_add_months(Months::new(4)), start.from.checked_add_months(Months::new(6)))
        else {
            return false;
        };
        let limit = (four - start.from).num_days();
        unregistered.iter().map(|s| nights_within(s, start.from, six)).sum::<i64>() > limit
    })
}

/// The statutory minimum wage per hour (aged 21 and over) from a day on, with its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinimumWage {
    pub from: NaiveDate,
    pub per_hour: f64,
    pub source: String,
}

/// The shipped minimum-wage amounts, compiled in.
pub const MINIMUM_WAGE_TOML: &str = include_str!("../../../data/minimum-wage.toml");

/// The minimum-wage amounts, oldest first; a broken file is a bug the tests find.
pub fn minimum_wages() -> Result<Vec<MinimumWage>, String> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        amounts: Vec<MinimumWage>,
    }
    let file: File = toml::from_str(MINIMUM_WAGE_TOML).map_err(|e| format!("data/minimum-wage.toml: {e}"))?;
    let ordered = file.amounts.windows(2).all(|w| w[0].from < w[1].from);
    let sane = file.amounts.iter().all(|a| a.per_hour > 0.0 && a.per_hour < 1_000.0 && !a.source.trim().is_empty());
    if file.amounts.is_empty() || !ordered || !sane {
        return Err("data/minimum-wage.toml: amounts must be dated in order, positive and sourced".into());
    }
    Ok(file.amounts)
}

/// The amount in force on `date`, if the data reaches back that far.
pub fn minimum_wage_on(wages: &[MinimumWage], date: NaiveDate) -> Option<&MinimumWage> {
    wages.iter().rev().find(|w| w.from <= date)
}

/// Rent deducted from the wage, as a stay's rental terms record it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Deduction {
    pub per_week: f64,
    pub rent_per_week: f64,
    /// The worker's contract hours, which turn the hourly minimum wage into a weekly one.
    pub hours_per_week: f64,
    pub written_authorisation: bool,
    /// An agricultural CAO allows 20% instead of 25% of the minimum wage.
    pub agricultural_cao: bool,
    /// Deduction is only allowed for certified housing (or a housing corporation's).
    pub location_certified: bool,
}

code_enum! {
    /// Why a deduction from the wage is not allowed.
    DeductionProblem {
        NotCertified = "location_not_certified",
        NoAuthorisation = "no_written_authorisation",
        AboveRent = "above_rent",
        AboveWageShare = "above_minimum_wage_share",
        WageUnknown = "minimum_wage_unknown",
    }
}

/// Every rule the deduction breaks on `date`, with an explanation (empty when allowed).
pub fn deduction_problems(d: &Deduction, wages: &[MinimumWage], date: NaiveDate) -> Vec<(DeductionProblem, String)> {
    let mut out = Vec::new();
    if d.per_week <= 0.0 {
        return out;
    }
    if !d.location_certified {
        out.push((DeductionProblem::NotCertified, "rent may only be deducted for certified housing".into()));
    }
    if !d.written_authorisation {
        out.push((DeductionProblem::NoAuthorisation, "a deduction needs the worker's written authorisation".into()));
    }
    if d.per_week > d.rent_per_week + 0.005 {
        out.push((
            DeductionProblem::AboveRent,
            format!("€ {:.2} a week is more than the rent of € {:.2}", d.per_week, d.rent_per_week),
        ));
    }
    match minimum_wage_on(wages, date) {
        None => out.push((DeductionProblem::WageUnknown, format!("no minimum wage is recorded for {date}"))),
        Some(w) => {
            let share = if d.agricultural_cao { 0.20 } else { 0.25 };
            let limit = w.per_hour * d.hours_per_week * share;
            if d.per_week > limit + 0.005 {
                out.push((
                    DeductionProblem::AboveWageShare,
                    format!(
                        "€ {:.2} a week is more than {}% of the minimum wage for {} hours (€ {limit:.2}; {} per hour from {}, {})",
                        d.per_week,
                        share * 100.0,
                        d.hours_per_week,
                        w.per_hour,
                        w.from,
                        w.source
                    ),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn span(from: &str, until: Option<&str>) -> Span {
        Span::new(d(from), until.map(d)).unwrap()
    }

    #[test]
    fn bsn_eleven_test() {
        // 111222333: 9+8+7+12+10+8+9+6 - 3 = 66 = 6 × 11.
        assert!(Bsn::parse("111222333").is_ok());
        assert!(Bsn::parse("1112.22.333").is_ok());
        assert_eq!(Bsn::parse("111222333").unwrap().digits(), "111222333");
        // Eight digits: a leading zero is implied (012345672: 0+8+14+18+20+20+18+14 - 2 = 110).
        assert_eq!(Bsn::parse("12345672").unwrap().digits(), "012345672");
        for bad in ["111222334", "000000000", "12345678a", "1234567", "1234567890", ""] {
            assert_eq!(Bsn::parse(bad).map(|_| ()).unwrap_err().0, "invalid_bsn", "{bad}");
        }
        assert_eq!(format!("{:?}", Bsn::parse("111222333").unwrap()), "Bsn(…)");
        let bsn = Bsn::parse("111222333").unwrap();
        assert_eq!(bsn.keyed_hash(b"k1"), Bsn::parse("1112.22.333").unwrap().keyed_hash(b"k1"));
        assert_ne!(bsn.keyed_hash(b"k1"), bsn.keyed_hash(b"k2"));
        assert!(!bsn.keyed_hash(b"k1").contains("111222333"));
    }

    #[test]
    fn stay_lengths_from_the_brp_threshold_to_a_year() {
        let today = d("2026-06-01");
        assert_eq!(StayLength::of(&span("2026-01-01", Some("2026-04-30")), today), StayLength::Short);
        assert_eq!(StayLength::of(&span("2026-01-01", Some("2026-05-01")), today), StayLength::Mid);
        assert_eq!(StayLength::of(&span("2025-06-01", None), today), StayLength::Long);
        assert_eq!(StayLength::of(&span("2025-06-02", None), today), StayLength::Mid);
    }

    #[test]
    fn stays_on_one_bed_must_not_share_a_night() {
        assert!(Span::new(d("2026-03-10"), Some(d("2026-03-10"))).is_err());
        assert!(Span::new(d("2026-03-10"), Some(d("2026-03-09"))).is_err());
        let a = span("2026-03-01", Some("2026-03-10"));
        // Checking in on the day the other checks out is fine.
        assert!(!a.overlaps(&span("2026-03-10", None)));
        assert!(a.overlaps(&span("2026-03-09", Some("2026-03-11"))));
        assert!(span("2026-01-01", None).overlaps(&span("2027-01-01", Some("2027-01-02"))));
        assert!(a.covers(d("2026-03-09")) && !a.covers(d("2026-03-10")) && !a.covers(d("2026-02-28")));
        let stays = [
            span("2026-05-01", None),
            a,
            span("2026-03-10", Some("2026-04-01")),
            span("2026-03-20", Some("2026-03-25")),
        ];
        assert_eq!(first_overlap(&stays), Some((2, 3)));
        assert_eq!(first_overlap(&stays[..3]), None);
    }

    #[test]
    fn deductions_against_rent_authorisation_certification_and_minimum_wage() {
        let wages = minimum_wages().unwrap();
        assert_eq!(minimum_wage_on(&wages, d("2025-12-31")).unwrap().per_hour, 14.40);
        assert_eq!(minimum_wage_on(&wages, d("2026-01-01")).unwrap().per_hour, 14.71);
        assert!(minimum_wage_on(&wages, d("2023-12-31")).is_none());
        let ok = Deduction {
            per_week: 140.0,
            rent_per_week: 150.0,
            hours_per_week: 40.0,
            written_authorisation: true,
            agricultural_cao: false,
            location_certified: true,
        };
        let codes =
            |x: &Deduction, on: &str| deduction_problems(x, &wages, d(on)).into_iter().map(|p| p.0).collect::<Vec<_>>();
        // 25% of 40 × 14.71 = 147.10 on 2026-01-01; 144.00 the day before (14.40).
        assert!(codes(&ok, "2026-01-01").is_empty());
        assert!(codes(&Deduction { per_week: 147.10, ..ok }, "2026-01-01").is_empty());
        assert_eq!(
            codes(&Deduction { per_week: 147.10, rent_per_week: 160.0, ..ok }, "2025-12-31"),
            [DeductionProblem::AboveWageShare]
        );
        // Agricultural CAO: 20% of 40 × 14.71 = 117.68.
        assert_eq!(
            codes(&Deduction { agricultural_cao: true, ..ok }, "2026-01-01"),
            [DeductionProblem::AboveWageShare]
        );
        assert_eq!(
            codes(&Deduction { per_week: 151.0, ..ok }, "2026-01-01"),
            [DeductionProblem::AboveRent, DeductionProblem::AboveWageShare]
        );
        assert_eq!(
            codes(&Deduction { written_authorisation: false, location_certified: false, ..ok }, "2026-01-01"),
            [DeductionProblem::NotCertified, DeductionProblem::NoAuthorisation]
        );
        assert_eq!(codes(&ok, "2023-06-01"), [DeductionProblem::WageUnknown]);
        assert!(
            codes(&Deduction { per_week: 0.0, location_certified: false, ..ok }, "2026-01-01").is_empty(),
            "no deduction, no problem"
        );
    }

    /// (stays, BRP registration, today, flagged)
    #[test]
    fn registration_rule_four_months_within_six() {
        let cases: Vec<(Vec<Span>, Option<&str>, &str, bool)> = vec![
            // Four months exactly (1 Jan – 1 May, 120 nights) is not more than four months.
            (vec![span("2026-01-01", Some("2026-05-01"))], None, "2026-12-31", false),
            (vec![span("2026-01-01", Some("2026-05-02"))], None, "2026-12-31", true),
            // Still housed: counted up to today.
            (vec![span("2026-01-01", None)], None, "2026-04-30", false),
            (vec![span("2026-01-01", None)], None, "2026-05-02", true),
            // Registered in the BRP after two months: not flagged.
            (vec![span("2026-01-01", None)], Some("2026-03-01"), "2026-12-31", false),
            // Two stays at different locations add up within six months...
            (
                vec![span("2026-01-01", Some("2026-03-01")), span("2026-03-15", Some("2026-05-20"))],
                None,
                "2026-12-31",
                true,
            ),
            // ...but not when spread over more than six months.
            (
                vec![span("2026-01-01", Some("2026-03-01")), span("2026-08-01", Some("2026-10-01"))],
                None,
                "2026-12-31",
                false,
            ),
        ];
        for (stays, brp, today, flagged) in cases {
            assert_eq!(
                unregistered_too_long(&stays, brp.map(d), d(today)),
                flagged,
                "{stays:?} brp {brp:?} on {today}"
            );
        }
    }
}
