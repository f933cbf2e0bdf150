//! The geography the register is built on: provinces, municipalities and the standard
//! regions (COROP, labour-market regions, the 2012 campaign regions), parsed from the CBS
//! files shipped in `data/nl-gebieden/` and compiled into the binary.

use crate::geo::{Area, Polygon, RdPoint};
use crate::ids::MunicipalityCode;
use serde::{Deserialize, Serialize};

pub const MUNICIPALITIES_CSV: &str = include_str!("../../../data/nl-gebieden/gemeenten_2025_indeling.csv");
pub const CAMPAIGN_REGIONS_CSV: &str = include_str!("../../../data/nl-gebieden/campagneregios_2012.csv");
pub const BOUNDARIES_RD_GEOJSON: &str = include_str!("../../../data/nl-gebieden/gemeenten_2025_rd.geojson");
pub const PLACES_CSV: &str = include_str!("../../../data/nl-gebieden/woonplaatsen_gemeente_corop_2026.csv");

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Municipality {
    pub code: MunicipalityCode,
    pub name: String,
    pub province_code: String,
    pub province_name: String,
    pub corop_code: String,
    pub corop_name: String,
    pub labour_market_code: String,
    pub labour_market_name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionKind {
    Province,
    Corop,
    LabourMarket,
    Campaign2012,
    Custom,
}

impl RegionKind {
    pub const ALL: [RegionKind; 5] = [
        RegionKind::Province,
        RegionKind::Corop,
        RegionKind::LabourMarket,
        RegionKind::Campaign2012,
        RegionKind::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RegionKind::Province => "province",
            RegionKind::Corop => "corop",
            RegionKind::LabourMarket => "labour_market",
            RegionKind::Campaign2012 => "campaign_2012",
            RegionKind::Custom => "custom",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A region as shipped: a code that is stable across imports, a name and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionDef {
    pub code: String,
    pub name: String,
    pub kind: RegionKind,
    pub members: Vec<MunicipalityCode>,
}

fn csv_reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes())
}

/// Parses `gemeenten_2025_indeling.csv`.
pub fn parse_municipalities(text: &str) -> Result<Vec<Municipality>, String> {
    let mut out = Vec::new();
    for (i, rec) in csv_reader(text).records().enumerate() {
        let line = i + 2;
        let r = rec.map_err(|e| format!("line {line}: {e}"))?;
        let f = |n: usize| r.get(n).map(str::to_string).ok_or(format!("line {line}: missing column {}", n + 1));
        out.push(Municipality {
            code: MunicipalityCode::parse(&f(0)?).map_err(|(_, m)| format!("line {line}: {m}"))?,
            name: f(2)?,
            province_code: f(3)?,
            province_name: f(4)?,
            corop_code: f(5)?,
            corop_name: f(6)?,
            labour_market_code: f(7)?,
            labour_market_name: f(8)?,
        });
    }
    Ok(out)
}

/// Provinces, COROP regions and labour-market regions from the municipality table, plus the
/// 2012 campaign regions from their own file.
pub fn standard_regions(municipalities: &[Municipality], campaign_csv: &str) -> Result<Vec<RegionDef>, String> {
    let mut regions: Vec<RegionDef> = Vec::new();
    let mut add = |kind: RegionKind, code: &str, name: &str, member: &MunicipalityCode| match regions
        .iter_mut()
        .find(|r| r.code == code)
    {
        Some(r) => r.members.push(member.clone()),
        None => regions.push(RegionDef { code: code.into(), name: name.into(), kind, members: vec![member.clone()] }),
    };
    for m in municipalities {
        add(RegionKind::Province, &m.province_code, &m.province_name, &m.code);
        add(RegionKind::Corop, &m.corop_code, &m.corop_name, &m.code);
        add(RegionKind::LabourMarket, &m.labour_market_code, &m.labour_market_name, &m.code);
    }
    for (i, rec) in csv_reader(campaign_csv).records().enumerate() {
        let line = i + 2;
        let r = rec.map_err(|e| format!("campaign regions line {line}: {e}"))?;
        let (Some(id), Some(name), Some(gm)) = (r.get(0), r.get(1), r.get(2)) else {
            return Err(format!("campaign regions line {line}: expected region_id,region_name,gm_code"));
        };
        let gm = MunicipalityCode::parse(gm).map_err(|(_, m)| format!("campaign regions line {line}: {m}"))?;
        add(RegionKind::Campaign2012, &format!("campagne-{id}"), name, &gm);
    }
    Ok(regions)
}

/// Place names (woonplaatsen) per municipality, for realistic demo addresses.
pub fn places_by_municipality(text: &str) -> Vec<(MunicipalityCode, String)> {
    csv_reader(text)
        .records()
        .filter_map(Result::ok)
        .filter_map(|r| {
            let code = MunicipalityCode::parse(&format!("GM{:0>4}", r.get(2)?)).ok()?;
            Some((code, r.get(1)?.to_string()))
        })
        .collect()
}

/// The municipality a BAG woonplaats (by its code, as a number: `0015` and `15` are one)
/// lies in, from the shipped CBS table; `None` for a code it does not know.
pub fn municipality_of_place(place_code: &str) -> Option<MunicipalityCode> {
    static PLACES: std::sync::OnceLock<std::collections::HashMap<u32, MunicipalityCode>> = std::sync::OnceLock::new();
    let places = PLACES.get_or_init(|| {
        csv_reader(PLACES_CSV)
            .records()
            .filter_map(Result::ok)
            .filter_map(|r| {
                let code = MunicipalityCode::parse(&format!("GM{:0>4}", r.get(2)?)).ok()?;
                Some((r.get(0)?.trim().parse().ok()?, code))
            })
            .collect()
    });
    places.get(&place_code.trim().parse().ok()?).cloned()
}

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    id: String,
    geometry: Geometry,
}

