//! The JSON API under `/api/v1`. Lists take `page` and `per_page` and answer
//! `{"items": [...], "total": N}`; errors have one shape (see `error.rs`).

use crate::AppState;
use crate::auth::Ctx;
use crate::error::ApiError;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use flexwonen_core::FieldErrors;
use flexwonen_core::access::LocationScope;
use flexwonen_core::geography::RegionKind;
use flexwonen_core::register::{HousingForm, LegalStatus, LocationInput, OrganisationKind, StayType};
use flexwonen_core::totals::Count;
use flexwonen_store::{LocationFilter, LocationSort};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::collections::HashMap;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/openapi.json", get(openapi))
        .route("/stats", get(stats))
        .route("/municipalities", get(municipalities))
        .route("/regions", get(regions))
        .route("/organisations", get(organisations))
        .route("/locations", get(list_locations).post(create_location))
        .route("/locations/{id}", get(get_location).put(update_location).delete(delete_location))
        .route("/locations/{id}/audit", get(location_audit))
}

pub const MAX_PER_PAGE: i64 = 500;
pub const DEFAULT_PER_PAGE: i64 = 50;

/// A JSON request body: the right content type, well-formed, and only known fields. Errors
/// name the field (by its path) and say why.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let mime = ct.split(';').next().unwrap_or("").trim();
        if !(mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("send the body as application/json, not '{ct}'"),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "body_too_large",
                    format!("the body is larger than {} bytes", crate::MAX_BODY_BYTES),
                )
            } else {
                ApiError::bad_request("unreadable_body", format!("the body could not be read: {e}"))
            }
        })?;
        parse_json(&bytes).map(JsonBody)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    from_json(&mut serde_json::Deserializer::from_slice(bytes))
}

/// Deserializes JSON text or an already parsed value, naming the field of any error by its path.
pub(crate) fn from_json<'de, T: DeserializeOwned, D: serde::Deserializer<'de, Error = serde_json::Error>>(
    de: D,
) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::bad_request("malformed_json", format!("the body is not valid JSON: {inner}"))
        } else {
            let field = if path == "." { "body".to_string() } else { path };
            ApiError::invalid(FieldErrors::single(field, "invalid_value", inner.to_string()))
        }
    })
}

/// `page` and `per_page`, checked.
pub fn paging(q: &HashMap<String, String>) -> Result<(i64, i64), ApiError> {
    let mut e = FieldErrors::new();
    let mut num = |name: &str, default: i64, max: i64| match q.get(name).map(|s| s.trim()).filter(|s| !s.is_empty()) {
        None => default,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if (1..=max).contains(&n) => n,
            _ => {
                e.add(name, "invalid_paging", format!("'{s}' must be a whole number from 1 to {max}"));
                default
            }
        },
    };
    let page = num("page", 1, 1_000_000);
    let per_page = num("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE);
    if e.is_empty() {
        Ok((page, per_page))
    } else {
        Err(ApiError { status: StatusCode::BAD_REQUEST, ..ApiError::invalid(e) })
    }
}

/// A page of a list, serialized as is (no intermediate JSON tree).
#[derive(Serialize)]
pub(crate) struct List<T> {
    pub items: Vec<T>,
    pub total: i64,
}

pub(crate) fn list<T: Serialize>(items: Vec<T>, total: i64) -> Response {
    Json(List { items, total }).into_response()
}

pub(crate) fn page_of<T: Serialize + Clone>(all: &[T], page: i64, per_page: i64) -> Response {
    let start = ((page - 1) * per_page).min(all.len() as i64) as usize;
    let end = (start + per_page as usize).min(all.len());
    list(all[start..end].to_vec(), all.len() as i64)
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => Json(json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({"status": "unavailable"}))).into_response()
        }
    }
}

async fn openapi() -> Response {
    Json(crate::openapi::document()).into_response()
}

/// National totals: what anyone, signed in or not, may see.
async fn stats(State(state): State<AppState>) -> Result<Response, ApiError> {
    let totals = state.store.totals(None).await?;
    Ok(Json(json!({
        "counts": "locations and beds in the register; beds_in_service excludes beds out of service",
        "source": "flexwonen register",
        "as_of": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "total": totals.total(),
        "by_housing_form": counts(totals.by_housing_form()),
        "by_legal_status": counts(totals.by_legal_status()),
        "by_stay_type": counts(totals.by_stay_type()),
        "by_municipality": counts(totals.by_municipality()),
    }))
    .into_response())
}

