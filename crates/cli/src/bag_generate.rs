//! A generator of BAG extracts in the real LV BAG 2.0 format (issue 6), for the benchmark
//! and the demo: verblijfsobjecten with their nummeraanduidingen (some with a side address,
//! some with an earlier, ended occurrence), openbare ruimten and woonplaatsen, 10,000 objects
//! per file as Kadaster delivers them, written as a folder, a municipality's zip, or the
//! national zip of zips; and the matching BRP extract (counts per address, a few addresses
//! overcrowded). Everything follows from the object count, the municipality code and the
//! seed, so the BAG and the BRP extract always agree.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use zip::write::SimpleFileOptions;

/// Objects per XML file, as in Kadaster's extracts.
const PER_FILE: u64 = 10_000;
/// Addresses per street.
const PER_STREET: u64 = 40;
/// Streets per woonplaats.
const STREETS_PER_PLACE: u64 = 500;
/// The extract's date, in file names (ddmmyyyy) and as the registration moment.
const STAND: &str = "15092020";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// XML files in a folder (an extract unpacked).
    Folder,
    /// One zip of XML files (a municipality's extract).
    Zip,
    /// A zip with one zip per object type inside (the national `lvbag-extract-nl.zip`).
    National,
}

#[derive(Debug, Clone)]
pub struct Spec {
    /// The municipality's number (4 digits: 599 is Rotterdam), or 9999 for the country.
    pub municipality: u16,
    pub objects: u64,
    pub seed: u64,
    /// RD New metres the addresses spread around.
    pub centre: (f64, f64),
    /// Half the width of the square the addresses spread over, metres.
    pub spread: f64,
    /// The first four-digit postcode area; the streets count on from it.
    pub postcode_start: u64,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Generated {
    pub verblijfsobjecten: u64,
    /// Object occurrences written (current and ended), all types.
    pub occurrences: u64,
    pub nummeraanduidingen: u64,
    pub openbare_ruimten: u64,
    pub woonplaatsen: u64,
    pub xml_bytes: u64,
    pub brp_addresses: u64,
    pub brp_registered: u64,
}

/// splitmix64: a good, tiny, deterministic hash for per-object choices.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Spec {
    /// A spec whose addresses lie in the municipality `code` (GMxxxx; its outline's bounding
    /// box), or across the country for `9999`.
    pub fn for_municipality(code: &str, objects: u64, seed: u64) -> anyhow::Result<Spec> {
        if code == "9999" {
            return Ok(Spec {
                municipality: 9999,
                objects,
                seed,
                centre: (155_000.0, 463_000.0),
                spread: 100_000.0,
                postcode_start: 1000,
            });
        }
        let code = flexwonen_core::ids::MunicipalityCode::parse(&code.to_ascii_uppercase())
            .map_err(|(_, m)| anyhow::anyhow!("--municipality: {m}"))?;
        let boundaries = flexwonen_core::geography::parse_boundaries(flexwonen_core::geography::BOUNDARIES_RD_GEOJSON)
            .map_err(|e| anyhow::anyhow!(e))?;
        let area = boundaries
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, a)| a)
            .ok_or_else(|| anyhow::anyhow!("no outline for {code}"))?;
        let (low, high) = area.bbox();
        let number: u16 = code.as_str()[2..].parse()?;
        Ok(Spec {
            municipality: number,
            objects,
            seed,
            centre: ((low.x + high.x) / 2.0, (low.y + high.y) / 2.0),
            // Within the box's middle, so most addresses fall inside the municipality.
            spread: (high.x - low.x).min(high.y - low.y) / 4.0,
            postcode_start: 1000,
        })
    }

    fn h(&self, i: u64, salt: u64) -> u64 {
        mix(self.seed ^ mix(i.wrapping_mul(31).wrapping_add(salt)))
    }

    fn streets(&self) -> u64 {
        self.objects.div_ceil(PER_STREET)
    }

    fn places(&self) -> u64 {
        self.streets().div_ceil(STREETS_PER_PLACE)
    }

    fn id(&self, kind: &str, n: u64) -> String {
        format!("{:04}{kind}{n:010}", self.municipality)
    }

    /// The postcode of street `s`: unique up to 6 million streets.
    fn postcode(&self, s: u64) -> String {
        let letters = s % 676;
        let digits = 1000 + (self.postcode_start.saturating_sub(1000) + s / 676) % 9000;
        format!("{digits}{}{}", (b'A' + (letters / 26) as u8) as char, (b'A' + (letters % 26) as u8) as char)
    }

    /// The address of verblijfsobject `i`: postcode and house number.
    pub fn address(&self, i: u64) -> (String, u64) {
        (self.postcode(i / PER_STREET), i % PER_STREET + 1)
    }

    /// Every 50th object has a side address: the same number with letter A.
    fn has_side(&self, i: u64) -> bool {
        i % 50 == 7
    }

    fn floor_area(&self, i: u64) -> u64 {
        let h = self.h(i, 1);
        match h % 100 {
            0..=4 => 200 + h % 1800,
            _ => 25 + (h >> 8) % 150,
        }
    }

    fn position(&self, i: u64) -> (f64, f64) {
        let h = self.h(i, 2);
        let span = 2.0 * self.spread;
        let x = self.centre.0 - self.spread + (h % 1_000_000) as f64 / 1_000_000.0 * span;
        let y = self.centre.1 - self.spread + ((h >> 20) % 1_000_000) as f64 / 1_000_000.0 * span;
        (x, y)
    }

    /// Registered persons at object `i` and how many of them in the last 12 months; `None`
    /// when nobody is registered (the address is not in the extract). About 2 per address,
    /// 1 in 100 addresses crowded.
    pub fn registered(&self, i: u64) -> Option<(u64, u64)> {
        let h = self.h(i, 3);
        match h % 1000 {
            0..=29 => None,
            30..=39 => {
                let persons = 6 + (h >> 10) % 9;
                Some((persons, persons * (2 + (h >> 20) % 3) / 4))
            }
            _ => {
                let persons = 1 + (h >> 10) % 3;
                Some((persons, u64::from((h >> 20).is_multiple_of(10))))
            }
        }
    }
}

