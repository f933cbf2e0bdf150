//! `flexwonen bench enforcement` (issue 7), as one JSON line:
//!
//! - **Vacancy proposals** for a grey situation of 50 beds in Westland (labour-market region
//!   Haaglanden) at a demo scale, with its occupancy: `GET /api/v1/cases/{id}/vacancies` over
//!   HTTP, p50/p99 of sequential requests, beside the store call alone.
//! - **A burst on the complaint form**: `clients` clients, each behind its own address (the
//!   server trusts `X-Forwarded-For`, as behind a proxy), together sending `submissions`
//!   forms as fast as they can, each fetched, answered and posted, and every tenth sent twice;
//!   then the database is checked: every accepted form kept once, its code shown again on
//!   the second send, no client above its limit, nothing else kept.
//!
//! Loads the demo data of the scale with occupancy into an empty database, or reuses it.

use flexwonen_core::access::{CaseScope, Role};
use flexwonen_core::enforcement::CaseInput;
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_store::{AccountSpec, Actor, Store};
use flexwonen_web::AppState;
use serde_json::json;
use std::collections::HashMap;
use std::time::{Duration, Instant};

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted.get(((sorted.len().max(1) - 1) as f64 * p).round() as usize).copied().unwrap_or(0.0)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    html[start..].split('"').next().map(str::to_string)
}

fn shown_code(html: &str) -> Option<String> {
    let start = html.find("id=\"code\">")? + 10;
    html[start..].split('<').next().map(str::to_string)
}

/// What one client saw.
#[derive(Default)]
struct ClientTally {
    accepted: Vec<String>,
    refused: usize,
    resent_same_code: usize,
    other: Vec<u16>,
    ms: Vec<f64>,
}

async fn client_run(
    client: reqwest::Client,
    base: String,
    address: String,
    forms: usize,
) -> Result<ClientTally, Box<dyn std::error::Error + Send + Sync>> {
    let mut tally = ClientTally::default();
    for n in 0..forms {
        let page =
            client.get(format!("{base}/klacht")).header("x-forwarded-for", &address).send().await?.text().await?;
        let field = |name: &str| hidden(&page, name).ok_or_else(|| format!("no {name} on the form"));
        let (a, b): (u32, u32) = (field("a")?.parse()?, field("b")?.parse()?);
        let number = (n + 1).to_string();
        let form = [
            ("lang", "nl".to_string()),
            ("a", a.to_string()),
            ("b", b.to_string()),
            ("expires", field("expires")?),
            ("nonce", field("nonce")?),
            ("token", field("token")?),
            ("answer", (a + b).to_string()),
            ("postcode", "2671AA".into()),
            ("house_number", number),
            ("municipality", "GM1783".into()),
            ("kind", "nuisance".into()),
            ("description", format!("Burst test from {address}, form {n}: noise every night.")),
        ];
        let sends = if n % 10 == 0 { 2 } else { 1 };
        let mut first_code = None;
        for _ in 0..sends {
            let started = Instant::now();
            let res =
                client.post(format!("{base}/klacht")).header("x-forwarded-for", &address).form(&form).send().await?;
            let status = res.status().as_u16();
            let body = res.text().await?;
            tally.ms.push(started.elapsed().as_secs_f64() * 1000.0);
            match (status, &first_code) {
                (201, None) => {
                    let code = shown_code(&body).ok_or("no code on an accepted form")?;
                    tally.accepted.push(code.clone());
                    first_code = Some(code);
                }
                (200, Some(code)) if shown_code(&body).as_ref() == Some(code) => tally.resent_same_code += 1,
                (429, None) => tally.refused += 1,
                (s, _) => tally.other.push(s),
            }
        }
    }
    Ok(tally)
}

