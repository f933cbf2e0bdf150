//! The monitor of regional agreements (issue 5): per country, region and municipality what
//! was agreed, the target to date by the pace, realised places and the pipeline, with an
//! on-schedule colour, a trend chart, a map of % realised, and who promised and delivered
//! what — as a page, a printable region report, JSON, CSV and XLSX.
//!
//! The figures are public; parties and projects follow the viewer's scope
//! (`Viewer::monitor_detail_scope`). A past month with a stored snapshot is rendered from it,
//! so its report never changes. Every table is built once ([`Table`]) and then written as
//! HTML, CSV or XLSX, so the three can never disagree.

use crate::api::require_token;
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::i18n::Texts;
use crate::map::MapOptions;
use crate::occupancy_views::{area_param, bad_param, escape, nice_step, number, page_error, percent};
use crate::pages::{Layout, PageResult, layout, page, render};
use crate::{AppState, today};
use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use flexwonen_core::access::LocationScope;
use flexwonen_core::agreements::Stage;
use flexwonen_core::monitor::Month;
use flexwonen_core::monitor::{
    Figures, Monitor, MunicipalityMonitor, ProjectMonitor, RegionMonitor, Schedule, TrendPoint, add_trends,
};
use flexwonen_core::occupancy_stats::Area;
use flexwonen_store::{MonthReport, SnapshotInfo, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::fmt::Write as _;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new().route("/monitor", get(monitor_page)).route("/monitor/rapport", get(report_page))
}

pub fn api_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/monitor", get(monitor_api))
        .route("/monitor/snapshots", get(snapshots_api).post(create_snapshot_api))
}

