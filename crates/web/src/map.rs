//! Server-side SVG choropleth maps of the Netherlands' municipalities.
//!
//! The outlines are projected from RD New metres to SVG user units once, at start-up
//! ([`MapBase::new`]), and kept as ready-made path strings; [`MapBase::render`] only decides
//! colours and concatenates strings, so a full map of 342 municipalities renders in well under
//! a millisecond.
//!
//! The output needs no JavaScript and no CSS: colours are presentation attributes (which a
//! `style-src 'self'` Content-Security-Policy allows, unlike `style` attributes or an inline
//! `<style>`). The SVG is responsive (`viewBox`, `width="100%"`, no height) and accessible:
//! `<title>` and `<desc>` name and describe it, every municipality carries a `<title>` with its
//! name and value, and with [`MapOptions::link`] every coloured municipality is a keyboard
//! focusable link. The root element has `class="nlmap"`, so the site stylesheet can add a
//! visible focus style, e.g. `.nlmap a:focus-visible path { stroke: #000; stroke-width: 2px }`.

use flexwonen_core::geo::Area;
use flexwonen_core::ids::MunicipalityCode;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// Width of the full map in SVG user units; the legend is laid out for this width too.
const MAP_WIDTH: f64 = 600.0;
/// Height of the legend band below the map, in units of a [`MAP_WIDTH`]-wide map.
const LEGEND_HEIGHT: f64 = 92.0;
/// Boundary width on the full map (scaled along when a region is zoomed in on).
const STROKE_WIDTH: f64 = 0.5;

/// The sequential classes, light to dark: the five darkest of ColorBrewer's 7-class "Blues",
/// a single-hue scale that is safe for colour-blind readers. The lightest is dark enough that
/// the white boundaries stay visible on it.
pub const CLASS_COLOURS: [&str; 5] = ["#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"];
/// Dots: dark red with a white ring, visible on every class colour and on grey.
const POINT_COLOUR: &str = "#a50f15";
/// Municipalities without a value, or with 0.
pub const NO_DATA_COLOUR: &str = "#d4d4d4";
/// Municipalities outside the highlighted region (drawn for context only).
const CONTEXT_FILL: &str = "#f0f0f0";
const CONTEXT_STROKE: &str = "#c4c4c4";
const TEXT_COLOUR: &str = "#1a1a1a";
const SWATCH_STROKE: &str = "#666666";

/// How a map is rendered. All text is used as given (the caller translates it) and escaped here.
#[derive(Debug, Clone, Copy, Default)]
pub struct MapOptions<'a> {
    /// Prefix for the element ids (`{id}-title`, `{id}-desc`); must be unique on the page.
    /// Empty means `nlmap`.
    pub id: &'a str,
    /// The accessible name, e.g. "Bedden per gemeente".
    pub title: &'a str,
    /// The accessible description.
    pub desc: &'a str,
    /// Only these municipalities (GM codes) are coloured, the others are light grey context,
    /// and the view zooms to their extent. The classes are computed from their values only.
    pub highlight: Option<&'a [String]>,
    /// If set, every coloured municipality links to `{link}{GMCODE}`.
    pub link: Option<&'a str>,
    /// Heading of the legend, e.g. "bedden" / "beds".
    pub legend_label: &'a str,
    /// Legend entry and title text for municipalities without a value, e.g. "geen" / "none".
    pub no_data_label: &'a str,
    /// Unit in each municipality's title: "Westland: 1.234 bedden".
    pub value_label: &'a str,
    /// Fixed classes (inclusive, ascending; the last may end at `i64::MAX`) instead of
    /// classes from the values' quintiles; values below the first class have no data.
    pub classes: Option<&'a [(i64, i64)]>,
    /// Places drawn as dots over the municipalities (an address's signals, say).
    pub points: &'a [MapPoint],
    /// The legend's words for a dot.
    pub points_label: &'a str,
}

/// A dot on the map at an RD New position, with its accessible title and a link.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPoint {
    pub x: f64,
    pub y: f64,
    pub title: String,
    pub href: String,
}

struct Shape {
    code: String,
    /// The name, already escaped for XML.
    name: String,
    /// The path data, in SVG user units.
    d: String,
    /// Bounding box in SVG user units: min x, min y, max x, max y.
    bbox: [f64; 4],
}

