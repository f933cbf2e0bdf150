//! Certificates (SNF, SNF-inhuur, AKF) on the web: the administrators' pages and API to
//! issue them and change their status, the public register of certified organisations, and
//! the public "is this address certified?" lookup.
//!
//! Who sees which certificates: administrators, municipalities, regional coordinators and
//! inspectors read all; a housing provider reads its own organisation's; the ministry sees
//! aggregates only; the public sees only the public register and the address lookup. Only
//! administrators issue certificates and change their status. An out-of-reach certificate
//! answers 404, as everywhere.
//!
//! The address lookup answers about one exact address only — "certified under SNF for at
//! most N persons, as of DATE" or "not in the register" — and says nothing that tells an
//! unknown address from a known but uncertified one.

use crate::api::{
    JsonBody, choice, expected_version, id_param, location_id as path_id, page_of, paging, parse_json, require_token,
};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::forms::FormData;
use crate::i18n::{Lang, Texts};
use crate::pages::{Layout, PageError, PageResult, layout, page, posted_form, render};
use crate::{AppState, today};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use flexwonen_core::FieldErrors;
use flexwonen_core::access::{Role, Viewer};
use flexwonen_core::address::{Postcode, parse_house_addition, parse_house_letter, parse_house_number};
use flexwonen_core::certificates::{CertificateInput, CertificateScheme, CertificateStatus, StatusChangeInput};
use flexwonen_core::norms::NormScheme;
use flexwonen_core::register::LegalStatus;
use flexwonen_core::register::OrganisationKind;
use flexwonen_store::{Certificate, StoreError};
use serde::Serialize;
use std::collections::HashMap;

/// The pages: `/certificates`, `/certificates/{id}`, `/register`, `/register/adres`.
pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/certificates", get(certificates_page).post(create_page))
        .route("/certificates/{id}", get(certificate_page))
        .route("/certificates/{id}/status", post(status_page))
        .route("/register", get(register_page))
        .route("/register/adres", get(lookup_page))
}

/// The API, nested under `/api/v1`.
pub fn api_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/certificates", get(api_list).post(api_create))
        .route("/certificates/{id}", get(api_get))
        .route("/certificates/{id}/status", post(api_change_status))
        .route("/public/certified-organisations", get(api_public_register))
        .route("/public/certified-address", get(api_certified_address))
}

// ---------------------------------------------------------------- access

/// Which certificates a viewer may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    All,
    Organisation(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Denied {
    NotSignedIn,
    Forbidden,
}

fn reach(viewer: &Viewer) -> Result<Reach, Denied> {
    let Some(p) = viewer.principal() else { return Err(Denied::NotSignedIn) };
    match p.role {
        Role::Administrator | Role::Municipality | Role::RegionalCoordinator | Role::Inspector => Ok(Reach::All),
        Role::HousingProvider => p.organisation_id.map(Reach::Organisation).ok_or(Denied::Forbidden),
        Role::Ministry => Err(Denied::Forbidden),
    }
}

fn may_manage(viewer: &Viewer) -> bool {
    viewer.is_admin()
}

impl Reach {
    fn covers(self, c: &Certificate) -> bool {
        match self {
            Reach::All => true,
            Reach::Organisation(id) => c.organisation_id == id,
        }
    }
}

fn api_reach(ctx: &Ctx) -> Result<Reach, ApiError> {
    reach(&ctx.viewer).map_err(|d| match d {
        Denied::NotSignedIn => ApiError::unauthorized(),
        Denied::Forbidden => ApiError::forbidden(
            "your role does not see certificates; the public register is at /api/v1/public/certified-organisations",
        ),
    })
}

fn page_reach(ctx: &Ctx) -> Result<Reach, PageError> {
    reach(&ctx.viewer).map_err(|_| PageError::Forbidden)
}

// ---------------------------------------------------------------- API

fn scheme_param(q: &HashMap<String, String>) -> Result<Option<CertificateScheme>, ApiError> {
    choice(q, "scheme", CertificateScheme::parse, CertificateScheme::codes)
}

/// The certificates a viewer may read, optionally of one organisation.
async fn readable(state: &AppState, reach: Reach, organisation: Option<i64>) -> Result<Vec<Certificate>, StoreError> {
    match (reach, organisation) {
        (Reach::All, org) => state.store.certificates(org).await,
        (Reach::Organisation(own), Some(org)) if org != own => Ok(Vec::new()),
        (Reach::Organisation(own), _) => state.store.certificates(Some(own)).await,
    }
}

async fn api_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let reach = api_reach(&ctx)?;
    let (page, per_page) = paging(&q)?;
    let scheme = scheme_param(&q)?;
    let status = choice(&q, "status", CertificateStatus::parse, CertificateStatus::codes)?;
    let organisation = id_param(&q, "organisation_id")?;
    let all: Vec<Certificate> = readable(&state, reach, organisation)
        .await?
        .into_iter()
        .filter(|c| scheme.is_none_or(|s| c.scheme == s) && status.is_none_or(|s| c.status == s))
        .collect();
    Ok(page_of(&all, page, per_page))
}

