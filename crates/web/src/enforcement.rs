//! Enforcement (issue 7): a municipality's complaints and cases with their deadlines, a case
//! with its steps, its bed-for-bed ledger, vacancy proposals and relocations, and the
//! bed-for-bed balance per municipality, region and country. Who sees what is
//! `Viewer::case_scope` (a municipality its own, an inspector the cases assigned to them)
//! and `Viewer::ledger_view` (counts for regions and the ministry).
//!
//! Pages: `/handhaving`, `/handhaving/zaken/{id}`, `/handhaving/klachten/{id}`. API:
//! `/api/v1/cases…`, `/api/v1/complaints`, `/api/v1/bed-for-bed`. Pages and API share one
//! path for every change ([`CaseAction`] → [`act`]).

use crate::AppState;
use crate::api::{JsonBody, require_token};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::forms::FormData;
use crate::i18n::Texts;
use crate::occupancy_views::{area_param, bad_param, date_param};
use crate::pages::{Layout, PageError, csrf_checked, error_lines, layout, page, posted_form, render};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use flexwonen_core::FieldErrors;
use flexwonen_core::access::CaseScope;
use flexwonen_core::complaints::ComplaintKind;
use flexwonen_core::enforcement::{CaseInput, Deadline, Decision, OutcomeInput, PenaltyInput, StepInput, workflows};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::occupancy_events::EventInput;
use flexwonen_core::occupancy_stats::Area;
use flexwonen_store::{BedForBed, Case, CaseDetail, EventContext, StoreError};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/handhaving", get(overview_page))
        .route("/handhaving/zaken", post(open_form))
        .route("/handhaving/zaken/{id}", get(case_page))
        .route("/handhaving/zaken/{id}/{action}", post(case_form))
        .route("/handhaving/klachten/{id}", get(complaint_page))
        .route("/handhaving/klachten/{id}/afhandelen", post(dismiss_form))
}

pub fn api_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/cases", get(cases_api).post(open_api))
        .route("/cases/{id}", get(case_api))
        .route("/cases/{id}/steps", post(step_api))
        .route("/cases/{id}/found", post(found_api))
        .route("/cases/{id}/outcomes", post(outcome_api))
        .route("/cases/{id}/vacancies", get(vacancies_api))
        .route("/cases/{id}/relocations", post(relocate_api))
        .route("/cases/{id}/forfeits", post(forfeit_api))
        .route("/complaints", get(complaints_api))
        .route("/complaints/{id}/dismissal", post(dismiss_api))
        .route("/bed-for-bed", get(bed_for_bed_api))
}

/// Vacancies a case page and the API propose at most.
const MAX_VACANCIES: usize = 50;

// ------------------------------------------------------------------------------- shared

/// The municipality that opens cases: the viewer's own, if it may.
fn opening_municipality(ctx: &Ctx) -> Result<MunicipalityCode, ApiError> {
    match ctx.viewer.principal() {
        None => Err(ApiError::unauthorized()),
        Some(p) => match &p.municipality {
            Some(m) if ctx.viewer.can_decide_case(m.as_str()) => Ok(m.clone()),
            _ => Err(ApiError::forbidden("only a municipality opens enforcement cases")),
        },
    }
}