/// Projected municipality outlines, built once at start-up (parse + project + path strings
/// cached).
pub struct MapBase {
    shapes: Vec<Shape>,
    /// Bounding box of all shapes in SVG user units.
    extent: [f64; 4],
    /// Sum of the path data lengths, to size the output buffer.
    path_bytes: usize,
    /// The projection: RD New (x, y) to SVG units is ((x - origin.0) * scale, (origin.1 - y) * scale).
    origin: (f64, f64),
    scale: f64,
}

impl MapBase {
    /// Projects the boundaries (RD New metres, y north) to a map about 600 units wide, y down.
    /// `names` maps GM codes to names; a municipality without a name is titled by its code.
    pub fn new(boundaries: &[(MunicipalityCode, Area)], names: &HashMap<String, String>) -> MapBase {
        let (mut minx, mut miny, mut maxx, mut maxy) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for p in boundaries
            .iter()
            .flat_map(|(_, a)| a.polygons.iter().flat_map(|p| p.rings.iter().flatten()))
            .filter(|p| p.x.is_finite() && p.y.is_finite())
        {
            minx = minx.min(p.x);
            miny = miny.min(p.y);
            maxx = maxx.max(p.x);
            maxy = maxy.max(p.y);
        }
        let scale = if maxx > minx { MAP_WIDTH / (maxx - minx) } else { 1.0 };
        // Coordinates are kept as whole tenths of a unit, so relative steps add up exactly.
        let project = |x: f64, y: f64| -> (i64, i64) {
            (((x - minx) * scale * 10.0).round() as i64, ((maxy - y) * scale * 10.0).round() as i64)
        };

        let mut shapes = Vec::with_capacity(boundaries.len());
        let mut extent = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
        let mut path_bytes = 0;
        for (code, area) in boundaries {
            let mut d = String::new();
            let mut bb = [i64::MAX, i64::MAX, i64::MIN, i64::MIN];
            for ring in area.polygons.iter().flat_map(|p| &p.rings) {
                let mut pts: Vec<(i64, i64)> = Vec::with_capacity(ring.len());
                for p in ring.iter().filter(|p| p.x.is_finite() && p.y.is_finite()) {
                    let q = project(p.x, p.y);
                    if pts.last() != Some(&q) {
                        pts.push(q);
                    }
                }
                while pts.len() > 1 && pts.first() == pts.last() {
                    pts.pop();
                }
                if pts.len() < 3 {
                    continue; // smaller than the map's resolution
                }
                for &(x, y) in &pts {
                    bb = [bb[0].min(x), bb[1].min(y), bb[2].max(x), bb[3].max(y)];
                }
                d.push('M');
                push_tenths(&mut d, pts[0].0);
                push_number_sep(&mut d, pts[0].1);
                d.push('l');
                for w in pts.windows(2) {
                    if !d.ends_with('l') {
                        push_number_sep(&mut d, w[1].0 - w[0].0);
                    } else {
                        push_tenths(&mut d, w[1].0 - w[0].0);
                    }
                    push_number_sep(&mut d, w[1].1 - w[0].1);
                }
                d.push('z');
            }
            let bbox = if bb[0] <= bb[2] {
                let b = bb.map(|v| v as f64 / 10.0);
                extent = [extent[0].min(b[0]), extent[1].min(b[1]), extent[2].max(b[2]), extent[3].max(b[3])];
                b
            } else {
                [0.0; 4]
            };
            let code = code.as_str().to_string();
            let name = escape(names.get(&code).map_or(code.as_str(), String::as_str));
            path_bytes += d.len();
            shapes.push(Shape { code, name, d, bbox });
        }
        if extent[0] > extent[2] {
            extent = [0.0, 0.0, MAP_WIDTH, MAP_WIDTH];
        }
        MapBase { shapes, extent, path_bytes, origin: (minx, maxy), scale }
    }

