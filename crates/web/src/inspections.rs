//! Inspections on the web: the yearly plan, planning, the phone-friendly inspection form
//! (which says per field whether the rule holds — from the server's norm evaluation, after
//! submitting without JavaScript, live with the small script in `static/inspection.js`),
//! the inspection with its frozen verdict and defects, defect resolution, the sanction run,
//! and the administrative address check. Pages here and the API under `/api/v1`.
//!
//! Who may do what is decided in `flexwonen_core::inspections`: administrators everything,
//! inspectors plan and record in their region, municipalities read in their territory,
//! providers read their own locations' inspections and check their own address list; the
//! public and the ministry see nothing. Out of reach answers 404.

use crate::{AppState, today};
// `location_id` parses any path id: one that is no number names nothing (404).
use crate::api::{JsonBody, expected_version, id_param, location_id as api_id, page_of, paging, require_token};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::forms::FormData;
use crate::i18n::Texts;
use crate::pages::{
    Layout, PageError, PageResult, Upload, error_lines, form_with_file, layout, page, posted_form, render,
};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use flexwonen_core::FieldErrors;
use flexwonen_core::access::{LocationScope, Role};
use flexwonen_core::inspections::{
    self as core_insp, CompletionInput, DefectState, FieldCheck, FindingInput, InspectionStatus, MeasurementsInput,
    PlanInput, PlanStatus, RoomMeasurementInput, parse_address_list,
};
use flexwonen_core::norms::{Constraint, NormScheme};
use flexwonen_store::{Inspection, InspectionPlan, Location, PlanFilter, StoreError};
use serde::Deserialize;
use std::collections::HashMap;

/// Pages: `/inspections`, `/inspections/{id}`, `/defects/{id}/resolve`, `/admin-check`.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/inspections", get(plan_page).post(plan_post))
        .route("/inspections/sanctions", post(sanctions_post))
        .route("/inspections/{id}", get(detail_page).post(record_post))
        .route("/inspections/{id}/preview", post(preview_post))
        .route("/inspections/{id}/cancel", post(cancel_post))
        .route("/defects/{id}/resolve", post(resolve_post))
        // The router's own limit (`MAX_BODY_BYTES`) is the only one: axum's second one would
        // hide from `Multipart` that the body was too large.
        .route("/admin-check", get(admin_check_page).post(admin_check_post).layer(DefaultBodyLimit::disable()))
        .route("/static/inspection.js", get(script))
}

/// The API, nested under `/api/v1`.
pub fn api_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/inspections", get(api_list).post(api_plan))
        .route("/inspections/{id}", get(api_get))
        .route("/inspections/{id}/complete", post(api_complete))
        .route("/inspections/{id}/check", post(api_check))
        .route("/inspections/{id}/cancel", post(api_cancel))
        .route("/defects/{id}/resolve", post(api_resolve))
        .route("/inspection-plan", get(api_plan_list))
        .route("/sanctions/apply", post(api_sanctions))
        .route("/admin-check", post(api_admin_check))
}

async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/inspection.js"),
    )
        .into_response()
}

fn read_scope_page(ctx: &Ctx) -> Result<LocationScope, PageError> {
    match core_insp::read_scope(&ctx.viewer) {
        LocationScope::Nothing => Err(PageError::Forbidden),
        s => Ok(s),
    }
}

fn write_scope_page(ctx: &Ctx) -> Result<LocationScope, PageError> {
    match core_insp::write_scope(&ctx.viewer) {
        LocationScope::Nothing => Err(PageError::Forbidden),
        s => Ok(s),
    }
}

fn read_scope_api(ctx: &Ctx) -> Result<LocationScope, ApiError> {
    if ctx.viewer.principal().is_none() {
        return Err(ApiError::unauthorized());
    }
    match core_insp::read_scope(&ctx.viewer) {
        LocationScope::Nothing => Err(ApiError::forbidden("your role does not see inspections")),
        s => Ok(s),
    }
}

fn write_scope_api(ctx: &Ctx) -> Result<LocationScope, ApiError> {
    if ctx.viewer.principal().is_none() {
        return Err(ApiError::unauthorized());
    }
    require_token(ctx)?;
    match core_insp::write_scope(&ctx.viewer) {
        LocationScope::Nothing => {
            Err(ApiError::forbidden("only inspectors and administrators plan and record inspections"))
        }
        s => Ok(s),
    }
}

fn status_text(tr: &Texts, s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Done => tr.insp_status_done,
        PlanStatus::Planned => tr.insp_status_planned,
        PlanStatus::Due => tr.insp_status_due,
        PlanStatus::Overdue => tr.insp_status_overdue,
    }
}

fn inspection_status_text(tr: &Texts, s: InspectionStatus) -> &'static str {
    match s {
        InspectionStatus::Planned => tr.insp_status_planned,
        InspectionStatus::Done => tr.insp_status_done,
        InspectionStatus::Cancelled => tr.insp_status_cancelled,
    }
}

fn scheme_text(tr: &Texts, s: NormScheme) -> &'static str {
    match s {
        NormScheme::Bouwbesluit => tr.insp_scheme_legal,
        other => tr.norm_scheme(other),
    }
}

// ---------------------------------------------------------------- the plan

#[derive(Debug, Default, Deserialize)]
struct PlanQuery {
    year: Option<String>,
    region_id: Option<String>,
    inspector_id: Option<String>,
}

fn plan_query(q: &PlanQuery) -> Result<(i32, PlanFilter), FieldErrors> {
    let mut e = FieldErrors::new();
    let mut id = |name: &str, v: &Option<String>| match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => s.parse::<i64>().map_err(|_| e.add(name, "not_a_number", format!("'{s}' is not a number"))).ok(),
    };
    let filter =
        PlanFilter { region_id: id("region_id", &q.region_id), inspector_id: id("inspector_id", &q.inspector_id) };
    let year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today().year(),
        Some(s) => match s.parse::<i32>() {
            Ok(y) if (2000..=2200).contains(&y) => y,
            _ => {
                e.add("year", "invalid_year", format!("'{s}' is not a year from 2000 to 2200"));
                today().year()
            }
        },
    };
    e.into_result(|| (year, filter))
}

