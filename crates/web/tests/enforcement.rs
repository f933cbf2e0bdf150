//! Complaints, enforcement cases and the bed-for-bed balance over HTTP, on SQLite and on
//! PostgreSQL: the public form in five languages with its challenge, follow-up code and rate
//! limit; cases through the API and the pages, refusals that change nothing; the balance as
//! each role may see it.

mod common;

use common::TestApp;
use flexwonen_core::access::{LocationScope, Role};
use flexwonen_core::certificates::CertificateInput;
use flexwonen_core::geo::{PositionInput, RdPoint};
use flexwonen_store::testing::{TestDb, dormitory, housing_provider};
use flexwonen_store::{AccountSpec, Actor, db_tests};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The fields of a freshly served complaint form, with the challenge answered.
async fn complaint_form(app: &TestApp, lang: &str) -> Vec<(String, String)> {
    let html = app.client.get(app.url(&format!("/klacht?lang={lang}"))).send().await.unwrap().text().await.unwrap();
    let mut fields: Vec<(String, String)> = ["lang", "a", "b", "expires", "nonce", "token"]
        .iter()
        .map(|n| (n.to_string(), common::hidden_value(&html, n)))
        .collect();
    let sum: u32 = fields[1].1.parse::<u32>().unwrap() + fields[2].1.parse::<u32>().unwrap();
    fields.push(("answer".into(), sum.to_string()));
    fields
}

fn with(mut form: Vec<(String, String)>, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    for (k, v) in extra {
        form.retain(|(f, _)| f != k);
        form.push((k.to_string(), v.to_string()));
    }
    form
}

const COMPLAINT: &[(&str, &str)] = &[
    ("postcode", "2671 ab"),
    ("house_number", "1"),
    ("kind", "overcrowding"),
    ("description", "Er slapen minstens twintig mensen in dit huis, ook in de schuur."),
];

async fn post_form(app: &TestApp, form: &[(String, String)]) -> (StatusCode, String) {
    let res = app.client.post(app.url("/klacht")).form(form).send().await.unwrap();
    (res.status(), res.text().await.unwrap())
}

fn shown_code(html: &str) -> String {
    let start = html.find("id=\"code\">").expect("a follow-up code on the page") + 10;
    html[start..].split('<').next().unwrap().to_string()
}

