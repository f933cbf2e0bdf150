//! The public complaint form (issue 7): `/klacht` and `/klacht/status`, no account, in five
//! languages (`complaint_texts`). A submission is checked whole, with the form's challenge (a
//! sum bound by an HMAC to its numbers, expiry and nonce); a form received before answers
//! with its complaint (one nonce, one complaint, one follow-up code); a new one is routed to
//! the municipality of its address, counted against the rate limits, and kept. Works without
//! JavaScript.

use crate::AppState;
use crate::complaint_texts::{PublicLang, PublicTexts};
use crate::forms::FormData;
use crate::pages::render;
use crate::rate_limit::Refused;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use flexwonen_core::complaints::{
    Challenge, ChallengeAnswer, ChallengeError, ComplaintInput, ComplaintKind, FollowUpCode,
};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_store::{ComplaintState, StoreError};
use std::collections::HashMap;
use std::net::SocketAddr;

/// The largest complaint form accepted: a description of 4,000 characters, each up to four
/// bytes and percent-encoded, with room to spare; anything larger is not a person typing.
pub const MAX_FORM_BYTES: usize = 64 * 1024;

pub fn routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/klacht", get(form_page).post(submit))
        .route("/klacht/status", get(status_page))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_FORM_BYTES))
}

/// Who is submitting, for the rate limits only (never stored): the peer's address, or behind
/// a trusted proxy the last address it added to `X-Forwarded-For`.
pub struct ClientKey(pub String);

impl FromRequestParts<AppState> for ClientKey {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let forwarded = state
            .config
            .trust_forwarded_for
            .then(|| {
                parts.headers.get("x-forwarded-for")?.to_str().ok()?.rsplit(',').next().map(|s| s.trim().to_string())
            })
            .flatten()
            .filter(|s| !s.is_empty());
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string());
        Ok(ClientKey(forwarded.or(peer).unwrap_or_else(|| "unknown".into())))
    }
}

fn now_unix() -> i64 {
    chrono::Utc::now().timestamp()
}

fn languages(path: &str) -> Vec<(&'static str, &'static str, String)> {
    PublicLang::ALL.iter().map(|l| (l.code(), l.name(), format!("{path}?lang={}", l.code()))).collect()
}

#[derive(Template)]
#[template(path = "complaint.html")]
struct FormPage {
    t: &'static PublicTexts,
    lang: &'static str,
    heading: &'static str,
    languages: Vec<(&'static str, &'static str, String)>,
    challenge: Challenge,
    form: FormData,
    errors: Vec<(String, &'static str)>,
    municipalities: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
}

impl FormPage {
    fn error_on(&self, field: &str) -> bool {
        self.errors.iter().any(|(f, _)| f == field)
    }