/// `?as_of=YYYY-MM`; the current month when absent.
fn month_param(q: &HashMap<String, String>) -> Result<Month, ApiError> {
    match q.get("as_of").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(Month::of(today())),
        Some(s) => Month::parse(s).map_err(|(code, message)| bad_param("as_of", code, message)),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

fn format_param(q: &HashMap<String, String>) -> Result<Format, ApiError> {
    match q.get("format").map(|s| s.trim()).unwrap_or("") {
        "" | "json" => Ok(Format::Json),
        "csv" => Ok(Format::Csv),
        "xlsx" => Ok(Format::Xlsx),
        other => Err(bad_param("format", "invalid_choice", format!("'{other}' is not one of: json, csv, xlsx"))),
    }
}

// ------------------------------------------------------------------------------- what a viewer sees

/// Which parties and projects a viewer sees one by one.
struct Detail {
    viewer: flexwonen_core::access::Viewer,
    /// Each party's register organisation, for a housing provider's own projects.
    party_organisations: HashMap<i64, Option<i64>>,
}

impl Detail {
    async fn of(state: &AppState, ctx: &Ctx) -> Result<Detail, StoreError> {
        let party_organisations = match ctx.viewer.monitor_detail_scope() {
            LocationScope::Operator(_) => crate::agreements::party_organisations(state).await?,
            _ => HashMap::new(),
        };
        Ok(Detail { viewer: ctx.viewer.clone(), party_organisations })
    }

    fn project(&self, p: &ProjectMonitor) -> bool {
        let organisation = self.party_organisations.get(&p.party_id).copied().flatten();
        self.viewer.can_read_project(&p.municipality_code, organisation)
    }

    /// The parties of a region: for administrators and those who see one of its municipalities.
    fn parties(&self, r: &RegionMonitor) -> bool {
        let scope = self.viewer.monitor_detail_scope();
        r.municipalities.iter().any(|m| scope.covers_municipality(&m.municipality_code))
    }

    fn any(&self) -> bool {
        self.viewer.monitor_detail_scope() != LocationScope::Nothing
    }

    fn region(&self, r: &RegionMonitor) -> RegionMonitor {
        let mut r = r.clone();
        if !self.parties(&r) {
            r.parties.clear();
        }
        r.projects.retain(|p| self.project(p));
        r
    }
}

/// The monitor of one area and month as the viewer may see it.
struct Report {
    area: Area,
    month: Month,
    /// The area's name (the country: none).
    name: Option<String>,
    source: MonthReport,
    view: View,
    /// The viewer sees some parties or projects one by one.
    shows_detail: bool,
}

enum View {
    National {
        figures: Figures,
        regions: Vec<RegionMonitor>,
        trend: Vec<TrendPoint>,
    },
    Region(Box<RegionMonitor>),
    Municipality {
        shares: Vec<(RegionMonitor, MunicipalityMonitor)>,
        projects: Vec<ProjectMonitor>,
    },
    /// A region without an agreement in force in the month.
    Nothing,
}

async fn report(state: &AppState, ctx: &Ctx, area: Area, month: Month) -> Result<Report, ApiError> {
    let source = state.store.monitor_month(month, today()).await.map_err(|e| match e {
        StoreError::Invalid(f) => ApiError { status: StatusCode::BAD_REQUEST, ..ApiError::invalid(f) },
        e => e.into(),
    })?;
    let detail = Detail::of(state, ctx).await?;
    let m: &Monitor = &source.monitor;
    let (name, view) = match &area {
        Area::National => (
            None,
            View::National {
                figures: m.figures.clone(),
                regions: m.regions.iter().map(|r| detail.region(r)).collect(),
                trend: m.trend.clone(),
            },
        ),
        Area::Region(id) => {
            let name = state.store.region(*id).await?.name;
            let region = m.region(*id).map(|r| detail.region(r));
            (Some(name), region.map_or(View::Nothing, |r| View::Region(Box::new(r))))
        }
        Area::Municipality(code) => {
            let name = state.store.municipality(code).await?.name;
            let shares: Vec<(RegionMonitor, MunicipalityMonitor)> = m
                .municipality(code.as_str())
                .into_iter()
                .map(|(r, mm)| {
                    let mut r = detail.region(r);
                    r.municipalities.clear();
                    r.projects.retain(|p| p.municipality_code == code.as_str());
                    (r, mm.clone())
                })
                .collect();
            let projects = shares.iter().flat_map(|(r, _)| r.projects.clone()).collect();
            (Some(name), View::Municipality { shares, projects })
        }
    };
    Ok(Report { area, month, name, source, view, shows_detail: detail.any() })
}

impl Report {
    fn as_of(&self) -> NaiveDate {
        self.source.monitor.as_of
    }

    /// The figures of the whole area.
    fn figures(&self) -> Figures {
        match &self.view {
            View::National { figures, .. } => figures.clone(),
            View::Region(r) => r.figures.clone(),
            View::Municipality { shares, .. } => Figures::sum(shares.iter().map(|(_, m)| &m.figures)),
            View::Nothing => Figures::default(),
        }
    }

    fn trend(&self) -> Vec<TrendPoint> {
        match &self.view {
            View::National { trend, .. } => trend.clone(),
            View::Region(r) => r.trend.clone(),
            View::Municipality { shares, .. } => add_trends(shares.iter().map(|(_, m)| m.trend.as_slice())),
            View::Nothing => Vec::new(),
        }
    }

    fn is_empty(&self) -> bool {
        match &self.view {
            View::National { regions, .. } => regions.is_empty(),
            View::Region(_) => false,
            View::Municipality { shares, .. } => shares.is_empty(),
            View::Nothing => true,
        }
    }
}

// ------------------------------------------------------------------------------- tables

#[derive(Debug, Clone)]
enum Cell {
    Text(String),
    Link(String, String),
    Int(i64),
    Ratio(Option<f64>),
    Schedule(Schedule),
    Date(NaiveDate),
}

struct Column {
    /// The CSV header: stable, for outside tools.
    key: &'static str,
    label: String,
    numeric: bool,
}

struct Table {
    key: &'static str,
    title: String,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
}

fn col(key: &'static str, label: &str, numeric: bool) -> Column {
    Column { key, label: label.to_string(), numeric }
}

fn figure_columns(tr: &Texts, task_label: &str) -> Vec<Column> {
    let mut c = vec![
        col("task", task_label, true),
        col("target_to_date", tr.mon_target, true),
        col("realised", tr.mon_realised, true),
    ];
    for s in Stage::PIPELINE {
        c.push(Column { key: s.as_str(), label: tr.stage(s).to_string(), numeric: true });
    }
    c.extend([
        col("pipeline", tr.mon_pipeline, true),
        col("percent_of_task", tr.mon_pct_task, true),
        col("percent_of_target", tr.mon_pct_target, true),
        col("schedule", tr.mon_schedule, false),
    ]);
    c
}

fn figure_cells(f: &Figures) -> Vec<Cell> {
    let mut c = vec![Cell::Int(f.task), Cell::Int(f.target_to_date), Cell::Int(f.realised)];
    c.extend(Stage::PIPELINE.iter().map(|s| Cell::Int(f.pipeline.get(*s))));
    c.extend([
        Cell::Int(f.pipeline.total()),
        Cell::Ratio(f.percent_of_task),
        Cell::Ratio(f.percent_of_target),
        Cell::Schedule(f.schedule),
    ]);
    c
}

fn monitor_href(level: &str, id: &str, month: Month) -> String {
    format!("/monitor?level={level}&id={id}&as_of={month}")
}

fn municipality_table(tr: &Texts, regions: &[RegionMonitor], month: Month, with_region: bool) -> Table {
    let mut columns = Vec::new();
    if with_region {
        columns.push(col("region", tr.mon_region, false));
    }
    columns.push(col("municipality_code", "CBS", false));
    columns.push(col("municipality", tr.municipality, false));
    columns.extend(figure_columns(tr, tr.mon_share));
    let mut rows = Vec::new();
    for r in regions {
        for m in &r.municipalities {
            let mut row = Vec::new();
            if with_region {
                row.push(Cell::Text(r.name.clone()));
            }
            row.push(Cell::Text(m.municipality_code.clone()));
            row.push(Cell::Link(m.name.clone(), monitor_href("municipality", &m.municipality_code, month)));
            row.extend(figure_cells(&m.figures));
            rows.push(row);
        }
    }
    Table { key: "municipalities", title: tr.mon_municipalities.to_string(), columns, rows }
}

fn party_table(tr: &Texts, regions: &[&RegionMonitor]) -> Option<Table> {
    if regions.iter().all(|r| r.parties.is_empty()) {
        return None;
    }
    let mut columns = vec![
        col("region", tr.mon_region, false),
        col("party", tr.mon_party, false),
        col("kind", tr.mon_kind, false),
        col("role", tr.mon_role, false),
    ];
    columns.extend(figure_columns(tr, tr.mon_promised));
    columns.push(col("projects", tr.mon_projects, true));
    let rows = regions
        .iter()
        .flat_map(|r| r.parties.iter().map(move |p| (r, p)))
        .map(|(r, p)| {
            let mut row = vec![
                Cell::Text(r.name.clone()),
                Cell::Text(p.name.clone()),
                Cell::Text(tr.party_kind(p.kind).to_string()),
                Cell::Text(p.role.map_or(String::new(), |role| tr.signatory_role(role).to_string())),
            ];
            row.extend(figure_cells(&p.figures));
            row.push(Cell::Int(p.projects));
            row
        })
        .collect();
    Some(Table { key: "parties", title: tr.mon_parties.to_string(), columns, rows })
}

fn project_table(tr: &Texts, projects: &[ProjectMonitor]) -> Option<Table> {
    if projects.is_empty() {
        return None;
    }
    let columns = vec![
        col("project_id", "#", true),
        col("project", tr.mon_project, false),
        col("municipality", tr.municipality, false),
        col("party", tr.mon_party, false),
        col("stage", tr.mon_stage, false),
        col("since", tr.mon_since, false),
        col("planned", tr.mon_planned, true),
        col("realised", tr.mon_realised, true),
        col("locations", tr.mon_locations, true),
    ];
    let rows = projects
        .iter()
        .map(|p| {
            vec![
                Cell::Int(p.project_id),
                Cell::Link(p.name.clone(), format!("/projecten/{}", p.project_id)),
                Cell::Text(p.municipality.clone()),
                Cell::Text(p.party.clone()),
                Cell::Text(p.stage.map_or(String::new(), |s| tr.stage(s).to_string())),
                p.stage_date.map_or(Cell::Text(String::new()), Cell::Date),
                Cell::Int(p.planned),
                Cell::Int(p.realised),
                Cell::Int(p.locations.len() as i64),
            ]
        })
        .collect();
    Some(Table { key: "projects", title: tr.mon_projects.to_string(), columns, rows })
}

fn trend_table(tr: &Texts, trend: &[TrendPoint]) -> Table {
    Table {
        key: "trend",
        title: tr.mon_trend.to_string(),
        columns: vec![
            col("date", tr.mon_date, false),
            col("target_to_date", tr.mon_target, true),
            col("realised", tr.mon_realised, true),
            col("pipeline", tr.mon_pipeline, true),
        ],
        rows: trend
            .iter()
            .map(|t| vec![Cell::Date(t.date), Cell::Int(t.target), Cell::Int(t.realised), Cell::Int(t.pipeline)])
            .collect(),
    }
}

fn tables(tr: &Texts, r: &Report) -> Vec<Table> {
    let mut out = Vec::new();
    match &r.view {
        View::National { regions, .. } => {
            let mut columns = vec![
                col("region_id", "#", true),
                col("region", tr.mon_region, false),
                col("version", tr.mon_version, true),
                col("period", tr.mon_period, false),
            ];
            columns.extend(figure_columns(tr, tr.mon_task));
            columns.push(col("needed_per_year", tr.mon_needed, true));
            let rows = regions
                .iter()
                .map(|g| {
                    let mut row = vec![
                        Cell::Int(g.region_id),
                        Cell::Link(g.name.clone(), monitor_href("region", &g.region_id.to_string(), r.month)),
                        Cell::Int(g.version),
                        Cell::Text(format!("{} – {}", g.period_start, g.period_end)),
                    ];
                    row.extend(figure_cells(&g.figures));
                    row.push(g.needed_per_year.map_or(Cell::Text(String::new()), Cell::Int));
                    row
                })
                .collect();
            out.push(Table { key: "regions", title: tr.mon_regions.to_string(), columns, rows });
            out.push(municipality_table(tr, regions, r.month, true));
            out.extend(party_table(tr, &regions.iter().collect::<Vec<_>>()));
            let projects: Vec<ProjectMonitor> = regions.iter().flat_map(|g| g.projects.clone()).collect();
            out.extend(project_table(tr, &projects));
        }
        View::Region(g) => {
            out.push(municipality_table(tr, std::slice::from_ref(g), r.month, false));
            out.extend(party_table(tr, &[g]));
            out.extend(project_table(tr, &g.projects));
        }
        View::Municipality { shares, projects } => {
            let mut columns = vec![
                col("region", tr.mon_region, false),
                col("agreement", tr.mon_agreement, false),
                col("version", tr.mon_version, true),
            ];
            columns.extend(figure_columns(tr, tr.mon_share));
            let rows = shares
                .iter()
                .map(|(g, m)| {
                    let mut row = vec![
                        Cell::Link(g.name.clone(), monitor_href("region", &g.region_id.to_string(), r.month)),
                        Cell::Link(g.title.clone(), format!("/afspraken/{}", g.agreement_id)),
                        Cell::Int(g.version),
                    ];
                    row.extend(figure_cells(&m.figures));
                    row
                })
                .collect();
            out.push(Table { key: "shares", title: tr.mon_shares.to_string(), columns, rows });
            let regions: Vec<&RegionMonitor> = shares.iter().map(|(g, _)| g).collect();
            out.extend(party_table(tr, &regions));
            out.extend(project_table(tr, projects));
        }
        View::Nothing => {}
    }
    out.push(trend_table(tr, &r.trend()));
    out
}

fn raw(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) | Cell::Link(s, _) => s.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Ratio(r) => r.map_or(String::new(), |r| format!("{:.1}", r * 100.0)),
        Cell::Schedule(s) => s.as_str().to_string(),
        Cell::Date(d) => d.to_string(),
    }
}

