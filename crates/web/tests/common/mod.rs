//! `TestApp`: a real server on a free port over a fresh database, with one account (and API
//! token) per role and a few locations, driven over real HTTP.
#![allow(dead_code)]

use flexwonen_core::access::Role;
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::register::{AddressInput, BedInput, Facilities, LocationInput, OrganisationInput, RoomInput};
use flexwonen_store::testing::TestDb;
use flexwonen_store::{AccountSpec, Actor, Store};
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::HashMap;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub base: String,
    pub store: Store,
    pub client: reqwest::Client,
    /// username → bearer token
    pub tokens: HashMap<&'static str, String>,
    pub provider_id: i64,
    pub other_provider_id: i64,
    /// Locations in Westland (provider), Den Haag (other provider) and Venlo (other provider).
    pub westland: i64,
    pub den_haag: i64,
    pub venlo: i64,
    db: Option<TestDb>,
}

/// username, role
pub const ACCOUNTS: &[(&str, Role)] = &[
    ("admin", Role::Administrator),
    ("ministry", Role::Ministry),
    ("coordinator", Role::RegionalCoordinator),
    ("westland", Role::Municipality),
    ("provider", Role::HousingProvider),
    ("inspector", Role::Inspector),
];

pub fn location_json(postcode: &str, house_number: i64, municipality: &str, operator: Option<i64>) -> Value {
    serde_json::to_value(location_input(postcode, house_number, municipality, operator)).unwrap()
}

pub fn location_input(postcode: &str, house_number: i64, municipality: &str, operator: Option<i64>) -> LocationInput {
    LocationInput {
        address: AddressInput {
            postcode: postcode.into(),
            house_number,
            house_letter: None,
            house_addition: None,
            street: "Teststraat".into(),
            place: "Testplaats".into(),
        },
        municipality_code: municipality.into(),
        bag_vbo_id: None,
        housing_form: "a".into(),
        zoned_residential: true,
        floor_area_m2: 80.0,
        legal_status: "in_use".into(),
        stay_type: "short".into(),
        operator_id: operator,
        facilities: Facilities { toilets: 1, showers: 1, kitchens: 1, washing_machines: 1 },
        position: None,
        new_build: false,
        in_use_since: None,
        conversion_permit: false,
        bedroom_sharing_agreed: false,
        first_responsible: false,
        rooms: vec![RoomInput {
            id: None,
            name: "Kamer 1".into(),
            area_m2: 12.0,
            beds: vec![
                BedInput { id: None, label: "1A".into(), in_service: true, out_of_service_reason: None },
                BedInput { id: None, label: "1B".into(), in_service: true, out_of_service_reason: None },
            ],
        }],
    }
}

impl TestApp {
    pub async fn spawn(db: TestDb) -> TestApp {
        let store = db.store.clone();
        let actor = Actor::system("test");
        let org = |name: &str, kvk: &str| OrganisationInput {
            name: name.into(),
            kvk: Some(kvk.into()),
            kind: "housing_provider".into(),
            municipality_code: None,
        };
        let provider_id = store
            .create_organisation(&actor, &org("Eigen Huisvesting B.V.", "91111111").validate().unwrap())
            .await
            .unwrap()
            .id;
        let other_provider_id = store
            .create_organisation(&actor, &org("Andere Huisvesting B.V.", "92222222").validate().unwrap())
            .await
            .unwrap()
            .id;
        let all = flexwonen_core::access::LocationScope::All;
        let mut ids = Vec::new();
        for (pc, m, op) in [
            ("2671AB", "GM1783", provider_id),
            ("2511AB", "GM0518", other_provider_id),
            ("5911AB", "GM0983", other_provider_id),
        ] {
            let draft = location_input(pc, 1, m, Some(op)).validate().unwrap();
            ids.push(store.create_location(&actor, &all, &draft).await.unwrap().id);
        }
        let haaglanden = store.region_by_code("campagne-stadsgewest-haaglanden").await.unwrap().id;
        let limburg = store.region_by_code("PV31").await.unwrap().id;
        let hash = flexwonen_web::hash_password(PASSWORD);
        let mut tokens = HashMap::new();
        for (username, role) in ACCOUNTS {
            let spec = AccountSpec {
                username: username.to_string(),
                display_name: username.to_string(),
                password_hash: hash.clone(),
                role: *role,
                region_id: match role {
                    Role::RegionalCoordinator => Some(haaglanden),
                    Role::Inspector => Some(limburg),
                    _ => None,
                },
                municipality: (*role == Role::Municipality).then(|| MunicipalityCode::parse("GM1783").unwrap()),
                organisation_id: (*role == Role::HousingProvider).then_some(provider_id),
            };
            let id = store.create_account(&actor, &spec).await.unwrap();
            let (token, token_hash) = flexwonen_web::new_api_token();
            store.create_api_token(&actor, &token_hash, id).await.unwrap();
            tokens.insert(*username, token);
        }
        let state = flexwonen_web::AppState::new(
            store.clone(),
            flexwonen_web::Config {
                secure_cookies: false,
                demo_banner: false,
                bsn_key: Some(b"test-bsn-key".to_vec()),
                ..Default::default()
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { flexwonen_web::serve(state, listener).await });
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        TestApp {
            base,
            store,
            client,
            tokens,
            provider_id,
            other_provider_id,
            westland: ids[0],
            den_haag: ids[1],
            venlo: ids[2],
            db: Some(db),
        }
    }

    pub async fn finish(mut self) {
        if let Some(db) = self.db.take() {
            db.drop_database().await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// An API request as `user` (None: the public).
    pub fn api(&self, method: reqwest::Method, path: &str, user: Option<&str>) -> reqwest::RequestBuilder {
        let rb = self.client.request(method, self.url(path));
        match user {
            Some(u) => rb.bearer_auth(&self.tokens[u]),
            None => rb,
        }
    }

    /// Signs in through the real form and returns the browser's session.
    pub async fn login(&self, username: &str) -> Browser {
        let res = self.client.get(self.url("/login")).send().await.unwrap();
        let login_cookie = cookie_of(&res, "fw_login").expect("the login page sets its CSRF cookie");
        let csrf = hidden_value(&res.text().await.unwrap(), "csrf");
        let res = self
            .client
            .post(self.url("/login"))
            .header("cookie", format!("fw_login={login_cookie}"))
            .form(&[("csrf", csrf.as_str()), ("username", username), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "sign-in of {username} redirects");
        let session = cookie_of(&res, "fw_session").expect("a session cookie");
        let mut b = Browser {
            base: self.base.clone(),
            client: self.client.clone(),
            cookie: format!("fw_session={session}"),
            csrf: String::new(),
        };
        let home = b.get("/").await;
        b.csrf = hidden_value(&home.text().await.unwrap(), "csrf");
        b
    }
}

pub fn cookie_of(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// The value of the first hidden input with this name.
pub fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no field {name} in page")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// A signed-in browser: a session cookie and the session's CSRF token.
pub struct Browser {
    pub base: String,
    pub client: reqwest::Client,
    pub cookie: String,
    pub csrf: String,
}

impl Browser {
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(format!("{}{path}", self.base)).header("cookie", &self.cookie).send().await.unwrap()
    }

    /// Posts a form with the session's CSRF token added.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("csrf", &self.csrf));
        self.client.post(format!("{}{path}", self.base)).header("cookie", &self.cookie).form(&all).send().await.unwrap()
    }

    pub async fn post_without_csrf(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .form(fields)
            .send()
            .await
            .unwrap()
    }
}