fn with_etag(c: &Certificate, status: StatusCode) -> Response {
    let mut res = (status, Json(c)).into_response();
    if let Ok(v) = format!("\"{}\"", c.version).parse() {
        res.headers_mut().insert(header::ETAG, v);
    }
    if status == StatusCode::CREATED
        && let Ok(v) = format!("/api/v1/certificates/{}", c.id).parse()
    {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// API changes need a bearer token and an administrator.
fn api_manager(ctx: &Ctx) -> Result<(), ApiError> {
    api_reach(ctx)?;
    require_token(ctx)?;
    if !may_manage(&ctx.viewer) {
        return Err(ApiError::forbidden("only administrators issue certificates and change their status"));
    }
    Ok(())
}

async fn api_create(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<CertificateInput>,
) -> Result<Response, ApiError> {
    api_manager(&ctx)?;
    let draft = input.validate().map_err(ApiError::invalid)?;
    let created = state.store.create_certificate(&ctx.actor(), &draft).await?;
    Ok(with_etag(&created, StatusCode::CREATED))
}

async fn api_get(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, ApiError> {
    let reach = api_reach(&ctx)?;
    let c = state.store.certificate(path_id(&id)?).await?;
    if !reach.covers(&c) {
        return Err(ApiError::not_found());
    }
    Ok(with_etag(&c, StatusCode::OK))
}

async fn api_change_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(mut body): JsonBody<serde_json::Value>,
) -> Result<Response, ApiError> {
    api_manager(&ctx)?;
    let id = path_id(&id)?;
    let Some(version) = expected_version(&headers, &mut body)? else {
        // Unknown says so first; then: which version do you change?
        state.store.certificate(id).await?;
        return Err(crate::api::version_required());
    };
    let bytes = serde_json::to_vec(&body)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let input: StatusChangeInput = parse_json(&bytes)?;
    let change = input.validate().map_err(ApiError::invalid)?;
    let updated = state.store.change_certificate_status(&ctx.actor(), id, version, &change).await?;
    Ok(with_etag(&updated, StatusCode::OK))
}

// ---------------------------------------------------------------- the public register

/// One line of the public register: a company and its mark, as SNF publishes it.
#[derive(Debug, Clone, Serialize)]
struct RegisterEntry {
    organisation_name: String,
    kvk: Option<String>,
    scheme: CertificateScheme,
    certificate_number: String,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    /// The status on `as_of`: active or suspended (withdrawn and expired marks are off the register).
    status: CertificateStatus,
}

/// The certificates valid on `date` and not withdrawn then, filtered by scheme and by a
/// text in the name (or an exact KvK number).
fn register_entries(
    certificates: &[Certificate],
    date: NaiveDate,
    scheme: Option<CertificateScheme>,
    q: Option<&str>,
) -> Vec<RegisterEntry> {
    let q = q.map(|s| s.trim().to_lowercase()).filter(|s| !s.is_empty());
    certificates
        .iter()
        .filter(|c| scheme.is_none_or(|s| c.scheme == s))
        .filter(|c| {
            q.as_deref().is_none_or(|q| {
                c.organisation_name.to_lowercase().contains(q) || c.organisation_kvk.as_deref() == Some(q)
            })
        })
        .filter_map(|c| {
            let span = c.span();
            let valid = span.valid_from <= date && span.valid_until.is_none_or(|u| date <= u);
            let status = span.status_on(date)?;
            (valid && status != CertificateStatus::Withdrawn).then_some(RegisterEntry {
                organisation_name: c.organisation_name.clone(),
                kvk: c.organisation_kvk.clone(),
                scheme: c.scheme,
                certificate_number: c.number.clone(),
                valid_from: c.valid_from,
                valid_until: c.valid_until,
                status,
            })
        })
        .collect()
}

#[derive(Serialize)]
struct RegisterList {
    as_of: NaiveDate,
    items: Vec<RegisterEntry>,
    total: i64,
}

async fn api_public_register(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (page, per_page) = paging(&q)?;
    let scheme = scheme_param(&q)?;
    let as_of = today();
    let all = register_entries(&state.store.all_certificates().await?, as_of, scheme, q.get("q").map(String::as_str));
    let total = all.len() as i64;
    let items = all.into_iter().skip(((page - 1) * per_page) as usize).take(per_page as usize).collect();
    Ok(Json(RegisterList { as_of, items, total }).into_response())
}

// ---------------------------------------------------------------- the address lookup

/// A parsed lookup question.
struct AddressQuery {
    postcode: Postcode,
    number: i64,
    letter: Option<String>,
    addition: Option<String>,
}

/// Reads `postcode`, `number`, `letter` and `addition`, naming every bad field.
fn address_query(q: &HashMap<String, String>) -> Result<AddressQuery, FieldErrors> {
    let mut e = FieldErrors::new();
    let get = |name: &str| q.get(name).map(String::as_str).unwrap_or("");
    let postcode = e.take("postcode", Postcode::parse(get("postcode")));
    let raw = get("number").trim();
    let number = if raw.is_empty() {
        e.add("number", "required", "this field is required");
        None
    } else {
        match raw.parse::<i64>() {
            Ok(n) => e.take("number", parse_house_number(n)),
            Err(_) => {
                e.add("number", "not_a_number", format!("'{raw}' is not a house number (a whole number)"));
                None
            }
        }
    };
    let letter = e.take("letter", parse_house_letter(get("letter")));
    let addition = e.take("addition", parse_house_addition(get("addition")));
    match (postcode, number, letter, addition) {
        (Some(postcode), Some(number), Some(letter), Some(addition)) if e.is_empty() => {
            Ok(AddressQuery { postcode, number, letter, addition })
        }
        _ => Err(e),
    }
}

/// The answer, in the words of the API.
#[derive(Debug, Clone, Serialize)]
struct LookupAnswer {
    as_of: NaiveDate,
    certified: bool,
    /// `snf` or `snf_inhuur`, when certified.
    scheme: Option<CertificateScheme>,
    /// The persons permitted at this address, when certified and known: the lowest number
    /// over every applicable scheme (Bouwbesluit, a municipal rule, SNF, and AKF when the
    /// operator holds that too), as the location's capacity judges it.
    max_persons: Option<u32>,
    answer: String,
}

impl LookupAnswer {
    fn not_in_register(as_of: NaiveDate) -> Self {
        LookupAnswer { as_of, certified: false, scheme: None, max_persons: None, answer: "not in the register".into() }
    }
}

fn scheme_label(s: CertificateScheme) -> &'static str {
    match s {
        CertificateScheme::Snf => "SNF",
        CertificateScheme::SnfInhuur => "SNF-inhuur",
        CertificateScheme::Akf => "AKF",
    }
}

/// Does a register location at exactly this address have an operator holding an SNF (or
/// SNF-inhuur) certificate in force on `date`, and for how many persons?
async fn lookup(state: &AppState, a: &AddressQuery, date: NaiveDate) -> Result<LookupAnswer, StoreError> {
    let Some(location) =
        state.store.location_at_address(&a.postcode, a.number, a.letter.as_deref(), a.addition.as_deref()).await?
    else {
        return Ok(LookupAnswer::not_in_register(date));
    };
    // Only housing that may be in use counts: a planned, closed, tolerated or illegal
    // location is not certified housing, whatever its operator holds.
    let usable = matches!(location.legal_status, LegalStatus::Permitted | LegalStatus::InUse);
    let Some(operator) = location.operator_id.filter(|_| usable) else {
        return Ok(LookupAnswer::not_in_register(date));
    };
    let book = state.store.certificate_book().await?;
    let in_force: Vec<CertificateScheme> = book
        .get(&operator)
        .map(|spans| {
            spans
                .iter()
                .filter(|c| c.scheme.norm() == NormScheme::Snf && c.in_force_on(date))
                .map(|c| c.scheme)
                .collect()
        })
        .unwrap_or_default();
    // SNF itself before SNF-inhuur, when an operator holds both.
    let Some(scheme) = in_force.iter().copied().min() else { return Ok(LookupAnswer::not_in_register(date)) };
    let capacity = state.store.location_capacity(&location, date).await?;
    // The law binds as well as the SNF norm: the lowest number over all applicable schemes.
    let max_persons = capacity.permitted;
    let answer = match max_persons {
        Some(n) => format!("certified under {} for at most {n} persons, as of {date}", scheme_label(scheme)),
        None => format!("certified under {}, as of {date}", scheme_label(scheme)),
    };
    Ok(LookupAnswer { as_of: date, certified: true, scheme: Some(scheme), max_persons, answer })
}

async fn api_certified_address(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let a = address_query(&q).map_err(|e| ApiError { status: StatusCode::BAD_REQUEST, ..ApiError::invalid(e) })?;
    let answer = lookup(&state, &a, today()).await?;
    let mut res = Json(answer).into_response();
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}

// ---------------------------------------------------------------- pages: shared

/// A date as people write it: `1 juli 2025`, `1 July 2025`.
fn long_date(tr: &Texts, d: NaiveDate) -> String {
    let month = tr.cert_months.split(' ').nth(d.month0() as usize).unwrap_or("");
    format!("{} {month} {}", d.day(), d.year())
}

fn status_label(tr: &Texts, s: CertificateStatus) -> &'static str {
    match s {
        CertificateStatus::Active => tr.cert_status_active,
        CertificateStatus::Suspended => tr.cert_status_suspended,
        CertificateStatus::Withdrawn => tr.cert_status_withdrawn,
    }
}