/// A text cell as CSV: one that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`)
/// gets a leading apostrophe, as OWASP advises for CSV exports.
fn csv_cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(_) | Cell::Link(..) => spreadsheet_safe(&raw(cell)),
        _ => raw(cell),
    }
}

/// Text for a CSV cell that a spreadsheet shows as text and never runs as a formula.
pub(crate) fn spreadsheet_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() }
}

fn csv_body(t: &Table) -> Result<Vec<u8>, ApiError> {
    let internal = |e: String| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(t.columns.iter().map(|c| c.key)).map_err(|e| internal(e.to_string()))?;
    for row in &t.rows {
        w.write_record(row.iter().map(csv_cell)).map_err(|e| internal(e.to_string()))?;
    }
    w.into_inner().map_err(|e| internal(e.to_string()))
}

fn xlsx_body(tr: &Texts, tables: &[Table], caption: &str) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as Xf, Workbook};
    let mut book = Workbook::new();
    let bold = Xf::new().set_bold();
    let pct = Xf::new().set_num_format("0.0%");
    for t in tables {
        let sheet = book.add_worksheet();
        // Sheet names: at most 31 characters, none of []:*?/\.
        let name: String = t.title.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        sheet.set_name(name.trim())?;
        sheet.write_string_with_format(0, 0, caption, &bold)?;
        for (c, column) in t.columns.iter().enumerate() {
            let c = c as u16;
            sheet.write_string_with_format(2, c, &column.label, &bold)?;
            sheet.set_column_width(c, if column.numeric { 12 } else { 24 })?;
        }
        for (r, row) in t.rows.iter().enumerate() {
            let r = r as u32 + 3;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Int(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Ratio(Some(x)) => {
                        sheet.write_number_with_format(r, c, *x, &pct)?;
                    }
                    Cell::Ratio(None) => {}
                    Cell::Schedule(s) => {
                        sheet.write_string(r, c, tr.schedule(*s))?;
                    }
                    other => {
                        sheet.write_string(r, c, raw(other))?;
                    }
                }
            }
        }
    }
    book.save_to_buffer()
}

