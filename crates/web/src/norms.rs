//! Norms and capacity on the web: the rule sets (read by anyone, published by administrators
//! and municipalities), a location's permitted capacity, and the national capacity report.

use crate::AppState;
use crate::api::{JsonBody, List, read_scope, require_token};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::forms::FormData;
use crate::i18n::Texts;
use crate::map::format_nl;
use crate::pages::{Layout, PageError, PageResult, layout, page, posted_form, render};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use flexwonen_core::FieldErrors;
use flexwonen_core::access::{Role, Viewer};
use flexwonen_core::capacity::CapacityView;
use flexwonen_core::geography::RegionKind;
use flexwonen_core::norms::{Constraint, NormScheme, RuleInput, RuleSet, RuleSetInput, RuleSetVersion, VersionInput};
use flexwonen_store::{CapacityReport, CapacityRow};
use serde::Serialize;
use std::collections::HashMap;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/norms", get(norms_page).post(create_rule_set_form))
        .route("/norms/new", get(new_rule_set_page))
        .route("/norms/{code}", get(rule_set_page))
        .route("/norms/{code}/versions", post(add_version_form))
        .route("/reports/capacity", get(report_page))
}

pub fn api_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/norms", get(list_norms).post(create_rule_set))
        .route("/norms/{code}", get(get_norm))
        .route("/norms/{code}/versions", post(add_version))
        .route("/locations/{id}/capacity", get(location_capacity))
        .route("/reports/capacity", get(capacity_report))
}

/// May this viewer publish `set` (a new set, or a new version of it)? Never a built-in set
/// (those change through `data/norms/`); administrators any other; a municipality only
/// municipal sets for itself alone.
pub fn may_publish(viewer: &Viewer, set: &RuleSet) -> bool {
    match viewer.principal() {
        _ if set.builtin => false,
        Some(p) if p.role == Role::Administrator => true,
        Some(p) if p.role == Role::Municipality => {
            set.scheme == NormScheme::Municipal
                && !set.municipalities.is_empty()
                && set.municipalities.iter().all(|m| p.municipality.as_ref() == Some(m))
        }
        _ => false,
    }
}

/// `?date=YYYY-MM-DD`, today when absent.
pub(crate) fn date_param(q: &HashMap<String, String>) -> Result<NaiveDate, ApiError> {
    match q.get("date").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => Ok(chrono::Utc::now().date_naive()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| ApiError {
            status: StatusCode::BAD_REQUEST,
            ..ApiError::invalid(FieldErrors::single(
                "date",
                "invalid_date",
                format!("'{s}' is not a date of the form YYYY-MM-DD"),
            ))
        }),
    }
}

// ------------------------------------------------------------------------------- API

/// A rule set with, per version, the last day it is in force.
#[derive(Serialize)]
struct RuleSetView<'a> {
    code: &'a str,
    scheme: NormScheme,
    name: &'a str,
    municipalities: Vec<&'a str>,
    /// The version in force today, if any.
    current_version: Option<u32>,
    versions: Vec<VersionView<'a>>,
}

#[derive(Serialize)]
struct VersionView<'a> {
    #[serde(flatten)]
    version: &'a RuleSetVersion,
    /// The last day this version is in force: its own end, or the day before the next starts.
    in_force_until: Option<NaiveDate>,
}

fn view(set: &RuleSet) -> RuleSetView<'_> {
    let today = chrono::Utc::now().date_naive();
    RuleSetView {
        code: &set.code,
        scheme: set.scheme,
        name: &set.name,
        municipalities: set.municipalities.iter().map(|m| m.as_str()).collect(),
        current_version: set.version_on(today).map(|v| v.version),
        versions: set
            .versions
            .iter()
            .enumerate()
            .map(|(i, version)| VersionView { version, in_force_until: set.version_end(i) })
            .collect(),
    }
}

async fn list_norms(State(state): State<AppState>) -> Result<Response, ApiError> {
    let sets = state.store.rule_sets().await?;
    let items: Vec<RuleSetView> = sets.iter().map(view).collect();
    let total = items.len() as i64;
    Ok(Json(List { items, total }).into_response())
}

async fn get_norm(State(state): State<AppState>, Path(code): Path<String>) -> Result<Response, ApiError> {
    let set = state.store.rule_set(&code).await?;
    Ok(Json(view(&set)).into_response())
}

