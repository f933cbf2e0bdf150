//! The register's values: organisations, locations, rooms and beds, with the validation that
//! turns raw input into drafts the store can save.

use crate::address::{Address, Postcode, parse_house_addition, parse_house_letter, parse_house_number};
use crate::error::FieldErrors;
use crate::geo::{PositionInput, RdPoint};
use crate::ids::{BagVboId, KvkNumber, MunicipalityCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

code_enum! {
    /// What kind of party an organisation is.
    OrganisationKind {
        Ministry = "ministry",
        Municipality = "municipality",
        Region = "region",
        HousingProvider = "housing_provider",
        TempAgency = "temp_agency",
        Employer = "employer",
        HousingCorporation = "housing_corporation",
        Union = "union",
        SectorAssociation = "sector_association",
    }
}

code_enum! {
    /// The SNF housing forms: a regular dwelling, b hotel/pension, c units in a building,
    /// d residential units, e recreation park.
    HousingForm { A = "a", B = "b", C = "c", D = "d", E = "e" }
}

code_enum! {
    /// Where a location stands legally.
    LegalStatus {
        Planned = "planned",
        Permitted = "permitted",
        InUse = "in_use",
        Tolerated = "tolerated",
        Illegal = "illegal",
        Closed = "closed",
    }
}

code_enum! {
    /// Short stay (up to 12 months), mid stay (12 months or more, undecided), long stay.
    StayType { Short = "short", Mid = "mid", Long = "long" }
}

impl LegalStatus {
    /// Grey and illegal situations are the ones enforcement must close bed for bed.
    pub fn is_grey_or_illegal(self) -> bool {
        matches!(self, LegalStatus::Tolerated | LegalStatus::Illegal)
    }
}

/// Usable floor area above this is implausible for one location (m²).
pub const MAX_FLOOR_AREA_M2: f64 = 999_999.0;
/// A single room above this is implausible (m²).
pub const MAX_ROOM_AREA_M2: f64 = 10_000.0;
/// Facilities of one kind above this are implausible.
pub const MAX_FACILITY_COUNT: i64 = 10_000;
/// Rooms per location and beds per room, as a guard against runaway input.
pub const MAX_ROOMS: usize = 2_000;
pub const MAX_BEDS_PER_ROOM: usize = 100;
/// Free text fields (street, place, names, reasons).
pub const MAX_TEXT_LEN: usize = 200;
/// Dates before this are taken for typing errors (`in_use_since`).
pub const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
/// Dates after this are typing errors (a year of five digits, 2205 for 2025).
pub const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2200, 12, 31).expect("a valid date");

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Facilities {
    pub toilets: i64,
    pub showers: i64,
    pub kitchens: i64,
    pub washing_machines: i64,
}

