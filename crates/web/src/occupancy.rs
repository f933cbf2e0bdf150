//! Occupancy on the web: the push API for providers' systems (a batch of events, JSON or
//! CSV, a result per event), stays and their corrections, and the bed board of a location
//! (API and page, where a provider checks people in and out and moves them).
//!
//! The invariants live in the store's transaction; this module only parses, asks
//! `flexwonen_core::access` and renders. Worker data (pseudonymous) reaches only the roles
//! `can_read_workers` names, and every such read is logged by the store.

use crate::api::{JsonBody, expected_version, from_json, location_id, read_scope, require_token, version_required};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::forms::FormData;
use crate::norms::date_param;
use crate::pages::{Layout, PageError, csrf_checked, error_lines, layout, page, posted_form, render};
use crate::{AppState, today};
use askama::Template;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::NaiveDate;
use flexwonen_core::FieldErrors;
use flexwonen_core::access::LocationScope;
use flexwonen_core::occupancy::BedState;
use flexwonen_core::occupancy_events::{EventInput, TermsInput, WorkerInput, parse_events_csv};
use flexwonen_store::{Applied, BedBoard, EventContext, Location, StayCorrection, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The most events one batch may carry (a bigger push is split by the sender).
pub const MAX_EVENTS: usize = 1_000;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/locations/{id}/beds", get(board_page).post(board_post))
        .route("/bezetting/upload", get(upload_page).post(upload_post))
}

pub fn api_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/occupancy/events", axum::routing::post(api_events))
        .route("/locations/{id}/beds", get(api_board))
        .route("/stays/{id}", get(api_stay).put(api_correct))
        .route("/occupancy/reads", get(api_reads))
}

/// An event as received: its CSV line (uploads), its id if readable, and the event or why
/// it could not be read.
type Received = (Option<u64>, Option<String>, Result<EventInput, FieldErrors>);

/// The result of one event in a batch.
#[derive(Serialize)]
struct EventResult {
    /// The sender's event id, when the event had a readable one.
    id: Option<String>,
    /// The line of a CSV upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u64>,
    #[serde(flatten)]
    outcome: Outcome,
}

#[derive(Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
enum Outcome {
    Applied {
        stay_id: i64,
    },
    Duplicate {
        stay_id: Option<i64>,
    },
    Rejected {
        errors: FieldErrors,
    },
    /// The server could not apply it (a database failure, logged); nothing of it changed and
    /// it may be sent again.
    Failed {
        message: &'static str,
    },
}

#[derive(Serialize)]
struct BatchResult {
    applied: usize,
    duplicates: usize,
    rejected: usize,
    failed: usize,
    results: Vec<EventResult>,
}

/// Who sends, and where they may write.
fn sender_scope(ctx: &Ctx) -> Result<(String, LocationScope), ApiError> {
    let sender = ctx.viewer.event_sender().ok_or_else(ApiError::unauthorized)?;
    match ctx.viewer.occupancy_write_scope() {
        LocationScope::Nothing => Err(ApiError::forbidden("your role may not record stays")),
        scope => Ok((sender, scope)),
    }
}