    fn picked(&self, field: &str, value: &str) -> bool {
        self.form.get(field) == value
    }
}

struct StatusView {
    state: &'static str,
    kind: &'static str,
    municipality: String,
    received_on: String,
    updated_on: String,
}

#[derive(Template)]
#[template(path = "complaint_status.html")]
struct StatusPage {
    t: &'static PublicTexts,
    lang: &'static str,
    heading: &'static str,
    languages: Vec<(&'static str, &'static str, String)>,
    message: &'static str,
    received_code: Option<String>,
    municipality: String,
    status: Option<StatusView>,
    show_form: bool,
    code_value: String,
    error: &'static str,
}

impl StatusPage {
    fn new(lang: PublicLang, heading: &'static str) -> StatusPage {
        StatusPage {
            t: lang.texts(),
            lang: lang.code(),
            heading,
            languages: languages("/klacht/status"),
            message: "",
            received_code: None,
            municipality: String::new(),
            status: None,
            show_form: false,
            code_value: String::new(),
            error: "",
        }
    }
}

async fn form_view(
    state: &AppState,
    lang: PublicLang,
    form: FormData,
    errors: Vec<(String, &'static str)>,
) -> Result<FormPage, StoreError> {
    let t = lang.texts();
    let key = state.form_key().await?;
    let challenge = Challenge::new(&key, now_unix(), &mut rand::rng());
    let municipalities = state.store.municipalities().await?.into_iter().map(|m| (m.code, m.name)).collect();
    Ok(FormPage {
        t,
        lang: lang.code(),
        heading: t.title,
        languages: languages("/klacht"),
        challenge,
        form,
        errors,
        municipalities,
        kinds: ComplaintKind::ALL.iter().map(|k| (k.as_str(), t.kind_name(*k))).collect(),
    })
}

fn internal(e: StoreError) -> Response {
    tracing::error!(error = %e, "store failure on the complaint form");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

async fn form_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = PublicLang::from_request(&headers, q.get("lang").map(String::as_str));
    match form_view(&state, lang, FormData::default(), Vec::new()).await {
        Ok(view) => render(&view),
        Err(e) => internal(e),
    }
}

fn complaint_input(form: &FormData) -> ComplaintInput {
    ComplaintInput {
        postcode: form.get("postcode").to_string(),
        // Not a number: 0, which the check names as not a house number.
        house_number: form.get("house_number").trim().parse().unwrap_or(0),
        house_letter: form.get("house_letter").to_string(),
        house_addition: form.get("house_addition").to_string(),
        kind: form.get("kind").to_string(),
        description: form.get("description").to_string(),
        contact: form.get("contact").to_string(),
    }
}

fn challenge_answer(form: &FormData) -> ChallengeAnswer {
    ChallengeAnswer {
        a: form.get("a").parse().unwrap_or(0),
        b: form.get("b").parse().unwrap_or(0),
        expires: form.get("expires").parse().unwrap_or(0),
        nonce: form.get("nonce").to_string(),
        token: form.get("token").to_string(),
        answer: form.get("answer").to_string(),
    }
}

async fn submit(State(state): State<AppState>, headers: HeaderMap, client: ClientKey, body: Bytes) -> Response {
    let form = FormData::parse(&body).unwrap_or_default();
    let lang = PublicLang::from_request(&headers, form.opt("lang").as_deref());
    match accept(&state, lang, &form, &client).await {
        Ok(response) => response,
        Err(e) => internal(e),
    }
}

async fn accept(
    state: &AppState,
    lang: PublicLang,
    form: &FormData,
    client: &ClientKey,
) -> Result<Response, StoreError> {
    let t = lang.texts();
    let key = state.form_key().await?;
    let mut errors: Vec<(String, &'static str)> = Vec::new();
    let answer = challenge_answer(form);
    match Challenge::check(&key, &answer, now_unix()) {
        Ok(()) => {}
        Err(ChallengeError::Wrong) => errors.push(("answer".into(), t.err_challenge_wrong)),
        // A forged challenge is answered like an old one: a fresh question, nothing kept.
        Err(ChallengeError::Expired | ChallengeError::Forged) => {
            errors.push(("answer".into(), t.err_challenge_expired))
        }
    }
    let complaint = match complaint_input(form).validate() {
        Ok(c) => Some(c),
        Err(e) => {
            errors.splice(0..0, e.0.iter().map(|f| (f.field.clone(), t.error(f.code))));
            None
        }
    };
    let (Some(complaint), true) = (complaint, errors.is_empty()) else {
        return refill(state, lang, form, errors).await;
    };
    let code = FollowUpCode::for_submission(&key, &answer.nonce);
    // The same form again (a double click, a reload, a retry): its complaint, and no new
    // count against the limits.
    let received = match state.store.received_submission(&answer.nonce).await? {
        Some(r) => r,
        None => {
            let chosen = MunicipalityCode::parse(form.get("municipality").trim()).ok();
            let Some(municipality) = state.store.municipality_of_address(&complaint.address).await?.or(chosen) else {
                return refill(state, lang, form, vec![("municipality".into(), t.err_address_unknown)]).await;
            };
            if let Err(refused) = state.complaint_limits.admit(&client.0) {
                return Ok(too_many(lang, refused));
            }
            match state.store.receive_complaint(&complaint, &municipality, &answer.nonce, &code, lang.code()).await {
                Err(StoreError::Invalid(_)) => {
                    return refill(state, lang, form, vec![("municipality".into(), t.err_address_unknown)]).await;
                }
                other => other?,
            }
        }
    };
    let name = state
        .store
        .municipalities()
        .await?
        .into_iter()
        .find(|m| m.code == received.municipality.as_str())
        .map_or_else(|| received.municipality.as_str().to_string(), |m| m.name);
    let page =
        StatusPage { received_code: Some(code.display()), municipality: name, ..StatusPage::new(lang, t.received) };
    let status = if received.again { StatusCode::OK } else { StatusCode::CREATED };
    Ok((status, render(&page)).into_response())
}

fn too_many(lang: PublicLang, refused: Refused) -> Response {
    let t = lang.texts();
    let (text, wait) = match refused {
        Refused::Client(w) => (t.too_many_client, w),
        Refused::Overall(w) => (t.too_many_all, w),
    };
    let page = StatusPage { message: text, ..StatusPage::new(lang, t.too_many) };
    let mut response = (StatusCode::TOO_MANY_REQUESTS, render(&page)).into_response();
    if let Ok(v) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
    response
}

/// The form again with what was typed, the problems, and a fresh challenge.
async fn refill(
    state: &AppState,
    lang: PublicLang,
    form: &FormData,
    errors: Vec<(String, &'static str)>,
) -> Result<Response, StoreError> {
    let mut kept = form.clone();
    kept.0.retain(|(k, _)| {
        matches!(
            k.as_str(),
            "postcode"
                | "house_number"
                | "house_letter"
                | "house_addition"
                | "municipality"
                | "kind"
                | "description"
                | "contact"
        )
    });
    let view = form_view(state, lang, kept, errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
}

fn state_text(t: &PublicTexts, s: ComplaintState) -> &'static str {
    match s {
        ComplaintState::Received => t.state_received,
        ComplaintState::InProgress => t.state_in_progress,
        ComplaintState::Closed => t.state_closed,
    }
}

async fn status_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let lang = PublicLang::from_request(&headers, q.get("lang").map(String::as_str));
    let t = lang.texts();
    let typed = q.get("code").map(|s| s.trim()).unwrap_or("");
    let mut page =
        StatusPage { show_form: true, code_value: typed.to_string(), ..StatusPage::new(lang, t.status_title) };
    if typed.is_empty() {
        return render(&page);
    }
    let Some(code) = FollowUpCode::parse(typed) else {
        page.error = t.err_code_invalid;
        return (StatusCode::BAD_REQUEST, render(&page)).into_response();
    };
    match state.store.complaint_status(&code).await {
        Ok(s) => {
            page.status = Some(StatusView {
                state: state_text(t, s.state),
                kind: t.kind_name(s.kind),
                municipality: s.municipality,
                received_on: s.received_on,
                updated_on: s.updated_on.unwrap_or_default(),
            });
            page.show_form = false;
            page.code_value = code.display();
            render(&page)
        }
        Err(StoreError::NotFound) => {
            page.error = t.err_code_unknown;
            (StatusCode::NOT_FOUND, render(&page)).into_response()
        }
        Err(e) => internal(e),
    }
}
