//! BRP extracts (issue 6): a municipality's counts of registered persons per address, kept
//! per municipality and replaced whole by its next upload, in one transaction with its audit
//! entry. Read only for that municipality (the web layer asks `core::access`).

use crate::audit::{Actor, record};
use crate::bulk::{RowBatch, quoted};
use crate::{Store, StoreError, now};
use flexwonen_core::brp_extract::{BrpAddress, BrpCount};
use flexwonen_core::ids::MunicipalityCode;
use serde::Serialize;
use sqlx::Row;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrpSummary {
    pub municipality_code: String,
    pub uploaded_at: String,
    pub uploaded_by: String,
    pub addresses: i64,
    pub registered: i64,
}

fn optional(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => quoted(out, s),
        None => out.push_str("NULL"),
    }
}

impl Store {
    /// Replaces the municipality's extract with `counts` (parsed whole beforehand).
    pub async fn replace_brp_extract(
        &self,
        actor: &Actor,
        municipality: &MunicipalityCode,
        counts: &[BrpCount],
    ) -> Result<BrpSummary, StoreError> {
        let mut tx = self.begin_write().await?;
        let known: Option<String> = sqlx::query_scalar("SELECT code FROM municipalities WHERE code = $1")
            .bind(municipality.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if known.is_none() {
            return Err(StoreError::invalid(
                "municipality",
                "unknown_municipality",
                format!("{municipality} is not a municipality"),
            ));
        }
        sqlx::query("DELETE FROM brp_extracts WHERE municipality_code = $1")
            .bind(municipality.as_str())
            .execute(&mut *tx)
            .await?;
        let summary = BrpSummary {
            municipality_code: municipality.as_str().to_string(),
            uploaded_at: now(),
            uploaded_by: actor.name.clone(),
            addresses: counts.len() as i64,
            registered: counts.iter().map(|c| c.registered).sum(),
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO brp_extracts (municipality_code, uploaded_at, uploaded_by, addresses, registered)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(&summary.municipality_code)
        .bind(&summary.uploaded_at)
        .bind(&summary.uploaded_by)
        .bind(summary.addresses)
        .bind(summary.registered)
        .fetch_one(&mut *tx)
        .await?;
        let mut batch = RowBatch::new(
            "INSERT INTO brp_counts (extract_id, line, postcode, house_number, house_letter, house_addition, nummeraanduiding_id, registered, registered_last_12_months, address_key) VALUES ",
        );
        for c in counts {
            let mut row = format!("({id}, {}, ", c.line);
            match &c.address {
                BrpAddress::Postcode { postcode, house_number, house_letter, house_addition } => {
                    quoted(&mut row, postcode);
                    row.push_str(&format!(", {house_number}, "));
                    optional(&mut row, house_letter.as_deref());
                    row.push_str(", ");
                    optional(&mut row, house_addition.as_deref());
                    row.push_str(", NULL");
                }
                BrpAddress::Nummeraanduiding { id } => {
                    row.push_str("NULL, NULL, NULL, NULL, ");
                    quoted(&mut row, id);
                }
            }
            row.push_str(&format!(", {}, {}, ", c.registered, c.registered_last_12_months));
            optional(&mut row, c.address.address_key().as_deref());
            row.push(')');
            batch.push(&mut tx, row, &|_| {}).await?;
        }
        batch.finish(&mut tx, &|_| {}).await?;
        // The audit entry says what was uploaded, not what is in it.
        record(
            &mut tx,
            actor,
            "brp_extract",
            id,
            "upload",
            None,
            Some(&serde_json::to_value(&summary).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        self.after_bulk_write(&["brp_extracts", "brp_counts"]).await;
        Ok(summary)
    }

    pub async fn brp_summary(&self, municipality: &MunicipalityCode) -> Result<Option<BrpSummary>, StoreError> {
        let row = sqlx::query(
            "SELECT municipality_code, uploaded_at, uploaded_by, addresses, registered FROM brp_extracts WHERE municipality_code = $1",
        )
        .bind(municipality.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(BrpSummary {
                municipality_code: r.try_get("municipality_code")?,
                uploaded_at: r.try_get("uploaded_at")?,
                uploaded_by: r.try_get("uploaded_by")?,
                addresses: r.try_get("addresses")?,
                registered: r.try_get("registered")?,
            })
        })
        .transpose()
    }
}