fn case_scope(ctx: &Ctx) -> Result<CaseScope, ApiError> {
    match ctx.viewer.case_scope() {
        CaseScope::Nothing if ctx.viewer.principal().is_none() => Err(ApiError::unauthorized()),
        CaseScope::Nothing => Err(ApiError::forbidden(
            "cases are for the municipality and the inspectors assigned; your role sees the bed-for-bed counts",
        )),
        scope => Ok(scope),
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountInput {
    count: i64,
    #[serde(default)]
    date: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ForfeitInput {
    units: i64,
    #[serde(default)]
    date: Option<String>,
}

/// A change to a case, from a form or the API.
enum CaseAction {
    Step(StepInput),
    Found(CountInput),
    Outcome(OutcomeInput),
    Relocate(EventInput),
    Forfeit(ForfeitInput),
}

fn optional_date(field: &str, value: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    match value.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(d) => flexwonen_core::register::parse_date(d)
            .map(Some)
            .map_err(|(code, m)| ApiError::invalid(FieldErrors::single(field, code, m))),
    }
}

/// Checks who may do it, then does it in the store (one transaction, audited).
async fn act(state: &AppState, ctx: &Ctx, id: i64, action: CaseAction) -> Result<Case, ApiError> {
    let scope = case_scope(ctx)?;
    let case = state.store.case(&scope, id).await?.case;
    let m = case.municipality_code.as_str();
    let may =
        |allowed: bool| if allowed { Ok(()) } else { Err(ApiError::forbidden("not yours to change in this case")) };
    let actor = ctx.actor();
    let today = crate::today();
    Ok(match action {
        CaseAction::Step(input) => {
            let draft = input.validate().map_err(ApiError::invalid)?;
            may(ctx.viewer.can_record_step(m, case.assignee_id, &draft.step))?;
            state.store.record_step(&actor, &scope, id, &draft, today).await?
        }
        CaseAction::Found(input) => {
            may(ctx.viewer.can_record_step(m, case.assignee_id, "visit"))?;
            let date = optional_date("date", input.date.as_deref())?.unwrap_or(today);
            state.store.record_found(&actor, &scope, id, input.count, date).await?
        }
        CaseAction::Outcome(input) => {
            may(ctx.viewer.can_decide_case(m))?;
            let draft = input.validate().map_err(ApiError::invalid)?;
            state.store.record_outcome(&actor, &scope, id, &draft, today).await?
        }
        CaseAction::Relocate(input) => {
            may(ctx.viewer.can_decide_case(m))?;
            if input.kind != "check_in" {
                return Err(ApiError::invalid(FieldErrors::single(
                    "type",
                    "check_in_only",
                    "a relocation is a check-in",
                )));
            }
            let draft = input.validate().map_err(ApiError::invalid)?;
            let sender = ctx.viewer.event_sender().ok_or_else(ApiError::unauthorized)?;
            let nowhere = flexwonen_core::access::LocationScope::Nothing;
            let event_ctx = EventContext {
                actor: &actor,
                scope: &nowhere,
                sender: &sender,
                bsn_key: state.config.bsn_key.as_deref(),
                today,
                generation: ctx.generation,
            };
            state.store.relocate(&event_ctx, &scope, id, &draft).await?
        }
        CaseAction::Forfeit(input) => {
            may(ctx.viewer.can_decide_case(m))?;
            let date = optional_date("date", input.date.as_deref())?.unwrap_or(today);
            state.store.record_forfeit(&actor, &scope, id, input.units, date).await?
        }
    })
}

/// The municipalities of a bed-for-bed request as the viewer may see them: `None` for the
/// whole country. Without `level` and `id`, the viewer's own area.
async fn ledger_area(
    state: &AppState,
    ctx: &Ctx,
    q: &HashMap<String, String>,
) -> Result<(Area, Option<Vec<MunicipalityCode>>), ApiError> {
    let Some(view) = ctx.viewer.ledger_view() else {
        return Err(if ctx.viewer.principal().is_none() {
            ApiError::unauthorized()
        } else {
            ApiError::forbidden("the bed-for-bed balance is for municipalities, regions and the ministry")
        });
    };
    let given = |k: &str| q.get(k).is_some_and(|v| !v.trim().is_empty());
    let asked = given("level") || given("id");
    let area = if asked {
        area_param(q)?
    } else {
        match (&view, ctx.viewer.principal().and_then(|p| p.region_id)) {
            (Some(ms), _) if ms.len() == 1 => Area::Municipality(ms[0].clone()),
            (Some(_), Some(region)) => Area::Region(region),
            _ => Area::National,
        }
    };
    let members = match &area {
        Area::National => None,
        Area::Municipality(m) => Some(vec![m.clone()]),
        Area::Region(id) => Some(
            state
                .store
                .region_members(*id)
                .await?
                .iter()
                .filter_map(|m| MunicipalityCode::parse(&m.code).ok())
                .collect::<Vec<_>>(),
        ),
    };
    let allowed = match (&view, &members) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(own), Some(ms)) => !ms.is_empty() && ms.iter().all(|m| own.contains(m)),
    };
    if !allowed {
        return Err(ApiError::forbidden("this area is outside what your role sees"));
    }
    Ok((area, members))
}

// ------------------------------------------------------------------------------- API

fn case_json(c: &Case, today: NaiveDate) -> Value {
    let deadline =
        c.due_on.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()).map(|d| Deadline::of(d, today));
    let mut v = serde_json::to_value(c).unwrap_or(Value::Null);
    v["deadline"] = json!(deadline);
    v
}

async fn cases_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let scope = case_scope(&ctx)?;
    let open_only = match q.get("state").map(String::as_str).unwrap_or("open") {
        "open" => true,
        "all" => false,
        other => return Err(bad_param("state", "invalid_state", format!("'{other}' is not open or all"))),
    };
    let today = crate::today();
    let cases = state.store.cases(&scope, open_only, 1_000).await?;
    Ok(Json(json!({"items": cases.iter().map(|c| case_json(c, today)).collect::<Vec<_>>(), "total": cases.len()}))
        .into_response())
}

async fn open_api(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<CaseInput>,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let m = opening_municipality(&ctx)?;
    let draft = input.validate().map_err(ApiError::invalid)?;
    let case = state.store.open_case(&ctx.actor(), &m, &draft, crate::today()).await?;
    Ok((StatusCode::CREATED, Json(case_json(&case, crate::today()))).into_response())
}

fn case_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found())
}

async fn case_api(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, ApiError> {
    let detail = state.store.case(&case_scope(&ctx)?, case_id(&id)?).await?;
    let mut v = serde_json::to_value(&detail).unwrap_or(Value::Null);
    v["deadline"] = case_json(&detail.case, crate::today())["deadline"].clone();
    Ok(Json(v).into_response())
}

async fn action_api(state: AppState, ctx: Ctx, id: String, action: CaseAction) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let case = act(&state, &ctx, case_id(&id)?, action).await?;
    Ok(Json(case_json(&case, crate::today())).into_response())
}

