//! Overcrowding signals (issue 6): a municipality's signals as a sortable list and on a map
//! of its territory, each with its evidence and the rule's basis, "seen, no action" with a
//! reason, the municipality's own thresholds, and the upload of its BRP extract; regions,
//! the ministry and administrators see counts per municipality and rule only
//! (`Viewer::signal_view`).
//!
//! Pages: `/signalen`, `/signalen/{id}`. API: `/api/v1/signals`, `/api/v1/brp-extracts`.
//! The BRP upload routes take bodies up to [`MAX_EXTRACT_BYTES`] (a city's extract is
//! megabytes); every other route keeps the site-wide limit.

use crate::AppState;
use crate::api::{JsonBody, require_token};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::i18n::Texts;
use crate::map::{MapOptions, MapPoint, format_nl};
use crate::monitor::spreadsheet_safe;
use crate::occupancy_views::{FlagRequest, date_param, flag_request, municipality_param, page_error};
use crate::pages::{
    Layout, PageError, PageResult, Upload, error_lines, form_with_file, layout, page, posted_form, render,
};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use flexwonen_core::FieldErrors;
use flexwonen_core::brp_extract::{LineError, parse_brp_extract};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::signals::{RuleDefinition, SignalRule, parse_threshold};
use flexwonen_store::{Signal, SignalCount, SignalOrder, SignalRun, SignalState};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};

/// The largest BRP extract accepted: about 1.5 million addresses.
pub const MAX_EXTRACT_BYTES: usize = 64 * 1024 * 1024;
/// Signals per page of the list.
const PAGE_SIZE: i64 = 50;
/// Addresses on the map: the highest scores.
const MAP_POINTS: i64 = 300;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/signalen", get(signals_page))
        .route("/signalen/opnieuw", post(run_form))
        .route("/signalen/drempels", post(thresholds_form))
        .route("/signalen/{id}", get(signal_page))
        .route("/signalen/{id}/gezien", post(dismiss_form))
}

pub fn api_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/signals", get(signals_api))
        .route("/signals/rules", get(rules_api).put(set_rules_api))
        .route("/signals/runs", post(run_api))
        .route("/signals/{id}/dismissal", post(dismiss_api))
}

/// The BRP upload, page and API, with their own body limit (see the module comment).
pub fn upload_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/signalen/brp", post(upload_form))
        .route("/api/v1/brp-extracts", get(extract_api).post(upload_api))
        .layer(DefaultBodyLimit::max(MAX_EXTRACT_BYTES))
}

// ------------------------------------------------------------------------------- input

fn state_param(q: &HashMap<String, String>) -> Result<SignalState, ApiError> {
    match q.get("state").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(SignalState::Open),
        Some(s) => SignalState::parse(s).ok_or_else(|| {
            crate::occupancy_views::bad_param(
                "state",
                "invalid_state",
                format!("'{s}' is not open, dismissed, closed or all"),
            )
        }),
    }
}

fn order_param(q: &HashMap<String, String>) -> Result<SignalOrder, ApiError> {
    match q.get("sort").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(SignalOrder::Score),
        Some(s) => SignalOrder::parse(s).ok_or_else(|| {
            crate::occupancy_views::bad_param(
                "sort",
                "invalid_sort",
                format!("'{s}' is not score, address, rule or first_seen"),
            )
        }),
    }
}

/// The municipality a write is for: `?municipality=`, or the viewer's own; only the
/// municipality itself acts on its signals and extract.
fn acting_municipality(ctx: &Ctx, q: &HashMap<String, String>) -> Result<MunicipalityCode, ApiError> {
    let own = ctx.viewer.principal().and_then(|p| p.municipality.clone());
    let m = municipality_param(q)?.or(own);
    match m {
        Some(m) if ctx.viewer.can_act_on_signals(m.as_str()) => Ok(m),
        _ if ctx.viewer.principal().is_none() => Err(ApiError::unauthorized()),
        _ => Err(ApiError::forbidden("only the municipality itself uploads its BRP extract and acts on its signals")),
    }
}

fn state_word(s: &Signal) -> &'static str {
    match (&s.closed_on, &s.dismissed) {
        (Some(_), _) => "closed",
        (None, Some(_)) => "dismissed",
        (None, None) => "open",
    }
}

// ------------------------------------------------------------------------------- API