/// Applies the events in order, each in its own transaction: a refused event changes
/// nothing, the others go through; each gets its own result, even a failed one, so a sender
/// always learns which events were applied.
async fn apply_all(
    state: &AppState,
    ctx: &Ctx,
    sender: &str,
    scope: &LocationScope,
    events: Vec<Received>,
) -> BatchResult {
    let actor = ctx.actor();
    let event_ctx = EventContext {
        actor: &actor,
        scope,
        sender,
        bsn_key: state.config.bsn_key.as_deref(),
        today: today(),
        generation: ctx.generation,
    };
    let mut out =
        BatchResult { applied: 0, duplicates: 0, rejected: 0, failed: 0, results: Vec::with_capacity(events.len()) };
    for (line, id, input) in events {
        let outcome = match input.and_then(|i| i.validate()) {
            Err(errors) => Outcome::Rejected { errors },
            Ok(draft) => match state.store.apply_event(&event_ctx, &draft).await {
                Ok(Applied::Applied { stay_id }) => Outcome::Applied { stay_id },
                Ok(Applied::Duplicate { stay_id }) => Outcome::Duplicate { stay_id },
                Err(StoreError::Invalid(errors)) => Outcome::Rejected { errors },
                Err(e) => {
                    tracing::error!(error = %e, "occupancy event failed");
                    Outcome::Failed { message: "the server could not apply this event; send it again" }
                }
            },
        };
        match outcome {
            Outcome::Applied { .. } => out.applied += 1,
            Outcome::Duplicate { .. } => out.duplicates += 1,
            Outcome::Rejected { .. } => out.rejected += 1,
            Outcome::Failed { .. } => out.failed += 1,
        }
        out.results.push(EventResult { id, line, outcome });
    }
    out
}

/// `POST /api/v1/occupancy/events`: `{"events": [...]}` as JSON, or the event CSV format
/// (`text/csv`, UTF-8). Answers 200 with a result per event, whatever each result is.
async fn api_events(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let (sender, scope) = sender_scope(&ctx)?;
    let mime = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let events = match mime.as_str() {
        "application/json" => json_events(&body)?,
        "text/csv" => match parse_events_csv(&body) {
            Ok(lines) => lines
                .into_iter()
                .map(|(line, input)| {
                    let id = input.as_ref().ok().map(|i| i.id.clone());
                    (Some(line), id, input)
                })
                .collect(),
            Err(e) => {
                let mut errors = FieldErrors::new();
                for f in e.errors.0 {
                    errors.add(format!("line {}: {}", e.line, f.field), f.code, f.message);
                }
                return Err(ApiError::invalid(errors));
            }
        },
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("send the events as application/json or text/csv, not '{other}'"),
            ));
        }
    };
    if events.len() > MAX_EVENTS {
        return Err(ApiError::invalid(FieldErrors::single(
            "events",
            "too_many_events",
            format!("{} events; send at most {MAX_EVENTS} per batch", events.len()),
        )));
    }
    Ok(Json(apply_all(&state, &ctx, &sender, &scope, events).await).into_response())
}

/// The batch's events, each parsed on its own so one malformed event is that event's
/// rejection, not the batch's.
fn json_events(body: &[u8]) -> Result<Vec<Received>, ApiError> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Batch {
        events: Vec<serde_json::Value>,
    }
    let batch: Batch = crate::api::parse_json(body)?;
    Ok(batch
        .events
        .into_iter()
        .map(|value| {
            let id = value.get("id").and_then(|v| v.as_str()).map(str::to_string);
            let input = from_json::<EventInput, _>(value).map_err(|e| e.fields);
            (None, id, input)
        })
        .collect())
}

/// `GET /api/v1/occupancy/reads[?limit=]`: who read worker data, when, and what; newest
/// first (administrators).
async fn api_reads(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    if ctx.viewer.principal().is_none() {
        return Err(ApiError::unauthorized());
    }
    if !ctx.viewer.is_admin() {
        return Err(ApiError::forbidden("only administrators read the log of reads"));
    }
    let limit = match q.get("limit").map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => 100,
        Some(s) => s.parse::<i64>().ok().filter(|n| (1..=1000).contains(n)).ok_or_else(|| ApiError {
            status: StatusCode::BAD_REQUEST,
            ..ApiError::invalid(FieldErrors::single("limit", "invalid_paging", "a whole number from 1 to 1000"))
        })?,
    };
    let reads = state.store.worker_reads(limit).await?;
    Ok(Json(serde_json::json!({ "items": reads })).into_response())
}

