//! Occupancy over real HTTP, on SQLite and PostgreSQL: the push API (a result per event,
//! re-sent batches change nothing, malformed events and CSV files named by event and line),
//! parallel requests for one bed, the bed board with worker data only for the roles that
//! may see it (and those reads logged), corrections, and the board's forms in a browser
//! session.

mod common;

use common::TestApp;
use flexwonen_store::db_tests;
use flexwonen_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The bed ids of a location, in order.
async fn beds(app: &TestApp, location: i64) -> Vec<i64> {
    let res = app.api(Method::GET, &format!("/api/v1/locations/{location}"), Some("admin")).send().await.unwrap();
    let l: Value = res.json().await.unwrap();
    l["rooms"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["beds"].as_array().unwrap().iter().map(|b| b["id"].as_i64().unwrap()))
        .collect()
}

fn check_in(id: &str, bed: i64, reference: &str, date: &str) -> Value {
    json!({"id": id, "type": "check_in", "date": date, "bed_id": bed,
        "worker": {"reference": reference, "nationality": "RO", "registration": "rni", "registered_on": "2026-01-02"},
        "terms": {"separate_contract": true, "rent_per_week": 105.0, "notice_days": 14}})
}

async fn push(app: &TestApp, user: &str, events: Value) -> (StatusCode, Value) {
    let res = app
        .api(Method::POST, "/api/v1/occupancy/events", Some(user))
        .json(&json!({"events": events}))
        .send()
        .await
        .unwrap();
    (res.status(), res.json().await.unwrap())
}

fn results(body: &Value) -> Vec<(String, String)> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let detail = r["errors"]
                .get(0)
                .map_or(String::new(), |e| format!("{}:{}", e["field"].as_str().unwrap(), e["code"].as_str().unwrap()));
            (r["result"].as_str().unwrap().to_string(), detail)
        })
        .collect()
}

