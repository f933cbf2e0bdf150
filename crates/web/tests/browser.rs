//! The site in a real browser: Debian's headless Chromium, driven over WebDriver by
//! chromedriver, with JavaScript switched off — as a person who signs in, makes a mistake in a
//! form, corrects it, switches the language and looks at the pages on a phone.
//!
//! Needs the Debian packages `chromium` and `chromium-driver` (`./scripts/test` installs them);
//! without them this test fails, it never skips. Screenshots are left in
//! `$TMPDIR/flexwonen-browser-screenshots/` to look at.
//!
//! The WebDriver protocol is plain JSON over HTTP, so it is spoken here with the `reqwest`
//! client the other tests use: no WebDriver crate, no TLS stack.

mod common;

use common::{PASSWORD, TestApp};
use flexwonen_store::db_tests;
use flexwonen_store::testing::TestDb;
use serde_json::{Value, json};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The W3C identifier of an element in WebDriver answers.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

db_tests!(a_person_uses_the_site_in_chromium_without_javascript);

async fn a_person_uses_the_site_in_chromium_without_javascript(db: TestDb) {
    let backend = if db.url.starts_with("postgres") { "postgres" } else { "sqlite" };
    let started = Instant::now();
    let mut marks = Vec::new();
    let mut mark = |what: &'static str| marks.push(format!("{what} {:.2?}", started.elapsed()));
    let app = TestApp::spawn(db).await;
    mark("app");
    // The production setting: session cookies marked Secure, over the same database.
    let state = flexwonen_web::AppState::new(
        app.store.clone(),
        flexwonen_web::Config { secure_cookies: true, demo_banner: true, ..Default::default() },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let secure_base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { flexwonen_web::serve(state, listener).await });

    let b = Chromium::start().await;
    mark("chromium");

    // JavaScript is really off: the script on this page does not run.
    b.goto("data:text/html,<title>no-js</title><script>document.title='js'</script>").await;
    assert_eq!(b.title().await, "no-js", "JavaScript is disabled in this Chromium");

    // 1a. Sign-in over http://127.0.0.1, with the test harness's cookies (not Secure).
    b.sign_in(&app.base).await;
    let session = b.cookie("fw_session").await;
    assert_eq!(
        (session["httpOnly"].as_bool(), session["sameSite"].as_str(), session["secure"].as_bool()),
        (Some(true), Some("Lax"), Some(false)),
        "session cookie as the harness sets it: {session}"
    );
    b.delete_cookies().await;
    mark("sign-in");

    // 1b. The same with Secure cookies, as in production: Chromium keeps them for http://127.0.0.1.
    b.sign_in(&secure_base).await;
    let session = b.cookie("fw_session").await;
    assert_eq!(
        (session["httpOnly"].as_bool(), session["sameSite"].as_str(), session["secure"].as_bool()),
        (Some(true), Some("Lax"), Some(true)),
        "Chromium keeps the Secure session cookie on http://127.0.0.1: {session}"
    );
    assert!(b.text("header .who").await.contains("westland"));
    mark("secure sign-in");

    // 4a. The dashboard on a phone.
    b.emulate_phone(390, 844).await;
    b.goto(&format!("{secure_base}/")).await;
    let shots = screenshot_dir();
    b.screenshot(&shots.join(format!("{backend}-dashboard-phone.png"))).await;
    b.full_page_screenshot(&shots.join(format!("{backend}-dashboard-phone-full.png"))).await;

    // 2. A location made through the form, with JavaScript off. First the form sent empty:
    // the error summary, and the postcode marked invalid.
    b.goto(&format!("{secure_base}/locations/new")).await;
    assert!(b.source().await.contains("<h1>Nieuwe locatie</h1>"));
    b.click("main form.form button[type=submit]").await;
    b.find(".error-summary").await;
    assert_eq!(b.attribute("#postcode", "aria-invalid").await.as_deref(), Some("true"));
    assert_eq!(b.attribute("#postcode", "aria-describedby").await.as_deref(), Some("postcode-error"));
    b.full_page_screenshot(&shots.join(format!("{backend}-location-errors-phone-full.png"))).await;

    // Then filled in and sent again.
    b.type_into("#postcode", "2671 XY").await;
    b.type_into("#house_number", "4").await;
    b.type_into("#street", "Middel Broekweg").await;
    b.type_into("#place", "Naaldwijk").await;
    b.click("#municipality_code option[value=GM1783]").await;
    assert!(b.is_selected("#municipality_code option[value=GM1783]").await);
    assert_eq!(b.text("#municipality_code option[value=GM1783]").await, "Westland");
    b.type_into("#floor_area_m2", "96,5").await;
    b.click("main form.form button[type=submit]").await;
    b.find(".flash").await;
    assert_eq!(b.text(".flash").await, "Opgeslagen.");
    assert_eq!(b.text("main h1").await, "Middel Broekweg 4");
    assert!(b.text("main .lead").await.starts_with("2671 XY Naaldwijk"));
    let url = b.current_url().await;
    let id: i64 = url
        .split("/locations/")
        .nth(1)
        .and_then(|rest| rest.split(['?', '#', '/']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a location page after saving, not {url}"));
    let loc = app.store.location(&flexwonen_core::access::LocationScope::All, id).await.unwrap();
    assert_eq!((loc.municipality_code.as_str(), loc.floor_area_m2), ("GM1783", 96.5));
    // 4b. The new location on a phone.
    b.screenshot(&shots.join(format!("{backend}-location-phone.png"))).await;
    b.full_page_screenshot(&shots.join(format!("{backend}-location-phone-full.png"))).await;
    mark("location");

    // 3. The language switch.
    assert_eq!(b.attribute("html", "lang").await.as_deref(), Some("nl"));
    assert_eq!(b.text("header .account a[hreflang=en]").await, "English");
    b.click("header .account a[hreflang=en]").await;
    b.find("html[lang=en]").await;
    assert!(b.text("header nav").await.contains("Overview"), "the menu is in English");
    assert_eq!(b.text("main h1").await, "Middel Broekweg 4", "still on the location page");

    mark("language");

    // 5. The monitor of agreements on a phone: an area chosen in the form (a GET, no script).
    let region = app.store.region_by_code("campagne-stadsgewest-haaglanden").await.unwrap().id;
    let den_haag = app.store.parties().await.unwrap().into_iter().find(|p| p.name == "Gemeente Den Haag").unwrap().id;
    let terms = flexwonen_core::agreements::AgreementInput {
        region_id: region,
        title: "Regionale afspraak Haaglanden".into(),
        period_start: "2013-01-01".into(),
        period_end: "2022-12-31".into(),
        task: vec![flexwonen_core::agreements::PlacesInput { stay_type: "short".into(), places: 6000 }],
        signatories: vec![flexwonen_core::agreements::SignatoryInput {
            party_id: den_haag,
            role: "municipality".into(),
        }],
        municipality_split: vec![flexwonen_core::agreements::MunicipalityShareInput {
            municipality_code: "GM0518".into(),
            places: 2000,
        }],
        source: "test".into(),
        ..Default::default()
    }
    .validate(true, chrono::Utc::now().date_naive())
    .unwrap();
    app.store.create_agreement(&flexwonen_store::Actor::system("test"), region, &terms).await.unwrap();
    b.goto(&format!("{secure_base}/monitor")).await;
    b.click(&format!("#mon-area option[value='region:{region}']")).await;
    b.click("main form.filters button[type=submit]").await;
    b.find(".tiles").await;
    assert!(b.text("main h1").await.ends_with("Stadsgewest Haaglanden"), "{}", b.text("main h1").await);
    assert!(b.text(".tiles").await.contains("6,000"), "the task, in English digits");
    b.full_page_screenshot(&shots.join(format!("{backend}-monitor-phone-full.png"))).await;
    mark("monitor");

    // 6. A complaint on a phone, in Polish, signed out: the challenge answered, the code
    // shown, then the status page opened with the code as typed.
    b.delete_cookies().await;
    b.goto(&format!("{secure_base}/klacht?lang=pl")).await;
    assert_eq!(b.attribute("html", "lang").await.as_deref(), Some("pl"));
    let mut sum = 0;
    for name in ["a", "b"] {
        let value = b.attribute(&format!("input[name={name}]"), "value").await;
        sum += value.and_then(|v| v.parse::<u32>().ok()).expect("the challenge's numbers on the form");
    }
    b.type_into("#f-postcode", "2671 AB").await;
    b.type_into("#f-house_number", "1").await;
    b.click("#k-overcrowding").await;
    b.type_into("#f-description", "Na strychu śpi dwanaście osób.").await;
    b.type_into("#f-answer", &sum.to_string()).await;
    b.click("main form button[type=submit]").await;
    b.find("#code").await;
    assert_eq!(b.text("main h1").await, "Twoje zgłoszenie zostało przyjęte");
    let code = b.text("#code").await;
    assert_eq!(code.len(), 13, "XXXX-XXXX-XXX: {code}");
    b.full_page_screenshot(&shots.join(format!("{backend}-complaint-received-phone-full.png"))).await;
    b.goto(&format!("{secure_base}/klacht/status?lang=pl")).await;
    b.type_into("#f-code", &code.replace('-', " ").to_lowercase()).await;
    b.click("main form button[type=submit]").await;
    b.find("dl.facts").await;
    assert!(b.text("dl.facts").await.contains("Przyjęte: gmina zapoznaje się ze zgłoszeniem."));
    mark("complaint");

    b.quit().await;
    app.finish().await;
    mark("closed");
    eprintln!("browser test ({backend}), time since start: {}; screenshots in {}", marks.join(", "), shots.display());
}

fn screenshot_dir() -> PathBuf {
    let dir = std::env::temp_dir().join("flexwonen-browser-screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshot directory");
    dir
}

/// A headless Chromium behind its own chromedriver, with a fresh profile. Dropping it ends
/// the browser session, stops chromedriver (and with it Chromium) and removes the profile,
/// also when the test fails half-way.
struct Chromium {
    http: reqwest::Client,
    driver: Child,
    port: u16,
    /// The session's URL, `http://127.0.0.1:PORT/session/ID`.
    session: String,
    session_id: Option<String>,
    profile: PathBuf,
}

impl Chromium {
    async fn start() -> Chromium {
        for binary in [CHROMIUM, CHROMEDRIVER] {
            assert!(
                Path::new(binary).exists(),
                "{binary} is missing: install the Debian packages chromium and chromium-driver \
                 (apt-get install chromium chromium-driver; ./scripts/test does this)"
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let profile = std::env::temp_dir().join(format!(
            "flexwonen-chromium-{}-{port}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos()
        ));
        std::fs::create_dir_all(&profile).expect("create the Chromium profile directory");
        let driver = {
            use std::os::unix::process::CommandExt;
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                // Its own process group, so that Chromium goes with it.
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("start {CHROMEDRIVER}: {e}"))
        };
        let http = reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(30)).build().unwrap();
        let mut b = Chromium { http, driver, port, session: String::new(), session_id: None, profile };
        let base = format!("http://127.0.0.1:{port}");

        // Wait until chromedriver answers.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Ok(res) = b.http.get(format!("{base}/status")).send().await
                && let Ok(status) = res.json::<Value>().await
                && status["value"]["ready"] == true
            {
                break;
            }
            if let Ok(Some(exit)) = b.driver.try_wait() {
                panic!("{CHROMEDRIVER} stopped at start-up: {exit}");
            }
            assert!(Instant::now() < deadline, "{CHROMEDRIVER} did not answer on port {port} within 10 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }

        let args = [
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-background-networking".into(),
            "--no-first-run".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--blink-settings=scriptEnabled=false".into(),
            "--window-size=1280,900".into(),
            format!("--user-data-dir={}", b.profile.display()),
        ];
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": args,
                "prefs": {
                    "profile.managed_default_content_settings.javascript": 2,
                    // Start on a blank page, not the new-tab page, which can take seconds to
                    // load and holds up the first navigation.
                    "session.restore_on_startup": 4,
                    "session.startup_urls": ["about:blank"],
                },
            },
            "timeouts": {"implicit": 10000, "pageLoad": 20000, "script": 5000},
        }}});
        let res = b.http.post(format!("{base}/session")).json(&capabilities).send().await.expect("ask for a session");
        let answer: Value = res.json().await.expect("a WebDriver answer");
        let id = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("chromedriver could not start Chromium: {answer}"))
            .to_string();
        b.session = format!("{base}/session/{id}");
        b.session_id = Some(id);
        b
    }

    /// One WebDriver command; panics with the driver's message if it fails.
    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.session);
        let mut rb = self.http.request(method.clone(), &url);
        if let Some(body) = body {
            rb = rb.json(&body);
        }
        let res = rb.send().await.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        let ok = res.status().is_success();
        let answer: Value = res.json().await.unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        assert!(ok, "WebDriver {method} {path} failed: {}", answer["value"]);
        answer["value"].clone()
    }

    async fn get(&self, path: &str) -> Value {
        self.cmd(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Value {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    async fn goto(&self, url: &str) {
        self.post("/url", json!({ "url": url })).await;
    }

    async fn current_url(&self) -> String {
        self.get("/url").await.as_str().unwrap().to_string()
    }

    async fn title(&self) -> String {
        self.get("/title").await.as_str().unwrap().to_string()
    }

    async fn source(&self) -> String {
        self.get("/source").await.as_str().unwrap().to_string()
    }

    /// The element matching `css`, waiting for it up to the implicit timeout (10 s).
    async fn find(&self, css: &str) -> String {
        let url = format!("{}/element", self.session);
        let res = self.http.post(&url).json(&json!({"using": "css selector", "value": css})).send().await.unwrap();
        let ok = res.status().is_success();
        let answer: Value = res.json().await.unwrap();
        if !ok {
            let url = self.current_url().await;
            panic!("no element {css} on {url}: {}\n{}", answer["value"]["message"], self.source().await);
        }
        answer["value"][ELEMENT_KEY].as_str().unwrap_or_else(|| panic!("find {css}: {answer}")).to_string()
    }

    async fn click(&self, css: &str) {
        let el = self.find(css).await;
        self.post(&format!("/element/{el}/click"), json!({})).await;
    }

    /// Clears a text field and types into it, key by key.
    async fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css).await;
        self.post(&format!("/element/{el}/clear"), json!({})).await;
        self.post(&format!("/element/{el}/value"), json!({ "text": text })).await;
    }

    async fn text(&self, css: &str) -> String {
        let el = self.find(css).await;
        self.get(&format!("/element/{el}/text")).await.as_str().unwrap().to_string()
    }

    async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        let el = self.find(css).await;
        self.get(&format!("/element/{el}/attribute/{name}")).await.as_str().map(str::to_string)
    }

    async fn is_selected(&self, css: &str) -> bool {
        let el = self.find(css).await;
        self.get(&format!("/element/{el}/selected")).await.as_bool().unwrap()
    }

    /// The cookie as Chromium stored it (name, value, secure, httpOnly, sameSite…).
    async fn cookie(&self, name: &str) -> Value {
        self.get(&format!("/cookie/{name}")).await
    }

    async fn delete_cookies(&self) {
        self.cmd(reqwest::Method::DELETE, "/cookie", None).await;
    }

    /// A Chrome DevTools command, through chromedriver.
    async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.post("/goog/cdp/execute", json!({ "cmd": cmd, "params": params })).await
    }

    /// From now on the page is laid out as on a phone: this viewport, touch-sized, with the
    /// page's `<meta name="viewport">` applied and overlay scrollbars.
    async fn emulate_phone(&self, width: u32, height: u32) {
        let metrics = json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": true });
        self.cdp("Emulation.setDeviceMetricsOverride", metrics).await;
    }

    /// Saves what the viewport shows as PNG (WebDriver's screenshot), and checks it is one.
    async fn screenshot(&self, path: &Path) {
        let png = self.get("/screenshot").await;
        save_png(path, png.as_str().unwrap());
    }

    /// Saves the whole page, also what lies below the viewport, as PNG.
    async fn full_page_screenshot(&self, path: &Path) {
        let png = self.cdp("Page.captureScreenshot", json!({ "format": "png", "captureBeyondViewport": true })).await;
        save_png(path, png["data"].as_str().unwrap());
    }

    /// Opens /login on `base`, signs in as westland through the form, and waits for the
    /// signed-in page.
    async fn sign_in(&self, base: &str) {
        self.goto(&format!("{base}/login")).await;
        self.type_into("#username", "westland").await;
        self.type_into("#password", PASSWORD).await;
        self.click("main form.form button[type=submit]").await;
        let who = self.text("header .who").await;
        assert!(who.starts_with("Ingelogd als"), "signed in on {base}: {who}");
    }

    async fn quit(mut self) {
        if let Some(id) = self.session_id.take() {
            let _ = self.http.delete(format!("http://127.0.0.1:{}/session/{id}", self.port)).send().await;
        }
    }
}

impl Drop for Chromium {
    fn drop(&mut self) {
        // After a failure: end the browser session over a plain socket (no runtime needed here).
        if let Some(id) = self.session_id.take()
            && let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port))
        {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(
                s,
                "DELETE /session/{id} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                self.port
            );
            let _ = s.read_to_end(&mut Vec::new());
        }
        // chromedriver and whatever is left in its process group.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Writes a base64-encoded screenshot to `path` and checks that it is a PNG with some content.
fn save_png(path: &Path, base64: &str) {
    let png = base64_decode(base64);
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG screenshot for {}", path.display());
    let (width, height) =
        (u32::from_be_bytes(png[16..20].try_into().unwrap()), u32::from_be_bytes(png[20..24].try_into().unwrap()));
    assert!(
        width >= 300 && height >= 300 && png.len() > 5000,
        "{}: {width}×{height}, {} bytes",
        path.display(),
        png.len()
    );
    std::fs::write(path, &png).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    assert_eq!(std::fs::metadata(path).unwrap().len(), png.len() as u64, "{} written whole", path.display());
}

/// Standard base64 (with padding), as WebDriver sends screenshots.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let bytes: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=').collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &c)| n | value(c) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}