async fn step_api(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<StepInput>,
) -> Result<Response, ApiError> {
    action_api(s, ctx, id, CaseAction::Step(b)).await
}

async fn found_api(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<CountInput>,
) -> Result<Response, ApiError> {
    action_api(s, ctx, id, CaseAction::Found(b)).await
}

async fn outcome_api(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<OutcomeInput>,
) -> Result<Response, ApiError> {
    action_api(s, ctx, id, CaseAction::Outcome(b)).await
}

async fn relocate_api(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<EventInput>,
) -> Result<Response, ApiError> {
    action_api(s, ctx, id, CaseAction::Relocate(b)).await
}

async fn forfeit_api(
    State(s): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ForfeitInput>,
) -> Result<Response, ApiError> {
    action_api(s, ctx, id, CaseAction::Forfeit(b)).await
}

async fn vacancies_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let date = date_param(&q)?;
    let items = state.store.vacancies(&case_scope(&ctx)?, case_id(&id)?, date, MAX_VACANCIES).await?;
    Ok(Json(json!({"date": date, "rule": VACANCY_RULE, "items": items})).into_response())
}

const VACANCY_RULE: &str = "beds in service and free from the date on, at locations in the case municipality's \
    labour-market region with the case's stay type, whose operator holds an SNF or AKF certificate on the date and \
    that may house one more within the norms; nearest first";

async fn complaints_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let CaseScope::Municipalities(ms) = case_scope(&ctx)? else {
        return Err(ApiError::forbidden("complaints are read by their municipality only"));
    };
    let without_case = q.get("without_case").is_some_and(|v| v == "true" || v == "1");
    let mut items = Vec::new();
    for m in &ms {
        items.extend(state.store.complaints(m, without_case, 1_000).await?);
    }
    Ok(Json(json!({"items": items})).into_response())
}

/// `{"reason": "…"}`: handled without a case, audited; the reporter sees it closed.
async fn dismiss_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let m = opening_municipality(&ctx)?;
    let reason = body.get("reason").and_then(Value::as_str).unwrap_or("");
    let complaint = state.store.dismiss_complaint(&ctx.actor(), &m, case_id(&id)?, reason, crate::today()).await?;
    Ok(Json(complaint).into_response())
}

const LEDGER_RULE: &str = "beds or persons found in enforcement cases: found = legalised + relocated + departed + open; \
    months = the counts at each month's end";

async fn bed_for_bed_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (area, members) = ledger_area(&state, &ctx, &q).await?;
    let today = crate::today();
    let ledger = state.store.bed_for_bed(members.as_deref(), today).await?;
    let receivers = state.store.relocation_receivers(members.as_deref(), today).await?;
    let t = &ledger.totals;
    Ok(Json(json!({
        "level": area.level(), "id": area_id(&area), "date": today, "rule": LEDGER_RULE,
        "found": t.found, "legalised": t.legalised, "relocated": t.relocated, "departed": t.departed, "open": t.open,
        "cases_open": ledger.cases_open, "cases_closed": ledger.cases_closed,
        "months": ledger.months.iter().map(|(m, c)| json!({"month": m, "found": c.found, "legalised": c.legalised,
            "relocated": c.relocated, "departed": c.departed, "open": c.open})).collect::<Vec<_>>(),
        "municipalities": ledger.municipalities.iter().map(|(m, c)| json!({"municipality_code": m, "found": c.found,
            "legalised": c.legalised, "relocated": c.relocated, "departed": c.departed, "open": c.open})).collect::<Vec<_>>(),
        "receiving": {"locations": receivers.len(), "over_capacity": receivers.iter().filter(|r| r.over_capacity()).count()},
    }))
    .into_response())
}

fn area_id(area: &Area) -> Value {
    match area {
        Area::National => Value::Null,
        Area::Region(id) => json!(id),
        Area::Municipality(m) => json!(m.as_str()),
    }
}

