//! The CSV format for importing and exporting locations, as used by
//! `flexwonen import locations FILE.csv` and `flexwonen export locations`.
//!
//! [`parse`] reads a file and checks every row, collecting every problem with its line number;
//! [`write()`] writes locations in the same format, so an export can be imported again. This
//! module does no I/O of its own: it reads bytes and writes to any [`std::io::Write`].
//!
//! # The file
//!
//! - Encoding UTF-8. A UTF-8 byte order mark (BOM), as Excel writes with "CSV UTF-8", is
//!   accepted and skipped. Export writes no BOM.
//! - Fields are separated by commas (`,`). A value that contains a comma, a double quote or a
//!   line break is put between double quotes, with a double quote inside written twice
//!   (`"Kamer 1, boven"`), as usual for CSV.
//! - The first line is the header. It must name exactly the columns below, in this order
//!   (spaces around names and upper or lower case do not matter):
//!
//!   `postcode,house_number,house_letter,house_addition,street,place,municipality_code,bag_vbo_id,housing_form,zoned_residential,floor_area_m2,legal_status,stay_type,operator_kvk,toilets,showers,kitchens,washing_machines,rd_x,rd_y,rooms,new_build,in_use_since,conversion_permit,bedroom_sharing_agreed,first_responsible`
//!
//!   The last five columns (`new_build` to `first_responsible`) may be left out together, as
//!   in files made before they existed: every location of such a file gets `nee` and an
//!   empty `in_use_since`. Export always writes all columns.
//! - Every further line is one location. Lines that are empty, or whose cells are all empty
//!   (as spreadsheets sometimes leave at the end), are skipped. Spaces around a value are
//!   ignored.
//! - Numbers use a point as decimal separator (`14.5`, not `14,5`) and have no thousands
//!   separator.
//! - Each address may appear only once in a file (house letter and addition compare without
//!   case, so `12a` and `12A` are the same address).
//!
//! # Columns
//!
//! | Column | Required | Format | Example |
//! |---|---|---|---|
//! | `postcode` | yes | Dutch postcode: four digits (not starting with 0) and two letters, with or without a space | `2691 AB` |
//! | `house_number` | yes | whole number from 1 to 99999 | `12` |
//! | `house_letter` | no | one letter a–z | `a` |
//! | `house_addition` | no | one to four letters or digits | `bis` |
//! | `street` | yes | text, at most 200 characters | `Naaldwijkseweg` |
//! | `place` | yes | text, at most 200 characters | `'s-Gravenzande` |
//! | `municipality_code` | yes | CBS municipality code: `GM` and four digits | `GM1783` |
//! | `bag_vbo_id` | no | BAG verblijfsobject id: 16 digits, the first four being the municipality's (format the column as text in a spreadsheet, so leading zeros stay) | `1783010000012345` |
//! | `housing_form` | yes | SNF housing form: `a` regular dwelling, `b` hotel/pension, `c` units in a building, `d` residential units, `e` recreation park | `a` |
//! | `zoned_residential` | yes | whether the zoning plan allows living there: `ja`/`nee`, `true`/`false` or `1`/`0` | `ja` |
//! | `floor_area_m2` | yes | usable floor area in m², more than 0 | `120` |
//! | `legal_status` | yes | `planned`, `permitted`, `in_use`, `tolerated`, `illegal` or `closed` | `in_use` |
//! | `stay_type` | yes | `short` (up to 12 months), `mid` or `long` | `short` |
//! | `operator_kvk` | no | the operator's KvK number: exactly 8 digits; the organisation must be known to the register | `40409352` |
//! | `toilets` | yes | whole number from 0 to 10000 | `2` |
//! | `showers` | yes | whole number from 0 to 10000 | `2` |
//! | `kitchens` | yes | whole number from 0 to 10000 | `1` |
//! | `washing_machines` | yes | whole number from 0 to 10000 | `1` |
//! | `rd_x` | no, but both or neither | RD New (EPSG:28992) x in metres | `81200` |
//! | `rd_y` | no, but both or neither | RD New (EPSG:28992) y in metres | `455400.5` |
//! | `rooms` | no | the rooms and their beds, see below | `Kamer 1:14.5:2;Kamer 2:9:1` |
//! | `new_build` | no (empty is `nee`) | built or converted as new-build housing: `ja`/`nee`, `true`/`false` or `1`/`0` | `nee` |
//! | `in_use_since` | no | the date the location was first taken into use as housing: `YYYY-MM-DD`, not before 1900 | `2016-04-01` |
//! | `conversion_permit` | no (empty is `nee`) | the location holds a conversion permit (omzettingsvergunning): `ja`/`nee` | `ja` |
//! | `bedroom_sharing_agreed` | no (empty is `nee`) | the residents agreed in writing to share a bedroom by two: `ja`/`nee` | `nee` |
//! | `first_responsible` | no (empty is `nee`) | the operator is the first responsible party (eerstverantwoordelijke) for the location under its certificate: `ja`/`nee` | `ja` |
//!
//! # Rooms and beds
//!
//! The `rooms` cell lists the rooms separated by `;`. Each room is `name:area_m2:beds`:
//!
//! | Part | Format | Example |
//! |---|---|---|
//! | `name` | text; may not contain `:` or `;` | `Kamer 1` |
//! | `area_m2` | the room's area in m², more than 0, point as decimal separator | `14.5` |
//! | `beds` | either a number of beds, or a list of bed labels separated by `\|` | `2` or `1A\|1B` |
//!
//! - A number `N` (0 to 100) gives `N` beds in service, labelled with the room's position in
//!   the cell (1 for the first room) and a letter: room 1 gets `1A`, `1B`, …, `1Z`, and after
//!   `Z` the labels go on with numbers: `1-27`, `1-28`, ….
//! - In a list, a label followed by `!` and a reason is a bed out of service, e.g.
//!   `1B!matras kapot`. Labels may not contain `:`, `;`, `|` or `!`; reasons may not contain
//!   `:`, `;` or `|`. Labels are unique within a room, without case.
//! - A list of one bed whose label looks like a number is written with a closing `|`
//!   (`7|`), which tells it from a number of beds.
//!
//! Example: `Kamer 1:14.5:1A|1B!matras kapot;Kamer 2:9:1` is a room "Kamer 1" of 14.5 m²
//! with bed 1A in service and bed 1B out of service, and a room "Kamer 2" of 9 m² with one
//! bed, 2A.
//!
//! Export writes a room's beds as a number when they are all in service and carry exactly
//! the labels that number would give, and as a list otherwise. Should a stored name, label
//! or reason contain a character this format reserves, export replaces it (`:` by `.`, `;`
//! by `,`, `|` by `/`, `!` in a label by `.`), so the file still imports.
//!
//! # Errors
//!
//! [`parse`] reports every problem in the file, each as a [`RowError`] with the line number
//! (line 1 is the header), the column and a message that says what is wrong and what is
//! expected, e.g. `line 7, house_number: '12a' is not a whole number; …`. A wrong header is
//! one error on line 1 and stops the check. An error about the whole line (a wrong number of
//! columns) has an empty column. The file is imported only when it has no errors at all.