const ABOUT: &str = "signals about addresses, never persons: per address and rule one signal, updated by every run \
    and closed when its cause is gone; evidence = the numbers that triggered it; score = how far over the threshold \
    (1 = at it); sources: the municipality's BRP extract, the BAG, the register";

fn signal_json(s: &Signal, tr: &Texts, rules: &[RuleDefinition]) -> Value {
    let rule = rules.iter().find(|r| r.code == s.rule);
    json!({
        "id": s.id, "rule": s.rule, "rule_name": rule.map(|r| rule_name(tr, r)), "state": state_word(s),
        "address": s.address, "address_key": s.address_key, "vbo_id": s.vbo_id, "location_id": s.location_id,
        "x": s.x, "y": s.y, "evidence": s.evidence, "score": s.score,
        "first_seen": s.first_seen, "last_seen": s.last_seen, "closed_on": s.closed_on, "dismissed": s.dismissed,
    })
}

fn counts_json(counts: &[SignalCount]) -> Value {
    json!({"view": "municipalities", "about": ABOUT, "items": counts})
}

async fn signals_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let request = flag_request(&ctx, ctx.viewer.signal_view(), municipality_param(&q)?)?;
    let m = match request {
        FlagRequest::Municipalities(ms) => {
            return Ok(Json(counts_json(&state.store.signal_counts(ms.as_deref()).await?)).into_response());
        }
        FlagRequest::Locations(m) => m,
    };
    let (signal_state, order) = (state_param(&q)?, order_param(&q)?);
    let (signals, total) = state.store.signals(&m, signal_state, order, None).await?;
    let rules = state.store.signal_rules(&m).await?;
    let tr = ctx.lang.texts();
    if q.get("format").map(String::as_str) == Some("csv") {
        return csv_response(&m, tr, &rules, &signals);
    }
    if let Some(f) = q.get("format").filter(|f| *f != "json") {
        return Err(crate::occupancy_views::bad_param("format", "invalid_format", format!("'{f}' is not json or csv")));
    }
    let run = state.store.signal_run(&m).await?;
    Ok(Json(json!({
        "municipality_code": m.as_str(), "view": "addresses", "about": ABOUT, "state": signal_state.as_str(),
        "run": run, "total": total,
        "rules": rules,
        "items": signals.iter().map(|s| signal_json(s, tr, &rules)).collect::<Vec<_>>(),
    }))
    .into_response())
}

fn csv_response(
    m: &MunicipalityCode,
    tr: &Texts,
    rules: &[RuleDefinition],
    signals: &[Signal],
) -> Result<Response, ApiError> {
    let internal = |e: String| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "rule",
        "rule_name",
        "state",
        "address",
        "address_key",
        "vbo_id",
        "location_id",
        "score",
        "evidence",
        "first_seen",
        "last_seen",
        "closed_on",
        "dismissed_reason",
    ])
    .map_err(|e| internal(e.to_string()))?;
    for s in signals {
        let name = rules.iter().find(|r| r.code == s.rule).map(|r| rule_name(tr, r)).unwrap_or_default();
        let evidence = s.evidence.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let reason = s.dismissed.as_ref().map(|d| d.reason.as_str()).unwrap_or("");
        w.write_record([
            s.id.to_string(),
            s.rule.as_str().to_string(),
            name.to_string(),
            state_word(s).to_string(),
            spreadsheet_safe(&s.address),
            s.address_key.clone(),
            s.vbo_id.clone().unwrap_or_default(),
            s.location_id.map(|i| i.to_string()).unwrap_or_default(),
            s.score.to_string(),
            evidence,
            s.first_seen.clone(),
            s.last_seen.clone(),
            s.closed_on.clone().unwrap_or_default(),
            spreadsheet_safe(reason),
        ])
        .map_err(|e| internal(e.to_string()))?;
    }
    let body = w.into_inner().map_err(|e| internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"signalen-{}.csv\"", m.as_str())),
        ],
        body,
    )
        .into_response())
}

async fn rules_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let m = acting_municipality(&ctx, &q)?;
    Ok(Json(json!({"municipality_code": m.as_str(), "rules": state.store.signal_rules(&m).await?})).into_response())
}

