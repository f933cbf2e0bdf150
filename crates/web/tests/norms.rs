//! Norms, permitted capacity and the capacity report over real HTTP, on SQLite and PostgreSQL.

mod common;

use common::{TestApp, location_input};
use flexwonen_core::register::BedInput;
use flexwonen_store::db_tests;
use flexwonen_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn municipal_set(code: &str, municipality: &str, value: f64) -> Value {
    json!({
        "code": code,
        "scheme": "municipal",
        "name": "Ten hoogste personen per woning",
        "municipalities": [municipality],
        "versions": [{
            "valid_from": "2026-01-01",
            "rules": [{"constraint": "max_persons", "value": value, "source": "Raadsbesluit 2025-12"}]
        }]
    })
}

async fn norms_are_public_data_and_municipalities_publish_their_own(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let res = app.api(Method::GET, "/api/v1/norms", None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["total"], 5);
    let snf = body["items"].as_array().unwrap().iter().find(|s| s["code"] == "snf").unwrap();
    let rules = snf["versions"][0]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r["source"].as_str().is_some_and(|s| !s.is_empty()) && r["valid_from"].is_string()));
    assert!(rules.iter().any(|r| r["value"] == 15.0 && r["valid_from"] == "2025-07-01"));

    // Westland publishes a rule for itself; not for Den Haag; the ministry not at all.
    let create =
        |user: &'static str, body: Value| app.api(Method::POST, "/api/v1/norms", Some(user)).json(&body).send();
    let res = create("westland", municipal_set("westland-4", "GM1783", 4.0)).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        create("westland", municipal_set("den-haag-4", "GM0518", 4.0)).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(create("ministry", municipal_set("m-4", "GM1783", 4.0)).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.api(Method::POST, "/api/v1/norms", None)
            .json(&municipal_set("p-4", "GM1783", 4.0))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Bad input names the field and writes nothing.
    let mut bad = municipal_set("westland-bad", "GM1783", -4.0);
    bad["scheme"] = json!("provinciaal");
    bad["versions"][0]["rules"][0]["source"] = json!("");
    let res = create("admin", bad).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = res.json::<Value>().await.unwrap()["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["scheme", "versions[0].rules[0].value", "versions[0].rules[0].source"]);
    let res = app.api(Method::GET, "/api/v1/norms/westland-bad", None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // A new version must start after the last one; then the location in Westland is judged by it.
    let version = |from: &str, value: f64| json!({"valid_from": from, "rules": [{"constraint": "max_persons", "value": value, "source": "Raadsbesluit"}]});
    let post_version =
        |body: Value| app.api(Method::POST, "/api/v1/norms/westland-4/versions", Some("westland")).json(&body).send();
    let res = post_version(version("2025-06-01", 3.0)).await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["fields"][0]["code"], "overlapping_validity");
    // Far enough ahead not to depend on today (a new version may not start in the past).
    assert_eq!(post_version(version("2031-01-01", 1.0)).await.unwrap().status(), StatusCode::CREATED);
    let set: Value = app.api(Method::GET, "/api/v1/norms/westland-4", None).send().await.unwrap().json().await.unwrap();
    assert_eq!(set["versions"][0]["in_force_until"], "2030-12-31");
    let res = app
        .api(Method::POST, "/api/v1/norms/snf/versions", Some("admin"))
        .json(&version("2032-01-01", 4.0))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "built-in sets change through their files");

    let capacity = |date: &'static str| {
        app.api(Method::GET, &format!("/api/v1/locations/{}/capacity?date={date}", app.westland), Some("westland"))
            .send()
    };
    // The Westland location: 80 m², two beds in one 12 m² room.
    let before: Value = capacity("2025-12-31").await.unwrap().json().await.unwrap();
    assert_eq!(before["capacity"]["permitted"], 6, "{before}");
    let during: Value = capacity("2030-12-31").await.unwrap().json().await.unwrap();
    assert_eq!(during["capacity"]["permitted"], 4);
    let after: Value = capacity("2031-01-01").await.unwrap().json().await.unwrap();
    assert_eq!(after["capacity"]["permitted"], 1);
    assert_eq!(after["capacity"]["gap"], 1);
    let westland =
        after["capacity"]["schemes"].as_array().unwrap().iter().find(|s| s["rule_set"] == "westland-4").unwrap();
    assert_eq!(westland["binding"], json!(["max_persons"]));
    assert_eq!(westland["violations"][0]["measured"], 2.0);
    assert_eq!(westland["violations"][0]["required"], 1.0);
    assert_eq!(westland["violations"][0]["source"], "Raadsbesluit");
    app.finish().await;
}

