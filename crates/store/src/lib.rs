//! Persistence for flexwonen on SQLite (the default, one file in WAL mode) and PostgreSQL.
//!
//! One set of queries serves both databases through sqlx's `Any` driver: the SQL here is
//! the common dialect (`$n` parameters, `RETURNING`, `ON CONFLICT`), and only the migrations
//! are per database. Architecture invariants:
//! - all SQL of the product lives in this crate;
//! - every change runs in one transaction together with its audit entry and the update of
//!   the `register_totals` table, so a change is whole or absent, and always audited;
//! - values come in as validated core drafts; the store adds only the checks that need the
//!   database (does the municipality exist, is the address free, is the version current).

mod accounts;
mod agreements;
mod audit;
mod bag;
mod brp;
mod bulk;
pub mod cache;
mod capacity;
mod certificates;
mod complaints;
mod enforcement;
mod error;
mod geography;
mod inspections;
mod locations;
mod lookup;
mod monitor;
mod norms;
mod occupancy;
mod occupancy_admin;
mod occupancy_stats;
mod organisations;
mod signals;
mod sql;
pub mod testing;
mod totals;

pub use accounts::{Account, AccountSpec, Authenticated};
pub use agreements::ProjectLoad;
pub use audit::{Actor, AuditEntry};
pub use bag::{BagImport, BagSummary};
pub use brp::BrpSummary;
pub use capacity::{CapacityReport, CapacityRow, bedrooms_of, facts_of};
pub use certificates::{Certificate, CertificateBook, StatusEntry};
pub use complaints::{ComplaintRecord, ComplaintState, ComplaintStatus, Received};
pub use enforcement::{
    BedForBed, Case, CaseBed, CaseDetail, CaseStep, Forfeit, LedgerCounts, Penalty, Receiver, Vacancy,
};
pub use error::StoreError;
pub use geography::{MunicipalityRow, RegionRow};
pub use inspections::{
    AdminCheck, Defect, Inspection, InspectionPlan, InspectionVerdict, PlanCount, PlanFilter, PlanRow,
    RegisteredAddress, SanctionApplied,
};
pub use locations::{Bed, DemoLoad, ImportError, Location, LocationFilter, LocationSort, LocationSummary, Page, Room};
pub use monitor::{MonthReport, SnapshotInfo};
pub use occupancy::{Applied, BedBoard, BoardBed, EventContext, Stay, StayCorrection, WorkerRead};
pub use occupancy_admin::{LoadedLocation, Maintenance, OccupancyLoad};
pub use occupancy_stats::{CHART_MONTHS, FlaggedLocation, FlaggedMunicipality, MunicipalityOccupancy, OccupancyReport};
pub use organisations::Organisation;
pub use signals::{Dismissal, Signal, SignalCount, SignalOrder, SignalRun, SignalState};
pub use totals::{Totals, TotalsRow};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The register's totals, under one key.
    totals_cache: std::sync::Arc<cache::GenerationCache<std::sync::Arc<Totals>>>,
    /// Recently read pages of the location list.
    page_cache: std::sync::Arc<cache::GenerationCache<Page<LocationSummary>>>,
    /// The rule sets, under one key.
    norms_cache: std::sync::Arc<cache::GenerationCache<std::sync::Arc<Vec<flexwonen_core::norms::RuleSet>>>>,
    /// Every certificate with its history, under one key.
    certificate_cache: std::sync::Arc<cache::GenerationCache<std::sync::Arc<Vec<certificates::Certificate>>>>,
    /// The same as spans per organisation.
    certificate_book_cache: std::sync::Arc<cache::GenerationCache<std::sync::Arc<certificates::CertificateBook>>>,
    /// SQLite's writers of this process, one at a time (see `begin_write`).
    sqlite_writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Capacity reports, by date.
    report_cache: std::sync::Arc<cache::GenerationCache<std::sync::Arc<capacity::CapacityReport>>>,
    /// The occupancy views' stays and figures, per occupancy generation.
    occupancy_views: std::sync::Arc<occupancy_stats::OccupancyCaches>,
    /// The live monitor of agreements, by date.
    monitor_cache: std::sync::Arc<cache::GenerationCache<std::sync::Arc<flexwonen_core::monitor::Monitor>>>,
}

/// A write transaction that, on SQLite, holds this process's writer turn until it ends.
/// It derefs to the connection, like sqlx's own transaction.
pub(crate) struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl WriteTx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }
}

/// The SQLite file used when no database URL is given.
pub const DEFAULT_DATABASE: &str = "flexwonen.db";

/// Turns what a user may type (`flexwonen.db`, `sqlite:x.db`, `postgres://…`) into a URL.
pub fn database_url(input: &str) -> (Backend, String) {
    if input.starts_with("postgres://") || input.starts_with("postgresql://") {
        (Backend::Postgres, input.to_string())
    } else if input.starts_with("sqlite:") {
        (Backend::Sqlite, input.to_string())
    } else {
        (Backend::Sqlite, format!("sqlite://{input}?mode=rwc"))
    }
}

