//! Synthetic demo data: organisations, and locations with rooms and beds, shaped like the SNF
//! 2023 picture in the domain brief (§5): about 20,000 locations and 142,000 beds, concentrated
//! in the greenhouse, logistics and agriculture hotspots.
//!
//! Everything is a pure function of the seed and the geography passed in, so a demo database
//! can be rebuilt identically and tests can rely on it. Synthetic names are recognisably fake
//! (numbered company names, KvK numbers starting with 9); the real organisations that signed
//! the 2012 national declaration are included by name but get no invented KvK number.

use crate::address::{Address, Postcode};
use crate::certificates::{CertificateScheme, CertificateStatus};
use crate::geo::{Area, Polygon, RdPoint};
use crate::geography::Municipality;
use crate::ids::{BagVboId, KvkNumber, MunicipalityCode};
use crate::register::{
    BedDraft, Facilities, HousingForm, LegalStatus, LocationDraft, OrganisationKind, RoomDraft, StayType,
};
use chrono::{Datelike, NaiveDate};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};

/// An organisation to create before the locations that refer to it.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoOrganisation {
    pub name: String,
    pub kvk: Option<KvkNumber>,
    pub kind: OrganisationKind,
    pub municipality: Option<MunicipalityCode>,
}

/// A location and who runs it; the store maps `operator` to a database id.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoLocation {
    pub draft: LocationDraft,
    /// index into DemoData::organisations of the operator (a housing provider), None for some
    /// grey/illegal locations
    pub operator: Option<usize>,
}

/// A certificate of a demo housing provider, with at most one later change of status.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoCertificate {
    /// Index into DemoData::organisations.
    pub organisation: usize,
    pub scheme: CertificateScheme,
    pub number: String,
    pub valid_from: NaiveDate,
    pub status_change: Option<(CertificateStatus, NaiveDate)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemoData {
    pub organisations: Vec<DemoOrganisation>,
    pub locations: Vec<DemoLocation>,
    pub certificates: Vec<DemoCertificate>,
}

/// The year of the national declaration; any fixed seed would do, this one is easy to recall.
pub const DEFAULT_SEED: u64 = 2012;

/// SNF 2023: about 20,000 locations (and over 142,000 beds, which the mix below reproduces).
const LOCATIONS_AT_SCALE_1: f64 = 20_000.0;
/// SNF 2023: about 700 certified companies.
const PROVIDERS_AT_SCALE_1: f64 = 700.0;
const TEMP_AGENCIES_AT_SCALE_1: f64 = 120.0;
const EMPLOYERS_AT_SCALE_1: f64 = 250.0;
/// Guards against a typo like `scale = 1e9` exhausting memory (100 ≈ 2 million locations).
const MAX_SCALE: f64 = 100.0;
/// Rejection-sampling attempts for a position before falling back to a boundary vertex.
const POSITION_ATTEMPTS: usize = 200;

/// Generates the demo data set. `scale` 1.0 ≈ the SNF 2023 picture: ~20,000 locations and
/// ~142,000 beds; scale 10 ≈ 200,000 locations and 1.4 million beds. Fractional scales work;
/// non-positive or non-finite scales give organisations only.
pub fn generate(
    scale: f64,
    seed: u64,
    municipalities: &[Municipality],
    boundaries: &[(MunicipalityCode, Area)],
    places: &[(MunicipalityCode, String)],
) -> DemoData {
    let scale = if scale.is_finite() && scale > 0.0 { scale.min(MAX_SCALE) } else { 0.0 };
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let munis = prepare_municipalities(municipalities, boundaries, places);
    let muni_picker = Picker::new((0..munis.len()).collect(), munis.iter().map(|m| m.weight).collect());

    let mut organisations = signatories();
    let providers = add_synthetic_organisations(&mut organisations, scale, &munis, &muni_picker, &mut rng);

    let count = (LOCATIONS_AT_SCALE_1 * scale).round() as usize;
    // The norm facts come from a stream of their own, so that adding them left the rest of
    // the data set as it was.
    let mut facts_rng = ChaCha8Rng::seed_from_u64(seed);
    facts_rng.set_stream(1);
    let mut generator = LocationGenerator {
        rng,
        facts_rng,
        seed,
        munis: &munis,
        used_addresses: HashSet::with_capacity(count),
        bag_serials: vec![0; munis.len()],
    };
    let mut locations = Vec::with_capacity(count);
    if !munis.is_empty() {
        for _ in 0..count {
            let m = muni_picker.pick(&mut generator.rng).unwrap_or(0);
            locations.push(generator.location(m, &providers));
        }
    }
    let certificates = certificates(&organisations, seed);
    DemoData { organisations, locations, certificates }
}