/// The routes of this module in the OpenAPI document.
pub fn openapi_paths() -> Vec<(&'static str, Value)> {
    let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let body = |example: Value| json!({"required": true, "content": {"application/json": {"example": example}}});
    let write = |summary: &str, example: Value| {
        json!({"post": {"summary": summary, "parameters": [id.clone()], "requestBody": body(example),
        "responses": {"200": {"description": "The case after the change"}, "403": error("Not yours to change"),
            "404": error("No such case in your scope"), "422": error("Refused, per field; nothing changed")}}})
    };
    vec![
        (
            "/cases",
            json!({
            "get": {"summary": "Enforcement cases: a municipality's own, an inspector's assigned; open ones by deadline",
                "parameters": [{"name": "state", "in": "query", "schema": {"type": "string", "enum": ["open", "all"], "default": "open"}}],
                "responses": {"200": {"description": "The cases with next step, due date, deadline (upcoming, due, overdue) and ledger"},
                    "401": error("Not signed in"), "403": error("Your role sees the bed-for-bed counts only")}},
            "post": {"summary": "Opens a case from a signal, a complaint or by hand at an address (municipalities)",
                "requestBody": body(json!({"source": "manual", "postcode": "2671 AB", "house_number": 12, "stay_type": "short", "found": 8, "assignee": "inspecteur"})),
                "responses": {"201": {"description": "The case"}, "403": error("Not a municipality"), "422": error("Refused, per field")}}}),
        ),
        (
            "/cases/{id}",
            json!({"get": {"summary": "A case with its steps, ledger rows and forfeited penalties", "parameters": [id.clone()],
            "responses": {"200": {"description": "The case"}, "404": error("No such case in your scope")}}}),
        ),
        (
            "/cases/{id}/steps",
            write(
                "Records the next step (no required step skipped; closing needs every bed accounted for)",
                json!({"step": "decision", "date": "2026-12-20", "decision": "relocate", "penalty": {"amount_cents": 50000, "per": "week", "maximum_cents": 500000}}),
            ),
        ),
        ("/cases/{id}/found", write("More beds or persons found", json!({"count": 3}))),
        (
            "/cases/{id}/outcomes",
            write(
                "Open beds legalised (within the permitted capacity of the permitted location) or departed",
                json!({"outcome": "departed", "count": 2}),
            ),
        ),
        (
            "/cases/{id}/relocations",
            write(
                "Relocates one open person: a check-in on a vacant certified bed in the region",
                json!({"id": "case-7-1", "type": "check_in", "date": "2026-12-21", "bed_id": 123,
                "worker": {"reference": "W-1", "nationality": "PL", "registration": "none"},
                "terms": {"separate_contract": true, "rent_per_week": 110, "notice_days": 14}}),
            ),
        ),
        ("/cases/{id}/forfeits", write("Penalties forfeited (never above the order's maximum)", json!({"units": 2}))),
        (
            "/cases/{id}/vacancies",
            json!({"get": {"summary": "Vacant certified beds proposed for the case's people, nearest first",
            "parameters": [id.clone(), {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}}],
            "responses": {"200": {"description": "Up to 50 beds"}, "404": error("No such case in your scope")}}}),
        ),
        (
            "/complaints",
            json!({"get": {"summary": "The municipality's complaints from the public form",
            "parameters": [{"name": "without_case", "in": "query", "schema": {"type": "boolean"}}],
            "responses": {"200": {"description": "The complaints"}, "403": error("Not a municipality")}}}),
        ),
        (
            "/bed-for-bed",
            json!({"get": {"summary": "The bed-for-bed balance: found, legalised, relocated, departed, open, per month",
            "parameters": [{"name": "level", "in": "query", "schema": {"type": "string", "enum": ["national", "region", "municipality"]}},
                {"name": "id", "in": "query", "schema": {"type": "string"}, "description": "a region id or a municipality code"}],
            "responses": {"200": {"description": "The balance, with the check of receiving locations against their capacity"},
                "401": error("Not signed in"), "403": error("Outside what your role sees")}}}),
        ),
    ]
}

// ------------------------------------------------------------------------------- pages

fn kind_name(tr: &Texts, k: ComplaintKind) -> &'static str {
    match k {
        ComplaintKind::Nuisance => tr.enf_kind_nuisance,
        ComplaintKind::Overcrowding => tr.enf_kind_overcrowding,
        ComplaintKind::UnsafeHousing => tr.enf_kind_unsafe_housing,
        ComplaintKind::Exploitation => tr.enf_kind_exploitation,
    }
}

fn decision_name(tr: &Texts, d: Decision) -> &'static str {
    match d {
        Decision::Legalise => tr.enf_decision_legalise,
        Decision::Relocate => tr.enf_decision_relocate,
        Decision::CloseLocation => tr.enf_decision_close_location,
        Decision::NoViolation => tr.enf_decision_no_violation,
    }
}

fn step_name(tr: &Texts, version: i64, code: &str) -> String {
    let nl = crate::occupancy_views::is_nl(tr);
    workflows()
        .ok()
        .and_then(|all| all.into_iter().find(|w| i64::from(w.version) == version))
        .and_then(|w| w.step(code).map(|s| if nl { s.name_nl.clone() } else { s.name_en.clone() }))
        .unwrap_or_else(|| code.to_string())
}

fn deadline_text(tr: &Texts, c: &Case, today: NaiveDate) -> (&'static str, &'static str) {
    match c
        .due_on
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .map(|d| Deadline::of(d, today))
    {
        Some(Deadline::Overdue) => (tr.enf_overdue, "over"),
        Some(Deadline::Due) => (tr.enf_due_soon, "due"),
        Some(Deadline::Upcoming) => (tr.enf_on_time, ""),
        None => ("", ""),
    }
}

struct CaseRow {
    id: i64,
    address: String,
    next_step: String,
    due_on: String,
    deadline: &'static str,
    class: &'static str,
    assignee: String,
    ledger: String,
    closed_on: String,
}

