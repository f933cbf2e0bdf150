//! Permitted capacity read from the register: one location's judgement, and the national
//! report of locations and beds above permitted capacity.

use crate::sql::decoding;
use crate::{Location, Store, StoreError};
use chrono::NaiveDate;
use flexwonen_core::capacity::{Bedroom, CapacityView, Certified, Facts, judge, permitted_only};
use flexwonen_core::certificates::certified_on;
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::register::HousingForm;
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

/// The rooms of a location that hold beds, with their names: the bedrooms the norms judge.
/// Persons per room are the beds in service.
pub fn bedrooms_of(location: &Location) -> (Vec<Bedroom>, Vec<&str>) {
    location
        .rooms
        .iter()
        .filter(|r| !r.beds.is_empty())
        .map(|r| {
            (
                Bedroom { area_m2: r.area_m2, persons: r.beds.iter().filter(|b| b.in_service).count() as u32 },
                r.name.as_str(),
            )
        })
        .unzip()
}

/// The norm facts of a register location; persons are its beds in service.
pub fn facts_of<'a>(location: &Location, bedrooms: &'a [Bedroom]) -> Facts<'a> {
    Facts {
        housing_form: location.housing_form,
        zoned_residential: location.zoned_residential,
        new_build: location.new_build,
        in_use_since: location.in_use_since,
        conversion_permit: location.conversion_permit,
        bedroom_sharing_agreed: location.bedroom_sharing_agreed,
        floor_area_m2: location.floor_area_m2,
        toilets: location.facilities.toilets,
        showers: location.facilities.showers,
        persons: location.beds_in_service.clamp(0, u32::MAX as i64) as u32,
        bedrooms,
    }
}

/// Locations and beds above permitted capacity in one municipality.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CapacityRow {
    pub municipality_code: String,
    pub locations: i64,
    pub beds_in_service: i64,
    /// Sum of the permitted numbers of the locations that have one.
    pub permitted: i64,
    /// Locations with a permitted number (the others have no limiting rule or no data).
    pub judged: i64,
    pub locations_over: i64,
    /// Beds in service above the permitted number, summed over the locations over it.
    pub beds_over: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityReport {
    pub date: NaiveDate,
    pub rows: Vec<CapacityRow>,
}

impl CapacityReport {
    /// The sum of the rows of `municipalities` (all when `None`).
    pub fn total(&self, municipalities: Option<&[String]>) -> CapacityRow {
        let mut t = CapacityRow::default();
        for r in self.rows.iter().filter(|r| municipalities.is_none_or(|m| m.contains(&r.municipality_code))) {
            t.locations += r.locations;
            t.beds_in_service += r.beds_in_service;
            t.permitted += r.permitted;
            t.judged += r.judged;
            t.locations_over += r.locations_over;
            t.beds_over += r.beds_over;
        }
        t
    }
}

impl Store {
    /// Which norms the operator's certificates bring on `date`.
    pub async fn certified(&self, operator_id: Option<i64>, date: NaiveDate) -> Result<Certified, StoreError> {
        let Some(operator) = operator_id else { return Ok(Certified::default()) };
        let book = self.certificate_book().await?;
        Ok(book.get(&operator).map(|spans| certified_on(spans, date)).unwrap_or_default())
    }

    /// A location judged against every applicable rule set in force on `date`.
    pub async fn location_capacity(&self, location: &Location, date: NaiveDate) -> Result<CapacityView, StoreError> {
        let sets = self.rule_sets().await?;
        let certified = self.certified(location.operator_id, date).await?;
        let municipality = MunicipalityCode::parse(&location.municipality_code).map_err(|(_, m)| decoding(m))?;
        let (bedrooms, names) = bedrooms_of(location);
        let facts = facts_of(location, &bedrooms);
        Ok(judge(&sets, &municipality, certified, &facts, date).view(&facts, &names))
    }

    /// Every location judged on `date`, counted per municipality. Cached per generation and
    /// date: the register, the certificates and the norms all move the generation.
    pub async fn capacity_report(&self, date: NaiveDate) -> Result<std::sync::Arc<CapacityReport>, StoreError> {
        let generation = self.generation().await?;
        let key = date.to_string();
        if let Some(report) = self.report_cache.get(generation, &key) {
            return Ok(report);
        }
        let report = std::sync::Arc::new(self.compute_capacity_report(date).await?);
        self.report_cache.put(generation, key, report.clone());
        Ok(report)
    }

