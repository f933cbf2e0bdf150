//! The national declaration, regional agreements, parties and projects on the web (issue 5).
//!
//! The declaration, the agreements (every version, with its warnings) and the parties are
//! public: they are what was promised in public. Projects follow the viewer's scope
//! (`Viewer::can_read_project`). Administrators and a region's coordinator enter and revise
//! its agreement; administrators, the municipality, the region's coordinator and the party
//! itself (a housing provider) record a project and its stages.
//!
//! Pages: `/afspraken`, `/afspraken/{id}`, `/projecten/{id}` (with the stage and location
//! forms). API: `/api/v1/declaration`, `/api/v1/parties`, `/api/v1/agreements`,
//! `/api/v1/projects` and their sub-resources.

use crate::api::{JsonBody, location_id as path_id, require_token};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::i18n::Texts;
use crate::occupancy_views::number;
use crate::pages::{Layout, PageError, PageResult, error_lines, layout, page, posted_form, render};
use crate::{AppState, today};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use flexwonen_core::FieldErrors;
use flexwonen_core::agreements::{
    Agreement, AgreementInput, PartyInput, PlacesInput, Project, ProjectDraft, ProjectInput, ProjectLocationsInput,
    StageInput,
};
use flexwonen_store::StoreError;
use serde_json::{Value, json};
use std::collections::HashMap;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/afspraken", get(agreements_page))
        .route("/afspraken/{id}", get(agreement_page))
        .route("/afspraken/{id}/projecten", post(new_project_form))
        .route("/projecten/{id}", get(project_page))
        .route("/projecten/{id}/fase", post(stage_form))
        .route("/projecten/{id}/locaties", post(locations_form))
}

pub fn api_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/declaration", get(declaration_api))
        .route("/parties", get(parties_api).post(create_party_api))
        .route("/agreements", get(agreements_api).post(create_agreement_api))
        .route("/agreements/{id}", get(agreement_api))
        .route("/agreements/{id}/versions", post(revise_agreement_api))
        .route("/projects", get(projects_api).post(create_project_api))
        .route("/projects/{id}", get(project_api))
        .route("/projects/{id}/stages", post(stage_api))
        .route("/projects/{id}/locations", axum::routing::put(locations_api))
}

/// A change through the API: a signed-in account with a bearer token.
fn api_writer(ctx: &Ctx) -> Result<(), ApiError> {
    if ctx.viewer.principal().is_none() {
        return Err(ApiError::unauthorized());
    }
    require_token(ctx)
}

/// The organisation behind each party, for the provider's own projects.
pub(crate) async fn party_organisations(state: &AppState) -> Result<HashMap<i64, Option<i64>>, StoreError> {
    Ok(state.store.parties().await?.into_iter().map(|p| (p.id, p.organisation_id)).collect())
}

fn readable(ctx: &Ctx, p: &Project, organisations: &HashMap<i64, Option<i64>>) -> bool {
    ctx.viewer.can_read_project(&p.municipality_code, organisations.get(&p.party_id).copied().flatten())
}

fn writable(ctx: &Ctx, p: &Project, organisations: &HashMap<i64, Option<i64>>) -> bool {
    ctx.viewer.can_write_project(&p.municipality_code, organisations.get(&p.party_id).copied().flatten())
}

/// Projects are detail: the public signs in; the ministry sees the aggregate monitor only.
fn project_reader(ctx: &Ctx) -> Result<(), ApiError> {
    match ctx.viewer.monitor_detail_scope() {
        flexwonen_core::access::LocationScope::Nothing if ctx.viewer.principal().is_none() => {
            Err(ApiError::unauthorized())
        }
        flexwonen_core::access::LocationScope::Nothing => {
            Err(ApiError::forbidden("your role sees the aggregate monitor only (/api/v1/monitor)"))
        }
        _ => Ok(()),
    }
}

// ------------------------------------------------------------------------------- API

async fn declaration_api(State(state): State<AppState>) -> Result<Response, ApiError> {
    let d = state.store.declaration().await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(d).into_response())
}

async fn parties_api(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(Json(json!({"items": state.store.parties().await?})).into_response())
}

