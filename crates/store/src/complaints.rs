//! Complaints from the public form (issue 7): routed to the municipality of their address,
//! kept once per form submission, read by that municipality and — its status only — by the
//! reporter through the follow-up code, of which only a hash is kept.

use crate::audit::{Actor, record};
use crate::sql::{Sql, parse_code};
use crate::{Store, StoreError, now};
use flexwonen_core::address::AddressParts;
use flexwonen_core::complaints::{Complaint, ComplaintKind, FollowUpCode};
use flexwonen_core::ids::MunicipalityCode;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;

/// A follow-up code as stored: its SHA-256, so the table alone opens no complaint.
fn code_hash(code: &FollowUpCode) -> String {
    hex::encode(Sha256::digest(code.as_str().as_bytes()))
}

/// Where a complaint stands, as its reporter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintState {
    Received,
    /// The municipality opened a case on it.
    InProgress,
    /// That case is closed.
    Closed,
}

/// What the reporter sees through the code: no description, no contact details, so a code
/// that leaks tells little.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintStatus {
    pub received_on: String,
    pub kind: ComplaintKind,
    pub municipality: String,
    pub state: ComplaintState,
    /// The day of the last step of its case, if any.
    pub updated_on: Option<String>,
}

/// A complaint as its municipality reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplaintRecord {
    pub id: i64,
    pub municipality_code: String,
    pub address: String,
    pub address_key: String,
    pub kind: ComplaintKind,
    pub description: String,
    pub contact: Option<String>,
    pub language: String,
    pub received_at: String,
    pub case_id: Option<i64>,
    /// Handled without a case: when, by whom, why.
    pub dismissed: Option<(String, String, String)>,
}

/// A complaint received: new, or the same form sent again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub id: i64,
    pub municipality: MunicipalityCode,
    pub again: bool,
}

const RECORD_COLUMNS: &str = "id, municipality_code, address_key, postcode, house_number, house_letter,
    house_addition, kind, description, contact, language, received_at, case_id, dismissed_on, dismissed_by,
    dismissed_reason";

fn record_of(r: &AnyRow) -> Result<ComplaintRecord, StoreError> {
    let postcode: String = r.try_get("postcode")?;
    let parts = AddressParts {
        postcode: flexwonen_core::address::Postcode::parse(&postcode).map_err(|(_, m)| crate::sql::decoding(m))?,
        house_number: r.try_get("house_number")?,
        house_letter: r.try_get("house_letter")?,
        house_addition: r.try_get("house_addition")?,
    };
    Ok(ComplaintRecord {
        id: r.try_get("id")?,
        municipality_code: r.try_get("municipality_code")?,
        address: parts.display(),
        address_key: r.try_get("address_key")?,
        kind: parse_code(r, "kind", ComplaintKind::parse)?,
        description: r.try_get("description")?,
        contact: r.try_get("contact")?,
        language: r.try_get("language")?,
        received_at: r.try_get("received_at")?,
        case_id: r.try_get("case_id")?,
        dismissed: match (
            r.try_get::<Option<String>, _>("dismissed_on")?,
            r.try_get::<Option<String>, _>("dismissed_by")?,
            r.try_get::<Option<String>, _>("dismissed_reason")?,
        ) {
            (Some(on), Some(by), Some(why)) => Some((on, by, why)),
            _ => None,
        },
    })
}

