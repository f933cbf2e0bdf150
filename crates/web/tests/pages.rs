//! The web pages as a person uses them: sign in, forms with errors next to their fields,
//! rooms and beds, history, language, sign out.

mod common;

use common::{TestApp, hidden_value};
use flexwonen_store::db_tests;
use flexwonen_store::testing::TestDb;
use reqwest::StatusCode;

fn location_form<'a>(postcode: &'a str, number: &'a str, version: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("postcode", postcode),
        ("house_number", number),
        ("house_letter", ""),
        ("house_addition", ""),
        ("street", "Middel Broekweg"),
        ("place", "Naaldwijk"),
        ("municipality_code", "GM1783"),
        ("bag_vbo_id", ""),
        ("housing_form", "a"),
        ("zoned_residential", "on"),
        ("floor_area_m2", "96,5"),
        ("legal_status", "in_use"),
        ("stay_type", "short"),
        ("operator_id", ""),
        ("toilets", "1"),
        ("showers", "1"),
        ("kitchens", "1"),
        ("washing_machines", "1"),
        ("rd_x", ""),
        ("rd_y", ""),
        ("new_build", "on"),
        ("in_use_since", "2025-09-01"),
        ("bedroom_sharing_agreed", "on"),
        ("first_responsible", "on"),
        ("version", version),
    ]
}