fn case_row(tr: &Texts, c: &Case, today: NaiveDate) -> CaseRow {
    let (deadline, class) = deadline_text(tr, c, today);
    let l = &c.ledger;
    CaseRow {
        id: c.id,
        address: c.address.clone(),
        next_step: c.next_step.as_deref().map(|s| step_name(tr, c.workflow_version, s)).unwrap_or_default(),
        due_on: c.due_on.clone().unwrap_or_default(),
        deadline,
        class,
        assignee: c.assignee.clone().unwrap_or_default(),
        ledger: format!("{} / {} / {} / {} / {}", l.found, l.legalised, l.relocated, l.departed, l.open),
        closed_on: c.closed_on.clone().unwrap_or_default(),
    }
}

struct ComplaintRow {
    id: i64,
    received: String,
    address: String,
    kind: &'static str,
    contact: String,
}

struct BalanceView {
    area: String,
    found: i64,
    legalised: i64,
    relocated: i64,
    departed: i64,
    open: i64,
    cases_open: i64,
    cases_closed: i64,
    months: Vec<(String, [i64; 5])>,
    /// Per municipality (name, counts), when the area has more than one.
    municipalities: Vec<(String, [i64; 5])>,
    receivers: Vec<(String, i64, i64, String, bool)>,
    receivers_over: usize,
    receivers_count: usize,
    /// Addresses of receiving locations: only for a municipality's own view.
    show_addresses: bool,
}

fn balance_view(
    tr: &Texts,
    names: &HashMap<String, String>,
    area: String,
    b: &BedForBed,
    receivers: &[flexwonen_store::Receiver],
    show_addresses: bool,
) -> BalanceView {
    let t = &b.totals;
    BalanceView {
        area,
        found: t.found,
        legalised: t.legalised,
        relocated: t.relocated,
        departed: t.departed,
        open: t.open,
        cases_open: b.cases_open,
        cases_closed: b.cases_closed,
        months: b
            .months
            .iter()
            .rev()
            .take(24)
            .map(|(m, c)| {
                (crate::occupancy_views::month_label(tr, m), [c.found, c.legalised, c.relocated, c.departed, c.open])
            })
            .collect(),
        municipalities: b
            .municipalities
            .iter()
            .map(|(m, c)| {
                (
                    names.get(m).cloned().unwrap_or_else(|| m.clone()),
                    [c.found, c.legalised, c.relocated, c.departed, c.open],
                )
            })
            .collect(),
        receivers: receivers
            .iter()
            .map(|r| {
                (
                    r.address.clone(),
                    r.relocated,
                    r.housed,
                    r.permitted.map(|p| p.to_string()).unwrap_or_default(),
                    r.over_capacity(),
                )
            })
            .collect(),
        receivers_over: receivers.iter().filter(|r| r.over_capacity()).count(),
        receivers_count: receivers.len(),
        show_addresses,
    }
}

#[derive(Template)]
#[template(path = "enforcement.html")]
struct OverviewPage {
    l: Layout,
    /// The areas this viewer may choose for the balance; the whole country first if allowed.
    national: Option<bool>,
    groups: Vec<crate::occupancy_views::Group>,
    cases: Vec<CaseRow>,
    closed: Vec<CaseRow>,
    shows_cases: bool,
    can_open: bool,
    complaints: Vec<ComplaintRow>,
    balance: BalanceView,
    stay_types: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
    form: FormData,
}

async fn overview_view(
    state: &AppState,
    ctx: &Ctx,
    q: &HashMap<String, String>,
    form: FormData,
    errors: Vec<String>,
) -> Result<OverviewPage, ApiError> {
    let tr = ctx.lang.texts();
    let today = crate::today();
    let (area, members) = ledger_area(state, ctx, q).await?;
    let (national, groups) = area_choices(state, ctx, &area).await?;
    let names: HashMap<String, String> =
        state.store.municipalities().await?.into_iter().map(|m| (m.code, m.name)).collect();
    let area_name = match &area {
        Area::National => tr.norms_national.to_string(),
        Area::Region(id) => state.store.region(*id).await?.name,
        Area::Municipality(m) => names.get(m.as_str()).cloned().unwrap_or_else(|| m.as_str().to_string()),
    };
    let ledger = state.store.bed_for_bed(members.as_deref(), today).await?;
    let receivers = state.store.relocation_receivers(members.as_deref(), today).await?;
    let scope = ctx.viewer.case_scope();
    let (mut cases, mut closed) = (Vec::new(), Vec::new());
    for c in state.store.cases(&scope, false, 500).await? {
        if c.closed_on.is_some() { closed.push(case_row(tr, &c, today)) } else { cases.push(case_row(tr, &c, today)) }
    }
    let mut complaints = Vec::new();
    if let CaseScope::Municipalities(ms) = &scope {
        for m in ms {
            for c in state.store.complaints(m, true, 100).await? {
                complaints.push(ComplaintRow {
                    id: c.id,
                    received: c.received_at.chars().take(10).collect(),
                    address: c.address,
                    kind: kind_name(tr, c.kind),
                    contact: c.contact.unwrap_or_else(|| tr.enf_anonymous.to_string()),
                });
            }
        }
    }
    let own_municipality = matches!(scope, CaseScope::Municipalities(_));
    Ok(OverviewPage {
        l: layout(state, ctx, "enforcement", tr.enf_title, "/handhaving"),
        national,
        groups,
        cases,
        closed,
        shows_cases: scope != CaseScope::Nothing,
        can_open: opening_municipality(ctx).is_ok(),
        complaints,
        balance: balance_view(tr, &names, area_name, &ledger, &receivers, own_municipality),
        stay_types: flexwonen_core::register::StayType::ALL.iter().map(|s| (s.as_str(), tr.stay_type(*s))).collect(),
        errors,
        form,
    })
}

