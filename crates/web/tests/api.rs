//! The JSON API over real HTTP, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, location_json};
use flexwonen_store::db_tests;
use flexwonen_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn error_of(res: reqwest::Response) -> (StatusCode, Value) {
    let status = res.status();
    let body: Value = res.json().await.expect("errors are JSON");
    assert!(
        body["error"]["code"].is_string() && body["error"]["message"].is_string() && body["error"]["fields"].is_array(),
        "error shape: {body}"
    );
    (status, body["error"].clone())
}

/// new_build, in_use_since, conversion_permit, bedroom_sharing_agreed, first_responsible
fn norm_facts(location: &Value) -> Value {
    json!([
        location["new_build"],
        location["in_use_since"],
        location["conversion_permit"],
        location["bedroom_sharing_agreed"],
        location["first_responsible"]
    ])
}

async fn total(app: &TestApp) -> i64 {
    let res = app.api(Method::GET, "/api/v1/locations", Some("admin")).send().await.unwrap();
    res.json::<Value>().await.unwrap()["total"].as_i64().unwrap()
}

async fn crud_with_optimistic_concurrency(db: TestDb) {
    let app = TestApp::spawn(db).await;
    // The list is asked twice (the second answer may come from memory), then again after
    // the change below: it must show the change at once.
    assert_eq!((total(&app).await, total(&app).await), (3, 3));
    let mut body = location_json("2672 CD", 7, "GM1783", Some(app.provider_id));
    body["new_build"] = json!(true);
    body["in_use_since"] = json!("2025-09-01");
    body["bedroom_sharing_agreed"] = json!(true);
    body["first_responsible"] = json!(true);
    let res = app.api(Method::POST, "/api/v1/locations", Some("admin")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    assert_eq!((etag.as_str(), created["version"].as_i64()), ("\"1\"", Some(1)));
    assert_eq!(created["bed_count"], 2);
    assert_eq!(norm_facts(&created), json!([true, "2025-09-01", false, true, true]));
    let id = created["id"].as_i64().unwrap();
    assert_eq!(total(&app).await, 4, "a cached list never hides a change");

    let mut change = body.clone();
    change["floor_area_m2"] = json!(95.5);
    change["in_use_since"] = json!(null);
    change["conversion_permit"] = json!(true);
    change["rooms"][0]["id"] = created["rooms"][0]["id"].clone();
    change["rooms"][0]["beds"][0]["id"] = created["rooms"][0]["beds"][0]["id"].clone();
    let path = format!("/api/v1/locations/{id}");
    let res = app.api(Method::PUT, &path, Some("admin")).json(&change).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_REQUIRED, "a change must say which version it changes");
    let res = app.api(Method::PUT, &path, Some("admin")).header("if-match", &etag).json(&change).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let updated: Value = res.json().await.unwrap();
    assert_eq!((updated["version"].as_i64(), updated["floor_area_m2"].as_f64()), (Some(2), Some(95.5)));
    assert_eq!(updated["rooms"][0]["beds"][0]["id"], created["rooms"][0]["beds"][0]["id"], "bed ids survive an update");
    assert_eq!(norm_facts(&updated), json!([true, null, true, true, true]));

    // The same stale version again: 409, and the stored record is unchanged.
    change["floor_area_m2"] = json!(60.0);
    let (status, err) = error_of(
        app.api(Method::PUT, &path, Some("admin")).header("if-match", &etag).json(&change).send().await.unwrap(),
    )
    .await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::CONFLICT, Some("version_conflict")));
    let now: Value = app.api(Method::GET, &path, Some("admin")).send().await.unwrap().json().await.unwrap();
    assert_eq!(now["floor_area_m2"].as_f64(), Some(95.5));
    assert_eq!(norm_facts(&now), norm_facts(&updated), "what was read back is what was stored");

    // The version may also travel in the body.
    change["version"] = json!(2);
    assert_eq!(app.api(Method::PUT, &path, Some("admin")).json(&change).send().await.unwrap().status(), StatusCode::OK);

    let audit: Value =
        app.api(Method::GET, &format!("{path}/audit"), Some("admin")).send().await.unwrap().json().await.unwrap();
    assert_eq!(audit["total"], 3);
    assert_eq!(audit["items"][0]["actor"], "admin");
    assert_eq!(audit["items"][1]["before"]["floor_area_m2"].as_f64(), Some(80.0));
    assert_eq!(audit["items"][1]["after"]["floor_area_m2"].as_f64(), Some(95.5));

    let res = app.api(Method::DELETE, &path, Some("admin")).header("if-match", "\"1\"").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = app.api(Method::DELETE, &path, Some("admin")).header("if-match", "\"3\"").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.api(Method::GET, &path, Some("admin")).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    // A body without the facts gets no and unknown.
    let mut plain = location_json("2672 CD", 8, "GM1783", None);
    for key in ["new_build", "in_use_since", "conversion_permit", "bedroom_sharing_agreed", "first_responsible"] {
        plain.as_object_mut().unwrap().remove(key);
    }
    let res = app.api(Method::POST, "/api/v1/locations", Some("admin")).json(&plain).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(norm_facts(&res.json().await.unwrap()), json!([false, null, false, false, false]));
    app.finish().await;
}