/// A validation error in the viewer's language: the certificate codes here, the rest as
/// every other form says them.
fn field_message(lang: Lang, e: &flexwonen_core::FieldError) -> String {
    let tr = lang.texts();
    if lang == Lang::Nl {
        let nl = match e.code {
            "unknown_scheme" => Some(tr.cert_err_unknown_scheme),
            "invalid_certificate_number" => Some(tr.cert_err_invalid_number),
            "ends_before_start" => Some(tr.cert_err_ends_before_start),
            "date_out_of_range" => Some(tr.cert_err_date_out_of_range),
            "unknown_status" => Some(tr.cert_err_unknown_status),
            "invalid_transition" => Some(tr.cert_err_invalid_transition),
            "before_previous_status" => Some(tr.cert_err_before_previous_status),
            "duplicate_certificate" => Some(tr.cert_err_duplicate),
            _ => None,
        };
        if let Some(nl) = nl {
            return nl.to_string();
        }
    }
    tr.field_error(e)
}

/// The form's errors: (field id, message) for the summary, and per field.
struct FormErrors {
    summary: Vec<(String, String)>,
    by_field: HashMap<String, String>,
}

impl FormErrors {
    fn none() -> Self {
        FormErrors { summary: Vec::new(), by_field: HashMap::new() }
    }