async fn create_rule_set(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<RuleSetInput>,
) -> Result<Response, ApiError> {
    require_publisher(&ctx)?;
    let set = input.validate().map_err(ApiError::invalid)?;
    if !may_publish(&ctx.viewer, &set) {
        return Err(ApiError::forbidden("a municipality publishes municipal rule sets for its own territory only"));
    }
    let created = state.store.create_rule_set(&ctx.actor(), &set).await?;
    Ok((StatusCode::CREATED, Json(view(&created))).into_response())
}

async fn add_version(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    JsonBody(input): JsonBody<VersionInput>,
) -> Result<Response, ApiError> {
    require_publisher(&ctx)?;
    let set = state.store.rule_set(&code).await?;
    if !may_publish(&ctx.viewer, &set) {
        return Err(ApiError::forbidden(
            "you may not publish versions of this rule set (built-in sets change through data/norms/)",
        ));
    }
    let version = state.store.add_rule_set_version(&ctx.actor(), &code, &input).await?;
    Ok((StatusCode::CREATED, Json(version)).into_response())
}

fn require_publisher(ctx: &Ctx) -> Result<(), ApiError> {
    if ctx.viewer.principal().is_none() {
        return Err(ApiError::unauthorized());
    }
    require_token(ctx)?;
    match ctx.viewer.role() {
        Some(Role::Administrator | Role::Municipality) => Ok(()),
        _ => Err(ApiError::forbidden("only administrators and municipalities publish rule sets")),
    }
}

async fn location_capacity(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let scope = read_scope(&ctx)?;
    let date = date_param(&q)?;
    let id: i64 = id.parse().map_err(|_| ApiError::not_found())?;
    let location = state.store.location(&scope, id).await?;
    let view = state.store.location_capacity(&location, date).await?;
    Ok(Json(serde_json::json!({ "location_id": id, "capacity": view })).into_response())
}

/// The report's totals per region of one kind, largest excess first.
struct RegionTotal {
    id: i64,
    name: String,
    total: CapacityRow,
}

async fn region_totals(
    state: &AppState,
    report: &CapacityReport,
    kind: RegionKind,
) -> Result<Vec<RegionTotal>, flexwonen_store::StoreError> {
    let regions = state.store.regions_with_members(Some(kind)).await?;
    let mut out: Vec<RegionTotal> = regions
        .into_iter()
        .map(|(r, members)| RegionTotal { id: r.id, name: r.name, total: report.total(Some(&members)) })
        .collect();
    out.sort_by(|a, b| b.total.beds_over.cmp(&a.total.beds_over).then(a.name.cmp(&b.name)));
    Ok(out)
}

/// The public sees today's report; other dates are for accounts (each date is a full pass
/// over the register, so anonymous callers must not be able to ask for thousands).
fn report_date(ctx: &Ctx, q: &HashMap<String, String>) -> Result<NaiveDate, ApiError> {
    let date = date_param(q)?;
    if ctx.viewer.principal().is_none() && date != chrono::Utc::now().date_naive() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "sign_in_for_other_dates",
            "the public report is as of today; sign in to judge another date",
        ));
    }
    Ok(date)
}

async fn capacity_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let date = report_date(&ctx, &q)?;
    let kind = crate::api::choice(&q, "region_kind", RegionKind::parse, || {
        RegionKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
    })?
    .unwrap_or(RegionKind::LabourMarket);
    let report = state.store.capacity_report(date).await?;
    let regions: Vec<serde_json::Value> = region_totals(&state, &report, kind)
        .await?
        .into_iter()
        .map(|r| serde_json::json!({"region_id": r.id, "name": r.name, "totals": r.total}))
        .collect();
    Ok(Json(serde_json::json!({
        "date": date,
        "counts": "locations judged against every applicable norm on the date; persons = beds in service; over = beds above the permitted number",
        "total": report.total(None),
        "by_region": regions,
        "by_municipality": report.rows,
    }))
    .into_response())
}

// ------------------------------------------------------------------------------- pages

struct RuleRow {
    constraint: String,
    value: String,
    when: String,
    valid: String,
    source: String,
}

struct VersionBlock {
    version: u32,
    valid: String,
    note: String,
    current: bool,
    rules: Vec<RuleRow>,
}

fn period(tr: &Texts, from: NaiveDate, until: Option<NaiveDate>) -> String {
    match until {
        Some(u) => format!("{from} – {u}"),
        None => format!("{} {from}", tr.norms_from),
    }
}

