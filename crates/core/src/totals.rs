//! Aggregates of the register: counts of locations and beds per municipality and category,
//! and the breakdowns the dashboards show. Pure arithmetic over rows the store keeps.

use crate::register::{HousingForm, LegalStatus, StayType};
use serde::Serialize;
use std::collections::BTreeMap;

/// Locations and beds of one municipality in one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TotalsRow {
    pub municipality_code: String,
    pub housing_form: HousingForm,
    pub legal_status: LegalStatus,
    pub stay_type: StayType,
    pub locations: i64,
    pub beds: i64,
    pub beds_in_service: i64,
}

/// A count of locations and beds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Count {
    pub locations: i64,
    pub beds: i64,
    pub beds_in_service: i64,
}

impl Count {
    fn add(&mut self, r: &TotalsRow) {
        self.locations += r.locations;
        self.beds += r.beds;
        self.beds_in_service += r.beds_in_service;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Totals {
    pub rows: Vec<TotalsRow>,
}

impl Totals {
    pub fn total(&self) -> Count {
        let mut c = Count::default();
        self.rows.iter().for_each(|r| c.add(r));
        c
    }

    fn by<K: Ord + Copy>(&self, all: &[K], key: impl Fn(&TotalsRow) -> K) -> Vec<(K, Count)> {
        let mut m: BTreeMap<K, Count> = all.iter().map(|k| (*k, Count::default())).collect();
        for r in &self.rows {
            m.entry(key(r)).or_default().add(r);
        }
        m.into_iter().collect()
    }

    /// Every housing form, including those with nothing registered.
    pub fn by_housing_form(&self) -> Vec<(HousingForm, Count)> {
        self.by(HousingForm::ALL, |r| r.housing_form)
    }

    pub fn by_legal_status(&self) -> Vec<(LegalStatus, Count)> {
        self.by(LegalStatus::ALL, |r| r.legal_status)
    }

    pub fn by_stay_type(&self) -> Vec<(StayType, Count)> {
        self.by(StayType::ALL, |r| r.stay_type)
    }

    pub fn by_municipality(&self) -> BTreeMap<&str, Count> {
        let mut m: BTreeMap<&str, Count> = BTreeMap::new();
        for r in &self.rows {
            m.entry(r.municipality_code.as_str()).or_default().add(r);
        }
        m
    }

    /// Only the rows of these municipalities.
    pub fn within(&self, municipalities: &[impl AsRef<str>]) -> Totals {
        let set: std::collections::HashSet<&str> = municipalities.iter().map(AsRef::as_ref).collect();
        Totals { rows: self.rows.iter().filter(|r| set.contains(r.municipality_code.as_str())).cloned().collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(m: &str, f: HousingForm, s: LegalStatus, locations: i64, beds: i64) -> TotalsRow {
        TotalsRow {
            municipality_code: m.into(),
            housing_form: f,
            legal_status: s,
            stay_type: StayType::Short,
            locations,
            beds,
            beds_in_service: beds,
        }
    }

    #[test]
    fn breakdowns_add_up_and_list_empty_categories() {
        let t = Totals {
            rows: vec![
                row("GM1783", HousingForm::A, LegalStatus::InUse, 3, 20),
                row("GM1783", HousingForm::D, LegalStatus::Tolerated, 1, 40),
                row("GM0518", HousingForm::A, LegalStatus::InUse, 2, 9),
            ],
        };
        assert_eq!(t.total(), Count { locations: 6, beds: 69, beds_in_service: 69 });
        let forms = t.by_housing_form();
        assert_eq!(forms.len(), 5);
        assert_eq!(forms[0], (HousingForm::A, Count { locations: 5, beds: 29, beds_in_service: 29 }));
        assert_eq!(forms[1].1, Count::default());
        assert_eq!(t.by_municipality()["GM1783"].beds, 60);
        assert_eq!(t.within(&["GM0518"]).total().locations, 2);
    }
}