    /// Number of municipalities in the base.
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// `values`: GM code -> value (e.g. beds); values of 0 or less and missing codes fall in the
    /// "no data" class. See [`MapOptions`] for the rest.
    pub fn render(&self, values: &HashMap<String, i64>, opts: &MapOptions) -> String {
        let id = escape(if opts.id.is_empty() { "nlmap" } else { opts.id });
        let highlight: Option<HashSet<&str>> = opts.highlight.map(|h| h.iter().map(String::as_str).collect());
        let coloured = |s: &Shape| highlight.as_ref().is_none_or(|h| h.contains(s.code.as_str()));

        // The view: the whole country, or the highlighted municipalities with a margin.
        let region = highlight.as_ref().and_then(|_| {
            self.shapes
                .iter()
                .filter(|s| coloured(s) && !s.d.is_empty())
                .map(|s| s.bbox)
                .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])])
        });
        let [vx, vy, vw, vh] = match region {
            Some(b) => zoom_view(b),
            None => {
                let e = self.extent;
                [e[0] - 2.0, e[1] - 2.0, e[2] - e[0] + 4.0, e[3] - e[1] + 4.0]
            }
        };
        let zoomed = region.is_some();
        let visible =
            |s: &Shape| !zoomed || (s.bbox[2] >= vx && s.bbox[0] <= vx + vw && s.bbox[3] >= vy && s.bbox[1] <= vy + vh);
        let k = vw / MAP_WIDTH; // legend and stroke scale
        let total_h = vh + LEGEND_HEIGHT * k;

        let ranges = match opts.classes {
            Some(fixed) => fixed.to_vec(),
            None => {
                class_ranges(self.shapes.iter().filter(|s| coloured(s)).filter_map(|s| values.get(&s.code).copied()))
            }
        };

        let mut out = String::with_capacity(self.path_bytes + self.shapes.len() * 140 + 3000);
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{} {} {} {}\" width=\"100%\" \
             role=\"{}\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" \
             id=\"{id}\" class=\"nlmap\" font-family=\"system-ui, -apple-system, 'Segoe UI', \
             Roboto, Arial, sans-serif\">",
            Tenths(vx),
            Tenths(vy),
            Tenths(vw),
            Tenths(total_h),
            // Children of role="img" are presentational, which would hide the links.
            if opts.link.is_some() { "group" } else { "img" },
        );
        let _ = write!(out, "<title id=\"{id}-title\">");
        escape_into(&mut out, opts.title);
        let _ = write!(out, "</title><desc id=\"{id}-desc\">");
        escape_into(&mut out, opts.desc);
        out.push_str("</desc>");
        let stroke_w = Fixed3(STROKE_WIDTH * k);

        // Context first, underneath the region, without links and hidden from assistive tech.
        // Clipped to the view, so it does not run on under the legend.
        if zoomed {
            let _ = write!(
                out,
                "<clipPath id=\"{id}-clip\"><rect x=\"{}\" y=\"{}\" width=\"{}\" \
                 height=\"{}\"/></clipPath><g clip-path=\"url(#{id}-clip)\">",
                Tenths(vx),
                Tenths(vy),
                Tenths(vw),
                Tenths(vh)
            );
            let _ = write!(
                out,
                "<g fill=\"{CONTEXT_FILL}\" stroke=\"{CONTEXT_STROKE}\" stroke-width=\"{stroke_w}\" \
                 stroke-linejoin=\"round\" aria-hidden=\"true\">"
            );
            for s in self.shapes.iter().filter(|s| !coloured(s) && visible(s)) {
                out.push_str("<path d=\"");
                out.push_str(&s.d);
                out.push_str("\"><title>");
                out.push_str(&s.name);
                out.push_str("</title></path>");
            }
            out.push_str("</g>");
        }

        let value_label = escape(opts.value_label);
        let no_data = escape(opts.no_data_label);
        let link = opts.link.map(escape);
        let _ = write!(
            out,
            "<g stroke=\"#ffffff\" stroke-width=\"{stroke_w}\" stroke-linejoin=\"round\" \
             fill-rule=\"evenodd\">"
        );
        for s in self.shapes.iter().filter(|s| coloured(s) && visible(s)) {
            let value = values.get(&s.code).copied();
            let fill = value.map_or(NO_DATA_COLOUR, |v| colour_of(v, &ranges));
            let mut title = String::with_capacity(s.name.len() + 24);
            title.push_str("<title>");
            title.push_str(&s.name);
            title.push_str(": ");
            match value {
                Some(v) => {
                    title.push_str(&format_nl(v));
                    if !value_label.is_empty() {
                        title.push(' ');
                        title.push_str(&value_label);
                    }
                }
                None => title.push_str(&no_data),
            }
            title.push_str("</title>");
            match &link {
                // The title names the link, so it goes on the <a> itself.
                Some(prefix) => {
                    let _ =
                        write!(out, "<a href=\"{prefix}{}\">{title}<path d=\"{}\" fill=\"{fill}\"/></a>", s.code, s.d);
                }
                None => {
                    let _ = write!(out, "<path d=\"{}\" fill=\"{fill}\">{title}</path>", s.d);
                }
            }
        }
        out.push_str("</g>");
        if !opts.points.is_empty() {
            let _ =
                write!(out, "<g fill=\"#a50f15\" stroke=\"#ffffff\" stroke-width=\"{}\">", Fixed3(STROKE_WIDTH * k));
            let r = Fixed3(2.5 * k);
            for p in opts.points.iter().filter(|p| p.x.is_finite() && p.y.is_finite()) {
                let (cx, cy) = ((p.x - self.origin.0) * self.scale, (self.origin.1 - p.y) * self.scale);
                let title = escape(&p.title);
                let dot = format!(
                    "<circle cx=\"{}\" cy=\"{}\" r=\"{r}\"><title>{title}</title></circle>",
                    Fixed3(cx),
                    Fixed3(cy)
                );
                if p.href.is_empty() {
                    out.push_str(&dot);
                } else {
                    let _ = write!(out, "<a href=\"{}\">{dot}</a>", escape(&p.href));
                }
            }
            out.push_str("</g>");
        }
        if zoomed {
            out.push_str("</g>");
        }

        // The legend, in a band below the map, laid out for a 600-unit width and scaled along.
        let _ = write!(
            out,
            "<g transform=\"translate({} {}) scale({})\" fill=\"{TEXT_COLOUR}\" font-size=\"15\">",
            Fixed3(vx),
            Fixed3(vy + vh),
            Fixed4(k)
        );
        out.push_str("<text x=\"8\" y=\"24\" font-size=\"16\" font-weight=\"bold\">");
        escape_into(&mut out, opts.legend_label);
        out.push_str("</text>");
        let entries = ranges
            .iter()
            .enumerate()
            .map(|(i, &(lo, hi))| {
                let label = if lo == hi {
                    format_nl(lo)
                } else if hi == i64::MAX {
                    format!("\u{2265} {}", format_nl(lo))
                } else {
                    format!("{}\u{2013}{}", format_nl(lo), format_nl(hi))
                };
                (class_colour(i, ranges.len()), label)
            })
            .chain(std::iter::once((NO_DATA_COLOUR, no_data.clone())));
        let mut count = 0;
        for (i, (colour, label)) in entries.enumerate() {
            let (x, y) = (8 + (i % 3) * 196, 36 + (i / 3) * 26);
            let _ = write!(
                out,
                "<rect x=\"{x}\" y=\"{y}\" width=\"18\" height=\"18\" fill=\"{colour}\" \
                 stroke=\"{SWATCH_STROKE}\" stroke-width=\"0.5\"/>\
                 <text x=\"{}\" y=\"{}\">{label}</text>",
                x + 26,
                y + 14
            );
            count = i + 1;
        }
        if !opts.points.is_empty() {
            let (x, y) = (8 + (count % 3) * 196, 36 + (count / 3) * 26);
            let _ = write!(
                out,
                "<circle cx=\"{}\" cy=\"{}\" r=\"6\" fill=\"{POINT_COLOUR}\" stroke=\"#ffffff\"/>\
                 <text x=\"{}\" y=\"{}\">",
                x + 9,
                y + 9,
                x + 26,
                y + 14
            );
            escape_into(&mut out, opts.points_label);
            out.push_str("</text>");
        }
        out.push_str("</g></svg>");
        out
    }
}

