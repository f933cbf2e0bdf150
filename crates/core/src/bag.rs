//! The LV BAG 2.0 extract (Kadaster), read as a stream (issue 6): verblijfsobjecten (floor
//! area, uses, status, position, main and side addresses), nummeraanduidingen (postcode,
//! number, letter, addition, street), openbare ruimten (street names) and woonplaatsen.
//!
//! One XML file at a time from any reader — the caller opens folders, zips and zips inside
//! zips — one record per object occurrence (`voorkomen`), so memory stays flat whatever the
//! size of the file. Every problem names the file, the line and the object: XML cut off or
//! malformed, an element or namespace the format does not have, a verblijfsobject without a
//! main address, an implausible floor area.

use chrono::NaiveDate;
use quick_xml::Reader;
use quick_xml::events::BytesStart;
use quick_xml::events::Event;
use std::borrow::Cow;

/// The namespaces of the LV BAG 2.0 extract that object records may use.
const OBJECTS: &str = "www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601";
const KNOWN_NAMESPACES: &[&str] = &[
    OBJECTS,
    "www.kadaster.nl/schemas/lvbag/imbag/objecten-ref/v20200601",
    "www.kadaster.nl/schemas/lvbag/imbag/historie/v20200601",
    "www.kadaster.nl/schemas/lvbag/imbag/kenmerkinonderzoek/v20200601",
    "www.kadaster.nl/schemas/lvbag/imbag/datatypennen3610/v20200601",
    "www.kadaster.nl/schemas/lvbag/imbag/nen5825/v20200601",
    "http://www.opengis.net/gml/3.2",
];

/// The largest floor area the import accepts, in m² (the BAG's own maximum).
pub const MAX_FLOOR_AREA: i64 = 999_999;

/// What an occurrence's history says: from when, until when, and whether it was withdrawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Validity {
    pub begin: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// The registration of this occurrence ended (a later one replaced it).
    pub registration_ended: bool,
    /// Made inactive (withdrawn as an error).
    pub inactive: bool,
}