fn rule_rows(tr: &Texts, version: &RuleSetVersion) -> Vec<RuleRow> {
    version
        .rules
        .iter()
        .map(|r| {
            let mut when = Vec::new();
            if let Some(forms) = &r.when.housing_forms {
                when.push(forms.iter().map(|f| tr.housing_form(*f)).collect::<Vec<_>>().join(", "));
            }
            match r.when.zoned_residential {
                Some(true) => when.push(tr.norms_when_zoned.to_string()),
                Some(false) => when.push(tr.norms_when_not_zoned.to_string()),
                None => {}
            }
            if let Some(since) = r.when.new_location_since {
                when.push(format!("{} {since}", tr.norms_when_new));
            }
            let value = match r.constraint {
                Constraint::Checklist => {
                    if std::ptr::eq(tr, &crate::i18n::NL) { r.description_nl.clone() } else { r.description_en.clone() }
                        .unwrap_or_default()
                }
                c => {
                    let mut v = format!("{} {}", tr.decimal(&r.value), tr.constraint_unit(c, r.value));
                    if let Some(w) = r.value_with_consent {
                        v.push_str(&format!(" ({} {})", tr.decimal(&w), tr.norms_with_consent));
                    }
                    v
                }
            };
            RuleRow {
                constraint: tr.constraint(r.constraint).to_string(),
                value,
                when: when.join("; "),
                valid: period(tr, r.valid_from, r.valid_until),
                source: r.source.clone(),
            }
        })
        .collect()
}

struct SetRow {
    code: String,
    name: String,
    scheme: &'static str,
    area: String,
    current: String,
}

#[derive(Template)]
#[template(path = "norms.html")]
struct NormsPage {
    l: Layout,
    rows: Vec<SetRow>,
    can_publish: bool,
}

async fn norms_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    let result = async {
        let tr = ctx.lang.texts();
        let sets = state.store.rule_sets().await?;
        let today = chrono::Utc::now().date_naive();
        let rows = sets
            .iter()
            .map(|s| SetRow {
                code: s.code.clone(),
                name: s.name.clone(),
                scheme: tr.norm_scheme(s.scheme),
                area: if s.municipalities.is_empty() {
                    tr.norms_national.to_string()
                } else {
                    s.municipalities.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", ")
                },
                current: s
                    .version_on(today)
                    .map(|v| format!("{} {} ({} {})", tr.norms_version, v.version, tr.norms_from, v.valid_from))
                    .unwrap_or_else(|| tr.norms_none_in_force.to_string()),
            })
            .collect();
        let can_publish = matches!(ctx.viewer.role(), Some(Role::Administrator | Role::Municipality));
        Ok(render(&NormsPage { l: layout(&state, &ctx, "norms", tr.norms_title, "/norms"), rows, can_publish }))
    }
    .await;
    page(&state, &ctx, result)
}

#[derive(Template)]
#[template(path = "rule_set.html")]
struct RuleSetPage {
    l: Layout,
    code: String,
    name: String,
    scheme: &'static str,
    area: String,
    versions: Vec<VersionBlock>,
    form: Option<RuleForm>,
}

async fn rule_set_page(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let result = rule_set_view(&state, &ctx, &code, None).await;
    page(&state, &ctx, result)
}

async fn rule_set_view(state: &AppState, ctx: &Ctx, code: &str, form: Option<RuleForm>) -> PageResult {
    let tr = ctx.lang.texts();
    let set = state.store.rule_set(code).await?;
    let today = chrono::Utc::now().date_naive();
    let current = set.version_on(today).map(|v| v.version);
    let versions = set
        .versions
        .iter()
        .enumerate()
        .rev()
        .map(|(i, v)| VersionBlock {
            version: v.version,
            valid: period(tr, v.valid_from, set.version_end(i)),
            note: v.note.clone().unwrap_or_default(),
            current: current == Some(v.version),
            rules: rule_rows(tr, v),
        })
        .collect();
    let form = match form {
        Some(f) => Some(f),
        None if may_publish(&ctx.viewer, &set) => Some(RuleForm::empty(tr)),
        None => None,
    };
    let page = RuleSetPage {
        l: layout(state, ctx, "norms", set.name.clone(), &format!("/norms/{code}")),
        code: set.code.clone(),
        name: set.name.clone(),
        scheme: tr.norm_scheme(set.scheme),
        area: set.municipalities.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "),
        versions,
        form,
    };
    Ok(render(&page))
}

