//! Permitted capacity read from the register: one location's judgement, and the national
//! report of locations and beds above permitted capacity.

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
        let municipality = MunicipalityCode::parse(&location.municipality_code)
            .map_err(|(_, m)| StoreError::Database(sqlx::Error::Decode(m.into())))?;
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
        // Bedrooms of every location, as one flat list ordered by location.
        let room_rows = sqlx::query(
            "SELECT r.location_id, r.area_m2,
                    CAST(SUM(CASE WHEN b.out_of_service_reason IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS persons
             FROM rooms r JOIN beds b ON b.room_id = r.id
             GROUP BY r.id, r.location_id, r.area_m2 ORDER BY r.location_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut bedrooms: Vec<Bedroom> = Vec::with_capacity(room_rows.len());
        let mut spans: HashMap<i64, (usize, usize)> = HashMap::new();
        for r in &room_rows {
            let location: i64 = r.try_get(0)?;
            let persons: i64 = r.try_get(2)?;
            bedrooms.push(Bedroom { area_m2: r.try_get(1)?, persons: persons.max(0) as u32 });
            let end = bedrooms.len();
            spans.entry(location).and_modify(|s| s.1 = end).or_insert((end - 1, end));
        }
        drop(room_rows);
        let rows = sqlx::query(
            "SELECT id, municipality_code, housing_form, zoned_residential, new_build, in_use_since, conversion_permit,
                    bedroom_sharing_agreed, floor_area_m2, toilets, showers, beds_in_service, operator_id
             FROM locations ORDER BY municipality_code",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<CapacityRow> = Vec::new();
        let mut municipality: Option<MunicipalityCode> = None;
        for r in &rows {
            let code: String = r.try_get(1)?;
            if municipality.as_ref().is_none_or(|m| m.as_str() != code) {
                municipality = Some(
                    MunicipalityCode::parse(&code)
                        .map_err(|(_, m)| StoreError::Database(sqlx::Error::Decode(m.into())))?,
                );
                out.push(CapacityRow { municipality_code: code, ..Default::default() });
            }
            let (Some(m), Some(row)) = (municipality.as_ref(), out.last_mut()) else { continue };
            let id: i64 = r.try_get(0)?;
            let since: Option<String> = r.try_get(5)?;
            let beds: i64 = r.try_get(11)?;
            let operator: Option<i64> = r.try_get(12)?;
            let (start, end) = spans.get(&id).copied().unwrap_or((0, 0));
            let facts = Facts {
                housing_form: crate::sql::parse_code(r, "housing_form", HousingForm::parse)?,
                zoned_residential: r.try_get::<i64, _>(3)? != 0,
                new_build: r.try_get::<i64, _>(4)? != 0,
                in_use_since: since.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()),
                conversion_permit: r.try_get::<i64, _>(6)? != 0,
                bedroom_sharing_agreed: r.try_get::<i64, _>(7)? != 0,
                floor_area_m2: r.try_get(8)?,
                toilets: r.try_get(9)?,
                showers: r.try_get(10)?,
                persons: beds.max(0) as u32,
                bedrooms: &bedrooms[start..end],
            };
            let certified = operator.and_then(|o| certified.get(&o).copied()).unwrap_or_default();
            row.locations += 1;
            row.beds_in_service += beds;
            if let Some(permitted) = permitted_only(&sets, m, certified, &facts, date) {
                row.judged += 1;
                row.permitted += permitted as i64;
                let over = beds - permitted as i64;
                if over > 0 {
                    row.locations_over += 1;
                    row.beds_over += over;
                }
            }
        }
        Ok(CapacityReport { date, rows: out })
    }
}
