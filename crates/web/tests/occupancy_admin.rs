//! Occupancy maintenance over HTTP, on SQLite and on PostgreSQL: administrators only, with a
//! bearer token; it purges worker records past the retention period and flags running stays
//! that crossed the 4-month line, and a second run changes nothing.

mod common;

use common::TestApp;
use flexwonen_core::access::LocationScope;
use flexwonen_core::occupancy_events::{EventInput, TermsInput, WorkerInput};
use flexwonen_store::testing::TestDb;
use flexwonen_store::{Actor, Applied, EventContext, db_tests};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn event(id: &str, kind: &str, on: &str, bed: Option<i64>, reference: &str) -> EventInput {
    let check_in = kind == "check_in";
    EventInput {
        id: id.into(),
        kind: kind.into(),
        date: on.into(),
        bed_id: bed,
        worker: check_in.then(|| WorkerInput {
            reference: reference.into(),
            nationality: "RO".into(),
            registration: "none".into(),
            ..Default::default()
        }),
        worker_reference: (!check_in).then(|| reference.into()),
        terms: check_in.then(|| TermsInput {
            separate_contract: true,
            rent_per_week: 110.0,
            notice_days: 14,
            ..Default::default()
        }),
    }
}

async fn maintenance_purges_and_flags_for_administrators_only(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let all = LocationScope::All;
    let location = app.store.location(&all, app.westland).await.unwrap();
    let beds: Vec<i64> = location.rooms.iter().flat_map(|r| &r.beds).filter(|b| b.in_service).map(|b| b.id).collect();
    let (bed, other_bed) = (beds[0], beds[1]);
    let actor = Actor::system("test");
    let ctx = EventContext {
        actor: &actor,
        scope: &all,
        sender: "test",
        bsn_key: None,
        today: chrono::NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
        generation: None,
    };
    // An old stay (ended January 2025) and one running since June 2026.
    let mut stays = Vec::new();
    for e in [
        event("1", "check_in", "2024-11-04", Some(bed), "W-OLD-1"),
        event("2", "check_out", "2025-01-20", None, "W-OLD-1"),
        event("3", "check_in", "2026-06-01", Some(other_bed), "W-NOW-1"),
    ] {
        match app.store.apply_event(&ctx, &e.validate().unwrap()).await.unwrap() {
            Applied::Applied { stay_id } => stays.push(stay_id),
            other => panic!("{other:?}"),
        }
    }
    let (old, now) = (stays[0], stays[2]);
    let run = |user: &'static str, body: Value| {
        app.api(Method::POST, "/api/v1/occupancy/maintenance", Some(user)).json(&body).send()
    };
    for user in ["provider", "westland", "ministry", "inspector", "coordinator"] {
        assert_eq!(run(user, json!({})).await.unwrap().status(), StatusCode::FORBIDDEN, "{user}");
    }
    let res = app.client.post(app.url("/api/v1/occupancy/maintenance")).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(run("admin", json!({"today": "28-11-2026"})).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(run("admin", json!({"day": "2026-11-28"})).await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);

    let res = run("admin", json!({"today": "2026-11-28"})).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["today"], "2026-11-28");
    assert_eq!(done["retention_months"], 12);
    assert_eq!(done["workers_purged"], 1);
    // Housed since 1 June unregistered: more than 4 months by 28 November.
    assert_eq!(done["flags_set"], 1);
    // The old stay is still there, without its worker; the running one keeps its worker.
    let old = app.store.stay(&actor, &all, old).await.unwrap();
    assert_eq!((old.worker_id, old.worker_reference.as_deref(), old.nationality.as_str()), (None, None, "RO"));
    let now = app.store.stay(&actor, &all, now).await.unwrap();
    assert_eq!(now.worker_reference.as_deref(), Some("W-NOW-1"));
    assert!(now.unregistered_long);
    let again: Value = run("admin", json!({"today": "2026-11-28"})).await.unwrap().json().await.unwrap();
    assert_eq!((again["workers_purged"].clone(), again["flags_set"].clone()), (json!(0), json!(0)));
    app.finish().await;
}

db_tests!(maintenance_purges_and_flags_for_administrators_only);
