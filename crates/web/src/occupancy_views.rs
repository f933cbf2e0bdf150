//! The occupancy views (issue 4): per country, region or municipality the occupancy rate,
//! stays by nationality and by length, and an SVG chart of the occupancy per month over
//! three years — counts only, for everyone, the public included; and the registration
//! flags (stays housed more than 4 months within 6 without BRP registration) per location
//! for a municipality, per municipality for the national and regional roles.
//!
//! Pages: `/bezetting`, `/bezetting/inschrijving`. API: `/api/v1/occupancy`,
//! `/api/v1/occupancy/registration-flags`. The chart needs no JavaScript and no CSS
//! (presentation attributes only, like the map), and every figure in it is in a table too.

use crate::AppState;
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::i18n::{NL, Texts};
use crate::map::format_nl;
use crate::pages::{Layout, PageError, PageResult, layout, page, render};
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use flexwonen_core::FieldErrors;
use flexwonen_core::access::{FlagView, LocationScope};
use flexwonen_core::geography::RegionKind;
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::occupancy::StayLength;
use flexwonen_core::occupancy_stats::{Area, MonthOccupancy, OccupancyStats};
use flexwonen_store::{FlaggedLocation, FlaggedMunicipality, OccupancyReport};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write as _;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/bezetting", get(occupancy_page)).route("/bezetting/inschrijving", get(flags_page))
}

pub fn api_routes() -> axum::Router<AppState> {
    axum::Router::new().route("/occupancy", get(occupancy_api)).route("/occupancy/registration-flags", get(flags_api))
}

// ------------------------------------------------------------------------------- input

pub(crate) fn bad_param(field: &str, code: &'static str, message: String) -> ApiError {
    ApiError { status: StatusCode::BAD_REQUEST, ..ApiError::invalid(FieldErrors::single(field, code, message)) }
}

/// `?date=YYYY-MM-DD` (today when absent), within 2000–2100.
pub(crate) fn date_param(q: &HashMap<String, String>) -> Result<NaiveDate, ApiError> {
    let Some(s) = q.get("date").map(|s| s.trim()).filter(|s| !s.is_empty()) else {
        return Ok(chrono::Utc::now().date_naive());
    };
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if (2000..=2100).contains(&d.year()) => Ok(d),
        Ok(_) => Err(bad_param("date", "out_of_range", format!("{s} is not between 2000 and 2100"))),
        Err(_) => Err(bad_param("date", "invalid_date", format!("'{s}' is not a date of the form YYYY-MM-DD"))),
    }
}

/// `?level=national|region|municipality&id=…` (the level may be left out: the id tells).
pub(crate) fn area_param(q: &HashMap<String, String>) -> Result<Area, ApiError> {
    Area::parse(q.get("level").map(String::as_str), q.get("id").map(String::as_str))
        .map_err(|(field, code, message)| bad_param(field, code, message))
}

pub(crate) fn municipality_param(q: &HashMap<String, String>) -> Result<Option<MunicipalityCode>, ApiError> {
    match q.get("municipality").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => MunicipalityCode::parse(&s.to_ascii_uppercase())
            .map(Some)
            .map_err(|(code, message)| bad_param("municipality", code, message)),
    }
}

/// What a request for flags or signals asks for, as the viewer may see it.
pub(crate) enum FlagRequest {
    Locations(MunicipalityCode),
    Municipalities(Option<Vec<MunicipalityCode>>),
}

/// The request of `?municipality=` under `view` (the registration flags' or the signals'):
/// addresses of one municipality, or counts per municipality.
pub(crate) fn flag_request(
    ctx: &Ctx,
    view: FlagView,
    municipality: Option<MunicipalityCode>,
) -> Result<FlagRequest, ApiError> {
    match (view, municipality) {
        (FlagView::Nothing, _) if ctx.viewer.principal().is_none() => Err(ApiError::unauthorized()),
        (FlagView::Nothing, _) => Err(ApiError::forbidden("this view is for municipalities, regions and the ministry")),
        (FlagView::Locations(scope), Some(m)) if scope.covers_municipality(m.as_str()) => Ok(FlagRequest::Locations(m)),
        (FlagView::Locations(_), Some(_)) => Err(ApiError::not_found()),
        (FlagView::Locations(LocationScope::Municipalities(ms)), None) if ms.len() == 1 => {
            Ok(FlagRequest::Locations(ms[0].clone()))
        }
        (FlagView::Locations(LocationScope::Municipalities(ms)), None) => Ok(FlagRequest::Municipalities(Some(ms))),
        (FlagView::Locations(_), None) => Ok(FlagRequest::Municipalities(None)),
        (FlagView::Municipalities(_), Some(_)) => {
            Err(ApiError::forbidden("your role sees counts per municipality only, no addresses"))
        }
        (FlagView::Municipalities(ms), None) => Ok(FlagRequest::Municipalities(ms)),
    }
}

