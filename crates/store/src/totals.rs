//! Keeps `register_totals` in step with the locations, and reads it for the dashboards.

use crate::{Store, StoreError};
use flexwonen_core::register::{HousingForm, LegalStatus, StayType};
pub use flexwonen_core::totals::{Totals, TotalsRow};
use sqlx::{AnyConnection, Row};
use std::sync::Arc;

/// The category of one location, and its counts, as `register_totals` adds them up.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Contribution {
    pub municipality_code: String,
    pub housing_form: HousingForm,
    pub legal_status: LegalStatus,
    pub stay_type: StayType,
    pub beds: i64,
    pub beds_in_service: i64,
}

/// Adds (`sign` = 1) or removes (`sign` = -1) one location's contribution.
pub(crate) async fn apply(conn: &mut AnyConnection, c: &Contribution, sign: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO register_totals (municipality_code, housing_form, legal_status, stay_type, locations, beds, beds_in_service)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (municipality_code, housing_form, legal_status, stay_type) DO UPDATE SET
           locations = register_totals.locations + excluded.locations,
           beds = register_totals.beds + excluded.beds,
           beds_in_service = register_totals.beds_in_service + excluded.beds_in_service",
    )
    .bind(&c.municipality_code)
    .bind(c.housing_form.as_str())
    .bind(c.legal_status.as_str())
    .bind(c.stay_type.as_str())
    .bind(sign)
    .bind(sign * c.beds)
    .bind(sign * c.beds_in_service)
    .execute(&mut *conn)
    .await?;
    bump(conn).await
}

/// Marks the totals as changed, for the readers' caches.
pub(crate) async fn bump(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("UPDATE register_generation SET generation = generation + 1 WHERE id = 1").execute(conn).await?;
    Ok(())
}

/// Recomputes the totals from the locations (after a bulk load).
pub(crate) async fn rebuild(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM register_totals").execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO register_totals (municipality_code, housing_form, legal_status, stay_type, locations, beds, beds_in_service)
         SELECT municipality_code, housing_form, legal_status, stay_type, COUNT(*),
                CAST(SUM(bed_count) AS BIGINT), CAST(SUM(beds_in_service) AS BIGINT)
         FROM locations GROUP BY municipality_code, housing_form, legal_status, stay_type",
    )
    .execute(&mut *conn)
    .await?;
    bump(conn).await
}

impl Store {
    /// The totals of the whole register, or of some municipalities. Read from memory unless
    /// the register changed since the last read (one one-row query to find out), so the
    /// dashboards cost about nothing, also with several servers on one database.
    pub async fn totals(&self, municipalities: Option<&[String]>) -> Result<Arc<Totals>, StoreError> {
        let all = self.all_totals().await?;
        Ok(match municipalities {
            None => all,
            Some(ms) => Arc::new(all.within(ms)),
        })
    }

    /// A number that changes whenever the register's totals or the regions change: a cache
    /// of anything derived from them is valid while this number stays the same.
    pub async fn generation(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT generation FROM register_generation WHERE id = 1").fetch_one(&self.pool).await?)
    }

    async fn all_totals(&self) -> Result<Arc<Totals>, StoreError> {
        let generation = self.generation().await?;
        if let Some(t) = self.totals_cache.get(generation, "") {
            return Ok(t);
        }
        // Read after the generation: the rows are at least that new, so caching them under it
        // can only cause one extra read later, never a stale answer.
        let rows = sqlx::query(
            "SELECT municipality_code, housing_form, legal_status, stay_type, locations, beds, beds_in_service
             FROM register_totals WHERE locations <> 0",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (f, s, t): (String, String, String) =
                (r.try_get("housing_form")?, r.try_get("legal_status")?, r.try_get("stay_type")?);
            // Categories come from validated writes; an unknown one means a newer schema wrote it.
            let (Some(housing_form), Some(legal_status), Some(stay_type)) =
                (HousingForm::parse(&f), LegalStatus::parse(&s), StayType::parse(&t))
            else {
                continue;
            };
            out.push(TotalsRow {
                municipality_code: r.try_get("municipality_code")?,
                housing_form,
                legal_status,
                stay_type,
                locations: r.try_get("locations")?,
                beds: r.try_get("beds")?,
                beds_in_service: r.try_get("beds_in_service")?,
            });
        }
        let totals = Arc::new(Totals { rows: out });
        self.totals_cache.put(generation, String::new(), totals.clone());
        Ok(totals)
    }
}