/// `{"thresholds": {"rule": number, …}}`: all checked before any is saved; then a run.
async fn set_rules_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let m = acting_municipality(&ctx, &q)?;
    let Some(thresholds) = body.get("thresholds").and_then(Value::as_object) else {
        return Err(ApiError::invalid(FieldErrors::single("thresholds", "required", "an object of rule: threshold")));
    };
    let mut errors = FieldErrors::new();
    let mut changes = Vec::new();
    for (code, value) in thresholds {
        let field = format!("thresholds.{code}");
        let Some(rule) = SignalRule::parse(code) else {
            errors.add(field, "unknown_rule", format!("'{code}' is not a signal rule"));
            continue;
        };
        match value.as_f64().map(|v| parse_threshold(&v.to_string())) {
            Some(Ok(t)) => changes.push((rule, t)),
            Some(Err((c, msg))) => errors.add(field, c, msg),
            None => errors.add(field, "invalid_threshold", "a threshold is a number"),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    for (rule, t) in changes {
        state.store.set_signal_threshold(&ctx.actor(), &m, rule, t).await?;
    }
    let run = state.store.run_signals(&ctx.actor(), &m, crate::today()).await?;
    Ok(Json(json!({"municipality_code": m.as_str(), "rules": state.store.signal_rules(&m).await?, "run": run}))
        .into_response())
}

async fn run_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let m = acting_municipality(&ctx, &q)?;
    let date = date_param(&q)?;
    Ok(Json(state.store.run_signals(&ctx.actor(), &m, date).await?).into_response())
}

async fn dismiss_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let m = acting_municipality(&ctx, &HashMap::new())?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let reason = body.get("reason").and_then(Value::as_str).unwrap_or("");
    let signal = state.store.dismiss_signal(&ctx.actor(), &m, id, reason).await?;
    let rules = state.store.signal_rules(&m).await?;
    Ok(Json(signal_json(&signal, ctx.lang.texts(), &rules)).into_response())
}

async fn extract_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let m = acting_municipality(&ctx, &q)?;
    let summary = state.store.brp_summary(&m).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(summary).into_response())
}

/// Problems of an extract answered at most: the rest are counted in the last entry.
const MAX_LINE_ERRORS: usize = 100;

/// Problems of an extract as fields: `lines[3].huisnummer`, `lines[1].header`, `lines[5]`.
fn line_fields(errors: &[LineError]) -> FieldErrors {
    let mut fields = FieldErrors::new();
    if errors.len() > MAX_LINE_ERRORS {
        fields.add(
            "lines",
            "more_problems",
            format!("{} problems in all; the first {MAX_LINE_ERRORS} are listed", errors.len()),
        );
    }
    for e in errors.iter().take(MAX_LINE_ERRORS) {
        let field = match e.error.field.as_str() {
            "" => format!("lines[{}]", e.line),
            f => format!("lines[{}].{f}", e.line),
        };
        fields.add(field, e.error.code, e.error.message.clone());
    }
    fields
}

/// The body is the CSV itself (`Content-Type: text/csv`); it replaces the municipality's
/// extract whole, and the signals are run again.
async fn upload_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
    req: axum::extract::Request,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let m = acting_municipality(&ctx, &q)?;
    // Read only now, for the municipality itself: nobody else makes the server take megabytes.
    let body = axum::body::to_bytes(req.into_body(), MAX_EXTRACT_BYTES).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("a BRP extract is at most {MAX_EXTRACT_BYTES} bytes"),
        )
    })?;
    let counts = parse_brp_extract(&body).map_err(|e| ApiError::invalid(line_fields(&e)))?;
    let summary = state.store.replace_brp_extract(&ctx.actor(), &m, &counts).await?;
    let run = state.store.run_signals(&ctx.actor(), &m, crate::today()).await?;
    Ok((StatusCode::CREATED, Json(json!({"extract": summary, "run": run}))).into_response())
}