impl Validity {
    /// The occurrence is the object's state now: not ended, not replaced, not withdrawn.
    pub fn is_current(&self) -> bool {
        self.end.is_none() && !self.registration_ended && !self.inactive
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Verblijfsobject {
    pub id: String,
    pub main_address: String,
    pub side_addresses: Vec<String>,
    pub uses: Vec<String>,
    pub floor_area_m2: i64,
    pub status: String,
    /// RD New (EPSG:28992), metres: the point, or the middle of the outline.
    pub position: Option<(f64, f64)>,
    pub validity: Validity,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Nummeraanduiding {
    pub id: String,
    pub house_number: i64,
    pub house_letter: Option<String>,
    pub house_addition: Option<String>,
    pub postcode: Option<String>,
    pub status: String,
    /// The openbare ruimte (street) it lies on.
    pub street: String,
    /// A woonplaats other than the street's, when it has one.
    pub place: Option<String>,
    pub validity: Validity,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OpenbareRuimte {
    pub id: String,
    pub name: String,
    pub place: String,
    pub validity: Validity,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Woonplaats {
    pub id: String,
    pub name: String,
    pub validity: Validity,
}

/// One object occurrence of the extract.
#[derive(Debug, Clone, PartialEq)]
pub enum BagRecord {
    Verblijfsobject(Verblijfsobject),
    Nummeraanduiding(Nummeraanduiding),
    OpenbareRuimte(OpenbareRuimte),
    Woonplaats(Woonplaats),
}

/// A problem in the extract: which file, which line, which object, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BagError {
    pub file: String,
    pub line: u64,
    pub object: Option<String>,
    pub message: String,
}

impl std::fmt::Display for BagError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} line {}", self.file, self.line)?;
        if let Some(o) = &self.object {
            write!(f, " (object {o})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for BagError {}

/// The object types the import reads, by the code in an extract file's name
/// (`0221VBO15092020-000001.xml`); the others (PND, LIG, STA, relations, the delivery
/// document) are skipped.
pub fn reads_file(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    // Four digits (the municipality, or 9999 for the country), then the object type.
    base.len() > 7
        && base.ends_with(".xml")
        && base.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && ["VBO", "NUM", "OPR", "WPL"].contains(&base.get(4..7).unwrap_or(""))
}

/// A namespace prefix in scope.
struct Prefix {
    prefix: String,
    /// A namespace object records may use.
    known: bool,
    /// The objects namespace itself.
    objects: bool,
    /// The depth of the element that declared it.
    depth: usize,
}

/// Reads the object occurrences of one extract file, one at a time. The file is held whole
/// (an extract's files are some megabytes each) so that text is borrowed from it, not
/// copied: only what a record keeps is allocated, and line numbers are counted only for
/// an error.
pub struct BagFileReader<'a> {
    reader: Reader<&'a [u8]>,
    input: &'a [u8],
    /// Namespace prefixes in scope, with their namespace judged once when declared.
    /// Resolved by hand: a full namespace resolver per element costs more than the parse.
    prefixes: Vec<Prefix>,
    file: String,
    done: bool,
    /// Elements open outside the objects (the root and its wrappers): a file that ends
    /// with some still open was cut off, even between two objects.
    open: usize,
    seen_root: bool,
    /// The elements open inside the current object (name, text kept), reused.
    path: Vec<(&'static str, bool)>,
    /// Room for the next object's fields, reused.
    spare: Vec<Field<'a>>,
}

/// The text of the leaf elements of one object occurrence, in order, by local name (a
/// reference by its parent's name too: `heeftAlsHoofdadres/NummeraanduidingRef`).
struct Fields<'a> {
    values: Vec<Field<'a>>,
}

/// (parent for a reference, else empty; local name; text, borrowed from the file unless it
/// held a character reference)
type Field<'a> = (&'static str, &'static str, Cow<'a, str>);

impl Fields<'_> {
    /// `parent/name` or `name` as (parent, name).
    fn split(key: &str) -> (&str, &str) {
        // By bytes: a `str` pattern search costs more than the keys are long.
        match key.bytes().position(|b| b == b'/') {
            Some(slash) => (&key[..slash], &key[slash + 1..]),
            None => ("", key),
        }
    }

    fn first(&self, key: &str) -> Option<&str> {
        let (parent, name) = Fields::split(key);
        self.values.iter().find(|(p, n, _)| *n == name && *p == parent).map(|(_, _, v)| v.as_ref())
    }

    fn all<'s>(&'s self, key: &'s str) -> impl Iterator<Item = &'s str> + 's {
        let (parent, name) = Fields::split(key);
        self.values.iter().filter(move |(p, n, _)| *n == name && *p == parent).map(|(_, _, v)| v.as_ref())
    }
}

/// The elements an object record of the extract may contain (all object types together),
/// as `known_element`: those whose text a record needs (and the elements around them), and
/// the leaves whose text no record needs (most of an object's text: not kept).
macro_rules! known_elements {
    (kept: $($kept:literal),+ ; unused: $($unused:literal),+ $(,)?) => {
        /// The known element of this local name, as a static name, and whether its text is kept.
        fn known_element(local: &str) -> Option<(&'static str, bool)> {
            // A match compares lengths first, then a few bytes: cheaper per element than
            // hashing the name.
            match local {
                $($kept => Some(($kept, true)),)+
                $($unused => Some(($unused, false)),)+
                _ => None,
            }
        }
    };
}

known_elements! {
    kept:
        "identificatie", "voorkomen", "Voorkomen", "beginGeldigheid", "eindGeldigheid", "eindRegistratie",
        "tijdstipInactief", "BeschikbaarLV", "status", "heeftAlsHoofdadres", "heeftAlsNevenadres",
        "NummeraanduidingRef", "geometrie", "punt", "vlak", "multivlak", "Point", "pos", "Polygon", "MultiSurface",
        "surfaceMember", "exterior", "interior", "LinearRing", "posList", "gebruiksdoel", "oppervlakte",
        "maaktDeelUitVan", "huisnummer", "huisletter", "huisnummertoevoeging", "postcode", "ligtAan", "ligtIn",
        "OpenbareRuimteRef", "WoonplaatsRef", "naam", "VerkorteNaamOpenbareRuimte";
    unused:
        "voorkomenidentificatie", "tijdstipRegistratie", "tijdstipRegistratieLV", "tijdstipEindRegistratieLV",
        "tijdstipInactiefLV", "tijdstipNietBagLV", "geconstateerd", "documentdatum", "documentnummer",
        "typeAdresseerbaarObject", "type", "PandRef", "verkorteNaam",
}

/// The object types a record is made of, by their element's local name.
const OBJECT_KINDS: [&str; 4] = ["Verblijfsobject", "Nummeraanduiding", "OpenbareRuimte", "Woonplaats"];

/// Text without the whitespace around it, still borrowed when it was.
fn trimmed(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
    }
}