fn counts<K: std::fmt::Display>(
    pairs: impl IntoIterator<Item = (K, Count)>,
) -> serde_json::Map<String, serde_json::Value> {
    pairs.into_iter().map(|(k, c)| (k.to_string(), serde_json::to_value(c).unwrap_or_default())).collect()
}

async fn municipalities(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (page, per_page) = paging(&q)?;
    let all = state.store.municipalities().await?;
    Ok(page_of(&all, page, per_page))
}

async fn regions(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (page, per_page) = paging(&q)?;
    let kind = match q.get("kind").map(String::as_str).filter(|s| !s.is_empty()) {
        None => None,
        Some(k) => Some(RegionKind::parse(k).ok_or_else(|| {
            let kinds: Vec<&str> = RegionKind::ALL.iter().map(|k| k.as_str()).collect();
            ApiError {
                status: StatusCode::BAD_REQUEST,
                ..ApiError::invalid(FieldErrors::single(
                    "kind",
                    "invalid_choice",
                    format!("'{k}' is not one of: {}", kinds.join(", ")),
                ))
            }
        })?),
    };
    let all = state.store.regions(kind).await?;
    Ok(page_of(&all, page, per_page))
}

async fn organisations(
    State(state): State<AppState>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let (page, per_page) = paging(&q)?;
    let kind = choice(&q, "kind", OrganisationKind::parse, OrganisationKind::codes)?;
    let p = state.store.organisations(kind, q.get("q").map(String::as_str), page, per_page).await?;
    Ok(list(p.items, p.total))
}

pub(crate) fn choice<T>(
    q: &HashMap<String, String>,
    name: &str,
    parse: fn(&str) -> Option<T>,
    codes: fn() -> String,
) -> Result<Option<T>, ApiError> {
    match q.get(name).map(String::as_str).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => parse(v).map(Some).ok_or_else(|| ApiError {
            status: StatusCode::BAD_REQUEST,
            ..ApiError::invalid(FieldErrors::single(
                name,
                "invalid_choice",
                format!("'{v}' is not one of: {}", codes()),
            ))
        }),
    }
}

pub(crate) fn id_param(q: &HashMap<String, String>, name: &str) -> Result<Option<i64>, ApiError> {
    match q.get(name).map(String::as_str).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(v) => v.parse().map(Some).map_err(|_| ApiError {
            status: StatusCode::BAD_REQUEST,
            ..ApiError::invalid(FieldErrors::single(name, "not_a_number", format!("'{v}' is not an id")))
        }),
    }
}

/// The filter and sort of a location list, from query parameters (shared with the pages).
pub fn location_filter(q: &HashMap<String, String>) -> Result<(LocationFilter, LocationSort), ApiError> {
    let filter = LocationFilter {
        q: q.get("q").cloned().filter(|s| !s.trim().is_empty()),
        municipality_code: q.get("municipality_code").map(|s| s.trim().to_uppercase()).filter(|s| !s.is_empty()),
        region_id: id_param(q, "region_id")?,
        housing_form: choice(q, "housing_form", HousingForm::parse, HousingForm::codes)?,
        legal_status: choice(q, "legal_status", LegalStatus::parse, LegalStatus::codes)?,
        stay_type: choice(q, "stay_type", StayType::parse, StayType::codes)?,
        operator_id: id_param(q, "operator_id")?,
    };
    let sort = choice(q, "sort", LocationSort::parse, || {
        LocationSort::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
    })?
    .unwrap_or_default();
    Ok((filter, sort))
}

/// The scope for reading single locations; the public and national roles get a clear no.
pub(crate) fn read_scope(ctx: &Ctx) -> Result<LocationScope, ApiError> {
    match ctx.viewer.location_read_scope() {
        LocationScope::Nothing if ctx.viewer.principal().is_none() => Err(ApiError::unauthorized()),
        LocationScope::Nothing => Err(ApiError::forbidden("your role sees aggregates only; use /api/v1/stats")),
        s => Ok(s),
    }
}

pub(crate) fn write_scope(ctx: &Ctx) -> Result<LocationScope, ApiError> {
    read_scope(ctx)?;
    match ctx.viewer.location_write_scope() {
        LocationScope::Nothing => Err(ApiError::forbidden("your role may not change locations")),
        s => Ok(s),
    }
}

/// API writes must come with a bearer token: a browser session would need CSRF protection.
pub(crate) fn require_token(ctx: &Ctx) -> Result<(), ApiError> {
    if ctx.viewer.principal().is_some() && !ctx.via_token {
        return Err(ApiError::forbidden(
            "API changes need a bearer token (Authorization: Bearer …), not a browser session",
        ));
    }
    Ok(())
}