const HEAD_1: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<sl-bag-extract:bagStand xmlns:DatatypenNEN3610="www.kadaster.nl/schemas/lvbag/imbag/datatypennen3610/v20200601" xmlns:Objecten="www.kadaster.nl/schemas/lvbag/imbag/objecten/v20200601" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:Historie="www.kadaster.nl/schemas/lvbag/imbag/historie/v20200601" xmlns:Objecten-ref="www.kadaster.nl/schemas/lvbag/imbag/objecten-ref/v20200601" xmlns:nen5825="www.kadaster.nl/schemas/lvbag/imbag/nen5825/v20200601" xmlns:KenmerkInOnderzoek="www.kadaster.nl/schemas/lvbag/imbag/kenmerkinonderzoek/v20200601" xmlns:selecties-extract="http://www.kadaster.nl/schemas/lvbag/extract-selecties/v20200601" xmlns:sl-bag-extract="http://www.kadaster.nl/schemas/lvbag/extract-deelbestand-lvc/v20200601" xmlns:sl="http://www.kadaster.nl/schemas/standlevering-generiek/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema">
    <sl-bag-extract:bagInfo>
        <selecties-extract:LVC-Extract>
            <selecties-extract:StandTechnischeDatum>2020-09-15</selecties-extract:StandTechnischeDatum>
        </selecties-extract:LVC-Extract>
    </sl-bag-extract:bagInfo>
    <sl:standBestand>
        <sl:dataset>LVBAG</sl:dataset>
        <sl:inhoud>
            <sl:gebied>"#;
const HEAD_2: &str = r#"</sl:gebied>
            <sl:leveringsId>0000000001</sl:leveringsId>
            <sl:objectTypen>
                <sl:objectType>"#;
const HEAD_3: &str = "</sl:objectType>\n            </sl:objectTypen>\n        </sl:inhoud>\n        <sl:stand>\n";
const TAIL: &str = "        </sl:stand>\n    </sl:standBestand>\n</sl-bag-extract:bagStand>\n";