/// The form for a new rule set or version: one value and source per kind of rule; a filled
/// value becomes a rule.
struct RuleForm {
    values: FormData,
    fields: Vec<RuleField>,
    errors: Vec<String>,
}

struct RuleField {
    key: &'static str,
    label: &'static str,
    unit: &'static str,
}

const FORM_CONSTRAINTS: [Constraint; 7] = [
    Constraint::MaxPersons,
    Constraint::FloorAreaPerPerson,
    Constraint::BedroomAreaPerPerson,
    Constraint::PersonsPerBedroom,
    Constraint::PersonsPerToilet,
    Constraint::PersonsPerShower,
    Constraint::ConversionPermitFrom,
];

impl RuleForm {
    fn empty(tr: &'static Texts) -> RuleForm {
        RuleForm::with(tr, FormData::default(), Vec::new())
    }

    fn with(tr: &'static Texts, values: FormData, errors: Vec<String>) -> RuleForm {
        let fields = FORM_CONSTRAINTS
            .iter()
            .map(|c| RuleField { key: c.as_str(), label: tr.constraint(*c), unit: tr.constraint_unit(*c, 2.0) })
            .collect();
        RuleForm { values, fields, errors }
    }

    fn get(&self, name: &str) -> &str {
        self.values.get(name)
    }

    fn value_of(&self, key: &str) -> &str {
        self.values.get(&format!("value_{key}"))
    }

    fn source_of(&self, key: &str) -> &str {
        self.values.get(&format!("source_{key}"))
    }
}

/// The rules a posted form describes, and for each the label of its row (for errors).
fn rules_from_form(tr: &Texts, form: &FormData) -> (Vec<RuleInput>, Vec<&'static str>, Vec<String>) {
    let (mut rules, mut labels, mut errors) = (Vec::new(), Vec::new(), Vec::new());
    for c in FORM_CONSTRAINTS {
        let raw = form.get(&format!("value_{}", c.as_str())).trim().replace(',', ".");
        if raw.is_empty() {
            continue;
        }
        match raw.parse::<f64>() {
            Ok(value) => {
                rules.push(RuleInput {
                    constraint: c.as_str().to_string(),
                    value: Some(value),
                    source: form.get(&format!("source_{}", c.as_str())).to_string(),
                    ..Default::default()
                });
                labels.push(tr.constraint(c));
            }
            Err(_) => errors.push(format!("{}: {}", tr.constraint(c), tr.norms_not_a_number)),
        }
    }
    (rules, labels, errors)
}

/// Error lines with the rule's label instead of `rules[2]`.
fn form_errors(tr: &Texts, errors: &FieldErrors, labels: &[&str]) -> Vec<String> {
    errors
        .0
        .iter()
        .map(|e| {
            let field = e.field.rsplit_once("rules[").map_or(e.field.clone(), |(_, rest)| {
                let index: Option<usize> = rest.split(']').next().and_then(|i| i.parse().ok());
                let part = rest.split_once("].").map_or("", |(_, p)| p);
                let label = index.and_then(|i| labels.get(i)).copied().unwrap_or("");
                if part.is_empty() { label.to_string() } else { format!("{label} ({part})") }
            });
            let field = field.strip_prefix("versions[0].").map(str::to_string).unwrap_or(field);
            format!("{field}: {}", tr.field_error(e))
        })
        .collect()
}

#[derive(Template)]
#[template(path = "rule_set_form.html")]
struct NewRuleSetPage {
    l: Layout,
    form: RuleForm,
    fixed_municipality: Option<String>,
}

async fn new_rule_set_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    let result = new_rule_set_view(&state, &ctx, RuleForm::empty(ctx.lang.texts()), StatusCode::OK);
    page(&state, &ctx, result)
}

fn new_rule_set_view(state: &AppState, ctx: &Ctx, form: RuleForm, status: StatusCode) -> PageResult {
    let tr = ctx.lang.texts();
    let principal = ctx.viewer.principal().ok_or(PageError::Forbidden)?;
    let fixed_municipality = match principal.role {
        Role::Administrator => None,
        Role::Municipality => principal.municipality.as_ref().map(|m| m.to_string()),
        _ => return Err(PageError::Forbidden),
    };
    let page = NewRuleSetPage { l: layout(state, ctx, "norms", tr.norms_new, "/norms/new"), form, fixed_municipality };
    let mut response = render(&page);
    *response.status_mut() = status;
    Ok(response)
}