impl Store {
    /// Connects and runs the migrations.
    pub async fn open(input: &str) -> Result<Store, StoreError> {
        let store = Self::connect(input, None).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Connects without migrating. `schema` (PostgreSQL only) isolates tests.
    pub async fn connect(input: &str, schema: Option<String>) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, url) = database_url(input);
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _meta| {
                let schema = schema.clone();
                Box::pin(async move {
                    match backend {
                        // WAL lets readers run beside the one writer; NORMAL sync is safe in WAL.
                        Backend::Sqlite => {
                            conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")
                                .await?;
                        }
                        Backend::Postgres => {
                            // Bulk loads write quoted literals: backslashes must be plain characters.
                            conn.execute("SET standard_conforming_strings = on").await?;
                            if let Some(s) = schema {
                                conn.execute(sqlx::AssertSqlSafe(format!("SET search_path TO \"{s}\""))).await?;
                            }
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Store {
            pool,
            backend,
            totals_cache: std::sync::Arc::new(cache::GenerationCache::new(1)),
            page_cache: std::sync::Arc::new(cache::GenerationCache::new(256)),
            norms_cache: std::sync::Arc::new(cache::GenerationCache::new(1)),
            certificate_cache: std::sync::Arc::new(cache::GenerationCache::new(1)),
            certificate_book_cache: std::sync::Arc::new(cache::GenerationCache::new(1)),
            report_cache: std::sync::Arc::new(cache::GenerationCache::new(8)),
            sqlite_writer: std::sync::Arc::new(tokio::sync::Mutex::new(())),
            occupancy_views: Default::default(),
            monitor_cache: std::sync::Arc::new(cache::GenerationCache::new(16)),
        })
    }

    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => sqlx::migrate!("./migrations/postgres").run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so
    /// two writers never fail when a read lock upgrades; and writers of this process first
    /// queue for their turn here, because SQLite's own busy handler waits by sleeping (up to
    /// 100 ms a try), which leaves the database idle while writers sleep.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => {
                let turn = self.sqlite_writer.clone().lock_owned().await;
                WriteTx { tx: self.pool.begin_with("BEGIN IMMEDIATE").await?, _turn: Some(turn) }
            }
            Backend::Postgres => WriteTx { tx: self.pool.begin().await?, _turn: None },
        })
    }

    /// After a bulk write into `tables`. SQLite: copies the write-ahead log into the database
    /// and empties it, because a log left to grow (hundreds of MB after a BAG import) slows
    /// every later read, which looks each page up in it. PostgreSQL: vacuums and analyses
    /// `tables` (if any) at once, so the next join is planned for their real size, not for the
    /// empty tables autovacuum last saw, and the first reader does not pay for marking the new
    /// rows visible (nor wade through the rows a write replaced).
    /// `tables` empty: a smaller write on the request path, where SQLite copies what it can
    /// without waiting for readers (a passive checkpoint) and PostgreSQL does nothing.
    pub(crate) async fn after_bulk_write(&self, tables: &[&str]) {
        let checkpoint =
            if tables.is_empty() { "PRAGMA wal_checkpoint(PASSIVE)" } else { "PRAGMA wal_checkpoint(TRUNCATE)" };
        let done = match self.backend {
            Backend::Sqlite => sqlx::query(checkpoint).execute(&self.pool).await.map(|_| ()),
            Backend::Postgres if tables.is_empty() => Ok(()),
            // By the simple protocol: VACUUM runs outside any transaction.
            Backend::Postgres => sqlx::raw_sql(sqlx::AssertSqlSafe(format!("VACUUM (ANALYZE) {}", tables.join(", "))))
                .execute(&self.pool)
                .await
                .map(|_| ()),
        };
        // The write is committed: housekeeping that fails is for the log, not the caller.
        if let Err(e) = done {
            tracing::warn!(error = %e, "housekeeping after a bulk write failed");
        }
    }

    /// Is the database reachable? For `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Empties every table and loads the geography again: for `flexwonen demo` (reset).
    pub async fn clear_all(&self) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        for table in [
            "case_forfeits",
            "case_beds",
            "case_steps",
            "cases",
            "complaints",
            "signal_runs",
            "signals",
            "signal_thresholds",
            "bag_links",
            "brp_counts",
            "brp_extracts",
            "bag_vbo",
            "bag_vbo_side",
            "bag_num",
            "bag_opr",
            "bag_wpl",
            "bag_imports",
            "monitor_snapshots",
            "project_locations",
            "project_stages",
            "projects",
            "agreement_versions",
            "agreements",
            "declaration_commitments",
            "declarations",
            "parties",
            "worker_reads",
            "occupancy_events",
            "stays",
            "workers",
            "certificate_statuses",
            "certificates",
            "rule_set_versions",
            "rule_set_municipalities",
            "rule_sets",
            "defects",
            "inspections",
            "beds",
            "rooms",
            "locations",
            "register_totals",
            "sessions",
            "api_tokens",
            "accounts",
            "organisations",
            "region_members",
            "regions",
            "municipalities",
            "audit_log",
            "settings",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}"))).execute(&mut *tx).await?;
        }
        totals::bump(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(&self.pool).await?)
    }

    /// The setting, or `value` stored as it if there is none yet (the first writer wins).
    pub async fn setting_or_insert(&self, key: &str, value: &str) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_one(&self.pool).await?)
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Now, as stored: RFC 3339 in UTC to the second, which sorts as text on both databases.
pub(crate) fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
