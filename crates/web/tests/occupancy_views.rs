//! The occupancy views over real HTTP, on SQLite and PostgreSQL: the page and API with the
//! rate, nationalities, stay lengths and the monthly chart (public, counts only), and the
//! registration flags per location for the municipality, per municipality for the others.

mod common;

use chrono::NaiveDate;
use common::TestApp;
use flexwonen_core::access::LocationScope;
use flexwonen_core::occupancy_events::{EventInput, TermsInput, WorkerInput};
use flexwonen_store::db_tests;
use flexwonen_store::testing::TestDb;
use flexwonen_store::{Actor, EventContext};
use reqwest::{Method, StatusCode};
use serde_json::Value;

const REFERENCES: [&str; 3] = ["REF-ALPHA-1", "REF-BRAVO-2", "REF-CHARLIE-3"];

async fn check_in(app: &TestApp, location: i64, bed: usize, reference: &str, nationality: &str, on: &str, brp: bool) {
    let bed_id = app.store.location(&LocationScope::All, location).await.unwrap().rooms[0].beds[bed].id;
    let event = EventInput {
        id: format!("in-{reference}"),
        kind: "check_in".into(),
        date: on.into(),
        bed_id: Some(bed_id),
        worker: Some(WorkerInput {
            reference: reference.into(),
            nationality: nationality.into(),
            registration: if brp { "brp" } else { "none" }.into(),
            brp_municipality: brp.then(|| "GM0518".into()),
            registered_on: brp.then(|| on.into()),
            ..Default::default()
        }),
        worker_reference: None,
        terms: Some(TermsInput {
            separate_contract: true,
            rent_per_week: 100.0,
            notice_days: 14,
            ..Default::default()
        }),
    };
    apply(app, event).await;
}

async fn apply(app: &TestApp, event: EventInput) {
    let actor = Actor::system("test");
    let scope = LocationScope::All;
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let ctx = EventContext { actor: &actor, scope: &scope, sender: "org:test", bsn_key: None, today, generation: None };
    app.store.apply_event(&ctx, &event.validate().unwrap()).await.unwrap();
}

/// Westland (2 beds): a Pole since 5 January, unregistered (flagged); a Romanian June–July.
/// Den Haag (2 beds): a Bulgarian since 1 March, in the BRP. Venlo: 2 empty beds.
async fn stays(app: &TestApp) {
    check_in(app, app.westland, 0, REFERENCES[0], "PL", "2026-01-05", false).await;
    check_in(app, app.westland, 1, REFERENCES[1], "RO", "2026-06-01", false).await;
    apply(
        app,
        EventInput {
            id: "out-2".into(),
            kind: "check_out".into(),
            date: "2026-08-01".into(),
            worker_reference: Some(REFERENCES[1].into()),
            ..Default::default()
        },
    )
    .await;
    check_in(app, app.den_haag, 0, REFERENCES[2], "BG", "2026-03-01", true).await;
}

fn no_worker_data(text: &str) {
    for r in REFERENCES {
        assert!(!text.contains(r), "{r} is shown");
    }
}

