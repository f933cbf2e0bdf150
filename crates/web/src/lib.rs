//! The web face of flexwonen: server-rendered pages (Dutch first, English available) and
//! the JSON API under `/api/v1`, both over the same store and the same access rules.
//!
//! Architecture invariants:
//! - handlers parse input, ask `flexwonen_core::access` who may do what, call the store and
//!   render; they hold no business rules and no SQL;
//! - every page works without JavaScript; every form carries a CSRF token;
//! - the API answers every error in one shape: `{"error": {"code", "message", "fields"}}`.

mod agreements;
mod api;
mod auth;
mod certificates;
mod complaint_texts;
mod complaints;
mod enforcement;
mod error;
mod forms;
mod i18n;
mod inspections;
pub mod map;
mod monitor;
mod norms;
mod occupancy;
mod occupancy_admin;
mod occupancy_views;
mod openapi;
mod pages;
pub mod rate_limit;
mod signals;

pub use auth::{Ctx, hash_password, new_api_token};

use axum::Router;
use axum::http::{HeaderValue, header};
use flexwonen_core::geography;
use flexwonen_store::Store;
use flexwonen_store::cache::GenerationCache;
use std::collections::HashMap;
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest request body accepted (JSON or form), in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug)]
pub struct Config {
    /// Mark session cookies `Secure`. Browsers accept secure cookies from http://127.0.0.1
    /// and http://localhost, so this stays on unless a deployment has plain HTTP elsewhere.
    pub secure_cookies: bool,
    /// Show the "synthetic demo data" banner.
    pub demo_banner: bool,
    /// The key for BSN hashes (`FLEXWONEN_BSN_KEY`): configuration, never in the database.
    /// Without it a BSN is refused.
    pub bsn_key: Option<Vec<u8>>,
    /// Worker records are purged this many months after their last check-out.
    pub retention_months: u32,
    /// The key of the complaint form's challenge and follow-up codes
    /// (`FLEXWONEN_FORM_KEY`); without it one is made once and kept in the database, so
    /// every server of a deployment shares it.
    pub form_key: Option<Vec<u8>>,
    /// Behind a reverse proxy: take the client of the rate limits from `X-Forwarded-For`.
    pub trust_forwarded_for: bool,
    /// The complaint form's rate limits.
    pub complaint_limits: rate_limit::Limits,
}

/// The default retention of worker records after their last check-out, in months.
pub const DEFAULT_RETENTION_MONTHS: u32 = 12;

impl Default for Config {
    fn default() -> Self {
        Config {
            secure_cookies: true,
            demo_banner: true,
            bsn_key: None,
            retention_months: DEFAULT_RETENTION_MONTHS,
            form_key: None,
            trust_forwarded_for: false,
            complaint_limits: rate_limit::Limits::default(),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Config,
    pub map: Arc<map::MapBase>,
    /// The dashboard's body per language.
    pub dashboard: Arc<GenerationCache<Arc<pages::TotalsView>>>,
    /// Serialized pages of the location-list API, per scope and query.
    pub list_bodies: Arc<GenerationCache<axum::body::Bytes>>,
    /// The complaint form's submissions per client and overall.
    pub complaint_limits: Arc<rate_limit::RateLimiter>,
    form_key: Arc<tokio::sync::OnceCell<Arc<Vec<u8>>>>,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> AppState {
        let munis = geography::parse_municipalities(geography::MUNICIPALITIES_CSV).unwrap_or_default();
        let names: HashMap<String, String> = munis.iter().map(|m| (m.code.to_string(), m.name.clone())).collect();
        let boundaries = geography::parse_boundaries(geography::BOUNDARIES_RD_GEOJSON).unwrap_or_default();
        let map = map::MapBase::new(&boundaries, &names);
        AppState {
            store,
            complaint_limits: Arc::new(rate_limit::RateLimiter::new(config.complaint_limits)),
            form_key: Arc::new(tokio::sync::OnceCell::new()),
            config,
            map: Arc::new(map),
            dashboard: Arc::new(GenerationCache::new(4)),
            list_bodies: Arc::new(GenerationCache::new(256)),
        }
    }
}

impl AppState {
    /// The complaint form's key: the configured one, else the one kept in the database
    /// (made by the first server that needed it).
    pub async fn form_key(&self) -> Result<Arc<Vec<u8>>, flexwonen_store::StoreError> {
        self.form_key
            .get_or_try_init(|| async {
                if let Some(k) = &self.config.form_key {
                    return Ok(Arc::new(k.clone()));
                }
                let made = auth::random_token();
                Ok(Arc::new(self.store.setting_or_insert("complaint_form_key", &made).await?.into_bytes()))
            })
            .await
            .cloned()
    }
}

pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The product's routes and `extra` behind the same layers (body limit, security headers):
/// the benchmark adds its ceiling endpoint this way, so both pass the same server stack.
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let limited = Router::new()
        .merge(extra)
        .merge(pages::routes())
        .merge(certificates::routes())
        .merge(norms::routes())
        .merge(inspections::routes())
        .merge(occupancy::routes())
        .merge(occupancy_views::routes())
        .merge(monitor::routes())
        .merge(agreements::routes())
        .nest(
            "/api/v1",
            api::routes()
                .merge(certificates::api_routes())
                .merge(norms::api_routes())
                .merge(inspections::api_routes())
                .merge(occupancy::api_routes())
                .merge(occupancy_views::api_routes())
                .merge(monitor::api_routes())
                .merge(agreements::api_routes())
                .merge(occupancy_admin::api_routes())
                .merge(signals::api_routes())
                .merge(enforcement::api_routes()),
        )
        .merge(signals::routes())
        .merge(complaints::routes())
        .merge(enforcement::routes())
        .route("/healthz", axum::routing::get(api::healthz))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES));
    // The BRP extract uploads carry their own, larger limit.
    limited
        .merge(signals::upload_routes().layer(RequestBodyLimitLayer::new(signals::MAX_EXTRACT_BYTES)))
        .fallback(error::fallback)
        .layer(axum::middleware::map_response(error::explain_too_large))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .with_state(state)
}

/// Serves until the process is stopped.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    // With the peer's address, for the complaint form's rate limits.
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown()).await
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}

/// Today, the UTC date: the date every "as of" answer and every check against "the future"
/// is given for.
pub(crate) fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}