struct CountRow {
    name: String,
    done: i64,
    planned: i64,
    due: i64,
    overdue: i64,
}

struct PlanLine {
    location_id: i64,
    address: String,
    province: String,
    operator: String,
    status: &'static str,
    status_code: &'static str,
    inspection_id: Option<i64>,
    date: String,
    inspector: String,
}

#[derive(Template)]
#[template(path = "inspections_plan.html")]
struct PlanPage {
    l: Layout,
    year: i32,
    region_id: String,
    inspector_id: String,
    total: CountRow,
    tables: Vec<(&'static str, Vec<CountRow>)>,
    rows: Vec<PlanLine>,
    can_plan: bool,
    is_admin: bool,
    errors: Vec<String>,
    form_location: String,
    form_date: String,
    form_inspector: String,
    flash: String,
}

fn count_row(c: &flexwonen_store::PlanCount, fallback: &str) -> CountRow {
    CountRow {
        name: if c.name.is_empty() { fallback.to_string() } else { c.name.clone() },
        done: c.done,
        planned: c.planned,
        due: c.due,
        overdue: c.overdue,
    }
}

async fn plan_view(state: &AppState, ctx: &Ctx, q: &PlanQuery) -> Result<PlanPage, PageError> {
    let scope = read_scope_page(ctx)?;
    let tr = ctx.lang.texts();
    let (year, filter, errors) = match plan_query(q) {
        Ok((y, f)) => (y, f, Vec::new()),
        Err(e) => (today().year(), PlanFilter::default(), error_lines(tr, &e)),
    };
    let plan: InspectionPlan = state.store.inspection_plan(&scope, year, today(), &filter).await?;
    let rows = plan
        .rows
        .iter()
        .map(|r| PlanLine {
            location_id: r.location_id,
            address: r.address.clone(),
            province: r.province.clone(),
            operator: r.operator_name.clone(),
            status: status_text(tr, r.status),
            status_code: r.status.as_str(),
            inspection_id: r.inspection_id,
            date: r.done_on.or(r.planned_on).map(|d| d.to_string()).unwrap_or_default(),
            inspector: r.inspector.clone().unwrap_or_default(),
        })
        .collect();
    Ok(PlanPage {
        l: layout(state, ctx, "inspections", tr.insp_plan_title, "/inspections"),
        year,
        region_id: filter.region_id.map(|r| r.to_string()).unwrap_or_default(),
        inspector_id: filter.inspector_id.map(|r| r.to_string()).unwrap_or_default(),
        total: count_row(&plan.total, tr.insp_total),
        tables: vec![
            (tr.insp_by_province, plan.by_region.iter().map(|c| count_row(c, "—")).collect()),
            (tr.insp_by_inspector, plan.by_inspector.iter().map(|c| count_row(c, tr.insp_unassigned)).collect()),
        ],
        rows,
        can_plan: core_insp::write_scope(&ctx.viewer) != LocationScope::Nothing,
        is_admin: ctx.viewer.is_admin(),
        errors,
        form_location: String::new(),
        form_date: String::new(),
        form_inspector: String::new(),
        flash: String::new(),
    })
}

async fn plan_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<PlanQuery>) -> Response {
    let result = async { Ok(render(&plan_view(&state, &ctx, &q).await?)) }.await;
    page(&state, &ctx, result)
}

fn inspector_for(ctx: &Ctx, given: Option<i64>) -> Option<i64> {
    match ctx.viewer.principal() {
        Some(p) if p.role == Role::Inspector => given.or(Some(p.account_id)),
        _ => given,
    }
}

async fn plan_post(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result: PageResult = async {
        let form = posted_form(&ctx, &body)?;
        let scope = write_scope_page(&ctx)?;
        let tr = ctx.lang.texts();
        let mut errors = FieldErrors::new();
        let location_id = form.get("location_id").trim().parse::<i64>().unwrap_or_else(|_| {
            errors.add(
                "location_id",
                "not_a_number",
                format!("'{}' is not a location number", form.get("location_id")),
            );
            0
        });
        let inspector_id = match form.opt("inspector_id") {
            None => None,
            Some(v) => v
                .parse::<i64>()
                .map_err(|_| errors.add("inspector_id", "not_a_number", format!("'{v}' is not a number")))
                .ok(),
        };
        let input = PlanInput {
            location_id,
            planned_on: form.get("planned_on").to_string(),
            scheme: form.opt("scheme"),
            inspector_id: inspector_for(&ctx, inspector_id),
        };
        let e: FieldErrors = match input.validate() {
            Err(mut e) => {
                e.0.extend(errors.0);
                e
            }
            Ok(_) if !errors.is_empty() => errors,
            Ok(draft) => match state.store.plan_inspection(&ctx.actor(), &scope, &draft).await {
                Ok(created) => return Ok(Redirect::to(&format!("/inspections/{}", created.id)).into_response()),
                Err(StoreError::Invalid(e)) => e,
                Err(e) => return Err(e.into()),
            },
        };
        let mut view = plan_view(&state, &ctx, &PlanQuery::default()).await?;
        view.errors = error_lines(tr, &e);
        view.form_location = form.get("location_id").to_string();
        view.form_date = form.get("planned_on").to_string();
        view.form_inspector = form.get("inspector_id").to_string();
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
    }
    .await;
    page(&state, &ctx, result)
}