/// The areas of the balance a viewer may choose: every region and municipality for the
/// national roles; the own region and its municipalities for the others.
async fn area_choices(
    state: &AppState,
    ctx: &Ctx,
    area: &Area,
) -> Result<(Option<bool>, Vec<crate::occupancy_views::Group>), ApiError> {
    use crate::occupancy_views::{Group, Option_};
    let tr = ctx.lang.texts();
    match ctx.viewer.ledger_view() {
        Some(None) => {
            let groups = crate::occupancy_views::area_groups(state, tr, area)
                .await
                .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "areas"))?;
            Ok((Some(*area == Area::National), groups))
        }
        Some(Some(own)) => {
            let mut groups = Vec::new();
            if let Some(region) = ctx.viewer.principal().and_then(|p| p.region_id) {
                let r = state.store.region(region).await?;
                let selected = *area == Area::Region(region);
                groups.push(Group {
                    label: tr.region_kind(r.kind),
                    options: vec![Option_ { value: region.to_string(), name: r.name, selected }],
                });
            }
            let names = state.store.municipalities().await?;
            let options = names
                .into_iter()
                .filter(|m| own.iter().any(|o| o.as_str() == m.code))
                .map(|m| Option_ {
                    selected: matches!(area, Area::Municipality(c) if c.as_str() == m.code),
                    value: m.code,
                    name: m.name,
                })
                .collect();
            groups.push(Group { label: tr.bez_municipalities, options });
            Ok((None, groups))
        }
        None => Ok((None, Vec::new())),
    }
}

fn api_page_error(e: ApiError) -> PageError {
    crate::occupancy_views::page_error(e)
}

async fn overview_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let view = overview_view(&state, &ctx, &q, FormData::default(), Vec::new()).await.map_err(api_page_error)?;
        Ok(render(&view))
    }
    .await;
    page(&state, &ctx, result)
}

fn case_input(form: &FormData) -> CaseInput {
    let id = |name: &str| form.opt(name).and_then(|v| v.trim().parse().ok());
    CaseInput {
        source: form.get("source").to_string(),
        signal_id: id("signal_id"),
        complaint_id: id("complaint_id"),
        postcode: form.get("postcode").to_string(),
        house_number: form.get("house_number").trim().parse().unwrap_or(0),
        house_letter: form.get("house_letter").to_string(),
        house_addition: form.get("house_addition").to_string(),
        stay_type: form.opt("stay_type").unwrap_or_else(|| "short".into()),
        found: form.get("found").trim().parse().unwrap_or(if form.get("found").trim().is_empty() { 0 } else { -1 }),
        summary: form.get("summary").to_string(),
        assignee: form.opt("assignee"),
        opened_on: form.opt("opened_on"),
    }
}

async fn open_form(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result = async {
        let form = csrf_checked(&ctx, posted_form(&ctx, &body)?)?;
        let m = opening_municipality(&ctx).map_err(api_page_error)?;
        let input = case_input(&form);
        let refused: FieldErrors = match input.validate() {
            Err(e) => e,
            Ok(draft) => match state.store.open_case(&ctx.actor(), &m, &draft, crate::today()).await {
                Ok(case) => return Ok(Redirect::to(&format!("/handhaving/zaken/{}", case.id)).into_response()),
                Err(StoreError::Invalid(e)) => e,
                Err(e) => return Err(e.into()),
            },
        };
        let errors = error_lines(ctx.lang.texts(), &refused);
        let view = overview_view(&state, &ctx, &HashMap::new(), form, errors).await.map_err(api_page_error)?;
        Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
    }
    .await;
    page(&state, &ctx, result)
}

struct StepRow {
    name: String,
    done_on: String,
    due_on: String,
    assignee: String,
    done_by: String,
    note: String,
    decision: String,
    inspection_id: Option<i64>,
}

