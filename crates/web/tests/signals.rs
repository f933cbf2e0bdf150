//! Overcrowding signals over HTTP, on SQLite and on PostgreSQL: the municipality uploads its
//! BRP extract (API and page), sees its signals with their evidence as a list, on a map and
//! as CSV, marks one "seen, no action" and tunes a threshold; regions, the ministry and
//! administrators see counts only; the others nothing; a bad extract changes nothing.

mod common;

use chrono::NaiveDate;
use common::TestApp;
use flexwonen_core::bag::{BagRecord, Nummeraanduiding, OpenbareRuimte, Validity, Verblijfsobject, Woonplaats};
use flexwonen_store::testing::TestDb;
use flexwonen_store::{Actor, db_tests};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const HEADER: &str = "postcode;huisnummer;huisletter;huisnummertoevoeging;nummeraanduiding_id;ingeschrevenen;ingeschreven_laatste_12_maanden\n";

/// Westland's BAG: number 1 (the register's location, 80 m²) and number 3 (60 m²) on 2671 AB.
async fn load_bag(app: &TestApp) {
    let current = || Validity {
        begin: NaiveDate::from_ymd_opt(2020, 1, 1),
        end: None,
        registration_ended: false,
        inactive: false,
    };
    let num = |id: &str, n: i64| {
        BagRecord::Nummeraanduiding(Nummeraanduiding {
            id: id.into(),
            house_number: n,
            house_letter: None,
            house_addition: None,
            postcode: Some("2671AB".into()),
            status: "Naamgeving uitgegeven".into(),
            street: "1783300000000001".into(),
            place: None,
            validity: current(),
        })
    };
    let vbo = |id: &str, main: &str, area: i64, x: f64| {
        BagRecord::Verblijfsobject(Verblijfsobject {
            id: id.into(),
            main_address: main.into(),
            side_addresses: vec![],
            uses: vec!["woonfunctie".into()],
            floor_area_m2: area,
            status: "Verblijfsobject in gebruik".into(),
            position: Some((x, 444_000.0)),
            validity: current(),
        })
    };
    let mut import = app.store.begin_bag_import("test").await.unwrap();
    for r in [
        BagRecord::Woonplaats(Woonplaats { id: "2000".into(), name: "Naaldwijk".into(), validity: current() }),
        BagRecord::OpenbareRuimte(OpenbareRuimte {
            id: "1783300000000001".into(),
            name: "Havenstraat".into(),
            place: "2000".into(),
            validity: current(),
        }),
        num("1783200000000001", 1),
        num("1783200000000003", 3),
        vbo("1783010000000001", "1783200000000001", 80, 76_000.0),
        vbo("1783010000000003", "1783200000000003", 60, 76_200.0),
    ] {
        import.add(&r).await.unwrap();
    }
    import.finish(&Actor::system("test")).await.unwrap();
}

async fn get_json(app: &TestApp, path: &str, user: Option<&str>) -> (StatusCode, Value) {
    let res = app.api(Method::GET, path, user).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn upload(app: &TestApp, user: &str, body: String) -> (StatusCode, Value) {
    let res = app
        .api(Method::POST, "/api/v1/brp-extracts", Some(user))
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap())
}