async fn sanctions_post(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result: PageResult = async {
        posted_form(&ctx, &body)?;
        if !ctx.viewer.is_admin() {
            return Err(PageError::Forbidden);
        }
        let applied = state.store.apply_sanctions(today(), &ctx.actor()).await?;
        let mut view = plan_view(&state, &ctx, &PlanQuery::default()).await?;
        view.flash = format!("{} {}", ctx.lang.texts().insp_sanctions_applied, applied.len());
        Ok(render(&view))
    }
    .await;
    page(&state, &ctx, result)
}

// ---------------------------------------------------------------- the inspection form

/// One line next to a field: whether a rule holds, and if not, by how much.
struct CheckLine {
    holds: bool,
    text: String,
}

struct RoomRow {
    name: String,
    area: String,
    persons: String,
    name_error: String,
    area_error: String,
    persons_error: String,
    area_checks: Vec<CheckLine>,
    persons_checks: Vec<CheckLine>,
}

struct FindingRow {
    text: String,
    constraint: String,
    deadline: String,
    error: String,
}

struct OpenDefect {
    id: i64,
    description: String,
    deadline: String,
    checked: bool,
}

/// The phone form as shown: values typed, errors and rule checks per field.
struct FormView {
    id: i64,
    version: i64,
    done_on: String,
    floor_area: String,
    toilets: String,
    showers: String,
    beds_counted: String,
    persons_present: String,
    rooms: Vec<RoomRow>,
    findings: Vec<FindingRow>,
    open_defects: Vec<OpenDefect>,
    constraints: Vec<(&'static str, &'static str)>,
    labels: [&'static str; 6],
    errors: HashMap<String, String>,
    checks: HashMap<String, Vec<CheckLine>>,
    summary: Vec<String>,
    judged: bool,
    verdict_line: String,
}

/// One of the form's single inputs.
struct TopField {
    name: &'static str,
    label: &'static str,
    value: String,
    mode: &'static str,
    /// The field path errors and checks use.
    field: String,
    error: String,
}

impl FormView {
    fn top(&self) -> Vec<TopField> {
        let values =
            [&self.done_on, &self.floor_area, &self.toilets, &self.showers, &self.beds_counted, &self.persons_present];
        let names = ["done_on", "floor_area_m2", "toilets", "showers", "beds_counted", "persons_present"];
        let modes = ["date", "decimal", "numeric", "numeric", "numeric", "numeric"];
        (0..6)
            .map(|i| {
                let field = if i == 0 { "done_on".to_string() } else { format!("measurements.{}", names[i]) };
                TopField {
                    name: names[i],
                    label: self.labels[i],
                    value: values[i].clone(),
                    mode: modes[i],
                    error: self.error(&field),
                    field,
                }
            })
            .collect()
    }

    fn error(&self, field: &str) -> String {
        self.errors.get(field).cloned().unwrap_or_default()
    }

