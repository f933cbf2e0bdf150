//! Server-rendered pages. Each handler: who is asking (Ctx), may they (core::access), fetch
//! (store), render (askama template). Forms post back to the same rules the API uses.

use crate::AppState;
use crate::auth::{self, Ctx, LOGIN_CSRF_COOKIE, SESSION_COOKIE, SESSION_HOURS};
use crate::error::ApiError;
use crate::forms::{self, FormData};
use crate::i18n::{LANG_COOKIE, Lang, Texts};
use crate::map::{MapOptions, format_nl};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use flexwonen_core::FieldErrors;
use flexwonen_core::access::LocationScope;
use flexwonen_core::geography::RegionKind;
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::locations_csv::bed_label;
use flexwonen_core::register::{
    BedInput, HousingForm, LegalStatus, LocationInput, OrganisationKind, RoomInput, StayType,
};
use flexwonen_core::totals::Totals;
use flexwonen_store::{Location, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/", get(dashboard))
        .route("/static/style.css", get(stylesheet))
        .route("/lang/{code}", get(switch_language))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/regions", get(regions).post(create_region))
        .route("/regions/{id}", get(region))
        .route("/regions/{id}/members", post(set_region_members))
        .route("/municipalities/{code}", get(municipality))
        .route("/organisations", get(organisations).post(create_organisation))
        .route("/locations", get(locations).post(create_location))
        .route("/locations/new", get(new_location))
        .route("/locations/{id}", get(location).post(update_location))
        .route("/locations/{id}/edit", get(edit_location))
        .route("/locations/{id}/delete", post(delete_location))
        .route("/locations/{id}/rooms", post(add_room))
        .route("/locations/{id}/rooms/{room}", get(room_form).post(update_room))
        .route("/locations/{id}/rooms/{room}/delete", post(delete_room))
}

/// What the frame of every page needs.
pub struct Layout {
    pub tr: &'static Texts,
    pub lang: &'static str,
    pub other_lang: &'static str,
    pub other_lang_href: String,
    pub title: String,
    pub section: &'static str,
    pub user: Option<String>,
    pub role: &'static str,
    pub csrf: String,
    pub can_see_locations: bool,
    pub can_see_inspections: bool,
    pub can_see_signals: bool,
    pub can_see_enforcement: bool,
    pub demo_banner: bool,
}

pub(crate) fn layout(
    state: &AppState,
    ctx: &Ctx,
    section: &'static str,
    title: impl Into<String>,
    path: &str,
) -> Layout {
    let tr = ctx.lang.texts();
    let other = ctx.lang.other();
    Layout {
        tr,
        lang: ctx.lang.code(),
        other_lang: other.code(),
        other_lang_href: format!("/lang/{}?next={}", other.code(), urlencode(path)),
        title: title.into(),
        section,
        user: ctx.viewer.principal().map(|p| p.username.clone()),
        role: ctx.viewer.role().map(|r| tr.role(r)).unwrap_or(""),
        csrf: ctx.csrf.clone().unwrap_or_default(),
        can_see_locations: ctx.viewer.location_read_scope() != LocationScope::Nothing,
        can_see_inspections: flexwonen_core::inspections::read_scope(&ctx.viewer) != LocationScope::Nothing,
        can_see_signals: ctx.viewer.signal_view() != flexwonen_core::access::FlagView::Nothing,
        can_see_enforcement: ctx.viewer.ledger_view().is_some(),
        demo_banner: state.config.demo_banner,
    }
}

pub(crate) fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|e| e[1..].to_string()).unwrap_or_default()
}

pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// A page that went wrong, rendered in the viewer's language.
pub enum PageError {
    NotFound,
    /// Not allowed; the public is sent to sign in.
    Forbidden,
    BadForm,
    Internal,
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => PageError::NotFound,
            StoreError::Forbidden(_) => PageError::Forbidden,
            other => {
                tracing::error!(error = %other, "store failure on a page");
                PageError::Internal
            }
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    l: Layout,
    heading: &'static str,
    text: &'static str,
    show_login: bool,
}

pub(crate) fn message(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    heading: &'static str,
    text: &'static str,
    show_login: bool,
) -> Response {
    let page = MessagePage { l: layout(state, ctx, "", heading, "/"), heading, text, show_login };
    (status, render(&page)).into_response()
}

pub(crate) type PageResult = Result<Response, PageError>;

pub(crate) fn page(state: &AppState, ctx: &Ctx, result: PageResult) -> Response {
    match result {
        Ok(r) => r,
        Err(e) => {
            let tr = ctx.lang.texts();
            match e {
                PageError::NotFound => {
                    message(state, ctx, StatusCode::NOT_FOUND, tr.not_found_title, tr.not_found_text, false)
                }
                PageError::Forbidden if ctx.viewer.principal().is_none() => Redirect::to("/login").into_response(),
                PageError::Forbidden => {
                    message(state, ctx, StatusCode::FORBIDDEN, tr.forbidden_title, tr.forbidden_text, false)
                }
                PageError::BadForm => message(state, ctx, StatusCode::BAD_REQUEST, tr.error_title, tr.bad_form, false),
                PageError::Internal => {
                    message(state, ctx, StatusCode::INTERNAL_SERVER_ERROR, tr.error_title, tr.error_text, false)
                }
            }
        }
    }
}

/// The 404 page for unknown paths (no state needed: plain, in the requested language).
pub fn not_found_page(headers: &HeaderMap) -> Response {
    let tr = Lang::from_request(headers, None).texts();
    plain_page(headers, StatusCode::NOT_FOUND, tr.not_found_title, tr.not_found_text)
}

/// A body too large for the server's limit, answered before any handler ran.
pub fn too_large_page(headers: &HeaderMap) -> Response {
    let tr = Lang::from_request(headers, None).texts();
    plain_page(headers, StatusCode::PAYLOAD_TOO_LARGE, tr.too_large_title, tr.too_large_text)
}

/// A page without state (no session, no layout data): plain, in the requested language.
fn plain_page(headers: &HeaderMap, status: StatusCode, title: &str, text: &str) -> Response {
    let lang = Lang::from_request(headers, None);
    let body = format!(
        "<!doctype html><html lang=\"{3}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{0}</title><link rel=\"stylesheet\" href=\"/static/style.css\"></head><body><main class=\"wrap\"><h1>{0}</h1><p>{1}</p><p><a href=\"/\">{2}</a></p></main></body></html>",
        title,
        text,
        lang.texts().nav_overview,
        lang.code()
    );
    (status, Html(body)).into_response()
}

pub(crate) fn now_label() -> String {
    chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string()
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../static/style.css"),
    )
        .into_response()
}

/// A path on this site: starts with one `/` and holds only plain URL characters, so no
/// browser reads it as another host (`//host`, a backslash, tabs or new lines).
fn is_local_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.starts_with("//")
        && p.bytes().all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%+,;:@".contains(&b))
}