async fn create_party_api(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<PartyInput>,
) -> Result<Response, ApiError> {
    api_writer(&ctx)?;
    if !ctx.viewer.can_create_parties() {
        return Err(ApiError::forbidden("administrators and regional coordinators add parties"));
    }
    let draft = input.validate().map_err(ApiError::invalid)?;
    let party = state.store.create_party(&ctx.actor(), &draft).await?;
    Ok((StatusCode::CREATED, Json(party)).into_response())
}

async fn agreements_api(State(state): State<AppState>) -> Result<Response, ApiError> {
    Ok(Json(json!({"items": state.store.agreements().await?})).into_response())
}

async fn agreement_api(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    Ok(Json(state.store.agreement(path_id(&id)?).await?).into_response())
}

fn agreement_writer(ctx: &Ctx, region_id: i64) -> Result<(), ApiError> {
    api_writer(ctx)?;
    if !ctx.viewer.can_write_agreement(region_id) {
        return Err(ApiError::forbidden("administrators and the region's coordinator enter its agreement"));
    }
    Ok(())
}

fn created(a: &Agreement) -> Response {
    (StatusCode::CREATED, [(axum::http::header::LOCATION, format!("/api/v1/agreements/{}", a.id))], Json(a))
        .into_response()
}

async fn create_agreement_api(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<AgreementInput>,
) -> Result<Response, ApiError> {
    agreement_writer(&ctx, input.region_id)?;
    let terms = input.validate(true, today()).map_err(ApiError::invalid)?;
    let a = state.store.create_agreement(&ctx.actor(), input.region_id, &terms).await?;
    Ok(created(&a))
}

async fn revise_agreement_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<AgreementInput>,
) -> Result<Response, ApiError> {
    let id = path_id(&id)?;
    let current = state.store.agreement(id).await?;
    agreement_writer(&ctx, current.region_id)?;
    let terms = input.validate(false, today()).map_err(ApiError::invalid)?;
    let a = state.store.revise_agreement(&ctx.actor(), id, input.region_id, &terms).await?;
    Ok(created(&a))
}

async fn projects_api(State(state): State<AppState>, ctx: Ctx) -> Result<Response, ApiError> {
    project_reader(&ctx)?;
    let organisations = party_organisations(&state).await?;
    let items: Vec<Project> =
        state.store.projects().await?.into_iter().filter(|p| readable(&ctx, p, &organisations)).collect();
    Ok(Json(json!({"items": items, "total": items.len()})).into_response())
}

async fn readable_project(state: &AppState, ctx: &Ctx, id: &str) -> Result<(Project, bool), ApiError> {
    project_reader(ctx)?;
    let project = state.store.project(path_id(id)?).await?;
    let organisations = party_organisations(state).await?;
    if !readable(ctx, &project, &organisations) {
        return Err(ApiError::not_found());
    }
    let may_write = writable(ctx, &project, &organisations);
    Ok((project, may_write))
}

async fn project_api(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, ApiError> {
    let (project, _) = readable_project(&state, &ctx, &id).await?;
    Ok(Json(project).into_response())
}

/// A new project's municipality and party must exist (a field error) before it is asked
/// whether the viewer may record a project for them; then the party's organisation.
async fn project_party(state: &AppState, draft: &ProjectDraft) -> Result<Result<Option<i64>, FieldErrors>, StoreError> {
    match state.store.municipality(&draft.municipality).await {
        Err(StoreError::NotFound) => {
            let m = draft.municipality.as_str();
            return Ok(Err(FieldErrors::single(
                "municipality_code",
                "unknown_municipality",
                format!("{m} is not a municipality"),
            )));
        }
        Err(e) => return Err(e),
        Ok(_) => {}
    }
    match party_organisations(state).await?.get(&draft.party_id) {
        Some(organisation) => Ok(Ok(*organisation)),
        None => {
            Ok(Err(FieldErrors::single("party_id", "unknown_party", format!("there is no party {}", draft.party_id))))
        }
    }
}

async fn create_project_api(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<ProjectInput>,
) -> Result<Response, ApiError> {
    api_writer(&ctx)?;
    let draft = input.validate(today()).map_err(ApiError::invalid)?;
    let organisation = project_party(&state, &draft).await?.map_err(ApiError::invalid)?;
    if !ctx.viewer.can_write_project(draft.municipality.as_str(), organisation) {
        return Err(ApiError::forbidden("you may not record projects for this municipality or party"));
    }
    let p = state.store.create_project(&ctx.actor(), &ctx.viewer.location_read_scope(), &draft).await?;
    Ok((StatusCode::CREATED, [(axum::http::header::LOCATION, format!("/api/v1/projects/{}", p.id))], Json(p))
        .into_response())
}

async fn writable_project(state: &AppState, ctx: &Ctx, id: &str) -> Result<Project, ApiError> {
    api_writer(ctx)?;
    let (project, may_write) = readable_project(state, ctx, id).await?;
    if !may_write {
        return Err(ApiError::forbidden("you may read this project, not change it"));
    }
    Ok(project)
}

async fn stage_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<StageInput>,
) -> Result<Response, ApiError> {
    let project = writable_project(&state, &ctx, &id).await?;
    let p = state.store.add_project_stage(&ctx.actor(), project.id, &input, today()).await?;
    Ok(Json(p).into_response())
}