/// `GET /api/v1/stays/{id}` (logged as a read of worker data).
async fn api_stay(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, ApiError> {
    let scope = worker_scope(&ctx)?;
    let stay = state.store.stay(&ctx.actor(), &scope, location_id(&id)?).await?;
    let etag = format!("\"{}\"", stay.version);
    Ok(([(header::ETAG, etag)], Json(stay)).into_response())
}

fn worker_scope(ctx: &Ctx) -> Result<LocationScope, ApiError> {
    let scope = read_scope(ctx)?;
    if ctx.viewer.can_read_workers() {
        Ok(scope)
    } else {
        Err(ApiError::forbidden("your role sees occupancy as counts only"))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CorrectionInput {
    bed_id: i64,
    check_in: String,
    #[serde(default)]
    check_out: Option<String>,
}

/// `PUT /api/v1/stays/{id}` with `{"bed_id", "check_in", "check_out", "version"}` (or
/// `If-Match`): corrects a stay recorded wrongly.
async fn api_correct(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(mut body): JsonBody<serde_json::Value>,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let (_, scope) = sender_scope(&ctx)?;
    let id = location_id(&id)?;
    let version = expected_version(&headers, &mut body)?.ok_or_else(version_required)?;
    let input: CorrectionInput = from_json(body)?;
    let mut errors = FieldErrors::new();
    let check_in = errors.take("check_in", flexwonen_core::register::parse_date(&input.check_in));
    let check_out = match input.check_out.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(d) => errors.take("check_out", flexwonen_core::register::parse_date(d)).map(Some),
        None => Some(None),
    };
    let (Some(check_in), Some(check_out)) = (check_in, check_out) else {
        return Err(ApiError::invalid(errors));
    };
    let correction = StayCorrection { bed_id: input.bed_id, check_in, check_out };
    let stay = state.store.correct_stay(&ctx.actor(), &scope, id, version, &correction, today()).await?;
    Ok(Json(stay).into_response())
}

/// The bed board as the API gives it, with the permitted capacity on the day.
#[derive(Serialize)]
struct BoardView {
    location_id: i64,
    date: NaiveDate,
    permitted: Option<u32>,
    occupied: usize,
    reserved: usize,
    free: usize,
    out_of_service: usize,
    over_capacity: bool,
    beds: Vec<flexwonen_store::BoardBed>,
}

async fn board_view(
    state: &AppState,
    ctx: &Ctx,
    location: &Location,
    date: NaiveDate,
) -> Result<BoardView, StoreError> {
    let actor = ctx.actor();
    let reader = ctx.viewer.can_read_workers().then_some(&actor);
    let board: BedBoard = state.store.bed_board(location, date, reader).await?;
    let permitted = state.store.location_capacity(location, date).await?.permitted;
    let occupied = board.count(BedState::Occupied);
    Ok(BoardView {
        location_id: location.id,
        date,
        permitted,
        occupied,
        reserved: board.count(BedState::Reserved),
        free: board.count(BedState::Free),
        out_of_service: board.count(BedState::OutOfService),
        over_capacity: permitted.is_some_and(|p| occupied > p as usize),
        beds: board.beds,
    })
}

/// `GET /api/v1/locations/{id}/beds[?date=]`.
async fn api_board(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let scope = read_scope(&ctx)?;
    let date = date_param(&q)?;
    let location = state.store.location(&scope, location_id(&id)?).await?;
    Ok(Json(board_view(&state, &ctx, &location, date).await?).into_response())
}

// ------------------------------------------------------------------------------ page

struct BedRow {
    bed_id: i64,
    room: String,
    label: String,
    state: &'static str,
    state_code: &'static str,
    note: String,
    reference: String,
    nationality: String,
    period: String,
    flags: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "bed_board.html")]
struct BoardPage {
    l: Layout,
    location_id: i64,
    address: String,
    date: String,
    today: String,
    summary: String,
    permitted: String,
    over_capacity: bool,
    shows_workers: bool,
    can_write: bool,
    rows: Vec<BedRow>,
    free_beds: Vec<(i64, String)>,
    errors: Vec<String>,
    done: String,
    form: FormData,
    nationalities: Vec<(&'static str, String)>,
}

/// Nationalities offered first in the check-in form (the largest groups); any other
/// ISO code can be typed.
pub(crate) const COMMON_NATIONALITIES: [&str; 10] = ["PL", "RO", "BG", "HU", "LT", "LV", "SK", "PT", "ES", "NL"];

async fn board_page_view(state: &AppState, ctx: &Ctx, id: &str, date: NaiveDate) -> Result<BoardPage, PageError> {
    let scope = ctx.viewer.location_read_scope();
    if scope == LocationScope::Nothing {
        return Err(PageError::Forbidden);
    }
    let id: i64 = id.parse().map_err(|_| PageError::NotFound)?;
    let location = state.store.location(&scope, id).await?;
    let view = board_view(state, ctx, &location, date).await?;
    let tr = ctx.lang.texts();
    let can_write = ctx.viewer.occupancy_write_scope().allows(
        &flexwonen_core::ids::MunicipalityCode::parse(&location.municipality_code).map_err(|_| PageError::Internal)?,
        location.operator_id,
    );
    let rows = view
        .beds
        .iter()
        .map(|b| {
            let stay = b.stay.as_ref();
            let mut flags = Vec::new();
            if stay.is_some_and(|s| s.unregistered_long) {
                flags.push(tr.occupancy_flag_unregistered);
            }
            if stay.is_some_and(|s| !s.deduction_problems.is_empty()) {
                flags.push(tr.occupancy_flag_deduction);
            }
            BedRow {
                bed_id: b.bed_id,
                room: b.room.clone(),
                label: b.label.clone(),
                state: tr.bed_state(b.state),
                state_code: b.state.as_str(),
                note: b.out_of_service_reason.clone().unwrap_or_default(),
                reference: stay.and_then(|s| s.worker_reference.clone()).unwrap_or_default(),
                nationality: stay
                    .map(|s| format!("{} ({})", tr.country(&s.nationality), s.nationality))
                    .unwrap_or_default(),
                period: stay
                    .map(|s| match s.check_out {
                        Some(out) => format!("{} – {}", s.check_in, out),
                        None => format!("{} {}", tr.occupancy_since, s.check_in),
                    })
                    .unwrap_or_default(),
                flags,
            }
        })
        .collect();
    let free_beds = view
        .beds
        .iter()
        .filter(|b| b.state == BedState::Free)
        .map(|b| (b.bed_id, format!("{} · {}", b.room, b.label)))
        .collect();
    let summary = format!(
        "{} {} · {} {} · {} {} · {} {}",
        view.occupied,
        tr.bed_state(BedState::Occupied),
        view.free,
        tr.bed_state(BedState::Free),
        view.reserved,
        tr.bed_state(BedState::Reserved),
        view.out_of_service,
        tr.bed_state(BedState::OutOfService),
    );
    Ok(BoardPage {
        l: layout(
            state,
            ctx,
            "locations",
            format!("{} – {}", tr.bed_board_title, location.address.one_line()),
            &format!("/locations/{id}/beds"),
        ),
        location_id: id,
        address: location.address.one_line(),
        date: date.to_string(),
        today: today().to_string(),
        summary,
        permitted: view.permitted.map(|p| p.to_string()).unwrap_or_else(|| "–".into()),
        over_capacity: view.over_capacity,
        shows_workers: ctx.viewer.can_read_workers(),
        can_write,
        rows,
        free_beds,
        errors: Vec::new(),
        done: String::new(),
        form: FormData::default(),
        nationalities: COMMON_NATIONALITIES.iter().map(|c| (*c, tr.country(c))).collect(),
    })
}

async fn board_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let result = async {
        let date = match q.get("datum").or(q.get("date")).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => today(),
            Some(s) => flexwonen_core::register::parse_date(s).map_err(|_| PageError::BadForm)?,
        };
        let mut view = board_page_view(&state, &ctx, &id, date).await?;
        if let Some(done) = q.get("gedaan") {
            view.done = match done.as_str() {
                "check_in" => ctx.lang.texts().occupancy_done_check_in,
                "check_out" => ctx.lang.texts().occupancy_done_check_out,
                "transfer" => ctx.lang.texts().occupancy_done_transfer,
                _ => "",
            }
            .to_string();
        }
        Ok(render(&view))
    }
    .await;
    page(&state, &ctx, result)
}