    fn of(lang: Lang, e: &FieldErrors, fields: &[&str], labels: &[&str]) -> Self {
        let mut out = FormErrors::none();
        for f in &e.0 {
            let msg = field_message(lang, f);
            let id = if fields.contains(&f.field.as_str()) { f.field.clone() } else { fields[0].to_string() };
            let label = fields.iter().position(|x| *x == id).and_then(|i| labels.get(i)).copied().unwrap_or("");
            out.summary.push((id.clone(), format!("{label}: {msg}")));
            out.by_field.entry(id).or_insert(msg);
        }
        out
    }

    fn get(&self, field: &str) -> Option<&String> {
        self.by_field.get(field)
    }
}

// ---------------------------------------------------------------- pages: certificates

struct CertificateRow {
    id: i64,
    organisation: String,
    kvk: String,
    scheme: &'static str,
    number: String,
    valid_from: String,
    valid_until: String,
    status: &'static str,
}

fn row(tr: &Texts, c: &Certificate) -> CertificateRow {
    CertificateRow {
        id: c.id,
        organisation: c.organisation_name.clone(),
        kvk: c.organisation_kvk.clone().unwrap_or_default(),
        scheme: scheme_label(c.scheme),
        number: c.number.clone(),
        valid_from: long_date(tr, c.valid_from),
        valid_until: c.valid_until.map(|d| long_date(tr, d)).unwrap_or_else(|| tr.cert_no_end.to_string()),
        status: status_label(tr, c.status),
    }
}