async fn create_rule_set_form(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result = async {
        let tr = ctx.lang.texts();
        let form = posted_form(&ctx, &body)?;
        let principal = ctx.viewer.principal().ok_or(PageError::Forbidden)?;
        let municipalities: Vec<String> = match principal.role {
            Role::Municipality => principal.municipality.iter().map(|m| m.to_string()).collect(),
            Role::Administrator => form
                .get("municipalities")
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .map(|s| s.trim().to_uppercase())
                .collect(),
            _ => return Err(PageError::Forbidden),
        };
        let (rules, labels, mut errors) = rules_from_form(tr, &form);
        let input = RuleSetInput {
            code: form.get("code").trim().to_string(),
            scheme: NormScheme::Municipal.as_str().to_string(),
            name: form.get("name").to_string(),
            municipalities,
            versions: vec![VersionInput {
                version: None,
                valid_from: form.get("valid_from").to_string(),
                valid_until: None,
                note: Some(form.get("note").to_string()),
                rules,
            }],
        };
        if errors.is_empty() {
            let outcome: Result<(), FieldErrors> = match input.validate() {
                Err(e) => Err(e),
                Ok(set) if !may_publish(&ctx.viewer, &set) => {
                    return Err(PageError::Forbidden);
                }
                Ok(set) => match state.store.create_rule_set(&ctx.actor(), &set).await {
                    Ok(created) => return Ok(Redirect::to(&format!("/norms/{}", created.code)).into_response()),
                    Err(flexwonen_store::StoreError::Invalid(e)) => Err(e),
                    Err(e) => return Err(e.into()),
                },
            };
            if let Err(e) = outcome {
                errors = form_errors(tr, &e, &labels);
            }
        }
        new_rule_set_view(&state, &ctx, RuleForm::with(tr, form, errors), StatusCode::UNPROCESSABLE_ENTITY)
    }
    .await;
    page(&state, &ctx, result)
}

async fn add_version_form(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>, body: Bytes) -> Response {
    let result = async {
        let tr = ctx.lang.texts();
        let form = posted_form(&ctx, &body)?;
        let set = state.store.rule_set(&code).await?;
        if !may_publish(&ctx.viewer, &set) {
            return Err(PageError::Forbidden);
        }
        let (rules, labels, mut errors) = rules_from_form(tr, &form);
        if errors.is_empty() {
            let input = VersionInput {
                version: None,
                valid_from: form.get("valid_from").to_string(),
                valid_until: None,
                note: Some(form.get("note").to_string()),
                rules,
            };
            match state.store.add_rule_set_version(&ctx.actor(), &code, &input).await {
                Ok(_) => return Ok(Redirect::to(&format!("/norms/{code}")).into_response()),
                Err(flexwonen_store::StoreError::Invalid(e)) => errors = form_errors(tr, &e, &labels),
                Err(e) => return Err(e.into()),
            }
        }
        let mut response = rule_set_view(&state, &ctx, &code, Some(RuleForm::with(tr, form, errors))).await?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(response)
    }
    .await;
    page(&state, &ctx, result)
}

struct ReportRow {
    name: String,
    href: String,
    locations: String,
    beds: String,
    permitted: String,
    locations_over: String,
    beds_over: String,
    over: bool,
}

fn report_row(name: String, href: String, r: &CapacityRow) -> ReportRow {
    ReportRow {
        name,
        href,
        locations: format_nl(r.locations),
        beds: format_nl(r.beds_in_service),
        permitted: format_nl(r.permitted),
        locations_over: format_nl(r.locations_over),
        beds_over: format_nl(r.beds_over),
        over: r.beds_over > 0,
    }
}

#[derive(Template)]
#[template(path = "capacity_report.html")]
struct ReportPage {
    l: Layout,
    date: String,
    totals: Vec<ReportRow>,
    regions: Vec<ReportRow>,
    municipalities: Vec<ReportRow>,
    kinds: Vec<(&'static str, &'static str, bool)>,
}

