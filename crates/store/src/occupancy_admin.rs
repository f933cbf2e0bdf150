//! Occupancy housekeeping: the bulk load of demo occupancy, the retention purge of worker
//! records, and the daily refresh of the registration flag of stays that are still running.
//!
//! The purge deletes worker records only. A stay keeps what the counts and charts need
//! (location, bed, nationality, dates, rental terms and its frozen `unregistered_long` flag)
//! and loses its worker (`worker_id` is set NULL by the foreign key), so every count is the
//! same after the purge. The applied event ids (`occupancy_events`) are kept: they name a
//! sender, its own event id and a stay — no worker — and a provider's system that re-sends an
//! old batch must still be answered "duplicate" instead of creating the stays again.

use crate::audit::{Actor, record};
use crate::bulk::{RowBatch, number, quoted, quoted_date, quoted_or_null};
use crate::occupancy::bump;
use crate::sql::{DATE_FORMAT, Sql, date_col, opt_date_col, parse_code};
use crate::{Backend, Store, StoreError, now};
use chrono::{Months, NaiveDate};
use flexwonen_core::demo_occupancy::DemoOccupancy;
use flexwonen_core::occupancy::{Span, unregistered_too_long};
use flexwonen_core::occupancy_events::Registration;
use futures_util::TryStreamExt;
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;
use std::fmt::Write;

pub use crate::locations::LoadedLocation;

/// Demo occupancy with the database ids it refers to.
pub struct OccupancyLoad<'a> {
    pub occupancy: &'a DemoOccupancy,
    /// The database id of each demo organisation, by its index in the demo data.
    pub organisation_ids: &'a [i64],
    /// Each demo location as stored, by its index in the demo data.
    pub locations: &'a [LoadedLocation],
    /// Workers whose every stay ended before this day are loaded as already purged (their
    /// stays without a worker), as the retention purge would leave them.
    pub purged_before: Option<NaiveDate>,
}

/// What a maintenance run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Maintenance {
    pub today: NaiveDate,
    /// Stays newly flagged "housed more than 4 months within 6 while not in the BRP".
    pub flags_set: usize,
    /// Stays whose flag was cleared (a BRP registration arrived, or a stay was corrected).
    pub flags_cleared: usize,
    pub retention_months: u32,
    /// Worker records deleted: every stay closed more than the retention period ago.
    pub workers_purged: usize,
}

/// Stays ended longer ago than this keep their flag as it is: time passing changes nothing
/// for them, and the counts of past months must not move.
const FLAG_REFRESH_MONTHS: u32 = 6;

