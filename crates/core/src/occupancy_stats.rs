//! Occupancy counted from stays: the rate on a date, stays by nationality and by length, and
//! the average occupancy per month over the last years. Counts only — a stay here is its
//! nights, its nationality and its registration flag, never a worker — so the figures stay
//! the same after worker records are purged.

use crate::ids::MunicipalityCode;
use crate::occupancy::{Span, StayLength};
use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the counts need of one stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StayRecord {
    pub span: Span,
    /// ISO 3166-1 alpha-2, upper case.
    pub nationality: [u8; 2],
    /// Housed more than 4 months within 6 without BRP registration.
    pub unregistered_long: bool,
}

/// The area a view counts: the country, a region (by id) or a municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    National,
    Region(i64),
    Municipality(MunicipalityCode),
}

impl Area {
    /// `level` (`national`, `region`, `municipality`; absent: guessed from `id`) and `id` (a
    /// region's number or a municipality code). An error names the parameter and says why.
    pub fn parse(level: Option<&str>, id: Option<&str>) -> Result<Area, (&'static str, &'static str, String)> {
        let id = id.map(str::trim).filter(|s| !s.is_empty());
        let level = level.map(str::trim).filter(|s| !s.is_empty());
        let level = match (level, id) {
            (Some(l), _) => l,
            (None, None) => "national",
            (None, Some(i)) if i.bytes().all(|b| b.is_ascii_digit()) => "region",
            (None, Some(_)) => "municipality",
        };
        let need_id = || ("id", "required", format!("level {level} needs an id"));
        match level {
            "national" => Ok(Area::National),
            "region" => {
                let id = id.ok_or_else(need_id)?;
                id.parse().map(Area::Region).map_err(|_| ("id", "not_a_number", format!("'{id}' is not a region id")))
            }
            "municipality" => {
                let id = id.ok_or_else(need_id)?;
                MunicipalityCode::parse(&id.to_ascii_uppercase())
                    .map(Area::Municipality)
                    .map_err(|(code, m)| ("id", code, m))
            }
            other => {
                Err(("level", "invalid_choice", format!("'{other}' is not one of: national, region, municipality")))
            }
        }
    }

    pub fn level(&self) -> &'static str {
        match self {
            Area::National => "national",
            Area::Region(_) => "region",
            Area::Municipality(_) => "municipality",
        }
    }

    /// The `id` parameter ("" for the country).
    pub fn id(&self) -> String {
        match self {
            Area::National => String::new(),
            Area::Region(id) => id.to_string(),
            Area::Municipality(code) => code.as_str().to_string(),
        }
    }
}

/// Stays of one nationality: present on the date, and during the year up to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NationalityCount {
    pub nationality: String,
    pub on_date: i64,
    pub in_year: i64,
}

/// Stays of one length class, as long as they had lasted on the date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LengthCount {
    pub length: StayLength,
    pub on_date: i64,
    pub in_year: i64,
}

/// One calendar month: beds occupied on average (bed-nights / days), and that against the
/// beds in service. The month of the date counts up to the date only.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MonthOccupancy {
    /// `YYYY-MM`.
    pub month: String,
    pub days: i64,
    pub bed_nights: i64,
    pub average_occupied: f64,
    /// `average_occupied / beds_in_service`; absent without beds in service.
    pub rate: Option<f64>,
    /// The month of the date, counted up to the date.
    pub partial: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OccupancyStats {
    pub date: NaiveDate,
    /// The first night of the year the `in_year` counts cover (up to and including `date`).
    pub year_from: NaiveDate,
    pub beds_in_service: i64,
    /// Beds taken on the night of the date.
    pub occupied: i64,
    /// `occupied / beds_in_service`; absent without beds in service.
    pub rate: Option<f64>,
    /// Check-ins after the date already recorded (reservations).
    pub reserved: i64,
    /// Stays with at least one night in the year up to the date.
    pub stays_in_year: i64,
    /// Of those, stays flagged: housed more than 4 months within 6 without BRP registration.
    pub unregistered_long_in_year: i64,
    /// Most stays in the year first.
    pub by_nationality: Vec<NationalityCount>,
    /// Short, mid, long.
    pub by_length: Vec<LengthCount>,
    /// Oldest first, ending with the month of the date.
    pub months: Vec<MonthOccupancy>,
}

fn rate(part: f64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part / whole as f64)
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// Beds taken on the night of `date`.
pub fn occupied_on<'a>(stays: impl IntoIterator<Item = &'a StayRecord>, date: NaiveDate) -> i64 {
    stays.into_iter().filter(|s| s.span.covers(date)).count() as i64
}