impl<'a> BagFileReader<'a> {
    pub fn new(file: impl Into<String>, input: &'a [u8]) -> Self {
        BagFileReader {
            reader: Reader::from_reader(input),
            input,
            prefixes: Vec::new(),
            file: file.into(),
            done: false,
            open: 0,
            seen_root: false,
            path: Vec::new(),
            spare: Vec::new(),
        }
    }

    /// Takes in the namespace declarations of an element at `depth`.
    fn declare(prefixes: &mut Vec<Prefix>, e: &BytesStart, depth: usize) {
        let raw = e.attributes_raw();
        if raw.is_empty() || !raw.contains("xmlns") {
            return;
        }
        for a in e.attributes().flatten() {
            let key = a.key.as_ref();
            let prefix = match key.strip_prefix("xmlns") {
                Some("") => "",
                Some(p) if p.starts_with(':') => &p[1..],
                _ => continue,
            };
            let ns = a.value.as_ref();
            prefixes.push(Prefix {
                prefix: prefix.to_string(),
                known: KNOWN_NAMESPACES.contains(&ns),
                objects: ns == OBJECTS,
                depth,
            });
        }
    }

    /// The prefix in scope of an element name (`prefix:local`), if declared.
    fn prefix<'p>(prefixes: &'p [Prefix], name: &str) -> Option<&'p Prefix> {
        let prefix = name.bytes().position(|b| b == b':').map_or("", |colon| &name[..colon]);
        prefixes.iter().rev().find(|p| p.prefix == prefix)
    }

    /// Forgets the declarations of elements deeper than `depth` (closed now).
    fn undeclare(prefixes: &mut Vec<Prefix>, depth: usize) {
        while prefixes.last().is_some_and(|p| p.depth > depth) {
            prefixes.pop();
        }
    }

    /// The line of a byte position in the file.
    fn line_at(&self, position: u64) -> u64 {
        let end = usize::try_from(position).unwrap_or(usize::MAX).min(self.input.len());
        self.input[..end].iter().filter(|b| **b == b'\n').count() as u64 + 1
    }

    fn error(&self, object: Option<&str>, message: impl Into<String>) -> BagError {
        BagError {
            file: self.file.clone(),
            line: self.line_at(self.reader.buffer_position()),
            object: object.map(str::to_string),
            message: message.into(),
        }
    }

    /// The next record; `None` at the end of the file.
    pub fn next_record(&mut self) -> Result<Option<BagRecord>, BagError> {
        if self.done {
            return Ok(None);
        }
        loop {
            let event = match self.reader.read_event() {
                Ok(e) => e,
                Err(e) => return Err(self.error(None, format!("not well-formed XML: {e}"))),
            };
            match event {
                Event::Start(start) => {
                    Self::declare(&mut self.prefixes, &start, self.open + 1);
                    let local = start.local_name();
                    let Some(kind) = OBJECT_KINDS.into_iter().find(|k| *k == local.as_ref()) else {
                        self.open += 1;
                        self.seen_root = true;
                        continue;
                    };
                    if !Self::prefix(&self.prefixes, start.name().as_ref()).is_some_and(|p| p.objects) {
                        return Err(self.error(None, format!("{kind} outside the BAG objects namespace")));
                    }
                    let start_at = self.reader.buffer_position();
                    let mut fields = self.read_object(kind)?;
                    Self::undeclare(&mut self.prefixes, self.open);
                    let record = self.record(kind, &fields, start_at);
                    fields.values.clear();
                    self.spare = fields.values;
                    return record.map(Some);
                }
                Event::End(_) => {
                    self.open = self.open.saturating_sub(1);
                    Self::undeclare(&mut self.prefixes, self.open);
                }
                Event::Eof if self.open > 0 || !self.seen_root => {
                    return Err(self.error(None, "the file ends before its last element is closed: it was cut off"));
                }
                Event::Eof => {
                    self.done = true;
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    /// Whether the text of the innermost open element is kept.
    fn keeps_text(&self) -> bool {
        self.path.last().is_some_and(|(_, keep)| *keep)
    }

    /// The leaf texts of the object whose start tag was just read, up to its end tag.
    fn read_object(&mut self, kind: &str) -> Result<Fields<'a>, BagError> {
        let mut fields = Fields { values: std::mem::take(&mut self.spare) };
        self.path.clear();
        let mut text: Cow<'a, str> = Cow::Borrowed("");
        loop {
            let event = match self.reader.read_event() {
                Ok(e) => e,
                Err(e) => return Err(self.error(fields.first("identificatie"), format!("not well-formed XML: {e}"))),
            };
            // The object's own element is at depth open + 1, its children below.
            let known_ns = match &event {
                Event::Start(e) | Event::Empty(e) => {
                    Self::declare(&mut self.prefixes, e, self.open + 2 + self.path.len());
                    Self::prefix(&self.prefixes, e.name().as_ref()).is_some_and(|p| p.known)
                }
                _ => true,
            };
            if matches!(event, Event::End(_)) {
                // Closes the element at depth open + 1 + path.len(), and what it declared.
                Self::undeclare(&mut self.prefixes, self.open + self.path.len());
            }
            match event {
                Event::Start(e) | Event::Empty(e) if !known_ns => {
                    let name = e.name().as_ref().to_string();
                    return Err(
                        self.error(fields.first("identificatie"), format!("element {name} in an unknown namespace"))
                    );
                }
                Event::Start(e) => {
                    let Some((local, keep)) = known_element(e.local_name().as_ref()) else {
                        let local = e.local_name().as_ref().to_string();
                        return Err(self
                            .error(fields.first("identificatie"), format!("unexpected element {local} in a {kind}")));
                    };
                    // Whether coordinates come in twos or threes.
                    if matches!(local, "Point" | "Polygon" | "MultiSurface" | "LinearRing" | "posList" | "pos")
                        && let Ok(Some(dim)) = e.try_get_attribute("srsDimension")
                    {
                        fields.values.push(("", "srsDimension", Cow::Owned(dim.value.to_string())));
                    }
                    self.path.push((local, keep));
                    text = Cow::Borrowed("");
                }
                Event::Empty(e) if known_element(e.local_name().as_ref()).is_none() => {
                    let local = e.local_name().as_ref().to_string();
                    return Err(
                        self.error(fields.first("identificatie"), format!("unexpected element {local} in a {kind}"))
                    );
                }
                Event::Text(t) if self.keeps_text() => {
                    if text.is_empty() {
                        text = t.into_inner();
                    } else {
                        text.to_mut().push_str(&t);
                    }
                }
                Event::GeneralRef(r) if r.is_char_ref() => match r.resolve_char_ref() {
                    Ok(Some(c)) => text.to_mut().push(c),
                    _ => {
                        let message = format!("the character reference &{}; is not a character", &*r);
                        return Err(self.error(fields.first("identificatie"), message));
                    }
                },
                Event::GeneralRef(r) => match &*r {
                    "amp" => text.to_mut().push('&'),
                    "lt" => text.to_mut().push('<'),
                    "gt" => text.to_mut().push('>'),
                    "quot" => text.to_mut().push('"'),
                    "apos" => text.to_mut().push('\''),
                    other => {
                        let message = format!("unknown entity &{other};");
                        return Err(self.error(fields.first("identificatie"), message));
                    }
                },
                Event::End(_) => match self.path.pop() {
                    // A leaf: keep its text under its name (a reference with its parent's).
                    Some((name, keep)) => {
                        let value = trimmed(std::mem::replace(&mut text, Cow::Borrowed("")));
                        if keep && !value.is_empty() {
                            let parent = match self.path.last() {
                                Some((parent, _)) if name.ends_with("Ref") => parent,
                                _ => "",
                            };
                            fields.values.push((parent, name, value));
                        }
                    }
                    None => return Ok(fields),
                },
                Event::Eof => {
                    return Err(self.error(fields.first("identificatie"), format!("the file ends inside a {kind}")));
                }
                _ => {}
            }
        }
    }

    /// The record of an object's fields; an error names the line where the object starts.
    fn record(&self, kind: &str, f: &Fields, start_at: u64) -> Result<BagRecord, BagError> {
        let at = |message: String| BagError {
            file: self.file.clone(),
            line: self.line_at(start_at),
            object: f.first("identificatie").map(str::to_string),
            message,
        };
        let id = f.first("identificatie").ok_or_else(|| at(format!("a {kind} without identificatie")))?.to_string();
        // A woonplaats has 4 digits, every other object 16.
        let digits = if kind == "Woonplaats" { 4 } else { 16 };
        if id.len() != digits || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(at(format!("identificatie '{id}' is not {digits} digits")));
        }
        let date = |name: &str| -> Result<Option<NaiveDate>, BagError> {
            f.first(name)
                .map(|s| crate::parse_day(s).ok_or_else(|| at(format!("{name} '{s}' is not a date"))))
                .transpose()
        };
        let validity = Validity {
            begin: date("beginGeldigheid")?,
            end: date("eindGeldigheid")?,
            registration_ended: f.first("eindRegistratie").is_some(),
            inactive: f.first("tijdstipInactief").is_some(),
        };
        let required =
            |name: &str| f.first(name).map(str::to_string).ok_or_else(|| at(format!("a {kind} without {name}")));
        Ok(match kind {
            "Verblijfsobject" => {
                let main_address = f
                    .first("heeftAlsHoofdadres/NummeraanduidingRef")
                    .ok_or_else(|| at("a verblijfsobject without a main address (heeftAlsHoofdadres)".into()))?
                    .to_string();
                let area_text = required("oppervlakte")?;
                let floor_area_m2: i64 =
                    area_text.parse().map_err(|_| at(format!("oppervlakte '{area_text}' is not a whole number")))?;
                if !(1..=MAX_FLOOR_AREA).contains(&floor_area_m2) {
                    return Err(at(format!("implausible floor area {floor_area_m2} m² (1 to {MAX_FLOOR_AREA})")));
                }
                BagRecord::Verblijfsobject(Verblijfsobject {
                    id,
                    main_address,
                    side_addresses: f.all("heeftAlsNevenadres/NummeraanduidingRef").map(str::to_string).collect(),
                    uses: f.all("gebruiksdoel").map(str::to_string).collect(),
                    floor_area_m2,
                    status: required("status")?,
                    position: position(f),
                    validity,
                })
            }
            "Nummeraanduiding" => {
                let number = required("huisnummer")?;
                BagRecord::Nummeraanduiding(Nummeraanduiding {
                    house_number: number.parse().map_err(|_| at(format!("huisnummer '{number}' is not a number")))?,
                    house_letter: f.first("huisletter").map(str::to_string),
                    house_addition: f.first("huisnummertoevoeging").map(str::to_string),
                    postcode: f.first("postcode").map(str::to_string),
                    status: required("status")?,
                    street: required("ligtAan/OpenbareRuimteRef")?,
                    place: f.first("ligtIn/WoonplaatsRef").map(str::to_string),
                    id,
                    validity,
                })
            }
            "OpenbareRuimte" => BagRecord::OpenbareRuimte(OpenbareRuimte {
                name: required("naam")?,
                place: required("ligtIn/WoonplaatsRef")?,
                id,
                validity,
            }),
            _ => BagRecord::Woonplaats(Woonplaats { name: required("naam")?, id, validity }),
        })
    }
}

/// The point, or the average of the outline's corners, in RD New.
fn position(f: &Fields) -> Option<(f64, f64)> {
    let numbers = |s: &str| s.split_whitespace().filter_map(|n| n.parse::<f64>().ok()).collect::<Vec<_>>();
    if let Some(p) = f.first("pos") {
        let n = numbers(p);
        return (n.len() >= 2).then(|| (n[0], n[1])).and_then(in_rd);
    }
    let n = numbers(f.first("posList")?);
    // The extract says whether an outline's points are 2D or 3D (it writes 3D).
    let dim = if f.first("srsDimension") == Some("2") { 2 } else { 3 };
    let points: Vec<(f64, f64)> = n.chunks_exact(dim).map(|c| (c[0], c[1])).collect();
    if points.is_empty() {
        return None;
    }
    let count = points.len() as f64;
    in_rd((points.iter().map(|p| p.0).sum::<f64>() / count, points.iter().map(|p| p.1).sum::<f64>() / count))
}

/// A position inside the RD New grid of the Netherlands, or none (never NaN or far away).
fn in_rd((x, y): (f64, f64)) -> Option<(f64, f64)> {
    ((-7_000.0..=300_000.0).contains(&x) && (289_000.0..=629_000.0).contains(&y)).then_some((x, y))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/bag/lvbag-sample-doesburg-0221-20200915");

    fn read_all(name: &str, text: &str) -> Result<Vec<BagRecord>, BagError> {
        let mut r = BagFileReader::new(name, text.as_bytes());
        let mut out = Vec::new();
        while let Some(rec) = r.next_record()? {
            out.push(rec);
        }
        Ok(out)
    }

    fn sample(file: &str) -> String {
        std::fs::read_to_string(format!("{SAMPLE}/{file}")).unwrap()
    }

    #[test]
    fn the_real_extract_files_read() {
        let vbo = read_all("0221VBO15092020-000001.xml", &sample("0221VBO15092020-000001.xml")).unwrap();
        assert_eq!(vbo.len(), 5);
        let current: Vec<&Verblijfsobject> = vbo
            .iter()
            .filter_map(|r| match r {
                BagRecord::Verblijfsobject(v) if v.validity.is_current() => Some(v),
                _ => None,
            })
            .collect();
        assert_eq!(current.len(), 2);
        let v = current.iter().find(|v| v.id == "0221010000330226").unwrap();
        assert_eq!(
            (v.main_address.as_str(), v.uses.as_slice()),
            ("0221200000330227", &["woonfunctie".to_string()][..])
        );
        assert!(v.position.is_some_and(|(x, y)| (x - 206335.699).abs() < 0.01 && (y - 447529.842).abs() < 0.01));

        let num = read_all("0221NUM15092020-000001.xml", &sample("0221NUM15092020-000001.xml")).unwrap();
        assert_eq!(num.len(), 15);
        assert!(num.iter().any(|r| matches!(r, BagRecord::Nummeraanduiding(n)
            if n.id == "0221200000330151" && n.house_number == 2 && n.postcode.as_deref() == Some("6982CZ")
                && n.street == "0221300000311239")));
        let opr = read_all("0221OPR15092020-000001.xml", &sample("0221OPR15092020-000001.xml")).unwrap();
        assert!(opr.len() >= 200);
        let wpl = read_all("0221WPL15092020-000001.xml", &sample("0221WPL15092020-000001.xml")).unwrap();
        assert!(matches!(&wpl[..], [BagRecord::Woonplaats(w)] if w.name == "Doesburg"));
        assert!(reads_file("x/0221VBO15092020-000001.xml") && reads_file("9999NUM08112020-000001.xml"));
        assert!(!reads_file("0221PND15092020-000001.xml") && !reads_file("GEM-WPL-RELATIE-15092020-000001.xml"));
    }

    #[test]
    fn bad_extracts_say_where_and_why() {
        let vbo = sample("0221VBO15092020-000001.xml");
        // Cut off in the middle of an element.
        let cut = &vbo[..vbo.len() / 2];
        let e = read_all("cut.xml", cut).unwrap_err();
        assert_eq!(e.file, "cut.xml");
        assert!(e.line > 20, "{e}");
        // Cut off right after an object: still cut off.
        let end = vbo.find("</Objecten:Verblijfsobject>").unwrap() + "</Objecten:Verblijfsobject>".len();
        let e = read_all("cut.xml", &vbo[..end]).unwrap_err();
        assert!(e.message.contains("cut off"), "{e}");
        assert!(read_all("empty.xml", "").unwrap_err().message.contains("cut off"));
        // Text around entities keeps its spaces; character references are characters.
        let wpl = sample("0221WPL15092020-000001.xml").replacen(">Doesburg<", ">Van &apos;t Hoff &#233;<", 1);
        assert!(
            matches!(&read_all("wpl.xml", &wpl).unwrap()[..], [BagRecord::Woonplaats(w)] if w.name == "Van 't Hoff é")
        );
        // An element the format does not have.
        let odd = vbo.replacen(
            "<Objecten:oppervlakte>306",
            "<Objecten:kamers>3</Objecten:kamers><Objecten:oppervlakte>306",
            1,
        );
        let e = read_all("odd.xml", &odd).unwrap_err();
        assert!(e.message.contains("unexpected element kamers"), "{e}");
        // A namespace it does not have.
        let ns = vbo.replacen(
            "<Objecten:oppervlakte>306</Objecten:oppervlakte>",
            "<x:oppervlakte xmlns:x=\"urn:other\">306</x:oppervlakte>",
            1,
        );
        assert!(read_all("ns.xml", &ns).unwrap_err().message.contains("unknown namespace"));
        // No main address; an implausible floor area.
        let start = vbo.find("<Objecten:heeftAlsHoofdadres>").unwrap();
        let end = vbo.find("</Objecten:heeftAlsHoofdadres>").unwrap() + "</Objecten:heeftAlsHoofdadres>".len();
        let no_address = format!("{}{}", &vbo[..start], &vbo[end..]);
        let e = read_all("vbo.xml", &no_address).unwrap_err();
        assert!(e.message.contains("without a main address"), "{e}");
        assert_eq!(e.object.as_deref(), Some("0221010000330226"));
        let zero = vbo.replacen("<Objecten:oppervlakte>306<", "<Objecten:oppervlakte>0<", 1);
        assert!(read_all("vbo.xml", &zero).unwrap_err().message.contains("implausible floor area 0"));
        let huge = vbo.replacen("<Objecten:oppervlakte>306<", "<Objecten:oppervlakte>1000000<", 1);
        assert!(read_all("vbo.xml", &huge).unwrap_err().to_string().starts_with("vbo.xml line "));
    }
}