#[derive(Deserialize)]
#[serde(tag = "type", content = "coordinates")]
enum Geometry {
    Polygon(Vec<Vec<[f64; 2]>>),
    MultiPolygon(Vec<Vec<Vec<[f64; 2]>>>),
}

/// Municipality boundaries from the RD GeoJSON file, in file order.
pub fn parse_boundaries(geojson: &str) -> Result<Vec<(MunicipalityCode, Area)>, String> {
    let fc: FeatureCollection = serde_json::from_str(geojson).map_err(|e| format!("boundaries: {e}"))?;
    let polygon = |rings: Vec<Vec<[f64; 2]>>| Polygon {
        rings: rings.into_iter().map(|r| r.into_iter().map(|[x, y]| RdPoint { x, y }).collect()).collect(),
    };
    fc.features
        .into_iter()
        .map(|f| {
            let code = MunicipalityCode::parse(&f.id).map_err(|(_, m)| format!("boundaries: {m}"))?;
            let polygons = match f.geometry {
                Geometry::Polygon(p) => vec![polygon(p)],
                Geometry::MultiPolygon(ps) => ps.into_iter().map(polygon).collect(),
            };
            Ok((code, Area { polygons }))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_geography_is_complete() {
        let munis = parse_municipalities(MUNICIPALITIES_CSV).unwrap();
        assert_eq!(munis.len(), 342);
        let regions = standard_regions(&munis, CAMPAIGN_REGIONS_CSV).unwrap();
        let count = |k| regions.iter().filter(|r| r.kind == k).count();
        assert_eq!(count(RegionKind::Province), 12);
        assert_eq!(count(RegionKind::LabourMarket), 35);
        assert_eq!(count(RegionKind::Corop), 40);
        assert_eq!(count(RegionKind::Campaign2012), 8);
        let haaglanden = regions.iter().find(|r| r.name == "Stadsgewest Haaglanden").unwrap();
        assert!(haaglanden.members.iter().any(|m| m.as_str() == "GM1783"), "Westland is in Haaglanden");
    }

    #[test]
    fn a_woonplaats_code_leads_to_its_municipality() {
        assert_eq!(municipality_of_place("2142").map(|m| m.as_str().to_string()), Some("GM0221".into()));
        assert_eq!(municipality_of_place("1000").map(|m| m.as_str().to_string()), Some("GM0873".into()));
        assert_eq!(municipality_of_place("9999"), None);
        assert_eq!(municipality_of_place("Doesburg"), None);
    }

    #[test]
    fn every_municipality_has_a_boundary_that_holds_its_own_interior() {
        let b = parse_boundaries(BOUNDARIES_RD_GEOJSON).unwrap();
        assert_eq!(b.len(), 342);
        let (_, den_haag) = b.iter().find(|(c, _)| c.as_str() == "GM0518").unwrap();
        assert!(den_haag.contains(RdPoint { x: 81_200.0, y: 455_400.0 }), "Binnenhof lies in Den Haag");
        assert!(!den_haag.contains(RdPoint { x: 155_000.0, y: 463_000.0 }), "Amersfoort does not");
    }
}