fn voorkomen(out: &mut String, n: u32, begin: &str, ended: Option<&str>) {
    out.push_str("<Objecten:voorkomen><Historie:Voorkomen><Historie:voorkomenidentificatie>");
    out.push_str(&n.to_string());
    out.push_str("</Historie:voorkomenidentificatie><Historie:beginGeldigheid>");
    out.push_str(begin);
    out.push_str("</Historie:beginGeldigheid>");
    if let Some(end) = ended {
        out.push_str("<Historie:eindGeldigheid>");
        out.push_str(end);
        out.push_str("</Historie:eindGeldigheid>");
    }
    out.push_str("<Historie:tijdstipRegistratie>");
    out.push_str(begin);
    out.push_str("T10:00:00.000</Historie:tijdstipRegistratie>");
    if let Some(end) = ended {
        out.push_str("<Historie:eindRegistratie>");
        out.push_str(end);
        out.push_str("T10:00:00.000</Historie:eindRegistratie>");
    }
    out.push_str("<Historie:BeschikbaarLV><Historie:tijdstipRegistratieLV>");
    out.push_str(begin);
    out.push_str("T10:05:00.000</Historie:tijdstipRegistratieLV>");
    if let Some(end) = ended {
        out.push_str("<Historie:tijdstipEindRegistratieLV>");
        out.push_str(end);
        out.push_str("T10:05:00.000</Historie:tijdstipEindRegistratieLV>");
    }
    out.push_str("</Historie:BeschikbaarLV></Historie:Voorkomen></Objecten:voorkomen>\n");
}

/// One object record: `<sl-bag-extract:bagObject>` around `body`.
fn object(out: &mut String, kind: &str, body: impl FnOnce(&mut String)) {
    out.push_str("            <sl-bag-extract:bagObject><Objecten:");
    out.push_str(kind);
    out.push('>');
    body(out);
    out.push_str("</Objecten:");
    out.push_str(kind);
    out.push_str("></sl-bag-extract:bagObject>\n");
}

fn vbo(spec: &Spec, out: &mut String, i: u64, occurrence: u32, ended: bool) {
    object(out, "Verblijfsobject", |o| {
        o.push_str(
            "<Objecten:heeftAlsHoofdadres><Objecten-ref:NummeraanduidingRef domein=\"NL.IMBAG.Nummeraanduiding\">",
        );
        o.push_str(&spec.id("20", i));
        o.push_str("</Objecten-ref:NummeraanduidingRef></Objecten:heeftAlsHoofdadres>");
        if spec.has_side(i) && !ended {
            o.push_str(
                "<Objecten:heeftAlsNevenadres><Objecten-ref:NummeraanduidingRef domein=\"NL.IMBAG.Nummeraanduiding\">",
            );
            o.push_str(&spec.id("20", spec.objects + i));
            o.push_str("</Objecten-ref:NummeraanduidingRef></Objecten:heeftAlsNevenadres>");
        }
        let (begin, end) = if ended { ("2011-09-06", Some("2019-01-15")) } else { ("2019-01-15", None) };
        voorkomen(o, occurrence, begin, end);
        o.push_str("<Objecten:identificatie domein=\"NL.IMBAG.Verblijfsobject\">");
        o.push_str(&spec.id("01", i));
        let (x, y) = spec.position(i);
        o.push_str(&format!(
            "</Objecten:identificatie><Objecten:geometrie><Objecten:punt><gml:Point srsName=\"urn:ogc:def:crs:EPSG::28992\" srsDimension=\"3\"><gml:pos>{x:.3} {y:.3} 0.0</gml:pos></gml:Point></Objecten:punt></Objecten:geometrie>"
        ));
        let use_ = if spec.h(i, 4).is_multiple_of(20) { "kantoorfunctie" } else { "woonfunctie" };
        let area = if ended { spec.floor_area(i) + 10 } else { spec.floor_area(i) };
        o.push_str(&format!(
            "<Objecten:gebruiksdoel>{use_}</Objecten:gebruiksdoel><Objecten:oppervlakte>{area}</Objecten:oppervlakte><Objecten:status>Verblijfsobject in gebruik</Objecten:status><Objecten:geconstateerd>N</Objecten:geconstateerd><Objecten:documentdatum>2019-01-15</Objecten:documentdatum><Objecten:documentnummer>BAG/GEN{i}</Objecten:documentnummer><Objecten:maaktDeelUitVan><Objecten-ref:PandRef domein=\"NL.IMBAG.Pand\">{}</Objecten-ref:PandRef></Objecten:maaktDeelUitVan>",
            spec.id("10", i / 4)
        ));
    });
}