pub async fn enforcement(
    url: &str,
    scale: f64,
    requests: usize,
    clients: usize,
    submissions: usize,
) -> Result<String, Box<dyn std::error::Error + Send + Sync>> {
    let store = Store::open(url).await?;
    let wanted = format!("scale={scale} seed={}", flexwonen_core::demo::DEFAULT_SEED);
    let loaded = match store.setting("demo_data").await? {
        Some(s) if s == wanted => "reused",
        None if store.is_empty().await? => {
            crate::demo::load(&store, scale, flexwonen_core::demo::DEFAULT_SEED, false, true).await?;
            "loaded now"
        }
        _ => {
            return Err(
                format!("bench enforcement needs an empty database or one with the demo data of {wanted}").into()
            );
        }
    };
    let backend = format!("{:?}", store.backend()).to_lowercase();
    let locations = store.totals(None).await?.total().locations;
    let actor = Actor::system("bench");
    let westland = MunicipalityCode::parse(crate::demo::WESTLAND).map_err(|(_, m)| m)?;
    // The grey situation: 50 beds at an address of Westland's demo BAG.
    let grey = CaseInput {
        source: "manual".into(),
        postcode: "2671AA".into(),
        house_number: 1,
        stay_type: "short".into(),
        found: 50,
        summary: "bench".into(),
        ..CaseInput::default()
    };
    let draft = grey.validate().map_err(|e| e.to_string())?;
    let case = store.open_case(&actor, &westland, &draft, chrono::Utc::now().date_naive()).await?;
    let scope = CaseScope::Municipalities(vec![westland.clone()]);
    let today = chrono::Utc::now().date_naive();
    let proposals = store.vacancies(&scope, case.id, today, 50).await?;
    let mut store_ms = Vec::new();
    for _ in 0..requests.min(50) {
        let started = Instant::now();
        store.vacancies(&scope, case.id, today, 50).await?;
        store_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    store_ms.sort_by(f64::total_cmp);

    let username = format!("bench-{}", case.id);
    let spec = AccountSpec {
        username: username.clone(),
        display_name: "bench".into(),
        password_hash: "x".into(),
        role: Role::Municipality,
        region_id: None,
        municipality: Some(westland.clone()),
        organisation_id: None,
    };
    let account = store.create_account(&actor, &spec).await?;
    let (token, hash) = flexwonen_web::new_api_token();
    store.create_api_token(&actor, &hash, account).await?;
    let count_before = store.complaint_count().await?;

    let config = flexwonen_web::Config {
        secure_cookies: false,
        demo_banner: false,
        trust_forwarded_for: true,
        ..Default::default()
    };
    let limits = config.complaint_limits;
    let state = AppState::new(store.clone(), config);
    let app = flexwonen_web::router_with(state, axum::Router::new());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).timeout(Duration::from_secs(60)).build()?;

    let vacancies_url = format!("{base}/api/v1/cases/{}/vacancies", case.id);
    for _ in 0..5 {
        client.get(&vacancies_url).bearer_auth(&token).send().await?.error_for_status()?.bytes().await?;
    }
    let mut http_ms = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        client.get(&vacancies_url).bearer_auth(&token).send().await?.error_for_status()?.bytes().await?;
        http_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    http_ms.sort_by(f64::total_cmp);

    // The burst: every client at once, `submissions` forms in all.
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(clients);
    for c in 0..clients {
        let forms = submissions / clients + usize::from(c < submissions % clients);
        tasks.push(tokio::spawn(client_run(
            client.clone(),
            base.clone(),
            format!("10.7.{}.{}", c / 250, c % 250 + 1),
            forms,
        )));
    }
    let mut tallies = Vec::with_capacity(clients);
    for t in tasks {
        tallies.push(t.await??);
    }
    let burst_s = started.elapsed().as_secs_f64();
    server.abort();

    let accepted: Vec<&String> = tallies.iter().flat_map(|t| t.accepted.iter()).collect();
    let distinct: std::collections::HashSet<&&String> = accepted.iter().collect();
    let kept = store.complaint_count().await? - count_before;
    let mut found_by_code = 0;
    for code in &accepted {
        let parsed = flexwonen_core::complaints::FollowUpCode::parse(code).ok_or("an unreadable code")?;
        if store.complaint_status(&parsed).await.is_ok() {
            found_by_code += 1;
        }
    }
    let per_client_max = tallies.iter().map(|t| t.accepted.len()).max().unwrap_or(0);
    let mut ms: Vec<f64> = tallies.iter().flat_map(|t| t.ms.iter().copied()).collect();
    ms.sort_by(f64::total_cmp);
    let other: HashMap<u16, usize> = tallies.iter().flat_map(|t| t.other.iter()).fold(HashMap::new(), |mut m, s| {
        *m.entry(*s).or_default() += 1;
        m
    });
    let resent: usize = tallies.iter().map(|t| t.resent_same_code).sum();
    let checks_pass = other.is_empty()
        && kept == accepted.len() as i64
        && distinct.len() == accepted.len()
        && found_by_code == accepted.len()
        && per_client_max <= limits.per_client;
    Ok(json!({
        "database": backend,
        "scale": scale,
        "locations": locations,
        "demo": loaded,
        "vacancies": {
            "grey_beds": 50,
            "proposed": proposals.len(),
            "nearest_km": proposals.first().and_then(|v| v.distance_km),
            "farthest_km": proposals.last().and_then(|v| v.distance_km),
            "http_requests": requests,
            "http_p50_ms": round2(percentile(&http_ms, 0.5)),
            "http_p99_ms": round2(percentile(&http_ms, 0.99)),
            "store_p50_ms": round2(percentile(&store_ms, 0.5)),
        },
        "burst": {
            "clients": clients,
            "forms": submissions,
            "posts": ms.len(),
            "seconds": round2(burst_s),
            "post_p50_ms": round2(percentile(&ms, 0.5)),
            "post_p99_ms": round2(percentile(&ms, 0.99)),
            "accepted": accepted.len(),
            "refused_429": tallies.iter().map(|t| t.refused).sum::<usize>(),
            "resent_same_code": resent,
            "other_statuses": other,
            "kept": kept,
            "distinct_codes": distinct.len(),
            "codes_found": found_by_code,
            "per_client_max": per_client_max,
            "per_client_limit": limits.per_client,
            "overall_limit_per_minute": limits.overall_per_minute,
            "checks_pass": checks_pass,
        },
    })
    .to_string())
}
