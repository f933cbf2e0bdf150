//! `flexwonen bench occupancy`: check-in and check-out throughput over HTTP with every
//! invariant on, next to the same server's bare ceiling — one single-row insert per request
//! through the same stack (token check, body limit, headers) — on one database, in one run.
//!
//! Each of the clients owns one location (its own beds) and sends one event per request:
//! it checks a new worker into each of its beds, then checks them all out the next day, and
//! so on, so every bed gathers a history as it would in use. Every event must be applied;
//! anything else stops the benchmark.

use axum::extract::State;
use axum::http::StatusCode;
use flexwonen_core::access::{LocationScope, Role};
use flexwonen_core::register::{AddressInput, BedInput, Facilities, LocationInput, OrganisationInput, RoomInput};
use flexwonen_store::{AccountSpec, Actor, Store};
use flexwonen_web::{AppState, Ctx};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Beds per client location.
const BEDS: usize = 8;

async fn ceiling(State(state): State<AppState>, ctx: Ctx) -> StatusCode {
    match state.store.single_row_insert(&ctx.actor()).await {
        Ok(()) => StatusCode::OK,
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Locations (one per client) of one provider, with an account and token for it.
async fn setup(store: &Store, clients: usize) -> Result<(String, Vec<Vec<i64>>), Box<dyn std::error::Error>> {
    crate::demo::ensure_geography(store).await?;
    let actor = Actor::system("bench");
    let org = OrganisationInput {
        name: "Benchmark Huisvesting B.V.".into(),
        kvk: Some("90000001".into()),
        kind: "housing_provider".into(),
        municipality_code: None,
    };
    let org = store.create_organisation(&actor, &org.validate().map_err(|e| e.to_string())?).await?.id;
    let mut beds = Vec::new();
    for i in 0..clients {
        let input = LocationInput {
            address: AddressInput {
                postcode: "2671AB".into(),
                house_number: i as i64 + 1,
                house_letter: None,
                house_addition: None,
                street: "Benchmarkweg".into(),
                place: "Naaldwijk".into(),
            },
            municipality_code: crate::demo::WESTLAND.into(),
            bag_vbo_id: None,
            housing_form: "a".into(),
            zoned_residential: true,
            floor_area_m2: 400.0,
            legal_status: "in_use".into(),
            stay_type: "short".into(),
            operator_id: Some(org),
            facilities: Facilities { toilets: 4, showers: 4, kitchens: 2, washing_machines: 2 },
            position: None,
            new_build: false,
            in_use_since: None,
            conversion_permit: true,
            bedroom_sharing_agreed: false,
            first_responsible: true,
            rooms: (0..BEDS / 2)
                .map(|r| RoomInput {
                    id: None,
                    name: format!("Kamer {}", r + 1),
                    area_m2: 20.0,
                    beds: (0..2)
                        .map(|b| BedInput {
                            id: None,
                            label: format!("{}{}", r + 1, ['A', 'B'][b]),
                            in_service: true,
                            out_of_service_reason: None,
                        })
                        .collect(),
                })
                .collect(),
        };
        let draft = input.validate().map_err(|e| e.to_string())?;
        let l = store.create_location(&actor, &LocationScope::All, &draft).await?;
        beds.push(l.rooms.iter().flat_map(|r| r.beds.iter().map(|b| b.id)).collect());
    }
    let spec = AccountSpec {
        username: "bench-provider".into(),
        display_name: "Benchmark".into(),
        password_hash: flexwonen_web::hash_password("not used"),
        role: Role::HousingProvider,
        region_id: None,
        municipality: None,
        organisation_id: Some(org),
    };
    let account = store.create_account(&actor, &spec).await?;
    let (token, hash) = flexwonen_web::new_api_token();
    store.create_api_token(&actor, &hash, account).await?;
    Ok((token, beds))
}

/// Throughput and latency percentiles of one phase.
struct Phase {
    requests: usize,
    seconds: f64,
    latencies_ms: Vec<f64>,
}

impl Phase {
    fn percentile(&self, p: f64) -> f64 {
        let mut v = self.latencies_ms.clone();
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * p).round() as usize]
    }

    fn json(&self) -> Value {
        json!({
            "requests": self.requests,
            "per_s": (self.requests as f64 / self.seconds).round(),
            "p50_ms": (self.percentile(0.50) * 100.0).round() / 100.0,
            "p99_ms": (self.percentile(0.99) * 100.0).round() / 100.0,
        })
    }
}