async fn capacity_follows_the_location_scope_and_the_report_is_aggregate(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let path = |id: i64| format!("/api/v1/locations/{id}/capacity");
    assert_eq!(
        app.api(Method::GET, &path(app.westland), None).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.api(Method::GET, &path(app.westland), Some("ministry")).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.api(Method::GET, &path(app.den_haag), Some("westland")).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let res =
        app.api(Method::GET, &format!("{}?date=31-12-2026", path(app.westland)), Some("admin")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(res.json::<Value>().await.unwrap()["error"]["fields"][0]["field"], "date");

    // Den Haag: 80 m² at 18 m² per resident allows 4; without a conversion permit 2. Two
    // beds: within. Add a third bed and the location is over its capacity by one.
    let den_haag: Value =
        app.api(Method::GET, &path(app.den_haag), Some("admin")).send().await.unwrap().json().await.unwrap();
    assert_eq!(den_haag["capacity"]["permitted"], 2, "{den_haag}");
    let version: Value = app
        .api(Method::GET, &format!("/api/v1/locations/{}", app.den_haag), Some("admin"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["version"]
        .clone();
    let mut input = location_input("2511AB", 1, "GM0518", Some(app.other_provider_id));
    input.rooms[0].beds.push(BedInput { id: None, label: "1C".into(), in_service: true, out_of_service_reason: None });
    let body = serde_json::to_value(&input).unwrap();
    let res = app
        .api(Method::PUT, &format!("/api/v1/locations/{}", app.den_haag), Some("admin"))
        .header("If-Match", version.to_string())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());

    let report: Value =
        app.api(Method::GET, "/api/v1/reports/capacity", None).send().await.unwrap().json().await.unwrap();
    assert_eq!(report["total"]["locations"], 3);
    assert_eq!(report["total"]["locations_over"], 1);
    assert_eq!(report["total"]["beds_over"], 1);
    let rows = report["by_municipality"].as_array().unwrap();
    let gm0518 = rows.iter().find(|r| r["municipality_code"] == "GM0518").unwrap();
    assert_eq!((gm0518["beds_in_service"].as_i64(), gm0518["beds_over"].as_i64()), (Some(3), Some(1)));
    let haaglanden = report["by_region"].as_array().unwrap().iter().find(|r| r["name"] == "Haaglanden").unwrap();
    assert_eq!(haaglanden["totals"]["beds_over"], 1);
    assert!(report.to_string().find("Teststraat").is_none(), "the report names no address");
    // Other dates are for accounts: each is a full pass over the register.
    let res = app.api(Method::GET, "/api/v1/reports/capacity?date=2025-01-01", None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = app.api(Method::GET, "/api/v1/reports/capacity?date=2025-01-01", Some("ministry")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);

    // The same on the pages: the location page shows the gap in red, the report the municipality.
    let browser = app.login("admin").await;
    let html = browser.get(&format!("/locations/{}", app.den_haag)).await.text().await.unwrap();
    assert!(html.contains("Toegestane bezetting") && html.contains("class=\"gap over\""), "{html}");
    assert!(html.contains("Omzettingsvergunning nodig vanaf"));
    let html = app.client.get(app.url("/reports/capacity")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Bezetting boven de norm") && html.contains("&#39;s-Gravenhage"), "{html}");
    app.finish().await;
}

async fn municipality_publishes_a_rule_through_the_form(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let browser = app.login("westland").await;
    let html = browser.get("/norms").await.text().await.unwrap();
    assert!(html.contains("Huisvestingsnormen") && html.contains("Bouwbesluit 2012"));
    let fields = [
        ("name", "Westland: ten hoogste 6 personen"),
        ("code", "westland-6"),
        ("valid_from", "2026-01-01"),
        ("value_max_persons", "6"),
        ("source_max_persons", ""),
    ];
    // Without a source: 422, the error next to the rule, nothing published.
    let res = browser.post("/norms", &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("Ten hoogste personen per locatie") && html.contains("Dit veld is verplicht."), "{html}");
    let res = app.api(Method::GET, "/api/v1/norms/westland-6", None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    let mut fields = fields.to_vec();
    fields[4].1 = "Raadsbesluit Westland 2025";
    let res = browser.post("/norms", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = browser.get("/norms/westland-6").await.text().await.unwrap();
    assert!(html.contains("Raadsbesluit Westland 2025") && html.contains("GM1783"), "{html}");
    // The inspector may read but not publish.
    let inspector = app.login("inspector").await;
    let res =
        inspector.post("/norms/westland-6/versions", &[("valid_from", "2027-01-01"), ("value_max_persons", "5")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

db_tests!(
    norms_are_public_data_and_municipalities_publish_their_own,
    capacity_follows_the_location_scope_and_the_report_is_aggregate,
    municipality_publishes_a_rule_through_the_form,
);