struct BedRow {
    number: usize,
    found_on: String,
    outcome: String,
    outcome_on: String,
    to: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
    l: Layout,
    c: CaseRow,
    source: String,
    opened_on: String,
    workflow_version: i64,
    summary: String,
    stay_type: &'static str,
    is_open: bool,
    found: i64,
    legalised: i64,
    relocated: i64,
    departed: i64,
    open: i64,
    penalty: String,
    forfeited: String,
    steps: Vec<StepRow>,
    beds: Vec<BedRow>,
    next_steps: Vec<(String, String)>,
    decisions: Vec<(&'static str, &'static str)>,
    can_step: bool,
    can_decide: bool,
    vacancies: Vec<flexwonen_store::Vacancy>,
    history: Vec<(String, String, String)>,
    errors: Vec<String>,
    done: bool,
    today: String,
    nationalities: Vec<(&'static str, String)>,
}

fn euro(tr: &Texts, cents: i64) -> String {
    format!("€ {}", tr.decimal(&(cents as f64 / 100.0)))
}

async fn case_view(
    state: &AppState,
    ctx: &Ctx,
    id: i64,
    errors: Vec<String>,
    done: bool,
) -> Result<CasePage, ApiError> {
    let tr = ctx.lang.texts();
    let today = crate::today();
    let scope = case_scope(ctx)?;
    let CaseDetail { case, steps, beds, forfeits: _ } = state.store.case(&scope, id).await?;
    let m = case.municipality_code.clone();
    let can_decide = ctx.viewer.can_decide_case(&m);
    let is_open = case.closed_on.is_none();
    let workflow =
        workflows().ok().and_then(|all| all.into_iter().find(|w| i64::from(w.version) == case.workflow_version));
    let done_codes: Vec<&str> = steps.iter().map(|s| s.step.as_str()).collect();
    let next_steps = workflow
        .iter()
        .flat_map(|w| w.steps.iter())
        .filter(|s| workflow.as_ref().is_some_and(|w| w.check_next(&done_codes, &s.code).is_ok()))
        .filter(|s| ctx.viewer.can_record_step(&m, case.assignee_id, &s.code))
        .map(|s| (s.code.clone(), step_name(tr, case.workflow_version, &s.code)))
        .collect::<Vec<_>>();
    let vacancies = if can_decide && is_open && case.ledger.open > 0 {
        state.store.vacancies(&scope, id, today, 10).await?
    } else {
        Vec::new()
    };
    let history = state.store.audit_trail("case", id).await?.into_iter().map(|a| (a.at, a.actor, a.action)).collect();
    let outcome_name = |o: flexwonen_core::enforcement::Outcome| match o {
        flexwonen_core::enforcement::Outcome::Legalised => tr.enf_legalised,
        flexwonen_core::enforcement::Outcome::Relocated => tr.enf_relocated,
        flexwonen_core::enforcement::Outcome::Departed => tr.enf_departed,
    };
    Ok(CasePage {
        l: layout(
            state,
            ctx,
            "enforcement",
            format!("{} {}", tr.enf_case, case.id),
            &format!("/handhaving/zaken/{id}"),
        ),
        c: case_row(tr, &case, today),
        source: match case.source {
            flexwonen_core::enforcement::CaseSource::Signal => {
                format!("{} {}", tr.enf_source_signal, case.signal_id.unwrap_or_default())
            }
            flexwonen_core::enforcement::CaseSource::Complaint => {
                format!("{} {}", tr.enf_source_complaint, case.complaint_id.unwrap_or_default())
            }
            flexwonen_core::enforcement::CaseSource::Manual => tr.enf_source_manual.to_string(),
        },
        opened_on: case.opened_on.clone(),
        workflow_version: case.workflow_version,
        summary: case.summary.clone(),
        stay_type: tr.stay_type(case.stay_type),
        is_open,
        found: case.ledger.found,
        legalised: case.ledger.legalised,
        relocated: case.ledger.relocated,
        departed: case.ledger.departed,
        open: case.ledger.open,
        penalty: case
            .penalty
            .as_ref()
            .map(|p| {
                let per = if p.per == "week" { tr.enf_per_week } else { tr.enf_per_breach };
                format!("{} / {per}, maximum {}", euro(tr, p.amount_cents), euro(tr, p.maximum_cents))
            })
            .unwrap_or_default(),
        forfeited: euro(tr, case.forfeited_cents),
        steps: steps
            .iter()
            .map(|s| StepRow {
                name: step_name(tr, case.workflow_version, &s.step),
                done_on: s.done_on.clone(),
                due_on: s.due_on.clone().unwrap_or_default(),
                assignee: s.assignee.clone().unwrap_or_default(),
                done_by: s.done_by.clone(),
                note: s.note.clone(),
                decision: s.decision.map(|d| decision_name(tr, d).to_string()).unwrap_or_default(),
                inspection_id: s.inspection_id,
            })
            .collect(),
        beds: beds
            .iter()
            .enumerate()
            .map(|(i, b)| BedRow {
                number: i + 1,
                found_on: b.found_on.clone(),
                outcome: b.outcome.map(outcome_name).unwrap_or(tr.enf_open_row).to_string(),
                outcome_on: b.outcome_on.clone().unwrap_or_default(),
                to: b.to_address.clone().unwrap_or_default(),
            })
            .collect(),
        next_steps,
        decisions: Decision::ALL.iter().map(|d| (d.as_str(), decision_name(tr, *d))).collect(),
        can_step: is_open && ctx.viewer.can_record_step(&m, case.assignee_id, "visit"),
        can_decide: can_decide && is_open,
        vacancies,
        history,
        errors,
        done,
        today: today.to_string(),
        nationalities: crate::occupancy::COMMON_NATIONALITIES.iter().map(|c| (*c, tr.country(c))).collect(),
    })
}

async fn case_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let id = case_id(&id).map_err(api_page_error)?;
        Ok(render(&case_view(&state, &ctx, id, Vec::new(), q.contains_key("gedaan")).await.map_err(api_page_error)?))
    }
    .await;
    page(&state, &ctx, result)
}