/// The routes of this module in the OpenAPI document.
pub fn openapi_paths() -> Vec<(&'static str, Value)> {
    let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let municipality = json!({"name": "municipality", "in": "query", "schema": {"type": "string", "example": "GM1783"},
        "description": "CBS code; a municipality's own accounts may leave it out"});
    vec![
        (
            "/signals",
            json!({"get": {
            "summary": "A municipality's overcrowding signals (its own accounts), or counts per municipality and rule (administrators, the ministry, regions)",
            "parameters": [municipality,
                {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["open", "dismissed", "closed", "all"], "default": "open"}},
                {"name": "sort", "in": "query", "schema": {"type": "string", "enum": ["score", "address", "rule", "first_seen"], "default": "score"}},
                {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["json", "csv"], "default": "json"}}],
            "responses": {"200": {"description": "The signals with rule, evidence and score, or the counts"},
                "400": error("A bad parameter"), "401": error("Not signed in"), "403": error("No access to signals"),
                "404": error("Another municipality")}}}),
        ),
        (
            "/signals/rules",
            json!({
            "get": {"summary": "The municipality's rules with their thresholds and basis", "parameters": [municipality],
                "responses": {"200": {"description": "The rules"}, "403": error("Not this municipality")}},
            "put": {"summary": "Sets thresholds (`{\"thresholds\": {\"rule\": number}}`), all or none, then runs the signals",
                "parameters": [municipality],
                "responses": {"200": {"description": "The rules and the run"}, "422": error("A bad rule or threshold")}}}),
        ),
        (
            "/signals/runs",
            json!({"post": {"summary": "Runs the municipality's signals now",
            "parameters": [municipality, {"name": "date", "in": "query", "schema": {"type": "string", "format": "date"}}],
            "responses": {"200": {"description": "What the run did"}, "403": error("Not this municipality")}}}),
        ),
        (
            "/signals/{id}/dismissal",
            json!({"post": {"summary": "Marks a signal 'seen, no action' with a reason (`{\"reason\": \"…\"}`), audited",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "The signal"}, "404": error("No such signal of this municipality"),
                "422": error("No reason, or the signal is closed")}}}),
        ),
        (
            "/brp-extracts",
            json!({
            "get": {"summary": "The municipality's own BRP extract: when, by whom, how many addresses and persons", "parameters": [municipality],
                "responses": {"200": {"description": "The summary"}, "404": error("No extract yet")}},
            "post": {"summary": "Uploads the municipality's BRP extract (CSV body, counts per address only); replaces the previous one whole, then runs the signals",
                "parameters": [municipality],
                "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}}},
                "responses": {"201": {"description": "The extract's summary and the run"},
                    "422": error("Problems per line (fields `lines[N].column`); nothing was saved")}}}),
        ),
    ]
}

// ------------------------------------------------------------------------------- pages

fn rule_name<'a>(tr: &Texts, r: &'a RuleDefinition) -> &'a str {
    if crate::occupancy_views::is_nl(tr) { &r.name_nl } else { &r.name_en }
}

fn evidence_label(tr: &Texts, key: &str) -> String {
    match key {
        "registered" => tr.sig_ev_registered,
        "floor_area_m2" => tr.sig_ev_floor_area_m2,
        "allowed" => tr.sig_ev_allowed,
        "m2_per_person" => tr.sig_ev_m2_per_person,
        "threshold" => tr.sig_ev_threshold,
        "registered_last_12_months" => tr.sig_ev_registered_last_12_months,
        "occupied" => tr.sig_ev_occupied,
        "permitted" => tr.sig_ev_permitted,
        "stays_flagged" => tr.sig_ev_stays_flagged,
        other => return other.to_string(),
    }
    .to_string()
}

/// Evidence in the order a reader follows it: the rule's own order, not alphabetical.
const EVIDENCE_ORDER: [&str; 9] = [
    "registered",
    "registered_last_12_months",
    "floor_area_m2",
    "allowed",
    "m2_per_person",
    "occupied",
    "permitted",
    "stays_flagged",
    "threshold",
];

fn evidence_lines(tr: &Texts, s: &Signal) -> Vec<(String, String)> {
    let mut keys: Vec<&String> = s.evidence.keys().collect();
    keys.sort_by_key(|k| EVIDENCE_ORDER.iter().position(|o| o == k).unwrap_or(usize::MAX));
    keys.into_iter()
        .map(|k| {
            let v = s.evidence[k].as_f64().unwrap_or(0.0);
            let shown = if v.fract() == 0.0 {
                crate::occupancy_views::number(tr, v as i64)
            } else {
                crate::occupancy_views::decimal(tr, v)
            };
            (evidence_label(tr, k), shown)
        })
        .collect()
}

struct Tab {
    label: &'static str,
    href: String,
    current: bool,
}

struct SortColumn {
    label: &'static str,
    href: String,
    /// `aria-sort` for the current column, empty for the others.
    aria: &'static str,
}

struct SignalRow {
    id: i64,
    rule: String,
    address: String,
    evidence: String,
    score: String,
    first_seen: String,
    last_seen: String,
}

struct RuleRow {
    code: &'static str,
    name: String,
    basis: String,
    threshold: String,
    default: String,
    unit: String,
}

struct CountRow {
    name: String,
    cells: Vec<String>,
    total: String,
}