fn within(counts: &[FlaggedMunicipality], ms: &Option<Vec<MunicipalityCode>>) -> Vec<FlaggedMunicipality> {
    counts
        .iter()
        .filter(|c| ms.as_ref().is_none_or(|ms| ms.iter().any(|m| m.as_str() == c.municipality_code)))
        .cloned()
        .collect()
}

// ------------------------------------------------------------------------------- API

const COUNTS: &str = "counts only, from stays as providers report them: occupied = beds taken on the night of the \
    date; rate = occupied / beds in service now; in_year = stays with a night in the 12 months up to the date; \
    lengths as they were on the date; months = bed-nights / days per calendar month (the date's month up to the date)";

async fn occupancy_api(
    State(state): State<AppState>,
    _ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let area = area_param(&q)?;
    let date = date_param(&q)?;
    let report = state.store.occupancy_stats(&area, date).await?;
    let mut body = serde_json::to_value(&*report)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    body["counts"] = json!(COUNTS);
    Ok(Json(body).into_response())
}

const RULE: &str = "stays of persons housed more than 4 months within 6 without BRP registration (the flag as refreshed \
    daily) with a night in the 12 months up to the date; housed = of those, still housed on the date";

async fn flags_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let date = date_param(&q)?;
    let request = flag_request(&ctx, ctx.viewer.registration_flag_view(), municipality_param(&q)?)?;
    let body = match request {
        FlagRequest::Locations(m) => {
            let items = state.store.registration_flags(&m, date).await?;
            json!({"date": date, "rule": RULE, "municipality_code": m.as_str(), "view": "locations",
                "total": {"flagged": items.iter().map(|i| i.flagged).sum::<i64>(), "housed": items.iter().map(|i| i.housed).sum::<i64>()},
                "items": *items})
        }
        FlagRequest::Municipalities(ms) => {
            let items = within(&state.store.registration_flag_counts(date).await?, &ms);
            json!({"date": date, "rule": RULE, "view": "municipalities",
                "total": {"flagged": items.iter().map(|i| i.flagged).sum::<i64>(), "housed": items.iter().map(|i| i.housed).sum::<i64>()},
                "items": items})
        }
    };
    Ok(Json(body).into_response())
}