/// Most providers hold the SNF mark (SNF 2023: about 700 certified companies), some also the
/// AKF mark; a few are suspended and some removed from the register (88 in 2023). From a
/// stream of its own, so the rest of the data set does not move.
fn certificates(organisations: &[DemoOrganisation], seed: u64) -> Vec<DemoCertificate> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(2);
    let day = |rng: &mut ChaCha8Rng, from: NaiveDate, days: i64| {
        from + chrono::Days::new(rng.random_range(0..days.max(1)) as u64)
    };
    let (snf_start, akf_start, changes_from) = (
        NaiveDate::from_ymd_opt(2014, 1, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(2024, 8, 15).unwrap_or_default(),
        NaiveDate::from_ymd_opt(2025, 9, 1).unwrap_or_default(),
    );
    let mut out = Vec::new();
    for (index, _) in organisations.iter().enumerate().filter(|(_, o)| o.kind == OrganisationKind::HousingProvider) {
        let roll: f64 = rng.random();
        if roll < 0.85 {
            let status_change = match rng.random::<f64>() {
                x if x < 0.03 => Some((CertificateStatus::Suspended, day(&mut rng, changes_from, 300))),
                x if x < 0.08 => Some((CertificateStatus::Withdrawn, day(&mut rng, changes_from, 300))),
                _ => None,
            };
            out.push(DemoCertificate {
                organisation: index,
                scheme: if roll < 0.05 { CertificateScheme::SnfInhuur } else { CertificateScheme::Snf },
                number: format!("SNF-{:05}", out.len() + 1),
                valid_from: day(&mut rng, snf_start, 11 * 365),
                status_change,
            });
        }
        if rng.random::<f64>() < 0.10 {
            out.push(DemoCertificate {
                organisation: index,
                scheme: CertificateScheme::Akf,
                number: format!("AKF-{:05}", out.len() + 1),
                valid_from: day(&mut rng, akf_start, 500),
                status_change: None,
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Organisations

/// The signatories of the 2012 national declaration, plus Westland, the hotspot municipality.
fn signatories() -> Vec<DemoOrganisation> {
    use OrganisationKind::*;
    let list: [(&str, OrganisationKind, Option<&str>); 12] = [
        ("VNG", SectorAssociation, None),
        ("Aedes", SectorAssociation, None),
        ("ABU", SectorAssociation, None),
        ("NBBU", SectorAssociation, None),
        ("LTO Nederland", SectorAssociation, None),
        ("Producentenorganisatie Vee en Vlees (PVE)", SectorAssociation, None),
        ("FNV", Union, None),
        ("CNV", Union, None),
        ("Gemeente Den Haag", Municipality, Some("GM0518")),
        ("Gemeente Rotterdam", Municipality, Some("GM0599")),
        ("Ministerie van BZK", Ministry, None),
        ("Gemeente Westland", Municipality, Some("GM1783")),
    ];
    list.into_iter()
        .map(|(name, kind, code)| DemoOrganisation {
            name: name.into(),
            kvk: None,
            kind,
            municipality: code.map(|c| MunicipalityCode::parse(c).expect("constant municipality codes are valid")),
        })
        .collect()
}

const PROVIDER_WORDS: &[&str] = &["Huisvesting", "Flexwonen", "Logies", "Short Stay", "Werk & Wonen"];
const AGENCY_WORDS: &[&str] = &["Flexkracht", "Werkbrug", "Personeelsdienst", "EuroWerk", "Arbeidspool"];
const EMPLOYER_WORDS: &[&str] = &[
    "Kwekerij",
    "Distributiecentrum",
    "Tuinbouwbedrijf",
    "Vleesverwerking",
    "Logistiek",
    "Bollenkwekerij",
    "Champignonkwekerij",
    "Fruitteelt",
];

/// Housing providers with the weights that pick them as operators: a few large providers and
/// a long tail, and operators mostly work in their own labour-market region.
struct Providers<'a> {
    all: Picker,
    by_region: HashMap<&'a str, Picker>,
}

/// Appends the synthetic housing providers, temp agencies and employers; returns the providers.
fn add_synthetic_organisations<'a>(
    orgs: &mut Vec<DemoOrganisation>,
    scale: f64,
    munis: &[Muni<'a>],
    muni_picker: &Picker,
    rng: &mut ChaCha8Rng,
) -> Providers<'a> {
    let count = |at_1: f64, min: usize| ((at_1 * scale).round() as usize).max(min);
    // 9 + a bijection of the serial onto seven digits (the multiplier is coprime with 10), so
    // numbers are unique, look scattered and are recognisably not real.
    let kvk_offset: u64 = rng.random_range(0..10_000_000);
    let mut serial: u64 = 0;
    let mut next_kvk = || {
        let n = (serial * 7_919_837 + kvk_offset) % 10_000_000;
        serial += 1;
        KvkNumber::parse(&format!("9{n:07}")).expect("9 and seven digits is a valid KvK number")
    };

    let mut add = |kind: OrganisationKind, words: &[&str], n: usize, rng: &mut ChaCha8Rng| {
        let home = muni_picker.pick(rng).map(|i| &munis[i]);
        let word = words[rng.random_range(0..words.len())];
        let town = home.map_or("Nederland", |m| m.name);
        let name = match kind {
            OrganisationKind::TempAgency => format!("Uitzendbureau {word} {town} {n} B.V."),
            _ => format!("{word} {town} {n} B.V."),
        };
        orgs.push(DemoOrganisation { name, kvk: Some(next_kvk()), kind, municipality: home.map(|m| m.code.clone()) });
        (orgs.len() - 1, home.map(|m| m.region))
    };

    let mut all = Vec::new();
    let mut regions: Vec<(&'a str, usize)> = Vec::new();
    for n in 1..=count(PROVIDERS_AT_SCALE_1, 5) {
        let (index, region) = add(OrganisationKind::HousingProvider, PROVIDER_WORDS, n, rng);
        all.push(index);
        if let Some(r) = region {
            regions.push((r, index));
        }
    }
    for n in 1..=count(TEMP_AGENCIES_AT_SCALE_1, 2) {
        add(OrganisationKind::TempAgency, AGENCY_WORDS, n, rng);
    }
    for n in 1..=count(EMPLOYERS_AT_SCALE_1, 3) {
        add(OrganisationKind::Employer, EMPLOYER_WORDS, n, rng);
    }

    // Zipf-like sizes in creation order; the order is random with respect to home region.
    let size = |rank: usize| 1.0 / ((rank + 1) as f64).powf(0.8);
    let first = all.first().copied().unwrap_or(0);
    let weights = all.iter().map(|&i| size(i - first)).collect();
    let mut grouped: HashMap<&'a str, (Vec<usize>, Vec<f64>)> = HashMap::new();
    for (region, index) in regions {
        let entry = grouped.entry(region).or_default();
        entry.0.push(index);
        entry.1.push(size(index - first));
    }
    Providers {
        all: Picker::new(all, weights),
        by_region: grouped.into_iter().map(|(r, (items, w))| (r, Picker::new(items, w))).collect(),
    }
}

// ---------------------------------------------------------------------------------------------
// Geography

/// What the generator needs of a municipality, computed once.
struct Muni<'a> {
    code: &'a MunicipalityCode,
    name: &'a str,
    region: &'a str,
    weight: f64,
    short_stay_hotspot: bool,
    places: Vec<&'a str>,
    place_picker: Picker,
    /// The block of four-digit postcode areas this municipality uses: start and width.
    postcode_start: u32,
    postcode_width: u32,
    shape: Option<Shape<'a>>,
}

/// A boundary with the bounding boxes precomputed, for fast rejection sampling.
struct Shape<'a> {
    min: RdPoint,
    max: RdPoint,
    polygons: Vec<(RdPoint, RdPoint, &'a Polygon)>,
}

impl Shape<'_> {
    fn contains(&self, p: RdPoint) -> bool {
        self.polygons
            .iter()
            .any(|(min, max, poly)| p.x >= min.x && p.x <= max.x && p.y >= min.y && p.y <= max.y && poly.contains(p))
    }
}

/// Relative numbers of labour migrants per labour-market region (domain brief §5): Noord-
/// Limburg, West-Brabant, Haaglanden/Westland, Brabant and Noord-Holland Noord lead.
fn region_factor(labour_market_code: &str) -> f64 {
    match labour_market_code {
        "AM29" => 4.5, // Noord-Limburg
        "AM25" => 3.0, // West-Brabant
        "AM21" => 3.0, // Haaglanden (Westland, Den Haag)
        "AM28" => 2.2, // Zuidoost-Brabant
        "AM26" => 2.2, // Midden-Brabant (Tilburg, Waalwijk)
        "AM15" => 2.5, // Noord-Holland Noord
        "AM32" => 2.0, // Helmond-De Peel
        "AM19" => 2.5, // Holland Rijnland (Bollenstreek)
        "AM22" => 2.2, // Rijnmond
        "AM27" => 1.8, // Noordoost-Brabant
        "AM33" | "AM10" => 1.5,
        "AM11" | "AM38" | "AM24" | "AM34" | "AM18" => 1.3,
        "AM01" | "AM02" | "AM03" => 0.6,
        _ => 1.0,
    }
}

/// Individual hotspots on top of their region.
fn municipality_factor(code: &str) -> f64 {
    match code {
        "GM1783" => 8.0,                       // Westland
        "GM0518" | "GM0599" => 5.0,            // Den Haag, Rotterdam
        "GM0050" => 4.0,                       // Zeewolde
        "GM0983" | "GM1507" => 3.0,            // Venlo, Horst aan de Maas
        "GM1911" | "GM0879" | "GM1621" => 2.5, // Hollands Kroon, Zundert, Lansingerland
        "GM1894" | "GM0984" | "GM0867" | "GM0772" => 2.0,
        "GM1674" | "GM0748" | "GM1709" | "GM0758" | "GM0855" | "GM0861" | "GM1926" | "GM0363" | "GM0441" => 1.5,
        "GM0553" | "GM0534" | "GM1525" | "GM0263" | "GM0297" => 1.5,
        "GM0777" | "GM0400" | "GM1842" => 1.3,
        _ => 1.0,
    }
}

/// Greenhouse, logistics and agriculture areas, where short stay dominates (§5).
fn is_short_stay_hotspot(m: &Municipality) -> bool {
    matches!(m.labour_market_code.as_str(), "AM29" | "AM25" | "AM26" | "AM15" | "AM33")
        || matches!(m.code.as_str(), "GM1783" | "GM1842" | "GM1621" | "GM0050" | "GM0303")
}

/// A plausible block of four-digit postcode areas per province (first digit(s) follow the
/// real geography roughly; the blocks do not overlap).
fn province_postcodes(province_code: &str) -> (u32, u32) {
    match province_code {
        "PV20" => (9500, 10_000), // Groningen
        "PV21" => (8400, 9300),   // Fryslân
        "PV22" => (7800, 8000),   // Drenthe
        "PV23" => (7400, 7800),   // Overijssel
        "PV24" => (8200, 8400),   // Flevoland
        "PV25" => (6500, 7400),   // Gelderland
        "PV26" => (3400, 4000),   // Utrecht
        "PV27" => (1000, 2000),   // Noord-Holland
        "PV28" => (2200, 3400),   // Zuid-Holland
        "PV29" => (4300, 4600),   // Zeeland
        "PV30" => (4600, 5800),   // Noord-Brabant
        "PV31" => (5800, 6500),   // Limburg
        _ => (1000, 10_000),
    }
}

fn prepare_municipalities<'a>(
    municipalities: &'a [Municipality],
    boundaries: &'a [(MunicipalityCode, Area)],
    places: &'a [(MunicipalityCode, String)],
) -> Vec<Muni<'a>> {
    let areas: HashMap<&MunicipalityCode, &Area> = boundaries.iter().map(|(c, a)| (c, a)).collect();
    let mut places_of: HashMap<&MunicipalityCode, Vec<&str>> = HashMap::new();
    for (code, place) in places {
        let list = places_of.entry(code).or_default();
        if !list.contains(&place.as_str()) {
            list.push(place);
        }
    }
    let mut per_province: HashMap<&str, u32> = HashMap::new();
    for m in municipalities {
        *per_province.entry(&m.province_code).or_default() += 1;
    }
    let mut seen_in_province: HashMap<&str, u32> = HashMap::new();

    municipalities
        .iter()
        .map(|m| {
            let places = match places_of.remove(&m.code) {
                Some(list) if !list.is_empty() => list,
                _ => vec![m.name.as_str()],
            };
            // The place that carries the municipality's name is its main town.
            let main = (places.len() as f64).max(2.0);
            let place_weights = places.iter().map(|p| if *p == m.name { main } else { 1.0 }).collect();
            let place_picker = Picker::new((0..places.len()).collect(), place_weights);

            let (lo, hi) = province_postcodes(&m.province_code);
            let n = per_province.get(m.province_code.as_str()).copied().unwrap_or(1).max(1);
            let k = seen_in_province.entry(&m.province_code).or_default();
            let width = ((hi - lo) / n).max(1);
            let start = (lo + *k * (hi - lo) / n).min(9999 - width + 1);
            *k += 1;

            let shape = areas.get(&m.code).and_then(|area| {
                let polygons: Vec<_> = area
                    .polygons
                    .iter()
                    .filter(|p| p.rings.first().is_some_and(|r| r.len() >= 3))
                    .map(|p| {
                        let (min, max) = p.bbox();
                        (min, max, p)
                    })
                    .collect();
                let (min, max) = area.bbox();
                (!polygons.is_empty()).then_some(Shape { min, max, polygons })
            });

            Muni {
                code: &m.code,
                name: &m.name,
                region: &m.labour_market_code,
                weight: region_factor(&m.labour_market_code) * municipality_factor(m.code.as_str()),
                short_stay_hotspot: is_short_stay_hotspot(m),
                places,
                place_picker,
                postcode_start: start,
                postcode_width: width,
                shape,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Sampling helpers

/// Weighted choice by binary search over cumulative weights.
struct Picker {
    items: Vec<usize>,
    cumulative: Vec<f64>,
}

impl Picker {
    fn new(items: Vec<usize>, weights: Vec<f64>) -> Self {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += if w.is_finite() && w > 0.0 { w } else { 0.0 };
                total
            })
            .collect();
        Self { items, cumulative }
    }

    fn pick(&self, rng: &mut ChaCha8Rng) -> Option<usize> {
        let total = *self.cumulative.last()?;
        if total <= 0.0 {
            return None;
        }
        let x = rng.random::<f64>() * total;
        let i = self.cumulative.partition_point(|&c| c <= x).min(self.items.len() - 1);
        Some(self.items[i])
    }
}

/// Picks from a small table of (value, weight) pairs.
pub(crate) fn weighted<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, f64)]) -> T {
    let total: f64 = table.iter().map(|(_, w)| w).sum();
    let mut x = rng.random::<f64>() * total;
    for &(v, w) in table {
        if x < w {
            return v;
        }
        x -= w;
    }
    table[table.len() - 1].0
}