/// The board's forms: check in on a free bed, check out or move the person in a bed.
pub(crate) fn event_from_form(form: &FormData) -> EventInput {
    let opt = |name: &str| form.opt(name);
    let number = |name: &str| form.opt(name).map(|s| s.replace(',', ".").parse::<f64>().unwrap_or(-1.0));
    let kind = form.get("type").to_string();
    let bed_id = form.opt("bed_id").map(|s| s.parse::<i64>().unwrap_or(-1));
    match kind.as_str() {
        "check_in" => EventInput {
            id: String::new(),
            kind,
            date: form.get("date").to_string(),
            bed_id,
            worker: Some(WorkerInput {
                reference: form.get("reference").to_string(),
                nationality: form.get("nationality").to_string(),
                employer_id: None,
                registration: form.get("registration").to_string(),
                brp_municipality: opt("brp_municipality"),
                registered_on: opt("registered_on"),
                bsn: None,
            }),
            worker_reference: None,
            terms: Some(TermsInput {
                separate_contract: form.opt("separate_contract").is_some(),
                contract_start: opt("contract_start"),
                rent_per_week: number("rent_per_week").unwrap_or(-1.0),
                notice_days: form.opt("notice_days").map_or(-1, |s| s.parse().unwrap_or(-1)),
                deduction_per_week: number("deduction_per_week").unwrap_or(0.0),
                written_authorisation: form.opt("written_authorisation").is_some(),
                hours_per_week: number("hours_per_week").unwrap_or(0.0),
                agricultural_cao: form.opt("agricultural_cao").is_some(),
            }),
        },
        _ => EventInput {
            id: String::new(),
            kind,
            date: form.get("date").to_string(),
            bed_id,
            worker: None,
            worker_reference: Some(form.get("reference").to_string()),
            terms: None,
        },
    }
}