/// Nummeraanduiding `n`: the main address of object `n`, or (from `objects` on) the side
/// address of object `n - objects`.
fn num(spec: &Spec, out: &mut String, n: u64) {
    let (i, letter) = if n < spec.objects { (n, None) } else { (n - spec.objects, Some("A")) };
    let (postcode, number) = spec.address(i);
    object(out, "Nummeraanduiding", |o| {
        o.push_str("<Objecten:identificatie domein=\"NL.IMBAG.Nummeraanduiding\">");
        o.push_str(&spec.id("20", n));
        o.push_str(&format!("</Objecten:identificatie><Objecten:huisnummer>{number}</Objecten:huisnummer>"));
        if let Some(l) = letter {
            o.push_str(&format!("<Objecten:huisletter>{l}</Objecten:huisletter>"));
        }
        o.push_str(&format!(
            "<Objecten:postcode>{postcode}</Objecten:postcode><Objecten:typeAdresseerbaarObject>Verblijfsobject</Objecten:typeAdresseerbaarObject><Objecten:status>Naamgeving uitgegeven</Objecten:status><Objecten:geconstateerd>N</Objecten:geconstateerd><Objecten:documentdatum>2009-01-20</Objecten:documentdatum><Objecten:documentnummer>BAG/GEN{n}</Objecten:documentnummer>"
        ));
        voorkomen(o, 1, "2009-01-20", None);
        o.push_str("<Objecten:ligtAan><Objecten-ref:OpenbareRuimteRef domein=\"NL.IMBAG.Openbareruimte\">");
        o.push_str(&spec.id("30", i / PER_STREET));
        o.push_str("</Objecten-ref:OpenbareRuimteRef></Objecten:ligtAan>");
    });
}

fn opr(spec: &Spec, out: &mut String, s: u64) {
    object(out, "OpenbareRuimte", |o| {
        o.push_str(&format!(
            "<Objecten:identificatie domein=\"NL.IMBAG.Openbareruimte\">{}</Objecten:identificatie><Objecten:naam>Generatorstraat {}</Objecten:naam><Objecten:type>Weg</Objecten:type><Objecten:status>Naamgeving uitgegeven</Objecten:status><Objecten:geconstateerd>N</Objecten:geconstateerd><Objecten:documentdatum>2009-01-20</Objecten:documentdatum><Objecten:documentnummer>BAG/OPR{s}</Objecten:documentnummer><Objecten:ligtIn><Objecten-ref:WoonplaatsRef domein=\"NL.IMBAG.Woonplaats\">{}</Objecten-ref:WoonplaatsRef></Objecten:ligtIn>",
            spec.id("30", s),
            s + 1,
            place_id(s / STREETS_PER_PLACE)
        ));
        voorkomen(o, 1, "2009-01-20", None);
    });
}

fn place_id(w: u64) -> String {
    format!("{:04}", 1000 + w % 9000)
}

fn wpl(spec: &Spec, out: &mut String, w: u64) {
    let (x, y) = spec.centre;
    object(out, "Woonplaats", |o| {
        o.push_str(&format!(
            "<Objecten:identificatie domein=\"NL.IMBAG.Woonplaats\">{}</Objecten:identificatie><Objecten:naam>Generatorplaats {}</Objecten:naam><Objecten:geometrie><Objecten:vlak><gml:Polygon srsName=\"urn:ogc:def:crs:EPSG::28992\" srsDimension=\"2\"><gml:exterior><gml:LinearRing><gml:posList count=\"4\">{:.1} {:.1} {:.1} {:.1} {:.1} {:.1} {:.1} {:.1}</gml:posList></gml:LinearRing></gml:exterior></gml:Polygon></Objecten:vlak></Objecten:geometrie><Objecten:status>Woonplaats aangewezen</Objecten:status><Objecten:geconstateerd>N</Objecten:geconstateerd><Objecten:documentdatum>2009-01-20</Objecten:documentdatum><Objecten:documentnummer>BRA/WPL{w}</Objecten:documentnummer>",
            place_id(w),
            w + 1,
            x - 100.0,
            y - 100.0,
            x + 100.0,
            y - 100.0,
            x,
            y + 100.0,
            x - 100.0,
            y - 100.0
        ));
        voorkomen(o, 1, "2009-01-20", None);
    });
}

/// Where the files go, type by type.
trait Sink {
    fn begin(&mut self, _kind: &str) -> anyhow::Result<()> {
        Ok(())
    }
    fn write(&mut self, name: &str, text: &str) -> anyhow::Result<()>;
    fn end(&mut self) -> anyhow::Result<()> {
        Ok(())
    }
}