/// An address as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    pub postcode: String,
    pub house_number: i64,
    #[serde(default)]
    pub house_letter: Option<String>,
    #[serde(default)]
    pub house_addition: Option<String>,
    pub street: String,
    pub place: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BedInput {
    /// The id of an existing bed to keep; absent for a new bed.
    #[serde(default)]
    pub id: Option<i64>,
    pub label: String,
    #[serde(default = "yes")]
    pub in_service: bool,
    #[serde(default)]
    pub out_of_service_reason: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoomInput {
    #[serde(default)]
    pub id: Option<i64>,
    pub name: String,
    pub area_m2: f64,
    #[serde(default)]
    pub beds: Vec<BedInput>,
}

/// A location as a client sends it (API body, form, CSV row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationInput {
    pub address: AddressInput,
    pub municipality_code: String,
    #[serde(default)]
    pub bag_vbo_id: Option<String>,
    pub housing_form: String,
    #[serde(default)]
    pub zoned_residential: bool,
    pub floor_area_m2: f64,
    pub legal_status: String,
    pub stay_type: String,
    #[serde(default)]
    pub operator_id: Option<i64>,
    #[serde(default)]
    pub facilities: Facilities,
    #[serde(default)]
    pub position: Option<PositionInput>,
    /// Built or converted as new-build housing.
    #[serde(default)]
    pub new_build: bool,
    /// When the location was first taken into use as housing: `YYYY-MM-DD`.
    #[serde(default)]
    pub in_use_since: Option<String>,
    /// The location holds a conversion permit (omzettingsvergunning).
    #[serde(default)]
    pub conversion_permit: bool,
    /// The residents agreed in writing to share a bedroom by two.
    #[serde(default)]
    pub bedroom_sharing_agreed: bool,
    /// The operator is the first responsible party (eerstverantwoordelijke) for this
    /// location under its certificate.
    #[serde(default)]
    pub first_responsible: bool,
    #[serde(default)]
    pub rooms: Vec<RoomInput>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BedDraft {
    pub id: Option<i64>,
    pub label: String,
    /// `None` when in service; the reason when out of service.
    pub out_of_service_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RoomDraft {
    pub id: Option<i64>,
    pub name: String,
    pub area_m2: f64,
    pub beds: Vec<BedDraft>,
}

/// A location that passed every check that needs no database.
#[derive(Debug, Clone, PartialEq)]
pub struct LocationDraft {
    pub address: Address,
    pub municipality: MunicipalityCode,
    pub bag_vbo_id: Option<BagVboId>,
    pub housing_form: HousingForm,
    pub zoned_residential: bool,
    pub floor_area_m2: f64,
    pub legal_status: LegalStatus,
    pub stay_type: StayType,
    pub operator_id: Option<i64>,
    pub facilities: Facilities,
    pub position: Option<RdPoint>,
    pub new_build: bool,
    pub in_use_since: Option<NaiveDate>,
    pub conversion_permit: bool,
    pub bedroom_sharing_agreed: bool,
    pub first_responsible: bool,
    pub rooms: Vec<RoomDraft>,
}

impl LocationDraft {
    pub fn bed_count(&self) -> usize {
        self.rooms.iter().map(|r| r.beds.len()).sum()
    }

    pub fn beds_in_service(&self) -> usize {
        self.rooms.iter().flat_map(|r| &r.beds).filter(|b| b.out_of_service_reason.is_none()).count()
    }
}

pub(crate) fn text(errors: &mut FieldErrors, field: &str, value: &str, required: bool) -> String {
    let v = value.trim();
    if required && v.is_empty() {
        errors.add(field, "required", "this field is required");
    } else if v.chars().count() > MAX_TEXT_LEN {
        errors.add(field, "too_long", format!("at most {MAX_TEXT_LEN} characters"));
    } else if v.chars().any(char::is_control) {
        errors.add(field, "invalid_text", "control characters are not allowed");
    }
    v.to_string()
}

/// The most characters of a reason (why a signal or a complaint needs no action).
pub const MAX_REASON_CHARS: usize = 1000;

/// Why something needs no action, as an officer writes it: a few words at least, trimmed.
pub fn parse_reason(value: &str) -> crate::error::Check<&str> {
    let v = value.trim();
    match v.chars().count() {
        0..3 => Err(("reason_required", "say why no action is needed".into())),
        n if n > MAX_REASON_CHARS => {
            Err(("reason_too_long", format!("a reason has at most {MAX_REASON_CHARS} characters")))
        }
        _ => Ok(v),
    }
}

/// A calendar date written `YYYY-MM-DD`, from [`EARLIEST_DATE`] to [`LATEST_DATE`]: the one
/// date parser of every input.
pub fn parse_date(value: &str) -> crate::error::Check<NaiveDate> {
    let v = value.trim();
    let shape = v.len() == 10
        && v.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    let date = if shape { NaiveDate::parse_from_str(v, "%Y-%m-%d").ok() } else { None };
    match date {
        None => Err(("invalid_date", format!("'{v}' is not a date; expected YYYY-MM-DD, e.g. 2021-07-01"))),
        Some(d) if d < EARLIEST_DATE => {
            Err(("date_too_early", format!("{d} is before {EARLIEST_DATE}; check the year")))
        }
        Some(d) if d > LATEST_DATE => Err(("date_too_late", format!("{d} is after {LATEST_DATE}; check the year"))),
        Some(d) => Ok(d),
    }
}

pub(crate) fn code<T>(
    errors: &mut FieldErrors,
    field: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    codes: String,
) -> Option<T> {
    let v = parse(value.trim());
    if v.is_none() {
        errors.add(field, "invalid_choice", format!("'{value}' is not one of: {codes}"));
    }
    v
}

fn area(errors: &mut FieldErrors, field: &str, value: f64, max: f64) -> f64 {
    if !value.is_finite() || value <= 0.0 {
        errors.add(field, "invalid_area", format!("the area must be more than 0 m², not {value}"));
    } else if value > max {
        errors.add(field, "implausible_area", format!("{value} m² is implausible: at most {max} m²"));
    }
    value
}

impl LocationInput {
    /// Every check that needs no database; all problems are reported at once.
    pub fn validate(&self) -> Result<LocationDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let a = &self.address;
        let postcode = e.take("address.postcode", Postcode::parse(&a.postcode));
        let house_number = e.take("address.house_number", parse_house_number(a.house_number));
        let house_letter = e.take("address.house_letter", parse_house_letter(a.house_letter.as_deref().unwrap_or("")));
        let house_addition =
            e.take("address.house_addition", parse_house_addition(a.house_addition.as_deref().unwrap_or("")));
        let street = text(&mut e, "address.street", &a.street, true);
        let place = text(&mut e, "address.place", &a.place, true);
        let municipality = e.take("municipality_code", MunicipalityCode::parse(&self.municipality_code));
        let bag_vbo_id = match self.bag_vbo_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(id) => e.take("bag_vbo_id", BagVboId::parse(id, municipality.as_ref())).map(Some),
        };
        let housing_form = code(&mut e, "housing_form", &self.housing_form, HousingForm::parse, HousingForm::codes());
        let floor_area_m2 = area(&mut e, "floor_area_m2", self.floor_area_m2, MAX_FLOOR_AREA_M2);
        let legal_status = code(&mut e, "legal_status", &self.legal_status, LegalStatus::parse, LegalStatus::codes());
        let stay_type = code(&mut e, "stay_type", &self.stay_type, StayType::parse, StayType::codes());
        let f = &self.facilities;
        for (name, n) in [
            ("toilets", f.toilets),
            ("showers", f.showers),
            ("kitchens", f.kitchens),
            ("washing_machines", f.washing_machines),
        ] {
            if !(0..=MAX_FACILITY_COUNT).contains(&n) {
                e.add(
                    format!("facilities.{name}"),
                    "invalid_count",
                    format!("{n} is not a count from 0 to {MAX_FACILITY_COUNT}"),
                );
            }
        }
        let position = match self.position {
            None => Some(None),
            Some(p) => e.take("position", p.to_rd()).map(Some),
        };
        let in_use_since = match self.in_use_since.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(d) => e.take("in_use_since", parse_date(d)).map(Some),
        };
        if self.rooms.len() > MAX_ROOMS {
            e.add("rooms", "too_many", format!("at most {MAX_ROOMS} rooms per location"));
        }
        let rooms = self.rooms.iter().take(MAX_ROOMS).enumerate().map(|(i, r)| validate_room(&mut e, i, r)).collect();
        let rooms_area: f64 = self.rooms.iter().map(|r| r.area_m2).filter(|a| a.is_finite() && *a > 0.0).sum();
        if floor_area_m2.is_finite() && floor_area_m2 > 0.0 && rooms_area > floor_area_m2 + 0.5 {
            e.add(
                "rooms",
                "rooms_exceed_floor_area",
                format!("the rooms add up to {rooms_area} m², more than the floor area of {floor_area_m2} m²"),
            );
        }
        if !e.is_empty() {
            return Err(e);
        }
        // Every `take` above succeeded, so each value is present.
        let (Some(postcode), Some(house_number), Some(house_letter), Some(house_addition), Some(municipality)) =
            (postcode, house_number, house_letter, house_addition, municipality)
        else {
            unreachable!("validated above")
        };
        let (Some(bag_vbo_id), Some(housing_form), Some(legal_status), Some(stay_type), Some(position)) =
            (bag_vbo_id, housing_form, legal_status, stay_type, position)
        else {
            unreachable!("validated above")
        };
        let Some(in_use_since) = in_use_since else { unreachable!("validated above") };
        Ok(LocationDraft {
            address: Address { postcode, house_number, house_letter, house_addition, street, place },
            municipality,
            bag_vbo_id,
            housing_form,
            zoned_residential: self.zoned_residential,
            floor_area_m2,
            legal_status,
            stay_type,
            operator_id: self.operator_id,
            facilities: self.facilities,
            position,
            new_build: self.new_build,
            in_use_since,
            conversion_permit: self.conversion_permit,
            bedroom_sharing_agreed: self.bedroom_sharing_agreed,
            first_responsible: self.first_responsible,
            rooms,
        })
    }
}