/// SplitMix64: a fixed hash so that a street segment keeps one postcode wherever it is used.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn round_half(x: f64) -> f64 {
    (x * 2.0).round() / 2.0
}

/// Postcode letter pairs; SA, SD and SS are not issued in the Netherlands.
fn letter_pair(index: u64) -> [u8; 2] {
    let mut i = index % (26 * 26 - 3);
    for (a, b) in [(b'S', b'A'), (b'S', b'D'), (b'S', b'S')] {
        let excluded = u64::from(a - b'A') * 26 + u64::from(b - b'A');
        if i >= excluded {
            i += 1;
        }
    }
    [b'A' + (i / 26) as u8, b'A' + (i % 26) as u8]
}

// ---------------------------------------------------------------------------------------------
// Locations

const RESIDENTIAL_STREETS: &[&str] = &[
    "Dorpsstraat",
    "Kerkstraat",
    "Molenweg",
    "Schoolstraat",
    "Julianastraat",
    "Beatrixlaan",
    "Oranjestraat",
    "Wilhelminastraat",
    "Prins Bernhardlaan",
    "Nieuweweg",
    "Achterweg",
    "Hoofdstraat",
    "Marktstraat",
    "Stationsweg",
    "Lindelaan",
    "Eikenlaan",
    "Beukenlaan",
    "Berkenlaan",
    "Kastanjelaan",
    "Populierenlaan",
    "Tulpstraat",
    "Rozenstraat",
    "Narcissenstraat",
    "Hyacintenlaan",
    "Zuidweg",
    "Noordweg",
    "Oostweg",
    "Westweg",
    "Middelweg",
    "Dijkweg",
    "Polderweg",
    "Broekweg",
    "Heideweg",
    "Zandweg",
    "Akkerweg",
    "Weidelaan",
    "Molenstraat",
    "Veldweg",
    "Hoogstraat",
    "Burgemeester de Vriesstraat",
    "Van Goghstraat",
    "Rembrandtlaan",
    "Vondelstraat",
    "Spoorstraat",
    "Kanaalstraat",
    "Parallelweg",
    "Merelstraat",
    "Lijsterstraat",
    "Zwaluwlaan",
    "Meidoornstraat",
];