fn download(body: Vec<u8>, content_type: &str, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response()
}

fn file_stem(r: &Report) -> String {
    let id = r.area.id();
    if id.is_empty() { format!("monitor-{}", r.month) } else { format!("monitor-{}-{id}-{}", r.area.level(), r.month) }
}

// ------------------------------------------------------------------------------- API

fn source_json(r: &Report) -> Value {
    match &r.source.snapshot {
        Some(s) => json!({"kind": "snapshot", "month": s.month, "as_of": s.as_of, "created_at": s.created_at}),
        None => json!({"kind": "live", "as_of": r.as_of(), "computed_at": chrono::Utc::now().to_rfc3339()}),
    }
}

fn report_json(r: &Report) -> Value {
    let mut body = json!({
        "level": r.area.level(),
        "id": if r.area.id().is_empty() { Value::Null } else { json!(r.area.id()) },
        "name": r.name,
        "month": r.month.to_string(),
        "as_of": r.as_of(),
        "source": source_json(r),
        "provenance": r.source.monitor.provenance,
    });
    // The area's figures at the top level, as in each region and municipality below.
    let extra = match &r.view {
        View::National { regions, trend, .. } => json!({"regions": regions, "trend": trend}),
        View::Region(g) => json!({"region": g}),
        View::Nothing => json!({"region": null}),
        View::Municipality { shares, projects } => json!({
            "shares": shares.iter().map(|(g, m)| json!({
                "region_id": g.region_id, "region": g.name, "agreement_id": g.agreement_id, "version": g.version,
                "title": g.title, "parties": g.parties, "municipality": m})).collect::<Vec<_>>(),
            "projects": projects,
            "trend": r.trend(),
        }),
    };
    if let (Some(b), Value::Object(f), Value::Object(e)) = (body.as_object_mut(), json!(r.figures()), extra) {
        b.extend(f);
        b.extend(e);
    }
    body
}

async fn monitor_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let area = area_param(&q)?;
    let month = month_param(&q)?;
    let format = format_param(&q)?;
    let r = report(&state, &ctx, area, month).await?;
    let tr = ctx.lang.texts();
    match format {
        Format::Json => Ok(Json(report_json(&r)).into_response()),
        Format::Csv => {
            let all = tables(tr, &r);
            let wanted = q.get("table").map(|s| s.trim()).filter(|s| !s.is_empty());
            let table = match wanted {
                None => all.first(),
                Some(k) => all.iter().find(|t| t.key == k),
            };
            let Some(table) = table else {
                let keys = all.iter().map(|t| t.key).collect::<Vec<_>>().join(", ");
                return Err(bad_param("table", "invalid_choice", format!("this report's tables are: {keys}")));
            };
            let name = format!("{}-{}.csv", file_stem(&r), table.key);
            Ok(download(csv_body(table)?, "text/csv; charset=utf-8", &name))
        }
        Format::Xlsx => {
            let caption = caption(tr, &r);
            let body = xlsx_body(tr, &tables(tr, &r), &caption)
                .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
            let name = format!("{}.xlsx", file_stem(&r));
            Ok(download(body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &name))
        }
    }
}