    fn checks_of(&self, field: &str) -> &[CheckLine] {
        self.checks.get(field).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[derive(Template)]
#[template(path = "inspections_form.html")]
struct FormFragment {
    l: Layout,
    form: FormView,
}

struct DefectLine {
    id: i64,
    description: String,
    rule: String,
    deadline: String,
    state: &'static str,
    state_code: &'static str,
    resolved: String,
}

struct SchemeLine {
    name: String,
    version: String,
    permitted: String,
    violations: Vec<String>,
}

#[derive(Template)]
#[template(path = "inspections_detail.html")]
struct DetailPage {
    l: Layout,
    i: InspectionHead,
    form: Option<FormView>,
    schemes: Vec<SchemeLine>,
    permitted: String,
    present: String,
    defects: Vec<DefectLine>,
    can_write: bool,
    status_code: &'static str,
}

struct InspectionHead {
    id: i64,
    location_id: i64,
    address: String,
    scheme: &'static str,
    status: &'static str,
    planned_on: String,
    done_on: String,
    inspector: String,
}

fn fmt_number(tr: &Texts, v: f64) -> String {
    tr.decimal(&v)
}

/// The rule checks per field, in the viewer's language.
fn check_lines(tr: &Texts, checks: &[FieldCheck], sets: &[(String, String)]) -> HashMap<String, Vec<CheckLine>> {
    let mut out: HashMap<String, Vec<CheckLine>> = HashMap::new();
    for c in checks {
        let set = sets.iter().find(|(code, _)| *code == c.rule_set).map(|(_, n)| n.as_str()).unwrap_or(&c.rule_set);
        let text = if c.holds {
            format!("{set}: {} — {}", tr.constraint(c.constraint), tr.insp_holds)
        } else {
            let line = crate::norms::violation_line(
                tr,
                c.constraint,
                None,
                c.measured,
                c.required,
                c.comparison == "at_least",
                &c.source,
            );
            format!("{set}: {} — {line}", tr.insp_fails)
        };
        out.entry(c.field.clone()).or_default().push(CheckLine { holds: c.holds, text });
    }
    // Failures first.
    for lines in out.values_mut() {
        lines.sort_by_key(|l| l.holds);
    }
    out
}

fn number_input(form: &FormData, name: &str, field: &str, errors: &mut FieldErrors) -> Option<f64> {
    let raw = form.get(name).trim().replace(',', ".");
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Some(v),
        _ => {
            errors.add(field, "not_a_number", format!("'{}' is not a number", form.get(name)));
            None
        }
    }
}

fn count_input(value: &str, field: &str, errors: &mut FieldErrors) -> Option<i64> {
    let raw = value.trim();
    if raw.is_empty() {
        return None;
    }
    raw.parse::<i64>().map_err(|_| errors.add(field, "not_a_number", format!("'{raw}' is not a whole number"))).ok()
}

fn all(form: &FormData, name: &str) -> Vec<String> {
    form.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// The phone form as the API's completion input, with the values that could not be read.
fn completion_input(form: &FormData) -> (CompletionInput, FieldErrors) {
    let mut e = FieldErrors::new();
    let floor_area_m2 = number_input(form, "floor_area_m2", "measurements.floor_area_m2", &mut e);
    let toilets = count_input(form.get("toilets"), "measurements.toilets", &mut e);
    let showers = count_input(form.get("showers"), "measurements.showers", &mut e);
    let beds_counted = count_input(form.get("beds_counted"), "measurements.beds_counted", &mut e);
    let persons_present = count_input(form.get("persons_present"), "measurements.persons_present", &mut e);
    let (names, areas, persons) = (all(form, "room_name"), all(form, "room_area"), all(form, "room_persons"));
    let mut rooms = Vec::new();
    for i in 0..names.len().max(areas.len()).max(persons.len()) {
        let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
        let (name, area, p) = (get(&names), get(&areas), get(&persons));
        if name.trim().is_empty() && area.trim().is_empty() && p.trim().is_empty() {
            continue;
        }
        let index = rooms.len();
        let area_field = format!("measurements.rooms[{index}].area_m2");
        let area_m2 = {
            let raw = area.trim().replace(',', ".");
            if raw.is_empty() {
                None
            } else {
                raw.parse::<f64>()
                    .map_err(|_| e.add(area_field, "not_a_number", format!("'{area}' is not a number")))
                    .ok()
            }
        };
        let persons = count_input(&p, &format!("measurements.rooms[{index}].persons"), &mut e);
        rooms.push(RoomMeasurementInput { name, area_m2, persons });
    }
    let (texts, rules, deadlines) =
        (all(form, "finding_text"), all(form, "finding_constraint"), all(form, "finding_deadline"));
    let mut findings = Vec::new();
    for i in 0..texts.len() {
        let get = |v: &Vec<String>| v.get(i).cloned().unwrap_or_default();
        let (text, rule, deadline) = (get(&texts), get(&rules), get(&deadlines));
        if text.trim().is_empty() && rule.trim().is_empty() && deadline.trim().is_empty() {
            continue;
        }
        findings.push(FindingInput {
            text,
            constraint: Some(rule).filter(|r| !r.trim().is_empty()),
            deadline: Some(deadline).filter(|d| !d.trim().is_empty()),
        });
    }
    let mut resolves = Vec::new();
    for v in all(form, "resolve") {
        match v.parse::<i64>() {
            Ok(id) => resolves.push(id),
            Err(_) => e.add("resolves", "not_a_number", format!("'{v}' is not a defect number")),
        }
    }
    let input = CompletionInput {
        done_on: form.get("done_on").trim().to_string(),
        measurements: MeasurementsInput { floor_area_m2, toilets, showers, rooms, beds_counted, persons_present },
        findings,
        resolves,
    };
    (input, e)
}

/// A blank form, filled from what the register says as a starting point.
fn form_from_register(tr: &Texts, inspection: &Inspection, location: &Location, open: Vec<OpenDefect>) -> FormView {
    let mut rooms: Vec<RoomRow> = location
        .rooms
        .iter()
        .map(|r| RoomRow {
            name: r.name.clone(),
            area: fmt_number(tr, r.area_m2),
            persons: r.beds.iter().filter(|b| b.in_service).count().to_string(),
            name_error: String::new(),
            area_error: String::new(),
            persons_error: String::new(),
            area_checks: Vec::new(),
            persons_checks: Vec::new(),
        })
        .collect();
    add_blank_rooms(&mut rooms);
    FormView {
        id: inspection.id,
        version: inspection.version,
        done_on: today().to_string(),
        floor_area: fmt_number(tr, location.floor_area_m2),
        toilets: location.facilities.toilets.to_string(),
        showers: location.facilities.showers.to_string(),
        beds_counted: location.beds_in_service.to_string(),
        persons_present: String::new(),
        rooms,
        findings: blank_findings(Vec::new()),
        open_defects: open,
        constraints: constraint_choices(tr),
        labels: labels(tr),
        errors: HashMap::new(),
        checks: HashMap::new(),
        summary: Vec::new(),
        judged: false,
        verdict_line: String::new(),
    }
}

fn add_blank_rooms(rooms: &mut Vec<RoomRow>) {
    for _ in 0..2 {
        rooms.push(RoomRow {
            name: String::new(),
            area: String::new(),
            persons: String::new(),
            name_error: String::new(),
            area_error: String::new(),
            persons_error: String::new(),
            area_checks: Vec::new(),
            persons_checks: Vec::new(),
        });
    }
}

fn blank_findings(mut rows: Vec<FindingRow>) -> Vec<FindingRow> {
    for _ in 0..2 {
        rows.push(FindingRow {
            text: String::new(),
            constraint: String::new(),
            deadline: String::new(),
            error: String::new(),
        });
    }
    rows
}

fn labels(tr: &Texts) -> [&'static str; 6] {
    [
        tr.insp_done_on,
        tr.insp_floor_area,
        tr.insp_toilets,
        tr.insp_showers,
        tr.insp_beds_counted,
        tr.insp_persons_present,
    ]
}

fn constraint_choices(tr: &Texts) -> Vec<(&'static str, &'static str)> {
    Constraint::ALL.iter().map(|c| (c.as_str(), tr.constraint(*c))).collect()
}

/// The form as submitted, with errors and (when the values could be judged) rule checks.
async fn form_from_post(
    state: &AppState,
    ctx: &Ctx,
    inspection: &Inspection,
    location: &Location,
    form: &FormData,
    extra: Option<&FieldErrors>,
) -> Result<(FormView, bool), PageError> {
    let tr = ctx.lang.texts();
    let (input, mut read_errors) = completion_input(form);
    let validated = input.validate();
    let mut checks = HashMap::new();
    let mut judged = false;
    let mut verdict_line = String::new();
    // Judge whatever measurements are valid, even when findings are not.
    let mut m_errors = FieldErrors::new();
    let measurements = input.measurements.validate_into(&mut m_errors);
    if m_errors.is_empty() && read_errors.is_empty() {
        let date = core_insp_date(&input.done_on).unwrap_or_else(today);
        let verdict = state.store.judge_inspection(location, inspection.scheme, date, &measurements).await?;
        let names: Vec<(String, String)> = verdict.norms.iter().map(|s| (s.code.clone(), s.name.clone())).collect();
        checks = check_lines(tr, &verdict.checks, &names);
        judged = true;
        verdict_line = format!(
            "{}: {} · {}: {}",
            tr.insp_permitted,
            verdict.view.permitted.map(|p| p.to_string()).unwrap_or_else(|| tr.capacity_no_limit.to_string()),
            tr.insp_present,
            verdict.view.persons
        );
    }
    let mut all_errors = FieldErrors::new();
    all_errors.0.append(&mut read_errors.0);
    if let Err(e) = &validated {
        for err in &e.0 {
            if all_errors.get(&err.field).is_none() {
                all_errors.0.push(err.clone());
            }
        }
    }
    if let Some(extra) = extra {
        all_errors.0.extend(extra.0.iter().cloned());
    }
    let errors: HashMap<String, String> =
        all_errors.0.iter().rev().map(|e| (e.field.clone(), tr.field_error(e))).collect();
    let mut rooms: Vec<RoomRow> = input
        .measurements
        .rooms
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let f = |s: &str| format!("measurements.rooms[{i}].{s}");
            let take = |field: String| {
                checks
                    .get(&field)
                    .map(|v: &Vec<CheckLine>| {
                        v.iter().map(|c| CheckLine { holds: c.holds, text: c.text.clone() }).collect()
                    })
                    .unwrap_or_default()
            };
            RoomRow {
                name: r.name.clone(),
                area: r.area_m2.map(|a| fmt_number(tr, a)).unwrap_or_default(),
                persons: r.persons.map(|p| p.to_string()).unwrap_or_default(),
                name_error: errors.get(&f("name")).cloned().unwrap_or_default(),
                area_error: errors.get(&f("area_m2")).cloned().unwrap_or_default(),
                persons_error: errors.get(&f("persons")).cloned().unwrap_or_default(),
                area_checks: take(f("area_m2")),
                persons_checks: take(f("persons")),
            }
        })
        .collect();
    add_blank_rooms(&mut rooms);
    let findings = input
        .findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let prefix = format!("findings[{i}]");
            let error = all_errors
                .0
                .iter()
                .filter(|e| e.field.starts_with(&prefix))
                .map(|e| tr.field_error(e))
                .collect::<Vec<_>>()
                .join(" ");
            FindingRow {
                text: f.text.clone(),
                constraint: f.constraint.clone().unwrap_or_default(),
                deadline: f.deadline.clone().unwrap_or_default(),
                error,
            }
        })
        .collect();
    let open = open_defects(state, inspection, &input.resolves).await?;
    let summary = error_lines(tr, &all_errors);
    let ok = all_errors.is_empty();
    Ok((
        FormView {
            id: inspection.id,
            version: inspection.version,
            done_on: input.done_on.clone(),
            floor_area: form.get("floor_area_m2").to_string(),
            toilets: form.get("toilets").to_string(),
            showers: form.get("showers").to_string(),
            beds_counted: form.get("beds_counted").to_string(),
            persons_present: form.get("persons_present").to_string(),
            rooms,
            findings: blank_findings(findings),
            open_defects: open,
            constraints: constraint_choices(tr),
            labels: labels(tr),
            errors,
            checks,
            summary,
            judged,
            verdict_line,
        },
        ok,
    ))
}