async fn locations_api(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    JsonBody(input): JsonBody<ProjectLocationsInput>,
) -> Result<Response, ApiError> {
    let project = writable_project(&state, &ctx, &id).await?;
    let ids = input.validate().map_err(ApiError::invalid)?;
    let p = state
        .store
        .set_project_locations(&ctx.actor(), &ctx.viewer.location_read_scope(), project.id, input.version, &ids)
        .await?;
    Ok(Json(p).into_response())
}

/// The routes of this module in the OpenAPI document.
pub fn openapi_paths() -> Vec<(&'static str, Value)> {
    let error = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let ok = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"type": "object"}}}});
    let body = |fields: &str| json!({"required": true, "content": {"application/json": {"schema": {"type": "object", "description": fields}}}});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}});
    let write_errors = |extra: &str| {
        json!({"401": error("not signed in"), "403": error(&format!("a browser session, or {extra}")),
            "404": error("unknown id"), "422": error("invalid input: every field with its code and reason")})
    };
    let with = |mut responses: Value, code: &str, v: Value| {
        responses[code] = v;
        responses
    };
    let agreement_fields = "region_id, title, applies_from (YYYY-MM-DD; a revision: today by default), period_start, period_end, \
        task [{stay_type: short|mid|long, places}], signatories [{party_id, role: coordinator|municipality|housing_provider|employer|supporter}], \
        municipality_split [{municipality_code, places}], party_split [{party_id, places}], pace [{date, places (cumulative)}], source, synthetic";
    vec![
        (
            "/declaration",
            json!({"get": {"summary": "The national declaration of 2012: date, summary, source, and each party's commitment (public)",
            "responses": {"200": ok("the declaration"), "404": error("not loaded")}}}),
        ),
        (
            "/parties",
            json!({
            "get": {"summary": "Every party to agreements and projects (public)", "responses": {"200": ok("{items}")}},
            "post": {"summary": "Adds a party (administrators, regional coordinators)", "security": [{"bearer": []}],
                "requestBody": body("name, kind (municipality|province|ministry|housing_corporation|employer|temp_agency|sector_body|union|other), municipality_code (a municipality's), organisation_id"),
                "responses": with(write_errors("not an administrator or coordinator"), "201", ok("the party"))}}),
        ),
        (
            "/agreements",
            json!({
            "get": {"summary": "Every regional agreement with all its versions and their warnings (public)", "responses": {"200": ok("{items}")}},
            "post": {"summary": "A new regional agreement (administrators, the region's coordinator); a split short of the task is saved with a warning", "security": [{"bearer": []}],
                "requestBody": body(agreement_fields),
                "responses": with(write_errors("not allowed for this region"), "201", ok("the agreement with its first version"))}}),
        ),
        (
            "/agreements/{id}",
            json!({"get": {"summary": "One agreement with all its versions (public)", "parameters": [id.clone()],
            "responses": {"200": ok("the agreement"), "404": error("unknown agreement")}}}),
        ),
        (
            "/agreements/{id}/versions",
            json!({"post": {"summary": "A revision: a new version that applies from a later date than the current one; versions are never changed", "security": [{"bearer": []}],
            "parameters": [id.clone()], "requestBody": body(agreement_fields),
            "responses": with(write_errors("not allowed for this region"), "201", ok("the agreement with the new version"))}}),
        ),
        (
            "/projects",
            json!({
            "get": {"summary": "The projects within your scope", "security": [{"bearer": []}],
                "responses": {"200": ok("{items, total}"), "401": error("not signed in"), "403": error("aggregates only for your role")}},
            "post": {"summary": "A new project with its first stage (administrators, the municipality, the region's coordinator, the party itself)", "security": [{"bearer": []}],
                "requestBody": body("name, municipality_code, party_id, agreement_id, planned [{stay_type, places}], stage, stage_date, location_ids, synthetic"),
                "responses": with(write_errors("not allowed for this municipality or party"), "201", ok("the project"))}}),
        ),
        (
            "/projects/{id}",
            json!({"get": {"summary": "One project within your scope", "security": [{"bearer": []}], "parameters": [id.clone()],
            "responses": {"200": ok("the project"), "401": error("not signed in"), "403": error("aggregates only for your role"), "404": error("unknown or outside your scope")}}}),
        ),
        (
            "/projects/{id}/stages",
            json!({"post": {"summary": "Records the next stage reached: later in the order (or cancelled), not before the previous stage's date, not in the future", "security": [{"bearer": []}],
            "parameters": [id.clone()], "requestBody": body("stage, date, version"),
            "responses": with(with(write_errors("you may only read this project"), "200", ok("the project")), "409", error("the project changed since you read it"))}}),
        ),
        (
            "/projects/{id}/locations",
            json!({"put": {"summary": "The register locations the project delivered (in its municipality, of no other project); their certified beds count as realised", "security": [{"bearer": []}],
            "parameters": [id], "requestBody": body("location_ids, version"),
            "responses": with(with(write_errors("you may only read this project"), "200", ok("the project")), "409", error("the project changed since you read it"))}}),
        ),
    ]
}