fn caption(tr: &Texts, r: &Report) -> String {
    let name = r.name.clone().unwrap_or_else(|| tr.report_netherlands.to_string());
    format!("{}: {name} – {}", tr.mon_title, source_line(tr, r))
}

fn source_line(tr: &Texts, r: &Report) -> String {
    match &r.source.snapshot {
        Some(s) => format!(
            "{} {} ({} {}), {} {}",
            tr.mon_snapshot,
            s.month,
            tr.mon_snapshot_taken,
            s.created_at.get(..10).unwrap_or(&s.created_at),
            tr.mon_as_of,
            s.as_of
        ),
        None => format!("{} {}", tr.mon_live, r.as_of()),
    }
}

async fn snapshots_api(State(state): State<AppState>) -> Result<Response, ApiError> {
    let items = state.store.monitor_snapshots().await?;
    Ok(Json(json!({"items": items})).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotRequest {
    #[serde(default)]
    month: Option<String>,
}

async fn create_snapshot_api(
    State(state): State<AppState>,
    ctx: Ctx,
    crate::api::JsonBody(body): crate::api::JsonBody<SnapshotRequest>,
) -> Result<Response, ApiError> {
    if ctx.viewer.principal().is_none() {
        return Err(ApiError::unauthorized());
    }
    require_token(&ctx)?;
    if !ctx.viewer.is_admin() {
        return Err(ApiError::forbidden("only administrators take snapshots of the monitor"));
    }
    let month = match body.month.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Month::of(today()),
        Some(m) => Month::parse(m).map_err(|(code, message)| {
            ApiError::invalid(flexwonen_core::FieldErrors::single("month", code, message))
        })?,
    };
    let info: SnapshotInfo = state.store.create_snapshot(&ctx.actor(), month, today()).await?;
    Ok((StatusCode::CREATED, Json(info)).into_response())
}

/// The routes of this module in the OpenAPI document.
pub fn openapi_paths() -> Vec<(&'static str, Value)> {
    let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let figures = json!({"type": "object", "properties": {
        "task": {"type": "integer"}, "target_to_date": {"type": "integer"}, "realised": {"type": "integer"},
        "pipeline": {"type": "object", "properties": {"idea": {"type": "integer"}, "planned": {"type": "integer"},
            "permit_applied": {"type": "integer"}, "permitted": {"type": "integer"}, "under_construction": {"type": "integer"}}},
        "percent_of_task": {"type": "number", "nullable": true}, "percent_of_target": {"type": "number", "nullable": true},
        "schedule": {"type": "string", "enum": ["not_due", "on_schedule", "behind", "far_behind"]}}});
    let snapshot = json!({"type": "object", "properties": {"month": {"type": "string", "example": "2026-10"},
        "as_of": {"type": "string", "format": "date"}, "created_at": {"type": "string"}}});
    vec![
        (
            "/monitor",
            json!({"get": {"summary": "The monitor of regional agreements for the country, a region or a municipality in a month: agreed, target to date by the pace, realised (certified beds at locations of delivered projects), pipeline per stage, schedule, trend; parties and projects only within the viewer's scope. A past month with a snapshot is read from it. As JSON, or one table as CSV, or every table as XLSX",
                "parameters": [
                    {"name": "level", "in": "query", "schema": {"type": "string", "enum": ["national", "region", "municipality"]}},
                    {"name": "id", "in": "query", "schema": {"type": "string"}, "description": "a region's id or a municipality code (GM…)"},
                    {"name": "as_of", "in": "query", "schema": {"type": "string", "example": "2026-10"}, "description": "the month (YYYY-MM); the current month when absent"},
                    {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv", "xlsx"]}},
                    {"name": "table", "in": "query", "schema": {"type": "string", "enum": ["regions", "municipalities", "parties", "projects", "shares", "trend"]}, "description": "with format=csv: which table (the first of the level by default)"}],
                "responses": {"200": {"description": "OK", "content": {
                        "application/json": {"schema": {"type": "object", "properties": {"level": {"type": "string"}, "month": {"type": "string"},
                            "as_of": {"type": "string", "format": "date"}, "source": {"type": "object"}, "figures": figures, "provenance": {"type": "array", "items": {"type": "object"}}}}},
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}},
                    "400": error("bad level, id, month, format or table"), "404": error("unknown region or municipality")}}}),
        ),
        (
            "/monitor/snapshots",
            json!({
                "get": {"summary": "The stored monthly snapshots of the monitor, newest first (public)",
                    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": snapshot}}}}}}}},
                "post": {"summary": "Takes a snapshot of the monitor for a month (the current month by default; a past month only once) — administrators",
                    "security": [{"bearer": []}],
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {"month": {"type": "string", "example": "2026-10"}}}}}},
                    "responses": {"201": {"description": "Taken", "content": {"application/json": {"schema": snapshot}}},
                        "401": error("not signed in"), "403": error("not an administrator, or a browser session"), "422": error("bad month, a month to come, or a past month with a snapshot")}}}),
        ),
    ]
}