    /// The report computed afresh from the database (no cache): for `flexwonen report` and
    /// the benchmark.
    pub async fn compute_capacity_report(&self, date: NaiveDate) -> Result<CapacityReport, StoreError> {
        let sets = self.rule_sets().await?;
        let book = self.certificate_book().await?;
        let certified: HashMap<i64, Certified> =
            book.iter().map(|(org, spans)| (*org, certified_on(spans, date))).collect();
        // One row per municipality with the facts of all its locations joined into one text:
        // the per-row cost of the `Any` driver, not the database, limits reading 200,000 rows.
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT municipality_code, string_agg({FACTS_TEXT}, ';') AS facts
             FROM locations GROUP BY municipality_code ORDER BY municipality_code"
        )))
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<CapacityRow> = Vec::with_capacity(rows.len());
        let mut bedrooms: Vec<Bedroom> = Vec::new();
        for r in &rows {
            let code: String = r.try_get(0)?;
            let text: String = r.try_get(1)?;
            let municipality = MunicipalityCode::parse(&code).map_err(|(_, m)| decoding(m))?;
            let mut row = CapacityRow { municipality_code: code, ..Default::default() };
            for location in text.split(';') {
                let (facts, operator) = parse_facts(location, &mut bedrooms)?;
                let certified = operator.and_then(|o| certified.get(&o).copied()).unwrap_or_default();
                row.locations += 1;
                row.beds_in_service += facts.persons as i64;
                if let Some(permitted) = permitted_only(&sets, &municipality, certified, &facts, date) {
                    row.judged += 1;
                    row.permitted += permitted as i64;
                    let over = facts.persons as i64 - permitted as i64;
                    if over > 0 {
                        row.locations_over += 1;
                        row.beds_over += over;
                    }
                }
            }
            out.push(row);
        }
        Ok(CapacityReport { date, rows: out })
    }
}

/// The `bedrooms` column: `area:persons` per room with beds, separated by spaces.
pub(crate) fn encode_bedrooms(bedrooms: &[Bedroom]) -> String {
    bedrooms.iter().map(|b| format!("{}:{}", b.area_m2, b.persons)).collect::<Vec<_>>().join(" ")
}

/// A location row's facts for the norms as one text, read back by [`parse_facts`]: one
/// column instead of a dozen, because the `Any` driver's cost is per value.
pub(crate) const FACTS_TEXT: &str = "housing_form || ',' || zoned_residential || ',' || new_build || ','
    || COALESCE(in_use_since, '') || ',' || conversion_permit || ',' || bedroom_sharing_agreed || ','
    || CAST(floor_area_m2 AS TEXT) || ',' || toilets || ',' || showers || ',' || beds_in_service || ','
    || COALESCE(CAST(operator_id AS TEXT), '') || ',' || bedrooms";

/// One location of the report query: its facts (bedrooms into `bedrooms`, reused) and operator.
pub(crate) fn parse_facts<'b>(
    text: &str,
    bedrooms: &'b mut Vec<Bedroom>,
) -> Result<(Facts<'b>, Option<i64>), StoreError> {
    let bad = || decoding(format!("capacity facts '{text}'"));
    let mut f = text.split(',');
    let mut next = || f.next().ok_or_else(bad);
    let flag = |s: &str| s == "1";
    let housing_form = HousingForm::parse(next()?).ok_or_else(bad)?;
    let zoned_residential = flag(next()?);
    let new_build = flag(next()?);
    let since = next()?;
    let in_use_since =
        if since.is_empty() { None } else { Some(NaiveDate::parse_from_str(since, "%Y-%m-%d").map_err(|_| bad())?) };
    let conversion_permit = flag(next()?);
    let bedroom_sharing_agreed = flag(next()?);
    let floor_area_m2: f64 = next()?.parse().map_err(|_| bad())?;
    let toilets: i64 = next()?.parse().map_err(|_| bad())?;
    let showers: i64 = next()?.parse().map_err(|_| bad())?;
    let persons: i64 = next()?.parse().map_err(|_| bad())?;
    let operator = match next()? {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| bad())?),
    };
    bedrooms.clear();
    for room in next()?.split(' ').filter(|r| !r.is_empty()) {
        let (area, persons) = room.split_once(':').ok_or_else(bad)?;
        bedrooms
            .push(Bedroom { area_m2: area.parse().map_err(|_| bad())?, persons: persons.parse().map_err(|_| bad())? });
    }
    let facts = Facts {
        housing_form,
        zoned_residential,
        new_build,
        in_use_since,
        conversion_permit,
        bedroom_sharing_agreed,
        floor_area_m2,
        toilets,
        showers,
        persons: persons.clamp(0, u32::MAX as i64) as u32,
        bedrooms,
    };
    Ok((facts, operator))
}