async fn board_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let result = async {
        let form = csrf_checked(&ctx, posted_form(&ctx, &body)?)?;
        let Some(sender) = ctx.viewer.event_sender() else { return Err(PageError::Forbidden) };
        let scope = ctx.viewer.occupancy_write_scope();
        if scope == LocationScope::Nothing {
            return Err(PageError::Forbidden);
        }
        let mut input = event_from_form(&form);
        // A form submit is its own event: a fresh id, so it is never taken for a re-send.
        input.id = format!("web-{}", crate::auth::random_token());
        let kind = input.kind.clone();
        let date = flexwonen_core::register::parse_date(&input.date).unwrap_or_else(|_| today());
        let outcome = match input.validate() {
            Err(errors) => Err(errors),
            Ok(draft) => {
                let actor = ctx.actor();
                let event_ctx = EventContext {
                    actor: &actor,
                    scope: &scope,
                    sender: &sender,
                    bsn_key: state.config.bsn_key.as_deref(),
                    today: today(),
                    generation: ctx.generation,
                };
                match state.store.apply_event(&event_ctx, &draft).await {
                    Ok(_) => Ok(()),
                    Err(StoreError::Invalid(errors)) => Err(errors),
                    Err(e) => return Err(e.into()),
                }
            }
        };
        match outcome {
            Ok(()) => Ok(Redirect::to(&format!("/locations/{id}/beds?datum={date}&gedaan={kind}")).into_response()),
            Err(errors) => {
                let mut view = board_page_view(&state, &ctx, &id, date).await?;
                view.errors = error_lines(ctx.lang.texts(), &errors);
                view.form = form;
                Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
            }
        }
    }
    .await;
    page(&state, &ctx, result)
}

// ------------------------------------------------------------------ CSV upload page

struct UploadRow {
    line: u64,
    id: String,
    result: &'static str,
    result_code: &'static str,
    detail: String,
}

