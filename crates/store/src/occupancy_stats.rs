//! Occupancy counts for the views: the rate, nationalities, stay lengths and the monthly
//! chart per country, region or municipality, and the registration flags per location.
//!
//! Only the `stays` rows are read (location, dates, nationality, flag), never `workers`, so
//! every count stays the same after worker records are purged. All stays are read in one
//! query, one row per municipality with its stays joined into one text (the `Any` driver's
//! per-row cost, not the database, limits reading hundreds of thousands of rows), and kept in
//! memory until the occupancy generation moves; the figures of an area and a date are kept
//! until then too (and the register generation, for the beds in service).

use crate::cache::GenerationCache;
use crate::sql::decoding;
use crate::{Store, StoreError};
use chrono::NaiveDate;
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::occupancy::Span;
use flexwonen_core::occupancy_stats::{Area, OccupancyStats, StayRecord, occupancy_stats, occupied_on};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;

/// The calendar months the chart covers, ending with the month of the date.
pub const CHART_MONTHS: u32 = 36;

/// Every stay as the counts need it, per municipality code.
pub(crate) struct StayData {
    by_municipality: HashMap<String, Vec<StayRecord>>,
}

/// The caches of the occupancy views, all valid for one occupancy generation.
pub struct OccupancyCaches {
    stays: GenerationCache<Arc<StayData>>,
    reports: GenerationCache<Arc<OccupancyReport>>,
    flags: GenerationCache<Arc<Vec<FlaggedLocation>>>,
    flag_counts: GenerationCache<Arc<Vec<FlaggedMunicipality>>>,
}

impl Default for OccupancyCaches {
    fn default() -> Self {
        OccupancyCaches {
            stays: GenerationCache::new(1),
            reports: GenerationCache::new(64),
            flags: GenerationCache::new(64),
            flag_counts: GenerationCache::new(8),
        }
    }
}

/// One municipality of a country's or region's figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MunicipalityOccupancy {
    pub municipality_code: String,
    pub name: String,
    pub beds_in_service: i64,
    pub occupied: i64,
    pub rate: Option<f64>,
}

/// The occupancy figures of an area on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OccupancyReport {
    pub level: &'static str,
    /// The region's number or the municipality code; absent for the country.
    pub id: Option<String>,
    /// The region's or municipality's name; absent for the country.
    pub name: Option<String>,
    #[serde(flatten)]
    pub stats: OccupancyStats,
    /// For the country and a region: its municipalities with beds or occupants.
    pub by_municipality: Vec<MunicipalityOccupancy>,
}

/// A location with stays flagged for the registration rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlaggedLocation {
    pub location_id: i64,
    pub address: String,
    /// Stays flagged (housed more than 4 months within 6 without BRP registration) with a
    /// night in the 12 months up to the date.
    pub flagged: i64,
    /// Of those, still housed on the date.
    pub housed: i64,
}

/// The flagged stays of one municipality, counts only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlaggedMunicipality {
    pub municipality_code: String,
    pub name: String,
    /// Locations with at least one flagged stay.
    pub locations: i64,
    pub flagged: i64,
    pub housed: i64,
}

fn day(d: NaiveDate) -> String {
    d.format(crate::sql::DATE_FORMAT).to_string()
}

/// The first night of the 12 months up to and including `date`.
fn year_before(date: NaiveDate) -> NaiveDate {
    date.checked_sub_months(chrono::Months::new(12)).and_then(|d| d.succ_opt()).unwrap_or(date)
}