const WORK_STREETS: &[&str] = &[
    "Kasweg",
    "Tuinbouwstraat",
    "Veilingweg",
    "Industrieweg",
    "Havenweg",
    "Handelsweg",
    "Ambachtsweg",
    "Nijverheidsweg",
    "Energieweg",
    "Transportweg",
    "Logistiekweg",
    "Distributieweg",
    "Glasweg",
    "Bedrijvenweg",
    "Kanaalweg",
    "Aspergeweg",
    "Champignonweg",
    "Fruitweg",
    "Bollenweg",
    "Kassenlaan",
];

const RECREATION_STREETS: &[&str] =
    &["Recreatieweg", "Parkweg", "Bungalowlaan", "Duinweg", "Boslaan", "Campingweg", "Vakantiepark", "Meerweg"];

const OUT_OF_SERVICE_REASONS: &[&str] = &[
    "matras vervangen",
    "vochtschade",
    "schimmel in kamer",
    "bed defect",
    "lekkage",
    "renovatie kamer",
    "ongediertebestrijding",
    "brandveiligheid: vluchtweg vrijmaken",
];

struct LocationGenerator<'a> {
    rng: ChaCha8Rng,
    /// For the facts the housing norms look at (see [`norm_facts`]).
    facts_rng: ChaCha8Rng,
    seed: u64,
    munis: &'a [Muni<'a>],
    /// Packed address keys already handed out; addresses are unique in the whole data set.
    used_addresses: HashSet<u64>,
    /// Per municipality, the last BAG serial issued.
    bag_serials: Vec<u64>,
}

