//! HTML forms: parsing urlencoded bodies, checking CSRF tokens, and turning form fields into
//! the same core inputs the API takes (so both are validated by one set of rules).

use crate::auth::Ctx;
use flexwonen_core::FieldErrors;
use flexwonen_core::geo::{PositionInput, RdPoint};
use flexwonen_core::register::{AddressInput, BedInput, Facilities, LocationInput, RoomInput};
use flexwonen_store::Location;

/// A urlencoded form body; a name may occur more than once.
#[derive(Debug, Default, Clone)]
pub struct FormData(pub Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Option<FormData> {
        serde_urlencoded::from_bytes(body).ok().map(FormData)
    }

    pub fn get(&self, name: &str) -> &str {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or("")
    }

    pub fn opt(&self, name: &str) -> Option<String> {
        Some(self.get(name).trim().to_string()).filter(|s| !s.is_empty())
    }

    pub fn checked(&self, name: &str) -> bool {
        matches!(self.get(name), "on" | "true" | "1" | "ja" | "yes")
    }

    /// Does the form carry this session's CSRF token? Compared in constant time.
    pub fn csrf_ok(&self, ctx: &Ctx) -> bool {
        match &ctx.csrf {
            Some(expected) => constant_time_eq(expected.as_bytes(), self.get("csrf").as_bytes()),
            None => false,
        }
    }
}

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A whole number; empty counts as 0 unless the field is required.
fn int(form: &FormData, field: &str, errors: &mut FieldErrors, api_field: &str, required: bool) -> i64 {
    let v = form.get(field).trim();
    if v.is_empty() {
        if required {
            errors.add(api_field, "required", "this field is required");
        }
        return 0;
    }
    v.parse().unwrap_or_else(|_| {
        errors.add(api_field, "not_a_number", format!("'{v}' is not a whole number"));
        0
    })
}

/// Accepts a decimal comma as well as a point, as Dutch users type.
fn decimal(form: &FormData, field: &str, errors: &mut FieldErrors, api_field: &str) -> Option<f64> {
    let v = form.get(field).trim().replace(',', ".");
    if v.is_empty() {
        return None;
    }
    match v.parse::<f64>() {
        Ok(n) if n.is_finite() => Some(n),
        _ => {
            errors.add(api_field, "not_a_number", format!("'{}' is not a number", form.get(field)));
            None
        }
    }
}

/// The location form as a core input, with the fields that could not even be read (a
/// number that is not a number). Rooms are not on this form: they are kept from `existing`
/// (when editing) so that editing the address never touches the beds.
pub fn location_input(form: &FormData, existing: Option<&Location>) -> (LocationInput, FieldErrors) {
    let mut e = FieldErrors::new();
    let house_number = int(form, "house_number", &mut e, "address.house_number", true);
    let floor_area_m2 = decimal(form, "floor_area_m2", &mut e, "floor_area_m2").unwrap_or_else(|| {
        if e.get("floor_area_m2").is_none() {
            e.add("floor_area_m2", "required", "this field is required");
        }
        0.0
    });
    let facilities = Facilities {
        toilets: int(form, "toilets", &mut e, "facilities.toilets", false),
        showers: int(form, "showers", &mut e, "facilities.showers", false),
        kitchens: int(form, "kitchens", &mut e, "facilities.kitchens", false),
        washing_machines: int(form, "washing_machines", &mut e, "facilities.washing_machines", false),
    };
    let x = decimal(form, "rd_x", &mut e, "position");
    let y = decimal(form, "rd_y", &mut e, "position");
    let position = match (x, y) {
        (Some(x), Some(y)) => Some(PositionInput::Rd(RdPoint { x, y })),
        (None, None) => None,
        _ => {
            e.add("position", "incomplete_position", "give both RD coordinates, or neither");
            None
        }
    };
    let operator_id = match form.opt("operator_id") {
        None => None,
        Some(v) => match v.parse() {
            Ok(id) => Some(id),
            Err(_) => {
                e.add("operator_id", "not_a_number", format!("'{v}' is not an organisation id"));
                None
            }
        },
    };
    let input = LocationInput {
        address: AddressInput {
            postcode: form.get("postcode").into(),
            house_number,
            house_letter: form.opt("house_letter"),
            house_addition: form.opt("house_addition"),
            street: form.get("street").into(),
            place: form.get("place").into(),
        },
        municipality_code: form.get("municipality_code").into(),
        bag_vbo_id: form.opt("bag_vbo_id"),
        housing_form: form.get("housing_form").into(),
        zoned_residential: form.checked("zoned_residential"),
        floor_area_m2,
        legal_status: form.get("legal_status").into(),
        stay_type: form.get("stay_type").into(),
        operator_id,
        facilities,
        position,
        new_build: form.checked("new_build"),
        in_use_since: form.opt("in_use_since"),
        conversion_permit: form.checked("conversion_permit"),
        bedroom_sharing_agreed: form.checked("bedroom_sharing_agreed"),
        first_responsible: form.checked("first_responsible"),
        rooms: existing.map(rooms_as_input).unwrap_or_default(),
    };
    (input, e)
}

