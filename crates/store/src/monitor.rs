//! The monitor of agreements (issue 5), live and from monthly snapshots.
//!
//! Live: agreements, projects, the beds of the locations projects delivered and every
//! certificate are read and handed to `core::monitor`; the result is kept per register
//! generation and date (agreement and project writes move that generation too).
//! A snapshot is the monitor of a month serialised as it was: a past month with a snapshot is
//! always read from it, so its report stays the same whatever changes later. A snapshot is
//! only replaced by one of a later date within its month (one taken during the month by the
//! complete one at its end); a complete snapshot is never replaced.

use crate::audit::{Actor, record};
use crate::sql::{decoding, json_col, to_json};
use crate::{Store, StoreError, now};
use chrono::NaiveDate;
use flexwonen_core::monitor::{LinkedLocation, Monitor, MonitorInput, Month, monitor};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Arc;

/// Where a month's figures came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SnapshotInfo {
    pub month: String,
    pub as_of: NaiveDate,
    pub created_at: String,
}

/// The monitor for a month, and the snapshot it was read from (none: computed now).
#[derive(Debug, Clone)]
pub struct MonthReport {
    pub monitor: Arc<Monitor>,
    pub snapshot: Option<SnapshotInfo>,
}

impl Store {
    /// The monitor computed from the data as it is now, as of `as_of`.
    pub async fn monitor_live(&self, as_of: NaiveDate) -> Result<Arc<Monitor>, StoreError> {
        let generation = self.generation().await?;
        let key = as_of.to_string();
        if let Some(m) = self.monitor_cache.get(generation, &key) {
            return Ok(m);
        }
        let agreements = self.agreements().await?;
        let projects = self.projects().await?;
        // CROSS JOIN: SQLite then walks the few linked locations, not every location.
        let rows = sqlx::query(
            "SELECT l.id, l.municipality_code, l.street, l.house_number, l.house_letter, l.house_addition, l.postcode,
                    l.place, l.operator_id, l.beds_in_service AS beds
             FROM project_locations pl CROSS JOIN locations l WHERE l.id = pl.location_id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut locations = HashMap::with_capacity(rows.len());
        for r in &rows {
            locations.insert(
                r.try_get::<i64, _>("id")?,
                LinkedLocation {
                    municipality_code: r.try_get("municipality_code")?,
                    address: crate::inspections::address_of(r)?,
                    beds_in_service: r.try_get("beds")?,
                    operator_id: r.try_get("operator_id")?,
                },
            );
        }
        let certificates = self.certificate_book_at(generation).await?;
        let regions = self.regions(None).await?.into_iter().map(|r| (r.id, r.name)).collect();
        let municipalities = self.municipalities().await?.into_iter().map(|m| (m.code, m.name)).collect();
        let parties = self.parties().await?.into_iter().map(|p| (p.id, p)).collect();
        let input = MonitorInput {
            agreements: &agreements,
            projects: &projects,
            locations: &locations,
            certificates: &certificates,
            regions: &regions,
            municipalities: &municipalities,
            parties: &parties,
        };
        let m = Arc::new(monitor(&input, as_of));
        self.monitor_cache.put(generation, key, m.clone());
        Ok(m)
    }

    /// The monitor of `month`: from its snapshot for a past month that has one; computed
    /// now otherwise (as of the month's last day, or `today` in the current month). A month
    /// after the current one is an error.
    pub async fn monitor_month(&self, month: Month, today: NaiveDate) -> Result<MonthReport, StoreError> {
        let current = Month::of(today);
        if month > current {
            return Err(StoreError::invalid(
                "as_of",
                "in_future",
                format!("{month} has not begun; the latest is {current}"),
            ));
        }
        if month < current
            && let Some((info, monitor)) = self.snapshot(month).await?
        {
            return Ok(MonthReport { monitor: Arc::new(monitor), snapshot: Some(info) });
        }
        Ok(MonthReport { monitor: self.monitor_live(month.last_day().min(today)).await?, snapshot: None })
    }

    async fn snapshot(&self, month: Month) -> Result<Option<(SnapshotInfo, Monitor)>, StoreError> {
        let Some(r) = sqlx::query("SELECT month, as_of, created_at, body FROM monitor_snapshots WHERE month = $1")
            .bind(month.to_string())
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let monitor: Monitor = json_col(&r, "body")?.ok_or_else(|| decoding("snapshot body missing"))?;
        Ok(Some((snapshot_info(&r)?, monitor)))
    }

    /// Every snapshot, newest first.
    pub async fn monitor_snapshots(&self) -> Result<Vec<SnapshotInfo>, StoreError> {
        let rows = sqlx::query("SELECT month, as_of, created_at FROM monitor_snapshots ORDER BY month DESC")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(snapshot_info).collect()
    }

    /// Stores the monitor of `month` (as of its last day, or `today` in the current month).
    /// A snapshot is only ever replaced by one of a later date, so a month's complete
    /// snapshot (as of its last day) is kept for good; taking one that would not be newer is
    /// refused.
    pub async fn create_snapshot(
        &self,
        actor: &Actor,
        month: Month,
        today: NaiveDate,
    ) -> Result<SnapshotInfo, StoreError> {
        let current = Month::of(today);
        if month > current {
            return Err(StoreError::invalid("month", "in_future", format!("{month} has not begun")));
        }
        let as_of = month.last_day().min(today);
        let monitor = self.monitor_live(as_of).await?;
        let body = to_json(&*monitor)?;
        let mut tx = self.begin_write().await?;
        let info = SnapshotInfo { month: month.to_string(), as_of, created_at: now() };
        // One statement decides, so two servers taking the same snapshot cannot both write.
        let written = sqlx::query(
            "INSERT INTO monitor_snapshots (month, as_of, created_at, body) VALUES ($1, $2, $3, $4)
             ON CONFLICT (month) DO UPDATE SET as_of = excluded.as_of, created_at = excluded.created_at, body = excluded.body
             WHERE monitor_snapshots.as_of < excluded.as_of",
        )
        .bind(&info.month)
        .bind(as_of.to_string())
        .bind(&info.created_at)
        .bind(body)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if written == 0 {
            return Err(StoreError::invalid(
                "month",
                "snapshot_exists",
                format!(
                    "{month} has its snapshot as of {as_of} or later already; a month's snapshot is never replaced by an older one"
                ),
            ));
        }
        let id = month.first_day().format("%Y%m").to_string().parse::<i64>().unwrap_or_default();
        record(&mut tx, actor, "monitor_snapshot", id, "create", None, Some(&serde_json::json!(info))).await?;
        tx.commit().await?;
        Ok(info)
    }

    /// The monthly job: the month before `today` gets its complete snapshot (as of its last
    /// day) if it has none yet, or only one taken during the month.
    pub async fn ensure_monthly_snapshot(&self, today: NaiveDate) -> Result<Option<SnapshotInfo>, StoreError> {
        let month = Month::of(today).previous();
        if self.snapshot(month).await?.is_some_and(|(info, _)| info.as_of >= month.last_day()) {
            return Ok(None);
        }
        match self.create_snapshot(&Actor::system("monitor snapshot"), month, today).await {
            Ok(info) => Ok(Some(info)),
            // Another server took it in the meantime.
            Err(StoreError::Invalid(e)) if e.get("month").is_some_and(|f| f.code == "snapshot_exists") => Ok(None),
            Err(e) => Err(e),
        }
    }
}

fn snapshot_info(r: &sqlx::any::AnyRow) -> Result<SnapshotInfo, StoreError> {
    Ok(SnapshotInfo {
        month: r.try_get("month")?,
        as_of: crate::sql::date_col(r, "as_of")?,
        created_at: r.try_get("created_at")?,
    })
}