impl Store {
    /// The municipality an address lies in: a register location's, else the BAG's (the
    /// nummeraanduiding's woonplaats, else the municipality that issued its id), if known.
    pub async fn municipality_of_address(
        &self,
        address: &AddressParts,
    ) -> Result<Option<MunicipalityCode>, StoreError> {
        let key = address.key();
        let row = sqlx::query(
            "SELECT (SELECT municipality_code FROM locations WHERE address_key = $1) AS registered,
                    n.place_id, n.id AS number_id
             FROM (SELECT 1 AS one) AS one
             LEFT JOIN bag_num n ON n.import_id = (SELECT MAX(id) FROM bag_imports) AND n.address_key = $1",
        )
        .bind(&key)
        .fetch_one(&self.pool)
        .await?;
        if let Some(code) = row.try_get::<Option<String>, _>("registered")? {
            return Ok(MunicipalityCode::parse(&code).ok());
        }
        let place: Option<String> = row.try_get("place_id")?;
        if let Some(m) = place.as_deref().and_then(flexwonen_core::geography::municipality_of_place) {
            return Ok(Some(m));
        }
        // A BAG id starts with the code of the municipality that issued it.
        let issued: Option<String> =
            row.try_get::<Option<String>, _>("number_id")?.map(|id| format!("GM{}", &id[..4.min(id.len())]));
        match issued.and_then(|c| MunicipalityCode::parse(&c).ok()) {
            Some(m) if self.municipality_exists(&m).await? => Ok(Some(m)),
            _ => Ok(None),
        }
    }