async fn the_public_complaint_form_keeps_a_complaint_once_and_shows_its_status(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let count = || async { app.store.complaint_count().await.unwrap() };
    let form = complaint_form(&app, "pl").await;
    let page = app.client.get(app.url("/klacht?lang=pl")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<html lang=\"pl\">") && page.contains("Skarga dotycząca zakwaterowania"));
    for (lang, title) in
        [("ro", "Reclamație privind locuința"), ("bg", "Оплакване за жилище"), ("en", "Complaint about housing")]
    {
        let page = app.client.get(app.url(&format!("/klacht?lang={lang}"))).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(title), "{lang}");
    }

    // Wrong answer, bad postcode, a description too long: named, in Polish; nothing kept.
    let (status, html) = post_form(&app, &with(form.clone(), &[COMPLAINT, &[("answer", "99")]].concat())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Odpowiedź na pytanie kontrolne jest nieprawidłowa."));
    let long = "x".repeat(4_001);
    let bad = with(form.clone(), &[COMPLAINT, &[("postcode", "12"), ("description", long.as_str())]].concat());
    let (status, html) = post_form(&app, &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("href=\"#f-postcode\"") && html.contains("href=\"#f-description\""), "each field named");
    assert!(html.contains("Opis jest za długi"));
    // A body no person types: refused before it is read.
    let huge = "x".repeat(100_000);
    let (status, _) =
        post_form(&app, &with(form.clone(), &[COMPLAINT, &[("description", huge.as_str())]].concat())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(count().await, 0);

    // Valid: kept once, routed to Westland by the register's address; sent again, the same code.
    let good = with(form.clone(), COMPLAINT);
    let (status, html) = post_form(&app, &good).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(html.contains("Westland"));
    let code = shown_code(&html);
    let (status, again) = post_form(&app, &good).await;
    assert_eq!((status, shown_code(&again)), (StatusCode::OK, code.clone()));
    assert_eq!(count().await, 1);

    // The status page takes the code in any case, without dashes; a typo or an unknown code is told.
    let typed = code.replace('-', "").to_lowercase();
    let res = app.client.get(app.url(&format!("/klacht/status?lang=ro&code={typed}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.unwrap().contains("Primită: primăria analizează sesizarea."));
    let res = app.client.get(app.url("/klacht/status?code=ABCD")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let unknown = flexwonen_core::complaints::FollowUpCode::for_submission(b"another key", "x").display();
    let res = app.client.get(app.url(&format!("/klacht/status?code={unknown}"))).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // An address nobody knows: the municipality is asked for; chosen, the complaint goes there.
    let nowhere = [COMPLAINT, &[("postcode", "9999 ZZ")]].concat();
    let (status, html) = post_form(&app, &with(complaint_form(&app, "en").await, &nowhere)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("We cannot find this address. Choose the municipality."));
    let chosen = [nowhere.as_slice(), &[("municipality", "GM0983")]].concat();
    let (status, html) = post_form(&app, &with(complaint_form(&app, "en").await, &chosen)).await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(html.contains("Venlo"));

    // The municipality reads its own complaints, with the text; nobody else does.
    let own: Value =
        app.api(Method::GET, "/api/v1/complaints", Some("westland")).send().await.unwrap().json().await.unwrap();
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    assert_eq!(own["items"][0]["contact"], Value::Null, "anonymous");
    for (who, status) in [(None, 401), (Some("ministry"), 403), (Some("inspector"), 403)] {
        assert_eq!(app.api(Method::GET, "/api/v1/complaints", who).send().await.unwrap().status().as_u16(), status);
    }

    // The rate limit: five a client in ten minutes (two were let through above; a form sent
    // again does not count), then 429 with Retry-After; nothing more kept.
    let mut accepted = 0;
    let mut refused = 0;
    for n in 0..4 {
        let number = (10 + n).to_string();
        let fields = [COMPLAINT, &[("house_number", number.as_str()), ("municipality", "GM1783")]].concat();
        let (status, _) = post_form(&app, &with(complaint_form(&app, "nl").await, &fields)).await;
        match status {
            StatusCode::CREATED => accepted += 1,
            StatusCode::TOO_MANY_REQUESTS => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((accepted, refused), (3, 1));
    assert_eq!(count().await, 5);
    let (status, again) = post_form(&app, &good).await;
    assert_eq!((status, shown_code(&again)), (StatusCode::OK, code.clone()), "a form sent again still shows its code");
    let res = app
        .client
        .post(app.url("/klacht"))
        .form(&with(complaint_form(&app, "nl").await, COMPLAINT))
        .send()
        .await
        .unwrap();
    assert!(res.headers().contains_key("retry-after"));
    app.finish().await;
}

/// A certified provider's dormitory in `municipality` at RD x `x`.
async fn certified(app: &TestApp, kvk: &str, municipality: &str, postcode: &str, beds: usize, x: f64) -> Vec<i64> {
    let actor = Actor::system("test");
    let org = app.store.create_organisation(&actor, &housing_provider(kvk).validate().unwrap()).await.unwrap().id;
    let cert = CertificateInput {
        organisation_id: org,
        scheme: "snf".into(),
        number: format!("SNF-{kvk}"),
        valid_from: "2015-01-01".into(),
        valid_until: None,
    };
    app.store.create_certificate(&actor, &cert.validate().unwrap()).await.unwrap();
    let mut input = dormitory(municipality, postcode, org, 600.0, beds);
    input.position = Some(PositionInput::Rd(RdPoint { x, y: 445_000.0 }));
    let l = app.store.create_location(&actor, &LocationScope::All, &input.validate().unwrap()).await.unwrap();
    l.rooms.iter().flat_map(|r| r.beds.iter().map(|b| b.id)).collect()
}

async fn send(app: &TestApp, method: Method, path: &str, who: &str, body: Value) -> (u16, Value) {
    let res = app.api(method, path, Some(who)).json(&body).send().await.unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

fn first_code(v: &Value) -> &str {
    v["error"]["fields"][0]["code"].as_str().unwrap_or("")
}

async fn a_case_goes_bed_for_bed_through_the_api_and_the_pages(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let near = certified(&app, "71111111", "GM1783", "2672AA", 3, 76_000.0).await;
    // An inspector of Westland's labour-market region (the shared one is Limburg's).
    let haaglanden_am =
        app.store.regions_of(&flexwonen_core::ids::MunicipalityCode::parse("GM1783").unwrap()).await.unwrap();
    let region = haaglanden_am.iter().find(|r| r.kind.as_str() == "labour_market").unwrap().id;
    let actor = Actor::system("test");
    let spec = AccountSpec {
        username: "inspecteur-haaglanden".into(),
        display_name: "Inspecteur".into(),
        password_hash: "x".into(),
        role: Role::Inspector,
        region_id: Some(region),
        municipality: None,
        organisation_id: None,
    };
    let inspector = app.store.create_account(&actor, &spec).await.unwrap();
    let (token, hash) = flexwonen_web::new_api_token();
    app.store.create_api_token(&actor, &hash, inspector).await.unwrap();
    let as_inspector = |m: Method, p: &str| app.client.request(m, app.url(p)).bearer_auth(&token);

    let open = json!({"source": "manual", "postcode": "2671 AB", "house_number": 1, "stay_type": "short", "found": 4,
                      "summary": "Zolder met acht matrassen", "assignee": "inspector"});
    let (status, body) = send(&app, Method::POST, "/api/v1/cases", "westland", open.clone()).await;
    assert_eq!((status, first_code(&body)), (422, "unknown_assignee"), "Limburg's inspector is not Westland's");
    let (status, body) = send(&app, Method::POST, "/api/v1/cases", "ministry", open.clone()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (403, Some("forbidden")));
    let open = json!({"source": "manual", "postcode": "2671 AB", "house_number": 1, "stay_type": "short", "found": 4,
                      "assignee": "inspecteur-haaglanden"});
    let (status, case) = send(&app, Method::POST, "/api/v1/cases", "westland", open).await;
    assert_eq!(status, 201, "{case}");
    let id = case["id"].as_i64().unwrap();
    assert_eq!((case["next_step"].as_str(), case["deadline"].is_string()), (Some("intake"), true));
    let steps = format!("/api/v1/cases/{id}/steps");

    // The assigned inspector sees it and records what is theirs; not the decision.
    let listed: Value = as_inspector(Method::GET, "/api/v1/cases").send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["total"], 1);
    let other: Value =
        app.api(Method::GET, "/api/v1/cases", Some("inspector")).send().await.unwrap().json().await.unwrap();
    assert_eq!(other["total"], 0, "Limburg's inspector sees no case of Westland");
    assert_eq!(as_inspector(Method::POST, &steps).json(&json!({"step": "intake"})).send().await.unwrap().status(), 200);
    let (status, body) =
        send(&app, Method::POST, &steps, "westland", json!({"step": "decision", "decision": "relocate"})).await;
    assert_eq!((status, first_code(&body)), (422, "step_skipped"));
    for step in ["desk_check", "visit"] {
        assert_eq!(as_inspector(Method::POST, &steps).json(&json!({"step": step})).send().await.unwrap().status(), 200);
    }
    let decision = json!({"step": "decision", "decision": "relocate", "penalty": {"amount_cents": 25000, "per": "week", "maximum_cents": 100000}});
    assert_eq!(as_inspector(Method::POST, &steps).json(&decision).send().await.unwrap().status(), 403);
    let no_max = json!({"step": "decision", "decision": "relocate", "penalty": {"amount_cents": 25000, "per": "week"}});
    let (status, body) = send(&app, Method::POST, &steps, "westland", no_max).await;
    assert_eq!((status, first_code(&body)), (422, "penalty_maximum_required"));
    let (status, _) = send(&app, Method::POST, &steps, "westland", decision).await;
    assert_eq!(status, 200);

    // Vacancies: the certified beds in the region, nearest first; a relocation is a check-in.
    let vacancies: Value = app
        .api(Method::GET, &format!("/api/v1/cases/{id}/vacancies"), Some("westland"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let beds: Vec<i64> = vacancies["items"].as_array().unwrap().iter().map(|v| v["bed_id"].as_i64().unwrap()).collect();
    assert_eq!(beds, near[..2], "the bed out of service is not proposed");
    let relocation = |bed: i64, reference: &str| {
        json!({"id": format!("r-{reference}"), "type": "check_in", "date": common_today(), "bed_id": bed,
               "worker": {"reference": reference, "nationality": "BG", "registration": "none"},
               "terms": {"separate_contract": true, "rent_per_week": 95, "notice_days": 14}})
    };
    let relocate = format!("/api/v1/cases/{id}/relocations");
    let (status, case) = send(&app, Method::POST, &relocate, "westland", relocation(beds[0], "W1")).await;
    assert_eq!((status, case["ledger"]["relocated"].as_i64()), (200, Some(1)), "{case}");
    // The same relocation sent again (a retry): answered, nobody moved twice.
    let (status, case) = send(&app, Method::POST, &relocate, "westland", relocation(beds[0], "W1")).await;
    assert_eq!((status, case["ledger"]["relocated"].as_i64()), (200, Some(1)), "{case}");
    let (status, body) = send(&app, Method::POST, &relocate, "westland", relocation(beds[0], "W2")).await;
    assert_eq!((status, first_code(&body)), (422, "bed_taken"));
    let all = LocationScope::All;
    let uncertified = app.store.location(&all, app.westland).await.unwrap().rooms[0].beds[0].id;
    let (status, body) = send(&app, Method::POST, &relocate, "westland", relocation(uncertified, "W2")).await;
    assert_eq!((status, first_code(&body)), (422, "bed_not_certified"));

    // Closing with beds open is refused; departed accounted; then it closes.
    let (status, body) = send(&app, Method::POST, &steps, "westland", json!({"step": "closed"})).await;
    assert_eq!((status, first_code(&body)), (422, "ledger_open"));
    let (status, case) = send(
        &app,
        Method::POST,
        &format!("/api/v1/cases/{id}/outcomes"),
        "westland",
        json!({"outcome": "departed", "count": 3}),
    )
    .await;
    assert_eq!((status, case["ledger"]["open"].as_i64()), (200, Some(0)));
    let (status, case) = send(&app, Method::POST, &steps, "westland", json!({"step": "closed"})).await;
    assert_eq!((status, case["closed_on"].is_string()), (200, true));

    // The balance, as each role may see it.
    let balance = |who: Option<&'static str>, query: &'static str| {
        let app = &app;
        async move {
            let res = app.api(Method::GET, &format!("/api/v1/bed-for-bed{query}"), who).send().await.unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, national) = balance(Some("ministry"), "?level=national").await;
    assert_eq!(status, 200);
    assert_eq!(
        [&national["found"], &national["legalised"], &national["relocated"], &national["departed"], &national["open"]],
        [&json!(4), &json!(0), &json!(1), &json!(3), &json!(0)]
    );
    assert_eq!(national["receiving"], json!({"locations": 1, "over_capacity": 0}));
    assert_eq!(national["municipalities"][0]["municipality_code"], "GM1783");
    assert_eq!(national["municipalities"][0]["departed"], 3);
    let (status, own) = balance(Some("westland"), "").await;
    assert_eq!((status, own["level"].as_str(), own["found"].as_i64()), (200, Some("municipality"), Some(4)));
    assert_eq!(balance(Some("westland"), "?level=national").await.0, 403);
    assert_eq!(balance(Some("coordinator"), "").await.0, 200);
    assert_eq!(balance(Some("coordinator"), "?level=municipality&id=GM0983").await.0, 403);
    assert_eq!(balance(Some("provider"), "").await.0, 403);
    assert_eq!(balance(None, "").await.0, 401);
    assert_eq!(balance(Some("ministry"), "?level=province").await.0, 400);

    // The pages: the deadline overview, a case opened by hand, a refused step shown in Dutch.
    let browser = app.login("westland").await;
    // A complaint handled without a case, on its page: the reporter's status says closed.
    let complaint = flexwonen_core::complaints::ComplaintInput {
        postcode: "2671AB".into(),
        house_number: 3,
        kind: "nuisance".into(),
        description: "Elke nacht lawaai op straat.".into(),
        ..Default::default()
    }
    .validate()
    .unwrap();
    let westland = flexwonen_core::ids::MunicipalityCode::parse("GM1783").unwrap();
    let code = flexwonen_core::complaints::FollowUpCode::for_submission(b"k", "n");
    let received = app.store.receive_complaint(&complaint, &westland, "n", &code, "nl").await.unwrap();
    let page = format!("/handhaving/klachten/{}", received.id);
    let res = browser.post(&format!("{page}/afhandelen"), &[("reason", "")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Schrijf op waarom er geen actie nodig is."));
    let res = browser.post(&format!("{page}/afhandelen"), &[("reason", "Bezocht, geen arbeidsmigranten.")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(browser.get(&page).await.text().await.unwrap().contains("Afgehandeld zonder zaak"));
    assert_eq!(app.store.complaint_status(&code).await.unwrap().state, flexwonen_store::ComplaintState::Closed);
    let html = browser.get("/handhaving").await.text().await.unwrap();
    assert!(html.contains("Balans bed voor bed") && html.contains("Gesloten zaken (1)"));
    let res = browser
        .post(
            "/handhaving/zaken",
            &[
                ("source", "manual"),
                ("postcode", "2671AB"),
                ("house_number", "7"),
                ("stay_type", "mid"),
                ("found", "2"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let at = res.headers()["location"].to_str().unwrap().to_string();
    let html = browser.get(&at).await.text().await.unwrap();
    assert!(html.contains("2671 AB 7") && html.contains("Intake"));
    let res = browser.post(&format!("{at}/stap"), &[("step", "decision"), ("decision", "legalise")]).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.unwrap().contains("Eerst moeten de verplichte stappen ervoor gedaan zijn."));
    let res = browser.post(&format!("{at}/stap"), &[("step", "intake"), ("note", "Gebeld met melder")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = browser.get(&at).await.text().await.unwrap();
    assert!(html.contains("Gebeld met melder") && html.contains("step:intake"), "the step and its audit entry");
    app.finish().await;
}

fn common_today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

db_tests!(
    the_public_complaint_form_keeps_a_complaint_once_and_shows_its_status,
    a_case_goes_bed_for_bed_through_the_api_and_the_pages,
);