use crate::address::{Address, Postcode, parse_house_addition, parse_house_letter, parse_house_number};
use crate::error::FieldError;
use crate::geo::{PositionInput, RdPoint};
use crate::ids::KvkNumber;
use crate::register::{
    AddressInput, BedInput, Facilities, HousingForm, LegalStatus, LocationInput, MAX_BEDS_PER_ROOM, RoomInput, StayType,
};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// The columns of the file, in order.
pub const HEADER: &[&str] = &[
    "postcode",
    "house_number",
    "house_letter",
    "house_addition",
    "street",
    "place",
    "municipality_code",
    "bag_vbo_id",
    "housing_form",
    "zoned_residential",
    "floor_area_m2",
    "legal_status",
    "stay_type",
    "operator_kvk",
    "toilets",
    "showers",
    "kitchens",
    "washing_machines",
    "rd_x",
    "rd_y",
    "rooms",
    "new_build",
    "in_use_since",
    "conversion_permit",
    "bedroom_sharing_agreed",
    "first_responsible",
];

const COLUMNS: usize = 26;
const _: () = assert!(HEADER.len() == COLUMNS);
/// The columns of files made before the last five existed; those five may be left out.
const REQUIRED_COLUMNS: usize = 21;

/// One good row of an import file.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRow {
    /// The line the row starts on (line 1 is the header).
    pub line: usize,
    /// The location, which passed [`LocationInput::validate`]. `operator_id` is `None`: the
    /// caller resolves `operator_kvk` to an organisation and fills it in.
    pub input: LocationInput,
    pub operator_kvk: Option<KvkNumber>,
}

/// A problem in an import file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    /// The line the problem is on (line 1 is the header).
    pub line: usize,
    /// The column, one of [`HEADER`]; `header` for a problem with the header, empty for a
    /// problem with the line as a whole.
    pub field: String,
    /// Plain English: what is wrong and what is expected.
    pub message: String,
}

impl RowError {
    pub(crate) fn new(line: usize, field: &str, message: impl Into<String>) -> Self {
        Self { line, field: field.to_string(), message: message.into() }
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "line {}: {}", self.line, self.message)
        } else {
            write!(f, "line {}, {}: {}", self.line, self.field, self.message)
        }
    }
}

impl std::error::Error for RowError {}

/// Parses and validates every row: the CSV structure and [`LocationInput::validate`].
///
/// Returns all rows when the whole file is good, and otherwise every problem found, in line
/// order. See the [module documentation](self) for the format.
pub fn parse(bytes: &[u8]) -> Result<Vec<CsvRow>, Vec<RowError>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => {
            return Err(vec![RowError::new(
                1,
                "header",
                format!("the file is empty; its first line must be the header: {}", HEADER.join(",")),
            )]);
        }
        Err(e) => return Err(vec![csv_error(&e, 1)]),
    }
    let header_line = line_of(&record, bytes, 1);
    let width = match check_header(&record) {
        Ok(width) => width,
        Err(message) => return Err(vec![RowError::new(header_line, "header", message)]),
    };

    let mut rows = Vec::new();
    let mut errors = Vec::new();
    // Address key → the line it first appears on.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut last_line = header_line;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                errors.push(csv_error(&e, last_line + 1));
                break;
            }
        }
        let line = line_of(&record, bytes, last_line + 1);
        last_line = line;
        let before = errors.len();
        let Some((row, address)) = parse_row(line, &record, width, &mut errors) else {
            continue;
        };
        if let Some(address) = address {
            if let Some(first) = seen.get(&address.key()) {
                errors.push(RowError::new(
                    line,
                    "postcode",
                    format!(
                        "the address {} is already on line {first}; each address may appear only once in the file",
                        address.one_line()
                    ),
                ));
            } else {
                seen.insert(address.key(), line);
            }
        }
        if let Some(row) = row
            && errors.len() == before
        {
            rows.push(row);
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        // In line order, and within a line in column order.
        errors.sort_by_key(|e| {
            let column = HEADER.iter().position(|h| *h == e.field).unwrap_or(0);
            (e.line, column)
        });
        Err(errors)
    }
}

/// The line a record starts on. The CSV reader gives the position where it began reading
/// the record, before it skipped any empty lines, so those are counted here.
fn line_of(record: &csv::ByteRecord, bytes: &[u8], fallback: usize) -> usize {
    let Some(pos) = record.position() else {
        return fallback;
    };
    let skipped = usize::try_from(pos.byte())
        .ok()
        .and_then(|start| bytes.get(start..))
        .unwrap_or_default()
        .iter()
        .take_while(|b| matches!(b, b'\n' | b'\r'))
        .filter(|b| **b == b'\n')
        .count();
    usize::try_from(pos.line()).map_or(fallback, |line| line + skipped)
}

fn csv_error(e: &csv::Error, fallback: usize) -> RowError {
    let line = e.position().and_then(|p| usize::try_from(p.line()).ok()).unwrap_or(fallback);
    RowError::new(line, "", format!("the file cannot be read as CSV: {e}"))
}

/// Checks the header; gives the number of columns of the file: all, or all but the optional
/// last ones.
fn check_header(record: &csv::ByteRecord) -> Result<usize, String> {
    let expected = format!(
        "the first line must be exactly: {} (the last {} columns may be left out together)",
        HEADER.join(","),
        COLUMNS - REQUIRED_COLUMNS
    );
    let mut names = Vec::new();
    for field in record {
        match std::str::from_utf8(field) {
            Ok(s) => names.push(s.trim().to_lowercase()),
            Err(_) => {
                return Err(format!(
                    "the header is not valid UTF-8 (save the file as UTF-8, in Excel \"CSV UTF-8\"); {expected}"
                ));
            }
        }
    }
    for width in [COLUMNS, REQUIRED_COLUMNS] {
        if names.iter().map(String::as_str).eq(HEADER[..width].iter().copied()) {
            return Ok(width);
        }
    }
    let mut problems = Vec::new();
    // The optional columns are missing only when some of them are given.
    let optional_given = HEADER[REQUIRED_COLUMNS..].iter().any(|h| names.iter().any(|n| n == h));
    let wanted = if optional_given { HEADER } else { &HEADER[..REQUIRED_COLUMNS] };
    let missing: Vec<&str> = wanted.iter().copied().filter(|h| !names.iter().any(|n| n == h)).collect();
    if !missing.is_empty() {
        problems.push(format!("missing column(s) {}", missing.join(", ")));
    }
    let unknown: Vec<&str> = names.iter().map(String::as_str).filter(|n| !HEADER.contains(n)).collect();
    if !unknown.is_empty() {
        let shown: Vec<String> =
            unknown.iter().map(|n| if n.is_empty() { "(empty)".to_string() } else { format!("'{n}'") }).collect();
        problems.push(format!("unknown column(s) {}", shown.join(", ")));
    }
    let mut once = HashSet::new();
    let mut twice: Vec<&str> =
        names.iter().map(String::as_str).filter(|n| HEADER.contains(n) && !once.insert(*n)).collect();
    twice.dedup();
    if !twice.is_empty() {
        problems.push(format!("column(s) given twice: {}", twice.join(", ")));
    }
    if problems.is_empty() {
        problems.push("the columns are in the wrong order".to_string());
    }
    Err(format!("the header is wrong: {}; {expected}", problems.join("; ")))
}

