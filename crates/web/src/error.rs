//! Errors as the web answers them.
//!
//! Error policy: the API answers every error as `{"error": {"code", "message", "fields"}}`
//! with a fitting status (400 malformed, 401 not signed in, 403 not allowed, 404 unknown or
//! out of scope, 409 stale version, 413 too large, 415 wrong content type, 422 invalid
//! values, 500 our fault — logged, never detailed to the client). Pages show the same
//! errors as HTML, and invalid form values next to their fields.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flexwonen_core::FieldErrors;
use flexwonen_store::StoreError;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub fields: FieldErrors,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError { status, code, message: message.into(), fields: FieldErrors::new() }
    }

    pub fn invalid(fields: FieldErrors) -> Self {
        let message = format!("{} field(s) are invalid: {fields}", fields.0.len());
        ApiError { status: StatusCode::UNPROCESSABLE_ENTITY, code: "invalid", message, fields }
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "there is no such resource, or it is outside your scope")
    }

    pub fn unauthorized() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", "sign in or send a valid bearer token")
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(f) => ApiError::invalid(f),
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Forbidden(m) => ApiError::forbidden(m),
            StoreError::Conflict { current } => ApiError::new(
                StatusCode::CONFLICT,
                "version_conflict",
                format!(
                    "the record was changed since you read it; the current version is {current}: read it again and redo your change"
                ),
            ),
            e => {
                tracing::error!(error = %e, "store failure");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "something went wrong on our side; it has been logged",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message, "fields": self.fields}});
        (self.status, Json(body)).into_response()
    }
}

/// Unknown paths: JSON under the API, a page elsewhere.
pub async fn fallback(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::new(StatusCode::NOT_FOUND, "no_route", format!("there is no endpoint {}", uri.path())).into_response()
    } else {
        crate::pages::not_found_page(&headers)
    }
}

/// The body limit answers 413 in plain text before any handler runs: give that answer the
/// one error shape under the API, and a page in the viewer's language elsewhere. A 413 a
/// handler wrote itself (JSON or a page) passes unchanged.
pub async fn explain_too_large(uri: axum::http::Uri, headers: axum::http::HeaderMap, response: Response) -> Response {
    let plain = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if response.status() != StatusCode::PAYLOAD_TOO_LARGE || !plain {
        return response;
    }
    if uri.path().starts_with("/api/") {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!("the body is larger than {} bytes", crate::MAX_BODY_BYTES),
        )
        .into_response()
    } else {
        crate::pages::too_large_page(&headers)
    }
}