#[derive(Template)]
#[template(path = "signals.html")]
struct SignalsPage {
    l: Layout,
    /// Per address (the municipality's own view) or counts per municipality.
    per_address: bool,
    municipality: String,
    name: String,
    can_act: bool,
    notice: &'static str,
    errors: Vec<String>,
    bag: String,
    brp: String,
    run: String,
    tabs: Vec<Tab>,
    columns: Vec<SortColumn>,
    rows: Vec<SignalRow>,
    count_line: String,
    previous: String,
    next: String,
    csv_href: String,
    map_svg: String,
    rules: Vec<RuleRow>,
    // Counts view.
    rule_names: Vec<String>,
    count_rows: Vec<CountRow>,
    count_total: CountRow,
}

fn empty_page(l: Layout) -> SignalsPage {
    SignalsPage {
        l,
        per_address: false,
        municipality: String::new(),
        name: String::new(),
        can_act: false,
        notice: "",
        errors: Vec::new(),
        bag: String::new(),
        brp: String::new(),
        run: String::new(),
        tabs: Vec::new(),
        columns: Vec::new(),
        rows: Vec::new(),
        count_line: String::new(),
        previous: String::new(),
        next: String::new(),
        csv_href: String::new(),
        map_svg: String::new(),
        rules: Vec::new(),
        rule_names: Vec::new(),
        count_rows: Vec::new(),
        count_total: CountRow { name: String::new(), cells: Vec::new(), total: String::new() },
    }
}

fn run_line(tr: &Texts, run: &Option<SignalRun>) -> String {
    match run {
        None => tr.sig_never_run.to_string(),
        Some(r) => format!(
            "{} · {} {} · {} {} · {} {}",
            r.run_on,
            format_nl(r.open_signals),
            tr.sig_state_open.to_lowercase(),
            format_nl(r.opened),
            tr.sig_run_counts_opened,
            format_nl(r.closed),
            tr.sig_run_counts_closed
        ),
    }
}

fn counts_view(tr: &Texts, page: &mut SignalsPage, counts: &[SignalCount]) {
    let rules = flexwonen_core::signals::default_rules().unwrap_or_default();
    page.rule_names = SignalRule::ALL
        .iter()
        .map(|c| rules.iter().find(|r| r.code == *c).map_or(c.as_str().to_string(), |r| rule_name(tr, r).to_string()))
        .collect();
    let mut order: Vec<(&str, &str)> = Vec::new();
    for c in counts {
        if !order.iter().any(|(code, _)| *code == c.municipality_code) {
            order.push((&c.municipality_code, &c.name));
        }
    }
    let cell = |code: Option<&str>, rule: Option<SignalRule>| -> i64 {
        counts
            .iter()
            .filter(|c| code.is_none_or(|m| m == c.municipality_code) && rule.is_none_or(|r| r == c.rule))
            .map(|c| c.open + c.dismissed)
            .sum()
    };
    page.count_rows = order
        .iter()
        .map(|(code, name)| CountRow {
            name: name.to_string(),
            cells: SignalRule::ALL.iter().map(|r| format_nl(cell(Some(code), Some(*r)))).collect(),
            total: format_nl(cell(Some(code), None)),
        })
        .collect();
    page.count_total = CountRow {
        name: tr.sig_total.to_string(),
        cells: SignalRule::ALL.iter().map(|r| format_nl(cell(None, Some(*r)))).collect(),
        total: format_nl(cell(None, None)),
    };
}

fn list_href(state: SignalState, order: SignalOrder, page: i64) -> String {
    format!("/signalen?state={}&sort={}&page={page}", state.as_str(), order.as_str())
}