async fn switch_language(Path(code): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Nl);
    // Only local paths: never an open redirect.
    let next = q.get("next").filter(|n| is_local_path(n)).cloned().unwrap_or_else(|| "/".into());
    let mut res = Redirect::to(&next).into_response();
    if let Ok(v) =
        HeaderValue::from_str(&format!("{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax", lang.code()))
    {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

// ---------------------------------------------------------------- totals pages

pub struct TableRow {
    pub label: String,
    pub href: Option<String>,
    pub locations: String,
    pub beds: String,
}

pub struct TotalsTable {
    pub title: &'static str,
    pub key_header: &'static str,
    pub rows: Vec<TableRow>,
}

/// What `totals.html` shows: tiles, a map and tables, and when they were computed.
pub struct TotalsView {
    as_of: String,
    total_locations: String,
    total_beds: String,
    beds_in_service: String,
    grey_beds: String,
    map_svg: String,
    tables: Vec<TotalsTable>,
}

fn totals_view(
    state: &AppState,
    tr: &'static Texts,
    totals: &Totals,
    highlight: Option<&[String]>,
    mut extra: Vec<TotalsTable>,
) -> Arc<TotalsView> {
    let total = totals.total();
    let grey: i64 = totals.by_legal_status().iter().filter(|(s, _)| s.is_grey_or_illegal()).map(|(_, c)| c.beds).sum();
    let row = |label: &str, c: flexwonen_core::totals::Count| TableRow {
        label: label.to_string(),
        href: None,
        locations: format_nl(c.locations),
        beds: format_nl(c.beds),
    };
    let mut tables = vec![
        TotalsTable {
            title: tr.by_housing_form,
            key_header: tr.housing_form,
            rows: totals.by_housing_form().into_iter().map(|(k, c)| row(tr.housing_form(k), c)).collect(),
        },
        TotalsTable {
            title: tr.by_legal_status,
            key_header: tr.legal_status,
            rows: totals.by_legal_status().into_iter().map(|(k, c)| row(tr.legal_status(k), c)).collect(),
        },
        TotalsTable {
            title: tr.by_stay_type,
            key_header: tr.stay_type,
            rows: totals.by_stay_type().into_iter().map(|(k, c)| row(tr.stay_type(k), c)).collect(),
        },
    ];
    tables.append(&mut extra);
    let values: HashMap<String, i64> =
        totals.by_municipality().into_iter().map(|(k, c)| (k.to_string(), c.beds)).collect();
    let map_svg = state.map.render(
        &values,
        &MapOptions {
            id: "kaart-bedden",
            title: tr.map_title,
            desc: tr.map_desc,
            highlight,
            link: Some("/municipalities/"),
            legend_label: tr.beds_word,
            no_data_label: tr.none_word,
            value_label: tr.beds_word,
            classes: None,
            points: &[],
            points_label: "",
        },
    );
    Arc::new(TotalsView {
        as_of: now_label(),
        total_locations: format_nl(total.locations),
        total_beds: format_nl(total.beds),
        beds_in_service: format_nl(total.beds_in_service),
        grey_beds: format_nl(grey),
        map_svg,
        tables,
    })
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    l: Layout,
    heading: &'static str,
    intro: &'static str,
    v: Arc<TotalsView>,
    note: Option<&'static str>,
}

/// The dashboard's figures, map and tables: the same for every viewer, so they are built
/// once per language and data generation and then served from memory.
async fn dashboard_view(
    state: &AppState,
    tr: &'static Texts,
    lang: Lang,
    known_generation: Option<i64>,
) -> Result<Arc<TotalsView>, PageError> {
    let generation = match known_generation {
        Some(g) => g,
        None => state.store.generation().await?,
    };
    if let Some(v) = state.dashboard.get(generation, lang.code()) {
        return Ok(v);
    }
    let totals = state.store.totals(None).await?;
    let campaign = state.store.regions_with_members(Some(RegionKind::Campaign2012)).await?;
    let by_region = campaign
        .iter()
        .map(|(r, members)| {
            let c = totals.within(members).total();
            TableRow {
                label: r.name.clone(),
                href: Some(format!("/regions/{}", r.id)),
                locations: format_nl(c.locations),
                beds: format_nl(c.beds),
            }
        })
        .collect();
    let extra = vec![TotalsTable { title: tr.by_region, key_header: tr.region, rows: by_region }];
    let v = totals_view(state, tr, &totals, None, extra);
    state.dashboard.put(generation, lang.code().to_string(), v.clone());
    Ok(v)
}

async fn dashboard(State(state): State<AppState>, ctx: Ctx) -> Response {
    let result = async {
        let tr = ctx.lang.texts();
        let v = dashboard_view(&state, tr, ctx.lang, ctx.generation).await?;
        let note = (ctx.viewer.location_read_scope() == LocationScope::Nothing).then_some(tr.aggregates_only);
        Ok(render(&DashboardPage {
            l: layout(&state, &ctx, "overview", tr.nav_overview, "/"),
            heading: tr.dashboard_title,
            intro: tr.dashboard_intro,
            v,
            note,
        }))
    }
    .await;
    page(&state, &ctx, result)
}

// ---------------------------------------------------------------- sign in

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    l: Layout,
    csrf: String,
    username: String,
    failed: bool,
}