fn core_insp_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

async fn open_defects(
    state: &AppState,
    inspection: &Inspection,
    checked: &[i64],
) -> Result<Vec<OpenDefect>, PageError> {
    let defects = state.store.defects(&LocationScope::All, inspection.location_id).await?;
    Ok(defects
        .into_iter()
        .filter(|d| d.status == core_insp::DefectStatus::Open && d.inspection_id != inspection.id)
        .map(|d| OpenDefect {
            id: d.id,
            description: d.description,
            deadline: d.deadline.to_string(),
            checked: checked.contains(&d.id),
        })
        .collect())
}

fn head(tr: &Texts, i: &Inspection) -> InspectionHead {
    InspectionHead {
        id: i.id,
        location_id: i.location_id,
        address: i.address.clone(),
        scheme: scheme_text(tr, i.scheme),
        status: inspection_status_text(tr, i.status),
        planned_on: i.planned_on.to_string(),
        done_on: i.done_on.map(|d| d.to_string()).unwrap_or_default(),
        inspector: i.inspector.clone().unwrap_or_default(),
    }
}

fn defect_lines(tr: &Texts, defects: &[flexwonen_store::Defect]) -> Vec<DefectLine> {
    defects
        .iter()
        .map(|d| {
            let (state, code) = match d.state(today()) {
                DefectState::Open => (tr.insp_defect_open, "open"),
                DefectState::Overdue { .. } => (tr.insp_defect_overdue, "overdue"),
                DefectState::Resolved => (tr.insp_defect_resolved, "resolved"),
            };
            DefectLine {
                id: d.id,
                description: d.description.clone(),
                rule: d.constraint.map(|c| tr.constraint(c).to_string()).unwrap_or_default(),
                deadline: d.deadline.to_string(),
                state,
                state_code: code,
                resolved: match (d.resolved_on, d.resolved_by_inspection_id) {
                    (Some(on), Some(by)) => format!("{on} (#{by})"),
                    (Some(on), None) => on.to_string(),
                    _ => String::new(),
                },
            }
        })
        .collect()
}