async fn a_municipality_registers_a_location_with_rooms_and_beds(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let b = app.login("westland").await;

    // Errors are shown next to their fields and nothing is saved.
    let mut bad = location_form("0000 XX", "twaalf", "");
    bad.retain(|(k, _)| *k != "street");
    for (k, v) in bad.iter_mut() {
        if *k == "in_use_since" {
            *v = "1-9-2025";
        }
    }
    let res = b.post("/locations", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.unwrap();
    assert!(html.contains("id=\"postcode-error\""), "postcode error next to the field");
    assert!(html.contains("id=\"house_number-error\""));
    assert!(html.contains("id=\"street-error\""));
    assert!(html.contains("id=\"in_use_since-error\""));
    assert!(html.contains("value=\"1-9-2025\""), "the date as typed is kept");
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("value=\"0000 XX\""), "what was typed is kept");
    let summary = &html[html.find("error-summary").unwrap()..];
    let at = |label: &str| summary.find(label).unwrap_or_else(|| panic!("{label} in the summary"));
    assert!(at("Postcode:") < at("Huisnummer:") && at("Huisnummer:") < at("Straat:"), "the summary follows the form");
    assert!(summary.contains("Dit is geen geldige postcode"), "messages in Dutch");
    assert!(at("Straat:") < at("In gebruik sinds:"));
    assert!(summary.contains("Dit is geen datum. Schrijf jjjj-mm-dd"));
    assert_eq!(app.store.totals(None).await.unwrap().total().locations, 3);

    // A good form creates the location and shows it.
    let res = b.post("/locations", &location_form("2671 XY", "4", "")).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let at = res.headers()["location"].to_str().unwrap().to_string();
    let page = b.get(&at).await.text().await.unwrap();
    assert!(page.contains("Middel Broekweg 4") && page.contains("Opgeslagen."));
    let id: i64 = at.trim_start_matches("/locations/").split('?').next().unwrap().parse().unwrap();
    assert!(page.contains("<dt>In gebruik sinds</dt><dd>2025-09-01</dd>"), "the facts are on the page");
    assert!(
        page.contains("<dt>Nieuwbouw</dt><dd>ja</dd>")
            && page.contains("<dt>Omzettingsvergunning aanwezig</dt><dd>nee</dd>")
    );
    let facts = |l: &flexwonen_store::Location| {
        (
            l.new_build,
            l.in_use_since.map(|d| d.to_string()),
            l.conversion_permit,
            l.bedroom_sharing_agreed,
            l.first_responsible,
        )
    };
    let stored = app.store.location(&flexwonen_core::access::LocationScope::All, id).await.unwrap();
    assert_eq!(facts(&stored), (true, Some("2025-09-01".into()), false, true, true));
    // The edit form shows them as saved.
    let edit = b.get(&format!("/locations/{id}/edit")).await.text().await.unwrap();
    assert!(edit.contains("name=\"in_use_since\" value=\"2025-09-01\""), "the date on the edit form");
    assert!(edit.contains("type=\"date\""));
    for (name, checked) in [
        ("new_build", true),
        ("conversion_permit", false),
        ("bedroom_sharing_agreed", true),
        ("first_responsible", true),
    ] {
        assert_eq!(edit.contains(&format!("name=\"{name}\" checked")), checked, "{name}");
    }

    // Add a room with three beds, then take one out of service and add one.
    let version = hidden_value(&page, "version");
    let res = b
        .post(
            &format!("/locations/{id}/rooms"),
            &[("name", "Slaapkamer 1"), ("area_m2", "14,5"), ("beds", "3"), ("version", &version)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = app.store.location(&flexwonen_core::access::LocationScope::All, id).await.unwrap();
    assert_eq!((loc.room_count, loc.bed_count), (1, 3));
    let labels: Vec<&str> = loc.rooms[0].beds.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["1A", "1B", "1C"]);
    let room = loc.rooms[0].id;
    let form = b.get(&format!("/locations/{id}/rooms/{room}")).await.text().await.unwrap();
    let version = hidden_value(&form, "version");
    let ids: Vec<String> = loc.rooms[0].beds.iter().map(|b| b.id.to_string()).collect();
    let res = b
        .post(
            &format!("/locations/{id}/rooms/{room}"),
            &[
                ("version", &version),
                ("name", "Slaapkamer 1"),
                ("area_m2", "14.5"),
                ("bed_id", &ids[0]),
                ("bed_label", "1A"),
                ("bed_off", ""),
                ("bed_reason", ""),
                ("bed_id", &ids[1]),
                ("bed_label", "1B"),
                ("bed_off", "off"),
                ("bed_reason", "matras vervangen"),
                ("bed_id", &ids[2]),
                ("bed_label", ""),
                ("bed_off", ""),
                ("bed_reason", ""),
                ("bed_id", ""),
                ("bed_label", "1D"),
                ("bed_off", ""),
                ("bed_reason", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = app.store.location(&flexwonen_core::access::LocationScope::All, id).await.unwrap();
    let beds: Vec<(&str, bool)> = loc.rooms[0].beds.iter().map(|b| (b.label.as_str(), b.in_service)).collect();
    assert_eq!(beds, [("1A", true), ("1B", false), ("1D", true)]);
    assert_eq!(loc.rooms[0].beds[0].id.to_string(), ids[0], "kept beds keep their id");
    assert_eq!(facts(&loc), facts(&stored), "changing rooms keeps the facts");

    // Unticked boxes and an empty date clear the facts.
    let mut cleared = location_form("2671 XY", "4", "");
    let version = loc.version.to_string();
    cleared.retain(|(k, _)| !matches!(*k, "new_build" | "bedroom_sharing_agreed" | "in_use_since" | "version"));
    cleared.extend([("in_use_since", ""), ("conversion_permit", "on"), ("version", version.as_str())]);
    assert_eq!(b.post(&format!("/locations/{id}"), &cleared).await.status(), StatusCode::SEE_OTHER);
    let loc = app.store.location(&flexwonen_core::access::LocationScope::All, id).await.unwrap();
    assert_eq!(facts(&loc), (false, None, true, false, true));
    assert_eq!(loc.bed_count, 3, "editing the location keeps the beds");

    // An out-of-service bed without a reason is refused, on the room form.
    let res = b
        .post(
            &format!("/locations/{id}/rooms/{room}"),
            &[
                ("version", &loc.version.to_string()),
                ("name", "Slaapkamer 1"),
                ("area_m2", "14.5"),
                ("bed_id", ""),
                ("bed_label", "9Z"),
                ("bed_off", "off"),
                ("bed_reason", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // Editing with a stale version shows the conflict and keeps the newer data.
    let res = b.post(&format!("/locations/{id}"), &location_form("2671 XY", "4", "1")).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res.text().await.unwrap().contains("Iemand anders heeft deze locatie intussen gewijzigd"));

    // The history shows who changed what.
    let page = b.get(&format!("/locations/{id}")).await.text().await.unwrap();
    assert!(
        page.contains("Wijzigingen")
            && page.contains("westland")
            && page.contains("aangemaakt")
            && page.contains("rooms")
    );

    // The location is in the list, found by search.
    let list = b.get("/locations?q=broekweg").await.text().await.unwrap();
    assert!(list.contains("Middel Broekweg 4, 2671 XY Naaldwijk"));
    assert!(list.contains("1 resultaten"));

    // Delete needs the current version.
    let v = app.store.location(&flexwonen_core::access::LocationScope::All, id).await.unwrap().version.to_string();
    let res = b.post(&format!("/locations/{id}/delete"), &[("version", &v)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get(&format!("/locations/{id}")).await.status(), StatusCode::NOT_FOUND);
    app.finish().await;
}

async fn sign_in_language_and_sign_out(db: TestDb) {
    let app = TestApp::spawn(db).await;
    // A wrong password is refused without a session.
    let res = app.client.get(app.url("/login")).send().await.unwrap();
    let cookie = common::cookie_of(&res, "fw_login").unwrap();
    let csrf = hidden_value(&res.text().await.unwrap(), "csrf");
    let res = app
        .client
        .post(app.url("/login"))
        .header("cookie", format!("fw_login={cookie}"))
        .form(&[("csrf", csrf.as_str()), ("username", "admin"), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(common::cookie_of(&res, "fw_session").is_none());
    assert!(res.text().await.unwrap().contains("Gebruikersnaam of wachtwoord klopt niet."));
    // Without the login CSRF cookie the form is refused.
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[("csrf", csrf.as_str()), ("username", "admin"), ("password", common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let b = app.login("admin").await;
    let home = b.get("/").await;
    let cookie_flags = b.cookie.clone();
    assert!(!cookie_flags.is_empty());
    let html = home.text().await.unwrap();
    assert!(html.contains("<html lang=\"nl\">") && html.contains("Ingelogd als"));
    let en = b.get("/?lang=en").await.text().await.unwrap();
    assert!(en.contains("<html lang=\"en\">") && en.contains("Signed in as") && en.contains("Beds per municipality"));
    let res = app.client.get(app.url("/lang/en?next=/regions")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/regions");
    assert!(common::cookie_of(&res, "fw_lang").as_deref() == Some("en"));
    let res = app.client.get(app.url("/lang/en?next=//evil.example")).send().await.unwrap();
    assert_eq!(res.headers()["location"], "/", "no open redirect");
    for evil in ["/%5Cevil.example", "/\\evil.example"] {
        let res = app.client.get(app.url(&format!("/lang/en?next={evil}"))).send().await.unwrap();
        assert_eq!(res.headers()["location"], "/", "no open redirect via {evil}");
    }

    // Sign out ends the session on the server.
    let res = b.post("/logout", &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(b.get("/locations").await.status(), StatusCode::SEE_OTHER, "the old session cookie no longer works");
    app.finish().await;
}

async fn the_dashboard_shows_totals_map_and_provenance(db: TestDb) {
    let app = TestApp::spawn(db).await;
    let html = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Bron: register flexwonen"));
    assert!(html.contains("<svg") && html.contains("Westland: 2 bedden"));
    assert!(html.contains("Stadsgewest Haaglanden"));
    assert!(html.contains("U ziet totalen."), "the public is told it sees aggregates");
    let region = app.store.region_by_code("campagne-limburg").await.unwrap().id;
    let html = app.client.get(app.url(&format!("/regions/{region}"))).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Venlo"));
    assert_eq!(app.client.get(app.url("/no/such/page")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let headers = app.client.get(app.url("/")).send().await.unwrap().headers().clone();
    assert!(headers["content-security-policy"].to_str().unwrap().contains("default-src 'self'"));
    app.finish().await;
}

db_tests!(
    a_municipality_registers_a_location_with_rooms_and_beds,
    sign_in_language_and_sign_out,
    the_dashboard_shows_totals_map_and_provenance
);
