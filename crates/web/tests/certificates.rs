//! Certificates over real HTTP, on SQLite and PostgreSQL: issuing and status changes with
//! their history, who sees which certificates, the public register and the public address
//! lookup ("certified under SNF for at most N persons" or "not in the register").

mod common;

use chrono::NaiveDate;
use common::{TestApp, location_json};
use flexwonen_core::access::LocationScope;
use flexwonen_core::certificates::{CertificateDraft, CertificateScheme, CertificateStatus, StatusChange};
use flexwonen_core::norms::NormScheme;
use flexwonen_store::testing::TestDb;
use flexwonen_store::{Actor, StoreError, db_tests};
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

fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// Issues a certificate as the administrator; answers the created certificate.
async fn issue(app: &TestApp, organisation: i64, scheme: &str, number: &str) -> Value {
    let body = json!({"organisation_id": organisation, "scheme": scheme, "number": number, "valid_from": "2024-01-01", "valid_until": "2099-12-31"});
    let res = app.api(Method::POST, "/api/v1/certificates", Some("admin")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED, "issue {number}");
    res.json().await.unwrap()
}

async fn change_status(app: &TestApp, id: i64, version: &str, status: &str, since: &str) -> reqwest::Response {
    app.api(Method::POST, &format!("/api/v1/certificates/{id}/status"), Some("admin"))
        .header("if-match", version)
        .json(&json!({"status": status, "since": since, "reason": "test"}))
        .send()
        .await
        .unwrap()
}

async fn certificate_count(app: &TestApp) -> i64 {
    let res = app.api(Method::GET, "/api/v1/certificates", Some("admin")).send().await.unwrap();
    res.json::<Value>().await.unwrap()["total"].as_i64().unwrap()
}