#[derive(Template)]
#[template(path = "certificates_list.html")]
struct ListPage {
    l: Layout,
    rows: Vec<CertificateRow>,
    schemes: Vec<(&'static str, &'static str, bool)>,
    can_create: bool,
    organisations: Vec<(String, String)>,
    new: FormData,
    errors: FormErrors,
}

const CREATE_FIELDS: [&str; 5] = ["organisation_id", "scheme", "number", "valid_from", "valid_until"];

async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    q: &HashMap<String, String>,
    new: FormData,
    errors: FormErrors,
) -> PageResult {
    let tr = ctx.lang.texts();
    let reach = page_reach(ctx)?;
    let scheme = q.get("scheme").and_then(|s| CertificateScheme::parse(s));
    let rows = readable(state, reach, None)
        .await?
        .iter()
        .filter(|c| scheme.is_none_or(|s| c.scheme == s))
        .map(|c| row(tr, c))
        .collect();
    let can_create = may_manage(&ctx.viewer);
    let organisations = if can_create {
        let mut orgs = Vec::new();
        for kind in [
            OrganisationKind::HousingProvider,
            OrganisationKind::HousingCorporation,
            OrganisationKind::TempAgency,
            OrganisationKind::Employer,
        ] {
            let p = state.store.organisations(Some(kind), None, 1, 10_000).await?;
            orgs.extend(p.items);
        }
        orgs.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
        orgs.into_iter()
            .map(|o| {
                let label = match o.kvk {
                    Some(k) => format!("{} ({} {k})", o.name, tr.kvk),
                    None => o.name,
                };
                (o.id.to_string(), label)
            })
            .collect()
    } else {
        Vec::new()
    };
    let status = if errors.summary.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    let page = ListPage {
        l: layout(state, ctx, "certificates", tr.cert_title, "/certificates"),
        rows,
        schemes: CertificateScheme::ALL.iter().map(|s| (s.as_str(), scheme_label(*s), Some(*s) == scheme)).collect(),
        can_create,
        organisations,
        new,
        errors,
    };
    Ok((status, render(&page)).into_response())
}

async fn certificates_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = list_page(&state, &ctx, &q, FormData::default(), FormErrors::none()).await;
    page(&state, &ctx, r)
}