/// The routes of this module in the OpenAPI document.
pub fn openapi_paths() -> Vec<(&'static str, Value)> {
    let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let date = json!({"name": "date", "in": "query", "schema": {"type": "string", "format": "date"},
        "description": "the day to count on (YYYY-MM-DD, 2000–2100); today when absent"});
    let count =
        json!({"type": "object", "properties": {"on_date": {"type": "integer"}, "in_year": {"type": "integer"}}});
    let mut nationality = count.clone();
    nationality["properties"]["nationality"] = json!({"type": "string", "description": "ISO 3166-1 alpha-2"});
    let mut length = count;
    length["properties"]["length"] = json!({"type": "string", "enum": ["short", "mid", "long"]});
    let report = json!({"type": "object", "properties": {
        "level": {"type": "string", "enum": ["national", "region", "municipality"]}, "id": {"type": "string", "nullable": true},
        "name": {"type": "string", "nullable": true}, "date": {"type": "string", "format": "date"}, "year_from": {"type": "string", "format": "date"},
        "beds_in_service": {"type": "integer"}, "occupied": {"type": "integer"}, "rate": {"type": "number", "nullable": true},
        "reserved": {"type": "integer"}, "stays_in_year": {"type": "integer"}, "unregistered_long_in_year": {"type": "integer"},
        "by_nationality": {"type": "array", "items": nationality}, "by_length": {"type": "array", "items": length},
        "months": {"type": "array", "items": {"type": "object", "properties": {"month": {"type": "string", "example": "2026-07"},
            "days": {"type": "integer"}, "bed_nights": {"type": "integer"}, "average_occupied": {"type": "number"},
            "rate": {"type": "number", "nullable": true}, "partial": {"type": "boolean"}}}},
        "by_municipality": {"type": "array", "items": {"type": "object", "properties": {"municipality_code": {"type": "string"},
            "name": {"type": "string"}, "beds_in_service": {"type": "integer"}, "occupied": {"type": "integer"}, "rate": {"type": "number", "nullable": true}}}},
        "counts": {"type": "string"}}});
    let flags = json!({"type": "object", "properties": {"date": {"type": "string", "format": "date"}, "rule": {"type": "string"},
        "view": {"type": "string", "enum": ["locations", "municipalities"]}, "municipality_code": {"type": "string"},
        "total": {"type": "object", "properties": {"flagged": {"type": "integer"}, "housed": {"type": "integer"}}},
        "items": {"type": "array", "items": {"type": "object", "description": "per location (location_id, address, flagged, housed) or per municipality (municipality_code, name, locations, flagged, housed)"}}}});
    vec![
        (
            "/occupancy",
            json!({"get": {"summary": "Occupancy of the country, a region or a municipality on a date: rate, stays by nationality and length, average occupancy per month over 36 months (public, counts only)",
                "parameters": [
                    {"name": "level", "in": "query", "schema": {"type": "string", "enum": ["national", "region", "municipality"]}, "description": "national by default; left out, the id tells"},
                    {"name": "id", "in": "query", "schema": {"type": "string"}, "description": "a region's id or a municipality code (GM…)"},
                    date.clone()],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": report}}},
                    "400": error("bad level, id or date"), "404": error("unknown region or municipality")}}}),
        ),
        (
            "/occupancy/registration-flags",
            json!({"get": {"summary": "Stays flagged by the registration rule (over 4 months within 6 without BRP registration): per location for a municipality (administrators: any), per municipality only for the ministry and regional coordinators",
                "security": [{"bearer": []}],
                "parameters": [{"name": "municipality", "in": "query", "schema": {"type": "string"}, "description": "per location in this municipality (GM…)"}, date],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": flags}}},
                    "400": error("bad municipality or date"), "401": error("not signed in"),
                    "403": error("role sees no flags, or counts per municipality only"), "404": error("municipality outside your territory")}}}),
        ),
    ]
}

// ------------------------------------------------------------------------------- numbers

pub(crate) fn is_nl(tr: &Texts) -> bool {
    std::ptr::eq(tr, &NL)
}

pub(crate) fn number(tr: &Texts, n: i64) -> String {
    let s = format_nl(n);
    if is_nl(tr) { s } else { s.replace('.', ",") }
}

/// One decimal: `1.234,5` in Dutch, `1,234.5` in English.
pub(crate) fn decimal(tr: &Texts, v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    let (whole, tenth) = (tenths / 10, (tenths % 10).abs());
    format!("{}{}{tenth}", number(tr, whole), if is_nl(tr) { ',' } else { '.' })
}

pub(crate) fn percent(tr: &Texts, rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_string(), |r| format!("{}%", decimal(tr, r * 100.0)))
}

pub(crate) fn month_name(tr: &Texts, month: u32) -> &'static str {
    tr.bez_months_short.split(',').nth(month.saturating_sub(1) as usize).unwrap_or("")
}