async fn get_json(app: &TestApp, path: &str, user: Option<&str>) -> (StatusCode, Value) {
    let res = app.api(Method::GET, path, user).send().await.unwrap();
    let status = res.status();
    let text = res.text().await.unwrap();
    no_worker_data(&text);
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn occupancy_figures_for_everyone(db: TestDb) {
    let app = TestApp::spawn(db).await;
    stays(&app).await;

    // The API, for the public: counts only.
    let (status, w) = get_json(&app, "/api/v1/occupancy?level=municipality&id=GM1783&date=2026-07-15", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (w["name"].as_str(), w["occupied"].as_i64(), w["beds_in_service"].as_i64()),
        (Some("Westland"), Some(2), Some(2))
    );
    assert_eq!(w["rate"], 1.0);
    let nationalities: Vec<(&str, i64)> = w["by_nationality"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["nationality"].as_str().unwrap(), n["on_date"].as_i64().unwrap()))
        .collect();
    assert_eq!(nationalities, [("PL", 1), ("RO", 1)]);
    let months = w["months"].as_array().unwrap();
    assert_eq!(months.len(), 36);
    let july = months.iter().find(|m| m["month"] == "2026-07").unwrap();
    assert_eq!(
        (july["days"].as_i64(), july["bed_nights"].as_i64(), july["partial"].as_bool()),
        (Some(15), Some(30), Some(true))
    );
    let (_, n) = get_json(&app, "/api/v1/occupancy?date=2026-07-15", None).await;
    assert_eq!(
        (n["level"].as_str(), n["occupied"].as_i64(), n["beds_in_service"].as_i64()),
        (Some("national"), Some(3), Some(6))
    );
    assert_eq!(n["rate"], 0.5);
    let munis: Vec<&str> =
        n["by_municipality"].as_array().unwrap().iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(munis, ["'s-Gravenhage", "Venlo", "Westland"]);
    let lengths: Vec<(&str, i64)> = n["by_length"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["length"].as_str().unwrap(), l["on_date"].as_i64().unwrap()))
        .collect();
    assert_eq!(lengths, [("short", 1), ("mid", 2), ("long", 0)]);
    let haaglanden = app.store.region_by_code("campagne-stadsgewest-haaglanden").await.unwrap().id;
    let (_, r) = get_json(&app, &format!("/api/v1/occupancy?level=region&id={haaglanden}&date=2026-07-15"), None).await;
    assert_eq!((r["occupied"].as_i64(), r["beds_in_service"].as_i64()), (Some(3), Some(4)));
    // Bad and unknown areas and dates.
    let (status, e) = get_json(&app, "/api/v1/occupancy?level=province&id=1", None).await;
    assert_eq!((status, e["error"]["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("level")));
    let (status, e) = get_json(&app, "/api/v1/occupancy?level=municipality&id=Westland", None).await;
    assert_eq!((status, e["error"]["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("id")));
    assert_eq!(get_json(&app, "/api/v1/occupancy?date=15-07-2026", None).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(get_json(&app, "/api/v1/occupancy?level=region&id=999999", None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(get_json(&app, "/api/v1/occupancy?level=municipality&id=GM9999", None).await.0, StatusCode::NOT_FOUND);

    // The page, for the public, as the form sends it (the level follows from the id).
    let res = app.client.get(app.url("/bezetting?id=GM1783&date=2026-07-15")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    no_worker_data(&html);
    assert!(html.contains("<h1>Bezetting: Westland</h1>"));
    assert!(html.contains("<span class=\"num\">100,0%</span> Bezettingsgraad"), "the rate");
    assert!(html.contains("<th scope=\"row\">Polen (PL)</th>") && html.contains("Roemenië (RO)"));
    assert!(html.contains("<title id=\"bez-chart-title\">Bezetting per maand</title>"), "an accessible chart");
    assert!(html.contains("Drukste maand per jaar: jun 2026 (2,0)"), "the peak described: {html}");
    assert!(html.contains("<th scope=\"row\">jul 2026 <span class=\"muted\">(tot en met de datum)</span></th><td class=\"n\">2,0</td><td class=\"n\">100,0%</td><td class=\"n\">30</td>"), "the figures as a table");
    assert!(html.contains("<option value=\"GM1783\" selected>Westland</option>"));
    assert!(html.contains("href=\"/bezetting\" aria-current=\"page\""), "in the navigation");
    assert!(!html.contains("/bezetting/inschrijving"), "the public gets no link to the flags");
    // The country, in English, with its municipalities to go to.
    let html =
        app.client.get(app.url("/bezetting?date=2026-07-15&lang=en")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<h1>Occupancy: The Netherlands</h1>"));
    assert!(html.contains("Poland (PL)") && html.contains("<span class=\"num\">50.0%</span>"));
    let at = html.find("id=GM1783").unwrap_or(0);
    assert!(
        html.contains("href=\"/bezetting?level=municipality&#38;id=GM1783&#38;date=2026-07-15\""),
        "{}",
        &html[at.saturating_sub(80)..at + 80]
    );
    let res = app.client.get(app.url("/bezetting?level=municipality&id=GM9999")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.finish().await;
}

async fn registration_flags_by_role(db: TestDb) {
    let app = TestApp::spawn(db).await;
    stays(&app).await;
    let path = "/api/v1/occupancy/registration-flags?date=2026-11-28";
    // The municipality: per location in its territory, with the address.
    let (status, w) = get_json(&app, path, Some("westland")).await;
    assert_eq!((status, w["view"].as_str()), (StatusCode::OK, Some("locations")));
    assert_eq!(w["items"].as_array().unwrap().len(), 1);
    let item = &w["items"][0];
    assert_eq!(
        (item["location_id"].as_i64(), item["flagged"].as_i64(), item["housed"].as_i64()),
        (Some(app.westland), Some(1), Some(1))
    );
    assert_eq!(item["address"], "Teststraat 1, 2671 AB Testplaats");
    let (status, _) = get_json(&app, &format!("{path}&municipality=GM0518"), Some("westland")).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not another municipality's");
    // The ministry and the region's coordinator: counts per municipality, no addresses.
    for user in ["ministry", "coordinator"] {
        let res = app.api(Method::GET, path, Some(user)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let text = res.text().await.unwrap();
        assert!(
            !text.contains("address") && !text.contains("Teststraat") && !text.contains("location_id"),
            "{user}: {text}"
        );
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(body["view"], "municipalities");
        assert_eq!(
            (body["items"][0]["municipality_code"].as_str(), body["items"][0]["flagged"].as_i64()),
            (Some("GM1783"), Some(1))
        );
        let (status, _) = get_json(&app, &format!("{path}&municipality=GM1783"), Some(user)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{user} sees no addresses");
    }
    // The administrator: per municipality, and per location of any municipality.
    let (_, a) = get_json(&app, path, Some("admin")).await;
    assert_eq!((a["view"].as_str(), a["total"]["flagged"].as_i64()), (Some("municipalities"), Some(1)));
    let (_, a) = get_json(&app, &format!("{path}&municipality=GM1783"), Some("admin")).await;
    assert_eq!(a["items"][0]["location_id"].as_i64(), Some(app.westland));
    // Nobody else.
    assert_eq!(get_json(&app, path, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(get_json(&app, path, Some("provider")).await.0, StatusCode::FORBIDDEN);
    assert_eq!(get_json(&app, path, Some("inspector")).await.0, StatusCode::FORBIDDEN);

    // The pages.
    let westland = app.login("westland").await;
    let html = westland.get("/bezetting/inschrijving?date=2026-11-28").await.text().await.unwrap();
    no_worker_data(&html);
    assert!(html.contains("Per locatie in Westland"));
    assert!(html.contains(&format!("<a href=\"/locations/{}\">Teststraat 1, 2671 AB Testplaats</a></th><td class=\"n\">1</td><td class=\"n\">1</td>", app.westland)));
    let occupancy = westland.get("/bezetting").await.text().await.unwrap();
    assert!(occupancy.contains("href=\"/bezetting/inschrijving?date="), "a link for the municipality");
    let ministry = app.login("ministry").await;
    let html = ministry.get("/bezetting/inschrijving?date=2026-11-28").await.text().await.unwrap();
    assert!(
        html.contains(
            "<th scope=\"row\">Westland</th><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n\">1</td>"
        )
    );
    assert!(!html.contains("Teststraat"));
    let res = app.client.get(app.url("/bezetting/inschrijving")).send().await.unwrap();
    assert_eq!((res.status(), res.headers()["location"].to_str().unwrap()), (StatusCode::SEE_OTHER, "/login"));
    let provider = app.login("provider").await;
    assert_eq!(provider.get("/bezetting/inschrijving").await.status(), StatusCode::FORBIDDEN);
    app.finish().await;
}

db_tests!(occupancy_figures_for_everyone, registration_flags_by_role);
