//! Inspections over HTTP: the phone form judged by the server without JavaScript, defects
//! and sanctions through the API, who may see and do what, and the administrative check.

mod common;

use common::TestApp;
use flexwonen_core::access::LocationScope;
use flexwonen_core::certificates::CertificateInput;
use flexwonen_store::db_tests;
use flexwonen_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn snf_certificate(app: &TestApp, organisation: i64) -> i64 {
    let draft = CertificateInput {
        organisation_id: organisation,
        scheme: "snf".into(),
        number: format!("SNF-{organisation}"),
        valid_from: "2024-01-01".into(),
        valid_until: None,
    }
    .validate()
    .unwrap();
    app.store.create_certificate(&flexwonen_store::Actor::system("test"), &draft).await.unwrap().id
}

fn id_from(location: &str) -> i64 {
    location.trim_start_matches("/inspections/").parse().unwrap()
}

async fn the_phone_form_says_per_field_whether_the_rule_holds(db: TestDb) {
    let app = TestApp::spawn(db).await;
    snf_certificate(&app, app.other_provider_id).await;
    let b = app.login("inspector").await;
    // Plan through the form: the inspector plans for themselves.
    let venlo = app.venlo.to_string();
    let res = b
        .post(
            "/inspections",
            &[("location_id", &venlo), ("planned_on", "2026-03-10"), ("scheme", "snf"), ("inspector_id", "")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let id = id_from(res.headers()["location"].to_str().unwrap());
    let page = b.get(&format!("/inspections/{id}")).await.text().await.unwrap();
    assert!(page.contains("id=\"inspection-form\"") && page.contains("name=\"persons_present\""));
    assert!(page.contains("/static/inspection.js"), "the script is an external file (CSP)");

    // "Check": 9 persons, one toilet, a 7 m² room with 3 persons. Nothing is saved.
    let form = |action: &'static str, persons: &'static str| {
        vec![
            ("done_on", "2026-03-10"),
            ("floor_area_m2", "100"),
            ("toilets", "1"),
            ("showers", "2"),
            ("beds_counted", "9"),
            ("persons_present", persons),
            ("room_name", "Kamer 1"),
            ("room_area", "7"),
            ("room_persons", "3"),
            ("room_name", "Kamer 2"),
            ("room_area", "20,5"),
            ("room_persons", "4"),
            ("room_name", ""),
            ("room_area", ""),
            ("room_persons", ""),
            ("finding_text", "Tweede toilet ontbreekt"),
            ("finding_constraint", "persons_per_toilet"),
            ("finding_deadline", "2026-04-01"),
            ("action", action),
        ]
    };
    let res = b.post(&format!("/inspections/{id}"), &form("check", "9")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let checks = |field: &str| {
        let marker = format!("data-checks=\"{field}\"");
        let start = html.find(&marker).unwrap_or_else(|| panic!("no checks for {field}"));
        html[start..start + html[start..].find("</ul>").unwrap()].to_string()
    };
    assert!(checks("measurements.toilets").contains("rule-fail"), "{}", checks("measurements.toilets"));
    assert!(checks("measurements.toilets").contains("Personen per toilet"));
    assert!(checks("measurements.floor_area_m2").contains("rule-fail"), "100 m² / 9 is below 12 m²");
    assert!(
        checks("measurements.rooms[0]").contains("rule-fail")
            && checks("measurements.rooms[0]").contains("Slaapkamer per persoon")
    );
    assert!(
        checks("measurements.rooms[1]").contains("rule-ok") && !checks("measurements.rooms[1]").contains("rule-fail")
    );
    assert!(checks("measurements.showers").contains("rule-ok"));
    assert!(
        html.contains("value=\"Tweede toilet ontbreekt\"") || html.contains(">Tweede toilet ontbreekt<"),
        "what was typed is kept"
    );
    let stored = app.store.inspection(&LocationScope::All, id).await.unwrap();
    assert_eq!(stored.status.as_str(), "planned", "checking saves nothing");

    // With 4 persons the toilet rule holds.
    let html = b.post(&format!("/inspections/{id}"), &form("check", "4")).await.text().await.unwrap();
    let start = html.find("data-checks=\"measurements.toilets\"").unwrap();
    let toilets = &html[start..start + html[start..].find("</ul>").unwrap()];
    assert!(toilets.contains("rule-ok") && !toilets.contains("rule-fail"), "{toilets}");

    // A value that is no number is named next to its field, and nothing is saved.
    let mut bad = form("save", "9");
    bad[1] = ("floor_area_m2", "honderd");
    let res = b.post(&format!("/inspections/{id}"), &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"floor_area_m2-error\"") && html.contains("aria-invalid=\"true\""));
    assert_eq!(app.store.inspection(&LocationScope::All, id).await.unwrap().status.as_str(), "planned");

    // The preview endpoint answers the same checks as a fragment (for the script).
    let fragment = b.post(&format!("/inspections/{id}/preview"), &form("check", "9")).await.text().await.unwrap();
    assert!(fragment.starts_with("<form") && fragment.contains("rule-fail"));

    // Save: done, with the verdict and a defect.
    let res = b.post(&format!("/inspections/{id}"), &form("save", "9")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{:?}", res.text().await);
    let done = app.store.inspection(&LocationScope::All, id).await.unwrap();
    assert_eq!(done.status.as_str(), "done");
    assert_eq!(done.defects.len(), 1);
    let page = b.get(&format!("/inspections/{id}")).await.text().await.unwrap();
    assert!(page.contains("Tweede toilet ontbreekt") && page.contains("Getoetst aan de normversies"));
    app.finish().await;
}

async fn defects_and_sanctions_through_the_api(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let certificate = snf_certificate(&app, app.other_provider_id).await;
    let plan = app
        .api(Method::POST, "/api/v1/inspections", Some("inspector"))
        .json(&json!({"location_id": app.venlo, "planned_on": "2026-03-10", "scheme": "snf"}))
        .send()
        .await
        .unwrap();
    assert_eq!(plan.status(), StatusCode::CREATED);
    let id = plan.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let body = json!({"done_on": "2026-03-10",
        "measurements": {"floor_area_m2": 80, "toilets": 1, "showers": 1, "persons_present": 2, "rooms": [{"name": "Kamer 1", "area_m2": 12, "persons": 2}]},
        "findings": [{"text": "Brandblusser verlopen", "deadline": "2026-04-01"}]});
    // A negative area is refused with the field named; nothing changes.
    let mut bad = body.clone();
    bad["measurements"]["rooms"][0]["area_m2"] = json!(-3);
    let res = app
        .api(Method::POST, &format!("/api/v1/inspections/{id}/complete"), Some("inspector"))
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["fields"][0]["field"], "measurements.rooms[0].area_m2");
    let res = app
        .api(Method::POST, &format!("/api/v1/inspections/{id}/complete"), Some("inspector"))
        .header("If-Match", "\"1\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let done: Value = res.json().await.unwrap();
    assert_eq!(done["status"], "done");
    assert_eq!(done["verdict"]["permitted"], 3, "the 12 m² bedroom holds 3 under SNF (3.5 m² each)");
    assert_eq!(done["norms"].as_array().unwrap().len(), 2);
    // The sanction ladder, with dates on both sides.
    let apply = |date: &str| {
        app.api(Method::POST, "/api/v1/sanctions/apply", Some("admin")).json(&json!({"date": date})).send()
    };
    assert_eq!(apply("2026-04-01").await.unwrap().json::<Value>().await.unwrap()["applied"], json!([]));
    let r: Value = apply("2026-04-02").await.unwrap().json().await.unwrap();
    assert_eq!(r["applied"][0]["to"], "suspended");
    assert_eq!(app.store.certificate(certificate).await.unwrap().status.as_str(), "suspended");
    let r: Value = apply("2026-06-01").await.unwrap().json().await.unwrap();
    assert_eq!(r["applied"][0]["to"], "withdrawn");
    // Only administrators apply sanctions.
    let res =
        app.api(Method::POST, "/api/v1/sanctions/apply", Some("inspector")).json(&json!({})).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

async fn access_follows_role_and_region(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let actor = flexwonen_store::Actor::system("test");
    let plan = |location: i64| flexwonen_core::inspections::PlanInput {
        location_id: location,
        planned_on: "2026-05-01".into(),
        scheme: Some("snf".into()),
        inspector_id: None,
    };
    let den_haag = app
        .store
        .plan_inspection(&actor, &LocationScope::All, &plan(app.den_haag).validate().unwrap())
        .await
        .unwrap()
        .id;
    let westland = app
        .store
        .plan_inspection(&actor, &LocationScope::All, &plan(app.westland).validate().unwrap())
        .await
        .unwrap()
        .id;
    // The inspector of Limburg: Den Haag is out of reach, over the API and on the page.
    let res = app.api(Method::GET, &format!("/api/v1/inspections/{den_haag}"), Some("inspector")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let b = app.login("inspector").await;
    assert_eq!(b.get(&format!("/inspections/{den_haag}")).await.status(), StatusCode::NOT_FOUND);
    let res = b.post(&format!("/inspections/{den_haag}"), &[("action", "check"), ("done_on", "2026-05-01")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = app
        .api(Method::POST, "/api/v1/inspections", Some("inspector"))
        .json(&json!({"location_id": app.den_haag, "planned_on": "2026-05-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["fields"][0]["field"], "location_id");
    // The provider reads its own location's inspection, but records none.
    let res = app.api(Method::GET, &format!("/api/v1/inspections/{westland}"), Some("provider")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.api(Method::GET, &format!("/api/v1/inspections/{den_haag}"), Some("provider"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .api(Method::POST, &format!("/api/v1/inspections/{westland}/cancel"), Some("provider"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // The municipality of Westland reads Westland only.
    let list: Value =
        app.api(Method::GET, "/api/v1/inspections", Some("westland")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["total"], 1);
    // The ministry and the public see nothing.
    assert_eq!(
        app.api(Method::GET, "/api/v1/inspections", Some("ministry")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(Method::GET, "/api/v1/inspections", None).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app.client.get(app.url("/inspections")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the public is sent to sign in");
    assert_eq!(b.get("/inspections").await.status(), StatusCode::OK);
    app.finish().await;
}

async fn the_administrative_check_names_bad_lines_and_changes_nothing(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let b = app.login("provider").await;
    let trail = || app.store.audit_trail("organisation", app.provider_id);
    let before = trail().await.unwrap().len();
    let res = b.post("/admin-check", &[("csv", "postcode,house_number\n2671AB,1\n2671AB,een\n")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("regel 3, house_number"), "the bad line is named");
    assert_eq!(trail().await.unwrap().len(), before, "nothing recorded");
    let res = b.post("/admin-check", &[("csv", "postcode;house_number;house_letter\n2671 AB;1;\n2671AB;7;b\n")]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let list = &html[html.find("id=\"unregistered\"").unwrap()..];
    assert!(list.contains("2671 AB 7b") && !list[..list.find("</ul>").unwrap()].contains("2671 AB 1<"));
    assert_eq!(trail().await.unwrap().len(), before + 1, "the check itself is audited");
    assert_eq!(app.store.totals(None).await.unwrap().total().locations, 3, "no location changed");
    // Over the API, as CSV; the provider can check only its own list.
    let res = app
        .api(Method::POST, &format!("/api/v1/admin-check?organisation_id={}", app.other_provider_id), Some("provider"))
        .header("content-type", "text/csv")
        .body("postcode,house_number\n2511AB,1\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .api(Method::POST, "/api/v1/admin-check", Some("provider"))
        .header("content-type", "text/csv")
        .body("postcode,house_number\n9999ZZ,1\n")
        .send()
        .await
        .unwrap();
    let check: Value = res.json().await.unwrap();
    assert_eq!(check["unregistered"][0]["line"], 2);
    assert_eq!(check["not_listed"].as_array().unwrap().len(), 1);
    // The inspector may not run it.
    let i = app.login("inspector").await;
    assert_eq!(i.get("/admin-check").await.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

/// Posts the check's form as a browser does: multipart, with `csv` as the uploaded file.
async fn upload(b: &common::Browser, csrf: Option<&str>, csv: Vec<u8>) -> reqwest::Response {
    let file = reqwest::multipart::Part::bytes(csv).file_name("adressen.csv").mime_str("text/csv").unwrap();
    let mut form = reqwest::multipart::Form::new().text("csv", "").part("file", file);
    if let Some(token) = csrf {
        form = form.text("csrf", token.to_string());
    }
    b.client.post(format!("{}/admin-check", b.base)).header("cookie", &b.cookie).multipart(form).send().await.unwrap()
}

async fn the_administrative_check_takes_an_uploaded_file(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let b = app.login("provider").await;
    let form = b.get("/admin-check").await.text().await.unwrap();
    assert!(form.contains("enctype=\"multipart/form-data\"") && form.contains("type=\"file\""));
    let trail = || app.store.audit_trail("organisation", app.provider_id);
    let before = trail().await.unwrap().len();
    let csrf = Some(b.csrf.as_str());
    // One registered address, one unregistered, one bad line: the bad line is named.
    let res =
        upload(&b, csrf, b"postcode,house_number,house_letter\n2671AB,1,\n2671AB,7,b\n2671AB,een,\n".to_vec()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("regel 4, house_number"), "the bad line is named");
    assert_eq!(trail().await.unwrap().len(), before, "nothing recorded");
    // Without the bad line the unregistered address is listed, the registered one not.
    let res = upload(&b, csrf, b"postcode,house_number,house_letter\n2671AB,1,\n2671AB,7,b\n".to_vec()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    let list = &html[html.find("id=\"unregistered\"").unwrap()..];
    let list = &list[..list.find("</ul>").unwrap()];
    assert!(list.contains("2671 AB 7b") && list.contains("regel 3") && !list.contains("2671 AB 1<"));
    assert_eq!(trail().await.unwrap().len(), before + 1, "the check itself is audited");
    // Without the CSRF token: refused, nothing checked.
    let res = upload(&b, None, b"postcode,house_number\n2671AB,7\n".to_vec()).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(trail().await.unwrap().len(), before + 1, "the refused post is not checked");
    // A file that is not UTF-8, and neither a file nor a pasted list: said next to the field.
    let res = upload(&b, csrf, b"postcode,house_number\n2671AB,\xff\n".to_vec()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("id=\"file-error\">Het bestand is geen tekst in UTF-8"));
    let res = upload(&b, csrf, Vec::new()).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("id=\"file-error\">Kies een CSV-bestand of plak de adreslijst."));
    assert_eq!(trail().await.unwrap().len(), before + 1, "nothing checked");
    // A file above the body limit: 413, whether the length is announced (answered before
    // the body is read) or the body is streamed without one (the page says so).
    let boundary = "fwboundary";
    let mut body = format!(
        "--{boundary}\r\ncontent-disposition: form-data; name=\"csrf\"\r\n\r\n{}\r\n--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"groot.csv\"\r\n\r\n",
        b.csrf
    )
    .into_bytes();
    body.extend_from_slice(&vec![b'1'; flexwonen_web::MAX_BODY_BYTES + 10]);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let head = |framing: String| {
        format!(
            "POST /admin-check HTTP/1.1\r\nhost: x\r\ncookie: {}\r\ncontent-type: multipart/form-data; boundary={boundary}\r\n{framing}connection: close\r\n\r\n",
            b.cookie
        )
        .into_bytes()
    };
    let addr = app.base.trim_start_matches("http://");
    let response = raw_request(addr, head(format!("content-length: {}\r\n", body.len())), body.clone()).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{}", &response[..response.len().min(200)]);
    assert!(response.contains("groter dan 1 MB"), "a page, not the limit's plain text");
    let mut chunked = format!("{:x}\r\n", body.len()).into_bytes();
    chunked.extend_from_slice(&body);
    chunked.extend_from_slice(b"\r\n0\r\n\r\n");
    let response = raw_request(addr, head("transfer-encoding: chunked\r\n".into()), chunked).await;
    assert!(response.starts_with("HTTP/1.1 413"), "{}", &response[..response.len().min(200)]);
    assert!(response.contains("Het bestand is groter dan 1 MB"));
    assert_eq!(trail().await.unwrap().len(), before + 1, "nothing checked");
    app.finish().await;
}

/// Sends `head` and `body` over a fresh connection (the server may answer and close before
/// the body is all sent) and returns the whole response as text.
async fn raw_request(addr: &str, head: Vec<u8>, body: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut read, mut write) = stream.split();
    let send = async {
        let _ = write.write_all(&head).await;
        let _ = write.write_all(&body).await;
    };
    let mut response = Vec::new();
    let (_, received) = tokio::join!(send, read.read_to_end(&mut response));
    received.unwrap();
    String::from_utf8_lossy(&response).into_owned()
}

/// The same inspection recorded by two API requests at once: one 200, the other refused
/// (409 with the current version, or 422 "not planned"), and the finding is one defect.
async fn two_parallel_recordings_record_once(db: TestDb) {
    let app = TestApp::spawn(db).await;
    snf_certificate(&app, app.other_provider_id).await;
    let body = json!({"done_on": "2026-03-10",
        "measurements": {"floor_area_m2": 80, "toilets": 1, "showers": 1, "persons_present": 2, "rooms": [{"name": "Kamer 1", "area_m2": 12, "persons": 2}]},
        "findings": [{"text": "Brandblusser verlopen", "deadline": "2026-04-01"}]});
    for round in 0..4 {
        let plan = app
            .api(Method::POST, "/api/v1/inspections", Some("inspector"))
            .json(&json!({"location_id": app.venlo, "planned_on": "2026-03-10", "scheme": "snf"}))
            .send()
            .await
            .unwrap();
        assert_eq!(plan.status(), StatusCode::CREATED);
        let id = plan.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let send = || {
            app.api(Method::POST, &format!("/api/v1/inspections/{id}/complete"), Some("inspector")).json(&body).send()
        };
        let (a, b) = tokio::join!(tokio::spawn(send()), tokio::spawn(send()));
        let mut statuses = vec![a.unwrap().unwrap().status(), b.unwrap().unwrap().status()];
        statuses.sort();
        assert_eq!(statuses[0], StatusCode::OK, "round {round}: {statuses:?}");
        assert!(
            statuses[1] == StatusCode::CONFLICT || statuses[1] == StatusCode::UNPROCESSABLE_ENTITY,
            "round {round}: {statuses:?}"
        );
        let stored = app.store.inspection(&LocationScope::All, id).await.unwrap();
        assert_eq!((stored.status.as_str(), stored.version, stored.defects.len()), ("done", 2, 1), "round {round}");
    }
    assert_eq!(app.store.defects(&LocationScope::All, app.venlo).await.unwrap().len(), 4);
    app.finish().await;
}

/// API changes need a bearer token: a signed-in browser session is told so (403), as
/// everywhere in the API; without any sign-in the answer is 401.
async fn api_changes_need_a_token_not_a_session(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let b = app.login("inspector").await;
    let with_session = |path: &str| b.client.post(app.url(path)).header("cookie", &b.cookie);
    let plan = json!({"location_id": app.venlo, "planned_on": "2026-03-10", "scheme": "snf"});
    let res = with_session("/api/v1/inspections").json(&plan).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("bearer token"));
    let admin = app.login("admin").await;
    let res = admin
        .client
        .post(app.url("/api/v1/sanctions/apply"))
        .header("cookie", &admin.cookie)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app.api(Method::POST, "/api/v1/inspections", None).json(&plan).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    // Reading with the session is fine; nothing was planned.
    let list: Value = b
        .client
        .get(app.url("/api/v1/inspections"))
        .header("cookie", &b.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    // A list's paging and filter are checked like every other list.
    let res = app.api(Method::GET, "/api/v1/inspections?location_id=abc", Some("inspector")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = app.api(Method::GET, "/api/v1/inspections?per_page=0", Some("inspector")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    app.finish().await;
}

db_tests!(
    two_parallel_recordings_record_once,
    api_changes_need_a_token_not_a_session,
    the_phone_form_says_per_field_whether_the_rule_holds,
    defects_and_sanctions_through_the_api,
    access_follows_role_and_region,
    the_administrative_check_names_bad_lines_and_changes_nothing,
    the_administrative_check_takes_an_uploaded_file,
);