async fn signals_for_the_municipality_counts_for_the_rest(db: TestDb) {
    let app = TestApp::spawn(db).await;
    load_bag(&app).await;
    let path = "/api/v1/signals?municipality=GM1783";

    // A bad extract: the line and column say why, and nothing is saved.
    let (status, e) = upload(&app, "westland", format!("{HEADER}2671AB;x;;;;8;7\n2671AB;3;;;;2;5\n")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        e["error"]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["lines[2].huisnummer", "lines[3].ingeschreven_laatste_12_maanden"]);
    let (status, e) = upload(&app, "westland", format!("naam;{HEADER}")).await;
    assert_eq!(
        (status, e["error"]["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("personal_data"))
    );
    assert_eq!(get_json(&app, "/api/v1/brp-extracts", Some("westland")).await.0, StatusCode::NOT_FOUND);
    // Only the municipality itself uploads.
    for user in ["admin", "ministry", "coordinator", "provider"] {
        assert_eq!(upload(&app, user, format!("{HEADER}2671AB;3;;;;8;7\n")).await.0, StatusCode::FORBIDDEN, "{user}");
    }

    // 8 persons in 60 m² at number 3, 7 of them new, not in the register: three signals.
    let (status, body) = upload(&app, "westland", format!("{HEADER}2671AB;3;;;;8;7\n2671 ab;1;;;;2;0\n")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!((body["extract"]["addresses"].as_i64(), body["run"]["opened"].as_i64()), (Some(2), Some(3)));
    let (status, list) = get_json(&app, path, Some("westland")).await;
    assert_eq!((status, list["view"].as_str(), list["total"].as_i64()), (StatusCode::OK, Some("addresses"), Some(3)));
    let items = list["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["address"] == "Havenstraat 3, 2671 AB Naaldwijk" && i["state"] == "open"));
    let floor = items.iter().find(|i| i["rule"] == "floor_area_per_person").unwrap();
    assert_eq!(
        (floor["evidence"]["registered"].as_f64(), floor["evidence"]["allowed"].as_f64()),
        (Some(8.0), Some(5.0))
    );
    assert_eq!(floor["score"].as_f64(), Some(1.6));
    assert_eq!(
        list["rules"].as_array().unwrap().iter().find(|r| r["code"] == "floor_area_per_person").unwrap()["threshold"],
        12.0
    );
    // Another municipality's signals are not there for it.
    assert_eq!(get_json(&app, "/api/v1/signals?municipality=GM0518", Some("westland")).await.0, StatusCode::NOT_FOUND);

    // CSV: one line per signal, spreadsheet-safe.
    let res = app.api(Method::GET, &format!("{path}&format=csv"), Some("westland")).send().await.unwrap();
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with("id,rule,rule_name,state,address,"), "{csv}");
    assert_eq!(csv.lines().count(), 4);

    // Regions, the ministry and administrators: counts per municipality and rule, no address.
    for user in ["ministry", "coordinator", "admin"] {
        let res = app.api(Method::GET, "/api/v1/signals", Some(user)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{user}");
        let text = res.text().await.unwrap();
        assert!(
            !text.contains("Havenstraat") && !text.contains("2671AB") && !text.contains("\"evidence\""),
            "{user}: {text}"
        );
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["view"], "municipalities");
        assert_eq!(body["items"].as_array().unwrap().iter().map(|i| i["open"].as_i64().unwrap()).sum::<i64>(), 3);
        assert_eq!(get_json(&app, path, Some(user)).await.0, StatusCode::FORBIDDEN, "{user} sees no addresses");
    }
    assert_eq!(get_json(&app, path, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(get_json(&app, path, Some("provider")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(get_json(&app, path, Some("inspector")).await.0, StatusCode::FORBIDDEN);

    // "Seen, no action": a reason is needed; then it leaves the open list.
    let new = items.iter().find(|i| i["rule"] == "new_registrations_not_in_register").unwrap()["id"].as_i64().unwrap();
    let dismiss = |reason: &str| {
        app.api(Method::POST, &format!("/api/v1/signals/{new}/dismissal"), Some("westland"))
            .json(&json!({"reason": reason}))
            .send()
    };
    assert_eq!(dismiss("").await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    let done: Value = dismiss("Seizoenswerkers, gecontroleerd op 20 november").await.unwrap().json().await.unwrap();
    assert_eq!(done["state"], "dismissed");
    assert_eq!(get_json(&app, path, Some("westland")).await.1["total"], 2);
    assert_eq!(get_json(&app, &format!("{path}&state=dismissed"), Some("westland")).await.1["total"], 1);

    // An extract above the site-wide 1 MiB body limit is taken whole.
    let mut big = HEADER.to_string();
    for n in 1..=60_000 {
        big.push_str(&format!("2672AB;{n};;;;1;0\n"));
    }
    assert!(big.len() > 1024 * 1024);
    let (status, body) = upload(&app, "westland", big).await;
    assert_eq!((status, body["extract"]["addresses"].as_i64()), (StatusCode::CREATED, Some(60_000)));
    assert_eq!(body["run"]["closed"], 3, "the old extract's causes are gone: {body}");

    // The pages: the municipality uploads, sees the list, the map and its thresholds.
    let browser = app.login("westland").await;
    let form = reqwest::multipart::Form::new().text("csrf", browser.csrf.clone()).part(
        "file",
        reqwest::multipart::Part::bytes(format!("{HEADER}2671AB;3;;;;8;7\n").into_bytes()).file_name("brp.csv"),
    );
    let res = app
        .client
        .post(app.url("/signalen/brp"))
        .header("cookie", &browser.cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (res.status(), res.headers()["location"].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/signalen?done=brp")
    );
    let html = browser.get("/signalen?done=brp").await.text().await.unwrap();
    assert!(html.contains("Het BRP-uittreksel is ingelezen"));
    assert!(html.contains("Havenstraat 3, 2671 AB Naaldwijk</a>"), "the address in the list");
    assert!(html.contains("ingeschreven: 8 · gebruiksoppervlakte (m²): 60 · toegestaan: 5"), "the evidence in words");
    assert!(html.contains("<circle cx="), "a dot on the map");
    assert!(html.contains("name=\"floor_area_per_person\" value=\"12\""), "the threshold form");
    let bad = reqwest::multipart::Form::new()
        .text("csrf", browser.csrf.clone())
        .part("file", reqwest::multipart::Part::bytes(b"postcode;bsn\n".to_vec()).file_name("brp.csv"));
    let res = app
        .client
        .post(app.url("/signalen/brp"))
        .header("cookie", &browser.cookie)
        .multipart(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("persoonsgegevens"), "the refusal in Dutch");
    // The municipality's own norm: from 10 persons, not 4.
    let res = browser.post("/signalen/drempels", &[("many_persons_without_permit", "veel")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = browser.post("/signalen/drempels", &[("many_persons_without_permit", "10")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, list) = get_json(&app, path, Some("westland")).await;
    assert!(list["items"].as_array().unwrap().iter().all(|i| i["rule"] != "many_persons_without_permit"), "{list}");
    // A signal's page, and "seen, no action" from it.
    let id = list["items"][0]["id"].as_i64().unwrap();
    let res = browser.post(&format!("/signalen/{id}/gezien"), &[("reason", " ")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Schrijf op waarom er geen actie nodig is."));
    let res = browser.post(&format!("/signalen/{id}/gezien"), &[("reason", "Bezocht, gezin met kinderen")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = browser.get(&format!("/signalen/{id}")).await.text().await.unwrap();
    assert!(html.contains("Bezocht, gezin met kinderen") && html.contains("Gezien, geen actie"));

    // The ministry's page: counts, no addresses; the provider's: nothing.
    let ministry = app.login("ministry").await;
    let html = ministry.get("/signalen").await.text().await.unwrap();
    assert!(html.contains("<th scope=\"row\">Westland</th>") && !html.contains("Havenstraat"));
    assert_eq!(ministry.get(&format!("/signalen/{id}")).await.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.login("provider").await.get("/signalen").await.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

db_tests!(signals_for_the_municipality_counts_for_the_rest);