async fn signals_view(
    state: &AppState,
    ctx: &Ctx,
    q: &HashMap<String, String>,
    notice: &'static str,
    errors: Vec<String>,
) -> PageResult {
    let tr = ctx.lang.texts();
    let request =
        flag_request(ctx, ctx.viewer.signal_view(), municipality_param(q).map_err(page_error)?).map_err(page_error)?;
    let mut page = empty_page(layout(state, ctx, "signals", tr.sig_title, "/signalen"));
    page.notice = notice;
    page.errors = errors;
    let m = match request {
        FlagRequest::Municipalities(ms) => {
            let counts = state.store.signal_counts(ms.as_deref()).await?;
            counts_view(tr, &mut page, &counts);
            return Ok(render(&page));
        }
        FlagRequest::Locations(m) => m,
    };
    let signal_state = state_param(q).map_err(page_error)?;
    let order = order_param(q).map_err(page_error)?;
    let page_no: i64 = q.get("page").and_then(|p| p.parse().ok()).filter(|p| (1..=1_000_000).contains(p)).unwrap_or(1);
    page.per_address = true;
    page.can_act = ctx.viewer.can_act_on_signals(m.as_str());
    page.name = state.store.municipality(&m).await?.name;
    page.municipality = m.as_str().to_string();
    page.bag = match state.store.bag_summary().await? {
        Some(b) => format!(
            "{} {} {}",
            format_nl(b.verblijfsobjecten),
            tr.sig_bag_summary,
            &b.imported_at[..10.min(b.imported_at.len())]
        ),
        None => tr.sig_bag_none.to_string(),
    };
    if page.can_act {
        page.brp = match state.store.brp_summary(&m).await? {
            Some(b) => format!(
                "{} {} · {} {} {} {} {}",
                format_nl(b.addresses),
                tr.sig_brp_summary_addresses,
                format_nl(b.registered),
                tr.sig_brp_summary_registered,
                &b.uploaded_at[..10.min(b.uploaded_at.len())],
                tr.sig_by,
                b.uploaded_by
            ),
            None => tr.sig_brp_none.to_string(),
        };
    }
    page.run = run_line(tr, &state.store.signal_run(&m).await?);
    let rules = state.store.signal_rules(&m).await?;
    let (signals, total) =
        state.store.signals(&m, signal_state, order, Some(((page_no - 1) * PAGE_SIZE, PAGE_SIZE))).await?;
    page.tabs = [
        (SignalState::Open, tr.sig_state_open),
        (SignalState::Dismissed, tr.sig_state_dismissed),
        (SignalState::Closed, tr.sig_state_closed),
    ]
    .into_iter()
    .map(|(s, label)| Tab { label, href: list_href(s, order, 1), current: s == signal_state })
    .collect();
    page.columns = [
        (SignalOrder::Rule, tr.sig_rule),
        (SignalOrder::Address, tr.sig_address),
        (SignalOrder::Score, tr.sig_score),
        (SignalOrder::FirstSeen, tr.sig_first_seen),
    ]
    .into_iter()
    .map(|(o, label)| SortColumn {
        label,
        href: list_href(signal_state, o, 1),
        aria: match (o == order, o) {
            (false, _) => "",
            (true, SignalOrder::Score) => "descending",
            (true, _) => "ascending",
        },
    })
    .collect();
    page.rows = signals
        .iter()
        .map(|s| SignalRow {
            id: s.id,
            rule: rules
                .iter()
                .find(|r| r.code == s.rule)
                .map_or(s.rule.as_str().to_string(), |r| rule_name(tr, r).to_string()),
            address: s.address.clone(),
            evidence: evidence_lines(tr, s).iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(" · "),
            score: crate::occupancy_views::decimal(tr, s.score),
            first_seen: s.first_seen.clone(),
            last_seen: s.closed_on.clone().unwrap_or_else(|| s.last_seen.clone()),
        })
        .collect();
    let last_page = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    page.count_line = format!(
        "{} {} · {} {page_no} {} {last_page}",
        format_nl(total),
        tr.sig_nav.to_lowercase(),
        tr.sig_page,
        tr.sig_of
    );
    if page_no > 1 {
        page.previous = list_href(signal_state, order, page_no - 1);
    }
    if page_no < last_page {
        page.next = list_href(signal_state, order, page_no + 1);
    }
    page.csv_href = format!("/api/v1/signals?municipality={}&state={}&format=csv", m.as_str(), signal_state.as_str());
    // The map: the open addresses with the highest scores.
    let (top, _) = state.store.signals(&m, SignalState::Open, SignalOrder::Score, Some((0, MAP_POINTS))).await?;
    let mut seen = HashSet::new();
    let points: Vec<MapPoint> = top
        .iter()
        .filter(|s| seen.insert(s.address_key.clone()))
        .filter_map(|s| {
            Some(MapPoint { x: s.x?, y: s.y?, title: s.address.clone(), href: format!("/signalen/{}", s.id) })
        })
        .collect();
    // The municipality in light grey (no classes), the addresses as dots on it.
    let highlight = [m.as_str().to_string()];
    page.map_svg = state.map.render(
        &HashMap::new(),
        &MapOptions {
            id: "kaart-signalen",
            title: tr.sig_map_title,
            desc: tr.sig_map_desc,
            highlight: Some(&highlight),
            link: None,
            legend_label: tr.sig_map_title,
            no_data_label: &page.name,
            value_label: "",
            classes: Some(&[]),
            points: &points,
            points_label: tr.sig_map_point,
        },
    );
    let nl = crate::occupancy_views::is_nl(tr);
    let defaults = flexwonen_core::signals::default_rules().unwrap_or_default();
    page.rules = rules
        .iter()
        .map(|r| RuleRow {
            code: r.code.as_str(),
            name: rule_name(tr, r).to_string(),
            basis: if nl { r.basis_nl.clone() } else { r.basis_en.clone() },
            threshold: trim_number(r.threshold),
            default: defaults.iter().find(|d| d.code == r.code).map(|d| trim_number(d.threshold)).unwrap_or_default(),
            unit: if nl { r.unit_nl.clone() } else { r.unit_en.clone() },
        })
        .collect();
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

/// `12` rather than `12.0`; a threshold keeps its decimals otherwise.
fn trim_number(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { v.to_string() }
}

async fn signals_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let tr = ctx.lang.texts();
    let notice = match q.get("done").map(String::as_str) {
        Some("brp") => tr.sig_upload_done,
        Some("run") => tr.sig_run_done,
        Some("drempels") => tr.sig_thresholds_done,
        _ => "",
    };
    let result = signals_view(&state, &ctx, &q, notice, Vec::new()).await;
    page(&state, &ctx, result)
}