/// Euros as typed (`500`, `500,00`, `1.250,50`) in cents; -1 when unreadable, which the
/// check refuses by name.
fn cents(text: &str) -> i64 {
    let t = text.trim().replace(['€', ' '], "");
    let t = if t.contains(',') { t.replace('.', "").replace(',', ".") } else { t };
    t.parse::<f64>().map(|v| (v * 100.0).round() as i64).unwrap_or(-1)
}

fn action_from_form(action: &str, form: &FormData) -> Option<CaseAction> {
    let count = || form.get("count").trim().parse().unwrap_or(-1);
    Some(match action {
        "stap" => CaseAction::Step(StepInput {
            step: form.get("step").to_string(),
            date: form.opt("date"),
            note: form.get("note").to_string(),
            decision: form.opt("decision"),
            inspection_id: form.opt("inspection_id").map(|v| v.trim().parse().unwrap_or(-1)),
            penalty: form.opt("penalty_amount").map(|amount| PenaltyInput {
                amount_cents: cents(&amount),
                per: form.get("penalty_per").to_string(),
                maximum_cents: form.opt("penalty_maximum").map(|m| cents(&m)),
            }),
            assignee: form.opt("assignee"),
        }),
        "gevonden" => CaseAction::Found(CountInput { count: count(), date: form.opt("date") }),
        "uitkomst" => CaseAction::Outcome(OutcomeInput {
            outcome: form.get("outcome").to_string(),
            count: count(),
            date: form.opt("date"),
            note: form.get("note").to_string(),
        }),
        "verhuizing" => {
            let mut input = crate::occupancy::event_from_form(form);
            input.id = format!("web-{}", crate::auth::random_token());
            CaseAction::Relocate(input)
        }
        "dwangsom" => CaseAction::Forfeit(ForfeitInput {
            units: form.get("units").trim().parse().unwrap_or(-1),
            date: form.opt("date"),
        }),
        _ => return None,
    })
}

async fn case_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, action)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let result = async {
        let form = csrf_checked(&ctx, posted_form(&ctx, &body)?)?;
        let id = case_id(&id).map_err(api_page_error)?;
        let action = action_from_form(&action, &form).ok_or(PageError::NotFound)?;
        match act(&state, &ctx, id, action).await {
            Ok(_) => Ok(Redirect::to(&format!("/handhaving/zaken/{id}?gedaan=1")).into_response()),
            Err(e) if e.status == StatusCode::UNPROCESSABLE_ENTITY => {
                let errors = if e.fields.is_empty() {
                    vec![e.message.clone()]
                } else {
                    error_lines(ctx.lang.texts(), &e.fields)
                };
                let view = case_view(&state, &ctx, id, errors, false).await.map_err(api_page_error)?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
            }
            Err(e) => Err(api_page_error(e)),
        }
    }
    .await;
    page(&state, &ctx, result)
}

#[derive(Template)]
#[template(path = "complaint_case.html")]
struct ComplaintPage {
    l: Layout,
    c: flexwonen_store::ComplaintRecord,
    kind: &'static str,
    stay_types: Vec<(&'static str, &'static str)>,
    errors: Vec<String>,
}

async fn complaint_view(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: Vec<String>,
) -> Result<ComplaintPage, PageError> {
    let tr = ctx.lang.texts();
    let m = opening_municipality(ctx).map_err(api_page_error)?;
    let id = case_id(id).map_err(api_page_error)?;
    let c = state.store.complaint(&m, id).await?;
    Ok(ComplaintPage {
        l: layout(state, ctx, "enforcement", tr.enf_source_complaint, &format!("/handhaving/klachten/{id}")),
        kind: kind_name(tr, c.kind),
        c,
        stay_types: flexwonen_core::register::StayType::ALL.iter().map(|s| (s.as_str(), tr.stay_type(*s))).collect(),
        errors,
    })
}

async fn complaint_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let result = async { Ok(render(&complaint_view(&state, &ctx, &id, Vec::new()).await?)) }.await;
    page(&state, &ctx, result)
}

async fn dismiss_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = csrf_checked(&ctx, posted_form(&ctx, &body)?)?;
        let m = opening_municipality(&ctx).map_err(api_page_error)?;
        let number = case_id(&id).map_err(api_page_error)?;
        match state.store.dismiss_complaint(&ctx.actor(), &m, number, form.get("reason"), crate::today()).await {
            Ok(_) => Ok(Redirect::to(&format!("/handhaving/klachten/{number}")).into_response()),
            Err(StoreError::Invalid(e)) => {
                let view = complaint_view(&state, &ctx, &id, error_lines(ctx.lang.texts(), &e)).await?;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}