fn validate_room(e: &mut FieldErrors, i: usize, r: &RoomInput) -> RoomDraft {
    let prefix = format!("rooms[{i}]");
    let name = text(e, &format!("{prefix}.name"), &r.name, true);
    let area_m2 = area(e, &format!("{prefix}.area_m2"), r.area_m2, MAX_ROOM_AREA_M2);
    if r.beds.len() > MAX_BEDS_PER_ROOM {
        e.add(format!("{prefix}.beds"), "too_many", format!("at most {MAX_BEDS_PER_ROOM} beds per room"));
    }
    let mut labels = std::collections::HashSet::new();
    let beds = r
        .beds
        .iter()
        .take(MAX_BEDS_PER_ROOM)
        .enumerate()
        .map(|(j, b)| {
            let field = format!("{prefix}.beds[{j}]");
            let label = text(e, &format!("{field}.label"), &b.label, true);
            if !label.is_empty() && !labels.insert(label.to_lowercase()) {
                e.add(
                    format!("{field}.label"),
                    "duplicate_label",
                    format!("bed label '{label}' is used twice in this room"),
                );
            }
            let reason = b.out_of_service_reason.as_deref().map(str::trim).unwrap_or("");
            let out_of_service_reason = if b.in_service {
                if !reason.is_empty() {
                    e.add(
                        format!("{field}.out_of_service_reason"),
                        "reason_without_outage",
                        "a bed in service has no out-of-service reason",
                    );
                }
                None
            } else {
                let r = text(e, &format!("{field}.out_of_service_reason"), reason, true);
                Some(r)
            };
            BedDraft { id: b.id, label, out_of_service_reason }
        })
        .collect();
    RoomDraft { id: r.id, name, area_m2, beds }
}