impl Store {
    /// Loads demo workers and stays in one transaction, with one audit entry, and moves the
    /// occupancy generation. For demo databases (`flexwonen demo`, the first start of
    /// `serve`): the rows are the generator's and are not checked again one by one. Answers
    /// how many worker records were loaded.
    pub async fn bulk_load_occupancy(
        &self,
        actor: &Actor,
        load: OccupancyLoad<'_>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<usize, StoreError> {
        let o = load.occupancy;
        let org = |i: usize| {
            load.organisation_ids.get(i).copied().ok_or_else(|| {
                StoreError::invalid("organisation", "unknown_organisation", format!("no organisation {i}"))
            })
        };
        let mut kept = vec![load.purged_before.is_none(); o.workers.len()];
        if let Some(cutoff) = load.purged_before {
            for s in &o.stays {
                if s.check_out.is_none_or(|out| out >= cutoff)
                    && let Some(k) = kept.get_mut(s.worker)
                {
                    *k = true;
                }
            }
        }
        let mut tx = self.begin_write().await?;
        let first_worker: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM workers").fetch_one(&mut *tx).await?;
        let ts = now();
        let mut ts_literal = String::new();
        quoted(&mut ts_literal, &ts);

        let mut rows = RowBatch::new(
            "INSERT INTO workers (id, provider_id, reference, nationality, employer_id, registration, \
                    brp_municipality, registered_on, bsn_hash, version, created_at, updated_at) VALUES ",
        );
        for (i, w) in o.workers.iter().enumerate().filter(|(i, _)| kept[*i]) {
            let mut r = String::with_capacity(160);
            let _ = write!(r, "({}, {}, ", first_worker + 1 + i as i64, org(w.provider)?);
            quoted(&mut r, &w.reference);
            r.push_str(", ");
            quoted(&mut r, w.nationality);
            match w.employer {
                Some(e) => {
                    let _ = write!(r, ", {}, ", org(e)?);
                }
                None => r.push_str(", NULL, "),
            }
            quoted(&mut r, w.registration.as_str());
            r.push_str(", ");
            quoted_or_null(&mut r, w.brp_municipality.as_ref().map(|m| m.as_str()));
            r.push_str(", ");
            quoted_date(&mut r, w.registered_on);
            let _ = write!(r, ", NULL, 1, {ts_literal}, {ts_literal})");
            rows.push(&mut tx, r, progress).await?;
        }
        rows.finish(&mut tx, progress).await?;

        let mut rows = RowBatch::new(
            "INSERT INTO stays (location_id, bed_id, worker_id, provider_id, nationality, check_in, check_out, \
                    separate_contract, contract_start, rent_per_week, notice_days, deduction_per_week, \
                    written_authorisation, hours_per_week, agricultural_cao, deduction_problems, unregistered_long, \
                    version, created_at, updated_at) VALUES ",
        );
        for s in &o.stays {
            let location = load.locations.get(s.location).ok_or_else(|| {
                StoreError::invalid("location", "unknown_location", format!("no demo location {}", s.location))
            })?;
            let bed = location.bed_ids.get(s.bed).copied().ok_or_else(|| {
                StoreError::invalid(
                    "bed_id",
                    "unknown_bed",
                    format!("no bed {} at demo location {}", s.bed, s.location),
                )
            })?;
            let worker = o.workers.get(s.worker).ok_or_else(|| {
                StoreError::invalid("worker", "unknown_worker", format!("no demo worker {}", s.worker))
            })?;
            let t = &s.terms;
            let mut r = String::with_capacity(220);
            let worker_id =
                if kept[s.worker] { (first_worker + 1 + s.worker as i64).to_string() } else { "NULL".into() };
            let _ = write!(r, "({}, {bed}, {worker_id}, {}, ", location.id, org(worker.provider)?);
            quoted(&mut r, worker.nationality);
            r.push_str(", ");
            quoted_date(&mut r, Some(s.check_in));
            r.push_str(", ");
            quoted_date(&mut r, s.check_out);
            let _ = write!(r, ", {}, ", i64::from(t.separate_contract));
            quoted_date(&mut r, Some(t.contract_start));
            r.push_str(", ");
            number(&mut r, t.rent_per_week);
            let _ = write!(r, ", {}, ", t.notice_days);
            number(&mut r, t.deduction_per_week);
            let _ = write!(r, ", {}, ", i64::from(t.written_authorisation));
            number(&mut r, t.hours_per_week);
            let _ = write!(r, ", {}, ", i64::from(t.agricultural_cao));
            let problems: Vec<&str> = s.deduction_problems.iter().map(|p| p.as_str()).collect();
            quoted(&mut r, &problems.join(","));
            let _ = write!(r, ", {}, 1, {ts_literal}, {ts_literal})", i64::from(s.unregistered_long));
            rows.push(&mut tx, r, progress).await?;
        }
        rows.finish(&mut tx, progress).await?;

        if self.backend == Backend::Postgres {
            // Explicit ids bypassed the identity sequence; move it past the new rows.
            sqlx::query(
                "SELECT setval(pg_get_serial_sequence('workers', 'id'), (SELECT COALESCE(MAX(id), 1) FROM workers))",
            )
            .execute(&mut *tx)
            .await?;
        }
        let workers = kept.iter().filter(|k| **k).count();
        let summary = serde_json::json!({"workers": workers, "stays": o.stays.len()});
        record(&mut tx, actor, "occupancy", 0, "bulk_load", None, Some(&summary)).await?;
        bump(&mut tx).await?;
        tx.commit().await?;
        self.after_bulk_write(&["workers", "stays"]).await;
        Ok(workers)
    }