impl Store {
    /// The occupancy and register generations, in one query.
    async fn generations(&self) -> Result<(i64, i64), StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT CAST(SUM(generation) AS BIGINT) FROM occupancy_generation) AS o,
                    (SELECT generation FROM register_generation WHERE id = 1) AS r",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("o")?, row.try_get("r")?))
    }

    /// The occupancy of the country, a region or a municipality on `date`: the rate against
    /// the beds in service now, stays by nationality and by length, the average occupancy
    /// per month over [`CHART_MONTHS`] months, and per municipality for a country or region.
    /// An unknown region or municipality is `NotFound`.
    pub async fn occupancy_stats(&self, area: &Area, date: NaiveDate) -> Result<Arc<OccupancyReport>, StoreError> {
        let (generation, register) = self.generations().await?;
        let key = format!("{}|{}|{date}|{register}", area.level(), area.id());
        if let Some(report) = self.occupancy_views.reports.get(generation, &key) {
            return Ok(report);
        }
        let (name, members): (Option<String>, Option<Vec<String>>) = match area {
            Area::National => (None, None),
            Area::Region(id) => {
                let region = self.region(*id).await?;
                let members = self.region_members(*id).await?.into_iter().map(|m| m.code).collect();
                (Some(region.name), Some(members))
            }
            Area::Municipality(code) => {
                let m = self.municipality(code).await?;
                (Some(m.name), Some(vec![m.code]))
            }
        };
        let data = self.stay_data(generation).await?;
        let totals = self.totals(members.as_deref()).await?;
        let empty: Vec<StayRecord> = Vec::new();
        let stays_of = |code: &str| data.by_municipality.get(code).unwrap_or(&empty);
        let stats = match &members {
            None => occupancy_stats(
                data.by_municipality.values().flatten(),
                totals.total().beds_in_service,
                date,
                CHART_MONTHS,
            ),
            Some(ms) => {
                occupancy_stats(ms.iter().flat_map(|m| stays_of(m)), totals.total().beds_in_service, date, CHART_MONTHS)
            }
        };
        let mut by_municipality = Vec::new();
        if !matches!(area, Area::Municipality(_)) {
            let beds = totals.by_municipality();
            let names: HashMap<String, String> =
                self.municipalities().await?.into_iter().map(|m| (m.code, m.name)).collect();
            let codes: Vec<&str> = match &members {
                Some(ms) => ms.iter().map(String::as_str).collect(),
                None => names.keys().map(String::as_str).collect(),
            };
            for code in codes {
                let beds_in_service = beds.get(code).map_or(0, |c| c.beds_in_service);
                let occupied = occupied_on(stays_of(code), date);
                if beds_in_service == 0 && occupied == 0 {
                    continue;
                }
                by_municipality.push(MunicipalityOccupancy {
                    municipality_code: code.to_string(),
                    name: names.get(code).cloned().unwrap_or_else(|| code.to_string()),
                    beds_in_service,
                    occupied,
                    rate: (beds_in_service > 0).then(|| occupied as f64 / beds_in_service as f64),
                });
            }
            by_municipality.sort_by(|a, b| a.name.cmp(&b.name));
        }
        let report = Arc::new(OccupancyReport {
            level: area.level(),
            id: (!matches!(area, Area::National)).then(|| area.id()),
            name,
            stats,
            by_municipality,
        });
        self.occupancy_views.reports.put(generation, key, report.clone());
        Ok(report)
    }

    /// Every stay's counts, read once per occupancy generation.
    async fn stay_data(&self, generation: i64) -> Result<Arc<StayData>, StoreError> {
        if let Some(data) = self.occupancy_views.stays.get(generation, "all") {
            return Ok(data);
        }
        let rows = sqlx::query(
            "SELECT l.municipality_code, string_agg(s.check_in || ',' || COALESCE(s.check_out, '') || ',' || s.nationality
                    || ',' || CAST(s.unregistered_long AS TEXT), ';') AS stays
             FROM stays s JOIN locations l ON l.id = s.location_id
             GROUP BY l.municipality_code",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut by_municipality = HashMap::with_capacity(rows.len());
        for r in &rows {
            let code: String = r.try_get("municipality_code")?;
            let text: String = r.try_get("stays")?;
            let stays = text.split(';').map(parse_stay).collect::<Result<Vec<_>, _>>()?;
            by_municipality.insert(code, stays);
        }
        let data = Arc::new(StayData { by_municipality });
        self.occupancy_views.stays.put(generation, "all".into(), data.clone());
        Ok(data)
    }

    /// The locations in `municipality` with stays flagged for the registration rule (housed
    /// more than 4 months within 6 without BRP registration) that have a night in the 12
    /// months up to `date`, most first, with how many of those are still housed on `date`.
    pub async fn registration_flags(
        &self,
        municipality: &MunicipalityCode,
        date: NaiveDate,
    ) -> Result<Arc<Vec<FlaggedLocation>>, StoreError> {
        let (generation, _) = self.generations().await?;
        let key = format!("{}|{date}", municipality.as_str());
        if let Some(flags) = self.occupancy_views.flags.get(generation, &key) {
            return Ok(flags);
        }
        let rows = sqlx::query(
            "SELECT l.id, l.street, l.house_number, l.house_letter, l.house_addition, l.postcode, l.place,
                    COUNT(*) AS flagged,
                    CAST(SUM(CASE WHEN s.check_in <= $2 AND (s.check_out IS NULL OR s.check_out > $2) THEN 1 ELSE 0 END)
                         AS BIGINT) AS housed
             FROM stays s JOIN locations l ON l.id = s.location_id
             WHERE l.municipality_code = $1 AND s.unregistered_long = 1
               AND s.check_in <= $2 AND (s.check_out IS NULL OR s.check_out > $3)
             GROUP BY l.id, l.street, l.house_number, l.house_letter, l.house_addition, l.postcode, l.place
             ORDER BY COUNT(*) DESC, l.postcode, l.house_number, l.id",
        )
        .bind(municipality.as_str())
        .bind(day(date))
        .bind(day(year_before(date)))
        .fetch_all(&self.pool)
        .await?;
        let flags = rows
            .iter()
            .map(|r| {
                Ok(FlaggedLocation {
                    location_id: r.try_get("id")?,
                    address: crate::inspections::address_of(r)?,
                    flagged: r.try_get("flagged")?,
                    housed: r.try_get("housed")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let flags = Arc::new(flags);
        self.occupancy_views.flags.put(generation, key, flags.clone());
        Ok(flags)
    }

    /// Flagged stays with a night in the 12 months up to `date`, per municipality (counts
    /// only, no addresses), for every municipality that has any, by name.
    pub async fn registration_flag_counts(&self, date: NaiveDate) -> Result<Arc<Vec<FlaggedMunicipality>>, StoreError> {
        let (generation, _) = self.generations().await?;
        let key = date.to_string();
        if let Some(counts) = self.occupancy_views.flag_counts.get(generation, &key) {
            return Ok(counts);
        }
        let rows = sqlx::query(
            "SELECT l.municipality_code, m.name, COUNT(DISTINCT l.id) AS locations, COUNT(*) AS flagged,
                    CAST(SUM(CASE WHEN s.check_in <= $1 AND (s.check_out IS NULL OR s.check_out > $1) THEN 1 ELSE 0 END)
                         AS BIGINT) AS housed
             FROM stays s JOIN locations l ON l.id = s.location_id JOIN municipalities m ON m.code = l.municipality_code
             WHERE s.unregistered_long = 1 AND s.check_in <= $1 AND (s.check_out IS NULL OR s.check_out > $2)
             GROUP BY l.municipality_code, m.name
             ORDER BY m.name",
        )
        .bind(day(date))
        .bind(day(year_before(date)))
        .fetch_all(&self.pool)
        .await?;
        let counts = rows
            .iter()
            .map(|r| {
                Ok(FlaggedMunicipality {
                    municipality_code: r.try_get("municipality_code")?,
                    name: r.try_get("name")?,
                    locations: r.try_get("locations")?,
                    flagged: r.try_get("flagged")?,
                    housed: r.try_get("housed")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let counts = Arc::new(counts);
        self.occupancy_views.flag_counts.put(generation, key, counts.clone());
        Ok(counts)
    }
}

/// One stay of the aggregated text: `check_in,check_out,nationality,flag`.
fn parse_stay(text: &str) -> Result<StayRecord, StoreError> {
    let bad = || decoding(format!("occupancy stay '{text}'"));
    let mut f = text.split(',');
    let mut next = || f.next().ok_or_else(bad);
    let from = flexwonen_core::parse_day(next()?).ok_or_else(bad)?;
    let until = match next()? {
        "" => None,
        s => Some(flexwonen_core::parse_day(s).ok_or_else(bad)?),
    };
    let nationality: [u8; 2] = next()?.as_bytes().try_into().map_err(|_| bad())?;
    let unregistered_long = next()? == "1";
    Ok(StayRecord { span: Span { from, until }, nationality, unregistered_long })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_read_from_the_aggregated_text() {
        let s = parse_stay("2026-03-01,2026-04-15,PL,1").unwrap();
        assert_eq!(s.span.from, NaiveDate::from_ymd_opt(2026, 3, 1).unwrap());
        assert_eq!(s.span.until, NaiveDate::from_ymd_opt(2026, 4, 15));
        assert_eq!((&s.nationality, s.unregistered_long), (b"PL", true));
        assert_eq!(parse_stay("2026-03-01,,RO,0").unwrap().span.until, None);
        for bad in ["2026-03-01", "2026-3-01,,PL,0", "2026-02-30,,PL,0", "2026-03-01,,POL,0", "x"] {
            assert!(parse_stay(bad).is_err(), "{bad}");
        }
    }
}