async fn create_page(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        page_reach(&ctx)?;
        if !may_manage(&ctx.viewer) {
            return Err(PageError::Forbidden);
        }
        let tr = ctx.lang.texts();
        let labels = [tr.cert_organisation, tr.cert_scheme, tr.cert_number, tr.cert_valid_from, tr.cert_valid_until];
        let mut unreadable = FieldErrors::new();
        let organisation_id = match form.get("organisation_id").trim() {
            "" => {
                unreadable.add("organisation_id", "required", "this field is required");
                0
            }
            v => v.parse().unwrap_or_else(|_| {
                unreadable.add("organisation_id", "unknown_organisation", format!("'{v}' is not an organisation"));
                0
            }),
        };
        let input = CertificateInput {
            organisation_id,
            scheme: form.get("scheme").to_string(),
            number: form.get("number").to_string(),
            valid_from: form.get("valid_from").to_string(),
            valid_until: form.opt("valid_until"),
        };
        let errors = match input.validate() {
            Err(mut e) => {
                unreadable.0.append(&mut e.0);
                unreadable
            }
            Ok(_) if !unreadable.is_empty() => unreadable,
            Ok(draft) => match state.store.create_certificate(&ctx.actor(), &draft).await {
                Ok(c) => return Ok(Redirect::to(&format!("/certificates/{}", c.id)).into_response()),
                Err(StoreError::Invalid(e)) => e,
                Err(e) => return Err(e.into()),
            },
        };
        let errors = FormErrors::of(ctx.lang, &errors, &CREATE_FIELDS, &labels);
        list_page(&state, &ctx, &HashMap::new(), form, errors).await
    }
    .await;
    page(&state, &ctx, result)
}

struct HistoryRow {
    status: &'static str,
    since: String,
    reason: String,
    recorded_at: String,
    recorded_by: String,
}

#[derive(Template)]
#[template(path = "certificates_detail.html")]
struct DetailPage {
    l: Layout,
    c: CertificateRow,
    version: i64,
    in_force_today: bool,
    history: Vec<HistoryRow>,
    can_change: bool,
    /// (status code, label of the action) the status may become.
    next: Vec<(&'static str, &'static str)>,
    form: FormData,
    errors: FormErrors,
    conflict: bool,
}

const STATUS_FIELDS: [&str; 3] = ["status", "since", "reason"];

async fn detail_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    form: FormData,
    errors: FormErrors,
    conflict: bool,
) -> PageResult {
    let tr = ctx.lang.texts();
    let reach = page_reach(ctx)?;
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let c = state.store.certificate(id).await?;
    if !reach.covers(&c) {
        return Err(PageError::NotFound);
    }
    let next = CertificateStatus::ALL
        .iter()
        .filter(|s| c.status.may_become(**s))
        .map(|s| {
            let label = match s {
                CertificateStatus::Active => tr.cert_action_reinstate,
                CertificateStatus::Suspended => tr.cert_action_suspend,
                CertificateStatus::Withdrawn => tr.cert_action_withdraw,
            };
            (s.as_str(), label)
        })
        .collect();
    let history = c
        .history
        .iter()
        .rev()
        .map(|h| HistoryRow {
            status: status_label(tr, h.status),
            since: long_date(tr, h.since),
            reason: h.reason.clone(),
            recorded_at: h.recorded_at.clone(),
            recorded_by: h.recorded_by.clone(),
        })
        .collect();
    let status = if conflict {
        StatusCode::CONFLICT
    } else if errors.summary.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let title = format!("{} {}", scheme_label(c.scheme), c.number);
    let page = DetailPage {
        l: layout(state, ctx, "certificates", title, &format!("/certificates/{id}")),
        c: row(tr, &c),
        version: c.version,
        in_force_today: c.span().in_force_on(today()),
        history,
        can_change: may_manage(&ctx.viewer),
        next,
        form,
        errors,
        conflict,
    };
    Ok((status, render(&page)).into_response())
}

async fn certificate_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = detail_page(&state, &ctx, &id, FormData::default(), FormErrors::none(), false).await;
    page(&state, &ctx, r)
}