/// `jul 2026` from `2026-07`.
pub(crate) fn month_label(tr: &Texts, ym: &str) -> String {
    let (y, m) = ym.split_once('-').unwrap_or((ym, "0"));
    format!("{} {y}", month_name(tr, m.parse().unwrap_or(0)))
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

// ------------------------------------------------------------------------------- chart

const BAR: &str = "#4292c6";
const PEAK: &str = "#084594";
const PARTIAL_STROKE: &str = "#2171b5";
const LINE: &str = "#a90061";
const GRID: &str = "#d4d4d4";
const INK: &str = "#1a1a1a";
const WHITE: &str = "#ffffff";

/// The busiest month of each calendar year (index into `months`), if it had any occupancy.
fn peaks(months: &[MonthOccupancy]) -> Vec<usize> {
    let mut best: Vec<usize> = Vec::new();
    for (i, m) in months.iter().enumerate() {
        let year = &m.month[..4];
        match best.last() {
            Some(&b) if &months[b].month[..4] == year => {
                if m.average_occupied > months[b].average_occupied {
                    *best.last_mut().unwrap_or(&mut 0) = i;
                }
            }
            _ => best.push(i),
        }
    }
    // A year the window begins inside of has no fair busiest month.
    if months.first().is_some_and(|m| month_of(m) != 1) {
        best.retain(|&i| months[i].month[..4] != months[0].month[..4]);
    }
    best.retain(|&i| months[i].average_occupied > 0.0);
    best
}

fn month_of(m: &MonthOccupancy) -> u32 {
    m.month.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// A round step for about four gridlines up to `max`.
pub(crate) fn nice_step(max: f64) -> f64 {
    let raw = (max / 4.0).max(f64::MIN_POSITIVE);
    let pow = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].into_iter().map(|f| f * pow).find(|s| *s >= raw).unwrap_or(10.0 * pow);
    if step < 1.0 { 1.0 } else { step }
}

/// The bar chart of the average occupancy per month, with the beds in service as a line.
fn chart_svg(tr: &Texts, stats: &OccupancyStats) -> String {
    let months = &stats.months;
    let (width, height) = (760.0, 320.0);
    let (left, right, top, bottom) = (64.0, 16.0, 24.0, 48.0);
    let (plot_w, plot_h) = (width - left - right, height - top - bottom);
    let highest = months.iter().map(|m| m.average_occupied).fold(stats.beds_in_service as f64, f64::max);
    let step = nice_step(highest.max(1.0));
    let top_value = (highest.max(1.0) / step).ceil() * step;
    let y = |v: f64| top + plot_h - v / top_value * plot_h;
    let peaks = peaks(months);
    let first = months.first().map(|m| month_label(tr, &m.month)).unwrap_or_default();
    let last = months.last().map(|m| month_label(tr, &m.month)).unwrap_or_default();
    let peak_text: Vec<String> = peaks
        .iter()
        .map(|&i| format!("{} ({})", month_label(tr, &months[i].month), decimal(tr, months[i].average_occupied)))
        .collect();
    let mut desc = format!("{} {first} {} {last}.", tr.bez_chart_desc, tr.bez_to);
    if !peak_text.is_empty() {
        let _ = write!(desc, " {}: {}.", tr.bez_peaks, peak_text.join(", "));
    }
    let _ = write!(desc, " {}: {}.", tr.bez_legend_line, number(tr, stats.beds_in_service));

    let mut s = String::with_capacity(16 * 1024);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="bez-chart-title bez-chart-desc" class="bez-chart" font-family="Verdana, sans-serif" font-size="13"><title id="bez-chart-title">{}</title><desc id="bez-chart-desc">{}</desc>"#,
        escape(tr.bez_chart_title),
        escape(&desc)
    );
    // Gridlines and their values.
    let mut v = 0.0;
    while v <= top_value + step / 2.0 {
        let yy = y(v);
        let label = if step >= 1.0 { number(tr, v.round() as i64) } else { decimal(tr, v) };
        let _ = write!(
            s,
            r#"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="{GRID}" stroke-width="1"/><text x="{}" y="{:.1}" text-anchor="end" fill="{INK}">{label}</text>"#,
            width - right,
            left - 6.0,
            yy + 4.0
        );
        v += step;
    }
    // The bars, one per month; the busiest month of each year dark, the current month hollow.
    let slot = plot_w / months.len().max(1) as f64;
    let first_named = months.iter().position(|m| month_of(m) % 3 == 1);
    for (i, m) in months.iter().enumerate() {
        let x = left + i as f64 * slot + slot * 0.15;
        let w = slot * 0.7;
        let yy = y(m.average_occupied);
        let h = (top + plot_h - yy).max(0.0);
        let label = month_label(tr, &m.month);
        let fill = if m.partial {
            format!(r#"fill="{WHITE}" stroke="{PARTIAL_STROKE}" stroke-width="2""#)
        } else if peaks.contains(&i) {
            format!(r#"fill="{PEAK}""#)
        } else {
            format!(r#"fill="{BAR}""#)
        };
        let _ = write!(
            s,
            r#"<rect x="{x:.1}" y="{yy:.1}" width="{w:.1}" height="{h:.1}" {fill}><title>{label}: {} {} ({}){}</title></rect>"#,
            decimal(tr, m.average_occupied),
            tr.bez_average.to_lowercase(),
            percent(tr, m.rate),
            if m.partial { format!(", {}", tr.bez_partial) } else { String::new() }
        );
        // Month names every quarter, the year under January and under the first name.
        let month = month_of(m);
        let cx = left + (i as f64 + 0.5) * slot;
        let base = top + plot_h;
        if month % 3 == 1 {
            let _ = write!(
                s,
                r#"<line x1="{cx:.1}" x2="{cx:.1}" y1="{base}" y2="{}" stroke="{INK}"/><text x="{cx:.1}" y="{}" text-anchor="middle" fill="{INK}">{}</text>"#,
                base + 4.0,
                base + 17.0,
                month_name(tr, month)
            );
        }
        if month % 3 == 1 && (month == 1 || Some(i) == first_named) {
            let _ = write!(
                s,
                r#"<text x="{cx:.1}" y="{}" text-anchor="middle" fill="{INK}" font-weight="bold">{}</text>"#,
                base + 33.0,
                &m.month[..4]
            );
        }
    }
    let _ = write!(
        s,
        r#"<line x1="{left}" x2="{}" y1="{}" y2="{}" stroke="{INK}"/>"#,
        width - right,
        top + plot_h,
        top + plot_h
    );
    // The beds in service now.
    if stats.beds_in_service > 0 {
        let yy = y(stats.beds_in_service as f64);
        let _ = write!(
            s,
            r#"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="{LINE}" stroke-width="2" stroke-dasharray="8 4"/><text x="{}" y="{:.1}" text-anchor="end" fill="{LINE}">{}: {}</text>"#,
            width - right,
            width - right,
            yy - 6.0,
            escape(tr.bez_legend_line),
            number(tr, stats.beds_in_service)
        );
    }
    s.push_str("</svg>");
    s
}

// ------------------------------------------------------------------------------- pages

pub(crate) struct Option_ {
    pub(crate) value: String,
    pub(crate) name: String,
    pub(crate) selected: bool,
}

pub(crate) struct Group {
    pub(crate) label: &'static str,
    pub(crate) options: Vec<Option_>,
}

struct CountRow {
    name: String,
    on_date: String,
    in_year: String,
}

struct MonthRow {
    label: String,
    average: String,
    rate: String,
    bed_nights: String,
    note: String,
}

struct MunicipalityRow {
    name: String,
    href: String,
    beds: String,
    occupied: String,
    rate: String,
}

#[derive(Template)]
#[template(path = "bezetting.html")]
struct OccupancyPage {
    l: Layout,
    heading: String,
    date: String,
    national_selected: bool,
    groups: Vec<Group>,
    occupied: String,
    beds: String,
    rate: String,
    /// Shown for today or a later date only: before that, later arrivals were not known.
    reserved: Option<String>,
    stays_in_year: String,
    flagged_in_year: String,
    year_from: String,
    has_stays: bool,
    chart: String,
    months: Vec<MonthRow>,
    nationalities: Vec<CountRow>,
    lengths: Vec<CountRow>,
    municipalities: Vec<MunicipalityRow>,
    flags_href: Option<String>,
}

fn length_name(tr: &Texts, l: StayLength) -> &'static str {
    match l {
        StayLength::Short => tr.bez_short,
        StayLength::Mid => tr.bez_mid,
        StayLength::Long => tr.bez_long,
    }
}

pub(crate) fn page_error(e: ApiError) -> PageError {
    match e.status {
        StatusCode::NOT_FOUND => PageError::NotFound,
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => PageError::Forbidden,
        StatusCode::BAD_REQUEST => PageError::BadForm,
        _ => PageError::Internal,
    }
}

pub(crate) async fn area_groups(state: &AppState, tr: &'static Texts, area: &Area) -> Result<Vec<Group>, PageError> {
    let regions = state.store.regions(None).await?;
    let mut groups: Vec<Group> = Vec::new();
    for kind in RegionKind::ALL {
        let options: Vec<Option_> = regions
            .iter()
            .filter(|r| r.kind == kind)
            .map(|r| Option_ { value: r.id.to_string(), name: r.name.clone(), selected: *area == Area::Region(r.id) })
            .collect();
        if !options.is_empty() {
            groups.push(Group { label: tr.region_kind(kind), options });
        }
    }
    let municipalities = state
        .store
        .municipalities()
        .await?
        .into_iter()
        .map(|m| Option_ {
            selected: matches!(area, Area::Municipality(c) if c.as_str() == m.code),
            value: m.code,
            name: m.name,
        })
        .collect();
    groups.push(Group { label: tr.bez_municipalities, options: municipalities });
    Ok(groups)
}

fn month_rows(tr: &Texts, months: &[MonthOccupancy]) -> Vec<MonthRow> {
    let peaks = peaks(months);
    months
        .iter()
        .enumerate()
        .rev()
        .map(|(i, m)| MonthRow {
            label: month_label(tr, &m.month),
            average: decimal(tr, m.average_occupied),
            rate: percent(tr, m.rate),
            bed_nights: number(tr, m.bed_nights),
            note: if m.partial {
                tr.bez_partial.to_string()
            } else if peaks.contains(&i) {
                tr.bez_legend_peak.to_string()
            } else {
                String::new()
            },
        })
        .collect()
}

fn occupancy_view(
    state: &AppState,
    ctx: &Ctx,
    area: &Area,
    report: &OccupancyReport,
    groups: Vec<Group>,
    path: &str,
) -> OccupancyPage {
    let tr = ctx.lang.texts();
    let s = &report.stats;
    let name = report.name.clone().unwrap_or_else(|| tr.report_netherlands.to_string());
    let heading = format!("{}: {name}", tr.bez_title);
    let date = s.date.to_string();
    let flags_href = match ctx.viewer.registration_flag_view() {
        FlagView::Nothing => None,
        _ => Some(format!("/bezetting/inschrijving?date={date}")),
    };
    OccupancyPage {
        l: layout(state, ctx, "occupancy", heading.clone(), path),
        heading,
        national_selected: *area == Area::National,
        groups,
        occupied: number(tr, s.occupied),
        beds: number(tr, s.beds_in_service),
        rate: percent(tr, s.rate),
        reserved: (s.date >= chrono::Utc::now().date_naive()).then(|| number(tr, s.reserved)),
        stays_in_year: number(tr, s.stays_in_year),
        flagged_in_year: number(tr, s.unregistered_long_in_year),
        year_from: s.year_from.to_string(),
        has_stays: s.stays_in_year + s.reserved > 0 || s.months.iter().any(|m| m.bed_nights > 0),
        chart: chart_svg(tr, s),
        months: month_rows(tr, &s.months),
        nationalities: s
            .by_nationality
            .iter()
            .map(|c| CountRow {
                name: format!("{} ({})", tr.country(&c.nationality), c.nationality),
                on_date: number(tr, c.on_date),
                in_year: number(tr, c.in_year),
            })
            .collect(),
        lengths: s
            .by_length
            .iter()
            .map(|c| CountRow {
                name: length_name(tr, c.length).to_string(),
                on_date: number(tr, c.on_date),
                in_year: number(tr, c.in_year),
            })
            .collect(),
        municipalities: report
            .by_municipality
            .iter()
            .map(|m| MunicipalityRow {
                name: m.name.clone(),
                href: format!("/bezetting?level=municipality&id={}&date={date}", m.municipality_code),
                beds: number(tr, m.beds_in_service),
                occupied: number(tr, m.occupied),
                rate: percent(tr, m.rate),
            })
            .collect(),
        date,
        flags_href,
    }
}

async fn occupancy_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: axum::http::Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result: PageResult = async {
        let tr = ctx.lang.texts();
        let area = area_param(&q).map_err(page_error)?;
        let date = date_param(&q).map_err(page_error)?;
        let report = state.store.occupancy_stats(&area, date).await?;
        let groups = area_groups(&state, tr, &area).await?;
        let path = uri.path_and_query().map_or("/bezetting", |p| p.as_str());
        Ok(render(&occupancy_view(&state, &ctx, &area, &report, groups, path)))
    }
    .await;
    page(&state, &ctx, result)
}

struct FlagRow {
    name: String,
    href: String,
    locations: String,
    flagged: String,
    housed: String,
}

#[derive(Template)]
#[template(path = "bezetting_inschrijving.html")]
struct FlagsPage {
    l: Layout,
    date: String,
    municipality: String,
    /// Per location (with addresses) or per municipality (counts only).
    per_location: bool,
    caption: String,
    rows: Vec<FlagRow>,
    total: FlagRow,
}

fn location_rows(tr: &Texts, items: &[FlaggedLocation]) -> (Vec<FlagRow>, FlagRow) {
    let rows = items
        .iter()
        .map(|i| FlagRow {
            name: i.address.clone(),
            href: format!("/locations/{}", i.location_id),
            locations: String::new(),
            flagged: number(tr, i.flagged),
            housed: number(tr, i.housed),
        })
        .collect();
    let total = FlagRow {
        name: tr.bez_total.to_string(),
        href: String::new(),
        locations: number(tr, items.len() as i64),
        flagged: number(tr, items.iter().map(|i| i.flagged).sum()),
        housed: number(tr, items.iter().map(|i| i.housed).sum()),
    };
    (rows, total)
}

fn municipality_rows(tr: &Texts, items: &[FlaggedMunicipality], link: bool, date: &str) -> (Vec<FlagRow>, FlagRow) {
    let rows = items
        .iter()
        .map(|i| FlagRow {
            name: i.name.clone(),
            href: if link {
                format!("/bezetting/inschrijving?municipality={}&date={date}", i.municipality_code)
            } else {
                String::new()
            },
            locations: number(tr, i.locations),
            flagged: number(tr, i.flagged),
            housed: number(tr, i.housed),
        })
        .collect();
    let total = FlagRow {
        name: tr.bez_total.to_string(),
        href: String::new(),
        locations: number(tr, items.iter().map(|i| i.locations).sum()),
        flagged: number(tr, items.iter().map(|i| i.flagged).sum()),
        housed: number(tr, items.iter().map(|i| i.housed).sum()),
    };
    (rows, total)
}

async fn flags_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: axum::http::Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result: PageResult = async {
        let tr = ctx.lang.texts();
        let date = date_param(&q).map_err(page_error)?;
        let request =
            flag_request(&ctx, ctx.viewer.registration_flag_view(), municipality_param(&q).map_err(page_error)?)
                .map_err(page_error)?;
        let day = date.to_string();
        let (per_location, municipality, caption, (rows, total)) = match request {
            FlagRequest::Locations(m) => {
                let name = state.store.municipality(&m).await?.name;
                let items = state.store.registration_flags(&m, date).await?;
                let caption = format!("{} {name}", tr.bez_flags_per_location);
                (true, m.as_str().to_string(), caption, location_rows(tr, &items))
            }
            FlagRequest::Municipalities(ms) => {
                let items = within(&state.store.registration_flag_counts(date).await?, &ms);
                let link = matches!(ctx.viewer.registration_flag_view(), FlagView::Locations(_));
                (
                    false,
                    String::new(),
                    tr.bez_flags_per_municipality.to_string(),
                    municipality_rows(tr, &items, link, &day),
                )
            }
        };
        let path = uri.path_and_query().map_or("/bezetting/inschrijving", |p| p.as_str());
        let page = FlagsPage {
            l: layout(&state, &ctx, "occupancy", tr.bez_flags_link, path),
            date: day,
            municipality,
            per_location,
            caption,
            rows,
            total,
        };
        Ok(render(&page))
    }
    .await;
    page(&state, &ctx, result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::EN;

    #[test]
    fn numbers_in_both_languages() {
        assert_eq!(decimal(&NL, 1234.56), "1.234,6");
        assert_eq!(decimal(&EN, 1234.56), "1,234.6");
        assert_eq!(percent(&NL, Some(2.0 / 7.0)), "28,6%");
        assert_eq!(percent(&EN, None), "–");
        assert_eq!(NL.country("PL"), "Polen");
        assert_eq!(EN.country("PL"), "Poland");
        assert_eq!(month_label(&NL, "2026-10"), "okt 2026");
        assert_eq!(nice_step(3.0), 1.0);
        assert_eq!(nice_step(1234.0), 500.0);
    }

    #[test]
    fn the_busiest_month_of_each_year() {
        let m = |month: &str, avg: f64| MonthOccupancy {
            month: month.into(),
            days: 30,
            bed_nights: 0,
            average_occupied: avg,
            rate: None,
            partial: false,
        };
        let months = [m("2025-01", 2.0), m("2025-12", 3.0), m("2026-01", 0.0), m("2026-07", 5.0), m("2026-08", 5.0)];
        assert_eq!(peaks(&months), [1, 3]);
        // The year the window begins inside of is not judged.
        assert_eq!(peaks(&months[1..]), [2]);
        assert!(peaks(&[m("2026-01", 0.0)]).is_empty());
    }
}