async fn parallel_updates_never_lose_one(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let path = format!("/api/v1/locations/{}", app.westland);
    let current: Value = app.api(Method::GET, &path, Some("admin")).send().await.unwrap().json().await.unwrap();
    let send = |area: f64| {
        let mut body = location_json("2671AB", 1, "GM1783", Some(app.provider_id));
        body["floor_area_m2"] = json!(area);
        body["rooms"] = current["rooms"].clone();
        for room in body["rooms"].as_array_mut().unwrap() {
            let obj = room.as_object_mut().unwrap();
            for key in ["beds"] {
                for bed in obj[key].as_array_mut().unwrap() {
                    bed.as_object_mut().unwrap().remove("in_service");
                }
            }
        }
        app.api(Method::PUT, &path, Some("admin")).header("if-match", "\"1\"").json(&body).send()
    };
    let (a, b) = tokio::join!(send(81.0), send(82.0));
    let mut statuses = [a.unwrap().status(), b.unwrap().status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let now: Value = app.api(Method::GET, &path, Some("admin")).send().await.unwrap().json().await.unwrap();
    assert_eq!(now["version"], 2);
    app.finish().await;
}

async fn bad_input_is_refused_with_the_field_named(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let before = total(&app).await;
    let post = |body: reqwest::Body, ct: &str| {
        app.api(Method::POST, "/api/v1/locations", Some("admin")).header("content-type", ct).body(body).send()
    };
    let good = location_json("2673 EF", 3, "GM1783", None);

    let (s, e) = error_of(post("{\"address\": ".into(), "application/json").await.unwrap()).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::BAD_REQUEST, Some("malformed_json")));

    let (s, e) = error_of(post(good.to_string().into(), "text/plain").await.unwrap()).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type")));

    // The server answers 413 before it has read the body, and then closes the connection:
    // the client must not send the next request on it.
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(flexwonen_web::MAX_BODY_BYTES + 10));
    let res = app
        .api(Method::POST, "/api/v1/locations", Some("admin"))
        .header("content-type", "application/json")
        .header("connection", "close")
        .body(big)
        .send()
        .await
        .unwrap();
    let (s, e) = error_of(res).await;
    assert_eq!((s, e["code"].as_str()), (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large")));

    let mut unknown = good.clone();
    unknown["address"]["colour"] = json!("red");
    let (s, e) = error_of(post(unknown.to_string().into(), "application/json").await.unwrap()).await;
    assert_eq!((s, e["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("address.colour")));
    assert!(e["fields"][0]["message"].as_str().unwrap().contains("colour"));

    let mut wrong_type = good.clone();
    wrong_type["address"]["house_number"] = json!("twelve");
    let (s, e) = error_of(post(wrong_type.to_string().into(), "application/json").await.unwrap()).await;
    assert_eq!((s, e["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("address.house_number")));

    let mut bad = good.clone();
    bad["address"]["postcode"] = json!("0123 AB");
    bad["address"]["house_number"] = json!(100_000);
    bad["floor_area_m2"] = json!(-4);
    bad["bag_vbo_id"] = json!("0518010000000001");
    bad["municipality_code"] = json!("GM1783");
    let (s, e) = error_of(post(bad.to_string().into(), "application/json").await.unwrap()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["address.postcode", "address.house_number", "bag_vbo_id", "floor_area_m2"]);

    // A date that is not one, one before 1900 and one of the wrong type: each named.
    for (date, code) in [
        (json!("1-9-2025"), "invalid_date"),
        (json!("2025-02-30"), "invalid_date"),
        (json!("1899-12-31"), "date_too_early"),
        (json!(20250901), "invalid_value"),
    ] {
        let mut bad_date = good.clone();
        bad_date["in_use_since"] = date.clone();
        let (s, e) = error_of(post(bad_date.to_string().into(), "application/json").await.unwrap()).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{date}");
        assert_eq!(
            (e["fields"][0]["field"].as_str(), e["fields"][0]["code"].as_str()),
            (Some("in_use_since"), Some(code))
        );
        assert_eq!(e["fields"].as_array().unwrap().len(), 1, "{e}");
    }

    let mut unknown_municipality = good.clone();
    unknown_municipality["municipality_code"] = json!("GM9998");
    let (s, e) = error_of(post(unknown_municipality.to_string().into(), "application/json").await.unwrap()).await;
    assert_eq!((s, e["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_municipality")));

    let mut bad_kvk_operator = good.clone();
    bad_kvk_operator["operator_id"] = json!(999_999);
    let (_, e) = error_of(post(bad_kvk_operator.to_string().into(), "application/json").await.unwrap()).await;
    assert_eq!(e["fields"][0]["field"], "operator_id");

    let duplicate = location_json("2671 ab", 1, "GM1783", None);
    let (s, e) = error_of(post(duplicate.to_string().into(), "application/json").await.unwrap()).await;
    assert_eq!((s, e["fields"][0]["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("duplicate_address")));

    let (s, _) =
        error_of(app.api(Method::GET, "/api/v1/locations?per_page=0", Some("admin")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, e) =
        error_of(app.api(Method::GET, "/api/v1/locations?housing_form=z", Some("admin")).send().await.unwrap()).await;
    assert_eq!((s, e["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("housing_form")));
    let (s, _) = error_of(app.api(Method::GET, "/api/v1/nothing-here", Some("admin")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = error_of(app.api(Method::GET, "/api/v1/locations/abc", Some("admin")).send().await.unwrap()).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) =
        error_of(app.client.get(app.url("/api/v1/locations")).bearer_auth("fw_not-a-token").send().await.unwrap())
            .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);

    assert_eq!(total(&app).await, before, "no bad request wrote anything");
    assert_eq!(app.store.totals(None).await.unwrap().total().locations, before);
    app.finish().await;
}

async fn lists_filter_sort_and_page(db: TestDb) {
    let app = TestApp::spawn(db).await;
    for n in 2..=12 {
        let body = location_json("2671 AB", n, "GM1783", Some(app.provider_id));
        assert_eq!(
            app.api(Method::POST, "/api/v1/locations", Some("provider")).json(&body).send().await.unwrap().status(),
            StatusCode::CREATED
        );
    }
    let page: Value = app
        .api(Method::GET, "/api/v1/locations?municipality_code=GM1783&per_page=5&page=3", Some("westland"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((page["total"].as_i64(), page["items"].as_array().unwrap().len()), (Some(12), 2));
    let mine: Value = app
        .api(Method::GET, "/api/v1/locations?sort=-beds", Some("provider"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(mine["items"].as_array().unwrap().iter().all(|l| l["operator_id"].as_i64() == Some(app.provider_id)));
    let regions: Value =
        app.api(Method::GET, "/api/v1/regions?kind=province", None).send().await.unwrap().json().await.unwrap();
    assert_eq!(regions["total"], 12);
    let munis: Value =
        app.api(Method::GET, "/api/v1/municipalities?per_page=500", None).send().await.unwrap().json().await.unwrap();
    assert_eq!((munis["total"].as_i64(), munis["items"].as_array().unwrap().len()), (Some(342), 342));
    let orgs: Value =
        app.api(Method::GET, "/api/v1/organisations?q=91111111", None).send().await.unwrap().json().await.unwrap();
    assert_eq!(orgs["items"][0]["name"], "Eigen Huisvesting B.V.");
    let stats: Value = app.api(Method::GET, "/api/v1/stats", None).send().await.unwrap().json().await.unwrap();
    assert_eq!(stats["total"]["locations"], 14);
    assert_eq!(stats["by_municipality"]["GM1783"]["beds"], 24);
    assert!(stats["as_of"].is_string() && stats["source"].is_string());
    app.finish().await;
}

/// Every operation in the OpenAPI document is served: none answers "no such route" (404
/// from the fallback) or 405.
async fn openapi_document_matches_the_routes(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let doc: Value = app.api(Method::GET, "/api/v1/openapi.json", None).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["openapi"], "3.0.3");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 7);
    let mut checked = 0;
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            let real = path.replace("{id}", &app.den_haag.to_string());
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let mut rb = app.api(m.clone(), &format!("/api/v1{real}"), Some("admin"));
            if m == Method::POST || m == Method::PUT {
                rb = rb.json(&json!({}));
            }
            let res = rb.send().await.unwrap();
            let status = res.status();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            if status == StatusCode::NOT_FOUND {
                let body: Value = res.json().await.unwrap();
                assert_ne!(body["error"]["code"], "no_route", "{method} {path} is documented but not routed");
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "checked {checked} operations");
    // And the undocumented is not served.
    assert_eq!(
        app.api(Method::PATCH, &format!("/api/v1/locations/{}", app.den_haag), Some("admin"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
    app.finish().await;
}

async fn health_check(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ok");
    app.finish().await;
}

db_tests!(
    crud_with_optimistic_concurrency,
    parallel_updates_never_lose_one,
    bad_input_is_refused_with_the_field_named,
    lists_filter_sort_and_page,
    openapi_document_matches_the_routes,
    health_check,
);