/// A view box around a region's bounding box: a margin, and not too thin in either direction
/// so the legend below it stays readable.
fn zoom_view(b: [f64; 4]) -> [f64; 4] {
    let (mut w, mut h) = ((b[2] - b[0]).max(1.0), (b[3] - b[1]).max(1.0));
    let margin = 0.06 * w.max(h) + 2.0;
    w += 2.0 * margin;
    h += 2.0 * margin;
    let (cx, cy) = ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0);
    w = w.max(0.75 * h);
    h = h.max(0.5 * w);
    [cx - w / 2.0, cy - h / 2.0, w, h]
}

/// Up to five classes (inclusive ranges, ascending) for the positive values: upper bounds at
/// the quintiles, rounded up to nice numbers; the last class ends at the largest value.
/// Values of 0 or less are left out (they belong to the "no data" class). Fewer classes come
/// out when the values are few or alike; none when there are no positive values.
pub fn class_ranges(values: impl IntoIterator<Item = i64>) -> Vec<(i64, i64)> {
    let mut v: Vec<i64> = values.into_iter().filter(|&v| v > 0).collect();
    if v.is_empty() {
        return Vec::new();
    }
    v.sort_unstable();
    let n = v.len();
    let max = v[n - 1];
    let mut uppers: Vec<i64> = Vec::with_capacity(5);
    for j in 1..5 {
        let q = nice_ceil(v[(j * n).div_ceil(5) - 1]);
        if q < max && uppers.last().is_none_or(|&last| q > last) {
            uppers.push(q);
        }
    }
    uppers.push(max);
    let mut lo = 1;
    uppers
        .into_iter()
        .map(|hi| {
            let r = (lo, hi);
            lo = hi.saturating_add(1);
            r
        })
        .collect()
}