impl LocationGenerator<'_> {
    fn location(&mut self, m: usize, providers: &Providers) -> DemoLocation {
        let munis = self.munis;
        let muni = &munis[m];
        let rng = &mut self.rng;
        let form = weighted(
            rng,
            &[
                (HousingForm::A, 96.5),
                (HousingForm::B, 0.4),
                (HousingForm::C, 0.6),
                (HousingForm::D, 0.5),
                (HousingForm::E, if muni.short_stay_hotspot { 2.5 } else { 1.5 }),
            ],
        );
        let legal_status = weighted(
            rng,
            &[
                (LegalStatus::InUse, 80.0),
                (LegalStatus::Permitted, 7.0),
                (LegalStatus::Planned, 3.5),
                (LegalStatus::Closed, 4.5),
                (LegalStatus::Tolerated, 4.0),
                (LegalStatus::Illegal, 1.0),
            ],
        );
        let stay_type = match form {
            HousingForm::B | HousingForm::E => weighted(rng, &[(StayType::Short, 85.0), (StayType::Mid, 15.0)]),
            _ if muni.short_stay_hotspot => {
                weighted(rng, &[(StayType::Short, 75.0), (StayType::Mid, 17.0), (StayType::Long, 8.0)])
            }
            _ => weighted(rng, &[(StayType::Short, 40.0), (StayType::Mid, 35.0), (StayType::Long, 25.0)]),
        };
        let zoned_residential = rng.random_bool(match form {
            HousingForm::A => 0.92,
            HousingForm::B => 0.10,
            HousingForm::C => 0.50,
            HousingForm::D => 0.30,
            HousingForm::E => 0.03,
        });
        // Grey and illegal places are the overcrowded ones.
        let cramped = legal_status.is_grey_or_illegal() && rng.random_bool(0.7);
        let closed = legal_status == LegalStatus::Closed;

        let (rooms, units) = rooms(rng, form, cramped, closed);
        let beds: usize = rooms.iter().map(|r| r.beds.len()).sum();
        let rooms_area: f64 = rooms.iter().map(|r| r.area_m2).sum();
        let b = beds as f64;
        let common = if cramped {
            8.0 + 1.5 * b
        } else {
            match form {
                HousingForm::A => 18.0 + 3.0 * b + rng.random_range(0.0..25.0),
                HousingForm::B => 25.0 + 2.0 * b,
                HousingForm::C | HousingForm::D => 20.0 + 4.0 * b,
                HousingForm::E => units as f64 * rng.random_range(18.0..30.0),
            }
        };
        // GBO per person: SNF asks ≥ 10–15 m²; grey and illegal places often fall short.
        let per_person = if cramped { rng.random_range(5.0..9.0) } else { rng.random_range(10.5..19.0) };
        let floor_area_m2 = (rooms_area + common).max(b * per_person).ceil();

        let facilities = facilities(rng, form, beds as i64, units as i64, cramped);
        let operator = match legal_status {
            LegalStatus::Illegal if rng.random_bool(0.6) => None,
            LegalStatus::Tolerated if rng.random_bool(0.25) => None,
            _ => {
                let regional = providers.by_region.get(muni.region).filter(|_| rng.random_bool(0.75));
                regional.and_then(|p| p.pick(rng)).or_else(|| providers.all.pick(rng))
            }
        };
        let with_bag = rng.random_bool(match form {
            HousingForm::A => 0.62,
            HousingForm::E => 0.30,
            _ => 0.60,
        });
        let bag_vbo_id = with_bag.then(|| self.bag_id(m));
        let address = self.address(m, form);
        let position = self.position(m);
        let facts = norm_facts(&mut self.facts_rng, muni.code.as_str(), form, legal_status, beds, operator.is_some());

        DemoLocation {
            draft: LocationDraft {
                address,
                municipality: muni.code.clone(),
                bag_vbo_id,
                housing_form: form,
                zoned_residential,
                floor_area_m2,
                legal_status,
                stay_type,
                operator_id: None,
                facilities,
                position,
                new_build: facts.new_build,
                in_use_since: facts.in_use_since,
                conversion_permit: facts.conversion_permit,
                bedroom_sharing_agreed: facts.bedroom_sharing_agreed,
                first_responsible: facts.first_responsible,
                rooms,
            },
            operator,
        }
    }

    /// 4-digit municipality code + `01` + a 10-digit serial that only grows, so ids are unique.
    fn bag_id(&mut self, m: usize) -> BagVboId {
        let serial = &mut self.bag_serials[m];
        *serial += self.rng.random_range(1..40);
        let muni = &self.munis[m];
        BagVboId::parse(&format!("{}01{:010}", muni.code.digits(), 100_000 + *serial), Some(muni.code))
            .expect("generated BAG ids have the right format and municipality")
    }

    fn address(&mut self, m: usize, form: HousingForm) -> Address {
        let munis = self.munis;
        let muni = &munis[m];
        let rng = &mut self.rng;
        let (list_id, streets): (u64, &[&str]) = match form {
            HousingForm::A if rng.random_bool(0.85) => (1, RESIDENTIAL_STREETS),
            HousingForm::A | HousingForm::B | HousingForm::C | HousingForm::D => (2, WORK_STREETS),
            HousingForm::E => (3, RECREATION_STREETS),
        };
        let max_number = if list_id == 1 { 200.0 } else { 150.0 };

        let mut place = muni.place_picker.pick(rng).unwrap_or(0);
        let mut street = rng.random_range(0..streets.len());
        let mut letter: u64 = 0;
        let mut addition: u64 = 0;
        if rng.random_bool(0.05) {
            letter = rng.random_range(1..=4);
        } else if rng.random_bool(0.04) {
            addition = rng.random_range(1..=4);
        }
        let mut number: u64 = 1 + (rng.random::<f64>().powf(1.6) * max_number) as u64;

        // Retry on a taken address: first another number, then another street and place,
        // then letters and additions over the whole number range; the space is vast.
        let mut attempt = 0;
        let (postcode4, pair, key) = loop {
            let street_hash =
                mix(self.seed ^ ((m as u64) << 40) ^ ((place as u64) << 20) ^ (list_id << 16) ^ street as u64);
            let postcode4 = muni.postcode_start + (street_hash % u64::from(muni.postcode_width)) as u32;
            let pair = letter_pair(mix(street_hash ^ (number / 24 + 1)));
            let pair_index = u64::from(pair[0] - b'A') * 26 + u64::from(pair[1] - b'A');
            let key =
                (((u64::from(postcode4) * 676 + pair_index) * 100_000 + number) * 32 + letter) * 10_000 + addition;
            if !self.used_addresses.contains(&key) || attempt >= 1000 {
                break (postcode4, pair, key);
            }
            attempt += 1;
            match attempt {
                0..8 => number = rng.random_range(1..=(max_number as u64)),
                8..30 => {
                    place = muni.place_picker.pick(rng).unwrap_or(0);
                    street = rng.random_range(0..streets.len());
                    number = rng.random_range(1..=(max_number as u64));
                }
                30..60 => {
                    letter = rng.random_range(1..=26);
                    number = rng.random_range(1..=2000);
                }
                _ => {
                    addition = rng.random_range(1..=9999);
                    number = rng.random_range(1..=99_999);
                }
            }
        };
        self.used_addresses.insert(key);

        let postcode = format!("{postcode4}{}{}", pair[0] as char, pair[1] as char);
        Address {
            postcode: Postcode::parse(&postcode).expect("generated postcodes are valid"),
            house_number: number as i64,
            house_letter: (letter > 0).then(|| char::from(b'A' + (letter - 1) as u8).to_string()),
            house_addition: (addition > 0).then(|| addition.to_string()),
            street: streets[street].to_string(),
            place: muni.places[place].to_string(),
        }
    }

    /// A point inside the municipality by rejection sampling in its bounding box; after
    /// `POSITION_ATTEMPTS` misses (a sliver-shaped municipality), a vertex of its boundary.
    fn position(&mut self, m: usize) -> Option<RdPoint> {
        let shape = self.munis[m].shape.as_ref()?;
        for _ in 0..POSITION_ATTEMPTS {
            let p = RdPoint {
                x: (shape.min.x + self.rng.random::<f64>() * (shape.max.x - shape.min.x)).round(),
                y: (shape.min.y + self.rng.random::<f64>() * (shape.max.y - shape.min.y)).round(),
            };
            if shape.contains(p) {
                return Some(p);
            }
        }
        shape.polygons.first().and_then(|(_, _, poly)| poly.rings.first()?.first().copied())
    }
}

/// The facts of a location that the housing norms look at.
struct NormFacts {
    new_build: bool,
    in_use_since: Option<NaiveDate>,
    conversion_permit: bool,
    bedroom_sharing_agreed: bool,
    first_responsible: bool,
}

/// The day when the SNF norm for new-build housing changed.
const NEW_BUILD_NORM_CHANGE: (i32, u32, u32) = (2025, 7, 1);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("constant dates are valid")
}

/// A day from `from` up to and including `to`.
fn day_between(rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let (a, b) = (from.num_days_from_ce(), to.num_days_from_ce());
    NaiveDate::from_num_days_from_ce_opt(rng.random_range(a..=b)).unwrap_or(from)
}

