//! Occupancy housekeeping on demand: `POST /api/v1/occupancy/maintenance` refreshes the
//! registration flags of running stays and purges worker records past the retention period
//! (`Config::retention_months`), as `serve` does every day. Administrators only.

use crate::AppState;
use crate::api::{JsonBody, require_token};
use crate::auth::Ctx;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::NaiveDate;
use flexwonen_core::FieldErrors;
use serde::Deserialize;

pub fn api_routes() -> axum::Router<AppState> {
    axum::Router::new().route("/occupancy/maintenance", post(api_maintenance))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MaintenanceInput {
    /// The day to judge on; today when absent.
    #[serde(default)]
    today: Option<String>,
}

async fn api_maintenance(
    State(state): State<AppState>,
    ctx: Ctx,
    JsonBody(input): JsonBody<MaintenanceInput>,
) -> Result<Response, ApiError> {
    if ctx.viewer.principal().is_none() {
        return Err(ApiError::unauthorized());
    }
    require_token(&ctx)?;
    if !ctx.viewer.is_admin() {
        return Err(ApiError::forbidden("only administrators run the occupancy maintenance"));
    }
    let today = match input.today.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => chrono::Utc::now().date_naive(),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            ApiError::invalid(FieldErrors::single(
                "today",
                "invalid_date",
                format!("'{s}' is not a date of the form YYYY-MM-DD"),
            ))
        })?,
    };
    let done = state.store.occupancy_maintenance(&ctx.actor(), today, state.config.retention_months).await?;
    Ok(Json(done).into_response())
}