fn login_page(state: &AppState, ctx: &Ctx, username: &str, failed: bool) -> Response {
    let token = auth::random_token();
    let tr = ctx.lang.texts();
    let page = LoginPage {
        l: layout(state, ctx, "", tr.sign_in, "/login"),
        csrf: token.clone(),
        username: username.to_string(),
        failed,
    };
    let mut res = render(&page);
    if failed {
        *res.status_mut() = StatusCode::UNAUTHORIZED;
    }
    if let Ok(v) =
        HeaderValue::from_str(&auth::set_cookie(LOGIN_CSRF_COOKIE, &token, 3600, state.config.secure_cookies, "Strict"))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn login_form(State(state): State<AppState>, ctx: Ctx) -> Response {
    login_page(&state, &ctx, "", false)
}

/// A hash to verify against when the username is unknown, so both cases take as long.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| auth::hash_password("not a password"));

async fn login(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, body: Bytes) -> Response {
    let Some(form) = FormData::parse(&body) else { return page(&state, &ctx, Err(PageError::BadForm)) };
    let expected = auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    if expected.is_empty() || !forms::constant_time_eq(expected.as_bytes(), form.get("csrf").as_bytes()) {
        return page(&state, &ctx, Err(PageError::BadForm));
    }
    let username = form.get("username").trim();
    let account = match state.store.account_by_username(username).await {
        Ok(a) => a,
        Err(e) => return page(&state, &ctx, Err(e.into())),
    };
    // Argon2 takes tens of milliseconds of CPU: off the async workers.
    let password = form.get("password").to_string();
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => auth::verify_password(&password, &h),
        None => {
            auth::verify_password(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .unwrap_or(false);
    let Some(account) = account.filter(|_| ok) else {
        tracing::info!(username, "failed sign-in");
        return login_page(&state, &ctx, username, true);
    };
    let token = auth::random_token();
    let expires = (chrono::Utc::now() + chrono::Duration::hours(SESSION_HOURS))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    if let Err(e) =
        state.store.create_session(&auth::token_hash(&token), account.id, &auth::random_token(), &expires).await
    {
        return page(&state, &ctx, Err(e.into()));
    }
    let mut res = Redirect::to("/").into_response();
    let cookies = [
        auth::set_cookie(SESSION_COOKIE, &token, SESSION_HOURS * 3600, state.config.secure_cookies, "Lax"),
        auth::set_cookie(LOGIN_CSRF_COOKIE, "", 0, state.config.secure_cookies, "Strict"),
    ];
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(&c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

async fn logout(State(state): State<AppState>, ctx: Ctx, headers: HeaderMap, body: Bytes) -> Response {
    let form = FormData::parse(&body).unwrap_or_default();
    if !form.csrf_ok(&ctx) {
        return page(&state, &ctx, Err(PageError::BadForm));
    }
    if let Some(token) = auth::cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.store.delete_session(&auth::token_hash(token)).await
    {
        return page(&state, &ctx, Err(e.into()));
    }
    let mut res = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&auth::set_cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies, "Lax")) {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    res
}

/// Reads a posted form and checks its CSRF token.
/// A file sent with a form: its bytes, or that it was over the size limit.
pub(crate) enum Upload {
    File(Vec<u8>),
    TooLarge,
}

/// A form with an optional file (`name="file"`), urlencoded (no file) or multipart.
/// The text fields make one `FormData`, so the CSRF check is that of every other form. A
/// body above the limit is reported as such, before anything else (nothing is done with it).
pub(crate) async fn form_with_file(
    ctx: &Ctx,
    req: axum::extract::Request,
) -> Result<(FormData, Option<Upload>), PageError> {
    let too_large = |status: StatusCode| {
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Ok((FormData::default(), Some(Upload::TooLarge)))
        } else {
            Err(PageError::BadForm)
        }
    };
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !content_type.trim_start().to_ascii_lowercase().starts_with("multipart/form-data") {
        return match <axum::body::Bytes as axum::extract::FromRequest<()>>::from_request(req, &()).await {
            Ok(body) => Ok((posted_form(ctx, &body)?, None)),
            Err(e) => too_large(e.status()),
        };
    }
    let mut parts = <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(req, &())
        .await
        .map_err(|_| PageError::BadForm)?;
    let (mut form, mut upload) = (FormData::default(), None);
    loop {
        let field = match parts.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return too_large(e.status()),
        };
        let (name, is_file) = (field.name().unwrap_or("").to_string(), field.file_name().is_some());
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes.to_vec(),
            Err(e) => return too_large(e.status()),
        };
        if !is_file {
            form.0.push((name, String::from_utf8(bytes).map_err(|_| PageError::BadForm)?));
        } else if name == "file" && !bytes.is_empty() {
            upload = Some(Upload::File(bytes));
        }
    }
    Ok((csrf_checked(ctx, form)?, upload))
}

pub(crate) fn posted_form(ctx: &Ctx, body: &[u8]) -> Result<FormData, PageError> {
    csrf_checked(ctx, FormData::parse(body).ok_or(PageError::BadForm)?)
}

/// The form, if it carries this session's CSRF token (however it was posted).
pub(crate) fn csrf_checked(ctx: &Ctx, form: FormData) -> Result<FormData, PageError> {
    if !form.csrf_ok(ctx) {
        return Err(if ctx.viewer.principal().is_none() { PageError::Forbidden } else { PageError::BadForm });
    }
    Ok(form)
}

// ---------------------------------------------------------------- regions

struct RegionGroupRow {
    id: i64,
    name: String,
    members: usize,
    locations: String,
    beds: String,
}

struct RegionGroup {
    title: &'static str,
    rows: Vec<RegionGroupRow>,
}

#[derive(Template)]
#[template(path = "regions.html")]
struct RegionsPage {
    l: Layout,
    groups: Vec<RegionGroup>,
    can_create: bool,
    errors: Vec<String>,
    new_name: String,
    new_members: String,
}

async fn regions_page(
    state: &AppState,
    ctx: &Ctx,
    errors: Vec<String>,
    new_name: String,
    new_members: String,
) -> PageResult {
    let tr = ctx.lang.texts();
    let totals = state.store.totals(None).await.map_err(PageError::from)?;
    let all = state.store.regions_with_members(None).await.map_err(PageError::from)?;
    let order = [
        RegionKind::Campaign2012,
        RegionKind::Custom,
        RegionKind::Province,
        RegionKind::LabourMarket,
        RegionKind::Corop,
    ];
    let groups = order
        .into_iter()
        .map(|kind| RegionGroup {
            title: tr.region_kind(kind),
            rows: all
                .iter()
                .filter(|(r, _)| r.kind == kind)
                .map(|(r, m)| {
                    let c = totals.within(m).total();
                    RegionGroupRow {
                        id: r.id,
                        name: r.name.clone(),
                        members: m.len(),
                        locations: format_nl(c.locations),
                        beds: format_nl(c.beds),
                    }
                })
                .collect(),
        })
        .filter(|g| !g.rows.is_empty())
        .collect();
    let page = RegionsPage {
        l: layout(state, ctx, "regions", tr.regions_title, "/regions"),
        groups,
        can_create: ctx.viewer.can_manage_reference_data(),
        errors,
        new_name,
        new_members,
    };
    Ok(render(&page))
}

async fn regions(State(state): State<AppState>, ctx: Ctx) -> Response {
    let r = regions_page(&state, &ctx, Vec::new(), String::new(), String::new()).await;
    page(&state, &ctx, r)
}

/// GM codes from a textarea: separated by commas, spaces or new lines.
fn parse_members(text: &str) -> Result<Vec<MunicipalityCode>, Vec<String>> {
    let mut codes = Vec::new();
    let mut errors = Vec::new();
    for token in text.split(|c: char| c == ',' || c == ';' || c.is_whitespace()).filter(|t| !t.is_empty()) {
        match MunicipalityCode::parse(token) {
            Ok(c) => codes.push(c),
            Err((_, m)) => errors.push(m),
        }
    }
    if errors.is_empty() { Ok(codes) } else { Err(errors) }
}

pub(crate) fn error_lines(tr: &Texts, e: &FieldErrors) -> Vec<String> {
    e.0.iter().map(|f| format!("{}: {}", f.field, tr.field_error(f))).collect()
}

async fn create_region(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        if !ctx.viewer.can_manage_reference_data() {
            return Err(PageError::Forbidden);
        }
        let (name, members_text) = (form.get("name").to_string(), form.get("members").to_string());
        let errors = match parse_members(&members_text) {
            Err(errors) => errors,
            Ok(members) => match state.store.create_region(&ctx.actor(), &name, &members).await {
                Ok(r) => return Ok(Redirect::to(&format!("/regions/{}", r.id)).into_response()),
                Err(StoreError::Invalid(e)) => error_lines(ctx.lang.texts(), &e),
                Err(e) => return Err(e.into()),
            },
        };
        let mut res = regions_page(&state, &ctx, errors, name, members_text).await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(res)
    }
    .await;
    page(&state, &ctx, result)
}