/// The viewer's own municipality, for the forms (they act on nothing else).
fn own_municipality(ctx: &Ctx) -> Result<MunicipalityCode, PageError> {
    acting_municipality(ctx, &HashMap::new()).map_err(page_error)
}

async fn upload_form(State(state): State<AppState>, ctx: Ctx, req: axum::extract::Request) -> Response {
    let result = async {
        let m = own_municipality(&ctx)?;
        let (_, upload) = form_with_file(&ctx, req).await?;
        let tr = ctx.lang.texts();
        let bytes = match upload {
            Some(Upload::File(bytes)) => bytes,
            Some(Upload::TooLarge) => {
                let view = signals_view(&state, &ctx, &HashMap::new(), "", vec![tr.too_large_text.to_string()]).await?;
                return Ok((StatusCode::PAYLOAD_TOO_LARGE, view).into_response());
            }
            None => {
                return signals_view(&state, &ctx, &HashMap::new(), "", vec![tr.upload_choose_file.to_string()]).await;
            }
        };
        match parse_brp_extract(&bytes) {
            Ok(counts) => {
                state.store.replace_brp_extract(&ctx.actor(), &m, &counts).await?;
                state.store.run_signals(&ctx.actor(), &m, crate::today()).await?;
                Ok(Redirect::to("/signalen?done=brp").into_response())
            }
            Err(errors) => {
                // The first 50 problems; the count says how many there are.
                let mut lines =
                    vec![format!("{} ({} × {})", tr.sig_upload_refused, errors.len(), tr.upload_line.to_lowercase())];
                lines.extend(errors.iter().take(50).map(|e| {
                    let column = if e.error.field.is_empty() { String::new() } else { format!(", {}", e.error.field) };
                    format!("{} {}{column}: {}", tr.upload_line, e.line, tr.field_error(&e.error))
                }));
                signals_view(&state, &ctx, &HashMap::new(), "", lines).await
            }
        }
    }
    .await;
    page(&state, &ctx, result)
}

async fn run_form(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result = async {
        posted_form(&ctx, &body)?;
        let m = own_municipality(&ctx)?;
        state.store.run_signals(&ctx.actor(), &m, crate::today()).await?;
        Ok(Redirect::to("/signalen?done=run").into_response())
    }
    .await;
    page(&state, &ctx, result)
}

async fn thresholds_form(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let m = own_municipality(&ctx)?;
        let tr = ctx.lang.texts();
        let current = state.store.signal_rules(&m).await?;
        let mut errors = FieldErrors::new();
        let mut changes = Vec::new();
        for r in &current {
            let text = form.get(r.code.as_str());
            if text.trim().is_empty() {
                continue;
            }
            match parse_threshold(text) {
                Ok(t) if t != r.threshold => changes.push((r.code, t)),
                Ok(_) => {}
                Err((code, message)) => errors.add(rule_name(tr, r), code, message),
            }
        }
        if !errors.is_empty() {
            return signals_view(&state, &ctx, &HashMap::new(), "", error_lines(tr, &errors)).await;
        }
        for (rule, t) in changes {
            state.store.set_signal_threshold(&ctx.actor(), &m, rule, t).await?;
        }
        state.store.run_signals(&ctx.actor(), &m, crate::today()).await?;
        Ok(Redirect::to("/signalen?done=drempels").into_response())
    }
    .await;
    page(&state, &ctx, result)
}