#[derive(Template)]
#[template(path = "occupancy_upload.html")]
struct UploadPage {
    l: Layout,
    columns: String,
    errors: Vec<String>,
    counts: String,
    rows: Vec<UploadRow>,
}

fn upload_view(state: &AppState, ctx: &Ctx) -> Result<UploadPage, PageError> {
    if ctx.viewer.principal().is_none() || ctx.viewer.occupancy_write_scope() == LocationScope::Nothing {
        return Err(PageError::Forbidden);
    }
    let tr = ctx.lang.texts();
    Ok(UploadPage {
        l: layout(state, ctx, "bezetting", tr.upload_title, "/bezetting/upload"),
        columns: flexwonen_core::occupancy_events::CSV_COLUMNS.join(","),
        errors: Vec::new(),
        counts: String::new(),
        rows: Vec::new(),
    })
}

async fn upload_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    let result = upload_view(&state, &ctx).map(|p| render(&p));
    page(&state, &ctx, result)
}

/// The events of an uploaded file, applied as the API applies them, with a line per event.
async fn upload_post(State(state): State<AppState>, ctx: Ctx, req: axum::extract::Request) -> Response {
    let result = async {
        let mut view = upload_view(&state, &ctx)?;
        let (_, upload) = crate::pages::form_with_file(&ctx, req).await?;
        let tr = ctx.lang.texts();
        let bytes = match upload {
            Some(crate::pages::Upload::File(bytes)) => bytes,
            Some(crate::pages::Upload::TooLarge) => {
                view.errors = vec![tr.too_large_text.to_string()];
                return Ok((StatusCode::PAYLOAD_TOO_LARGE, render(&view)).into_response());
            }
            None => {
                view.errors = vec![tr.upload_choose_file.to_string()];
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
            }
        };
        let lines = match parse_events_csv(&bytes) {
            Ok(lines) => lines,
            Err(e) => {
                view.errors = e
                    .errors
                    .0
                    .iter()
                    .map(|f| format!("{} {}: {}", tr.upload_line, e.line, tr.field_error(f)))
                    .collect();
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
            }
        };
        if lines.len() > MAX_EVENTS {
            view.errors = vec![format!("{} ({} > {MAX_EVENTS})", tr.upload_too_many, lines.len())];
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
        }
        let (Some(sender), scope) = (ctx.viewer.event_sender(), ctx.viewer.occupancy_write_scope()) else {
            return Err(PageError::Forbidden);
        };
        let events = lines
            .into_iter()
            .map(|(line, input)| (Some(line), input.as_ref().ok().map(|i| i.id.clone()), input))
            .collect();
        let batch = apply_all(&state, &ctx, &sender, &scope, events).await;
        view.counts = format!(
            "{}: {} · {}: {} · {}: {} · {}: {}",
            tr.upload_applied,
            batch.applied,
            tr.upload_duplicate,
            batch.duplicates,
            tr.upload_rejected,
            batch.rejected,
            tr.upload_failed,
            batch.failed
        );
        view.rows = batch
            .results
            .iter()
            .map(|r| {
                let (result, result_code, detail) = match &r.outcome {
                    Outcome::Applied { stay_id } => {
                        (tr.upload_applied, "applied", format!("{} {stay_id}", tr.upload_stay))
                    }
                    Outcome::Duplicate { .. } => (tr.upload_duplicate, "duplicate", String::new()),
                    Outcome::Rejected { errors } => {
                        (tr.upload_rejected, "rejected", error_lines(tr, errors).join("; "))
                    }
                    Outcome::Failed { .. } => (tr.upload_failed, "failed", tr.error_text.to_string()),
                };
                UploadRow {
                    line: r.line.unwrap_or(0),
                    id: r.id.clone().unwrap_or_default(),
                    result,
                    result_code,
                    detail,
                }
            })
            .collect();
        Ok(render(&view))
    }
    .await;
    page(&state, &ctx, result)
}