// ------------------------------------------------------------------------------- chart

const TARGET: &str = "#a90061";
const REALISED: &str = "#084594";
const PIPELINE: &str = "#6baed6";
const GRID: &str = "#d4d4d4";
const INK: &str = "#1a1a1a";

/// Target, realised and pipeline over time as lines; every figure is also in the trend table.
fn trend_svg(tr: &Texts, trend: &[TrendPoint]) -> String {
    let (width, height, left, right, top, bottom) = (720.0, 300.0, 64.0, 16.0, 16.0, 40.0);
    let (plot_w, plot_h) = (width - left - right, height - top - bottom);
    let max = trend.iter().map(|t| t.target.max(t.realised).max(t.pipeline)).max().unwrap_or(0).max(1) as f64;
    let step = nice_step(max);
    let top_value = (max / step).ceil() * step;
    let (first, last) = match (trend.first(), trend.last()) {
        (Some(f), Some(l)) => (f.date, l.date),
        _ => return String::new(),
    };
    let span = ((last - first).num_days().max(1)) as f64;
    let x = |d: NaiveDate| left + (d - first).num_days() as f64 / span * plot_w;
    let y = |v: i64| top + plot_h - v as f64 / top_value * plot_h;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" aria-labelledby="trend-title" font-family="system-ui, sans-serif" font-size="12"><title id="trend-title">{}</title>"#,
        escape(tr.mon_trend)
    );
    let mut v = 0.0;
    while v <= top_value + 0.5 {
        let yy = top + plot_h - v / top_value * plot_h;
        let _ = write!(
            s,
            r#"<line x1="{left}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="{GRID}"/><text x="{}" y="{:.1}" text-anchor="end" fill="{INK}">{}</text>"#,
            width - right,
            left - 6.0,
            yy + 4.0,
            number(tr, v as i64)
        );
        v += step;
    }
    // A year label under each 1 January in the range.
    for year in first.year() + 1..=last.year() {
        if let Some(d) = NaiveDate::from_ymd_opt(year, 1, 1) {
            let xx = x(d);
            let _ = write!(
                s,
                r#"<line x1="{xx:.1}" x2="{xx:.1}" y1="{}" y2="{}" stroke="{INK}"/><text x="{xx:.1}" y="{}" text-anchor="middle" fill="{INK}">{year}</text>"#,
                top + plot_h,
                top + plot_h + 4.0,
                top + plot_h + 18.0
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
    let line = |pick: fn(&TrendPoint) -> i64| -> String {
        trend.iter().map(|t| format!("{:.1},{:.1}", x(t.date), y(pick(t)))).collect::<Vec<_>>().join(" ")
    };
    let _ = write!(
        s,
        r#"<polyline points="{}" fill="none" stroke="{PIPELINE}" stroke-width="2"/><polyline points="{}" fill="none" stroke="{TARGET}" stroke-width="2" stroke-dasharray="8 4"/><polyline points="{}" fill="none" stroke="{REALISED}" stroke-width="3"/>"#,
        line(|t| t.pipeline),
        line(|t| t.target),
        line(|t| t.realised)
    );
    s.push_str("</svg>");
    s
}

// ------------------------------------------------------------------------------- pages

struct HtmlCell {
    text: String,
    href: String,
    class: &'static str,
}

struct HtmlTable {
    key: &'static str,
    /// Shown folded (the trend: its chart is above it).
    folded: bool,
    title: String,
    headers: Vec<(String, bool)>,
    rows: Vec<Vec<HtmlCell>>,
    csv: String,
}

fn schedule_class(s: Schedule) -> &'static str {
    match s {
        Schedule::NotDue => "sched sched-none",
        Schedule::OnSchedule => "sched sched-on",
        Schedule::Behind => "sched sched-behind",
        Schedule::FarBehind => "sched sched-far",
    }
}

fn html_cell(tr: &Texts, cell: &Cell) -> HtmlCell {
    let plain = |text: String, class| HtmlCell { text, href: String::new(), class };
    match cell {
        Cell::Text(s) => plain(s.clone(), ""),
        Cell::Link(s, href) => HtmlCell { text: s.clone(), href: href.clone(), class: "" },
        Cell::Int(n) => plain(number(tr, *n), "n"),
        Cell::Ratio(r) => plain(percent(tr, *r), "n"),
        Cell::Schedule(s) => plain(tr.schedule(*s).to_string(), schedule_class(*s)),
        Cell::Date(d) => plain(d.to_string(), ""),
    }
}

fn api_href(r: &Report, extra: &str) -> String {
    let id = r.area.id();
    let mut h = format!("/api/v1/monitor?level={}", r.area.level());
    if !id.is_empty() {
        let _ = write!(h, "&id={id}");
    }
    let _ = write!(h, "&as_of={}{extra}", r.month);
    h
}

fn html_tables(tr: &Texts, r: &Report) -> Vec<HtmlTable> {
    tables(tr, r)
        .into_iter()
        .map(|t| HtmlTable {
            key: t.key,
            folded: t.key == "trend",
            csv: api_href(r, &format!("&format=csv&table={}", t.key)),
            headers: t.columns.iter().map(|c| (c.label.clone(), c.numeric)).collect(),
            rows: t.rows.iter().map(|row| row.iter().map(|c| html_cell(tr, c)).collect()).collect(),
            title: t.title,
        })
        .collect()
}

struct Tile {
    value: String,
    label: &'static str,
    class: &'static str,
}

fn tiles(tr: &Texts, f: &Figures) -> Vec<Tile> {
    vec![
        Tile { value: number(tr, f.task), label: tr.mon_task, class: "" },
        Tile { value: number(tr, f.target_to_date), label: tr.mon_target, class: "" },
        Tile { value: number(tr, f.realised), label: tr.mon_realised, class: "" },
        Tile { value: number(tr, f.pipeline.total()), label: tr.mon_pipeline, class: "" },
        Tile { value: percent(tr, f.percent_of_task), label: tr.mon_pct_task, class: "" },
        Tile { value: tr.schedule(f.schedule).to_string(), label: tr.mon_schedule, class: schedule_class(f.schedule) },
    ]
}

struct Provenance {
    figure: &'static str,
    counts: &'static str,
    source: String,
}

fn provenance(tr: &Texts, r: &Report) -> Vec<Provenance> {
    let agreement_source = match &r.view {
        View::Region(g) => format!("{}: {}", tr.mon_src_agreement, g.source),
        _ => tr.mon_src_agreement.to_string(),
    };
    vec![
        Provenance { figure: tr.mon_task, counts: tr.mon_prov_task, source: agreement_source.clone() },
        Provenance { figure: tr.mon_target, counts: tr.mon_prov_target, source: agreement_source },
        Provenance { figure: tr.mon_realised, counts: tr.mon_prov_realised, source: tr.mon_src_register.to_string() },
        Provenance { figure: tr.mon_pipeline, counts: tr.mon_prov_pipeline, source: tr.mon_src_projects.to_string() },
        Provenance { figure: tr.mon_schedule, counts: tr.mon_prov_schedule, source: String::new() },
    ]
}

/// Municipality → % of its share realised, for the map.
fn map_svg(state: &AppState, tr: &Texts, r: &Report) -> String {
    let (regions, highlight): (Vec<&RegionMonitor>, Option<Vec<String>>) = match &r.view {
        View::National { regions, .. } => (regions.iter().collect(), None),
        View::Region(g) => (vec![g], Some(g.municipalities.iter().map(|m| m.municipality_code.clone()).collect())),
        View::Municipality { .. } | View::Nothing => return String::new(),
    };
    // A municipality in several agreements: its shares added up.
    let mut by_code: HashMap<&str, Vec<&Figures>> = HashMap::new();
    for m in regions.iter().flat_map(|g| &g.municipalities) {
        by_code.entry(m.municipality_code.as_str()).or_default().push(&m.figures);
    }
    let values: HashMap<String, i64> = by_code
        .into_iter()
        .filter_map(|(code, figures)| {
            Figures::sum(figures).percent_of_task.map(|p| (code.to_string(), (p * 100.0).floor() as i64))
        })
        .collect();
    const CLASSES: [(i64, i64); 5] = [(0, 24), (25, 49), (50, 74), (75, 99), (100, i64::MAX)];
    state.map.render(
        &values,
        &MapOptions {
            id: "kaart-monitor",
            title: tr.mon_map_title,
            desc: tr.mon_map_desc,
            highlight: highlight.as_deref(),
            link: Some(&format!("/monitor?level=municipality&as_of={}&id=", r.month)),
            legend_label: tr.mon_map_legend,
            no_data_label: tr.mon_no_share,
            value_label: "%",
            classes: Some(&CLASSES),
            points: &[],
            points_label: "",
        },
    )
}

struct AreaOption {
    value: String,
    name: String,
    selected: bool,
}

/// What the monitor page and the printable report share.
struct MonitorBody {
    tr: &'static Texts,
    heading: String,
    month: String,
    options: Vec<AreaOption>,
    national_selected: bool,
    source: String,
    empty: bool,
    tiles: Vec<Tile>,
    needed: Option<String>,
    /// Places realised per year so far: beside what is needed, the pace to compare.
    realised_per_year: Option<String>,
    /// (label, places) of the task left unallocated.
    unallocated: Vec<(&'static str, String)>,
    chart: String,
    map: String,
    tables: Vec<HtmlTable>,
    detail_hidden: bool,
    provenance: Vec<Provenance>,
    xlsx: String,
    json: String,
    report_href: Option<String>,
    agreement_href: Option<String>,
    synthetic: bool,
}

#[derive(Template)]
#[template(path = "monitor.html")]
struct MonitorPage {
    l: Layout,
    p: MonitorBody,
}

async fn monitor_view(state: &AppState, ctx: &Ctx, r: &Report) -> Result<MonitorBody, StoreError> {
    let tr = ctx.lang.texts();
    let name = r.name.clone().unwrap_or_else(|| tr.report_netherlands.to_string());
    let heading = format!("{}: {name}", tr.mon_title);
    // The areas to choose: the regions with an agreement this month, and their municipalities.
    let mut options = Vec::new();
    for g in &r.source.monitor.regions {
        options.push(AreaOption {
            value: format!("region:{}", g.region_id),
            name: g.name.clone(),
            selected: r.area == Area::Region(g.region_id),
        });
        for m in &g.municipalities {
            options.push(AreaOption {
                value: format!("municipality:{}", m.municipality_code),
                name: format!("\u{2003}{}", m.name),
                selected: matches!(&r.area, Area::Municipality(c) if c.as_str() == m.municipality_code),
            });
        }
    }
    // Places of the task not split over municipalities, and promised by no party.
    let unallocated = |regions: &[&RegionMonitor]| {
        let municipalities: i64 = regions.iter().map(|g| g.unallocated_to_municipalities).sum();
        let parties: i64 = regions.iter().map(|g| g.unallocated_to_parties).sum();
        (municipalities > 0)
            .then(|| number(tr, municipalities))
            .into_iter()
            .map(|n| (tr.mon_unallocated, n))
            .chain((parties > 0).then(|| number(tr, parties)).into_iter().map(|n| (tr.mon_unallocated_parties, n)))
            .collect::<Vec<_>>()
    };
    let realised_per_year = match &r.view {
        View::Region(g) => g.realised_per_year.map(|n| number(tr, n)),
        _ => None,
    };
    let (needed, unallocated, report_href, agreement_href, synthetic) = match &r.view {
        View::Region(g) => (
            g.needed_per_year.map(|n| number(tr, n)),
            unallocated(&[g.as_ref()]),
            Some(format!("/monitor/rapport?id={}&as_of={}", g.region_id, r.month)),
            Some(format!("/afspraken/{}", g.agreement_id)),
            g.synthetic,
        ),
        View::National { regions, .. } => {
            (None, unallocated(&regions.iter().collect::<Vec<_>>()), None, None, regions.iter().any(|g| g.synthetic))
        }
        View::Municipality { shares, .. } => (None, Vec::new(), None, None, shares.iter().any(|(g, _)| g.synthetic)),
        View::Nothing => (None, Vec::new(), None, None, false),
    };
    Ok(MonitorBody {
        tr,
        heading,
        month: r.month.to_string(),
        national_selected: r.area == Area::National,
        options,
        source: source_line(tr, r),
        empty: r.is_empty(),
        tiles: tiles(tr, &r.figures()),
        needed,
        realised_per_year,
        unallocated,
        chart: trend_svg(tr, &r.trend()),
        map: map_svg(state, tr, r),
        tables: html_tables(tr, r),
        detail_hidden: !r.shows_detail,
        provenance: provenance(tr, r),
        xlsx: api_href(r, "&format=xlsx"),
        json: api_href(r, ""),
        report_href,
        agreement_href,
        synthetic,
    })
}

/// The page's area choice comes as one `area=region:7` or `area=municipality:GM1783`.
fn page_area(q: &HashMap<String, String>) -> Result<Area, ApiError> {
    let mut q = q.clone();
    if let Some(a) = q.remove("area") {
        match a.split_once(':') {
            Some((level, id)) => {
                q.insert("level".into(), level.into());
                q.insert("id".into(), id.into());
            }
            None => {
                q.insert("level".into(), "national".into());
            }
        }
    }
    area_param(&q)
}

async fn monitor_page(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: axum::http::Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result: PageResult = async {
        let area = page_area(&q).map_err(page_error)?;
        let month = month_param(&q).map_err(page_error)?;
        let r = report(&state, &ctx, area, month).await.map_err(page_error)?;
        let path = uri.path_and_query().map_or("/monitor", |p| p.as_str());
        let p = monitor_view(&state, &ctx, &r).await?;
        Ok(render(&MonitorPage { l: layout(&state, &ctx, "monitor", p.heading.clone(), path), p }))
    }
    .await;
    page(&state, &ctx, result)
}

#[derive(Template)]
#[template(path = "monitor_report.html")]
struct ReportPage {
    lang: &'static str,
    tr: &'static Texts,
    p: MonitorBody,
    printed: String,
}

/// A region's report on one page for printing: no navigation, every table open.
async fn report_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let result: PageResult = async {
        let mut q = q.clone();
        q.insert("level".into(), "region".into());
        let area = area_param(&q).map_err(page_error)?;
        let month = month_param(&q).map_err(page_error)?;
        let r = report(&state, &ctx, area, month).await.map_err(page_error)?;
        Ok(render(&ReportPage {
            lang: ctx.lang.code(),
            tr: ctx.lang.texts(),
            printed: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            p: monitor_view(&state, &ctx, &r).await?,
        }))
    }
    .await;
    page(&state, &ctx, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_run_as_formulas() {
        assert_eq!(csv_cell(&Cell::Text("=HYPERLINK(\"x\")".into())), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell(&Cell::Link("@SUM(A1)".into(), "/x".into())), "'@SUM(A1)");
        assert_eq!(csv_cell(&Cell::Text("Logies Naaldwijk".into())), "Logies Naaldwijk");
        assert_eq!(csv_cell(&Cell::Int(-5)), "-5");
        assert_eq!(csv_cell(&Cell::Ratio(Some(0.4567))), "45.7");
        assert_eq!(csv_cell(&Cell::Schedule(Schedule::FarBehind)), "far_behind");
    }
}