/// Collects the errors of one row.
struct Errs<'a> {
    line: usize,
    list: &'a mut Vec<RowError>,
    /// Columns that already have an error from parsing, so validation does not repeat it.
    failed: HashSet<&'static str>,
}

impl Errs<'_> {
    fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.failed.insert(field);
        self.list.push(RowError::new(self.line, field, message));
    }

    fn check<T>(&mut self, field: &'static str, r: Result<T, String>) -> Option<T> {
        r.map_err(|m| self.add(field, m)).ok()
    }
}

/// Parses one line. Returns `None` for a line that is skipped or cannot be read at all;
/// otherwise the row if it is good, and the address if its parts are good (for the check for
/// duplicates).
/// `width` is the number of columns the header names; the columns it leaves out are read as
/// empty.
fn parse_row(
    line: usize,
    record: &csv::ByteRecord,
    width: usize,
    errors: &mut Vec<RowError>,
) -> Option<(Option<CsvRow>, Option<Address>)> {
    if record.iter().all(|f| f.trim_ascii().is_empty()) {
        return None;
    }
    if record.len() != width {
        errors.push(RowError::new(
            line,
            "",
            format!(
                "the line has {} columns but the header has {width}; put a value that contains a comma between double quotes",
                record.len()
            ),
        ));
        return None;
    }
    let mut cells = Vec::with_capacity(COLUMNS);
    for (i, field) in record.iter().enumerate() {
        match std::str::from_utf8(field) {
            Ok(s) => cells.push(s.trim()),
            Err(e) => {
                errors.push(RowError::new(
                    line,
                    HEADER[i],
                    format!(
                        "the line is not valid UTF-8 (the value has an invalid byte at position {}); save the file as UTF-8, in Excel \"CSV UTF-8\"",
                        e.valid_up_to() + 1
                    ),
                ));
                return None;
            }
        }
    }
    cells.resize(COLUMNS, "");
    let [
        postcode,
        house_number,
        house_letter,
        house_addition,
        street,
        place,
        municipality_code,
        bag_vbo_id,
        housing_form,
        zoned_residential,
        floor_area_m2,
        legal_status,
        stay_type,
        operator_kvk,
        toilets,
        showers,
        kitchens,
        washing_machines,
        rd_x,
        rd_y,
        rooms,
        new_build,
        in_use_since,
        conversion_permit,
        bedroom_sharing_agreed,
        first_responsible,
    ]: [&str; COLUMNS] = std::array::from_fn(|i| cells[i]);

    let start = errors.len();
    let mut e = Errs { line, list: errors, failed: HashSet::new() };
    let house_number_value = e.check(
        "house_number",
        integer(house_number).map_err(|m| {
            if house_number.starts_with(|c: char| c.is_ascii_digit()) {
                format!("{m}; put a house letter in house_letter and an addition in house_addition")
            } else {
                m
            }
        }),
    );
    let zoned = e.check("zoned_residential", yes_no(zoned_residential));
    let floor_area = e.check("floor_area_m2", number(floor_area_m2));
    let operator = match operator_kvk {
        "" => None,
        k => e.check("operator_kvk", KvkNumber::parse(k).map_err(|(_, m)| leading_zero_hint(m, k, 8))),
    };
    let mut count = |field: &'static str, s: &str| e.check(field, integer(s)).unwrap_or(0);
    let facilities = Facilities {
        toilets: count("toilets", toilets),
        showers: count("showers", showers),
        kitchens: count("kitchens", kitchens),
        washing_machines: count("washing_machines", washing_machines),
    };
    let position = match (rd_x, rd_y) {
        ("", "") => None,
        (x, "") => {
            e.add("rd_y", format!("rd_x is {x} but rd_y is empty; give both rd_x and rd_y, or neither"));
            None
        }
        ("", y) => {
            e.add("rd_x", format!("rd_y is {y} but rd_x is empty; give both rd_x and rd_y, or neither"));
            None
        }
        (x, y) => {
            let x = e.check("rd_x", number(x));
            let y = e.check("rd_y", number(y));
            x.zip(y).map(|(x, y)| PositionInput::Rd(RdPoint { x, y }))
        }
    };
    let rooms = parse_rooms(rooms, &mut e).unwrap_or_default();
    let mut flag = |field: &'static str, s: &str| e.check(field, optional_yes_no(s)).unwrap_or(false);
    let new_build = flag("new_build", new_build);
    let conversion_permit = flag("conversion_permit", conversion_permit);
    let bedroom_sharing_agreed = flag("bedroom_sharing_agreed", bedroom_sharing_agreed);
    let first_responsible = flag("first_responsible", first_responsible);

    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let input = LocationInput {
        address: AddressInput {
            postcode: postcode.to_string(),
            house_number: house_number_value.unwrap_or(0),
            house_letter: opt(house_letter),
            house_addition: opt(house_addition),
            street: street.to_string(),
            place: place.to_string(),
        },
        municipality_code: municipality_code.to_string(),
        bag_vbo_id: opt(bag_vbo_id),
        housing_form: housing_form.to_string(),
        zoned_residential: zoned.unwrap_or(false),
        floor_area_m2: floor_area.unwrap_or(0.0),
        legal_status: legal_status.to_string(),
        stay_type: stay_type.to_string(),
        operator_id: None,
        facilities,
        position,
        new_build,
        in_use_since: opt(in_use_since),
        conversion_permit,
        bedroom_sharing_agreed,
        first_responsible,
        rooms,
    };
    if let Err(field_errors) = input.validate() {
        for fe in &field_errors.0 {
            let (field, message) = describe(fe, &input);
            if !e.failed.contains(field) {
                e.list.push(RowError::new(line, field, message));
            }
        }
    }
    let ok = e.list.len() == start;

    let address = match (
        Postcode::parse(postcode),
        house_number_value.map(parse_house_number),
        parse_house_letter(house_letter),
        parse_house_addition(house_addition),
    ) {
        (Ok(postcode), Some(Ok(house_number)), Ok(house_letter), Ok(house_addition)) => Some(Address {
            postcode,
            house_number,
            house_letter,
            house_addition,
            street: street.to_string(),
            place: place.to_string(),
        }),
        _ => None,
    };
    let row = ok.then_some(CsvRow { line, input, operator_kvk: operator });
    Some((row, address))
}