// ------------------------------------------------------------------------------- pages

struct CommitmentRow {
    party: String,
    kind: &'static str,
    commitment: String,
}

struct AgreementRow {
    href: String,
    title: String,
    region: String,
    version: i64,
    period: String,
    task: String,
    synthetic: bool,
}

#[derive(Template)]
#[template(path = "agreements.html")]
struct AgreementsPage {
    l: Layout,
    declaration: Option<(String, String, String, String)>,
    commitments: Vec<CommitmentRow>,
    agreements: Vec<AgreementRow>,
}

async fn region_names(state: &AppState) -> Result<HashMap<i64, String>, StoreError> {
    Ok(state.store.regions(None).await?.into_iter().map(|r| (r.id, r.name)).collect())
}

async fn agreements_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    let result: PageResult = async {
        let tr = ctx.lang.texts();
        let declaration = state.store.declaration().await?;
        let regions = region_names(&state).await?;
        let agreements = state
            .store
            .agreements()
            .await?
            .iter()
            .filter_map(|a| {
                let v = a.latest()?;
                Some(AgreementRow {
                    href: format!("/afspraken/{}", a.id),
                    title: v.terms.title.clone(),
                    region: regions.get(&a.region_id).cloned().unwrap_or_default(),
                    version: v.version,
                    period: format!("{} – {}", v.terms.period_start, v.terms.period_end),
                    task: number(tr, v.terms.total_task()),
                    synthetic: v.terms.synthetic,
                })
            })
            .collect();
        let commitments = declaration
            .iter()
            .flat_map(|d| &d.commitments)
            .map(|c| CommitmentRow {
                party: c.party.name.clone(),
                kind: tr.party_kind(c.party.kind),
                commitment: c.commitment.clone(),
            })
            .collect();
        let page = AgreementsPage {
            l: layout(&state, &ctx, "monitor", tr.agr_title, "/afspraken"),
            declaration: declaration.map(|d| (d.title, d.signed_on.to_string(), d.summary, d.source)),
            commitments,
            agreements,
        };
        Ok(render(&page))
    }
    .await;
    page(&state, &ctx, result)
}

struct Line {
    name: String,
    value: String,
}