async fn status_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let reach = page_reach(&ctx)?;
        if !may_manage(&ctx.viewer) {
            return Err(PageError::Forbidden);
        }
        let tr = ctx.lang.texts();
        let cid: i64 = id.parse().map_err(|_| PageError::NotFound)?;
        let current = state.store.certificate(cid).await?;
        if !reach.covers(&current) {
            return Err(PageError::NotFound);
        }
        let version: i64 = form.get("version").trim().parse().map_err(|_| PageError::BadForm)?;
        let input = StatusChangeInput {
            status: form.get("status").to_string(),
            since: form.get("since").to_string(),
            reason: form.get("reason").to_string(),
        };
        let labels = [tr.cert_new_status, tr.cert_since, tr.cert_reason];
        let errors = match input.validate() {
            Err(e) => e,
            Ok(change) => match state.store.change_certificate_status(&ctx.actor(), cid, version, &change).await {
                Ok(_) => return Ok(Redirect::to(&format!("/certificates/{cid}")).into_response()),
                Err(StoreError::Conflict { .. }) => {
                    return detail_page(&state, &ctx, &id, form, FormErrors::none(), true).await;
                }
                Err(StoreError::Invalid(e)) => e,
                Err(e) => return Err(e.into()),
            },
        };
        let errors = FormErrors::of(ctx.lang, &errors, &STATUS_FIELDS, &labels);
        detail_page(&state, &ctx, &id, form, errors, false).await
    }
    .await;
    page(&state, &ctx, result)
}

// ---------------------------------------------------------------- pages: public register

struct RegisterRow {
    organisation: String,
    kvk: String,
    scheme: &'static str,
    number: String,
    valid_until: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "register_list.html")]
struct RegisterPage {
    l: Layout,
    as_of: String,
    q: String,
    schemes: Vec<(&'static str, &'static str, bool)>,
    rows: Vec<RegisterRow>,
    total: i64,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

const REGISTER_PAGE_SIZE: i64 = 50;

async fn register_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let tr = ctx.lang.texts();
        let scheme = q.get("scheme").and_then(|s| CertificateScheme::parse(s));
        let as_of = today();
        let entries =
            register_entries(&state.store.all_certificates().await?, as_of, scheme, q.get("q").map(String::as_str));
        let total = entries.len() as i64;
        let pages = ((total + REGISTER_PAGE_SIZE - 1) / REGISTER_PAGE_SIZE).max(1);
        let n = crate::pages::page_number(&q).min(pages);
        let (pages, prev_href, next_href) = crate::pages::pager("/register", &q, n, REGISTER_PAGE_SIZE, total);
        let rows = entries
            .into_iter()
            .skip(((n - 1) * REGISTER_PAGE_SIZE) as usize)
            .take(REGISTER_PAGE_SIZE as usize)
            .map(|e| RegisterRow {
                organisation: e.organisation_name,
                kvk: e.kvk.unwrap_or_default(),
                scheme: scheme_label(e.scheme),
                number: e.certificate_number,
                valid_until: e.valid_until.map(|d| long_date(tr, d)).unwrap_or_else(|| tr.cert_no_end.to_string()),
                status: status_label(tr, e.status),
            })
            .collect();
        let page = RegisterPage {
            l: layout(&state, &ctx, "register", tr.register_title, "/register"),
            as_of: long_date(tr, as_of),
            q: q.get("q").cloned().unwrap_or_default(),
            schemes: CertificateScheme::ALL
                .iter()
                .map(|s| (s.as_str(), scheme_label(*s), Some(*s) == scheme))
                .collect(),
            rows,
            total,
            page: n,
            pages,
            prev_href,
            next_href,
        };
        Ok(render(&page))
    }
    .await;
    page(&state, &ctx, result)
}