/// Maps an error of [`LocationInput::validate`] to its column, with a message for a reader
/// of the file.
fn describe(fe: &FieldError, input: &LocationInput) -> (&'static str, String) {
    let path = fe.field.as_str();
    let message = fe.message.clone();
    if let Some(rest) = path.strip_prefix("rooms") {
        return ("rooms", describe_room_error(rest, &message, input));
    }
    if path == "position" {
        let at = match input.position {
            Some(PositionInput::Rd(p)) => format!(" (rd_x {}, rd_y {})", p.x, p.y),
            _ => String::new(),
        };
        return (
            "rd_x",
            format!("{message}{at}; rd_x and rd_y are RD New coordinates in metres, e.g. 81200 and 455400 in Den Haag"),
        );
    }
    let name = path.strip_prefix("address.").or_else(|| path.strip_prefix("facilities.")).unwrap_or(path);
    match HEADER.iter().find(|h| **h == name) {
        Some(&"bag_vbo_id") => {
            let id = input.bag_vbo_id.as_deref().unwrap_or("");
            ("bag_vbo_id", leading_zero_hint(message, id, 16))
        }
        Some(&column) => (column, message),
        None => ("", format!("{path}: {message}")),
    }
}

/// `rest` is what follows `rooms` in the path: empty, or `[i].name`, `[i].beds[j].label`, …
fn describe_room_error(rest: &str, message: &str, input: &LocationInput) -> String {
    let Some((i, rest)) = index(rest) else {
        return message.to_string();
    };
    let room = input.rooms.get(i);
    let named = |what: &str, name: Option<&str>| match name.filter(|n| !n.is_empty()) {
        Some(n) => format!("{what} \"{n}\""),
        None => what.to_string(),
    };
    let room_part = named(&format!("room {}", i + 1), room.map(|r| r.name.as_str()));
    let (subject, what) = match rest.strip_prefix(".beds") {
        Some(beds) => match index(beds) {
            Some((j, field)) => {
                let bed = room.and_then(|r| r.beds.get(j));
                let bed_part = named(&format!("bed {}", j + 1), bed.map(|b| b.label.as_str()));
                (format!("{room_part}, {bed_part}"), field)
            }
            None => (room_part, ".beds"),
        },
        None => (room_part, rest),
    };
    let what = match what {
        ".name" => " name",
        ".area_m2" => " area",
        ".beds" => " beds",
        ".label" => " label",
        ".out_of_service_reason" => " out-of-service reason",
        _ => "",
    };
    format!("{subject}{what}: {message}")
}

/// Splits `[12].rest` into `(12, ".rest")`.
fn index(s: &str) -> Option<(usize, &str)> {
    let (i, rest) = s.strip_prefix('[')?.split_once(']')?;
    Some((i.parse().ok()?, rest))
}

fn leading_zero_hint(message: String, value: &str, digits: usize) -> String {
    let v = value.trim();
    if !v.is_empty() && v.len() < digits && v.bytes().all(|b| b.is_ascii_digit()) {
        format!("{message} (a spreadsheet may have dropped leading zeros: format the column as text)")
    } else {
        message
    }
}

fn integer(s: &str) -> Result<i64, String> {
    if s.is_empty() {
        return Err("this field is required: a whole number, e.g. 12".into());
    }
    let digits = s.strip_prefix('-').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("'{s}' is not a whole number; expected digits only, e.g. 12"));
    }
    s.parse().map_err(|_| format!("'{s}' is too large a number"))
}

fn number(s: &str) -> Result<f64, String> {
    if s.is_empty() {
        return Err("this field is required: a number with a point as decimal separator, e.g. 14.5".into());
    }
    if s.contains(',') {
        return Err(format!(
            "'{s}' has a comma; use a point as decimal separator and no thousands separator, e.g. 14.5"
        ));
    }
    let unsigned = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, "0"));
    let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if !(digits(whole) && digits(fraction)) {
        return Err(format!("'{s}' is not a number; expected digits with a point as decimal separator, e.g. 14.5"));
    }
    s.parse().map_err(|_| format!("'{s}' is not a number; expected e.g. 14.5"))
}

/// A yes or no that may be left empty, meaning no.
fn optional_yes_no(s: &str) -> Result<bool, String> {
    if s.is_empty() { Ok(false) } else { yes_no(s) }
}

fn yes_no(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "ja" | "true" | "1" => Ok(true),
        "nee" | "false" | "0" => Ok(false),
        "" => Err("this field is required: ja or nee (or true/false, 1/0)".into()),
        _ => Err(format!("'{s}' is not a yes or no; expected ja or nee (or true/false, 1/0)")),
    }
}

const ROOM_FORMAT: &str = "expected name:area_m2:beds, e.g. Kamer 1:14.5:2 or Kamer 1:14.5:1A|1B!matras kapot";

/// Parses the `rooms` cell; `None` when any room is malformed (the errors are recorded).
fn parse_rooms(cell: &str, e: &mut Errs<'_>) -> Option<Vec<RoomInput>> {
    let mut rooms = Vec::new();
    let mut ok = true;
    for (i, room) in cell.split(';').map(str::trim).filter(|r| !r.is_empty()).enumerate() {
        match parse_room(i + 1, room) {
            Ok(r) => rooms.push(r),
            Err(messages) => {
                ok = false;
                for m in messages {
                    e.add("rooms", m);
                }
            }
        }
    }
    ok.then_some(rooms)
}

fn parse_room(n: usize, text: &str) -> Result<RoomInput, Vec<String>> {
    let parts: Vec<&str> = text.split(':').map(str::trim).collect();
    let [name, area, beds] = parts[..] else {
        let problem = if parts.len() < 3 {
            format!("has {} part(s) instead of 3", parts.len())
        } else {
            format!(
                "has {} parts separated by ':' instead of 3 (names, labels and reasons may not contain ':' or ';')",
                parts.len()
            )
        };
        return Err(vec![format!("room {n} '{text}' {problem}; {ROOM_FORMAT}")]);
    };
    let mut errors = Vec::new();
    let area_m2 = number(area).map_err(|m| errors.push(format!("room {n} '{name}', area: {m}"))).unwrap_or(0.0);
    let beds =
        parse_beds(n, beds).map_err(|m| errors.push(format!("room {n} '{name}', beds: {m}"))).unwrap_or_default();
    if errors.is_empty() { Ok(RoomInput { id: None, name: name.to_string(), area_m2, beds }) } else { Err(errors) }
}

/// Whether a bed list of one label would be read as a number of beds.
fn looks_like_count(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b'-' | b'+'))
}