/// The stored verdict, read back from its JSON for the page.
fn scheme_lines(tr: &Texts, verdict: Option<&serde_json::Value>) -> (Vec<SchemeLine>, String, String) {
    let Some(v) = verdict else { return (Vec::new(), String::new(), String::new()) };
    let text = |v: &serde_json::Value| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
    let schemes = v["schemes"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| SchemeLine {
                    name: text(&s["name"]),
                    version: format!(
                        "{} {} ({})",
                        tr.insp_version,
                        text(&s["version"]),
                        text(&s["version_valid_from"])
                    ),
                    permitted: s["permitted"]
                        .as_u64()
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| tr.capacity_no_limit.to_string()),
                    violations: s["violations"]
                        .as_array()
                        .map(|vs| {
                            vs.iter()
                                .map(|x| {
                                    let c = x["constraint"].as_str().and_then(Constraint::parse);
                                    let bound = if x["comparison"] == "at_least" {
                                        tr.capacity_at_least
                                    } else {
                                        tr.capacity_at_most
                                    };
                                    format!(
                                        "{}{}: {} {}, {} {bound} {} ({})",
                                        c.map(|c| tr.constraint(c)).unwrap_or(""),
                                        x["room"].as_str().map(|r| format!(" — {r}")).unwrap_or_default(),
                                        tr.capacity_measured,
                                        fmt_number(tr, x["measured"].as_f64().unwrap_or(0.0)),
                                        tr.capacity_required,
                                        fmt_number(tr, x["required"].as_f64().unwrap_or(0.0)),
                                        text(&x["source"])
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let permitted = v["permitted"].as_u64().map(|p| p.to_string()).unwrap_or_else(|| tr.capacity_no_limit.to_string());
    (schemes, permitted, v["persons"].to_string())
}

async fn detail_view(
    state: &AppState,
    ctx: &Ctx,
    inspection: Inspection,
    form: Option<FormView>,
) -> Result<DetailPage, PageError> {
    let tr = ctx.lang.texts();
    let can_write = core_insp::write_scope(&ctx.viewer).allows(
        &flexwonen_core::ids::MunicipalityCode::parse(&inspection.municipality_code)
            .map_err(|_| PageError::NotFound)?,
        None,
    );
    let form = match form {
        Some(f) => Some(f),
        None if can_write && inspection.status == InspectionStatus::Planned => {
            let location = state.store.location(&LocationScope::All, inspection.location_id).await?;
            let open = open_defects(state, &inspection, &[]).await?;
            Some(form_from_register(tr, &inspection, &location, open))
        }
        None => None,
    };
    let (schemes, permitted, present) = scheme_lines(tr, inspection.verdict.as_ref());
    let defects = if inspection.status == InspectionStatus::Done {
        state.store.defects(&LocationScope::All, inspection.location_id).await?
    } else {
        inspection.defects.clone()
    };
    Ok(DetailPage {
        l: layout(
            state,
            ctx,
            "inspections",
            format!("{} {}", tr.insp_title, inspection.id),
            &format!("/inspections/{}", inspection.id),
        ),
        i: head(tr, &inspection),
        form,
        schemes,
        permitted,
        present,
        defects: defect_lines(tr, &defects),
        can_write,
        status_code: inspection.status.as_str(),
    })
}

fn parse_id(id: &str) -> Result<i64, PageError> {
    id.parse().map_err(|_| PageError::NotFound)
}

async fn detail_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let result = async {
        let scope = read_scope_page(&ctx)?;
        let inspection = state.store.inspection(&scope, parse_id(&id)?).await?;
        Ok(render(&detail_view(&state, &ctx, inspection, None).await?))
    }
    .await;
    page(&state, &ctx, result)
}

/// Submitting the phone form: "check" judges and re-renders; "save" records when all is valid.
async fn record_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let scope = write_scope_page(&ctx)?;
        let inspection = state.store.inspection(&scope, parse_id(&id)?).await?;
        if inspection.status != InspectionStatus::Planned {
            return Err(PageError::BadForm);
        }
        let location = state.store.location(&LocationScope::All, inspection.location_id).await?;
        let (view, ok) = form_from_post(&state, &ctx, &inspection, &location, &form, None).await?;
        if form.get("action") == "save" && ok {
            let (input, _) = completion_input(&form);
            let version = form.get("version").parse::<i64>().ok();
            let store_error = match input.validate() {
                Ok(completion) => match state
                    .store
                    .complete_inspection(&ctx.actor(), &scope, inspection.id, version, &completion)
                    .await
                {
                    Ok(done) => return Ok(Redirect::to(&format!("/inspections/{}", done.id)).into_response()),
                    Err(StoreError::Invalid(e)) => e,
                    Err(StoreError::Conflict { .. }) => FieldErrors::single(
                        "version",
                        "version_conflict",
                        "the inspection was changed meanwhile; reload the page",
                    ),
                    Err(e) => return Err(e.into()),
                },
                Err(e) => e,
            };
            let (view, _) = form_from_post(&state, &ctx, &inspection, &location, &form, Some(&store_error)).await?;
            let page = detail_view(&state, &ctx, inspection, Some(view)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
        }
        let status = if ok { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
        let page = detail_view(&state, &ctx, inspection, Some(view)).await?;
        Ok((status, render(&page)).into_response())
    }
    .await;
    page(&state, &ctx, result)
}

/// The form judged and rendered alone, for the script that swaps in the checks while typing.
async fn preview_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let scope = write_scope_page(&ctx)?;
        let inspection = state.store.inspection(&scope, parse_id(&id)?).await?;
        let location = state.store.location(&LocationScope::All, inspection.location_id).await?;
        let (view, _) = form_from_post(&state, &ctx, &inspection, &location, &form, None).await?;
        let l = layout(&state, &ctx, "inspections", "", "/inspections");
        Ok(render(&FormFragment { l, form: view }))
    }
    .await;
    page(&state, &ctx, result)
}

async fn cancel_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        posted_form(&ctx, &body)?;
        let scope = write_scope_page(&ctx)?;
        match state.store.cancel_inspection(&ctx.actor(), &scope, parse_id(&id)?).await {
            Ok(i) => Ok(Redirect::to(&format!("/inspections/{}", i.id)).into_response()),
            // No longer planned, also when a concurrent change got there first.
            Err(StoreError::Invalid(_) | StoreError::Conflict { .. }) => Err(PageError::BadForm),
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}

async fn resolve_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let scope = write_scope_page(&ctx)?;
        let back = form.get("back").parse::<i64>().map_err(|_| PageError::BadForm)?;
        let by = form.get("inspection_id").trim().parse::<i64>().unwrap_or(-1);
        let defect = parse_id(&id)?;
        match state.store.resolve_defect(&ctx.actor(), &scope, defect, by).await {
            Ok(_) => Ok(Redirect::to(&format!("/inspections/{back}")).into_response()),
            Err(StoreError::Invalid(e)) => {
                let inspection = state.store.inspection(&scope, back).await?;
                let mut page = detail_view(&state, &ctx, inspection, None).await?;
                page.l.title = error_lines(ctx.lang.texts(), &e).join("; ");
                Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}

// ---------------------------------------------------------------- the administrative check

struct UnregisteredLine {
    line: usize,
    address: String,
}

#[derive(Template)]
#[template(path = "inspections_admin_check.html")]
struct AdminCheckPage {
    l: Layout,
    is_admin: bool,
    organisation_id: String,
    csv: String,
    /// Shown next to the file field: no list given, or a file that cannot be read.
    csv_error: String,
    errors: Vec<String>,
    checked: bool,
    counts: String,
    unregistered: Vec<UnregisteredLine>,
    not_listed: Vec<(i64, String)>,
}

fn admin_check_blank(state: &AppState, ctx: &Ctx) -> Result<AdminCheckPage, PageError> {
    if core_insp::admin_check_organisation(&ctx.viewer, None).is_none() && !ctx.viewer.is_admin() {
        return Err(PageError::Forbidden);
    }
    let tr = ctx.lang.texts();
    Ok(AdminCheckPage {
        l: layout(state, ctx, "inspections", tr.admin_check_title, "/admin-check"),
        is_admin: ctx.viewer.is_admin(),
        organisation_id: String::new(),
        csv: String::new(),
        csv_error: String::new(),
        errors: Vec::new(),
        checked: false,
        counts: String::new(),
        unregistered: Vec::new(),
        not_listed: Vec::new(),
    })
}

async fn admin_check_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    let result = admin_check_blank(&state, &ctx).map(|p| render(&p));
    page(&state, &ctx, result)
}

fn line_errors(tr: &Texts, errors: &[core_insp::LineError]) -> Vec<String> {
    errors
        .iter()
        .map(|e| {
            let fe = flexwonen_core::FieldError { field: e.field.clone(), code: e.code, message: e.message.clone() };
            format!("{} {}, {}: {}", tr.admin_check_line, e.line, e.field, tr.field_error(&fe))
        })
        .collect()
}

async fn admin_check_post(State(state): State<AppState>, ctx: Ctx, req: Request) -> Response {
    let result = async {
        let (form, upload) = form_with_file(&ctx, req).await?;
        let mut view = admin_check_blank(&state, &ctx)?;
        let tr = ctx.lang.texts();
        view.csv = form.get("csv").to_string();
        view.organisation_id = form.get("organisation_id").to_string();
        // The file wins over the pasted text; one of the two must be given.
        let (csv, unreadable) = match upload {
            Some(Upload::File(bytes)) => match String::from_utf8(bytes) {
                Ok(text) => (text, None),
                Err(_) => (String::new(), Some((StatusCode::UNPROCESSABLE_ENTITY, tr.admin_check_not_utf8))),
            },
            Some(Upload::TooLarge) => (String::new(), Some((StatusCode::PAYLOAD_TOO_LARGE, tr.admin_check_too_large))),
            None if view.csv.trim().is_empty() => {
                (String::new(), Some((StatusCode::UNPROCESSABLE_ENTITY, tr.admin_check_csv_or_file)))
            }
            None => (view.csv.clone(), None),
        };
        if let Some((status, text)) = unreadable {
            view.csv_error = text.to_string();
            view.errors = vec![view.csv_error.clone()];
            return Ok((status, render(&view)).into_response());
        }
        let requested = form.opt("organisation_id").and_then(|s| s.parse::<i64>().ok());
        let Some(org) = core_insp::admin_check_organisation(&ctx.viewer, requested) else {
            view.errors = vec![format!(
                "{}: {}",
                tr.admin_check_org,
                tr.field_error(&flexwonen_core::FieldError {
                    field: "organisation_id".into(),
                    code: "required",
                    message: "name the organisation to check".into(),
                })
            )];
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
        };
        match parse_address_list(&csv) {
            Err(errors) => {
                view.errors = line_errors(tr, &errors);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
            }
            Ok(list) => {
                let check = match state.store.admin_check(&ctx.actor(), org, &list).await {
                    Err(StoreError::NotFound) => {
                        view.errors = vec![format!("{}: {org}?", tr.admin_check_org)];
                        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
                    }
                    other => other?,
                };
                view.checked = true;
                view.counts = format!(
                    "{}: {} / {} ({})",
                    tr.admin_check_counts, check.listed, check.registered, check.organisation_name
                );
                view.unregistered = check
                    .unregistered
                    .iter()
                    .map(|a| UnregisteredLine { line: a.line, address: a.display() })
                    .collect();
                view.not_listed = check.not_listed.iter().map(|r| (r.location_id, r.address.clone())).collect();
                Ok(render(&view))
            }
        }
    }
    .await;
    page(&state, &ctx, result)
}

// ---------------------------------------------------------------- API

/// `?location_id=&page=&per_page=`.
async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let scope = read_scope_api(&ctx)?;
    let (page_no, per_page) = paging(&q)?;
    let location = id_param(&q, "location_id")?;
    let all = state.store.inspections(&scope, location).await?;
    Ok(page_of(&all, page_no, per_page))
}

async fn api_plan(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<PlanInput>,
) -> Result<Response, ApiError> {
    let scope = write_scope_api(&ctx)?;
    let mut draft = input.validate().map_err(ApiError::invalid)?;
    draft.inspector_id = inspector_for(&ctx, draft.inspector_id);
    let created = state.store.plan_inspection(&ctx.actor(), &scope, &draft).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, ApiError> {
    let scope = read_scope_api(&ctx)?;
    let inspection = state.store.inspection(&scope, api_id(&id)?).await?;
    Ok(([(header::ETAG, format!("\"{}\"", inspection.version))], Json(inspection)).into_response())
}

async fn api_complete(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(input): JsonBody<CompletionInput>,
) -> Result<Response, ApiError> {
    let scope = write_scope_api(&ctx)?;
    let id = api_id(&id)?;
    state.store.inspection(&scope, id).await?;
    let completion = input.validate().map_err(ApiError::invalid)?;
    // The version comes from If-Match only: the body is the completion, which refuses unknown fields.
    let version = expected_version(&headers, &mut serde_json::Value::Null)?;
    let done = state.store.complete_inspection(&ctx.actor(), &scope, id, version, &completion).await?;
    Ok(Json(done).into_response())
}

/// Judges measured values without saving anything: the verdict and the checks per field.
async fn api_check(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<CompletionInput>,
) -> Result<Response, ApiError> {
    let scope = write_scope_api(&ctx)?;
    let inspection = state.store.inspection(&scope, api_id(&id)?).await?;
    let completion = input.validate().map_err(ApiError::invalid)?;
    let location = state.store.location(&LocationScope::All, inspection.location_id).await?;
    let verdict = state
        .store
        .judge_inspection(&location, inspection.scheme, completion.done_on, &completion.measurements)
        .await?;
    Ok(Json(serde_json::json!({"verdict": verdict.view, "checks": verdict.checks})).into_response())
}

async fn api_cancel(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, ApiError> {
    let scope = write_scope_api(&ctx)?;
    Ok(Json(state.store.cancel_inspection(&ctx.actor(), &scope, api_id(&id)?).await?).into_response())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveInput {
    inspection_id: i64,
}

async fn api_resolve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ResolveInput>,
) -> Result<Response, ApiError> {
    let scope = write_scope_api(&ctx)?;
    Ok(Json(state.store.resolve_defect(&ctx.actor(), &scope, api_id(&id)?, input.inspection_id).await?).into_response())
}

async fn api_plan_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PlanQuery>,
) -> Result<Response, ApiError> {
    let scope = read_scope_api(&ctx)?;
    let (year, filter) =
        plan_query(&q).map_err(|e| ApiError { status: StatusCode::BAD_REQUEST, ..ApiError::invalid(e) })?;
    Ok(Json(state.store.inspection_plan(&scope, year, today(), &filter).await?).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SanctionsInput {
    #[serde(default)]
    date: Option<String>,
}

async fn api_sanctions(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<SanctionsInput>,
) -> Result<Response, ApiError> {
    if ctx.viewer.principal().is_none() {
        return Err(ApiError::unauthorized());
    }
    require_token(&ctx)?;
    if !ctx.viewer.is_admin() {
        return Err(ApiError::forbidden("only administrators apply sanctions"));
    }
    let date = match input.date.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today(),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            ApiError::invalid(FieldErrors::single(
                "date",
                "invalid_date",
                format!("'{s}' is not a date of the form YYYY-MM-DD"),
            ))
        })?,
    };
    let applied = state.store.apply_sanctions(date, &ctx.actor()).await?;
    Ok(Json(serde_json::json!({"date": date, "applied": applied})).into_response())
}

#[derive(Debug, Default, Deserialize)]
struct CheckQuery {
    organisation_id: Option<String>,
}

/// `text/csv` body: the organisation's own list of addresses.
async fn api_admin_check(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Query(q): Query<CheckQuery>,
    body: Bytes,
) -> Result<Response, ApiError> {
    if ctx.viewer.principal().is_none() {
        return Err(ApiError::unauthorized());
    }
    require_token(&ctx)?;
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !(ct.starts_with("text/csv") || ct.starts_with("text/plain")) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("send the address list as text/csv, not '{ct}'"),
        ));
    }
    let requested = match q.organisation_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            s.parse::<i64>()
                .map_err(|_| ApiError::bad_request("invalid_organisation_id", format!("'{s}' is not a number")))?,
        ),
    };
    let org = core_insp::admin_check_organisation(&ctx.viewer, requested).ok_or_else(|| {
        if ctx.viewer.is_admin() {
            ApiError::invalid(FieldErrors::single("organisation_id", "required", "name the organisation to check"))
        } else {
            ApiError::forbidden("only a housing provider (its own list) or an administrator runs this check")
        }
    })?;
    let text =
        std::str::from_utf8(&body).map_err(|_| ApiError::bad_request("not_utf8", "the list must be UTF-8 text"))?;
    let list = parse_address_list(text).map_err(|errors| {
        let mut fields = FieldErrors::new();
        for e in &errors {
            fields.add(format!("line {}: {}", e.line, e.field), e.code, e.message.clone());
        }
        ApiError::invalid(fields)
    })?;
    Ok(Json(state.store.admin_check(&ctx.actor(), org, &list).await?).into_response())
}