struct Folder(PathBuf);

impl Sink for Folder {
    fn write(&mut self, name: &str, text: &str) -> anyhow::Result<()> {
        Ok(std::fs::write(self.0.join(name), text)?)
    }
}

type ZipFile = zip::ZipWriter<BufWriter<File>>;

fn deflated(z: &mut ZipFile, name: &str, text: &str) -> anyhow::Result<()> {
    let options =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).compression_level(Some(1));
    z.start_file(name, options)?;
    z.write_all(text.as_bytes())?;
    Ok(())
}

fn new_zip(path: &Path) -> anyhow::Result<ZipFile> {
    Ok(zip::ZipWriter::new(BufWriter::new(File::create(path)?)))
}

struct OneZip(ZipFile);

impl Sink for OneZip {
    fn write(&mut self, name: &str, text: &str) -> anyhow::Result<()> {
        deflated(&mut self.0, name, text)
    }
}

/// Per type an inner zip in a temporary folder, later stored in the outer zip.
struct Nested {
    dir: PathBuf,
    municipality: u16,
    current: Option<ZipFile>,
    parts: Vec<PathBuf>,
}

impl Sink for Nested {
    fn begin(&mut self, kind: &str) -> anyhow::Result<()> {
        let path = self.dir.join(format!("{:04}{kind}{STAND}.zip", self.municipality));
        self.current = Some(new_zip(&path)?);
        self.parts.push(path);
        Ok(())
    }
    fn write(&mut self, name: &str, text: &str) -> anyhow::Result<()> {
        let z = self.current.as_mut().ok_or_else(|| anyhow::anyhow!("no inner zip open"))?;
        deflated(z, name, text)
    }
    fn end(&mut self) -> anyhow::Result<()> {
        if let Some(z) = self.current.take() {
            z.finish()?.flush()?;
        }
        Ok(())
    }
}

/// Writes the files of one object type: `PER_FILE` numbers per file; `each` writes the
/// objects of a number and says how many occurrences it wrote.
fn write_type(
    spec: &Spec,
    sink: &mut dyn Sink,
    kind: &str,
    mut numbers: impl Iterator<Item = u64>,
    each: &dyn Fn(&mut String, u64) -> u64,
    made: &mut Generated,
) -> anyhow::Result<()> {
    sink.begin(kind)?;
    let area = if spec.municipality == 9999 { "NLD" } else { "GEMEENTE" };
    for file_no in 1.. {
        let chunk: Vec<u64> = numbers.by_ref().take(PER_FILE as usize).collect();
        if chunk.is_empty() {
            break;
        }
        let mut text = String::with_capacity(16 * 1024 * 1024);
        text.push_str(HEAD_1);
        text.push_str(area);
        text.push_str(HEAD_2);
        text.push_str(kind);
        text.push_str(HEAD_3);
        for n in chunk {
            made.occurrences += each(&mut text, n);
        }
        text.push_str(TAIL);
        made.xml_bytes += text.len() as u64;
        sink.write(&format!("{:04}{kind}{STAND}-{file_no:06}.xml", spec.municipality), &text)?;
    }
    sink.end()
}

fn write_all(spec: &Spec, sink: &mut dyn Sink, made: &mut Generated) -> anyhow::Result<()> {
    made.verblijfsobjecten = spec.objects;
    made.nummeraanduidingen = spec.objects + (0..spec.objects).filter(|i| spec.has_side(*i)).count() as u64;
    made.openbare_ruimten = spec.streets();
    made.woonplaatsen = spec.places();
    write_type(
        spec,
        sink,
        "WPL",
        0..spec.places(),
        &|o, w| {
            wpl(spec, o, w);
            1
        },
        made,
    )?;
    write_type(
        spec,
        sink,
        "OPR",
        0..spec.streets(),
        &|o, s| {
            opr(spec, o, s);
            1
        },
        made,
    )?;
    // Side addresses are numbered after the main ones: number `objects + i` for object `i`.
    let sides = (0..spec.objects).filter(|i| spec.has_side(*i)).map(|i| spec.objects + i);
    write_type(
        spec,
        sink,
        "NUM",
        (0..spec.objects).chain(sides),
        &|o, n| {
            num(spec, o, n);
            1
        },
        made,
    )?;
    let vbos = |o: &mut String, i: u64| {
        // One in ten has an earlier occurrence that ended: the import keeps the current one.
        let earlier = spec.h(i, 5).is_multiple_of(10);
        if earlier {
            vbo(spec, o, i, 1, true);
        }
        vbo(spec, o, i, 1 + u32::from(earlier), false);
        1 + u64::from(earlier)
    };
    write_type(spec, sink, "VBO", 0..spec.objects, &vbos, made)
}