/// An organisation as a client sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationInput {
    pub name: String,
    #[serde(default)]
    pub kvk: Option<String>,
    pub kind: String,
    #[serde(default)]
    pub municipality_code: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationDraft {
    pub name: String,
    pub kvk: Option<KvkNumber>,
    pub kind: OrganisationKind,
    pub municipality: Option<MunicipalityCode>,
}

impl OrganisationInput {
    pub fn validate(&self) -> Result<OrganisationDraft, FieldErrors> {
        let mut e = FieldErrors::new();
        let name = text(&mut e, "name", &self.name, true);
        let kvk = match self.kvk.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(k) => e.take("kvk", KvkNumber::parse(k)).map(Some),
        };
        let kind = code(&mut e, "kind", &self.kind, OrganisationKind::parse, OrganisationKind::codes());
        let municipality = match self.municipality_code.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(m) => e.take("municipality_code", MunicipalityCode::parse(m)).map(Some),
        };
        match (e.is_empty(), kvk, kind, municipality) {
            (true, Some(kvk), Some(kind), Some(municipality)) => {
                Ok(OrganisationDraft { name, kvk, kind, municipality })
            }
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn sample() -> LocationInput {
        LocationInput {
            address: AddressInput {
                postcode: "2691 AB".into(),
                house_number: 12,
                house_letter: Some("a".into()),
                house_addition: None,
                street: "Naaldwijkseweg".into(),
                place: "'s-Gravenzande".into(),
            },
            municipality_code: "GM1783".into(),
            bag_vbo_id: Some("1783010000012345".into()),
            housing_form: "a".into(),
            zoned_residential: true,
            floor_area_m2: 120.0,
            legal_status: "in_use".into(),
            stay_type: "short".into(),
            operator_id: Some(1),
            facilities: Facilities { toilets: 2, showers: 2, kitchens: 1, washing_machines: 1 },
            position: None,
            new_build: false,
            in_use_since: Some("2016-04-01".into()),
            conversion_permit: true,
            bedroom_sharing_agreed: false,
            first_responsible: true,
            rooms: vec![RoomInput {
                id: None,
                name: "Kamer 1".into(),
                area_m2: 14.0,
                beds: vec![
                    BedInput { id: None, label: "1A".into(), in_service: true, out_of_service_reason: None },
                    BedInput {
                        id: None,
                        label: "1B".into(),
                        in_service: false,
                        out_of_service_reason: Some("matras kapot".into()),
                    },
                ],
            }],
        }
    }

    #[test]
    fn a_good_location_validates() {
        let d = sample().validate().unwrap();
        assert_eq!(d.address.key(), "2691AB|12|A|");
        assert_eq!((d.bed_count(), d.beds_in_service()), (2, 1));
        assert_eq!(d.in_use_since, NaiveDate::from_ymd_opt(2016, 4, 1));
        assert!(d.conversion_permit && d.first_responsible && !d.new_build && !d.bedroom_sharing_agreed);
    }

    #[test]
    fn the_norm_facts_default_to_no_and_unknown() {
        let mut v = serde_json::to_value(sample()).unwrap();
        let o = v.as_object_mut().unwrap();
        for key in ["new_build", "in_use_since", "conversion_permit", "bedroom_sharing_agreed", "first_responsible"] {
            o.remove(key);
        }
        let d = serde_json::from_value::<LocationInput>(v).unwrap().validate().unwrap();
        assert_eq!(
            (d.new_build, d.in_use_since, d.conversion_permit, d.bedroom_sharing_agreed, d.first_responsible),
            (false, None, false, false, false)
        );
    }

    #[test]
    fn in_use_since_is_a_date_from_1900() {
        let check = |value: &str| {
            let mut i = sample();
            i.in_use_since = Some(value.into());
            i.validate().map(|d| d.in_use_since).map_err(|e| e.get("in_use_since").map(|f| f.code))
        };
        assert_eq!(check(" 2025-07-01 "), Ok(NaiveDate::from_ymd_opt(2025, 7, 1)));
        assert_eq!(check("1900-01-01"), Ok(NaiveDate::from_ymd_opt(1900, 1, 1)));
        assert_eq!(check(""), Ok(None), "empty is unknown");
        for bad in ["01-07-2025", "2025-7-1", "2025-02-30", "2025/07/01", "+2025-07-01", "gisteren"] {
            assert_eq!(check(bad), Err(Some("invalid_date")), "{bad}");
        }
        assert_eq!(check("1899-12-31"), Err(Some("date_too_early")));
        let mut i = sample();
        i.in_use_since = Some("2025-13-01".into());
        let e = i.validate().unwrap_err();
        assert_eq!(e.0.len(), 1);
        assert_eq!(e.0[0].message, "'2025-13-01' is not a date; expected YYYY-MM-DD, e.g. 2021-07-01");
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut bad = sample();
        bad.address.postcode = "0123 AB".into();
        bad.address.house_number = 0;
        bad.municipality_code = "GM9".into();
        bad.bag_vbo_id = Some("12".into());
        bad.housing_form = "f".into();
        bad.floor_area_m2 = -5.0;
        bad.facilities.toilets = -1;
        bad.in_use_since = Some("1 juli 2016".into());
        bad.rooms[0].beds[0].in_service = false;
        let errs = bad.validate().unwrap_err();
        let fields: Vec<&str> = errs.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "address.postcode",
                "address.house_number",
                "municipality_code",
                "bag_vbo_id",
                "housing_form",
                "floor_area_m2",
                "facilities.toilets",
                "in_use_since",
                "rooms[0].beds[0].out_of_service_reason"
            ]
        );
    }

    #[test]
    fn bag_id_must_belong_to_the_municipality() {
        let mut bad = sample();
        bad.bag_vbo_id = Some("0518010000012345".into());
        assert_eq!(bad.validate().unwrap_err().0[0].code, "bag_id_municipality_mismatch");
    }

    #[test]
    fn implausible_areas_and_duplicate_beds() {
        let mut bad = sample();
        bad.floor_area_m2 = 1_000_000.0;
        bad.rooms[0].beds[1].label = "1a".into();
        bad.rooms[0].beds[1].in_service = true;
        bad.rooms[0].beds[1].out_of_service_reason = None;
        let errs = bad.validate().unwrap_err();
        assert_eq!(errs.get("floor_area_m2").unwrap().code, "implausible_area");
        assert_eq!(errs.get("rooms[0].beds[1].label").unwrap().code, "duplicate_label");
    }

    #[test]
    fn unknown_json_fields_are_refused() {
        let mut v = serde_json::to_value(sample()).unwrap();
        v["colour"] = "red".into();
        let err = serde_json::from_value::<LocationInput>(v).unwrap_err().to_string();
        assert!(err.contains("unknown field `colour`"), "{err}");
    }

    #[test]
    fn organisations() {
        let ok = OrganisationInput {
            name: "Aedes".into(),
            kvk: Some("40530929".into()),
            kind: "sector_association".into(),
            municipality_code: None,
        };
        assert_eq!(ok.validate().unwrap().kind, OrganisationKind::SectorAssociation);
        let bad = OrganisationInput {
            name: " ".into(),
            kvk: Some("123".into()),
            kind: "club".into(),
            municipality_code: None,
        };
        let fields: Vec<_> = bad.validate().unwrap_err().0.into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "kvk", "kind"]);
    }
}