struct VersionView {
    version: i64,
    title: String,
    applies_from: String,
    period: String,
    /// Task, signatories, the two splits and the pace, each with its caption.
    tables: Vec<(&'static str, Vec<Line>)>,
    warnings: Vec<String>,
    source: String,
    synthetic: bool,
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct AgreementPage {
    l: Layout,
    id: i64,
    new_project: Option<NewProject>,
    heading: String,
    monitor_href: String,
    versions: Vec<VersionView>,
}

/// The new-project form of an agreement: the municipalities of its split and its signatories
/// to choose from, with what was typed and what was wrong.
struct NewProject {
    municipalities: Vec<(String, String)>,
    parties: Vec<(i64, String)>,
    stages: Vec<StageOption>,
    values: crate::forms::FormData,
    errors: Vec<String>,
}

/// May the viewer record a project under this agreement: for one of its municipalities, or
/// (a housing provider) for a signatory that is its organisation.
fn may_add_project(ctx: &Ctx, a: &Agreement, organisations: &HashMap<i64, Option<i64>>) -> bool {
    let Some(v) = a.latest() else { return false };
    v.terms.municipality_split.iter().any(|m| {
        v.terms.signatories.iter().any(|s| {
            ctx.viewer.can_write_project(&m.municipality_code, organisations.get(&s.party_id).copied().flatten())
        })
    })
}

async fn agreement_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let result = agreement_view(&state, &ctx, &id, crate::forms::FormData(Vec::new()), Vec::new()).await;
    page(&state, &ctx, result)
}

async fn agreement_view(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    values: crate::forms::FormData,
    errors: Vec<String>,
) -> PageResult {
    {
        let tr = ctx.lang.texts();
        let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
        let a = state.store.agreement(id).await?;
        let region = state.store.region(a.region_id).await?.name;
        let all_parties = state.store.parties().await?;
        let organisations: HashMap<i64, Option<i64>> = all_parties.iter().map(|p| (p.id, p.organisation_id)).collect();
        let parties: HashMap<i64, String> = all_parties.into_iter().map(|p| (p.id, p.name)).collect();
        let municipalities: HashMap<String, String> =
            state.store.municipalities().await?.into_iter().map(|m| (m.code, m.name)).collect();
        let party = |id: i64| parties.get(&id).cloned().unwrap_or_else(|| format!("#{id}"));
        let versions = a
            .versions
            .iter()
            .rev()
            .map(|v| {
                let t = &v.terms;
                VersionView {
                    version: v.version,
                    title: t.title.clone(),
                    applies_from: t.applies_from.to_string(),
                    period: format!("{} – {}", t.period_start, t.period_end),
                    tables: vec![
                        (
                            tr.agr_task_by_type,
                            t.task
                                .iter()
                                .map(|p| Line {
                                    name: tr.stay_type(p.stay_type).to_string(),
                                    value: number(tr, p.places),
                                })
                                .collect(),
                        ),
                        (
                            tr.agr_signatories,
                            t.signatories
                                .iter()
                                .map(|s| Line { name: party(s.party_id), value: tr.signatory_role(s.role).to_string() })
                                .collect(),
                        ),
                        (
                            tr.agr_split_municipalities,
                            t.municipality_split
                                .iter()
                                .map(|s| Line {
                                    name: municipalities
                                        .get(&s.municipality_code)
                                        .cloned()
                                        .unwrap_or_else(|| s.municipality_code.clone()),
                                    value: number(tr, s.places),
                                })
                                .collect(),
                        ),
                        (
                            tr.agr_split_parties,
                            t.party_split
                                .iter()
                                .map(|s| Line { name: party(s.party_id), value: number(tr, s.places) })
                                .collect(),
                        ),
                        (
                            tr.agr_pace,
                            t.pace
                                .iter()
                                .map(|m| Line { name: m.date.to_string(), value: number(tr, m.places) })
                                .collect(),
                        ),
                    ],
                    warnings: v.warnings.iter().map(|w| warning_text(tr, w, t.total_task())).collect(),
                    source: t.source.clone(),
                    synthetic: t.synthetic,
                }
            })
            .collect();
        let new_project = a.latest().filter(|_| may_add_project(ctx, &a, &organisations)).map(|v| NewProject {
            municipalities: v
                .terms
                .municipality_split
                .iter()
                .map(|m| {
                    let name = municipalities.get(&m.municipality_code).cloned().unwrap_or_default();
                    (m.municipality_code.clone(), name)
                })
                .collect(),
            parties: v.terms.signatories.iter().map(|s| (s.party_id, party(s.party_id))).collect(),
            stages: flexwonen_core::agreements::Stage::PIPELINE
                .iter()
                .map(|s| StageOption { value: s.as_str(), name: tr.stage(*s) })
                .collect(),
            values,
            errors,
        });
        let heading = format!("{}: {region}", tr.mon_agreement);
        let page = AgreementPage {
            l: layout(state, ctx, "monitor", heading.clone(), &format!("/afspraken/{id}")),
            id,
            new_project,
            heading,
            monitor_href: format!("/monitor?level=region&id={}", a.region_id),
            versions,
        };
        let status = if page.new_project.as_ref().is_some_and(|f| !f.errors.is_empty()) {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::OK
        };
        Ok((status, render(&page)).into_response())
    }
}

/// `POST /afspraken/{id}/projecten`: a new project under the agreement, from the form.
async fn new_project_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let agreement_id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
        let places: i64 = match form.get("places").trim().parse() {
            Ok(n) => n,
            Err(_) => {
                let e = FieldErrors::single("planned[0].places", "not_a_number", "give a whole number of places");
                return agreement_view(&state, &ctx, &id, form.clone(), error_lines(ctx.lang.texts(), &e)).await;
            }
        };
        let input = ProjectInput {
            name: form.get("name").to_string(),
            municipality_code: form.get("municipality_code").to_string(),
            party_id: form.get("party_id").trim().parse().unwrap_or(0),
            agreement_id: Some(agreement_id),
            planned: vec![PlacesInput { stay_type: form.get("stay_type").to_string(), places }],
            stage: form.get("stage").to_string(),
            stage_date: form.get("stage_date").to_string(),
            location_ids: Vec::new(),
            synthetic: false,
        };
        let errors = match input.validate(today()) {
            Err(e) => e,
            Ok(draft) => match project_party(&state, &draft).await? {
                Err(e) => e,
                Ok(organisation) => {
                    if !ctx.viewer.can_write_project(draft.municipality.as_str(), organisation) {
                        return Err(PageError::Forbidden);
                    }
                    match state.store.create_project(&ctx.actor(), &ctx.viewer.location_read_scope(), &draft).await {
                        Ok(p) => return Ok(Redirect::to(&format!("/projecten/{}", p.id)).into_response()),
                        Err(StoreError::Invalid(e)) => e,
                        Err(e) => return Err(e.into()),
                    }
                }
            },
        };
        agreement_view(&state, &ctx, &id, form.clone(), error_lines(ctx.lang.texts(), &errors)).await
    }
    .await;
    page(&state, &ctx, result)
}