/// Runs `clients` tasks, each sending the requests `make(client, n)` builds, one at a time.
async fn phase<F>(clients: usize, per_client: usize, make: F) -> Result<Phase, String>
where
    F: Fn(usize, usize) -> reqwest::RequestBuilder + Send + Sync + 'static,
{
    let make = Arc::new(make);
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let make = make.clone();
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(per_client);
                for n in 0..per_client {
                    let t = Instant::now();
                    let res = make(c, n).send().await.map_err(|e| e.to_string())?;
                    let status = res.status();
                    let body = res.bytes().await.map_err(|e| e.to_string())?;
                    latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                    if !status.is_success() {
                        return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&body)));
                    }
                    if body.starts_with(b"{\"applied\"") && !body.starts_with(b"{\"applied\":1,") {
                        return Err(format!("an event was not applied: {}", String::from_utf8_lossy(&body)));
                    }
                }
                Ok::<_, String>(latencies)
            })
        })
        .collect();
    let mut latencies_ms = Vec::new();
    for t in tasks {
        latencies_ms.extend(t.await.map_err(|e| e.to_string())??);
    }
    Ok(Phase { requests: latencies_ms.len(), seconds: started.elapsed().as_secs_f64(), latencies_ms })
}

/// The check-in or check-out that request `n` of `client` sends: rounds of a check-in into
/// every bed, then a check-out of every bed the next day.
fn event(client: usize, n: usize, beds: &[i64], offset: usize) -> Value {
    let n = n + offset;
    let (round, step) = (n / (2 * BEDS), n % (2 * BEDS));
    let bed = step % BEDS;
    // Stays of a night each, from two months ago on: current stays, as providers report them.
    let start = chrono::Utc::now().date_naive() - chrono::Days::new(60);
    let day = start + chrono::Days::new(2 * round as u64);
    let reference = format!("B{client}-{round}-{bed}");
    let id = format!("e{client}-{n}");
    if step < BEDS {
        json!({"events": [{"id": id, "type": "check_in", "date": day.to_string(), "bed_id": beds[bed],
            "worker": {"reference": reference, "nationality": "PL", "registration": "rni", "registered_on": "2023-12-01"},
            "terms": {"separate_contract": true, "rent_per_week": 110.0, "notice_days": 14}}]})
    } else {
        json!({"events": [{"id": id, "type": "check_out", "date": (day + chrono::Days::new(1)).to_string(), "worker_reference": reference}]})
    }
}

/// Measures the ceiling, then the occupancy events, on the store's database; returns a
/// JSON line. `per_client` requests per client and phase, after a warm-up of a tenth.
pub async fn occupancy(store: Store, clients: usize, per_client: usize) -> Result<String, Box<dyn std::error::Error>> {
    let (token, beds) = setup(&store, clients).await?;
    let backend = format!("{:?}", store.backend()).to_lowercase();
    let state =
        AppState::new(store, flexwonen_web::Config { secure_cookies: false, demo_banner: false, ..Default::default() });
    let extra = axum::Router::new().route("/api/v1/bench/ceiling", axum::routing::post(ceiling));
    let app = flexwonen_web::router_with(state, extra);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let client = reqwest::Client::builder().pool_max_idle_per_host(clients).timeout(Duration::from_secs(60)).build()?;
    let warm = (per_client / 10).max(1);

    let ceiling_request = {
        let (client, base, token) = (client.clone(), base.clone(), token.clone());
        move |_: usize, _: usize| {
            client.post(format!("{base}/api/v1/bench/ceiling")).bearer_auth(&token).json(&json!({"n": 1}))
        }
    };
    let events_request = |offset: usize| {
        let (client, base, token, beds) = (client.clone(), base.clone(), token.clone(), Arc::new(beds.clone()));
        move |c: usize, n: usize| {
            client
                .post(format!("{base}/api/v1/occupancy/events"))
                .bearer_auth(&token)
                .json(&event(c, n, &beds[c], offset))
        }
    };
    phase(clients, warm, ceiling_request.clone()).await?;
    let ceiling = phase(clients, per_client, ceiling_request).await?;
    // Warm-up events use whole rounds, so the measured ones start with a check-in.
    let warm_events = warm.div_ceil(2 * BEDS) * 2 * BEDS;
    phase(clients, warm_events, events_request(0)).await?;
    let events = phase(clients, per_client, events_request(warm_events)).await?;
    server.abort();
    let share = events.requests as f64 / events.seconds / (ceiling.requests as f64 / ceiling.seconds);
    Ok(json!({
        "database": backend,
        "clients": clients,
        "beds_per_client": BEDS,
        "ceiling": ceiling.json(),
        "events": events.json(),
        "share_of_ceiling": (share * 1000.0).round() / 1000.0,
    })
    .to_string())
}