/// Everything the occupancy views show, in one pass over `stays`; `months` calendar months
/// end with the month of `date`. `beds_in_service` are the beds the rates are taken against.
pub fn occupancy_stats<'a>(
    stays: impl IntoIterator<Item = &'a StayRecord>,
    beds_in_service: i64,
    date: NaiveDate,
    months: u32,
) -> OccupancyStats {
    let months = months.max(1);
    let next_day = date.succ_opt().unwrap_or(date);
    let year_from = date.checked_sub_months(Months::new(12)).and_then(|d| d.succ_opt()).unwrap_or(date);
    let this_month = first_of_month(date);
    let first_month = this_month.checked_sub_months(Months::new(months - 1)).unwrap_or(this_month);
    // Month boundaries: starts[i] is the first day of month i; the last ends the day after `date`.
    let mut starts: Vec<NaiveDate> =
        (0..months).filter_map(|i| first_month.checked_add_months(Months::new(i))).collect();
    starts.push(next_day);
    let mut bed_nights = vec![0i64; starts.len() - 1];

    let mut occupied = 0;
    let mut reserved = 0;
    let mut stays_in_year = 0;
    let mut flagged = 0;
    let mut nationalities: BTreeMap<[u8; 2], (i64, i64)> = BTreeMap::new();
    let mut lengths = [(0i64, 0i64); 3];
    for s in stays {
        let span = &s.span;
        if span.from > date {
            reserved += 1;
            continue;
        }
        // Nights in the chart's window, month by month.
        let start = span.from.max(first_month);
        let end = span.until.map_or(next_day, |u| u.min(next_day));
        if start < end {
            let mut i = starts.partition_point(|m| *m <= start).saturating_sub(1);
            while i + 1 < starts.len() && starts[i] < end {
                let (a, b) = (start.max(starts[i]), end.min(starts[i + 1]));
                bed_nights[i] += (b - a).num_days().max(0);
                i += 1;
            }
        }
        let in_year = span.until.is_none_or(|u| u > year_from);
        let now = span.covers(date);
        if !in_year && !now {
            continue;
        }
        // As long as it had lasted on the date: a later check-out is not known yet then.
        let as_then = Span { from: span.from, until: span.until.filter(|u| *u <= date) };
        let class = match StayLength::of(&as_then, date) {
            StayLength::Short => 0,
            StayLength::Mid => 1,
            StayLength::Long => 2,
        };
        let n = nationalities.entry(s.nationality).or_default();
        if now {
            occupied += 1;
            n.0 += 1;
            lengths[class].0 += 1;
        }
        if in_year {
            stays_in_year += 1;
            n.1 += 1;
            lengths[class].1 += 1;
            flagged += s.unregistered_long as i64;
        }
    }
    let mut by_nationality: Vec<NationalityCount> = nationalities
        .into_iter()
        .map(|(code, (on_date, in_year))| NationalityCount {
            nationality: String::from_utf8_lossy(&code).into_owned(),
            on_date,
            in_year,
        })
        .collect();
    by_nationality.sort_by(|a, b| {
        b.in_year.cmp(&a.in_year).then(b.on_date.cmp(&a.on_date)).then(a.nationality.cmp(&b.nationality))
    });
    let by_length = [StayLength::Short, StayLength::Mid, StayLength::Long]
        .into_iter()
        .zip(lengths)
        .map(|(length, (on_date, in_year))| LengthCount { length, on_date, in_year })
        .collect();
    let months = starts
        .windows(2)
        .zip(&bed_nights)
        .map(|(w, &nights)| {
            let days = (w[1] - w[0]).num_days();
            let average = if days > 0 { nights as f64 / days as f64 } else { 0.0 };
            MonthOccupancy {
                month: w[0].format("%Y-%m").to_string(),
                days,
                bed_nights: nights,
                average_occupied: average,
                rate: rate(average, beds_in_service),
                partial: w[1] == next_day && w[1].day() != 1,
            }
        })
        .collect();
    OccupancyStats {
        date,
        year_from,
        beds_in_service,
        occupied,
        rate: rate(occupied as f64, beds_in_service),
        reserved,
        stays_in_year,
        unregistered_long_in_year: flagged,
        by_nationality,
        by_length,
        months,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn stay(from: &str, until: Option<&str>, nationality: &str, flagged: bool) -> StayRecord {
        let n = nationality.as_bytes();
        StayRecord {
            span: Span::new(d(from), until.map(d)).unwrap(),
            nationality: [n[0], n[1]],
            unregistered_long: flagged,
        }
    }

    #[test]
    fn areas_from_level_and_id() {
        assert_eq!(Area::parse(None, None), Ok(Area::National));
        assert_eq!(Area::parse(Some("national"), Some("")), Ok(Area::National));
        assert_eq!(Area::parse(Some("region"), Some("12")), Ok(Area::Region(12)));
        assert_eq!(Area::parse(None, Some("12")), Ok(Area::Region(12)));
        let westland = Area::Municipality(MunicipalityCode::parse("GM1783").unwrap());
        assert_eq!(Area::parse(Some("municipality"), Some("gm1783")), Ok(westland.clone()));
        assert_eq!(Area::parse(None, Some("GM1783")), Ok(westland.clone()));
        assert_eq!((westland.level(), westland.id().as_str()), ("municipality", "GM1783"));
        assert_eq!(Area::parse(Some("region"), None).unwrap_err().1, "required");
        assert_eq!(Area::parse(Some("region"), Some("GM1783")).unwrap_err().1, "not_a_number");
        assert_eq!(Area::parse(Some("municipality"), Some("Westland")).unwrap_err().0, "id");
        assert_eq!(Area::parse(Some("provincie"), None).unwrap_err().0, "level");
    }

    #[test]
    fn rate_nationalities_and_lengths_on_a_date() {
        let stays = [
            // On the date, for 5 months by then (mid), flagged.
            stay("2026-01-01", None, "PL", true),
            // On the date, leaving later (not known on the date): 2 months so far (short).
            stay("2026-04-01", Some("2026-09-01"), "PL", false),
            // Left before the date, after more than a year (long), within the year.
            stay("2025-01-01", Some("2026-02-01"), "RO", false),
            // Left the day of the date: not on the date.
            stay("2026-05-01", Some("2026-06-01"), "BG", false),
            // Left more than a year before: counted nowhere but in the chart's old months.
            stay("2024-01-01", Some("2025-05-01"), "RO", false),
            // A reservation.
            stay("2026-07-01", None, "LT", false),
        ];
        let s = occupancy_stats(&stays, 8, d("2026-06-01"), 36);
        assert_eq!(s.year_from, d("2025-06-02"));
        assert_eq!((s.occupied, s.reserved, s.stays_in_year, s.unregistered_long_in_year), (2, 1, 4, 1));
        assert_eq!(s.rate, Some(0.25));
        let n: Vec<(&str, i64, i64)> =
            s.by_nationality.iter().map(|c| (c.nationality.as_str(), c.on_date, c.in_year)).collect();
        assert_eq!(n, [("PL", 2, 2), ("BG", 0, 1), ("RO", 0, 1)]);
        let l: Vec<(StayLength, i64, i64)> = s.by_length.iter().map(|c| (c.length, c.on_date, c.in_year)).collect();
        assert_eq!(l, [(StayLength::Short, 1, 2), (StayLength::Mid, 1, 1), (StayLength::Long, 0, 1)]);
        assert_eq!(occupied_on(&stays, d("2026-06-01")), 2);
        assert_eq!(occupancy_stats(&stays, 0, d("2026-06-01"), 36).rate, None);
    }

    #[test]
    fn average_occupancy_per_month_counts_bed_nights() {
        let stays = [
            // All of February 2026 (28 nights) and 10 nights of March.
            stay("2026-02-01", Some("2026-03-11"), "PL", false),
            // Open since 15 March: 17 nights in March, 10 in April up to the date.
            stay("2026-03-15", None, "RO", false),
        ];
        let s = occupancy_stats(&stays, 2, d("2026-04-10"), 3);
        let m: Vec<(&str, i64, i64, bool)> =
            s.months.iter().map(|m| (m.month.as_str(), m.days, m.bed_nights, m.partial)).collect();
        assert_eq!(m, [("2026-02", 28, 28, false), ("2026-03", 31, 27, false), ("2026-04", 10, 10, true)]);
        assert_eq!(s.months[0].average_occupied, 1.0);
        assert_eq!(s.months[0].rate, Some(0.5));
        assert_eq!(s.months[2].average_occupied, 1.0);
        // A stay before the window adds nothing; one across the whole window fills every month.
        let long = [stay("2020-01-01", None, "PL", false), stay("2020-01-01", Some("2021-01-01"), "PL", false)];
        let s = occupancy_stats(&long, 1, d("2026-12-31"), 36);
        assert_eq!(s.months.len(), 36);
        assert_eq!(s.months[0].month, "2024-01");
        assert!(s.months.iter().all(|m| m.average_occupied == 1.0 && m.rate == Some(1.0) && !m.partial));
        assert_eq!(s.months.iter().map(|m| m.days).sum::<i64>(), 366 + 365 + 365);
    }
}