#[derive(Template)]
#[template(path = "region.html")]
struct RegionPage {
    l: Layout,
    kind_label: &'static str,
    heading: String,
    v: Arc<TotalsView>,
    locations_href: Option<String>,
    members: Vec<flexwonen_store::MunicipalityRow>,
    can_edit: bool,
    region_id: i64,
    members_text: String,
    errors: Vec<String>,
}

async fn region_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: Vec<String>,
    members_text: Option<String>,
) -> PageResult {
    let tr = ctx.lang.texts();
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let region = state.store.region(id).await.map_err(PageError::from)?;
    let members = state.store.region_members(id).await.map_err(PageError::from)?;
    let codes: Vec<String> = members.iter().map(|m| m.code.clone()).collect();
    let totals = state.store.totals(Some(&codes)).await.map_err(PageError::from)?;
    let by_municipality = {
        let per = totals.by_municipality();
        members
            .iter()
            .map(|m| {
                let c = per.get(m.code.as_str()).copied().unwrap_or_default();
                TableRow {
                    label: m.name.clone(),
                    href: Some(format!("/municipalities/{}", m.code)),
                    locations: format_nl(c.locations),
                    beds: format_nl(c.beds),
                }
            })
            .collect()
    };
    let v = totals_view(
        state,
        tr,
        &totals,
        Some(&codes),
        vec![TotalsTable { title: tr.municipalities, key_header: tr.municipality, rows: by_municipality }],
    );
    let can_see = ctx.viewer.location_read_scope() != LocationScope::Nothing;
    let page = RegionPage {
        l: layout(state, ctx, "regions", region.name.clone(), &format!("/regions/{id}")),
        kind_label: tr.region_kind(region.kind),
        heading: region.name.clone(),
        v,
        locations_href: can_see.then(|| format!("/locations?region_id={id}")),
        can_edit: ctx.viewer.can_manage_reference_data(),
        region_id: id,
        members_text: members_text.unwrap_or_else(|| codes.join("\n")),
        members,
        errors,
    };
    Ok(render(&page))
}

async fn region(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = region_page(&state, &ctx, &id, Vec::new(), None).await;
    page(&state, &ctx, r)
}

async fn set_region_members(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        if !ctx.viewer.can_manage_reference_data() {
            return Err(PageError::Forbidden);
        }
        let region_id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
        let text = form.get("members").to_string();
        let errors = match parse_members(&text) {
            Err(errors) => errors,
            Ok(members) => match state.store.set_region_members(&ctx.actor(), region_id, &members).await {
                Ok(()) => return Ok(Redirect::to(&format!("/regions/{region_id}")).into_response()),
                Err(StoreError::Invalid(e)) => error_lines(ctx.lang.texts(), &e),
                Err(e) => return Err(e.into()),
            },
        };
        let mut res = region_page(&state, &ctx, &id, errors, Some(text)).await?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(res)
    }
    .await;
    page(&state, &ctx, result)
}