#[derive(Template)]
#[template(path = "signal.html")]
struct SignalPage {
    l: Layout,
    id: i64,
    rule: String,
    basis: String,
    address: String,
    state: &'static str,
    is_open: bool,
    evidence: Vec<(String, String)>,
    score: String,
    first_seen: String,
    last_seen: String,
    closed_on: String,
    vbo_id: String,
    location_id: Option<i64>,
    dismissed: Option<(String, String, String)>,
    can_act: bool,
    errors: Vec<String>,
    reason: String,
    stay_types: Vec<(&'static str, &'static str)>,
}

/// A signal of the viewer's own municipality (the only one whose addresses it sees).
async fn signal_view(state: &AppState, ctx: &Ctx, id: &str, errors: Vec<String>, reason: String) -> PageResult {
    let tr = ctx.lang.texts();
    let m = match flag_request(ctx, ctx.viewer.signal_view(), None).map_err(page_error)? {
        FlagRequest::Locations(m) => m,
        FlagRequest::Municipalities(_) => return Err(PageError::Forbidden),
    };
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let s = state.store.signal(&m, id).await?;
    let rules = state.store.signal_rules(&m).await?;
    let rule = rules.iter().find(|r| r.code == s.rule);
    let nl = crate::occupancy_views::is_nl(tr);
    let page = SignalPage {
        stay_types: flexwonen_core::register::StayType::ALL.iter().map(|s| (s.as_str(), tr.stay_type(*s))).collect(),
        l: layout(state, ctx, "signals", format!("{}: {}", tr.sig_title, s.address), &format!("/signalen/{id}")),
        id,
        rule: rule.map_or(s.rule.as_str().to_string(), |r| rule_name(tr, r).to_string()),
        basis: rule.map(|r| if nl { r.basis_nl.clone() } else { r.basis_en.clone() }).unwrap_or_default(),
        address: s.address.clone(),
        state: match state_word(&s) {
            "closed" => tr.sig_state_closed,
            "dismissed" => tr.sig_state_dismissed,
            _ => tr.sig_state_open,
        },
        is_open: s.closed_on.is_none() && s.dismissed.is_none(),
        evidence: evidence_lines(tr, &s),
        score: crate::occupancy_views::decimal(tr, s.score),
        first_seen: s.first_seen.clone(),
        last_seen: s.last_seen.clone(),
        closed_on: s.closed_on.clone().unwrap_or_default(),
        vbo_id: s.vbo_id.clone().unwrap_or_default(),
        location_id: s.location_id,
        dismissed: s
            .dismissed
            .as_ref()
            .map(|d| (d.at[..10.min(d.at.len())].to_string(), d.by.clone(), d.reason.clone())),
        can_act: ctx.viewer.can_act_on_signals(m.as_str()),
        errors,
        reason,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

async fn signal_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let result = signal_view(&state, &ctx, &id, Vec::new(), String::new()).await;
    page(&state, &ctx, result)
}

async fn dismiss_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let m = own_municipality(&ctx)?;
        let n: i64 = id.parse().map_err(|_| PageError::NotFound)?;
        let reason = form.get("reason").to_string();
        match state.store.dismiss_signal(&ctx.actor(), &m, n, &reason).await {
            Ok(_) => Ok(Redirect::to(&format!("/signalen/{n}")).into_response()),
            Err(flexwonen_store::StoreError::Invalid(e)) => {
                signal_view(&state, &ctx, &id, error_lines(ctx.lang.texts(), &e), reason).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extract_problems_become_fields_by_line() {
        let errors = parse_brp_extract(b"postcode;huisnummer;huisletter;huisnummertoevoeging;nummeraanduiding_id;ingeschrevenen;ingeschreven_laatste_12_maanden\n6982CZ;x;;;;3;1\n").unwrap_err();
        let fields = line_fields(&errors);
        assert_eq!(fields.0[0].field, "lines[2].huisnummer");
        assert_eq!(trim_number(12.0), "12");
        assert_eq!(trim_number(12.5), "12.5");
    }
}