async fn board(app: &TestApp, user: Option<&str>, location: i64, date: &str) -> (StatusCode, Value) {
    let res =
        app.api(Method::GET, &format!("/api/v1/locations/{location}/beds?date={date}"), user).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

async fn pushed_batches_give_a_result_per_event_and_apply_once(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let b = beds(&app, app.westland).await;
    let other = beds(&app, app.den_haag).await;
    let batch = json!([
        check_in("e-1", b[0], "R-1", "2026-03-01"),
        check_in("e-2", b[0], "R-2", "2026-03-05"),
        {"id": "e-3", "type": "move", "date": "2026-03-01"},
        5,
        check_in("e-4", other[0], "R-4", "2026-03-01"),
        {"id": "e-5", "type": "check_out", "date": "2026-04-01", "worker_reference": "R-1"},
        {"id": "e-6", "type": "check_in", "date": "2026-04-01", "bed_id": b[0], "worker": {"reference": "R-6", "nationality": "BG", "registration": "none", "bsn": "123456789"},
            "terms": {"separate_contract": true, "rent_per_week": 100.0, "notice_days": 7}},
        {"id": "e-7", "type": "check_in", "date": "2026-04-01", "bed_id": b[1], "worker": {"reference": "R-7", "nationality": "BG", "registration": "none", "bsn": "111222333"},
            "terms": {"separate_contract": true, "rent_per_week": 100.0, "notice_days": 7, "surprise": 1}},
    ]);
    let (status, body) = push(&app, "provider", batch.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        results(&body),
        [
            ("applied".into(), String::new()),
            ("rejected".into(), "bed_id:bed_taken".into()),
            ("rejected".into(), "type:invalid_choice".into()),
            ("rejected".into(), "body:invalid_value".into()),
            ("rejected".into(), "bed_id:unknown_bed".into()),
            ("applied".into(), String::new()),
            ("rejected".into(), "worker.bsn:invalid_bsn".into()),
            ("rejected".into(), "terms.surprise:invalid_value".into()),
        ]
    );
    assert_eq!((body["applied"].as_i64(), body["rejected"].as_i64()), (Some(2), Some(6)));
    assert_eq!(body["results"][0]["id"], "e-1");

    // The same batch again: the applied events are duplicates, nothing changes.
    let (_, again) = push(&app, "provider", batch).await;
    assert_eq!(again["results"][0]["result"], "duplicate");
    assert_eq!(again["results"][0]["stay_id"], body["results"][0]["stay_id"]);
    assert_eq!((again["applied"].as_i64(), again["duplicates"].as_i64()), (Some(0), Some(2)));
    let (_, after) = board(&app, Some("provider"), app.westland, "2026-04-15").await;
    assert_eq!(
        (after["free"].as_i64(), after["occupied"].as_i64(), after["reserved"].as_i64()),
        (Some(2), Some(0), Some(0))
    );

    // Who may push: tokens of roles that record stays; never a browser session.
    let (status, _) = push(&app, "ministry", json!([check_in("m-1", b[1], "M-1", "2026-03-01")])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let browser = app.login("provider").await;
    let res = app
        .client
        .post(app.url("/api/v1/occupancy/events"))
        .header("cookie", &browser.cookie)
        .json(&json!({"events": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .api(Method::POST, "/api/v1/occupancy/events", Some("provider"))
        .body("{\"events\": [")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // The bed board: the first bed is free again from 2026-04-01, taken before.
    let (_, on_march) = board(&app, Some("provider"), app.westland, "2026-03-15").await;
    assert_eq!(on_march["beds"][0]["state"], "occupied");
    assert_eq!(on_march["beds"][0]["stay"]["worker_reference"], "R-1");
    assert_eq!(on_march["occupied"], 1);
    let (_, on_april) = board(&app, Some("provider"), app.westland, "2026-04-01").await;
    assert_eq!(on_april["beds"][0]["state"], "free");
    let (_, before) = board(&app, Some("provider"), app.westland, "2026-02-01").await;
    assert_eq!(before["beds"][0]["state"], "reserved");
    app.finish().await;
}

async fn csv_uploads_are_answered_per_line(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let b = beds(&app, app.westland).await;
    let header = flexwonen_core::occupancy_events::CSV_COLUMNS.join(",");
    let csv = format!(
        "{header}\nc-1,check_in,2026-05-01,{},C-1,PL,,none,,,,ja,,99.50,14,,,,\nc-2,check_in,2026-05-01,{},C-2,PL,,none,,,,ja,,veel,14,,,,\n",
        b[0], b[1]
    );
    let send = |body: Vec<u8>| {
        app.api(Method::POST, "/api/v1/occupancy/events", Some("provider"))
            .header("content-type", "text/csv; charset=utf-8")
            .body(body)
            .send()
    };
    let res = send(csv.clone().into_bytes()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["results"][0]["result"], "applied");
    assert_eq!(body["results"][1]["line"], 3);
    assert_eq!(body["results"][1]["errors"][0]["field"], "rent_per_week");

    // A file in Latin-1: one clear error with its line, nothing applied.
    let latin1 = [
        header.as_bytes(),
        format!("\nc-9,check_in,2026-05-01,{},Caf\u{e9},PL,,none,,,,ja,,99,14,,,,\n", b[1]).as_bytes(),
    ]
    .concat()
    .into_iter()
    .flat_map(|byte| {
        if byte == 0xc3 {
            vec![]
        } else if byte == 0xa9 {
            vec![0xe9]
        } else {
            vec![byte]
        }
    })
    .collect::<Vec<u8>>();
    let res = send(latin1).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["fields"][0]["field"], "line 2: file");
    assert_eq!(body["error"]["fields"][0]["code"], "not_utf8");
    let (_, after) = board(&app, Some("provider"), app.westland, "2026-05-02").await;
    assert_eq!(
        (after["beds"][0]["state"].as_str(), after["beds"][1]["state"].as_str()),
        (Some("occupied"), Some("free"))
    );
    app.finish().await;
}

async fn parallel_requests_for_one_bed_let_exactly_one_through(db: TestDb) {
    let app = std::sync::Arc::new(TestApp::spawn(db).await);
    let bed = beds(&app, app.westland).await[0];
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                push(&app, "provider", json!([check_in(&format!("p-{i}"), bed, &format!("P-{i}"), "2026-06-01")])).await
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for t in tasks {
        let (status, body) = t.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        outcomes.push(results(&body).remove(0));
    }
    assert_eq!(outcomes.iter().filter(|o| o.0 == "applied").count(), 1, "{outcomes:?}");
    assert!(outcomes.iter().filter(|o| o.0 != "applied").all(|o| o.1 == "bed_id:bed_taken"), "{outcomes:?}");
    let app = std::sync::Arc::into_inner(app).unwrap();
    app.finish().await;
}

async fn worker_data_reaches_only_roles_that_may_see_it_and_reads_are_logged(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let b = beds(&app, app.westland).await;
    let (_, body) = push(&app, "provider", json!([check_in("w-1", b[0], "W-1", "2026-03-01")])).await;
    let stay_id = body["results"][0]["stay_id"].as_i64().unwrap();
    let reads = || async { app.store.worker_reads(100).await.unwrap().len() };
    let (status, municipality) = board(&app, Some("westland"), app.westland, "2026-03-02").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(municipality["beds"][0]["stay"]["worker_reference"], "W-1");
    assert_eq!(reads().await, 1);
    let (status, region) = board(&app, Some("coordinator"), app.westland, "2026-03-02").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(region["beds"][0]["state"], "occupied");
    assert!(region["beds"][0].get("stay").is_none(), "a region sees states, never a worker: {region}");
    assert!(!region.to_string().contains("W-1"));
    assert_eq!(reads().await, 1, "reading no worker data logs nothing");
    assert_eq!(board(&app, None, app.westland, "2026-03-02").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(board(&app, Some("ministry"), app.westland, "2026-03-02").await.0, StatusCode::FORBIDDEN);
    let res = app.api(Method::GET, &format!("/api/v1/stays/{stay_id}"), Some("coordinator")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.api(Method::GET, &format!("/api/v1/stays/{stay_id}"), Some("admin")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let version = res.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(reads().await, 2);
    let log: Value = app
        .api(Method::GET, "/api/v1/occupancy/reads?limit=1", Some("admin"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let last = &log["items"][0];
    assert_eq!(
        (&last["actor"], &last["what"], &last["subject_id"], &last["records"]),
        (&json!("admin"), &json!("stay"), &json!(stay_id), &json!(1))
    );

    // A correction, by version: the stay began earlier than recorded.
    let put = |body: Value, version: &str| {
        app.api(Method::PUT, &format!("/api/v1/stays/{stay_id}"), Some("provider"))
            .header("if-match", version.to_string())
            .json(&body)
            .send()
    };
    let res =
        put(json!({"bed_id": b[0], "check_in": "2026-03-10", "check_out": "2026-03-05"}), &version).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = put(json!({"bed_id": b[0], "check_in": "2026-02-20"}), &version).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let corrected: Value = res.json().await.unwrap();
    assert_eq!(corrected["check_in"], "2026-02-20");
    let res = put(json!({"bed_id": b[0], "check_in": "2026-02-21"}), &version).await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    app.finish().await;
}

async fn a_provider_checks_in_and_out_on_the_bed_board_page(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let b = beds(&app, app.westland).await;
    let browser = app.login("provider").await;
    let path = format!("/locations/{}/beds", app.westland);
    let page = browser.get(&path).await.text().await.unwrap();
    assert!(page.contains("Inchecken") && page.contains("vrij"), "the board offers a check-in");
    let bed = b[1].to_string();
    let today = chrono::Utc::now().date_naive().to_string();
    let fields = |nationality: &'static str| {
        vec![
            ("type", "check_in".to_string()),
            ("bed_id", bed.clone()),
            ("date", today.clone()),
            ("reference", "F-1".to_string()),
            ("nationality", nationality.to_string()),
            ("registration", "none".to_string()),
            ("separate_contract", "ja".to_string()),
            ("rent_per_week", "95".to_string()),
            ("notice_days", "14".to_string()),
        ]
    };
    let as_refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
    let bad = as_refs(&fields("XX"));
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = browser.post(&path, &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Dit is geen landcode"));
    let good = as_refs(&fields("pl"));
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let res = browser.post(&path, &good).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = browser.get(res.headers()["location"].to_str().unwrap()).await.text().await.unwrap();
    assert!(page.contains("Ingecheckt.") && page.contains("F-1") && page.contains("Polen (PL)"));
    // The same bed again is refused with the reason, in Dutch.
    let mut again = good.clone();
    again.iter_mut().for_each(|f| {
        if f.0 == "reference" {
            f.1 = "F-2"
        }
    });
    let res = browser.post(&path, &again).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Dit bed is in die periode al bezet."));
    // The municipality's coordinator sees the board without workers, and no forms.
    let coordinator = app.login("coordinator").await;
    let page = coordinator.get(&path).await.text().await.unwrap();
    assert!(page.contains("bezet") && !page.contains("F-1") && !page.contains("Inchecken"));
    app.finish().await;
}

async fn a_provider_uploads_a_csv_file_and_sees_a_result_per_line(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let b = beds(&app, app.westland).await;
    let browser = app.login("provider").await;
    let header = flexwonen_core::occupancy_events::CSV_COLUMNS.join(",");
    let csv = format!(
        "{header}\nu-1,check_in,2026-05-01,{},U-1,PL,,none,,,,ja,,99,14,,,,\nu-2,check_in,2026-05-01,{},U-2,XX,,none,,,,ja,,99,14,,,,\n",
        b[0], b[1]
    );
    let upload = |bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", browser.csrf.clone())
            .part("file", reqwest::multipart::Part::bytes(bytes).file_name("bezetting.csv"));
        app.client.post(app.url("/bezetting/upload")).header("cookie", &browser.cookie).multipart(form).send()
    };
    let res = upload(csv.clone().into_bytes()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let page = res.text().await.unwrap();
    assert!(page.contains("verwerkt: 1") && page.contains("afgewezen: 1"), "counts on the page");
    assert!(page.contains("Dit is geen landcode"), "the refused line says why, in Dutch");
    // The same file again: nothing new.
    let page = upload(csv.into_bytes()).await.unwrap().text().await.unwrap();
    assert!(page.contains("al eerder verwerkt: 1"));
    let (_, after) = board(&app, Some("provider"), app.westland, "2026-05-02").await;
    assert_eq!(after["occupied"], 1);
    // A file that is not UTF-8: one error with its line, nothing applied.
    let res = upload([header.as_bytes(), b"\nu-3,check_in,2026-05-01,1,W\xe9,PL\n"].concat()).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Regel 2"));
    // The public is sent to sign in; a region may not upload.
    let res = app.client.get(app.url("/bezetting/upload")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let coordinator = app.login("coordinator").await;
    assert_eq!(coordinator.get("/bezetting/upload").await.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

db_tests!(
    a_provider_uploads_a_csv_file_and_sees_a_result_per_line,
    pushed_batches_give_a_result_per_event_and_apply_once,
    csv_uploads_are_answered_per_line,
    parallel_requests_for_one_bed_let_exactly_one_through,
    worker_data_reaches_only_roles_that_may_see_it_and_reads_are_logged,
    a_provider_checks_in_and_out_on_the_bed_board_page,
);