fn parse_beds(room: usize, s: &str) -> Result<Vec<BedInput>, String> {
    if s.is_empty() {
        return Err(
            "no beds given; write a number of beds (0 for none) or bed labels separated by |, e.g. 2 or 1A|1B".into()
        );
    }
    if looks_like_count(s) {
        let n: usize = match s.parse() {
            Ok(n) if n <= MAX_BEDS_PER_ROOM => n,
            _ => {
                return Err(format!(
                    "'{s}' is not a number of beds; expected a whole number from 0 to {MAX_BEDS_PER_ROOM}, or bed labels separated by |"
                ));
            }
        };
        return Ok((0..n)
            .map(|k| BedInput { id: None, label: bed_label(room, k), in_service: true, out_of_service_reason: None })
            .collect());
    }
    let mut items: Vec<&str> = s.split('|').map(str::trim).collect();
    if items.len() > 1 && items.last() == Some(&"") {
        items.pop();
    }
    let mut beds = Vec::with_capacity(items.len());
    for (k, item) in items.into_iter().enumerate() {
        let (label, reason) = match item.split_once('!') {
            Some((l, r)) => (l.trim(), Some(r.trim())),
            None => (item, None),
        };
        if label.is_empty() {
            return Err(format!("bed {} has no label; expected labels separated by |, e.g. 1A|1B!matras kapot", k + 1));
        }
        if reason == Some("") {
            return Err(format!(
                "bed '{label}' is marked out of service with '!' but has no reason; write e.g. {label}!matras kapot"
            ));
        }
        beds.push(BedInput {
            id: None,
            label: label.to_string(),
            in_service: reason.is_none(),
            out_of_service_reason: reason.map(str::to_string),
        });
    }
    Ok(beds)
}

/// The label of bed `k` (from 0) in room `room` (from 1): `1A` … `1Z`, then `1-27`, ….
pub fn bed_label(room: usize, k: usize) -> String {
    match u8::try_from(k) {
        Ok(k @ 0..26) => format!("{room}{}", char::from(b'A' + k)),
        _ => format!("{room}-{}", k + 1),
    }
}

/// One location to export, borrowing from wherever the caller keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow<'a> {
    pub address: &'a Address,
    pub municipality_code: &'a str,
    pub bag_vbo_id: Option<&'a str>,
    pub housing_form: HousingForm,
    pub zoned_residential: bool,
    pub floor_area_m2: f64,
    pub legal_status: LegalStatus,
    pub stay_type: StayType,
    /// The operator's KvK number, if it has an operator with one.
    pub operator_kvk: Option<&'a str>,
    pub facilities: Facilities,
    /// RD New metres.
    pub position: Option<RdPoint>,
    pub new_build: bool,
    pub in_use_since: Option<NaiveDate>,
    pub conversion_permit: bool,
    pub bedroom_sharing_agreed: bool,
    pub first_responsible: bool,
    pub rooms: Vec<ExportRoom<'a>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExportRoom<'a> {
    pub name: &'a str,
    pub area_m2: f64,
    pub beds: Vec<ExportBed<'a>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExportBed<'a> {
    pub label: &'a str,
    /// `None` when in service; the reason when out of service.
    pub out_of_service_reason: Option<&'a str>,
}

/// Writes the header and one line per location, in the format [`parse`] reads.
pub fn write<'a, W: std::io::Write>(w: W, rows: impl IntoIterator<Item = ExportRow<'a>>) -> Result<(), csv::Error> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(HEADER)?;
    for row in rows {
        out.write_record(row.record())?;
    }
    out.flush()?;
    Ok(())
}

impl ExportRow<'_> {
    fn record(&self) -> [String; COLUMNS] {
        let a = self.address;
        let f = &self.facilities;
        let opt = |s: Option<&str>| s.unwrap_or("").to_string();
        let yes_no = |b: bool| if b { "ja" } else { "nee" }.to_string();
        [
            a.postcode.display(),
            a.house_number.to_string(),
            opt(a.house_letter.as_deref()),
            opt(a.house_addition.as_deref()),
            a.street.clone(),
            a.place.clone(),
            self.municipality_code.to_string(),
            opt(self.bag_vbo_id),
            self.housing_form.as_str().to_string(),
            yes_no(self.zoned_residential),
            self.floor_area_m2.to_string(),
            self.legal_status.as_str().to_string(),
            self.stay_type.as_str().to_string(),
            opt(self.operator_kvk),
            f.toilets.to_string(),
            f.showers.to_string(),
            f.kitchens.to_string(),
            f.washing_machines.to_string(),
            self.position.map(|p| p.x.to_string()).unwrap_or_default(),
            self.position.map(|p| p.y.to_string()).unwrap_or_default(),
            format_rooms(&self.rooms),
            yes_no(self.new_build),
            self.in_use_since.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            yes_no(self.conversion_permit),
            yes_no(self.bedroom_sharing_agreed),
            yes_no(self.first_responsible),
        ]
    }
}

/// Replaces the characters the rooms cell reserves.
fn clean(s: &str, reserved: &[char]) -> String {
    s.chars()
        .map(|c| match c {
            c if !reserved.contains(&c) => c,
            ';' => ',',
            '|' => '/',
            _ => '.',
        })
        .collect()
}