    /// Deletes the worker records whose every stay is closed, the last check-out more than
    /// `retention_months` before `today`. Their stays stay, without the worker. One audit
    /// entry with the count and the cut-off day (no references); nothing changes — no entry,
    /// no new generation — when there is nothing to purge, so a second run is a no-op.
    pub async fn purge_workers(
        &self,
        actor: &Actor,
        today: NaiveDate,
        retention_months: u32,
    ) -> Result<usize, StoreError> {
        let cutoff = today.checked_sub_months(Months::new(retention_months)).unwrap_or(NaiveDate::MIN);
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "DELETE FROM workers WHERE NOT EXISTS (
                 SELECT 1 FROM stays s WHERE s.worker_id = workers.id AND (s.check_out IS NULL OR s.check_out >= $1))",
        )
        .bind(cutoff.format(DATE_FORMAT).to_string())
        .execute(&mut *tx)
        .await?;
        let purged = done.rows_affected() as usize;
        if purged > 0 {
            let summary = serde_json::json!({
                "purged": purged,
                "retention_months": retention_months,
                "last_check_out_before": cutoff.format(DATE_FORMAT).to_string(),
            });
            record(&mut tx, actor, "workers", 0, "purge", None, Some(&summary)).await?;
            bump(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(purged)
    }

    /// Recomputes the registration flag ("housed more than 4 months within 6 while not in
    /// the BRP") of the stays that are open or ended within the last 6 months: an open stay
    /// crosses the 4-month line while nobody records anything. Each person is judged over
    /// all their stays (their records at every provider that share the BSN hash), as a
    /// check-in does. Returns (flags set, flags cleared); an audit entry with the counts only
    /// when something changed.
    pub async fn refresh_open_flags(&self, actor: &Actor, today: NaiveDate) -> Result<(usize, usize), StoreError> {
        let recent = today.checked_sub_months(Months::new(FLAG_REFRESH_MONTHS)).unwrap_or(NaiveDate::MIN);
        let recent_text = recent.format(DATE_FORMAT).to_string();
        let mut tx = self.begin_write().await?;
        /// A person: their BSN hash's group, or one worker record without a BSN.
        #[derive(PartialEq, Eq, Hash)]
        enum Key {
            Bsn(String),
            Worker(i64),
        }
        struct Person {
            brp_since: Option<NaiveDate>,
            stays: Vec<(i64, Span, bool)>,
        }
        // Streamed, not collected: at scale 1 this is half a million rows, and a driver row
        // costs far more memory than the few values kept of it.
        let mut rows = sqlx::query(
            "SELECT s.id, s.worker_id, s.check_in, s.check_out, s.unregistered_long, w.registration, w.registered_on,
                    w.bsn_hash
             FROM stays s JOIN workers w ON w.id = s.worker_id
             WHERE s.worker_id IN (SELECT worker_id FROM stays WHERE check_out IS NULL OR check_out >= $1)
                OR w.bsn_hash IN (SELECT w2.bsn_hash FROM workers w2 JOIN stays s2 ON s2.worker_id = w2.id
                                  WHERE w2.bsn_hash IS NOT NULL AND (s2.check_out IS NULL OR s2.check_out >= $1))",
        )
        .bind(&recent_text)
        .fetch(&mut *tx);
        let mut persons: HashMap<Key, Person> = HashMap::new();
        while let Some(r) = rows.try_next().await? {
            let worker_id: i64 = r.try_get("worker_id")?;
            let bsn: Option<String> = r.try_get("bsn_hash")?;
            let key = bsn.map_or(Key::Worker(worker_id), Key::Bsn);
            let person = persons.entry(key).or_insert(Person { brp_since: None, stays: Vec::new() });
            if parse_code(&r, "registration", Registration::parse)? == Registration::Brp
                && let Some(d) = opt_date_col(&r, "registered_on")?
            {
                person.brp_since = Some(person.brp_since.map_or(d, |b| b.min(d)));
            }
            let span = Span { from: date_col(&r, "check_in")?, until: opt_date_col(&r, "check_out")? };
            person.stays.push((r.try_get("id")?, span, r.try_get::<i64, _>("unregistered_long")? != 0));
        }
        drop(rows);
        let (mut set, mut cleared) = (Vec::new(), Vec::new());
        for person in persons.values() {
            let spans: Vec<Span> = person.stays.iter().map(|s| s.1).collect();
            let flagged = unregistered_too_long(&spans, person.brp_since, today);
            let stop = person.brp_since.unwrap_or(NaiveDate::MAX);
            for (id, span, was) in &person.stays {
                if span.until.is_some_and(|u| u < recent) {
                    continue;
                }
                match (flagged && span.from < stop, *was) {
                    (true, false) => set.push(*id),
                    (false, true) => cleared.push(*id),
                    _ => {}
                }
            }
        }
        for (value, ids) in [(1i64, &set), (0, &cleared)] {
            for chunk in ids.chunks(200) {
                let mut sql = Sql::new("UPDATE stays SET unregistered_long = ");
                sql.bind(value).push(" WHERE id IN ").bind_list(chunk.iter().copied());
                sql.query().execute(&mut *tx).await?;
            }
        }
        if !set.is_empty() || !cleared.is_empty() {
            let summary = serde_json::json!({"on": today.format(DATE_FORMAT).to_string(), "flagged": set.len(), "cleared": cleared.len()});
            record(&mut tx, actor, "stays", 0, "refresh_registration_flags", None, Some(&summary)).await?;
            bump(&mut tx).await?;
        }
        tx.commit().await?;
        Ok((set.len(), cleared.len()))
    }

    /// The daily occupancy maintenance: first the registration flags, then the purge (a
    /// purged worker's stays keep the flag they had).
    pub async fn occupancy_maintenance(
        &self,
        actor: &Actor,
        today: NaiveDate,
        retention_months: u32,
    ) -> Result<Maintenance, StoreError> {
        let (flags_set, flags_cleared) = self.refresh_open_flags(actor, today).await?;
        let workers_purged = self.purge_workers(actor, today, retention_months).await?;
        Ok(Maintenance { today, flags_set, flags_cleared, retention_months, workers_purged })
    }
}