/// The colour of class `i` of `n`: spread over the scale, the top class always the darkest.
pub fn class_colour(i: usize, n: usize) -> &'static str {
    let last = CLASS_COLOURS.len() - 1;
    if n <= 1 {
        return CLASS_COLOURS[last];
    }
    CLASS_COLOURS[((i * last) as f64 / (n - 1) as f64).round() as usize]
}

/// The fill for a value under the given classes (none below the first).
pub fn colour_of(value: i64, ranges: &[(i64, i64)]) -> &'static str {
    if ranges.first().is_none_or(|&(lo, _)| value < lo) {
        return NO_DATA_COLOUR;
    }
    let i = ranges.iter().position(|&(_, hi)| value <= hi).unwrap_or(ranges.len() - 1);
    class_colour(i, ranges.len())
}

/// The smallest "nice" number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5 times a power of ten) that is at
/// least `v`; numbers up to 10 are returned as they are.
fn nice_ceil(v: i64) -> i64 {
    if v <= 10 {
        return v;
    }
    let mut p: i64 = 10;
    while p <= v / 10 {
        p *= 10;
    }
    // p is the power of ten with p <= v < 10p, and at least 10, so p / 2 * 3 etc. are exact.
    [p, p / 2 * 3, 2 * p, p / 2 * 5, 3 * p, 4 * p, 5 * p, 6 * p, p / 2 * 15, 10 * p]
        .into_iter()
        .find(|&c| c >= v)
        .unwrap_or(v)
}

/// A whole number with Dutch thousands separators: `1234567` -> `1.234.567`.
pub fn format_nl(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    // Digits are ASCII, so byte slicing is safe.
    let mut i = match digits.len() % 3 {
        0 => 3,
        r => r,
    };
    out.push_str(&digits[..i]);
    while i < digits.len() {
        out.push('.');
        out.push_str(&digits[i..i + 3]);
        i += 3;
    }
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// Escapes text for XML content and attribute values.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters other than tab and newlines are not allowed in XML 1.0.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

/// Writes a number of tenths compactly: `12` -> `1.2`, `-3` -> `-.3`, `40` -> `4`.
fn push_tenths(out: &mut String, t: i64) {
    if t < 0 {
        out.push('-');
    }
    let (whole, frac) = (t.unsigned_abs() / 10, t.unsigned_abs() % 10);
    if whole > 0 || frac == 0 {
        let _ = write!(out, "{whole}");
    }
    if frac > 0 {
        out.push('.');
        out.push((b'0' + frac as u8) as char);
    }
}

/// A second number in a path: a minus sign separates it already, else a space.
fn push_number_sep(out: &mut String, t: i64) {
    if t >= 0 {
        out.push(' ');
    }
    push_tenths(out, t);
}

/// Displays a float rounded to one decimal, compactly.
struct Tenths(f64);
impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut s = String::new();
        push_tenths(&mut s, (self.0 * 10.0).round() as i64);
        f.write_str(&s)
    }
}

