//! Agreements, projects and the monitor over real HTTP, on SQLite and PostgreSQL: who may
//! enter what, bad input refused with nothing saved, realised places from the register,
//! the public aggregate and the scoped detail, CSV and XLSX downloads, the pages, and a past
//! month read from its snapshot after the data changed.

mod common;

use chrono::{Datelike, Months};
use common::TestApp;
use flexwonen_core::certificates::CertificateInput;
use flexwonen_store::testing::TestDb;
use flexwonen_store::{Actor, db_tests};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn agreement(region: i64, parties: (i64, i64)) -> Value {
    json!({
        "region_id": region,
        "title": "Regionale afspraak Haaglanden",
        "period_start": "2013-01-01",
        "period_end": "2022-12-31",
        "task": [{"stay_type": "short", "places": 6000}],
        "signatories": [{"party_id": parties.0, "role": "municipality"}, {"party_id": parties.1, "role": "municipality"}],
        "municipality_split": [{"municipality_code": "GM0518", "places": 2000}, {"municipality_code": "GM1783", "places": 2000}],
        "party_split": [{"party_id": parties.1, "places": 2000}],
        "pace": [{"date": "2017-12-31", "places": 3000}],
        "source": "test",
    })
}

async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    user: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut rb = app.api(method, path, user);
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let res = rb.send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn codes(body: &Value) -> Vec<(String, String)> {
    body["error"]["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| (e["field"].as_str().unwrap().to_string(), e["code"].as_str().unwrap().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// Haaglanden's agreement (by the coordinator) and two projects: Westland's (by the
/// municipality, delivered on the Westland location with its two certified beds) and Den
/// Haag's (by the coordinator, permitted).
async fn setup(app: &TestApp) -> (i64, i64, i64, i64) {
    let region = app.store.region_by_code("campagne-stadsgewest-haaglanden").await.unwrap().id;
    let (status, den_haag) = send(app, Method::GET, "/api/v1/parties", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let den_haag =
        den_haag["items"].as_array().unwrap().iter().find(|p| p["name"] == "Gemeente Den Haag").unwrap()["id"]
            .as_i64()
            .unwrap();
    let party = json!({"name": "Gemeente Westland", "kind": "municipality", "municipality_code": "GM1783"});
    assert_eq!(
        send(app, Method::POST, "/api/v1/parties", Some("westland"), Some(party.clone())).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, westland) = send(app, Method::POST, "/api/v1/parties", Some("coordinator"), Some(party)).await;
    assert_eq!(status, StatusCode::CREATED, "{westland}");
    let westland = westland["id"].as_i64().unwrap();

    // Who may enter the agreement; a pace outside the period is refused and nothing is saved.
    let body = agreement(region, (den_haag, westland));
    assert_eq!(
        send(app, Method::POST, "/api/v1/agreements", None, Some(body.clone())).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(app, Method::POST, "/api/v1/agreements", Some("westland"), Some(body.clone())).await.0,
        StatusCode::FORBIDDEN
    );
    let mut bad = body.clone();
    bad["pace"][0]["date"] = json!("2030-01-01");
    let (status, err) = send(app, Method::POST, "/api/v1/agreements", Some("coordinator"), Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(codes(&err), [("pace[0].date".to_string(), "outside_period".to_string())]);
    assert_eq!(send(app, Method::GET, "/api/v1/agreements", None, None).await.1["items"], json!([]));
    let (status, created) = send(app, Method::POST, "/api/v1/agreements", Some("coordinator"), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["versions"][0]["warnings"][0]["code"], "unallocated");
    let agreement_id = created["id"].as_i64().unwrap();

    // The Westland location's operator holds an SNF certificate since 2015.
    let certificate = CertificateInput {
        organisation_id: app.provider_id,
        scheme: "snf".into(),
        number: "SNF-1".into(),
        valid_from: "2015-01-01".into(),
        valid_until: None,
    };
    app.store.create_certificate(&Actor::system("test"), &certificate.validate().unwrap()).await.unwrap();

    let project = |name: &str, municipality: &str, party: i64, stage: &str, date: &str| {
        json!({"name": name, "municipality_code": municipality, "party_id": party, "agreement_id": agreement_id,
            "planned": [{"stay_type": "short", "places": 100}], "stage": stage, "stage_date": date})
    };
    let naaldwijk = project("Logies Naaldwijk", "GM1783", westland, "planned", "2014-01-01");
    let (status, _) = send(app, Method::POST, "/api/v1/projects", Some("provider"), Some(naaldwijk.clone())).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a provider records only its own party's projects");
    let (status, outside) = send(
        app,
        Method::POST,
        "/api/v1/projects",
        Some("admin"),
        Some(project("Elders", "GM0363", westland, "idea", "2014-01-01")),
    )
    .await;
    assert_eq!(codes(&outside), [("agreement_id".to_string(), "not_in_region".to_string())], "{status}");
    let (status, p) = send(app, Method::POST, "/api/v1/projects", Some("westland"), Some(naaldwijk)).await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let naaldwijk = p["id"].as_i64().unwrap();
    let (status, p) = send(
        app,
        Method::POST,
        "/api/v1/projects",
        Some("coordinator"),
        Some(project("Logies Laak", "GM0518", den_haag, "permitted", "2016-03-01")),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    let laak = p["id"].as_i64().unwrap();

    // A stage dated before the previous one is refused; then delivered on the location.
    let path = format!("/api/v1/projects/{naaldwijk}/stages");
    let (status, err) = send(
        app,
        Method::POST,
        &path,
        Some("westland"),
        Some(json!({"stage": "delivered", "date": "2013-05-01", "version": 1})),
    )
    .await;
    assert_eq!(
        (status, codes(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec![("date".to_string(), "before_previous".to_string())])
    );
    let (status, _) = send(
        app,
        Method::POST,
        &path,
        Some("inspector"),
        Some(json!({"stage": "delivered", "date": "2016-05-01", "version": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "Westland is outside the Limburg inspector's scope");
    let body = json!({"location_ids": [app.westland], "version": 1});
    let (status, p) =
        send(app, Method::PUT, &format!("/api/v1/projects/{naaldwijk}/locations"), Some("westland"), Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let (status, p) = send(
        app,
        Method::POST,
        &path,
        Some("westland"),
        Some(json!({"stage": "delivered", "date": "2016-05-01", "version": 2})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    (region, agreement_id, naaldwijk, laak)
}

async fn agreements_projects_and_the_monitor_by_role(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (region, agreement_id, naaldwijk, laak) = setup(&app).await;

    // Projects are detail: per scope.
    let ids = |v: &Value| v["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect::<Vec<_>>();
    assert_eq!(send(&app, Method::GET, "/api/v1/projects", None, None).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(send(&app, Method::GET, "/api/v1/projects", Some("ministry"), None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(ids(&send(&app, Method::GET, "/api/v1/projects", Some("westland"), None).await.1), [naaldwijk]);
    assert_eq!(ids(&send(&app, Method::GET, "/api/v1/projects", Some("coordinator"), None).await.1), [naaldwijk, laak]);
    assert!(ids(&send(&app, Method::GET, "/api/v1/projects", Some("inspector"), None).await.1).is_empty());

    // The region's monitor: realised = the two certified beds of the delivered project.
    let path = format!("/api/v1/monitor?level=region&id={region}");
    let (status, public) = send(&app, Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::OK, "{public}");
    let r = &public["region"];
    assert_eq!((r["task"].as_i64(), r["realised"].as_i64()), (Some(6000), Some(2)));
    assert_eq!(r["pipeline"]["permitted"], 100);
    assert_eq!(r["schedule"], "far_behind");
    assert_eq!(r["unallocated_to_municipalities"], 2000);
    assert_eq!(public["source"]["kind"], "live");
    assert!(public["provenance"].as_array().unwrap().iter().any(|p| p["figure"] == "realised"));
    // The public sees figures, not parties or projects.
    assert_eq!((r["parties"].as_array().unwrap().len(), r["projects"].as_array().unwrap().len()), (0, 0));
    let (_, coordinator) = send(&app, Method::GET, &path, Some("coordinator"), None).await;
    assert_eq!(coordinator["region"]["projects"].as_array().unwrap().len(), 2);
    let promised =
        coordinator["region"]["parties"].as_array().unwrap().iter().find(|p| p["task"] == 2000).unwrap().clone();
    assert_eq!((promised["realised"].as_i64(), promised["projects"].as_i64()), (Some(2), Some(1)));
    let (_, westland) = send(&app, Method::GET, &path, Some("westland"), None).await;
    assert_eq!(westland["region"]["projects"].as_array().unwrap().len(), 1);
    // The national monitor adds the regions up; a municipality's shows its share.
    let (_, national) = send(&app, Method::GET, "/api/v1/monitor", None, None).await;
    assert_eq!((national["realised"].as_i64(), national["regions"].as_array().unwrap().len()), (Some(2), 1));
    let (_, gm) = send(&app, Method::GET, "/api/v1/monitor?level=municipality&id=GM1783", None, None).await;
    assert_eq!(gm["shares"][0]["municipality"]["task"], 2000);
    assert_eq!(gm["realised"], 2);
    // Bad parameters.
    for (q, field) in [("?as_of=2026-13", "as_of"), ("?format=pdf", "format"), ("?level=province", "level")] {
        let (status, err) = send(&app, Method::GET, &format!("/api/v1/monitor{q}"), None, None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
        assert_eq!(err["error"]["fields"][0]["field"], field);
    }
    let next_year = chrono::Utc::now().date_naive().year() + 1;
    let (status, _) = send(&app, Method::GET, &format!("/api/v1/monitor?as_of={next_year}-01"), None, None).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Downloads: a table as CSV, every table as XLSX.
    let res = app.api(Method::GET, &format!("{path}&format=csv&table=municipalities"), None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().starts_with("municipality_code,municipality,task,target_to_date,realised,idea,"));
    assert!(csv.lines().any(|l| l.starts_with("GM1783,Westland,2000,") && l.split(',').nth(4) == Some("2")), "{csv}");
    let res = app.api(Method::GET, &format!("{path}&format=xlsx"), None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-disposition"].to_str().unwrap().contains(".xlsx"));
    assert!(res.bytes().await.unwrap().starts_with(b"PK"), "an XLSX is a zip");
    let (status, err) = send(&app, Method::GET, &format!("{path}&format=csv&table=x"), None, None).await;
    assert_eq!((status, err["error"]["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("table")));

    // The pages: public monitor and report, the agreement with its warning in Dutch.
    let page = app.client.get(app.url(&format!("/monitor?area=region:{region}"))).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Monitor regionale afspraken") && html.contains("ver achter op schema"), "{html}");
    assert!(html.contains("Westland") && !html.contains("Logies Naaldwijk"), "projects are not public");
    assert!(html.contains("<svg"), "the trend chart and the map");
    assert!(html.contains("Gerealiseerd per jaar tot nu toe"), "the pace so far beside the pace needed");
    let report = app.client.get(app.url(&format!("/monitor/rapport?id={region}"))).send().await.unwrap();
    assert_eq!(report.status(), StatusCode::OK);
    assert!(!report.text().await.unwrap().contains("<nav"), "the printable report has no navigation");
    let html =
        app.client.get(app.url(&format!("/afspraken/{agreement_id}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("2.000 van de 6.000 plaatsen zijn niet over gemeenten verdeeld."), "{html}");
    let html = app.client.get(app.url("/afspraken")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Nationale verklaring huisvesting EU-arbeidsmigranten") && html.contains("2012-03-28"));

    // The project page: a form for those who may write, the Dutch error, the public signs in.
    let westland = app.login("westland").await;
    let html = westland.get(&format!("/projecten/{naaldwijk}")).await.text().await.unwrap();
    assert!(html.contains("Nieuwe fase vastleggen") && html.contains("opgeleverd"), "{html}");
    let res = westland
        .post(&format!("/projecten/{naaldwijk}/fase"), &[("stage", "idea"), ("date", "2017-01-01"), ("version", "3")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Deze fase komt niet na de huidige fase van het project."));
    let res = westland
        .post(
            &format!("/projecten/{naaldwijk}/fase"),
            &[("stage", "occupied"), ("date", "2016-07-01"), ("version", "3")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(westland.get(&format!("/projecten/{laak}")).await.status(), StatusCode::NOT_FOUND);
    let res = app.client.get(app.url(&format!("/projecten/{naaldwijk}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    // A new project from the agreement's page: the form for the coordinator, not the public.
    let public =
        app.client.get(app.url(&format!("/afspraken/{agreement_id}"))).send().await.unwrap().text().await.unwrap();
    assert!(!public.contains("Nieuw project onder deze afspraak"));
    let coordinator = app.login("coordinator").await;
    let path = format!("/afspraken/{agreement_id}/projecten");
    assert!(
        coordinator
            .get(&format!("/afspraken/{agreement_id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains("Nieuw project onder deze afspraak")
    );
    let mut fields = vec![
        ("name", "Logies Delft"),
        ("municipality_code", "GM0518"),
        ("party_id", "0"),
        ("stay_type", "short"),
        ("places", "veel"),
        ("stage", "idea"),
        ("stage_date", "2025-02-01"),
    ];
    let res = coordinator.post(&path, &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Vul een getal in."));
    fields[4] = ("places", "80");
    let res = coordinator.post(&path, &fields).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "party 0 does not exist");
    assert!(res.text().await.unwrap().contains("Deze partij bestaat niet."));
    let den_haag =
        app.store.parties().await.unwrap().into_iter().find(|p| p.name == "Gemeente Den Haag").unwrap().id.to_string();
    fields[2] = ("party_id", den_haag.as_str());
    let res = coordinator.post(&path, &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.store.projects().await.unwrap().len(), 3);
    let res = westland.post(&path, &fields).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "Westland records no Den Haag projects");

    // An unknown municipality is a field error, also for a role scoped to municipalities.
    let body = json!({"name": "X", "municipality_code": "GM9999", "party_id": 1, "planned": [{"stay_type": "short", "places": 10}],
        "stage": "idea", "stage_date": "2025-01-01"});
    let (status, err) = send(&app, Method::POST, "/api/v1/projects", Some("coordinator"), Some(body)).await;
    assert_eq!(
        (status, codes(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec![("municipality_code".to_string(), "unknown_municipality".to_string())])
    );
    // A provider links only its own locations: another operator's is unknown to it.
    let own = flexwonen_core::agreements::PartyInput {
        name: "Eigen Huisvesting".into(),
        kind: "housing_corporation".into(),
        municipality_code: None,
        organisation_id: Some(app.provider_id),
    };
    let own = app.store.create_party(&Actor::system("test"), &own.validate().unwrap()).await.unwrap().id;
    let body = json!({"name": "Logies Laakhaven", "municipality_code": "GM0518", "party_id": own,
        "planned": [{"stay_type": "short", "places": 10}], "stage": "delivered", "stage_date": "2025-01-01", "location_ids": [app.den_haag]});
    let (status, err) = send(&app, Method::POST, "/api/v1/projects", Some("provider"), Some(body)).await;
    assert_eq!(
        (status, codes(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec![("location_ids[0]".to_string(), "unknown_location".to_string())])
    );
    app.finish().await;
}

async fn a_past_month_is_read_from_its_snapshot(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let (region, agreement_id, _, laak) = setup(&app).await;
    let last_month =
        chrono::Utc::now().date_naive().checked_sub_months(Months::new(1)).unwrap().format("%Y-%m").to_string();
    let body = json!({"month": last_month});
    assert_eq!(
        send(&app, Method::POST, "/api/v1/monitor/snapshots", None, Some(body.clone())).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&app, Method::POST, "/api/v1/monitor/snapshots", Some("coordinator"), Some(body.clone())).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, info) = send(&app, Method::POST, "/api/v1/monitor/snapshots", Some("admin"), Some(body.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{info}");
    let (status, err) = send(&app, Method::POST, "/api/v1/monitor/snapshots", Some("admin"), Some(body)).await;
    assert_eq!(
        (status, codes(&err)),
        (StatusCode::UNPROCESSABLE_ENTITY, vec![("month".to_string(), "snapshot_exists".to_string())])
    );

    let past = format!("/api/v1/monitor?level=region&id={region}&as_of={last_month}");
    let page_path = format!("/monitor?area=region:{region}&as_of={last_month}");
    let (_, before) = send(&app, Method::GET, &past, None, None).await;
    let page_before = app.client.get(app.url(&page_path)).send().await.unwrap().text().await.unwrap();
    assert_eq!(before["source"]["kind"], "snapshot");

    // The data changes: Laak is delivered on the Den Haag location (certified too), and the
    // agreement is revised.
    let certificate = CertificateInput {
        organisation_id: app.other_provider_id,
        scheme: "snf".into(),
        number: "SNF-2".into(),
        valid_from: "2015-01-01".into(),
        valid_until: None,
    };
    app.store.create_certificate(&Actor::system("test"), &certificate.validate().unwrap()).await.unwrap();
    let (status, _) = send(
        &app,
        Method::PUT,
        &format!("/api/v1/projects/{laak}/locations"),
        Some("admin"),
        Some(json!({"location_ids": [app.den_haag], "version": 1})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = send(
        &app,
        Method::POST,
        &format!("/api/v1/projects/{laak}/stages"),
        Some("admin"),
        Some(json!({"stage": "delivered", "date": "2017-01-01", "version": 2})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let den_haag = app.store.parties().await.unwrap().into_iter().find(|p| p.name == "Gemeente Den Haag").unwrap().id;
    let westland = app.store.parties().await.unwrap().into_iter().find(|p| p.name == "Gemeente Westland").unwrap().id;
    let mut revision = agreement(region, (den_haag, westland));
    revision["applies_from"] = json!("2020-01-01");
    revision["task"][0]["places"] = json!(7000);
    let (status, r) = send(
        &app,
        Method::POST,
        &format!("/api/v1/agreements/{agreement_id}/versions"),
        Some("coordinator"),
        Some(revision),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");

    // Last month reads exactly as before, page and API; this month shows the change.
    let (_, after) = send(&app, Method::GET, &past, None, None).await;
    assert_eq!(after, before);
    let page_after = app.client.get(app.url(&page_path)).send().await.unwrap().text().await.unwrap();
    assert_eq!(page_after, page_before);
    let (_, now) = send(&app, Method::GET, &format!("/api/v1/monitor?level=region&id={region}"), None, None).await;
    assert_eq!(
        (now["region"]["realised"].as_i64(), now["region"]["task"].as_i64(), now["region"]["version"].as_i64()),
        (Some(4), Some(7000), Some(2))
    );
    let (_, list) = send(&app, Method::GET, "/api/v1/monitor/snapshots", None, None).await;
    assert_eq!(list["items"][0]["month"], last_month);
    app.finish().await;
}

db_tests!(agreements_projects_and_the_monitor_by_role, a_past_month_is_read_from_its_snapshot);