    async fn municipality_exists(&self, code: &MunicipalityCode) -> Result<bool, StoreError> {
        Ok(sqlx::query_scalar::<_, String>("SELECT code FROM municipalities WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    /// Keeps a complaint for `municipality`, once per form submission (`nonce`): the same
    /// form sent again finds the complaint it made. Audited without its text or contact
    /// details, which stay in the complaint alone.
    pub async fn receive_complaint(
        &self,
        complaint: &Complaint,
        municipality: &MunicipalityCode,
        nonce: &str,
        code: &FollowUpCode,
        language: &str,
    ) -> Result<Received, StoreError> {
        if !self.municipality_exists(municipality).await? {
            return Err(StoreError::invalid(
                "municipality",
                "unknown_municipality",
                "choose a municipality from the list",
            ));
        }
        let mut tx = self.begin_write().await?;
        let a = &complaint.address;
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO complaints (code_hash, submission, municipality_code, address_key, postcode, house_number,
                                     house_letter, house_addition, kind, description, contact, language, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
             ON CONFLICT (submission) DO NOTHING RETURNING id",
        )
        .bind(code_hash(code))
        .bind(nonce)
        .bind(municipality.as_str())
        .bind(a.key())
        .bind(a.postcode.as_str())
        .bind(a.house_number)
        .bind(a.house_letter.as_deref())
        .bind(a.house_addition.as_deref())
        .bind(complaint.kind.as_str())
        .bind(&complaint.description)
        .bind(complaint.contact.as_deref())
        .bind(language)
        .bind(now())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(id) = id else {
            // Sent before, or by a parallel request just now.
            tx.rollback().await?;
            return self.received_submission(nonce).await?.ok_or_else(|| crate::sql::decoding("a submission vanished"));
        };
        let brief = serde_json::json!({"kind": complaint.kind.as_str(), "municipality": municipality.as_str(),
                                       "anonymous": complaint.contact.is_none()});
        record(&mut tx, &Actor::system("klachtformulier"), "complaint", id, "receive", None, Some(&brief)).await?;
        tx.commit().await?;
        Ok(Received { id, municipality: municipality.clone(), again: false })
    }

    /// The complaint a form submission made, if it was received before.
    pub async fn received_submission(&self, nonce: &str) -> Result<Option<Received>, StoreError> {
        let Some(row) = sqlx::query("SELECT id, municipality_code FROM complaints WHERE submission = $1")
            .bind(nonce)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let municipality = MunicipalityCode::parse(&row.try_get::<String, _>("municipality_code")?)
            .map_err(|(_, m)| crate::sql::decoding(m))?;
        Ok(Some(Received { id: row.try_get("id")?, municipality, again: true }))
    }

    /// The status behind a follow-up code; `NotFound` for a code no complaint has.
    pub async fn complaint_status(&self, code: &FollowUpCode) -> Result<ComplaintStatus, StoreError> {
        let row = sqlx::query(
            "SELECT c.received_at, c.kind, m.name, k.closed_on, k.id AS case_id, c.dismissed_on,
                    (SELECT MAX(done_on) FROM case_steps WHERE case_id = k.id) AS updated_on
             FROM complaints c JOIN municipalities m ON m.code = c.municipality_code
             LEFT JOIN cases k ON k.id = c.case_id
             WHERE c.code_hash = $1",
        )
        .bind(code_hash(code))
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        let received_at: String = row.try_get("received_at")?;
        let dismissed_on: Option<String> = row.try_get("dismissed_on")?;
        let state = match (row.try_get::<Option<i64>, _>("case_id")?, row.try_get::<Option<String>, _>("closed_on")?) {
            (None, _) if dismissed_on.is_some() => ComplaintState::Closed,
            (None, _) => ComplaintState::Received,
            (Some(_), None) => ComplaintState::InProgress,
            (Some(_), Some(_)) => ComplaintState::Closed,
        };
        Ok(ComplaintStatus {
            received_on: received_at[..10.min(received_at.len())].to_string(),
            kind: parse_code(&row, "kind", ComplaintKind::parse)?,
            municipality: row.try_get("name")?,
            state,
            updated_on: row.try_get::<Option<String>, _>("updated_on")?.or(dismissed_on),
        })
    }

    /// A municipality's complaints, newest first; `without_case` leaves out the ones a case
    /// was opened on.
    pub async fn complaints(
        &self,
        municipality: &MunicipalityCode,
        without_case: bool,
        limit: i64,
    ) -> Result<Vec<ComplaintRecord>, StoreError> {
        let mut q = Sql::new(&format!("SELECT {RECORD_COLUMNS} FROM complaints WHERE municipality_code = "));
        q.bind(municipality.as_str());
        if without_case {
            q.push(" AND case_id IS NULL AND dismissed_on IS NULL");
        }
        q.push(" ORDER BY received_at DESC, id DESC LIMIT ").bind(limit);
        q.query().fetch_all(&self.pool).await?.iter().map(record_of).collect()
    }

    /// One complaint of the municipality; `NotFound` for another's.
    pub async fn complaint(&self, municipality: &MunicipalityCode, id: i64) -> Result<ComplaintRecord, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RECORD_COLUMNS} FROM complaints WHERE id = $1 AND municipality_code = $2"
        )))
        .bind(id)
        .bind(municipality.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        record_of(&row)
    }

    /// Handles a complaint without a case ("no action"), with the reason; audited. Refused
    /// for a complaint with a case, or handled already.
    pub async fn dismiss_complaint(
        &self,
        actor: &Actor,
        municipality: &MunicipalityCode,
        id: i64,
        reason: &str,
        today: chrono::NaiveDate,
    ) -> Result<ComplaintRecord, StoreError> {
        let reason = flexwonen_core::register::parse_reason(reason)
            .map_err(|(code, message)| StoreError::invalid("reason", code, message))?;
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE complaints SET dismissed_on = $3, dismissed_by = $4, dismissed_reason = $5
             WHERE id = $1 AND municipality_code = $2 AND case_id IS NULL AND dismissed_on IS NULL",
        )
        .bind(id)
        .bind(municipality.as_str())
        .bind(today.format(crate::sql::DATE_FORMAT).to_string())
        .bind(&actor.name)
        .bind(reason)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            drop(tx);
            // Not the municipality's (404), or handled already.
            self.complaint(municipality, id).await?;
            return Err(StoreError::invalid(
                "id",
                "complaint_handled",
                "this complaint has a case or was handled already",
            ));
        }
        record(&mut tx, actor, "complaint", id, "dismiss", None, Some(&serde_json::json!({"reason": reason}))).await?;
        tx.commit().await?;
        self.complaint(municipality, id).await
    }

    /// How many complaints there are in all (for the burst benchmark's count).
    pub async fn complaint_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM complaints").fetch_one(&self.pool).await?)
    }
}