async fn report_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let tr = ctx.lang.texts();
        let date = report_date(&ctx, &q).map_err(|e| {
            if e.status == StatusCode::UNAUTHORIZED { PageError::Forbidden } else { PageError::BadForm }
        })?;
        let kind = q.get("region_kind").and_then(|k| RegionKind::parse(k)).unwrap_or(RegionKind::LabourMarket);
        let report = state.store.capacity_report(date).await?;
        let names: HashMap<String, String> =
            state.store.municipalities().await?.into_iter().map(|m| (m.code, m.name)).collect();
        let regions = region_totals(&state, &report, kind)
            .await?
            .into_iter()
            .map(|r| report_row(r.name, format!("/regions/{}", r.id), &r.total))
            .collect();
        let mut rows: Vec<&CapacityRow> = report.rows.iter().filter(|r| r.beds_over > 0).collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.beds_over));
        let municipalities = rows
            .into_iter()
            .map(|r| {
                let name = names.get(&r.municipality_code).cloned().unwrap_or_else(|| r.municipality_code.clone());
                report_row(name, format!("/municipalities/{}", r.municipality_code), r)
            })
            .collect();
        let kinds = RegionKind::ALL.iter().map(|k| (k.as_str(), tr.region_kind(*k), *k == kind)).collect();
        let page = ReportPage {
            l: layout(&state, &ctx, "report", tr.report_title, "/reports/capacity"),
            date: date.to_string(),
            totals: vec![report_row(tr.report_netherlands.to_string(), String::new(), &report.total(None))],
            regions,
            municipalities,
            kinds,
        };
        Ok(render(&page))
    }
    .await;
    page(&state, &ctx, result)
}

/// A location's capacity as its page shows it.
pub struct CapacitySection {
    pub date: String,
    pub persons: u32,
    pub permitted: String,
    pub gap: i64,
    pub over: bool,
    pub schemes: Vec<SchemeSection>,
}

pub struct SchemeSection {
    pub name: String,
    pub href: String,
    pub version: u32,
    pub permitted: String,
    pub binding: String,
    pub unassessed: String,
    pub violations: Vec<String>,
    pub checklist: Vec<String>,
}

impl CapacitySection {
    pub fn new(tr: &Texts, view: &CapacityView) -> CapacitySection {
        let none = tr.capacity_no_limit.to_string();
        let join = |cs: &[Constraint]| cs.iter().map(|c| tr.constraint(*c)).collect::<Vec<_>>().join(", ");
        let nl = std::ptr::eq(tr, &crate::i18n::NL);
        CapacitySection {
            date: view.date.to_string(),
            persons: view.persons,
            permitted: view.permitted.map_or(none.clone(), |p| p.to_string()),
            gap: view.gap.unwrap_or(0),
            over: view.gap.is_some_and(|g| g > 0),
            schemes: view
                .schemes
                .iter()
                .map(|s| SchemeSection {
                    name: s.name.clone(),
                    href: format!("/norms/{}", s.rule_set),
                    version: s.version,
                    permitted: s.permitted.map_or(none.clone(), |p| p.to_string()),
                    binding: join(&s.binding),
                    unassessed: join(&s.unassessed),
                    violations: s
                        .violations
                        .iter()
                        .map(|v| {
                            let at_least = v.comparison == flexwonen_core::capacity::Comparison::AtLeast;
                            violation_line(
                                tr,
                                v.constraint,
                                v.room.as_deref(),
                                v.measured,
                                v.required,
                                at_least,
                                &v.source,
                            )
                        })
                        .collect(),
                    checklist: s
                        .checklist
                        .iter()
                        .map(|c| if nl { c.description_nl.clone() } else { c.description_en.clone() })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// "Floor area per person (room 2): measured 9.5 m² per person, required at least 10 … — source".
pub(crate) fn violation_line(
    tr: &Texts,
    constraint: Constraint,
    room: Option<&str>,
    measured: f64,
    required: f64,
    at_least: bool,
    source: &str,
) -> String {
    let room = room.map(|r| format!(" ({r})")).unwrap_or_default();
    let bound = if at_least { tr.capacity_at_least } else { tr.capacity_at_most };
    let unit = tr.violation_unit(constraint);
    format!(
        "{}{room}: {} {} {unit}, {} {bound} {} {unit} — {source}",
        tr.constraint(constraint),
        tr.capacity_measured,
        tr.decimal(&measured),
        tr.capacity_required,
        tr.decimal(&required),
    )
}