fn warning_text(tr: &Texts, w: &flexwonen_core::agreements::Warning, total: i64) -> String {
    if !crate::occupancy_views::is_nl(tr) {
        return w.message.clone();
    }
    let (left, total) = (number(tr, w.places), number(tr, total));
    match w.field.as_str() {
        "municipality_split" => format!("{left} van de {total} plaatsen zijn niet over gemeenten verdeeld."),
        "party_split" => format!("{left} van de {total} plaatsen zijn door geen partij toegezegd."),
        _ => w.message.clone(),
    }
}

struct LocationLine {
    id: i64,
    address: String,
    beds: String,
}

struct StageRow {
    stage: &'static str,
    date: String,
}

struct StageOption {
    value: &'static str,
    name: &'static str,
}

#[derive(Template)]
#[template(path = "project.html")]
struct ProjectPage {
    l: Layout,
    id: i64,
    heading: String,
    municipality: String,
    party: String,
    /// The agreement's address and title.
    agreement: Option<(String, String)>,
    planned: Vec<Line>,
    stages: Vec<StageRow>,
    locations: Vec<LocationLine>,
    location_ids: String,
    version: i64,
    may_write: bool,
    stage_options: Vec<StageOption>,
    errors: Vec<String>,
    synthetic: bool,
}