/// About 15% of the units in buildings and residential units (forms c and d) are new-build,
/// taken into use from 2012 on, a third of them after the norm change of 1 July 2025, and
/// often with bedrooms shared by agreement. Most other locations have been in use since a
/// day from 2000 on; planned ones not yet. Den Haag asks a conversion permit of a dwelling
/// for three or more persons: most there have one, some elsewhere too, fewer among grey and
/// illegal places. Most operators are the first responsible party for their locations.
fn norm_facts(
    rng: &mut ChaCha8Rng,
    municipality: &str,
    form: HousingForm,
    status: LegalStatus,
    beds: usize,
    has_operator: bool,
) -> NormFacts {
    let new_build = matches!(form, HousingForm::C | HousingForm::D) && rng.random_bool(0.15);
    let (y, m, d) = NEW_BUILD_NORM_CHANGE;
    let change = date(y, m, d);
    let in_use_since = if status == LegalStatus::Planned {
        None
    } else if new_build {
        Some(if rng.random_bool(1.0 / 3.0) {
            day_between(rng, change, date(2026, 10, 31))
        } else {
            day_between(rng, date(2012, 1, 1), change.pred_opt().unwrap_or(change))
        })
    } else if rng.random_bool(0.85) {
        Some(day_between(rng, date(2000, 1, 1), date(2026, 10, 31)))
    } else {
        None
    };
    let conversion_permit = form == HousingForm::A
        && beds >= 3
        && rng.random_bool(match (municipality == "GM0518", status.is_grey_or_illegal()) {
            (true, false) => 0.85,
            (true, true) => 0.2,
            (false, false) => 0.25,
            (false, true) => 0.05,
        });
    let bedroom_sharing_agreed = new_build && rng.random_bool(0.4);
    let first_responsible = has_operator && rng.random_bool(0.85);
    NormFacts { new_build, in_use_since, conversion_permit, bedroom_sharing_agreed, first_responsible }
}

/// Beds per bedroom: SNF 2023 found 94% of bedrooms hold one or two persons.
fn bedroom_beds(rng: &mut ChaCha8Rng, form: HousingForm) -> usize {
    match form {
        HousingForm::B => weighted(rng, &[(1, 55.0), (2, 42.0), (3, 3.0)]),
        HousingForm::D => weighted(rng, &[(1, 60.0), (2, 40.0)]),
        _ => weighted(rng, &[(1, 42.0), (2, 52.0), (3, 4.5), (4, 1.5)]),
    }
}

/// Bedroom area in m², 6–25, larger with more beds (SNF: ≥ 3.5 m² per person).
fn bedroom_area(rng: &mut ChaCha8Rng, beds: usize, cramped: bool) -> f64 {
    let (lo, hi) = match beds {
        1 => (6.0, 14.0),
        2 => (9.0, 20.0),
        3 => (12.0, 24.0),
        _ => (15.0, 25.0),
    };
    let hi = if cramped { lo + (hi - lo) * 0.3 } else { hi };
    round_half(rng.random_range(lo..=hi))
}

/// The bedrooms of a location, and the number of units (chalets) for a recreation park.
fn rooms(rng: &mut ChaCha8Rng, form: HousingForm, cramped: bool, closed: bool) -> (Vec<RoomDraft>, usize) {
    let mut rooms = Vec::new();
    let mut push = |rng: &mut ChaCha8Rng, name: String, label_prefix: String, beds: usize| {
        let area_m2 = bedroom_area(rng, beds, cramped);
        let beds = (0..beds)
            .map(|j| {
                let out_of_service_reason = if closed {
                    Some("locatie gesloten".to_string())
                } else if rng.random_bool(0.015) {
                    Some(OUT_OF_SERVICE_REASONS[rng.random_range(0..OUT_OF_SERVICE_REASONS.len())].to_string())
                } else {
                    None
                };
                BedDraft {
                    id: None,
                    label: format!("{label_prefix}{}", char::from(b'A' + j as u8)),
                    out_of_service_reason,
                }
            })
            .collect();
        rooms.push(RoomDraft { id: None, name, area_m2, beds });
    };

    if form == HousingForm::E {
        let chalets = 2 + (rng.random::<f64>().powi(2) * 16.0) as usize;
        for c in 1..=chalets {
            for k in 1..=rng.random_range(1..=3usize) {
                let beds = bedroom_beds(rng, form);
                push(rng, format!("Chalet {c} slaapkamer {k}"), format!("{c}.{k}"), beds);
            }
        }
        return (rooms, chalets);
    }

    let target = match form {
        HousingForm::A => weighted(
            rng,
            &[(4, 30.5), (5, 24.0), (6, 18.0), (7, 9.0), (8, 8.0), (9, 4.0), (10, 3.0), (11, 2.0), (12, 1.5)],
        ),
        // Large units and hotels: 20–200 beds, most of them near the lower end.
        _ => 20 + (rng.random::<f64>().powf(2.5) * 180.0) as usize,
    };
    let mut remaining = target;
    let mut i = 0;
    while remaining > 0 {
        i += 1;
        let beds = bedroom_beds(rng, form).min(remaining);
        remaining -= beds;
        let (name, prefix) = match form {
            HousingForm::B => {
                let number = (i - 1) / 20 * 100 + (i - 1) % 20 + 101;
                (format!("Kamer {number}"), number.to_string())
            }
            HousingForm::D => (format!("Woonunit {i}"), i.to_string()),
            HousingForm::C => (format!("Unit {i}"), i.to_string()),
            _ => (format!("Slaapkamer {i}"), i.to_string()),
        };
        push(rng, name, prefix, beds);
    }
    (rooms, 1)
}