/// Displays a float with up to three decimals, without trailing zeros.
struct Fixed3(f64);
impl std::fmt::Display for Fixed3 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        trimmed(f, format!("{:.3}", self.0))
    }
}

/// Displays a float with up to four decimals, without trailing zeros.
struct Fixed4(f64);
impl std::fmt::Display for Fixed4 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        trimmed(f, format!("{:.4}", self.0))
    }
}

fn trimmed(f: &mut std::fmt::Formatter<'_>, s: String) -> std::fmt::Result {
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.') } else { &s };
    f.write_str(if s == "-0" { "0" } else { s })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flexwonen_core::geography::{
        BOUNDARIES_RD_GEOJSON, MUNICIPALITIES_CSV, parse_boundaries, parse_municipalities,
    };

    fn base_with(names: &HashMap<String, String>) -> MapBase {
        let boundaries = parse_boundaries(BOUNDARIES_RD_GEOJSON).unwrap();
        MapBase::new(&boundaries, names)
    }

    fn names() -> HashMap<String, String> {
        parse_municipalities(MUNICIPALITIES_CSV).unwrap().into_iter().map(|m| (m.code.to_string(), m.name)).collect()
    }

    /// Every municipality gets a value, spread over several orders of magnitude; a few get none.
    fn values(base: &MapBase) -> HashMap<String, i64> {
        base.shapes
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 17 != 3)
            .map(|(i, s)| (s.code.clone(), ((i * 7919) % 342) as i64 * (1 + (i % 5) as i64 * 40)))
            .collect()
    }

    fn opts<'a>() -> MapOptions<'a> {
        MapOptions {
            id: "kaart",
            title: "Bedden per gemeente",
            desc: "Kaart van Nederland met het aantal bedden per gemeente.",
            highlight: None,
            link: None,
            legend_label: "bedden",
            no_data_label: "geen",
            value_label: "bedden",
            classes: None,
            points: &[],
            points_label: "",
        }
    }

    #[test]
    fn points_are_dots_with_a_title_and_a_link() {
        let base = base_with(&names());
        let code = base.shapes[0].code.clone();
        let highlight = [code];
        let points = [
            MapPoint { x: 155_000.0, y: 463_000.0, title: "Laan 1 & 2".into(), href: "/signalen/7".into() },
            MapPoint { x: f64::NAN, y: 0.0, title: "nowhere".into(), href: String::new() },
        ];
        let opts = MapOptions { highlight: Some(&highlight), points: &points, points_label: "adres", ..opts() };
        let svg = base.render(&HashMap::new(), &opts);
        assert_well_formed(&svg);
        assert!(!svg.contains("nowhere"), "a point without a position is left out");
        assert_eq!(svg.matches("<circle").count(), 2, "one dot, and one in the legend");
        assert!(svg.contains("<a href=\"/signalen/7\"><circle") && svg.contains("<title>Laan 1 &amp; 2</title>"));
    }

    /// Checks that every tag is closed in order, attributes are quoted, and every `&` starts
    /// one of the five XML entities or a character reference.
    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg "), "starts with <svg");
        assert!(svg.ends_with("</svg>"), "ends with </svg>");
        for (i, _) in svg.match_indices('&') {
            let rest = &svg[i + 1..];
            assert!(
                ["amp;", "lt;", "gt;", "quot;", "apos;", "#"].iter().any(|e| rest.starts_with(e)),
                "unescaped & at {i}: {}",
                &svg[i..(i + 20).min(svg.len())]
            );
        }
        let mut stack: Vec<&str> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            assert!(stack.is_empty() || !rest[..start].contains('>'), "stray > in text");
            let end = start + rest[start..].find('>').expect("unterminated tag");
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "< inside tag: {tag}");
            assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop(), Some(name), "closing tag {name}");
            } else if !tag.ends_with('/') {
                let name = tag.split(' ').next().unwrap();
                stack.push(name);
            }
            rest = &rest[end + 1..];
            if stack.is_empty() {
                assert!(rest.is_empty(), "content after the root element");
            }
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
    }

    fn view_box(svg: &str) -> &str {
        let i = svg.find("viewBox=\"").unwrap() + 9;
        &svg[i..i + svg[i..].find('"').unwrap()]
    }

    /// The fill of the municipality whose title starts with `name: `.
    fn fill_of<'s>(svg: &'s str, name: &str) -> &'s str {
        let t = svg.find(&format!("<title>{name}: ")).unwrap();
        let before = &svg[..t];
        let f = before.rfind("fill=\"").unwrap() + 6;
        &svg[f..f + 7]
    }

    #[test]
    fn format_nl_uses_dots_for_thousands() {
        assert_eq!(format_nl(0), "0");
        assert_eq!(format_nl(250), "250");
        assert_eq!(format_nl(1000), "1.000");
        assert_eq!(format_nl(1234567), "1.234.567");
        assert_eq!(format_nl(-12345), "-12.345");
        assert_eq!(format_nl(i64::MIN), "-9.223.372.036.854.775.808");
    }

    #[test]
    fn classes_are_nice_rising_and_end_at_the_maximum() {
        let r = class_ranges((1..=1000).map(|v| v * 7));
        assert_eq!(r.len(), 5);
        assert_eq!(r[0].0, 1);
        assert_eq!(r.last().unwrap().1, 7000);
        for w in r.windows(2) {
            assert_eq!(w[1].0, w[0].1 + 1);
            assert!(w[1].1 > w[0].1);
        }
        assert_eq!(r[0], (1, 1500));
        assert_eq!(class_ranges([0, -3]), vec![]);
        assert_eq!(class_ranges([5, 5, 5, 0]), vec![(1, 5)]);
        assert_eq!(colour_of(5, &class_ranges([5, 5])), CLASS_COLOURS[4]);
        assert_eq!(colour_of(0, &class_ranges([5, 5])), NO_DATA_COLOUR);
        assert_eq!(nice_ceil(237), 250);
        assert_eq!(nice_ceil(1000), 1000);
        assert_eq!(nice_ceil(1001), 1500);
        assert_eq!(nice_ceil(7), 7);
        assert_eq!(nice_ceil(61), 75);
    }

    #[test]
    fn full_map_has_every_municipality_is_small_and_well_formed() {
        let base = base_with(&names());
        assert_eq!(base.len(), 342);
        let values = values(&base);
        let svg = base.render(&values, &opts());
        assert_eq!(svg.matches("<path ").count(), 342);
        assert!(svg.len() < 150_000, "{} bytes", svg.len());
        assert_well_formed(&svg);
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"kaart-title\""));
        assert!(svg.contains("<title id=\"kaart-title\">Bedden per gemeente</title>"));
        let root = &svg[..svg.find('>').unwrap()];
        assert!(root.contains("width=\"100%\"") && !root.contains("height="));
        assert!(svg.contains(">geen</text>"), "no-data legend entry");
        // Every class appears in the legend and its labels are Dutch-formatted.
        for c in CLASS_COLOURS {
            assert!(svg.contains(&format!("fill=\"{c}\" stroke=\"{SWATCH_STROKE}\"")), "{c}");
        }
        let top = values.iter().max_by_key(|(_, v)| **v).unwrap();
        let top_name = &names()[top.0];
        assert_eq!(fill_of(&svg, top_name), CLASS_COLOURS[4]);
        assert!(svg.contains(&format!("<title>{top_name}: {} bedden</title>", format_nl(*top.1))));
        assert!(svg.contains(&format!("\u{2013}{}</text>", format_nl(*top.1))));
    }

    #[test]
    fn highest_value_gets_the_darkest_class_and_missing_ones_no_data() {
        let base = base_with(&names());
        let mut values = HashMap::new();
        values.insert("GM1783".to_string(), 12_345); // Westland
        values.insert("GM0518".to_string(), 40); // 's-Gravenhage (Den Haag)
        values.insert("GM0599".to_string(), 800); // Rotterdam
        values.insert("GM0363".to_string(), 0); // Amsterdam
        let svg = base.render(&values, &opts());
        assert_eq!(fill_of(&svg, "Westland"), CLASS_COLOURS[4]);
        assert!(svg.contains("<title>Westland: 12.345 bedden</title>"));
        assert_eq!(fill_of(&svg, "Amsterdam"), NO_DATA_COLOUR);
        assert!(svg.contains("<title>Amsterdam: 0 bedden</title>"));
        assert_eq!(fill_of(&svg, "Groningen"), NO_DATA_COLOUR);
        assert!(svg.contains("<title>Groningen: geen</title>"));
        assert_ne!(fill_of(&svg, "&apos;s-Gravenhage"), CLASS_COLOURS[4]);
        assert_well_formed(&svg);
    }

    #[test]
    fn text_is_escaped() {
        let mut names = names();
        names.insert("GM1783".into(), "Wes & \"Land\" <'t>".into());
        let base = base_with(&names);
        let o = MapOptions {
            title: "Bedden & <kamers>",
            desc: "\"Alles\" & 'meer'",
            legend_label: "b&b",
            no_data_label: "<geen>",
            value_label: "bedden & zo",
            link: Some("/gemeente?x=1&code="),
            ..opts()
        };
        let svg = base.render(&HashMap::from([("GM1783".to_string(), 5)]), &o);
        assert_well_formed(&svg);
        assert!(svg.contains("Wes &amp; &quot;Land&quot; &lt;&apos;t&gt;: 5 bedden &amp; zo"));
        assert!(svg.contains("Bedden &amp; &lt;kamers&gt;"));
        assert!(svg.contains("href=\"/gemeente?x=1&amp;code=GM1783\""));
    }

    #[test]
    fn links_make_every_municipality_a_focusable_link() {
        let base = base_with(&names());
        let o = MapOptions { link: Some("/gemeenten/"), ..opts() };
        let svg = base.render(&values(&base), &o);
        assert_well_formed(&svg);
        assert_eq!(svg.matches("<a href=\"/gemeenten/GM").count(), 342);
        assert!(svg.contains("<a href=\"/gemeenten/GM0518\"><title>&apos;s-Gravenhage: "));
        // Links inside role="img" would be presentational.
        assert!(svg.contains("role=\"group\"") && !svg.contains("role=\"img\""));
    }

    #[test]
    fn highlight_zooms_in_and_greys_the_rest() {
        let base = base_with(&names());
        let values = values(&base);
        let full = base.render(&values, &opts());
        // Part of Haaglanden.
        let region: Vec<String> = ["GM0518", "GM1783", "GM0603", "GM0503"].map(String::from).to_vec();
        let o = MapOptions { highlight: Some(&region), link: Some("/gemeenten/"), ..opts() };
        let svg = base.render(&values, &o);
        assert_well_formed(&svg);
        assert_ne!(view_box(&svg), view_box(&full));
        let vb: Vec<f64> = view_box(&svg).split(' ').map(|v| v.parse().unwrap()).collect();
        let full_vb: Vec<f64> = view_box(&full).split(' ').map(|v| v.parse().unwrap()).collect();
        assert!(vb[2] < full_vb[2] / 4.0, "{vb:?}");
        // Only the region is coloured and linked; neighbours are grey context, far-away
        // municipalities are left out.
        assert_eq!(svg.matches("<a href=").count(), 4);
        assert!(svg.contains(&format!("<g fill=\"{CONTEXT_FILL}\"")));
        assert!(svg.contains("<title>Midden-Delfland</title>"));
        assert!(!svg.contains("Groningen"));
        assert!(svg.matches("<path ").count() > 4);
        assert!(svg.matches("<path ").count() < 100);
        // The legend is scaled along.
        assert!(svg.contains("scale(0."));
        assert!(svg.contains("clip-path=\"url(#kaart-clip)\""));
        // An unknown region falls back to the whole country.
        let nothing = vec!["GM9999".to_string()];
        let o = MapOptions { highlight: Some(&nothing), ..opts() };
        let svg = base.render(&values, &o);
        assert_eq!(view_box(&svg), view_box(&full));
        assert_well_formed(&svg);
    }

    #[test]
    fn empty_base_renders_an_empty_map() {
        let base = MapBase::new(&[], &HashMap::new());
        assert!(base.is_empty());
        let svg = base.render(&HashMap::new(), &opts());
        assert_well_formed(&svg);
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn render_is_fast() {
        let base = base_with(&names());
        let values = values(&base);
        let start = std::time::Instant::now();
        let n = 20;
        for _ in 0..n {
            std::hint::black_box(base.render(&values, &opts()));
        }
        let per = start.elapsed() / n;
        // 2 ms in release; debug builds get more room.
        let limit = if cfg!(debug_assertions) { 20 } else { 2 };
        assert!(per.as_millis() < limit, "{per:?} per render");
    }
}
