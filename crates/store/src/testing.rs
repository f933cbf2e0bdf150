//! Test databases: a fresh SQLite file or a fresh PostgreSQL schema per test, with the
//! geography loaded, dropped again afterwards (also when the test fails).
//!
//! PostgreSQL tests run when `FLEXWONEN_TEST_POSTGRES_URL` is set, and then fail — never
//! skip — if the server cannot be reached. Use [`crate::db_tests!`] to run one test body on
//! both databases.

use crate::{Backend, Store};
use flexwonen_core::geography;
use sqlx::{AnyConnection, Connection, Executor};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

pub const POSTGRES_ENV: &str = "FLEXWONEN_TEST_POSTGRES_URL";

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn unique_name() -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("flexwonen_test_{}_{n}_{nanos}", std::process::id())
}

/// A database made for one test.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Schema { admin_url: String, schema: String },
}

impl TestDb {
    /// `None` only for PostgreSQL when no test URL is configured.
    pub async fn create(backend: Backend) -> Option<TestDb> {
        let db = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique_name());
                std::fs::create_dir_all(&dir).expect("create a temporary directory");
                let path = dir.join("test.db");
                let url = path.to_string_lossy().to_string();
                let store = Store::open(&url).await.expect("open the SQLite test database");
                TestDb { store, url, cleanup: Cleanup::File(dir) }
            }
            Backend::Postgres => {
                let admin_url = std::env::var(POSTGRES_ENV).ok()?;
                let schema = unique_name();
                sqlx::any::install_default_drivers();
                let mut admin = AnyConnection::connect(&admin_url)
                    .await
                    .unwrap_or_else(|e| panic!("{POSTGRES_ENV} is set but PostgreSQL cannot be reached: {e}"));
                admin
                    .execute(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
                    .await
                    .expect("create the test schema");
                admin.close().await.ok();
                let store = Store::connect(&admin_url, Some(schema.clone())).await.expect("connect to the test schema");
                store.migrate().await.expect("migrate the test schema");
                let sep = if admin_url.contains('?') { '&' } else { '?' };
                let url = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
                TestDb { store, url, cleanup: Cleanup::Schema { admin_url, schema } }
            }
        };
        let munis = geography::parse_municipalities(geography::MUNICIPALITIES_CSV).expect("shipped municipalities");
        let regions = geography::standard_regions(&munis, geography::CAMPAIGN_REGIONS_CSV).expect("shipped regions");
        db.store.seed_geography(&munis, &regions).await.expect("seed the geography");
        Some(db)
    }

    pub async fn drop_database(self) {
        self.store.close().await;
        match self.cleanup {
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Schema { admin_url, schema } => {
                let mut admin = AnyConnection::connect(&admin_url).await.expect("reconnect to drop the test schema");
                admin
                    .execute(sqlx::AssertSqlSafe(format!("DROP SCHEMA \"{schema}\" CASCADE")))
                    .await
                    .expect("drop the test schema");
                admin.close().await.ok();
            }
        }
    }
}

/// Runs `test` on a fresh database of `backend`, then drops the database, then re-raises a
/// failure of the test.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestDb) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(db) = TestDb::create(backend).await else {
        eprintln!("PostgreSQL test not run: {POSTGRES_ENV} is not set");
        return;
    };
    let store = db.store.clone();
    let url = db.url.clone();
    let cleanup = TestDb { store: store.clone(), url: url.clone(), cleanup: db.cleanup };
    let result = tokio::spawn(test(TestDb { store, url, cleanup: Cleanup::File(PathBuf::new()) })).await;
    cleanup.drop_database().await;
    if let Err(e) = result {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Declares each named `async fn(TestDb)` as two tests, `NAME::sqlite` and `NAME::postgres`.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::testing::run($crate::Backend::Sqlite, super::$name).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::testing::run($crate::Backend::Postgres, super::$name).await
            }
        }
    )*};
}

/// A dormitory for occupancy tests: `floor` m² in `municipality`, one room of half that with
/// `beds` beds, the last one out of service, run by `operator`.
pub fn dormitory(
    municipality: &str,
    postcode: &str,
    operator: i64,
    floor: f64,
    beds: usize,
) -> flexwonen_core::register::LocationInput {
    use flexwonen_core::register::{AddressInput, BedInput, Facilities, LocationInput, RoomInput};
    LocationInput {
        address: AddressInput {
            postcode: postcode.into(),
            house_number: 1,
            house_letter: None,
            house_addition: None,
            street: "Teststraat".into(),
            place: "Testplaats".into(),
        },
        municipality_code: municipality.into(),
        bag_vbo_id: None,
        housing_form: "a".into(),
        zoned_residential: true,
        floor_area_m2: floor,
        legal_status: "in_use".into(),
        stay_type: "short".into(),
        operator_id: Some(operator),
        facilities: Facilities { toilets: 6, showers: 6, kitchens: 2, washing_machines: 2 },
        position: None,
        new_build: false,
        in_use_since: None,
        conversion_permit: true,
        bedroom_sharing_agreed: false,
        first_responsible: true,
        rooms: vec![RoomInput {
            id: None,
            name: "Slaapzaal".into(),
            area_m2: floor / 2.0,
            beds: (0..beds)
                .map(|i| BedInput {
                    id: None,
                    label: format!("B{i}"),
                    in_service: i + 1 < beds,
                    out_of_service_reason: (i + 1 == beds).then(|| "matras kapot".to_string()),
                })
                .collect(),
        }],
    }
}

/// A housing provider for tests, with this KvK number.
pub fn housing_provider(kvk: &str) -> flexwonen_core::register::OrganisationInput {
    flexwonen_core::register::OrganisationInput {
        name: format!("Huisvester {kvk}"),
        kvk: Some(kvk.into()),
        kind: "housing_provider".into(),
        municipality_code: None,
    }
}