#[derive(Template)]
#[template(path = "register_address.html")]
struct LookupPage {
    l: Layout,
    /// (name, label, inputmode) of each field.
    fields: Vec<(&'static str, &'static str, &'static str)>,
    form: FormData,
    errors: FormErrors,
    /// The address asked about, and the answer.
    answer: Option<(String, bool, String)>,
}

const LOOKUP_FIELDS: [&str; 4] = ["postcode", "number", "letter", "addition"];

async fn lookup_page(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let tr = ctx.lang.texts();
        let form =
            FormData(LOOKUP_FIELDS.iter().map(|f| (f.to_string(), q.get(*f).cloned().unwrap_or_default())).collect());
        let asked = LOOKUP_FIELDS.iter().any(|f| q.get(*f).is_some_and(|v| !v.trim().is_empty()));
        let mut status = StatusCode::OK;
        let mut errors = FormErrors::none();
        let mut answer = None;
        if asked {
            match address_query(&q) {
                Err(e) => {
                    let labels = [tr.postcode, tr.house_number, tr.house_letter, tr.house_addition];
                    errors = FormErrors::of(ctx.lang, &e, &LOOKUP_FIELDS, &labels);
                    status = StatusCode::BAD_REQUEST;
                }
                Ok(a) => {
                    let date = today();
                    let found = lookup(&state, &a, date).await?;
                    let mut address = format!("{} {}", a.postcode.display(), a.number);
                    if let Some(l) = &a.letter {
                        address.push_str(l);
                    }
                    if let Some(t) = &a.addition {
                        address.push('-');
                        address.push_str(t);
                    }
                    let text = match (found.certified, found.scheme, found.max_persons) {
                        (true, Some(s), Some(n)) => tr
                            .lookup_certified
                            .replace("{scheme}", scheme_label(s))
                            .replace("{n}", &n.to_string())
                            .replace("{date}", &long_date(tr, date)),
                        (true, Some(s), None) => tr
                            .lookup_certified_unknown
                            .replace("{scheme}", scheme_label(s))
                            .replace("{date}", &long_date(tr, date)),
                        _ => tr.lookup_not_in_register.replace("{date}", &long_date(tr, date)),
                    };
                    answer = Some((address, found.certified, text));
                }
            }
        }
        let fields = vec![
            ("postcode", tr.postcode, "text"),
            ("number", tr.house_number, "numeric"),
            ("letter", tr.house_letter, "text"),
            ("addition", tr.house_addition, "text"),
        ];
        let page = LookupPage {
            l: layout(&state, &ctx, "register", tr.lookup_title, "/register/adres"),
            fields,
            form,
            errors,
            answer,
        };
        Ok((status, render(&page)).into_response())
    }
    .await;
    page(&state, &ctx, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn lookup_questions_name_every_bad_field() {
        let ok = address_query(&q(&[("postcode", "2671 ab"), ("number", "5"), ("letter", "a")])).ok().unwrap();
        assert_eq!((ok.postcode.as_str(), ok.number, ok.letter.as_deref()), ("2671AB", 5, Some("a")));
        let fields = |pairs: &[(&str, &str)]| -> Vec<String> {
            address_query(&q(pairs)).err().unwrap().0.into_iter().map(|e| e.field).collect()
        };
        assert_eq!(fields(&[("postcode", "0123AB"), ("number", "5")]), ["postcode"]);
        assert_eq!(fields(&[("postcode", "2671AB"), ("number", "vijf")]), ["number"]);
        assert_eq!(fields(&[("postcode", "2671AB"), ("number", "0")]), ["number"]);
        assert_eq!(
            fields(&[("number", "5"), ("letter", "ab"), ("addition", "12345")]),
            ["postcode", "letter", "addition"]
        );
    }

    #[test]
    fn every_role_reaches_what_it_may() {
        use flexwonen_core::access::Principal;
        let p = |role, org| {
            Viewer::Account(Principal {
                account_id: 1,
                username: "x".into(),
                role,
                region_id: None,
                municipality: None,
                organisation_id: org,
                region_members: Vec::new(),
            })
        };
        assert_eq!(reach(&Viewer::Public), Err(Denied::NotSignedIn));
        assert_eq!(reach(&p(Role::Ministry, None)), Err(Denied::Forbidden));
        assert_eq!(reach(&p(Role::HousingProvider, Some(7))), Ok(Reach::Organisation(7)));
        assert_eq!(reach(&p(Role::HousingProvider, None)), Err(Denied::Forbidden));
        for role in [Role::Administrator, Role::Municipality, Role::RegionalCoordinator, Role::Inspector] {
            assert_eq!(reach(&p(role, None)), Ok(Reach::All), "{role:?}");
        }
        assert!(may_manage(&p(Role::Administrator, None)) && !may_manage(&p(Role::Municipality, None)));
    }

    #[test]
    fn dates_in_both_languages() {
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(long_date(Lang::Nl.texts(), d), "1 juli 2025");
        assert_eq!(long_date(Lang::En.texts(), d), "1 July 2025");
    }
}
