//! BRP extracts (issue 6): a municipality's counts of registered persons per address, kept
//! per municipality and replaced whole by its next upload, in one transaction with its audit
//! entry. Read only for that municipality (the web layer asks `core::access`).
//!
//! Each line carries what the BAG says of its address, joined as the upload writes it (from a
//! staging table, so each line is written once) and again by a BAG import that replaces the
//! BAG (`join_brp_with_bag`): the daily signal run reads the lines without joining the BAG.

use crate::audit::{Actor, record};
use crate::bulk::{RowBatch, quoted, quoted_or_null};
use crate::{Store, StoreError, now};
use flexwonen_core::brp_extract::{BrpAddress, BrpCount};
use flexwonen_core::ids::MunicipalityCode;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrpSummary {
    pub municipality_code: String,
    pub uploaded_at: String,
    pub uploaded_by: String,
    pub addresses: i64,
    pub registered: i64,
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
        // The lines go through a staging table into `brp_counts` with their BAG facts: written
        // once, not written and then rewritten.
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE TEMPORARY TABLE IF NOT EXISTS brp_staging ({LINE_COLUMNS_DDL})"
        )))
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM brp_staging").execute(&mut *tx).await?;
        let mut batch = RowBatch::new(
            "INSERT INTO brp_staging (extract_id, line, postcode, house_number, house_letter, house_addition, nummeraanduiding_id, registered, registered_last_12_months, address_key, bag_key) VALUES ",
        );
        for c in counts {
            let mut row = format!("({id}, {}, ", c.line);
            match &c.address {
                BrpAddress::Postcode { postcode, house_number, house_letter, house_addition } => {
                    quoted(&mut row, postcode);
                    row.push_str(&format!(", {house_number}, "));
                    quoted_or_null(&mut row, house_letter.as_deref());
                    row.push_str(", ");
                    quoted_or_null(&mut row, house_addition.as_deref());
                    row.push_str(", NULL");
                }
                BrpAddress::Nummeraanduiding { id } => {
                    row.push_str("NULL, NULL, NULL, NULL, ");
                    quoted(&mut row, id);
                }
            }
            row.push_str(&format!(", {}, {}, ", c.registered, c.registered_last_12_months));
            let address_key = c.address.address_key();
            quoted_or_null(&mut row, address_key.as_deref());
            row.push_str(", ");
            // The line's own key until the BAG gives its own (`join_brp_with_bag`).
            match &c.address {
                BrpAddress::Nummeraanduiding { id } => quoted(&mut row, &format!("NUM:{id}")),
                BrpAddress::Postcode { .. } => quoted_or_null(&mut row, address_key.as_deref()),
            }
            row.push(')');
            batch.push(&mut tx, row, &|_| {}).await?;
        }
        batch.finish(&mut tx, &|_| {}).await?;
        // By postcode and number, or by nummeraanduiding id: two equalities the databases join
        // by hash or index (one join on either would be neither). Should the BAG hold two
        // objects at one address, the line is kept once.
        for (address, given) in [
            ("n.address_key = c.address_key", "c.address_key IS NOT NULL"),
            ("n.id = c.nummeraanduiding_id", "c.nummeraanduiding_id IS NOT NULL"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO brp_counts (extract_id, line, postcode, house_number, house_letter, house_addition,
                     nummeraanduiding_id, registered, registered_last_12_months, address_key,
                     bag_key, vbo_id, floor_area_m2, x, y, street, town)
                 SELECT c.extract_id, c.line, c.postcode, c.house_number, c.house_letter, c.house_addition,
                     c.nummeraanduiding_id, c.registered, c.registered_last_12_months, c.address_key,
                     COALESCE(n.address_key, c.bag_key), {BAG_FACTS}
                 FROM brp_staging c
                 LEFT JOIN bag_num n ON n.import_id = (SELECT MAX(id) FROM bag_imports) AND {address}
                 {BAG_FACTS_JOINS}
                 WHERE {given}
                 ON CONFLICT (extract_id, line) DO NOTHING"
            )))
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DROP TABLE brp_staging").execute(&mut *tx).await?;
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

/// The columns of a BRP line as uploaded (before the BAG's facts).
const LINE_COLUMNS_DDL: &str = "extract_id BIGINT NOT NULL, line BIGINT NOT NULL, postcode TEXT, house_number BIGINT,
    house_letter TEXT, house_addition TEXT, nummeraanduiding_id TEXT, registered BIGINT NOT NULL,
    registered_last_12_months BIGINT NOT NULL, address_key TEXT, bag_key TEXT";

/// What the BAG says of a line's address, from its nummeraanduiding `n` joined with
/// `BAG_FACTS_JOINS`: the verblijfsobject with it as main address (else as side address), that
/// object's floor area and position, the names of its street and woonplaats.
const BAG_FACTS: &str = "COALESCE(v.id, sv.id), COALESCE(v.floor_area_m2, sv.floor_area_m2),
    CAST(ROUND(COALESCE(v.x, sv.x)) AS BIGINT), CAST(ROUND(COALESCE(v.y, sv.y)) AS BIGINT), o.name, w.name";
const BAG_FACTS_JOINS: &str = "LEFT JOIN bag_vbo v ON v.import_id = n.import_id AND v.main_address = n.id
    LEFT JOIN bag_vbo_side s ON s.import_id = n.import_id AND s.address_id = n.id
    LEFT JOIN bag_vbo sv ON sv.import_id = s.import_id AND sv.id = s.vbo_id
    LEFT JOIN bag_opr o ON o.import_id = n.import_id AND o.id = n.street_id
    LEFT JOIN bag_wpl w ON w.import_id = n.import_id AND w.id = COALESCE(n.place_id, o.place_id)";

/// Gives every BRP line what the BAG import `import` says of its address (`BAG_FACTS`), when a
/// BAG import replaces the BAG. A line the new BAG does not know keeps its own key and no
/// facts.
pub(crate) async fn join_brp_with_bag(conn: &mut AnyConnection, import: i64) -> Result<(), StoreError> {
    // What an earlier BAG said goes: the new one may not know an address any more.
    sqlx::query(
        "UPDATE brp_counts SET bag_key = COALESCE(address_key, 'NUM:' || nummeraanduiding_id),
             vbo_id = NULL, floor_area_m2 = NULL, x = NULL, y = NULL, street = NULL, town = NULL",
    )
    .execute(&mut *conn)
    .await?;
    for address in ["n.address_key = brp_counts.address_key", "n.id = brp_counts.nummeraanduiding_id"] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE brp_counts SET (bag_key, vbo_id, floor_area_m2, x, y, street, town) =
                 (COALESCE(n.address_key, brp_counts.bag_key), {BAG_FACTS})
             FROM bag_num n {BAG_FACTS_JOINS}
             WHERE n.import_id = $1 AND {address}"
        )))
        .bind(import)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
