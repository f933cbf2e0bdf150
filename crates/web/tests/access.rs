//! Every role, and the public, over every page and endpoint: what each may see and do.

mod common;

use common::{ACCOUNTS, TestApp, location_json};
use flexwonen_store::db_tests;
use flexwonen_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::Value;

const OK: u16 = 200;
const CREATED: u16 = 201;
const SEE_OTHER: u16 = 303;
const UNAUTHORIZED: u16 = 401;
const FORBIDDEN: u16 = 403;
const NOT_FOUND: u16 = 404;
/// A GET on a form's POST-only address.
const NOT_FOUND_OR_405: u16 = 405;

/// Who: the public first, then the accounts in `ACCOUNTS` order:
/// admin, ministry, coordinator (Haaglanden), westland (municipality), provider, inspector (Limburg).
const WHO: [Option<&str>; 7] =
    [None, Some("admin"), Some("ministry"), Some("coordinator"), Some("westland"), Some("provider"), Some("inspector")];

async fn every_role_over_every_endpoint(db: TestDb) {
    let app = TestApp::spawn(db).await;
    assert_eq!(ACCOUNTS.len() + 1, WHO.len());
    let (w, h, v) = (app.westland, app.den_haag, app.venlo);
    let region = app.store.region_by_code("campagne-stadsgewest-haaglanden").await.unwrap().id;
    let all = flexwonen_core::access::LocationScope::All;
    let room_w = app.store.location(&all, w).await.unwrap().rooms[0].id;
    let room_h = app.store.location(&all, h).await.unwrap().rooms[0].id;
    // A Westland enforcement case, opened by hand.
    let by_hand = flexwonen_core::enforcement::CaseInput {
        source: "manual".into(),
        postcode: "2671AB".into(),
        house_number: 1,
        stay_type: "short".into(),
        found: 2,
        ..Default::default()
    };
    let westland_code = flexwonen_core::ids::MunicipalityCode::parse("GM1783").unwrap();
    let actor = flexwonen_store::Actor::system("test");
    let c = app
        .store
        .open_case(&actor, &westland_code, &by_hand.validate().unwrap(), chrono::Utc::now().date_naive())
        .await
        .unwrap()
        .id;
    // (path, expected status for each of WHO)
    let pages: Vec<(String, [u16; 7])> = vec![
        ("/".into(), [OK; 7]),
        ("/regions".into(), [OK; 7]),
        (format!("/regions/{region}"), [OK; 7]),
        ("/municipalities/GM1783".into(), [OK; 7]),
        ("/organisations".into(), [OK; 7]),
        ("/login".into(), [OK; 7]),
        ("/locations".into(), [SEE_OTHER, OK, FORBIDDEN, OK, OK, OK, OK]),
        ("/locations/new".into(), [SEE_OTHER, OK, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN]),
        (format!("/locations/{w}"), [SEE_OTHER, OK, FORBIDDEN, OK, OK, OK, NOT_FOUND]),
        (format!("/locations/{h}"), [SEE_OTHER, OK, FORBIDDEN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        (format!("/locations/{v}"), [SEE_OTHER, OK, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK]),
        (format!("/locations/{w}/edit"), [SEE_OTHER, OK, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN]),
        (format!("/locations/{h}/edit"), [SEE_OTHER, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN]),
        (format!("/locations/{w}/rooms/{room_w}"), [SEE_OTHER, OK, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN]),
        (
            format!("/locations/{h}/rooms/{room_h}"),
            [SEE_OTHER, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN],
        ),
        (format!("/regions/{region}/members"), [NOT_FOUND_OR_405; 7]),
        (format!("/locations/{w}/beds"), [SEE_OTHER, OK, FORBIDDEN, OK, OK, OK, NOT_FOUND]),
        (format!("/locations/{h}/beds"), [SEE_OTHER, OK, FORBIDDEN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND]),
        ("/bezetting/upload".into(), [SEE_OTHER, OK, FORBIDDEN, FORBIDDEN, OK, OK, FORBIDDEN]),
        ("/monitor".into(), [OK; 7]),
        (format!("/monitor?area=region:{region}"), [OK; 7]),
        (format!("/monitor/rapport?id={region}"), [OK; 7]),
        ("/monitor?level=municipality&id=GM1783".into(), [OK; 7]),
        ("/afspraken".into(), [OK; 7]),
        // Signals: the municipality its own addresses; admin, ministry, region counts only.
        ("/signalen".into(), [SEE_OTHER, OK, OK, OK, OK, FORBIDDEN, FORBIDDEN]),
        (
            "/signalen?municipality=GM1783".into(),
            [SEE_OTHER, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        ),
        (
            "/signalen?municipality=GM0518".into(),
            [SEE_OTHER, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN],
        ),
        // Complaints: the form and its status page are public, in every language.
        ("/klacht".into(), [OK; 7]),
        ("/klacht?lang=bg".into(), [OK; 7]),
        ("/klacht/status".into(), [OK; 7]),
        // Enforcement: cases for the municipality and the assigned inspector; counts for the
        // regions, the ministry and administrators; nothing for providers.
        ("/handhaving".into(), [SEE_OTHER, OK, OK, OK, OK, FORBIDDEN, OK]),
        (format!("/handhaving/zaken/{c}"), [SEE_OTHER, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, NOT_FOUND]),
        (
            "/handhaving/klachten/1".into(),
            [SEE_OTHER, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN],
        ),
    ];
    let mut browsers = vec![None];
    for (name, _) in ACCOUNTS {
        browsers.push(Some(app.login(name).await));
    }
    for (path, expected) in &pages {
        for (i, who) in WHO.iter().enumerate() {
            let status = match &browsers[i] {
                Some(b) => b.get(path).await.status(),
                None => app.client.get(app.url(path)).send().await.unwrap().status(),
            };
            assert_eq!(status.as_u16(), expected[i], "page {path} as {who:?}");
        }
    }

    // Form posts that change Den Haag's location: only the administrator may; the others
    // are refused before anything is read or written (the public is sent to sign in, 303).
    let version = app.store.location(&all, h).await.unwrap().version.to_string();
    let path = format!("/locations/{h}/rooms");
    let fields = [("name", "Extra"), ("area_m2", "9"), ("beds", "1"), ("version", version.as_str())];
    let expected = [SEE_OTHER, SEE_OTHER, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN];
    for (i, who) in WHO.iter().enumerate() {
        let status = match &browsers[i] {
            Some(b) => b.post(&path, &fields).await.status(),
            None => app.client.post(app.url(&path)).form(&fields).send().await.unwrap().status(),
        };
        assert_eq!(status.as_u16(), expected[i], "POST {path} as {who:?}");
    }
    assert_eq!(app.store.location(&all, h).await.unwrap().room_count, 2, "only the administrator's room was added");

    let api: Vec<(Method, String, [u16; 7])> = vec![
        (Method::GET, "/api/v1/stats".into(), [OK; 7]),
        (Method::GET, "/api/v1/municipalities".into(), [OK; 7]),
        (Method::GET, "/api/v1/regions".into(), [OK; 7]),
        (Method::GET, "/api/v1/organisations".into(), [OK; 7]),
        (Method::GET, "/api/v1/openapi.json".into(), [OK; 7]),
        (Method::GET, "/api/v1/declaration".into(), [OK; 7]),
        (Method::GET, "/api/v1/agreements".into(), [OK; 7]),
        (Method::GET, "/api/v1/parties".into(), [OK; 7]),
        (Method::GET, "/api/v1/monitor".into(), [OK; 7]),
        (Method::GET, "/api/v1/signals".into(), [UNAUTHORIZED, OK, OK, OK, OK, FORBIDDEN, FORBIDDEN]),
        (
            Method::GET,
            "/api/v1/signals/rules".into(),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        ),
        (
            Method::GET,
            "/api/v1/brp-extracts".into(),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, FORBIDDEN, FORBIDDEN],
        ),
        (Method::GET, "/api/v1/monitor/snapshots".into(), [OK; 7]),
        (Method::GET, "/api/v1/cases".into(), [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, OK]),
        (
            Method::GET,
            format!("/api/v1/cases/{c}"),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, NOT_FOUND],
        ),
        (
            Method::GET,
            format!("/api/v1/cases/{c}/vacancies"),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, NOT_FOUND],
        ),
        (
            Method::GET,
            "/api/v1/complaints".into(),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK, FORBIDDEN, FORBIDDEN],
        ),
        (Method::GET, "/api/v1/bed-for-bed".into(), [UNAUTHORIZED, OK, OK, OK, OK, FORBIDDEN, OK]),
        (
            Method::GET,
            "/api/v1/bed-for-bed?level=national".into(),
            [UNAUTHORIZED, OK, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        (
            Method::GET,
            "/api/v1/bed-for-bed?level=municipality&id=GM1783".into(),
            [UNAUTHORIZED, OK, OK, OK, OK, FORBIDDEN, FORBIDDEN],
        ),
        (Method::GET, "/api/v1/projects".into(), [UNAUTHORIZED, OK, FORBIDDEN, OK, OK, OK, OK]),
        (Method::GET, "/api/v1/locations".into(), [UNAUTHORIZED, OK, FORBIDDEN, OK, OK, OK, OK]),
        (Method::GET, format!("/api/v1/locations/{w}"), [UNAUTHORIZED, OK, FORBIDDEN, OK, OK, OK, NOT_FOUND]),
        (Method::GET, format!("/api/v1/locations/{w}/beds"), [UNAUTHORIZED, OK, FORBIDDEN, OK, OK, OK, NOT_FOUND]),
        (
            Method::GET,
            "/api/v1/occupancy/reads".into(),
            [UNAUTHORIZED, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN],
        ),
        (
            Method::GET,
            format!("/api/v1/locations/{v}/beds"),
            [UNAUTHORIZED, OK, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK],
        ),
        (
            Method::GET,
            format!("/api/v1/locations/{h}"),
            [UNAUTHORIZED, OK, FORBIDDEN, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND],
        ),
        (
            Method::GET,
            format!("/api/v1/locations/{v}/audit"),
            [UNAUTHORIZED, OK, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK],
        ),
        (
            Method::DELETE,
            format!("/api/v1/locations/{h}"),
            [UNAUTHORIZED, FORBIDDEN, FORBIDDEN, FORBIDDEN, NOT_FOUND, NOT_FOUND, FORBIDDEN],
        ),
    ];
    for (method, path, expected) in &api {
        for (i, who) in WHO.iter().enumerate() {
            // Admin's DELETE would succeed; it is checked last, below, so the walk stays repeatable.
            if *method == Method::DELETE && *who == Some("admin") {
                continue;
            }
            let status = app.api(method.clone(), path, *who).send().await.unwrap().status();
            assert_eq!(status.as_u16(), expected[i], "{method} {path} as {who:?}");
        }
    }

    // Creating: who may register a Westland location, and for whom.
    let expected_create = [UNAUTHORIZED, CREATED, FORBIDDEN, FORBIDDEN, CREATED, CREATED, FORBIDDEN];
    for (i, who) in WHO.iter().enumerate() {
        let body = location_json("2675 AA", 10 + i as i64, "GM1783", Some(app.other_provider_id));
        let res = app.api(Method::POST, "/api/v1/locations", *who).json(&body).send().await.unwrap();
        let status = res.status().as_u16();
        assert_eq!(status, expected_create[i], "POST a Westland location as {who:?}");
        if status == CREATED {
            let created: Value = res.json().await.unwrap();
            let expected_operator = if *who == Some("provider") { app.provider_id } else { app.other_provider_id };
            assert_eq!(
                created["operator_id"].as_i64(),
                Some(expected_operator),
                "a provider only registers its own locations"
            );
        }
    }
    // The municipality cannot register outside its territory.
    let body = location_json("2512 AA", 1, "GM0518", None);
    assert_eq!(
        app.api(Method::POST, "/api/v1/locations", Some("westland")).json(&body).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // Lists show only what is in scope.
    for (who, expected) in
        [("coordinator", vec!["GM0518", "GM1783"]), ("inspector", vec!["GM0983"]), ("westland", vec!["GM1783"])]
    {
        let list: Value = app
            .api(Method::GET, "/api/v1/locations?per_page=500", Some(who))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut codes: Vec<&str> =
            list["items"].as_array().unwrap().iter().map(|l| l["municipality_code"].as_str().unwrap()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes, expected, "{who}");
    }

    // Browser sessions cannot change through the API (no CSRF there): only tokens can.
    let admin = browsers[1].as_ref().unwrap();
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/locations/{h}")))
        .header("cookie", &admin.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let delete = || app.api(Method::DELETE, &format!("/api/v1/locations/{h}"), Some("admin"));
    assert_eq!(
        delete().send().await.unwrap().status(),
        StatusCode::PRECONDITION_REQUIRED,
        "a delete names its version"
    );
    let version = app.store.location(&all, h).await.unwrap().version;
    let res = delete().header("if-match", format!("\"{version}\"")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    app.finish().await;
}

async fn reference_data_is_managed_by_administrators_only(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let admin = app.login("admin").await;
    let coordinator = app.login("coordinator").await;

    // Organisations.
    let org = [
        ("name", "Nieuwe Huisvester B.V."),
        ("kvk", "93333333"),
        ("kind", "housing_provider"),
        ("municipality_code", ""),
    ];
    assert_eq!(coordinator.post("/organisations", &org).await.status(), StatusCode::FORBIDDEN);
    let bad = [("name", "Fout B.V."), ("kvk", "1234"), ("kind", "housing_provider"), ("municipality_code", "")];
    let res = admin.post("/organisations", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Een KvK-nummer is precies 8 cijfers."));
    assert_eq!(admin.post("/organisations", &org).await.status(), StatusCode::SEE_OTHER);
    let res = admin.post("/organisations", &org).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a KvK number is registered once");
    assert!(app.store.organisation_by_kvk("93333333").await.unwrap().is_some());
    assert!(app.store.organisation_by_kvk("1234").await.unwrap().is_none());

    // Regions.
    let res = coordinator.post("/regions", &[("name", "Kust"), ("members", "GM1783")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = admin.post("/regions", &[("name", "Kust"), ("members", "GM1783, GM0518\nGM9999")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "an unknown municipality is refused");
    assert!(res.text().await.unwrap().contains("GM9999"));
    let res = admin.post("/regions", &[("name", "Kust"), ("members", "GM1783, GM0518")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let region = app.store.region_by_code("custom-kust").await.unwrap();
    assert_eq!(region.member_count, 2);
    let res = admin.post(&format!("/regions/{}/members", region.id), &[("members", "GM1783 GM0599 GM0518")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.region(region.id).await.unwrap().member_count, 3);
    let res = admin.post_without_csrf(&format!("/regions/{}/members", region.id), &[("members", "GM1783")]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a form without the CSRF token changes nothing");
    assert_eq!(app.store.region(region.id).await.unwrap().member_count, 3);
    app.finish().await;
}

db_tests!(every_role_over_every_endpoint, reference_data_is_managed_by_administrators_only);
