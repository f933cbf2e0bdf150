//! `flexwonen bench monitor`: the monitor of agreements at a demo scale — the national and
//! the Haaglanden region page over HTTP (p50/p99 of sequential requests, the live monitor
//! cached as in use), the monitor computed cold (a fresh connection, nothing cached), and a
//! monthly snapshot taken cold — as one JSON line.
//!
//! Loads the demo data of the scale without occupancy (the monitor never reads stays) into an
//! empty database, or uses the demo data already there when it has that scale.

use flexwonen_core::monitor::Month;
use flexwonen_store::{Actor, Store};
use flexwonen_web::AppState;
use serde_json::json;
use std::time::{Duration, Instant};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted.get(((sorted.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(0.0)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Latencies (ms) of `n` sequential GETs of `path`, after a few to warm up.
async fn latencies(
    client: &reqwest::Client,
    url: &str,
    n: usize,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    for _ in 0..5 {
        client.get(url).send().await?.error_for_status()?.bytes().await?;
    }
    let mut ms = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        client.get(url).send().await?.error_for_status()?.bytes().await?;
        ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    ms.sort_by(f64::total_cmp);
    Ok(json!({"requests": n, "p50_ms": round2(percentile(&ms, 0.5)), "p99_ms": round2(percentile(&ms, 0.99))}))
}

pub async fn monitor(url: &str, scale: f64, requests: usize) -> Result<String, Box<dyn std::error::Error>> {
    let store = Store::open(url).await?;
    let wanted = format!("scale={scale} seed={}", flexwonen_core::demo::DEFAULT_SEED);
    let summary = match store.setting("demo_data").await? {
        Some(s) if s == wanted => None,
        None if store.is_empty().await? => {
            Some(crate::demo::load(&store, scale, flexwonen_core::demo::DEFAULT_SEED, false, false).await?)
        }
        _ => return Err(format!("bench monitor needs an empty database or one with the demo data of {wanted}").into()),
    };
    let backend = format!("{:?}", store.backend()).to_lowercase();
    let haaglanden = store.region_by_code("campagne-stadsgewest-haaglanden").await?.id;
    let projects = store.projects().await?.len();
    let locations = store.totals(None).await?.total().locations;

    // Cold: a fresh connection each time, so nothing is cached.
    let today = chrono::Utc::now().date_naive();
    let mut cold = Vec::new();
    let mut snapshot = Vec::new();
    for _ in 0..3 {
        let fresh = Store::open(url).await?;
        let started = Instant::now();
        fresh.monitor_live(today).await?;
        cold.push(started.elapsed().as_secs_f64() * 1000.0);
        fresh.close().await;
        let fresh = Store::open(url).await?;
        let started = Instant::now();
        fresh.create_snapshot(&Actor::system("bench"), Month::of(today), today).await?;
        snapshot.push(started.elapsed().as_secs_f64());
        fresh.close().await;
    }

    let state =
        AppState::new(store, flexwonen_web::Config { secure_cookies: false, demo_banner: false, ..Default::default() });
    let app = flexwonen_web::router_with(state, axum::Router::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
    let national = latencies(&client, &format!("{base}/monitor"), requests).await?;
    let region = latencies(&client, &format!("{base}/monitor?area=region:{haaglanden}"), requests).await?;
    let api = latencies(&client, &format!("{base}/api/v1/monitor?level=region&id={haaglanden}"), requests).await?;
    server.abort();
    Ok(json!({
        "database": backend,
        "scale": scale,
        "locations": locations,
        "projects": projects,
        "demo_load_s": summary.map(|_| "loaded now").unwrap_or("reused"),
        "national_page": national,
        "region_page": region,
        "region_api": api,
        "monitor_cold_ms": round2(crate::median(&mut cold)),
        "snapshot_cold_s": (crate::median(&mut snapshot) * 1000.0).round() / 1000.0,
    })
    .to_string())
}