/// Writes the extract to `out` in `layout`, and the matching BRP extract to `brp`.
pub fn generate(spec: &Spec, layout: Layout, out: &Path, brp: Option<&Path>) -> anyhow::Result<Generated> {
    anyhow::ensure!(spec.objects > 0 && spec.objects <= 20_000_000, "objects: between 1 and 20,000,000");
    let mut made = Generated::default();
    match layout {
        Layout::Folder => {
            std::fs::create_dir_all(out)?;
            write_all(spec, &mut Folder(out.to_path_buf()), &mut made)?;
        }
        Layout::Zip => {
            let mut sink = OneZip(new_zip(out)?);
            write_all(spec, &mut sink, &mut made)?;
            sink.0.finish()?.flush()?;
        }
        Layout::National => {
            let dir = out.with_extension("parts");
            std::fs::create_dir_all(&dir)?;
            let mut sink =
                Nested { dir: dir.clone(), municipality: spec.municipality, current: None, parts: Vec::new() };
            write_all(spec, &mut sink, &mut made)?;
            // The inner zips stored as they are, as Kadaster delivers them.
            let mut outer = new_zip(out)?;
            let stored =
                SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored).large_file(true);
            for path in &sink.parts {
                let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                outer.start_file(name, stored)?;
                std::io::copy(&mut File::open(path)?, &mut outer)?;
            }
            outer.finish()?.flush()?;
            std::fs::remove_dir_all(&dir)?;
        }
    }
    if let Some(path) = brp {
        write_brp(spec, path, &mut made)?;
    }
    Ok(made)
}

/// The BRP extract of the same addresses: counts per postcode and number.
fn write_brp(spec: &Spec, path: &Path, made: &mut Generated) -> anyhow::Result<()> {
    let mut w = BufWriter::new(File::create(path)?);
    writeln!(w, "{}", flexwonen_core::brp_extract::COLUMNS.join(";"))?;
    for i in 0..spec.objects {
        if let Some((persons, recent)) = spec.registered(i) {
            let (postcode, number) = spec.address(i);
            writeln!(w, "{postcode};{number};;;;{persons};{recent}")?;
            made.brp_addresses += 1;
            made.brp_registered += persons;
        }
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flexwonen_core::bag::{BagFileReader, BagRecord};

    fn spec(objects: u64) -> Spec {
        Spec {
            municipality: 599,
            objects,
            seed: 7,
            centre: (92_500.0, 437_500.0),
            spread: 4_000.0,
            postcode_start: 3011,
        }
    }

    #[test]
    fn the_extract_reads_back_whole_and_agrees_with_the_brp_extract() {
        let dir = std::env::temp_dir().join(format!("flexwonen-gen-{}", std::process::id()));
        let brp = dir.with_extension("csv");
        let made = generate(&spec(120), Layout::Folder, &dir, Some(&brp)).unwrap();
        assert_eq!((made.verblijfsobjecten, made.nummeraanduidingen, made.openbare_ruimten), (120, 123, 3));
        let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        names.sort();
        let (mut current_vbo, mut nums) = (0, 0);
        for path in &names {
            let text = std::fs::read(path).unwrap();
            let mut reader = BagFileReader::new(path.display().to_string(), text.as_slice());
            while let Some(r) = reader.next_record().unwrap() {
                match r {
                    BagRecord::Verblijfsobject(v) if v.validity.is_current() => current_vbo += 1,
                    BagRecord::Nummeraanduiding(_) => nums += 1,
                    _ => {}
                }
            }
        }
        assert_eq!((current_vbo, nums), (120, 123));
        let counts = flexwonen_core::brp_extract::parse_brp_extract(&std::fs::read(&brp).unwrap()).unwrap();
        assert_eq!(counts.len() as u64, made.brp_addresses);
        assert!(counts.iter().any(|c| c.registered >= 6), "a few addresses are crowded");
        std::fs::remove_dir_all(&dir).unwrap();
        std::fs::remove_file(&brp).unwrap();
    }
}