fn format_rooms(rooms: &[ExportRoom<'_>]) -> String {
    rooms
        .iter()
        .enumerate()
        .map(|(i, r)| format!("{}:{}:{}", clean(r.name, &[':', ';']), r.area_m2, format_beds(i + 1, &r.beds)))
        .collect::<Vec<_>>()
        .join(";")
}

fn format_beds(room: usize, beds: &[ExportBed<'_>]) -> String {
    let numbered =
        beds.iter().enumerate().all(|(k, b)| b.out_of_service_reason.is_none() && b.label == bed_label(room, k));
    if numbered {
        return beds.len().to_string();
    }
    let mut list = beds
        .iter()
        .map(|b| {
            let mut s = clean(b.label, &[':', ';', '|', '!']);
            if let Some(reason) = b.out_of_service_reason {
                s.push('!');
                s.push_str(&clean(reason, &[':', ';', '|']));
            }
            s
        })
        .collect::<Vec<_>>()
        .join("|");
    if beds.len() == 1 && looks_like_count(&list) {
        list.push('|');
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::LocationDraft;

    const HEADER_LINE: &str = "postcode,house_number,house_letter,house_addition,street,place,municipality_code,bag_vbo_id,housing_form,zoned_residential,floor_area_m2,legal_status,stay_type,operator_kvk,toilets,showers,kitchens,washing_machines,rd_x,rd_y,rooms,new_build,in_use_since,conversion_permit,bedroom_sharing_agreed,first_responsible";
    /// The header before the norm facts were added.
    const OLD_HEADER_LINE: &str = "postcode,house_number,house_letter,house_addition,street,place,municipality_code,bag_vbo_id,housing_form,zoned_residential,floor_area_m2,legal_status,stay_type,operator_kvk,toilets,showers,kitchens,washing_machines,rd_x,rd_y,rooms";

    fn good_line(n: i64) -> String {
        format!("{},nee,2016-04-01,ja,nee,ja", old_line(n))
    }

    /// A good line of a file with the old header.
    fn old_line(n: i64) -> String {
        format!(
            "2691 AB,{n},a,,Naaldwijkseweg,'s-Gravenzande,GM1783,,a,ja,120,in_use,short,40409352,2,2,1,1,,,Kamer 1:14.5:1A|1B!matras kapot;Kamer 2:9:1"
        )
    }

    fn file(lines: &[&str]) -> Vec<u8> {
        let mut s = String::from(HEADER_LINE);
        for l in lines {
            s.push('\n');
            s.push_str(l);
        }
        s.push('\n');
        s.into_bytes()
    }

    fn errors(bytes: &[u8]) -> Vec<RowError> {
        parse(bytes).expect_err("the file should be refused")
    }

    fn export_row<'a>(d: &'a LocationDraft, kvk: Option<&'a str>) -> ExportRow<'a> {
        ExportRow {
            address: &d.address,
            municipality_code: d.municipality.as_str(),
            bag_vbo_id: d.bag_vbo_id.as_ref().map(|b| b.as_str()),
            housing_form: d.housing_form,
            zoned_residential: d.zoned_residential,
            floor_area_m2: d.floor_area_m2,
            legal_status: d.legal_status,
            stay_type: d.stay_type,
            operator_kvk: kvk,
            facilities: d.facilities,
            position: d.position,
            new_build: d.new_build,
            in_use_since: d.in_use_since,
            conversion_permit: d.conversion_permit,
            bedroom_sharing_agreed: d.bedroom_sharing_agreed,
            first_responsible: d.first_responsible,
            rooms: d
                .rooms
                .iter()
                .map(|r| ExportRoom {
                    name: &r.name,
                    area_m2: r.area_m2,
                    beds: r
                        .beds
                        .iter()
                        .map(|b| ExportBed {
                            label: &b.label,
                            out_of_service_reason: b.out_of_service_reason.as_deref(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn header_constant_matches_the_documented_line() {
        assert_eq!(HEADER.join(","), HEADER_LINE);
    }

    #[test]
    fn a_good_file_with_a_bom_parses() {
        let mut bytes = b"\xEF\xBB\xBF".to_vec();
        bytes.extend(file(&[
            &good_line(12),
            "",
            "1011 ZZ,3,,bis,Laan,Amsterdam,GM0363,0363010000000001,c,0,55.5,tolerated,mid,,1,1,1,0,121000.5,487000,,,,,,",
            ",,,,,,,,,,,,,,,,,,,,,,,,,",
        ]));
        let rows = parse(&bytes).unwrap();
        assert_eq!(rows.len(), 2);
        let first = &rows[0];
        assert_eq!(first.line, 2);
        assert_eq!(first.operator_kvk.as_ref().unwrap().as_str(), "40409352");
        let i = &first.input;
        assert_eq!(i.address.postcode, "2691 AB");
        assert_eq!(i.address.house_letter.as_deref(), Some("a"));
        assert_eq!(i.address.house_addition, None);
        assert!(i.zoned_residential);
        assert_eq!(i.operator_id, None);
        let beds: Vec<_> = i.rooms.iter().flat_map(|r| &r.beds).map(|b| (b.label.as_str(), b.in_service)).collect();
        assert_eq!(beds, [("1A", true), ("1B", false), ("2A", true)]);
        assert_eq!(i.rooms[0].area_m2, 14.5);
        assert_eq!(
            (
                i.new_build,
                i.in_use_since.as_deref(),
                i.conversion_permit,
                i.bedroom_sharing_agreed,
                i.first_responsible
            ),
            (false, Some("2016-04-01"), true, false, true)
        );

        let second = &rows[1];
        assert_eq!(second.line, 4, "the empty line 3 still counts");
        assert_eq!(second.operator_kvk, None);
        assert!(!second.input.zoned_residential);
        assert_eq!(second.input.address.house_addition.as_deref(), Some("bis"));
        assert_eq!(second.input.position, Some(PositionInput::Rd(RdPoint { x: 121_000.5, y: 487_000.0 })));
        assert!(second.input.rooms.is_empty());
        let s = &second.input;
        assert_eq!(
            (
                s.new_build,
                s.in_use_since.as_deref(),
                s.conversion_permit,
                s.bedroom_sharing_agreed,
                s.first_responsible
            ),
            (false, None, false, false, false),
            "empty norm facts are no and unknown"
        );
    }

    #[test]
    fn a_file_with_the_old_header_imports_with_the_norm_facts_unset() {
        let text = format!("{OLD_HEADER_LINE}\n{}\n{}\n", old_line(1), old_line(2));
        let rows = parse(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        let i = &rows[0].input;
        assert_eq!(i.address.house_number, 1);
        assert_eq!(
            (
                i.new_build,
                i.in_use_since.as_deref(),
                i.conversion_permit,
                i.bedroom_sharing_agreed,
                i.first_responsible
            ),
            (false, None, false, false, false)
        );
        // A line of the new width under the old header is still a line of the wrong width.
        let errs = errors(format!("{OLD_HEADER_LINE}\n{}\n", good_line(1)).as_bytes());
        assert!(errs[0].message.contains("26 columns but the header has 21"), "{}", errs[0]);
    }

    #[test]
    fn bad_norm_facts_are_named_by_column() {
        let line = good_line(1).replace(",nee,2016-04-01,ja,nee,ja", ",misschien,1-4-2016,ja,nee,X");
        let early = good_line(2).replace("2016-04-01", "1850-01-01");
        let errs = errors(&file(&[&line, &early]));
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(
            got,
            [(2, "new_build"), (2, "in_use_since"), (2, "first_responsible"), (3, "in_use_since")],
            "{errs:#?}"
        );
        assert!(errs[1].message.contains("'1-4-2016' is not a date; expected YYYY-MM-DD"), "{}", errs[1]);
        assert!(errs[3].message.contains("before 1900-01-01"), "{}", errs[3]);
    }

    #[test]
    fn a_header_without_rows_is_an_empty_import_and_an_empty_file_is_an_error() {
        assert_eq!(parse(HEADER_LINE.as_bytes()).unwrap(), []);
        for empty in [&b""[..], b"\xEF\xBB\xBF", b"\n\n"] {
            let errs = errors(empty);
            assert_eq!(errs.len(), 1);
            assert_eq!((errs[0].line, errs[0].field.as_str()), (1, "header"));
            assert!(errs[0].message.contains("empty"), "{}", errs[0]);
        }
    }

    #[test]
    fn export_then_import_gives_the_same_locations() {
        let mut a = parse(&file(&[&good_line(12)])).unwrap().remove(0).input;
        a.bag_vbo_id = Some("1783010000012345".into());
        a.position = Some(PositionInput::Rd(RdPoint { x: 75_123.25, y: 447_001.0 }));
        // Labels a number would not give, a label that looks like a number, reserved-free
        // text that needs CSV quoting, and a room with no beds.
        let bed = |label: &str, reason: Option<&str>| BedInput {
            id: None,
            label: label.into(),
            in_service: reason.is_none(),
            out_of_service_reason: reason.map(Into::into),
        };
        let b = LocationInput {
            address: AddressInput {
                postcode: "1011 ZZ".into(),
                house_number: 3,
                house_letter: None,
                house_addition: Some("bis".into()),
                street: "Laan, \"de\" Oude".into(),
                place: "Amsterdam".into(),
            },
            municipality_code: "GM0363".into(),
            bag_vbo_id: None,
            housing_form: "c".into(),
            zoned_residential: false,
            floor_area_m2: 80.25,
            legal_status: "tolerated".into(),
            stay_type: "mid".into(),
            operator_id: None,
            facilities: Facilities { toilets: 1, showers: 0, kitchens: 1, washing_machines: 0 },
            position: None,
            new_build: true,
            in_use_since: Some("2025-09-15".into()),
            conversion_permit: false,
            bedroom_sharing_agreed: true,
            first_responsible: false,
            rooms: vec![
                RoomInput { id: None, name: "Zolder, achter".into(), area_m2: 20.0, beds: vec![bed("7", None)] },
                RoomInput { id: None, name: "Woonkamer".into(), area_m2: 30.5, beds: vec![] },
                RoomInput {
                    id: None,
                    name: "Slaapzaal".into(),
                    area_m2: 29.0,
                    beds: (0..28)
                        .map(|k| bed(&bed_label(3, k), None))
                        .chain([bed("extra", Some("lattenbodem! kapot"))])
                        .collect(),
                },
            ],
        };
        let inputs = [a, b];
        let drafts: Vec<LocationDraft> = inputs.iter().map(|i| i.validate().unwrap()).collect();
        let kvks = [Some("40409352"), None];
        let mut out = Vec::new();
        write(&mut out, drafts.iter().zip(kvks).map(|(d, k)| export_row(d, k))).unwrap();
        let text = String::from_utf8(out.clone()).unwrap();
        assert!(text.starts_with(HEADER_LINE), "{text}");
        assert!(text.contains("Zolder, achter:20:7|;Woonkamer:30.5:0;"), "{text}");
        assert!(text.contains(",ja,2025-09-15,nee,ja,nee\n"), "{text}");

        let rows = parse(&out).unwrap();
        let back: Vec<LocationInput> = rows.iter().map(|r| r.input.clone()).collect();
        assert_eq!(back, inputs);
        let back_kvks: Vec<_> = rows.iter().map(|r| r.operator_kvk.as_ref().map(KvkNumber::as_str)).collect();
        assert_eq!(back_kvks, kvks);
    }

    #[test]
    fn reserved_characters_are_replaced_on_export_so_the_file_still_imports() {
        let mut d = parse(&file(&[&good_line(12)])).unwrap()[0].input.validate().unwrap();
        d.rooms[0].name = "Kamer 1: boven; links".into();
        d.rooms[0].beds[0].label = "A|B".into();
        d.rooms[0].beds[1].out_of_service_reason = Some("kapot: zie mail; bel|later".into());
        let mut out = Vec::new();
        write(&mut out, [export_row(&d, None)]).unwrap();
        let rows = parse(&out).unwrap();
        let room = &rows[0].input.rooms[0];
        assert_eq!(room.name, "Kamer 1. boven, links");
        assert_eq!(room.beds[0].label, "A/B");
        assert_eq!(room.beds[1].out_of_service_reason.as_deref(), Some("kapot. zie mail, bel/later"));
    }

    #[test]
    fn a_wrong_header_is_one_error_on_line_1() {
        let cases = [
            (HEADER_LINE.replace(",rooms", ""), "missing column(s) rooms"),
            (format!("{HEADER_LINE},notes"), "unknown column(s) 'notes'"),
            (HEADER_LINE.replace("street,place", "place,street"), "wrong order"),
            (HEADER_LINE.replace("rooms", "kamers"), "missing column(s) rooms; unknown column(s) 'kamers'"),
            // The optional columns go together: some of them is not enough.
            (HEADER_LINE.replace(",first_responsible", ""), "missing column(s) first_responsible"),
            // Without any of them, only the others are missing.
            (OLD_HEADER_LINE.replace(",rooms", ""), "the header is wrong: missing column(s) rooms;"),
        ];
        for (header, expect) in cases {
            let bytes = format!("{header}\n{}\n", good_line(1)).into_bytes();
            let errs = errors(&bytes);
            assert_eq!(errs.len(), 1, "{errs:?}");
            let e = &errs[0];
            assert_eq!((e.line, e.field.as_str()), (1, "header"));
            assert!(e.message.contains(expect), "{e}");
            assert!(e.message.contains(HEADER_LINE), "{e}");
        }
        // Case and spaces around names do not matter.
        let relaxed = HEADER_LINE.to_uppercase().replace(',', " , ");
        assert!(parse(format!("{relaxed}\n{}", good_line(1)).as_bytes()).is_ok());
    }

    #[test]
    fn a_bad_row_among_good_rows_reports_only_its_line_and_column() {
        let bad = good_line(14).replace(",14,a,", ",14a,,");
        let errs = errors(&file(&[&good_line(12), &good_line(13), &bad, &good_line(15)]));
        assert_eq!(errs.len(), 1, "{errs:?}");
        let e = &errs[0];
        assert_eq!((e.line, e.field.as_str()), (4, "house_number"));
        assert_eq!(
            e.to_string(),
            "line 4, house_number: '14a' is not a whole number; expected digits only, e.g. 12; \
             put a house letter in house_letter and an addition in house_addition"
        );
    }

    #[test]
    fn line_numbers_count_empty_lines_and_crlf() {
        let bad = good_line(2).replace(",2,a,", ",x,a,");
        let text = format!("\r\n{HEADER_LINE}\r\n{}\r\n\r\n\r\n{bad}\r\n", good_line(1));
        let errs = errors(text.as_bytes());
        assert_eq!(errs.iter().map(|e| (e.line, e.field.as_str())).collect::<Vec<_>>(), [(6, "house_number")]);
    }

    #[test]
    fn several_bad_rows_are_all_reported() {
        let l = |n| good_line(n);
        let errs = errors(&file(&[
            &l(1).replace("2691 AB", "0123 AB"),
            &l(2),
            &l(3).replace(",120,", ",12,5,").replace("GM1783", "GM17"),
            &l(4)
                .replace(",ja,120,", ",misschien,\"120,5\",")
                .replace(",in_use,", ",legaal,")
                .replace(",2,2,1,1,", ",-1,2,1,1,")
                .replace("40409352", "4040935"),
            &l(5).replace(",,,Kamer", ",155000,,Kamer"),
            &l(6).replace(",,,Kamer", ",10,10,Kamer"),
            &l(7).replace("Kamer 2:9:1", "Kamer 2:9:1;Kamer 3:9:1A|1a"),
        ]));
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.line, e.field.as_str())).collect();
        assert_eq!(
            got,
            [
                (2, "postcode"),
                (4, ""),
                (5, "zoned_residential"),
                (5, "floor_area_m2"),
                (5, "legal_status"),
                (5, "operator_kvk"),
                (5, "toilets"),
                (6, "rd_y"),
                (7, "rd_x"),
                (8, "rooms"),
            ],
            "{errs:#?}"
        );
        let msg = |line: usize, field: &str| {
            errs.iter().find(|e| e.line == line && e.field == field).unwrap().message.clone()
        };
        assert!(msg(4, "").contains("27 columns but the header has 26"));
        assert!(msg(5, "floor_area_m2").contains("use a point as decimal separator"));
        assert!(msg(5, "operator_kvk").contains("leading zeros"));
        assert!(msg(5, "legal_status").contains("'legaal' is not one of: planned"));
        assert!(msg(5, "toilets").contains("-1 is not a count"));
        assert!(msg(6, "rd_y").contains("give both rd_x and rd_y, or neither"));
        assert!(msg(7, "rd_x").contains("outside the Netherlands (rd_x 10, rd_y 10)"));
        assert_eq!(
            msg(8, "rooms"),
            "room 3 \"Kamer 3\", bed 2 \"1a\" label: bed label '1a' is used twice in this room"
        );
    }

    #[test]
    fn invalid_utf8_is_reported_on_its_line() {
        let mut bytes = file(&[&good_line(1)]);
        bytes.extend(b"2691 AB,2,,,Stra\xDFe,'s-Gravenzande,GM1783,,a,ja,120,in_use,short,,1,1,1,1,,,,,,,,\n");
        bytes.extend(format!("{}\n", good_line(3)).into_bytes());
        let errs = errors(&bytes);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!((errs[0].line, errs[0].field.as_str()), (3, "street"));
        assert!(errs[0].message.contains("not valid UTF-8"), "{}", errs[0]);
        assert!(errs[0].message.contains("position 5"), "{}", errs[0]);
    }

    #[test]
    fn a_duplicate_address_is_reported_on_the_later_line() {
        let again = good_line(12).replace(",12,a,", ",12,A,");
        let errs = errors(&file(&[&good_line(12), &good_line(13), &again]));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].line, 4);
        assert_eq!(
            errs[0].message,
            "the address Naaldwijkseweg 12A, 2691 AB 's-Gravenzande is already on line 2; \
             each address may appear only once in the file"
        );
    }

    #[test]
    fn malformed_rooms_get_clear_messages() {
        let room_error = |rooms: &str| -> Vec<String> {
            let line = good_line(1).replace("Kamer 1:14.5:1A|1B!matras kapot;Kamer 2:9:1", &format!("\"{rooms}\""));
            errors(&file(&[&line]))
                .into_iter()
                .map(|e| {
                    assert_eq!((e.line, e.field.as_str()), (2, "rooms"), "{e}");
                    e.message
                })
                .collect()
        };
        assert_eq!(
            room_error("Kamer:abc:2"),
            [
                "room 1 'Kamer', area: 'abc' is not a number; expected digits with a point as decimal separator, e.g. 14.5"
            ]
        );
        assert_eq!(
            room_error("Kamer 1:12"),
            [
                "room 1 'Kamer 1:12' has 2 part(s) instead of 3; expected name:area_m2:beds, e.g. Kamer 1:14.5:2 or Kamer 1:14.5:1A|1B!matras kapot"
            ]
        );
        assert!(room_error("Kamer: boven:12:2")[0].contains("may not contain ':' or ';'"));
        for count in ["-1", "2.5", "101"] {
            assert_eq!(
                room_error(&format!("Kamer 1:12:{count}")),
                [format!(
                    "room 1 'Kamer 1', beds: '{count}' is not a number of beds; expected a whole number from 0 to 100, or bed labels separated by |"
                )]
            );
        }
        assert!(room_error("Kamer 1:12,5:2")[0].contains("has a comma"));
        assert!(room_error("Kamer 1:12:")[0].contains("no beds given"));
        assert!(room_error("Kamer 1:12:1A||1B")[0].contains("bed 2 has no label"));
        assert!(room_error("Kamer 1:12:1A|1B!")[0].contains("'1B' is marked out of service"));
        // Both rooms are reported.
        assert_eq!(room_error("A:x:1;B:1").len(), 2);
        // Problems found by validation name the room.
        assert_eq!(room_error(":12:1"), ["room 1 name: this field is required"]);
        assert!(room_error("Kamer 1:0:1")[0].starts_with("room 1 \"Kamer 1\" area: "));
        assert!(room_error("Kamer 1:200:1")[0].contains("more than the floor area"));
    }

    #[test]
    fn out_of_service_beds_and_numbered_beds() {
        let line = good_line(1).replace(
            "Kamer 1:14.5:1A|1B!matras kapot;Kamer 2:9:1",
            "Kamer 1:14.5: 1A | 1B ! matras kapot ;Kamer 2:9:3;Zaal:60:28",
        );
        let rows = parse(&file(&[&line])).unwrap();
        let rooms = &rows[0].input.rooms;
        assert_eq!(
            rooms[0].beds[1],
            BedInput {
                id: None,
                label: "1B".into(),
                in_service: false,
                out_of_service_reason: Some("matras kapot".into()),
            }
        );
        assert!(rooms[0].beds[0].in_service);
        let labels: Vec<&str> = rooms[1].beds.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["2A", "2B", "2C"]);
        let hall: Vec<&str> = rooms[2].beds.iter().map(|b| b.label.as_str()).collect();
        assert_eq!((hall[0], hall[25], hall[26], hall[27]), ("3A", "3Z", "3-27", "3-28"));
        let draft = rows[0].input.validate().unwrap();
        assert_eq!((draft.bed_count(), draft.beds_in_service()), (33, 32));
    }

    #[test]
    fn bag_ids_that_lost_their_leading_zeros_get_a_hint() {
        let line = good_line(1).replace("GM1783", "GM0363").replace(",GM0363,,", ",GM0363,363010000000001,");
        let errs = errors(&file(&[&line]));
        assert_eq!(errs[0].field, "bag_vbo_id");
        assert!(errs[0].message.contains("leading zeros"), "{}", errs[0]);
    }
}