async fn issue_status_changes_and_history(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let body =
        json!({"organisation_id": app.provider_id, "scheme": "snf", "number": "SNF-0001", "valid_from": "2024-01-01"});
    let res = app.api(Method::POST, "/api/v1/certificates", Some("admin")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let created: Value = res.json().await.unwrap();
    let id = created["id"].as_i64().unwrap();
    assert_eq!((created["status"].as_str(), created["history"].as_array().unwrap().len()), (Some("active"), 1));
    assert_eq!(created["organisation_name"], "Eigen Huisvesting B.V.");

    // The same number again, bad input, a session instead of a token, a non-administrator:
    // refused, naming the field, and nothing is created.
    let (status, err) =
        error_of(app.api(Method::POST, "/api/v1/certificates", Some("admin")).json(&body).send().await.unwrap()).await;
    assert_eq!((status, err["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("number")));
    let bad =
        json!({"organisation_id": app.provider_id, "scheme": "iso9001", "number": "", "valid_from": "2024-02-30"});
    let (status, err) =
        error_of(app.api(Method::POST, "/api/v1/certificates", Some("admin")).json(&bad).send().await.unwrap()).await;
    let fields: Vec<&str> = err["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!((status, fields), (StatusCode::UNPROCESSABLE_ENTITY, vec!["scheme", "number", "valid_from"]));
    let unknown = json!({"organisation_id": 999_999, "scheme": "akf", "number": "AKF-1", "valid_from": "2024-01-01"});
    let (status, err) =
        error_of(app.api(Method::POST, "/api/v1/certificates", Some("admin")).json(&unknown).send().await.unwrap())
            .await;
    assert_eq!(
        (status, err["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("organisation_id"))
    );
    let extra = json!({"organisation_id": app.provider_id, "scheme": "akf", "number": "AKF-1", "valid_from": "2024-01-01", "colour": "red"});
    let res = app.api(Method::POST, "/api/v1/certificates", Some("admin")).json(&extra).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");
    let res = app.api(Method::POST, "/api/v1/certificates", Some("westland")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let browser = app.login("admin").await;
    let res = app
        .client
        .post(app.url("/api/v1/certificates"))
        .header("cookie", &browser.cookie)
        .json(&json!({"organisation_id": app.provider_id, "scheme": "akf", "number": "AKF-2", "valid_from": "2024-01-01"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "API writes need a bearer token");
    assert_eq!(certificate_count(&app).await, 1);

    // Suspend, then the stale version again: 409; no version: 428.
    let path = format!("/api/v1/certificates/{id}/status");
    let res = change_status(&app, id, "\"1\"", "suspended", "2025-03-01").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let (status, err) = error_of(change_status(&app, id, "\"1\"", "active", "2025-04-01").await).await;
    assert_eq!((status, err["code"].as_str()), (StatusCode::CONFLICT, Some("version_conflict")));
    let res = app
        .api(Method::POST, &path, Some("admin"))
        .json(&json!({"status": "active", "since": "2025-04-01", "reason": "test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PRECONDITION_REQUIRED);
    // A date before the last change, and a bad body: 422 naming the field.
    let (status, err) = error_of(change_status(&app, id, "\"2\"", "active", "2025-01-01").await).await;
    assert_eq!((status, err["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("since")));
    let (status, err) = error_of(change_status(&app, id, "\"2\"", "revoked", "2025-04-01").await).await;
    assert_eq!((status, err["fields"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("status")));
    // The version may travel in the body, too.
    let res = app
        .api(Method::POST, &path, Some("admin"))
        .json(&json!({"status": "active", "since": "2025-04-15", "reason": "defects repaired", "version": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(change_status(&app, id, "\"3\"", "withdrawn", "2025-06-01").await.status(), StatusCode::OK);

    // Withdrawal is final: withdrawn → active is refused (422) and nothing changes.
    let (status, err) = error_of(change_status(&app, id, "\"4\"", "active", "2025-07-01").await).await;
    assert_eq!(
        (status, err["fields"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid_transition"))
    );
    let res = app.api(Method::GET, &format!("/api/v1/certificates/{id}"), Some("admin")).send().await.unwrap();
    assert_eq!(res.headers()["etag"], "\"4\"");
    let now: Value = res.json().await.unwrap();
    assert_eq!(now["status"], "withdrawn");
    let history: Vec<(&str, &str)> = now["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["status"].as_str().unwrap(), h["since"].as_str().unwrap()))
        .collect();
    assert_eq!(
        history,
        [("active", "2024-01-01"), ("suspended", "2025-03-01"), ("active", "2025-04-15"), ("withdrawn", "2025-06-01")]
    );
    assert_eq!(now["history"][2]["reason"], "defects repaired");
    assert_eq!(now["history"][2]["recorded_by"], "admin");
    let res = app.api(Method::GET, "/api/v1/certificates/999999", Some("admin")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = change_status(&app, 999_999, "\"1\"", "suspended", "2025-03-01").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    app.finish().await;
}

async fn who_sees_which_certificates(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let own = issue(&app, app.provider_id, "snf", "SNF-1001").await["id"].as_i64().unwrap();
    let other = issue(&app, app.other_provider_id, "akf", "AKF-2002").await["id"].as_i64().unwrap();
    for (who, status, total) in [
        (None, 401, None),
        (Some("admin"), 200, Some(2)),
        (Some("ministry"), 403, None),
        (Some("coordinator"), 200, Some(2)),
        (Some("westland"), 200, Some(2)),
        (Some("provider"), 200, Some(1)),
        (Some("inspector"), 200, Some(2)),
    ] {
        let res = app.api(Method::GET, "/api/v1/certificates", who).send().await.unwrap();
        assert_eq!(res.status().as_u16(), status, "list as {who:?}");
        if let Some(total) = total {
            assert_eq!(res.json::<Value>().await.unwrap()["total"], total, "list as {who:?}");
        }
    }
    let listed: Value =
        app.api(Method::GET, "/api/v1/certificates", Some("provider")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["items"][0]["id"], own);
    assert_eq!(listed["items"][0]["history"].as_array().map(Vec::len), Some(1), "one organisation's, with history");
    let res = app
        .api(Method::GET, &format!("/api/v1/certificates?organisation_id={}", app.other_provider_id), Some("provider"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.json::<Value>().await.unwrap()["total"], 0, "a provider never reads another's");
    for (who, expect_own, expect_other) in
        [(None, 401, 401), (Some("provider"), 200, 404), (Some("inspector"), 200, 200), (Some("ministry"), 403, 403)]
    {
        for (id, expected) in [(own, expect_own), (other, expect_other)] {
            let res = app.api(Method::GET, &format!("/api/v1/certificates/{id}"), who).send().await.unwrap();
            assert_eq!(res.status().as_u16(), expected, "certificate {id} as {who:?}");
        }
    }
    let res = app.api(Method::GET, "/api/v1/certificates?scheme=iso", Some("admin")).send().await.unwrap();
    let (status, err) = error_of(res).await;
    assert_eq!((status, err["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("scheme")));

    // Pages: the public is sent to sign in; a provider sees its own only.
    let res = app.client.get(app.url("/certificates")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let provider = app.login("provider").await;
    let html = provider.get("/certificates").await.text().await.unwrap();
    assert!(html.contains("SNF-1001") && !html.contains("AKF-2002"));
    assert!(!html.contains("name=\"organisation_id\""), "no create form for a provider");
    assert_eq!(provider.get(&format!("/certificates/{other}")).await.status(), StatusCode::NOT_FOUND);
    let ministry = app.login("ministry").await;
    assert_eq!(ministry.get("/certificates").await.status(), StatusCode::FORBIDDEN);

    // The public register: everyone, no login; companies only.
    let res = app.api(Method::GET, "/api/v1/public/certified-organisations", None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let register: Value = res.json().await.unwrap();
    assert_eq!((register["total"].as_i64(), register["as_of"].as_str()), (Some(2), Some(today().as_str())));
    let entry = register["items"].as_array().unwrap().iter().find(|e| e["certificate_number"] == "SNF-1001").unwrap();
    assert_eq!(
        (
            entry["organisation_name"].as_str(),
            entry["kvk"].as_str(),
            entry["scheme"].as_str(),
            entry["status"].as_str()
        ),
        (Some("Eigen Huisvesting B.V."), Some("91111111"), Some("snf"), Some("active"))
    );
    assert_eq!(entry["valid_until"], "2099-12-31");
    assert!(entry.get("organisation_id").is_none() && entry.get("history").is_none());
    let filtered: Value = app
        .api(Method::GET, "/api/v1/public/certified-organisations?scheme=akf", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (filtered["total"].as_i64(), filtered["items"][0]["certificate_number"].as_str()),
        (Some(1), Some("AKF-2002"))
    );
    let searched: Value = app
        .api(Method::GET, "/api/v1/public/certified-organisations?q=eigen", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (searched["total"].as_i64(), searched["items"][0]["certificate_number"].as_str()),
        (Some(1), Some("SNF-1001"))
    );
    let res = app.api(Method::GET, "/api/v1/public/certified-organisations?scheme=iso", None).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // A suspended mark stays with its status; a withdrawn one leaves the register.
    assert_eq!(change_status(&app, own, "\"1\"", "suspended", &today()).await.status(), StatusCode::OK);
    assert_eq!(change_status(&app, other, "\"1\"", "withdrawn", &today()).await.status(), StatusCode::OK);
    let register: Value = app
        .api(Method::GET, "/api/v1/public/certified-organisations", None)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((register["total"].as_i64(), register["items"][0]["status"].as_str()), (Some(1), Some("suspended")));
    let res = app.client.get(app.url("/register")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("Eigen Huisvesting B.V.") && html.contains("geschorst") && !html.contains("AKF-2002"));
    assert!(html.contains("Register van gecertificeerde organisaties"));
    app.finish().await;
}

/// A 120 m² regular dwelling zoned for living (SNF: 12 m² per person → 10), two toilets and
/// two showers, no bedrooms registered, at 2671 CD 12A, run by the test provider.
async fn certified_dwelling(app: &TestApp) -> i64 {
    let mut body = location_json("2671 CD", 12, "GM1783", Some(app.provider_id));
    body["address"]["house_letter"] = json!("A");
    body["housing_form"] = json!("a");
    body["zoned_residential"] = json!(true);
    body["floor_area_m2"] = json!(120.0);
    body["facilities"] = json!({"toilets": 2, "showers": 2, "kitchens": 1, "washing_machines": 1});
    body["rooms"] = json!([]);
    let res = app.api(Method::POST, "/api/v1/locations", Some("admin")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn lookup(app: &TestApp, query: &str) -> (StatusCode, Value) {
    let res = app.api(Method::GET, &format!("/api/v1/public/certified-address?{query}"), None).send().await.unwrap();
    (res.status(), res.json().await.unwrap())
}

async fn public_address_lookup(db: TestDb) {
    let app = TestApp::spawn(db).await;
    certified_dwelling(&app).await;
    let not_in_register = json!({"as_of": today(), "certified": false, "scheme": null, "max_persons": null, "answer": "not in the register"});

    // Before any certificate: not in the register.
    assert_eq!(lookup(&app, "postcode=2671CD&number=12&letter=A").await, (StatusCode::OK, not_in_register.clone()));
    let cert = issue(&app, app.provider_id, "snf", "SNF-3003").await["id"].as_i64().unwrap();

    let (status, answer) = lookup(&app, "postcode=2671+cd&number=12&letter=a").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((answer["certified"].as_bool(), answer["max_persons"].as_i64()), (Some(true), Some(10)));
    assert_eq!(answer["scheme"], "snf");
    assert_eq!(answer["answer"], format!("certified under SNF for at most 10 persons, as of {}", today()));

    // Another address of the same number, a location whose operator holds no certificate,
    // an unknown address: the same answer, telling nothing more.
    for query in [
        "postcode=2671CD&number=12",
        "postcode=2671CD&number=12&letter=A&addition=2",
        "postcode=2511AB&number=1",
        "postcode=9999ZZ&number=1",
    ] {
        assert_eq!(lookup(&app, query).await, (StatusCode::OK, not_in_register.clone()), "{query}");
    }

    // Malformed: 400 naming the field; the public API never panics on odd input.
    for (query, field) in [
        ("postcode=0123AB&number=12", "postcode"),
        ("postcode=26710CD&number=12", "postcode"),
        ("number=12", "postcode"),
        ("postcode=2671CD", "number"),
        ("postcode=2671CD&number=twaalf", "number"),
        ("postcode=2671CD&number=0", "number"),
        ("postcode=2671CD&number=99999999999999999999", "number"),
        ("postcode=2671CD&number=12&letter=AB", "letter"),
        ("postcode=2671CD&number=12&addition=12345", "addition"),
    ] {
        let res =
            app.api(Method::GET, &format!("/api/v1/public/certified-address?{query}"), None).send().await.unwrap();
        let (status, err) = error_of(res).await;
        assert_eq!((status, err["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{query}");
    }

    // The public page, in Dutch, with the answer; English on request; errors next to the field.
    let res = app.client.get(app.url("/register/adres?postcode=2671+CD&number=12&letter=A")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\">"));
    assert!(html.contains("Gecertificeerd onder SNF voor ten hoogste 10 personen, per "), "{html}");
    assert!(html.contains("2671 CD 12A"));
    let html = app.client.get(app.url("/register/adres")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Is dit adres gecertificeerd?") && !html.contains("Gecertificeerd onder"));
    let html = app
        .client
        .get(app.url("/register/adres?postcode=2671CD&number=12&letter=A&lang=en"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Certified under SNF for at most 10 persons, as of "));
    let res = app.client.get(app.url("/register/adres?postcode=0123+AB&number=12")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let html = res.text().await.unwrap();
    assert!(html.contains("Dit is geen geldige postcode") && html.contains("aria-invalid=\"true\""));
    let html =
        app.client.get(app.url("/register/adres?postcode=9999ZZ&number=1")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Niet in het register, per "));

    // Suspended today: not in the register any more; reinstated: certified again.
    assert_eq!(change_status(&app, cert, "\"1\"", "suspended", &today()).await.status(), StatusCode::OK);
    assert_eq!(lookup(&app, "postcode=2671CD&number=12&letter=A").await, (StatusCode::OK, not_in_register.clone()));
    let html = app
        .client
        .get(app.url("/register/adres?postcode=2671CD&number=12&letter=A"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Niet in het register") && !html.contains("Gecertificeerd onder"));
    assert_eq!(change_status(&app, cert, "\"2\"", "active", &today()).await.status(), StatusCode::OK);
    assert_eq!(lookup(&app, "postcode=2671CD&number=12&letter=A").await.1["max_persons"], 10);

    // SNF-inhuur brings the SNF norm as well; AKF alone does not answer this lookup. But the
    // AKF certificate held beside it brings the AKF norm, which permits fewer here (15 m² per
    // person → 8), and the answer is the lowest number every applicable norm permits.
    assert_eq!(change_status(&app, cert, "\"3\"", "withdrawn", &today()).await.status(), StatusCode::OK);
    issue(&app, app.provider_id, "akf", "AKF-4004").await;
    assert_eq!(lookup(&app, "postcode=2671CD&number=12&letter=A").await.1["certified"], false);
    issue(&app, app.provider_id, "snf_inhuur", "SNFI-5005").await;
    let (_, answer) = lookup(&app, "postcode=2671CD&number=12&letter=A").await;
    assert_eq!((answer["scheme"].as_str(), answer["max_persons"].as_i64()), (Some("snf_inhuur"), Some(8)));
    assert_eq!(answer["answer"], format!("certified under SNF-inhuur for at most 8 persons, as of {}", today()));
    app.finish().await;
}

/// The lookup answers the lowest number any applicable norm permits, not SNF's alone: a
/// 120 m² location of form a NOT zoned for living gets 12 under SNF (10 m² per person) but
/// 10 under the Bouwbesluit (12 m² per person), so the answer is 10.
async fn lookup_answers_the_lowest_permitted_number(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let mut body = location_json("2671 CD", 14, "GM1783", Some(app.provider_id));
    body["housing_form"] = json!("a");
    body["zoned_residential"] = json!(false);
    body["floor_area_m2"] = json!(120.0);
    body["facilities"] = json!({"toilets": 2, "showers": 2, "kitchens": 1, "washing_machines": 1});
    body["rooms"] = json!([]);
    let res = app.api(Method::POST, "/api/v1/locations", Some("admin")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    issue(&app, app.provider_id, "snf", "SNF-6006").await;

    // SNF alone would allow 12; the Bouwbesluit binds at 10.
    let location = app.store.location(&LocationScope::All, id).await.unwrap();
    let date = chrono::Utc::now().date_naive();
    let capacity = app.store.location_capacity(&location, date).await.unwrap();
    let per_scheme = |scheme| capacity.schemes.iter().find(|s| s.scheme == scheme).and_then(|s| s.permitted);
    assert_eq!((per_scheme(NormScheme::Snf), per_scheme(NormScheme::Bouwbesluit)), (Some(12), Some(10)));

    let (status, answer) = lookup(&app, "postcode=2671CD&number=14").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((answer["certified"].as_bool(), answer["max_persons"].as_i64()), (Some(true), Some(10)));
    assert_eq!(answer["answer"], format!("certified under SNF for at most 10 persons, as of {}", today()));
    let html = app
        .client
        .get(app.url("/register/adres?postcode=2671CD&number=14"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Gecertificeerd onder SNF voor ten hoogste 10 personen, per "), "{html}");

    // A closed location of the same certified operator is not certified housing.
    let mut closed = location_json("2671 CD", 15, "GM1783", Some(app.provider_id));
    closed["legal_status"] = json!("closed");
    let res = app.api(Method::POST, "/api/v1/locations", Some("admin")).json(&closed).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let (_, answer) = lookup(&app, "postcode=2671CD&number=15").await;
    assert_eq!(answer["answer"], "not in the register");
    app.finish().await;
}

/// Two status changes on the same version at once, in two tasks (withdraw and reinstate a
/// suspended certificate): exactly one succeeds, the other is a conflict, and the history
/// gains one entry only. On PostgreSQL both may read the version before either writes, so
/// the version check in the UPDATE decides; several rounds give that interleaving a chance.
async fn concurrent_status_changes_on_one_version(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let actor = Actor::system("test");
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let change = |status, since: &str| StatusChange { status, since: day(since), reason: "test".into() };
    for round in 0..10 {
        let draft = CertificateDraft {
            organisation_id: app.provider_id,
            scheme: CertificateScheme::Snf,
            number: format!("SNF-RACE-{round}"),
            valid_from: day("2024-01-01"),
            valid_until: None,
        };
        let created = app.store.create_certificate(&actor, &draft).await.unwrap();
        let suspended = app
            .store
            .change_certificate_status(&actor, created.id, 1, &change(CertificateStatus::Suspended, "2025-03-01"))
            .await
            .unwrap();
        assert_eq!((suspended.version, suspended.history.len()), (2, 2));

        let tasks = [CertificateStatus::Withdrawn, CertificateStatus::Active].map(|status| {
            let store = app.store.clone();
            let actor = actor.clone();
            let change = change(status, "2025-04-01");
            tokio::spawn(async move { (status, store.change_certificate_status(&actor, created.id, 2, &change).await) })
        });
        let mut won = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                (status, Ok(c)) => won.push((status, c)),
                (_, Err(StoreError::Conflict { current })) => assert_eq!(current, 3, "round {round}"),
                (status, Err(e)) => panic!("round {round}: {status} failed with {e}"),
            }
        }
        assert_eq!(won.len(), 1, "round {round}: exactly one change succeeds");
        let after = app.store.certificate(created.id).await.unwrap();
        assert_eq!((after.version, after.status), (3, won[0].0), "round {round}");
        let history: Vec<CertificateStatus> = after.history.iter().map(|h| h.status).collect();
        assert_eq!(
            history,
            [CertificateStatus::Active, CertificateStatus::Suspended, won[0].0],
            "round {round}: one new history entry"
        );
        assert_eq!(after, won[0].1, "round {round}");
    }
    app.finish().await;
}

async fn certificate_pages_for_administrators(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let admin = app.login("admin").await;
    let html = admin.get("/certificates").await.text().await.unwrap();
    assert!(html.contains("Nieuw certificaat") && html.contains("Eigen Huisvesting B.V."));
    assert!(html.contains("href=\"/certificates\"") && html.contains("href=\"/register\""), "nav links");

    // Errors next to the fields, nothing created.
    let provider = app.provider_id.to_string();
    let res = admin
        .post(
            "/certificates",
            &[
                ("organisation_id", provider.as_str()),
                ("scheme", "snf"),
                ("number", "SNF 1"),
                ("valid_from", "2024-13-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"number-error\"") && html.contains("id=\"valid_from-error\""));
    assert!(html.contains("value=\"SNF 1\""), "the form keeps what was typed");
    assert_eq!(certificate_count(&app).await, 0);
    let res = admin.post_without_csrf("/certificates", &[("organisation_id", provider.as_str())]).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let res = admin
        .post(
            "/certificates",
            &[
                ("organisation_id", provider.as_str()),
                ("scheme", "snf"),
                ("number", "SNF-7007"),
                ("valid_from", "2024-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to = res.headers()["location"].to_str().unwrap().to_string();
    let html = admin.get(&to).await.text().await.unwrap();
    assert!(html.contains("SNF-7007") && html.contains("Statusgeschiedenis") && html.contains("issued"));
    assert!(html.contains("Schorsen") && html.contains("Intrekken"));

    // A status change through the form, then the stale form again: 409, nothing changed.
    let res = admin
        .post(
            &format!("{to}/status"),
            &[
                ("status", "suspended"),
                ("since", "2025-03-01"),
                ("reason", "achterstallige gebreken"),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = admin
        .post(
            &format!("{to}/status"),
            &[("status", "withdrawn"), ("since", "2025-04-01"), ("reason", "x"), ("version", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let res = admin
        .post(&format!("{to}/status"), &[("status", "active"), ("since", ""), ("reason", ""), ("version", "2")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"since-error\"") && html.contains("id=\"reason-error\""));
    let html = admin.get(&to).await.text().await.unwrap();
    assert!(html.contains("geschorst") && html.contains("achterstallige gebreken") && html.contains("1 maart 2025"));
    assert!(html.contains("Herstellen"));

    // Others may read but not change.
    let westland = app.login("westland").await;
    assert_eq!(westland.get(&to).await.status(), StatusCode::OK);
    let res = westland
        .post(
            &format!("{to}/status"),
            &[("status", "active"), ("since", "2025-05-01"), ("reason", "x"), ("version", "2")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = westland
        .post(
            "/certificates",
            &[
                ("organisation_id", provider.as_str()),
                ("scheme", "akf"),
                ("number", "A-1"),
                ("valid_from", "2024-01-01"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(certificate_count(&app).await, 1);
    app.finish().await;
}

db_tests!(
    issue_status_changes_and_history,
    who_sees_which_certificates,
    public_address_lookup,
    lookup_answers_the_lowest_permitted_number,
    concurrent_status_changes_on_one_version,
    certificate_pages_for_administrators,
);