/// All problems of a form at once: the unreadable fields, then what validation finds in
/// the rest.
pub fn merge_validation(mut unreadable: FieldErrors, input: &LocationInput) -> FieldErrors {
    if let Err(v) = input.validate() {
        for f in v.0 {
            if unreadable.get(&f.field).is_none() {
                unreadable.0.push(f);
            }
        }
    }
    unreadable
}

/// The rooms of a stored location as input, ids included, so a write keeps them.
pub fn rooms_as_input(l: &Location) -> Vec<RoomInput> {
    l.rooms
        .iter()
        .map(|r| RoomInput {
            id: Some(r.id),
            name: r.name.clone(),
            area_m2: r.area_m2,
            beds: r
                .beds
                .iter()
                .map(|b| BedInput {
                    id: Some(b.id),
                    label: b.label.clone(),
                    in_service: b.in_service,
                    out_of_service_reason: b.out_of_service_reason.clone(),
                })
                .collect(),
        })
        .collect()
}

/// A stored location as input: the starting point of every change made from a page.
pub fn as_input(l: &Location) -> LocationInput {
    LocationInput {
        address: AddressInput {
            postcode: l.address.postcode.as_str().into(),
            house_number: l.address.house_number,
            house_letter: l.address.house_letter.clone(),
            house_addition: l.address.house_addition.clone(),
            street: l.address.street.clone(),
            place: l.address.place.clone(),
        },
        municipality_code: l.municipality_code.clone(),
        bag_vbo_id: l.bag_vbo_id.clone(),
        housing_form: l.housing_form.as_str().into(),
        zoned_residential: l.zoned_residential,
        floor_area_m2: l.floor_area_m2,
        legal_status: l.legal_status.as_str().into(),
        stay_type: l.stay_type.as_str().into(),
        operator_id: l.operator_id,
        facilities: l.facilities,
        position: l.position.map(|p| PositionInput::Rd(p.rd)),
        new_build: l.new_build,
        in_use_since: l.in_use_since.map(|d| d.to_string()),
        conversion_permit: l.conversion_permit,
        bedroom_sharing_agreed: l.bedroom_sharing_agreed,
        first_responsible: l.first_responsible,
        rooms: rooms_as_input(l),
    }
}

/// The form's field values for a stored location (edit form) or empty (new form).
pub fn location_values(l: Option<&Location>) -> FormData {
    let Some(l) = l else {
        return FormData(vec![
            ("toilets".into(), "1".into()),
            ("showers".into(), "1".into()),
            ("kitchens".into(), "1".into()),
        ]);
    };
    let mut v = vec![
        ("postcode".into(), l.address.postcode.display()),
        ("house_number".into(), l.address.house_number.to_string()),
        ("house_letter".into(), l.address.house_letter.clone().unwrap_or_default()),
        ("house_addition".into(), l.address.house_addition.clone().unwrap_or_default()),
        ("street".into(), l.address.street.clone()),
        ("place".into(), l.address.place.clone()),
        ("municipality_code".into(), l.municipality_code.clone()),
        ("bag_vbo_id".into(), l.bag_vbo_id.clone().unwrap_or_default()),
        ("housing_form".into(), l.housing_form.as_str().into()),
        ("floor_area_m2".into(), l.floor_area_m2.to_string()),
        ("legal_status".into(), l.legal_status.as_str().into()),
        ("stay_type".into(), l.stay_type.as_str().into()),
        ("operator_id".into(), l.operator_id.map(|o| o.to_string()).unwrap_or_default()),
        ("toilets".into(), l.facilities.toilets.to_string()),
        ("showers".into(), l.facilities.showers.to_string()),
        ("kitchens".into(), l.facilities.kitchens.to_string()),
        ("washing_machines".into(), l.facilities.washing_machines.to_string()),
        ("in_use_since".into(), l.in_use_since.map(|d| d.to_string()).unwrap_or_default()),
        ("version".into(), l.version.to_string()),
    ];
    for (name, on) in [
        ("zoned_residential", l.zoned_residential),
        ("new_build", l.new_build),
        ("conversion_permit", l.conversion_permit),
        ("bedroom_sharing_agreed", l.bedroom_sharing_agreed),
        ("first_responsible", l.first_responsible),
    ] {
        if on {
            v.push((name.into(), "on".into()));
        }
    }
    if let Some(p) = l.position {
        v.push(("rd_x".into(), format!("{:.0}", p.rd.x)));
        v.push(("rd_y".into(), format!("{:.0}", p.rd.y)));
    }
    FormData(v)
}

/// Which form field shows an API field's error: `address.postcode` → `postcode`.
pub fn form_field(api_field: &str) -> &str {
    let f = api_field.strip_prefix("address.").unwrap_or(api_field);
    let f = f.strip_prefix("facilities.").unwrap_or(f);
    match f {
        "address" => "postcode",
        "position" => "rd_x",
        _ => f,
    }
}