async fn project_view(state: &AppState, ctx: &Ctx, id: &str, errors: Vec<String>) -> Result<Response, PageError> {
    let tr = ctx.lang.texts();
    let (p, may_write) = readable_project(state, ctx, id).await.map_err(crate::occupancy_views::page_error)?;
    let party =
        state.store.parties().await?.into_iter().find(|x| x.id == p.party_id).map_or_else(String::new, |x| x.name);
    let municipality =
        flexwonen_core::ids::MunicipalityCode::parse(&p.municipality_code).map_err(|_| PageError::Internal)?;
    let municipality = state.store.municipality(&municipality).await?.name;
    let mut locations = Vec::new();
    // The delivered locations the viewer may read (a provider: its own).
    let scope = ctx.viewer.location_read_scope();
    for lid in &p.location_ids {
        match state.store.location(&scope, *lid).await {
            Ok(l) => locations.push(LocationLine {
                id: *lid,
                address: l.address.one_line(),
                beds: number(tr, l.beds_in_service),
            }),
            Err(StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let agreement = match p.agreement_id {
        Some(a) => {
            let title = state.store.agreement(a).await?.latest().map(|v| v.terms.title.clone()).unwrap_or_default();
            Some((format!("/afspraken/{a}"), title))
        }
        None => None,
    };
    let heading = format!("{}: {}", tr.mon_project, p.name);
    let page = ProjectPage {
        l: layout(state, ctx, "monitor", heading.clone(), &format!("/projecten/{}", p.id)),
        id: p.id,
        heading,
        municipality,
        party,
        agreement,
        planned: p
            .planned
            .iter()
            .map(|x| Line { name: tr.stay_type(x.stay_type).to_string(), value: number(tr, x.places) })
            .collect(),
        stages: p.stages.iter().map(|s| StageRow { stage: tr.stage(s.stage), date: s.date.to_string() }).collect(),
        location_ids: p.location_ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", "),
        locations,
        version: p.version,
        may_write,
        stage_options: flexwonen_core::agreements::Stage::ALL
            .iter()
            .map(|s| StageOption { value: s.as_str(), name: tr.stage(*s) })
            .collect(),
        errors,
        synthetic: p.synthetic,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(&page)).into_response())
}

async fn project_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let result = project_view(&state, &ctx, &id, Vec::new()).await;
    page(&state, &ctx, result)
}

/// A form change: the result of the store, or the errors shown on the project page.
async fn after_form(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    outcome: Result<Project, StoreError>,
) -> Result<Response, PageError> {
    match outcome {
        Ok(p) => Ok(Redirect::to(&format!("/projecten/{}", p.id)).into_response()),
        Err(StoreError::Invalid(e)) => project_view(state, ctx, id, error_lines(ctx.lang.texts(), &e)).await,
        Err(StoreError::Conflict { .. }) => {
            project_view(state, ctx, id, vec![ctx.lang.texts().agr_conflict.to_string()]).await
        }
        Err(e) => Err(e.into()),
    }
}

async fn form_project(state: &AppState, ctx: &Ctx, id: &str) -> Result<Project, PageError> {
    let (p, may_write) = readable_project(state, ctx, id).await.map_err(crate::occupancy_views::page_error)?;
    if !may_write {
        return Err(PageError::Forbidden);
    }
    Ok(p)
}

async fn stage_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let p = form_project(&state, &ctx, &id).await?;
        let input = StageInput {
            stage: form.get("stage").to_string(),
            date: form.get("date").to_string(),
            version: form.get("version").trim().parse().map_err(|_| PageError::BadForm)?,
        };
        let outcome = state.store.add_project_stage(&ctx.actor(), p.id, &input, today()).await;
        after_form(&state, &ctx, &id, outcome).await
    }
    .await;
    page(&state, &ctx, result)
}

async fn locations_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = posted_form(&ctx, &body)?;
        let p = form_project(&state, &ctx, &id).await?;
        let version: i64 = form.get("version").trim().parse().map_err(|_| PageError::BadForm)?;
        let mut ids = Vec::new();
        let mut bad = Vec::new();
        for token in form.get("location_ids").split(|c: char| c == ',' || c.is_whitespace()).filter(|t| !t.is_empty()) {
            match token.parse::<i64>() {
                Ok(n) => ids.push(n),
                Err(_) => bad.push(format!("location_ids: '{token}' {}", ctx.lang.texts().agr_not_a_number)),
            }
        }
        if !bad.is_empty() {
            return project_view(&state, &ctx, &id, bad).await;
        }
        let input = ProjectLocationsInput { location_ids: ids, version };
        let outcome = match input.validate() {
            Ok(ids) => {
                state
                    .store
                    .set_project_locations(&ctx.actor(), &ctx.viewer.location_read_scope(), p.id, version, &ids)
                    .await
            }
            Err(e) => Err(StoreError::Invalid(e)),
        };
        after_form(&state, &ctx, &id, outcome).await
    }
    .await;
    page(&state, &ctx, result)
}