#[derive(Template)]
#[template(path = "municipality.html")]
struct MunicipalityPage {
    l: Layout,
    heading: String,
    code: String,
    v: Arc<TotalsView>,
    locations_href: Option<String>,
    regions: Vec<(i64, String, &'static str)>,
}

async fn municipality(State(state): State<AppState>, ctx: Ctx, Path(code): Path<String>) -> Response {
    let result = async {
        let tr = ctx.lang.texts();
        let code = MunicipalityCode::parse(&code).map_err(|_| PageError::NotFound)?;
        let m = state.store.municipality(&code).await.map_err(PageError::from)?;
        let codes = vec![m.code.clone()];
        let totals = state.store.totals(Some(&codes)).await.map_err(PageError::from)?;
        let regions = state.store.regions_of(&code).await.map_err(PageError::from)?;
        let v = totals_view(&state, tr, &totals, Some(&codes), Vec::new());
        let can_see = ctx.viewer.location_read_scope() != LocationScope::Nothing;
        Ok(render(&MunicipalityPage {
            l: layout(&state, &ctx, "regions", m.name.clone(), &format!("/municipalities/{}", m.code)),
            heading: m.name.clone(),
            code: m.code.clone(),
            v,
            locations_href: can_see.then(|| format!("/locations?municipality_code={}", m.code)),
            regions: regions.into_iter().map(|r| (r.id, r.name, tr.region_kind(r.kind))).collect(),
        }))
    }
    .await;
    page(&state, &ctx, result)
}

// ---------------------------------------------------------------- organisations

#[derive(Template)]
#[template(path = "organisations.html")]
struct OrganisationsPage {
    l: Layout,
    q: String,
    kinds: Vec<(&'static str, &'static str, bool)>,
    total: i64,
    rows: Vec<(String, String, &'static str)>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
    can_create: bool,
    new: FormData,
    errors: Vec<String>,
}

/// Links to the previous and next page, keeping every other query parameter.
pub(crate) fn pager(
    path: &str,
    q: &HashMap<String, String>,
    page: i64,
    per_page: i64,
    total: i64,
) -> (i64, Option<String>, Option<String>) {
    let pages = ((total + per_page - 1) / per_page).max(1);
    let href = |p: i64| {
        let mut pairs: Vec<(&str, String)> =
            q.iter().filter(|(k, _)| *k != "page").map(|(k, v)| (k.as_str(), v.clone())).collect();
        pairs.sort();
        pairs.push(("page", p.to_string()));
        format!("{path}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    };
    (pages, (page > 1).then(|| href(page - 1)), (page < pages).then(|| href(page + 1)))
}

const PAGE_SIZE: i64 = 50;

pub(crate) fn page_number(q: &HashMap<String, String>) -> i64 {
    q.get("page").and_then(|p| p.parse().ok()).filter(|p| (1..=1_000_000).contains(p)).unwrap_or(1)
}

async fn organisations(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let result = organisations_page(&state, &ctx, &q, FormData::default(), Vec::new()).await;
    page(&state, &ctx, result)
}

async fn organisations_page(
    state: &AppState,
    ctx: &Ctx,
    q: &HashMap<String, String>,
    new: FormData,
    errors: Vec<String>,
) -> PageResult {
    let tr = ctx.lang.texts();
    let kind = q.get("kind").and_then(|k| OrganisationKind::parse(k));
    let n = page_number(q);
    let p = state.store.organisations(kind, q.get("q").map(String::as_str), n, PAGE_SIZE).await?;
    let (pages, prev_href, next_href) = pager("/organisations", q, n, PAGE_SIZE, p.total);
    let mut res = render(&OrganisationsPage {
        l: layout(state, ctx, "organisations", tr.organisations_title, "/organisations"),
        q: q.get("q").cloned().unwrap_or_default(),
        kinds: OrganisationKind::ALL.iter().map(|k| (k.as_str(), tr.organisation_kind(*k), Some(*k) == kind)).collect(),
        total: p.total,
        rows: p.items.into_iter().map(|o| (o.name, o.kvk.unwrap_or_default(), tr.organisation_kind(o.kind))).collect(),
        page: n,
        pages,
        prev_href,
        next_href,
        can_create: ctx.viewer.can_manage_reference_data(),
        new,
        errors: errors.clone(),
    });
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

async fn create_organisation(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        if !ctx.viewer.can_manage_reference_data() {
            return Err(PageError::Forbidden);
        }
        let input = flexwonen_core::register::OrganisationInput {
            name: form.get("name").to_string(),
            kvk: form.opt("kvk"),
            kind: form.get("kind").to_string(),
            municipality_code: form.opt("municipality_code"),
        };
        let outcome = match input.validate() {
            Ok(draft) => state.store.create_organisation(&ctx.actor(), &draft).await,
            Err(e) => Err(StoreError::Invalid(e)),
        };
        match outcome {
            Ok(o) => Ok(Redirect::to(&format!("/organisations?q={}", urlencode(&o.name))).into_response()),
            Err(StoreError::Invalid(e)) => {
                organisations_page(&state, &ctx, &HashMap::new(), form, error_lines(ctx.lang.texts(), &e)).await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}

// ---------------------------------------------------------------- locations

struct Select {
    name: &'static str,
    label: &'static str,
    blank: bool,
    options: Vec<(String, String, bool)>,
}

struct LocationRow {
    id: i64,
    address: String,
    municipality: String,
    form: &'static str,
    status: &'static str,
    status_code: &'static str,
    operator: String,
    beds: String,
}

#[derive(Template)]
#[template(path = "locations.html")]
struct LocationsPage {
    l: Layout,
    can_create: bool,
    q: String,
    selects: Vec<Select>,
    total: i64,
    rows: Vec<LocationRow>,
    page: i64,
    pages: i64,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn read_scope(ctx: &Ctx) -> Result<LocationScope, PageError> {
    match ctx.viewer.location_read_scope() {
        LocationScope::Nothing => Err(PageError::Forbidden),
        s => Ok(s),
    }
}

fn write_scope(ctx: &Ctx) -> Result<LocationScope, PageError> {
    match ctx.viewer.location_write_scope() {
        LocationScope::Nothing => Err(PageError::Forbidden),
        s => Ok(s),
    }
}

fn options<T: Copy + PartialEq>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: Option<T>,
) -> Vec<(String, String, bool)> {
    all.iter().map(|v| (code(*v).to_string(), label(*v).to_string(), Some(*v) == selected)).collect()
}

async fn locations(State(state): State<AppState>, ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    let result = async {
        let tr = ctx.lang.texts();
        let scope = read_scope(&ctx)?;
        let (filter, sort) = crate::api::location_filter(&q).map_err(|_: ApiError| PageError::BadForm)?;
        let n = page_number(&q);
        let p = state
            .store
            .locations(&scope, &filter, sort, n, PAGE_SIZE, ctx.generation)
            .await
            .map_err(PageError::from)?;
        let municipalities = state.store.municipalities().await.map_err(PageError::from)?;
        // Providers' locations may lie anywhere: they choose from every municipality.
        let visible: Vec<_> = municipalities
            .into_iter()
            .filter(|m| matches!(scope, LocationScope::Operator(_)) || scope.covers_municipality(&m.code))
            .collect();
        let sort_label = |s: flexwonen_store::LocationSort| match s {
            flexwonen_store::LocationSort::Address => tr.sort_address,
            flexwonen_store::LocationSort::Municipality => tr.sort_municipality,
            flexwonen_store::LocationSort::BedsDesc => tr.sort_beds_desc,
            flexwonen_store::LocationSort::BedsAsc => tr.sort_beds_asc,
            flexwonen_store::LocationSort::UpdatedDesc => tr.sort_updated,
        };
        let mut selects = vec![
            Select {
                name: "municipality_code",
                label: tr.municipality,
                blank: true,
                options: visible
                    .iter()
                    .map(|m| {
                        (m.code.clone(), m.name.clone(), filter.municipality_code.as_deref() == Some(m.code.as_str()))
                    })
                    .collect(),
            },
            Select {
                name: "housing_form",
                label: tr.housing_form,
                blank: true,
                options: options(HousingForm::ALL, HousingForm::as_str, |v| tr.housing_form(v), filter.housing_form),
            },
            Select {
                name: "legal_status",
                label: tr.legal_status,
                blank: true,
                options: options(LegalStatus::ALL, LegalStatus::as_str, |v| tr.legal_status(v), filter.legal_status),
            },
            Select {
                name: "stay_type",
                label: tr.stay_type,
                blank: true,
                options: options(StayType::ALL, StayType::as_str, |v| tr.stay_type(v), filter.stay_type),
            },
            Select {
                name: "sort",
                label: tr.sort,
                blank: false,
                options: options(
                    &flexwonen_store::LocationSort::ALL,
                    flexwonen_store::LocationSort::as_str,
                    sort_label,
                    Some(sort),
                ),
            },
        ];
        if let Some(r) = filter.region_id {
            let region = state.store.region(r).await.map_err(PageError::from)?;
            selects.insert(
                0,
                Select {
                    name: "region_id",
                    label: tr.region,
                    blank: true,
                    options: vec![(r.to_string(), region.name, true)],
                },
            );
        }
        let (pages, prev_href, next_href) = pager("/locations", &q, n, PAGE_SIZE, p.total);
        let rows = p
            .items
            .into_iter()
            .map(|s| LocationRow {
                id: s.id,
                address: s.address.one_line(),
                municipality: s.municipality_name,
                form: s.housing_form.as_str(),
                status: tr.legal_status(s.legal_status),
                status_code: s.legal_status.as_str(),
                operator: s.operator_name.unwrap_or_default(),
                beds: format_nl(s.bed_count),
            })
            .collect();
        Ok(render(&LocationsPage {
            l: layout(&state, &ctx, "locations", tr.locations_title, "/locations"),
            can_create: ctx.viewer.can_write_locations(),
            q: q.get("q").cloned().unwrap_or_default(),
            selects,
            total: p.total,
            rows,
            page: n,
            pages,
            prev_href,
            next_href,
        }))
    }
    .await;
    page(&state, &ctx, result)
}

struct HistoryRow {
    at: String,
    actor: String,
    action: &'static str,
    changes: String,
}

#[derive(Template)]
#[template(path = "location.html")]
struct LocationPage {
    l: Layout,
    loc: Location,
    status: &'static str,
    form: &'static str,
    stay: &'static str,
    position: Option<String>,
    can_edit: bool,
    history: Vec<HistoryRow>,
    flash: Option<&'static str>,
    room_errors: Vec<String>,
    capacity: crate::norms::CapacitySection,
}

/// The top-level fields that differ between two audit snapshots.
fn changed_fields(before: Option<&serde_json::Value>, after: Option<&serde_json::Value>) -> String {
    let (Some(serde_json::Value::Object(b)), Some(serde_json::Value::Object(a))) = (before, after) else {
        return String::new();
    };
    let skip = ["version", "updated_at", "created_at"];
    a.iter()
        .filter(|(k, v)| !skip.contains(&k.as_str()) && b.get(*k) != Some(*v))
        .map(|(k, _)| k.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

async fn location_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    flash: Option<&'static str>,
    room_errors: Vec<String>,
    date: Option<chrono::NaiveDate>,
) -> PageResult {
    let tr = ctx.lang.texts();
    let scope = read_scope(ctx)?;
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let loc = state.store.location(&scope, id).await.map_err(PageError::from)?;
    let date = date.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let capacity = state.store.location_capacity(&loc, date).await.map_err(PageError::from)?;
    let trail = state.store.audit_trail("location", id).await.map_err(PageError::from)?;
    let history = trail
        .iter()
        .map(|e| HistoryRow {
            at: e.at.get(..16).unwrap_or(&e.at).replace('T', " "),
            actor: e.actor.clone(),
            action: match e.action.as_str() {
                "create" => tr.action_create,
                "delete" => tr.action_delete,
                _ => tr.action_update,
            },
            changes: changed_fields(e.before.as_ref(), e.after.as_ref()),
        })
        .collect();
    let municipality = MunicipalityCode::parse(&loc.municipality_code).map_err(|_| PageError::NotFound)?;
    let can_edit = ctx.viewer.location_write_scope().allows(&municipality, loc.operator_id);
    let page = LocationPage {
        l: layout(state, ctx, "locations", loc.address.one_line(), &format!("/locations/{id}")),
        status: tr.legal_status(loc.legal_status),
        form: tr.housing_form(loc.housing_form),
        stay: tr.stay_type(loc.stay_type),
        position: loc
            .position
            .map(|p| format!("RD {:.0}, {:.0} · WGS84 {:.5}, {:.5}", p.rd.x, p.rd.y, p.wgs84.lat, p.wgs84.lon)),
        can_edit,
        history,
        flash,
        room_errors,
        capacity: crate::norms::CapacitySection::new(tr, &capacity),
        loc,
    };
    let invalid = !page.room_errors.is_empty();
    let mut res = render(&page);
    if invalid {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

/// The location as it is now, saying that someone else changed it first (409).
async fn conflict_page(state: &AppState, ctx: &Ctx, id: &str) -> PageResult {
    let mut res = location_page(state, ctx, id, Some(ctx.lang.texts().conflict), Vec::new(), None).await?;
    *res.status_mut() = StatusCode::CONFLICT;
    Ok(res)
}

async fn location(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flash = q.contains_key("saved").then_some(ctx.lang.texts().saved);
    // `?date=` judges the location on another day; an unreadable date is today.
    let date = q.get("date").and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    let r = location_page(&state, &ctx, &id, flash, Vec::new(), date).await;
    page(&state, &ctx, r)
}

struct FormField {
    name: &'static str,
    label: &'static str,
    kind: &'static str,
    inputmode: &'static str,
    value: String,
    hint: Option<&'static str>,
    error: Option<String>,
    options: Vec<(String, String)>,
}

struct FieldGroup {
    legend: &'static str,
    fields: Vec<FormField>,
}

#[derive(Template)]
#[template(path = "location_form.html")]
struct LocationFormPage {
    l: Layout,
    heading: String,
    action: String,
    cancel_href: String,
    version: String,
    conflict: bool,
    errors: Vec<(String, String)>,
    groups: Vec<FieldGroup>,
}

async fn location_form_page(
    state: &AppState,
    ctx: &Ctx,
    existing: Option<&Location>,
    values: &FormData,
    errors: &FieldErrors,
    conflict: bool,
) -> PageResult {
    let tr = ctx.lang.texts();
    let mut by_field: HashMap<&str, String> = HashMap::new();
    for e in &errors.0 {
        by_field.entry(forms::form_field(&e.field)).or_insert_with(|| tr.field_error(e));
    }
    // Operators a user may pick: providers can only register their own.
    let operators: Vec<(String, String)> = match ctx.viewer.forced_operator() {
        Some(id) => {
            let o = state.store.organisation(id).await.map_err(PageError::from)?;
            vec![(o.id.to_string(), o.name)]
        }
        None => {
            let mut v = vec![(String::new(), tr.no_operator.to_string())];
            for kind in [
                OrganisationKind::HousingProvider,
                OrganisationKind::TempAgency,
                OrganisationKind::HousingCorporation,
                OrganisationKind::Employer,
            ] {
                let p = state.store.organisations(Some(kind), None, 1, 5000).await.map_err(PageError::from)?;
                v.extend(p.items.into_iter().map(|o| (o.id.to_string(), o.name)));
            }
            // The current operator is always on offer, so saving never drops it silently.
            if let Some(id) = existing.and_then(|l| l.operator_id)
                && !v.iter().any(|(k, _)| *k == id.to_string())
            {
                let o = state.store.organisation(id).await?;
                v.push((o.id.to_string(), o.name));
            }
            v
        }
    };
    let municipalities: Vec<(String, String)> =
        state.store.municipalities().await.map_err(PageError::from)?.into_iter().map(|m| (m.code, m.name)).collect();
    let field = |name: &'static str,
                 label: &'static str,
                 kind: &'static str,
                 inputmode: &'static str,
                 hint: Option<&'static str>,
                 options: Vec<(String, String)>| FormField {
        name,
        label,
        kind,
        inputmode,
        value: values.get(name).to_string(),
        hint,
        error: by_field.get(name).cloned(),
        options,
    };
    let text = |name, label| field(name, label, "text", "text", None, Vec::new());
    let number = |name, label| field(name, label, "text", "numeric", None, Vec::new());
    let check = |name, label| field(name, label, "checkbox", "text", None, Vec::new());
    let choice = |v: Vec<(String, String)>| v;
    let groups = vec![
        FieldGroup {
            legend: tr.address,
            fields: vec![
                text("postcode", tr.postcode),
                number("house_number", tr.house_number),
                text("house_letter", tr.house_letter),
                text("house_addition", tr.house_addition),
                text("street", tr.street),
                text("place", tr.place),
                field("municipality_code", tr.municipality, "select", "text", None, municipalities),
                field("bag_vbo_id", tr.bag_vbo_id, "text", "numeric", Some(tr.bag_hint), Vec::new()),
            ],
        },
        FieldGroup {
            legend: tr.housing_form,
            fields: vec![
                field(
                    "housing_form",
                    tr.housing_form,
                    "select",
                    "text",
                    None,
                    choice(HousingForm::ALL.iter().map(|v| (v.as_str().into(), tr.housing_form(*v).into())).collect()),
                ),
                check("zoned_residential", tr.zoned_residential),
                field("floor_area_m2", tr.floor_area, "text", "decimal", None, Vec::new()),
                field(
                    "legal_status",
                    tr.legal_status,
                    "select",
                    "text",
                    None,
                    LegalStatus::ALL.iter().map(|v| (v.as_str().into(), tr.legal_status(*v).into())).collect(),
                ),
                field(
                    "stay_type",
                    tr.stay_type,
                    "select",
                    "text",
                    None,
                    StayType::ALL.iter().map(|v| (v.as_str().into(), tr.stay_type(*v).into())).collect(),
                ),
                field("operator_id", tr.operator, "select", "text", None, operators),
            ],
        },
        FieldGroup {
            legend: tr.facilities,
            fields: vec![
                number("toilets", tr.toilets),
                number("showers", tr.showers),
                number("kitchens", tr.kitchens),
                number("washing_machines", tr.washing_machines),
            ],
        },
        FieldGroup {
            legend: tr.position,
            fields: vec![
                field("rd_x", tr.rd_x, "text", "decimal", Some(tr.position_hint), Vec::new()),
                field("rd_y", tr.rd_y, "text", "decimal", None, Vec::new()),
            ],
        },
        FieldGroup {
            legend: tr.norm_facts,
            fields: vec![
                check("new_build", tr.new_build),
                field("in_use_since", tr.in_use_since, "date", "text", Some(tr.in_use_since_hint), Vec::new()),
                check("conversion_permit", tr.conversion_permit),
                check("bedroom_sharing_agreed", tr.bedroom_sharing_agreed),
                check("first_responsible", tr.first_responsible),
            ],
        },
    ];
    let (heading, action, cancel_href) = match existing {
        Some(l) => (
            format!("{}: {}", tr.edit, l.address.one_line()),
            format!("/locations/{}", l.id),
            format!("/locations/{}", l.id),
        ),
        None => (tr.new_location.to_string(), "/locations".to_string(), "/locations".to_string()),
    };
    // The summary names each field by its label, links to it, and follows the form's order.
    let position =
        |name: &str| groups.iter().flat_map(|g| &g.fields).position(|f| f.name == name).unwrap_or(usize::MAX);
    let mut errors_list: Vec<(String, String)> = errors
        .0
        .iter()
        .map(|e| {
            let name = forms::form_field(&e.field);
            let label =
                groups.iter().flat_map(|g| &g.fields).find(|f| f.name == name).map_or(e.field.as_str(), |f| f.label);
            (name.to_string(), format!("{label}: {}", tr.field_error(e)))
        })
        .collect();
    errors_list.sort_by_key(|(name, _)| position(name));
    let page = LocationFormPage {
        l: layout(state, ctx, "locations", heading.clone(), &action),
        heading,
        action,
        cancel_href,
        version: values.get("version").to_string(),
        conflict,
        errors: errors_list,
        groups,
    };
    let mut res = render(&page);
    if !errors.is_empty() || conflict {
        *res.status_mut() = if conflict { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
    }
    Ok(res)
}

async fn new_location(State(state): State<AppState>, ctx: Ctx) -> Response {
    let result = async {
        write_scope(&ctx)?;
        let mut values = forms::location_values(None);
        if let Some(m) = ctx.viewer.principal().and_then(|p| p.municipality.clone()) {
            values.0.push(("municipality_code".into(), m.to_string()));
        }
        location_form_page(&state, &ctx, None, &values, &FieldErrors::new(), false).await
    }
    .await;
    page(&state, &ctx, result)
}

/// Validates a location input, applying the provider rule, and saves it: the one write path
/// of every location page.
async fn save(
    state: &AppState,
    ctx: &Ctx,
    scope: &LocationScope,
    id: Option<(i64, i64)>,
    mut input: LocationInput,
) -> Result<Location, StoreError> {
    if let Some(op) = ctx.viewer.forced_operator() {
        input.operator_id = Some(op);
    }
    let draft = input.validate()?;
    match id {
        None => state.store.create_location(&ctx.actor(), scope, &draft).await,
        Some((id, version)) => state.store.update_location(&ctx.actor(), scope, id, version, &draft).await,
    }
}

async fn create_location(State(state): State<AppState>, ctx: Ctx, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let scope = write_scope(&ctx)?;
        let outcome = match forms::location_input(&form, None) {
            (input, e) if e.is_empty() => save(&state, &ctx, &scope, None, input).await,
            (input, e) => Err(StoreError::Invalid(forms::merge_validation(e, &input))),
        };
        match outcome {
            Ok(l) => Ok(Redirect::to(&format!("/locations/{}?saved", l.id)).into_response()),
            Err(StoreError::Invalid(e)) => location_form_page(&state, &ctx, None, &form, &e, false).await,
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}

async fn load_for_edit(state: &AppState, ctx: &Ctx, id: &str) -> Result<(LocationScope, Location), PageError> {
    let scope = write_scope(ctx)?;
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let loc = state.store.location(&scope, id).await.map_err(PageError::from)?;
    Ok((scope, loc))
}

async fn edit_location(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let result = async {
        let (_, loc) = load_for_edit(&state, &ctx, &id).await?;
        location_form_page(&state, &ctx, Some(&loc), &forms::location_values(Some(&loc)), &FieldErrors::new(), false)
            .await
    }
    .await;
    page(&state, &ctx, result)
}

fn form_version(form: &FormData) -> Result<i64, PageError> {
    form.get("version").parse().map_err(|_| PageError::BadForm)
}

async fn update_location(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let (scope, loc) = load_for_edit(&state, &ctx, &id).await?;
        let version = form_version(&form)?;
        let outcome = match forms::location_input(&form, Some(&loc)) {
            (input, e) if e.is_empty() => save(&state, &ctx, &scope, Some((loc.id, version)), input).await,
            (input, e) => Err(StoreError::Invalid(forms::merge_validation(e, &input))),
        };
        match outcome {
            Ok(l) => Ok(Redirect::to(&format!("/locations/{}?saved", l.id)).into_response()),
            Err(StoreError::Invalid(e)) => location_form_page(&state, &ctx, Some(&loc), &form, &e, false).await,
            Err(StoreError::Conflict { .. }) => {
                location_form_page(
                    &state,
                    &ctx,
                    Some(&loc),
                    &forms::location_values(Some(&loc)),
                    &FieldErrors::new(),
                    true,
                )
                .await
            }
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}

async fn delete_location(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let (scope, loc) = load_for_edit(&state, &ctx, &id).await?;
        let version = form_version(&form)?;
        match state.store.delete_location(&ctx.actor(), &scope, loc.id, Some(version)).await {
            Ok(()) => Ok(Redirect::to("/locations").into_response()),
            Err(StoreError::Conflict { .. }) => conflict_page(&state, &ctx, &id).await,
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}

/// Saves a change to the rooms made on a page; invalid input re-renders `on_invalid`.
async fn save_rooms(
    state: &AppState,
    ctx: &Ctx,
    scope: &LocationScope,
    loc: &Location,
    version: i64,
    rooms: Vec<RoomInput>,
) -> Result<Location, StoreError> {
    let mut input = forms::as_input(loc);
    input.rooms = rooms;
    save(state, ctx, scope, Some((loc.id, version)), input).await
}

async fn add_room(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let (scope, loc) = load_for_edit(&state, &ctx, &id).await?;
        let version = form_version(&form)?;
        let area = form.get("area_m2").trim().replace(',', ".").parse::<f64>().unwrap_or(f64::NAN);
        let beds: usize = form.get("beds").trim().parse().unwrap_or(usize::MAX);
        if beds > flexwonen_core::register::MAX_BEDS_PER_ROOM {
            let e = FieldErrors::single(
                "beds",
                "invalid_count",
                format!("the number of beds must be 0 to {}", flexwonen_core::register::MAX_BEDS_PER_ROOM),
            );
            return location_page(&state, &ctx, &id, None, error_lines(ctx.lang.texts(), &e), None).await;
        }
        let mut rooms = forms::rooms_as_input(&loc);
        let room_no = rooms.len() + 1;
        rooms.push(RoomInput {
            id: None,
            name: form.get("name").to_string(),
            area_m2: area,
            beds: (0..beds)
                .map(|k| BedInput {
                    id: None,
                    label: bed_label(room_no, k),
                    in_service: true,
                    out_of_service_reason: None,
                })
                .collect(),
        });
        match save_rooms(&state, &ctx, &scope, &loc, version, rooms).await {
            Ok(l) => Ok(Redirect::to(&format!(
                "/locations/{}?saved#room-{}",
                l.id,
                l.rooms.last().map(|r| r.id).unwrap_or(0)
            ))
            .into_response()),
            Err(StoreError::Invalid(e)) => {
                location_page(&state, &ctx, &id, None, error_lines(ctx.lang.texts(), &e), None).await
            }
            Err(StoreError::Conflict { .. }) => conflict_page(&state, &ctx, &id).await,
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}

struct BedRow {
    id: String,
    label: String,
    off: bool,
    reason: String,
}

#[derive(Template)]
#[template(path = "room_form.html")]
struct RoomFormPage {
    l: Layout,
    location_id: i64,
    address: String,
    room_id: i64,
    room_name: String,
    area: String,
    version: i64,
    beds: Vec<BedRow>,
    errors: Vec<String>,
}

/// Empty rows for new beds under the existing ones.
const NEW_BED_ROWS: usize = 3;

/// A room as its form shows it: stored values, or what was typed.
struct RoomEdit {
    room_id: i64,
    /// The version the form was read at: kept through a failed save, so a stale form stays stale.
    version: i64,
    name: String,
    area: String,
    beds: Vec<BedRow>,
}

fn room_form_page(state: &AppState, ctx: &Ctx, loc: &Location, edit: RoomEdit, errors: Vec<String>) -> Response {
    let RoomEdit { room_id, version, name, area, beds } = edit;
    let mut res = render(&RoomFormPage {
        l: layout(state, ctx, "locations", name.clone(), &format!("/locations/{}/rooms/{room_id}", loc.id)),
        location_id: loc.id,
        address: loc.address.one_line(),
        room_id,
        room_name: name,
        area,
        version,
        beds,
        errors: errors.clone(),
    });
    if !errors.is_empty() {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    res
}

async fn room_form(State(state): State<AppState>, ctx: Ctx, Path((id, room)): Path<(String, String)>) -> Response {
    let result = async {
        let (_, loc) = load_for_edit(&state, &ctx, &id).await?;
        let r = loc.rooms.iter().find(|r| r.id.to_string() == room).ok_or(PageError::NotFound)?;
        let mut beds: Vec<BedRow> = r
            .beds
            .iter()
            .map(|b| BedRow {
                id: b.id.to_string(),
                label: b.label.clone(),
                off: !b.in_service,
                reason: b.out_of_service_reason.clone().unwrap_or_default(),
            })
            .collect();
        beds.extend((0..NEW_BED_ROWS).map(|_| BedRow {
            id: String::new(),
            label: String::new(),
            off: false,
            reason: String::new(),
        }));
        let edit =
            RoomEdit { room_id: r.id, version: loc.version, name: r.name.clone(), area: r.area_m2.to_string(), beds };
        Ok(room_form_page(&state, &ctx, &loc, edit, Vec::new()))
    }
    .await;
    page(&state, &ctx, result)
}

async fn update_room(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, room)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let (scope, loc) = load_for_edit(&state, &ctx, &id).await?;
        let version = form_version(&form)?;
        let index = loc.rooms.iter().position(|r| r.id.to_string() == room).ok_or(PageError::NotFound)?;
        let all = |name: &str| {
            form.0.iter().filter(|(k, _)| k == name).map(|(_, v)| v.trim().to_string()).collect::<Vec<_>>()
        };
        let (ids, labels, offs, reasons) = (all("bed_id"), all("bed_label"), all("bed_off"), all("bed_reason"));
        if labels.len() != ids.len() || offs.len() != ids.len() || reasons.len() != ids.len() {
            return Err(PageError::BadForm);
        }
        let mut rows = Vec::new();
        let mut beds = Vec::new();
        for i in 0..ids.len() {
            rows.push(BedRow {
                id: ids[i].clone(),
                label: labels[i].clone(),
                off: offs[i] == "off",
                reason: reasons[i].clone(),
            });
            if labels[i].is_empty() {
                continue; // a bed left without a label is removed (or not created)
            }
            beds.push(BedInput {
                id: ids[i].parse().ok(),
                label: labels[i].clone(),
                in_service: offs[i] != "off",
                out_of_service_reason: Some(reasons[i].clone()).filter(|r| !r.is_empty() && offs[i] == "off"),
            });
        }
        let mut rooms = forms::rooms_as_input(&loc);
        rooms[index].name = form.get("name").to_string();
        rooms[index].area_m2 = form.get("area_m2").trim().replace(',', ".").parse().unwrap_or(f64::NAN);
        rooms[index].beds = beds;
        match save_rooms(&state, &ctx, &scope, &loc, version, rooms).await {
            Ok(l) => Ok(Redirect::to(&format!("/locations/{}?saved#room-{room}", l.id)).into_response()),
            Err(StoreError::Invalid(e)) => {
                let edit = RoomEdit {
                    room_id: loc.rooms[index].id,
                    version,
                    name: form.get("name").to_string(),
                    area: form.get("area_m2").to_string(),
                    beds: rows,
                };
                Ok(room_form_page(&state, &ctx, &loc, edit, error_lines(ctx.lang.texts(), &e)))
            }
            Err(StoreError::Conflict { .. }) => conflict_page(&state, &ctx, &id).await,
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}

async fn delete_room(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, room)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let (scope, loc) = load_for_edit(&state, &ctx, &id).await?;
        let version = form_version(&form)?;
        let mut rooms = forms::rooms_as_input(&loc);
        let before = rooms.len();
        rooms.retain(|r| r.id.map(|i| i.to_string()) != Some(room.clone()));
        if rooms.len() == before {
            return Err(PageError::NotFound);
        }
        match save_rooms(&state, &ctx, &scope, &loc, version, rooms).await {
            Ok(l) => Ok(Redirect::to(&format!("/locations/{}?saved", l.id)).into_response()),
            Err(StoreError::Conflict { .. }) => conflict_page(&state, &ctx, &id).await,
            Err(e) => Err(e.into()),
        }
    }
    .await;
    page(&state, &ctx, result)
}