async fn list_locations(
    State(state): State<AppState>,
    ctx: Ctx,
    uri: axum::http::Uri,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, ApiError> {
    let scope = read_scope(&ctx)?;
    let (page, per_page) = paging(&q)?;
    let (filter, sort) = location_filter(&q)?;
    // The same list asked again, before the register changed, is answered as it was.
    let key = format!("{scope:?}|{}", uri.query().unwrap_or(""));
    let cached = |body: axum::body::Bytes| ([(header::CONTENT_TYPE, "application/json")], body).into_response();
    if let Some(body) = ctx.generation.and_then(|g| state.list_bodies.get(g, &key)) {
        return Ok(cached(body));
    }
    let p = state.store.locations(&scope, &filter, sort, page, per_page, ctx.generation).await?;
    let body = axum::body::Bytes::from(
        serde_json::to_vec(&List { items: p.items, total: p.total })
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?,
    );
    if let Some(g) = ctx.generation {
        state.list_bodies.put(g, key, body.clone());
    }
    Ok(cached(body))
}

pub(crate) fn location_id(raw: &str) -> Result<i64, ApiError> {
    raw.parse().map_err(|_| ApiError::not_found())
}

/// The version a change applies to: `If-Match` (the ETag) or `"version"` in the body.
pub(crate) fn expected_version(headers: &HeaderMap, body: &mut serde_json::Value) -> Result<Option<i64>, ApiError> {
    let from_body = body.as_object_mut().and_then(|o| o.remove("version"));
    let from_header = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim().trim_start_matches("W/").trim_matches('"').to_string());
    match (from_header, from_body) {
        (Some(h), _) => h
            .parse()
            .map(Some)
            .map_err(|_| ApiError::bad_request("invalid_if_match", format!("If-Match '{h}' is not a version"))),
        (None, Some(v)) => v.as_i64().map(Some).ok_or_else(|| {
            ApiError::invalid(FieldErrors::single("version", "not_a_number", "version must be a whole number"))
        }),
        (None, None) => Ok(None),
    }
}

fn with_etag(location: &flexwonen_store::Location, status: StatusCode) -> Response {
    let mut res = (status, Json(location)).into_response();
    if let Ok(v) = format!("\"{}\"", location.version).parse() {
        res.headers_mut().insert(header::ETAG, v);
    }
    if status == StatusCode::CREATED
        && let Ok(v) = format!("/api/v1/locations/{}", location.id).parse()
    {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

async fn create_location(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(mut input): JsonBody<LocationInput>,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let scope = write_scope(&ctx)?;
    if let Some(op) = ctx.viewer.forced_operator() {
        input.operator_id = Some(op);
    }
    let draft = input.validate().map_err(ApiError::invalid)?;
    let created = state.store.create_location(&ctx.actor(), &scope, &draft).await?;
    Ok(with_etag(&created, StatusCode::CREATED))
}

async fn get_location(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, ApiError> {
    let scope = read_scope(&ctx)?;
    let loc = state.store.location(&scope, location_id(&id)?).await?;
    Ok(with_etag(&loc, StatusCode::OK))
}

async fn update_location(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(mut body): JsonBody<serde_json::Value>,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let scope = write_scope(&ctx)?;
    let id = location_id(&id)?;
    let version = expected_version(&headers, &mut body)?.ok_or_else(version_required)?;
    let mut input: LocationInput = from_json(body)?;
    if let Some(op) = ctx.viewer.forced_operator() {
        input.operator_id = Some(op);
    }
    let draft = input.validate().map_err(ApiError::invalid)?;
    let updated = state.store.update_location(&ctx.actor(), &scope, id, version, &draft).await?;
    Ok(with_etag(&updated, StatusCode::OK))
}

async fn delete_location(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    require_token(&ctx)?;
    let scope = write_scope(&ctx)?;
    let id = location_id(&id)?;
    let Some(version) = expected_version(&headers, &mut serde_json::Value::Null)? else {
        // Unknown or out of scope says so first; then: which version do you remove?
        state.store.location(&scope, id).await?;
        return Err(version_required());
    };
    state.store.delete_location(&ctx.actor(), &scope, id, Some(version)).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) fn version_required() -> ApiError {
    ApiError::new(
        StatusCode::PRECONDITION_REQUIRED,
        "version_required",
        "say which version you change: send If-Match with the ETag, or \"version\" in the body",
    )
}

async fn location_audit(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response, ApiError> {
    let scope = read_scope(&ctx)?;
    let id = location_id(&id)?;
    state.store.location(&scope, id).await?;
    let trail = state.store.audit_trail("location", id).await?;
    let total = trail.len() as i64;
    Ok(list(trail, total))
}