/// SNF: at least one toilet and shower per 8 persons, a kitchen and a washing machine; the
/// cramped grey/illegal places have fewer.
fn facilities(rng: &mut ChaCha8Rng, form: HousingForm, beds: i64, units: i64, cramped: bool) -> Facilities {
    let per = |rng: &mut ChaCha8Rng, lo: i64, hi: i64| {
        let n = rng.random_range(lo..=hi);
        (beds + n - 1) / n
    };
    let (sanitary, laundry) = if cramped { ((8, 14), (10, 20)) } else { ((4, 8), (6, 12)) };
    let toilets = per(rng, sanitary.0, sanitary.1).max(1);
    let showers = per(rng, sanitary.0, sanitary.1).max(1);
    let kitchens = match form {
        HousingForm::A => 1 + i64::from(beds > 8 && rng.random_bool(0.4)),
        HousingForm::B => per(rng, 10, 20).max(1),
        HousingForm::C | HousingForm::D => per(rng, 6, 12).max(1),
        HousingForm::E => units.max(1),
    };
    let washing_machines = if cramped && rng.random_bool(0.3) { 0 } else { per(rng, laundry.0, laundry.1).max(1) };
    Facilities { toilets, showers, kitchens, washing_machines }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geo::PositionInput;
    use crate::geography::{
        BOUNDARIES_RD_GEOJSON, MUNICIPALITIES_CSV, PLACES_CSV, parse_boundaries, parse_municipalities,
        places_by_municipality,
    };
    use crate::register::{AddressInput, BedInput, LocationInput, RoomInput};
    use std::sync::LazyLock;

    struct Inputs {
        municipalities: Vec<Municipality>,
        boundaries: Vec<(MunicipalityCode, Area)>,
        places: Vec<(MunicipalityCode, String)>,
    }

    static INPUTS: LazyLock<Inputs> = LazyLock::new(|| Inputs {
        municipalities: parse_municipalities(MUNICIPALITIES_CSV).unwrap(),
        boundaries: parse_boundaries(BOUNDARIES_RD_GEOJSON).unwrap(),
        places: places_by_municipality(PLACES_CSV),
    });

    fn run(scale: f64, seed: u64) -> DemoData {
        let i = &*INPUTS;
        generate(scale, seed, &i.municipalities, &i.boundaries, &i.places)
    }

    static SAMPLE: LazyLock<DemoData> = LazyLock::new(|| run(0.05, DEFAULT_SEED));

    fn beds(d: &DemoData) -> usize {
        d.locations.iter().map(|l| l.draft.bed_count()).sum()
    }

    /// The draft as a client would send it, so it can go through the user-input rules.
    fn to_input(d: &LocationDraft) -> LocationInput {
        let a = &d.address;
        LocationInput {
            address: AddressInput {
                postcode: a.postcode.as_str().into(),
                house_number: a.house_number,
                house_letter: a.house_letter.clone(),
                house_addition: a.house_addition.clone(),
                street: a.street.clone(),
                place: a.place.clone(),
            },
            municipality_code: d.municipality.as_str().into(),
            bag_vbo_id: d.bag_vbo_id.as_ref().map(|b| b.as_str().into()),
            housing_form: d.housing_form.as_str().into(),
            zoned_residential: d.zoned_residential,
            floor_area_m2: d.floor_area_m2,
            legal_status: d.legal_status.as_str().into(),
            stay_type: d.stay_type.as_str().into(),
            operator_id: d.operator_id,
            facilities: d.facilities,
            position: d.position.map(PositionInput::Rd),
            new_build: d.new_build,
            in_use_since: d.in_use_since.map(|s| s.to_string()),
            conversion_permit: d.conversion_permit,
            bedroom_sharing_agreed: d.bedroom_sharing_agreed,
            first_responsible: d.first_responsible,
            rooms: d
                .rooms
                .iter()
                .map(|r| RoomInput {
                    id: r.id,
                    name: r.name.clone(),
                    area_m2: r.area_m2,
                    beds: r
                        .beds
                        .iter()
                        .map(|b| BedInput {
                            id: b.id,
                            label: b.label.clone(),
                            in_service: b.out_of_service_reason.is_none(),
                            out_of_service_reason: b.out_of_service_reason.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn every_draft_passes_the_user_input_rules() {
        for l in &SAMPLE.locations {
            let d = &l.draft;
            assert_eq!(to_input(d).validate().as_ref(), Ok(d), "{}", d.address.one_line());
            assert!(d.operator_id.is_none());
            assert!(!d.rooms.is_empty());
            let rooms_area: f64 = d.rooms.iter().map(|r| r.area_m2).sum();
            assert!(d.floor_area_m2 >= rooms_area, "{}", d.address.one_line());
            for r in &d.rooms {
                assert!((6.0..=25.0).contains(&r.area_m2), "{}", r.area_m2);
            }
            let f = d.facilities;
            assert!(f.toilets >= 1 && f.showers >= 1 && f.kitchens >= 1);
        }
    }

    #[test]
    fn generation_is_deterministic() {
        assert_eq!(run(0.01, 7), run(0.01, 7));
        assert_ne!(run(0.01, 7), run(0.01, 8));
    }

    #[test]
    fn scale_gives_the_snf_picture() {
        let d = &*SAMPLE;
        let n = d.locations.len();
        let b = beds(d);
        assert!((850..=1150).contains(&n), "{n} locations");
        assert!((6035..=8165).contains(&b), "{b} beds");
        let forms = |f| d.locations.iter().filter(|l| l.draft.housing_form == f).count();
        assert!(forms(HousingForm::A) > n * 9 / 10);
        for f in [HousingForm::B, HousingForm::C, HousingForm::D, HousingForm::E] {
            assert!(forms(f) > 0, "{f}");
        }
        for l in &d.locations {
            let beds = l.draft.bed_count();
            match l.draft.housing_form {
                HousingForm::A => assert!((4..=12).contains(&beds), "{beds}"),
                HousingForm::B | HousingForm::C | HousingForm::D => {
                    assert!((20..=200).contains(&beds), "{beds}")
                }
                HousingForm::E => assert!(beds >= 2),
            }
        }
        // Tiny scales still give something, and nonsense scales nothing.
        assert!(!run(0.001, 1).locations.is_empty());
        assert!(run(f64::NAN, 1).locations.is_empty() && run(-1.0, 1).locations.is_empty());
    }

    #[test]
    fn addresses_and_bag_ids_are_unique() {
        let d = &*SAMPLE;
        let addresses: HashSet<_> = d.locations.iter().map(|l| l.draft.address.key()).collect();
        assert_eq!(addresses.len(), d.locations.len());
        let bag: Vec<_> = d.locations.iter().filter_map(|l| l.draft.bag_vbo_id.as_ref()).collect();
        let unique: HashSet<_> = bag.iter().map(|b| b.as_str()).collect();
        assert_eq!(unique.len(), bag.len());
        let share = bag.len() as f64 / d.locations.len() as f64;
        assert!((0.5..=0.7).contains(&share), "{share}");
        for l in &d.locations {
            if let Some(b) = &l.draft.bag_vbo_id {
                assert!(b.as_str().starts_with(l.draft.municipality.digits()));
            }
        }
    }

    #[test]
    fn places_are_real_and_positions_lie_inside_the_municipality() {
        let i = &*INPUTS;
        let areas: HashMap<_, _> = i.boundaries.iter().map(|(c, a)| (c, a)).collect();
        let places: HashSet<_> = i.places.iter().map(|(c, p)| (c, p.as_str())).collect();
        for l in &SAMPLE.locations {
            let d = &l.draft;
            assert!(places.contains(&(&d.municipality, d.address.place.as_str())), "{}", d.address.one_line());
            assert!(areas[&d.municipality].contains(d.position.unwrap()), "{}", d.address.one_line());
        }
    }

    #[test]
    fn most_bedrooms_hold_one_or_two_beds() {
        let rooms: Vec<_> = SAMPLE.locations.iter().flat_map(|l| &l.draft.rooms).collect();
        let small = rooms.iter().filter(|r| (1..=2).contains(&r.beds.len())).count();
        assert!(small as f64 >= 0.9 * rooms.len() as f64, "{small} of {}", rooms.len());
        assert!(rooms.iter().all(|r| (1..=4).contains(&r.beds.len())));
        let out: Vec<_> =
            rooms.iter().flat_map(|r| &r.beds).filter_map(|b| b.out_of_service_reason.as_deref()).collect();
        assert!(out.iter().any(|r| OUT_OF_SERVICE_REASONS.contains(r)));
    }

    #[test]
    fn westland_is_a_hotspot_and_the_status_mix_is_plausible() {
        let d = &*SAMPLE;
        let average = d.locations.len() as f64 / INPUTS.municipalities.len() as f64;
        let westland = d.locations.iter().filter(|l| l.draft.municipality.as_str() == "GM1783").count();
        assert!(westland as f64 > 5.0 * average, "{westland} vs {average}");
        let share = |s: LegalStatus| {
            d.locations.iter().filter(|l| l.draft.legal_status == s).count() as f64 / d.locations.len() as f64
        };
        assert!(share(LegalStatus::InUse) + share(LegalStatus::Permitted) > 0.8);
        assert!((0.01..0.08).contains(&share(LegalStatus::Tolerated)));
        assert!((0.001..0.03).contains(&share(LegalStatus::Illegal)));
        let westland_short = d
            .locations
            .iter()
            .filter(|l| l.draft.municipality.as_str() == "GM1783")
            .filter(|l| l.draft.stay_type == StayType::Short)
            .count();
        assert!(westland_short * 2 > westland);
    }

    #[test]
    fn organisations_are_complete_and_synthetic_ones_recognisable() {
        let d = &*SAMPLE;
        let named = |name: &str| d.organisations.iter().find(|o| o.name == name).unwrap();
        assert_eq!(named("Aedes").kind, OrganisationKind::SectorAssociation);
        assert_eq!(named("FNV").kind, OrganisationKind::Union);
        assert_eq!(named("Ministerie van BZK").kind, OrganisationKind::Ministry);
        let westland = named("Gemeente Westland");
        assert_eq!(westland.municipality.as_ref().unwrap().as_str(), "GM1783");
        assert!(d.organisations[..12].iter().all(|o| o.kvk.is_none()));

        let synthetic = &d.organisations[12..];
        assert!(synthetic.iter().all(|o| o.name.ends_with(" B.V.")));
        let kvks: HashSet<_> = synthetic.iter().map(|o| o.kvk.as_ref().unwrap().as_str()).collect();
        assert_eq!(kvks.len(), synthetic.len());
        assert!(kvks.iter().all(|k| k.len() == 8 && k.starts_with('9')));
        let names: HashSet<_> = d.organisations.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(names.len(), d.organisations.len());

        let providers = synthetic.iter().filter(|o| o.kind == OrganisationKind::HousingProvider).count();
        assert_eq!(providers, 35);
        assert_eq!(
            run(1e-6, 1).organisations.iter().filter(|o| o.kind == OrganisationKind::HousingProvider).count(),
            5
        );
        for l in &d.locations {
            match l.operator {
                Some(i) => assert_eq!(d.organisations[i].kind, OrganisationKind::HousingProvider),
                None => assert!(l.draft.legal_status.is_grey_or_illegal()),
            }
        }
    }

    #[test]
    fn norm_facts_are_consistent_and_plausible() {
        for l in &SAMPLE.locations {
            let d = &l.draft;
            let at = d.address.one_line();
            assert!(!d.new_build || matches!(d.housing_form, HousingForm::C | HousingForm::D), "{at}");
            assert!(!d.bedroom_sharing_agreed || d.new_build, "{at}");
            assert!(!d.conversion_permit || d.housing_form == HousingForm::A, "{at}");
            assert!(!d.first_responsible || l.operator.is_some(), "{at}");
            assert!(d.legal_status != LegalStatus::Planned || d.in_use_since.is_none(), "{at}");
            assert!(d.in_use_since.is_none_or(|s| (date(2000, 1, 1)..=date(2026, 10, 31)).contains(&s)), "{at}");
        }
        // Shares need more locations than the sample has units in buildings.
        let d = run(0.5, DEFAULT_SEED);
        let n = d.locations.len() as f64;
        let share = |count: usize, of: f64| count as f64 / of;
        let units: Vec<_> = d
            .locations
            .iter()
            .map(|l| &l.draft)
            .filter(|l| matches!(l.housing_form, HousingForm::C | HousingForm::D))
            .collect();
        let new_build: Vec<_> = units.iter().filter(|l| l.new_build).collect();
        assert!(
            (0.08..0.25).contains(&share(new_build.len(), units.len() as f64)),
            "{} of {}",
            new_build.len(),
            units.len()
        );
        let (y, m, day) = NEW_BUILD_NORM_CHANGE;
        let after_change = new_build.iter().filter(|l| l.in_use_since.is_some_and(|s| s >= date(y, m, day))).count();
        assert!(after_change > 0 && after_change < new_build.len(), "{after_change} of {}", new_build.len());
        assert!(
            new_build.iter().all(
                |l| l.in_use_since.is_some_and(|s| s >= date(2012, 1, 1)) || l.legal_status == LegalStatus::Planned
            )
        );
        assert!(new_build.iter().any(|l| l.bedroom_sharing_agreed));
        let dated = d.locations.iter().filter(|l| l.draft.in_use_since.is_some()).count();
        assert!(share(dated, n) > 0.75, "{dated} of {n}");
        let den_haag: Vec<_> = d
            .locations
            .iter()
            .map(|l| &l.draft)
            .filter(|l| l.municipality.as_str() == "GM0518" && l.housing_form == HousingForm::A)
            .collect();
        let permitted = den_haag.iter().filter(|l| l.conversion_permit).count();
        assert!(share(permitted, den_haag.len() as f64) > 0.6, "{permitted} of {}", den_haag.len());
        let elsewhere = d
            .locations
            .iter()
            .filter(|l| l.draft.municipality.as_str() != "GM0518" && l.draft.conversion_permit)
            .count();
        assert!(elsewhere > 0);
        let operated: Vec<_> = d.locations.iter().filter(|l| l.operator.is_some()).collect();
        let first = operated.iter().filter(|l| l.draft.first_responsible).count();
        assert!((0.7..0.95).contains(&share(first, operated.len() as f64)), "{first} of {}", operated.len());
    }

    #[test]
    fn no_geography_gives_organisations_only() {
        let d = generate(1.0, 1, &[], &[], &[]);
        assert!(d.locations.is_empty());
        assert!(d.organisations.len() > 12);
    }
}
