//! Certificates with their dated status history.

use crate::audit::{Actor, record};
use crate::sql::{date_col, opt_date_col};
use crate::{Store, StoreError, now};
use chrono::NaiveDate;
use flexwonen_core::certificates::{
    CertificateDraft, CertificateScheme, CertificateSpan, CertificateStatus, StatusChange,
};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StatusEntry {
    pub status: CertificateStatus,
    pub since: NaiveDate,
    pub reason: String,
    pub recorded_at: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Certificate {
    pub id: i64,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub organisation_kvk: Option<String>,
    pub scheme: CertificateScheme,
    pub number: String,
    pub valid_from: NaiveDate,
    pub valid_until: Option<NaiveDate>,
    /// The latest status; `history` says since when.
    pub status: CertificateStatus,
    pub version: i64,
    pub history: Vec<StatusEntry>,
}

impl Certificate {
    pub fn span(&self) -> CertificateSpan {
        CertificateSpan {
            scheme: self.scheme,
            valid_from: self.valid_from,
            valid_until: self.valid_until,
            statuses: self.history.iter().map(|h| (h.since, h.status)).collect(),
        }
    }
}

/// Certificates per organisation, for judging many locations at once.
pub type CertificateBook = HashMap<i64, Vec<CertificateSpan>>;

const SELECT: &str = "SELECT c.id, c.organisation_id, o.name AS organisation_name, o.kvk AS organisation_kvk, c.scheme,
    c.number, c.valid_from, c.valid_until, c.status, c.version
    FROM certificates c JOIN organisations o ON o.id = c.organisation_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Certificate, StoreError> {
    Ok(Certificate {
        id: r.try_get("id")?,
        organisation_id: r.try_get("organisation_id")?,
        organisation_name: r.try_get("organisation_name")?,
        organisation_kvk: r.try_get("organisation_kvk")?,
        scheme: crate::sql::parse_code(r, "scheme", CertificateScheme::parse)?,
        number: r.try_get("number")?,
        valid_from: date_col(r, "valid_from")?,
        valid_until: opt_date_col(r, "valid_until")?,
        status: crate::sql::parse_code(r, "status", CertificateStatus::parse)?,
        version: r.try_get("version")?,
        history: Vec::new(),
    })
}

fn entry_from_row(r: &sqlx::any::AnyRow) -> Result<(i64, StatusEntry), StoreError> {
    Ok((
        r.try_get("certificate_id")?,
        StatusEntry {
            status: crate::sql::parse_code(r, "status", CertificateStatus::parse)?,
            since: date_col(r, "since")?,
            reason: r.try_get("reason")?,
            recorded_at: r.try_get("recorded_at")?,
            recorded_by: r.try_get("recorded_by")?,
        },
    ))
}

const HISTORY: &str =
    "SELECT certificate_id, status, since, reason, recorded_at, recorded_by FROM certificate_statuses";

impl Store {
    pub async fn create_certificate(&self, actor: &Actor, draft: &CertificateDraft) -> Result<Certificate, StoreError> {
        let mut tx = self.begin_write().await?;
        let organisation: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
            .bind(draft.organisation_id)
            .fetch_optional(&mut *tx)
            .await?;
        if organisation.is_none() {
            return Err(StoreError::invalid("organisation_id", "unknown_organisation", "no such organisation"));
        }
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM certificates WHERE scheme = $1 AND number = $2")
            .bind(draft.scheme.as_str())
            .bind(&draft.number)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::invalid(
                "number",
                "duplicate_certificate",
                format!("{} certificate {} exists already", draft.scheme, draft.number),
            ));
        }
        let stamp = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO certificates (organisation_id, scheme, number, valid_from, valid_until, status, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
        )
        .bind(draft.organisation_id)
        .bind(draft.scheme.as_str())
        .bind(&draft.number)
        .bind(draft.valid_from.to_string())
        .bind(draft.valid_until.map(|d| d.to_string()))
        .bind(CertificateStatus::Active.as_str())
        .bind(&stamp)
        .fetch_one(&mut *tx)
        .await?;
        let issued =
            StatusChange { status: CertificateStatus::Active, since: draft.valid_from, reason: "issued".into() };
        insert_status(&mut tx, id, &issued, actor).await?;
        let created = read_certificate(&mut tx, id).await?;
        record(
            &mut tx,
            actor,
            "certificate",
            id,
            "create",
            None,
            Some(&serde_json::to_value(&created).unwrap_or_default()),
        )
        .await?;
        crate::totals::bump(&mut tx).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Records a status change (suspension, reinstatement, withdrawal) from a date.
    pub async fn change_certificate_status(
        &self,
        actor: &Actor,
        id: i64,
        expected_version: i64,
        change: &StatusChange,
    ) -> Result<Certificate, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = read_certificate(&mut tx, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Conflict { current: before.version });
        }
        let updated = apply_status(&mut tx, actor, before, change).await?;
        tx.commit().await?;
        Ok(updated)
    }

    pub async fn certificate(&self, id: i64) -> Result<Certificate, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_certificate(&mut conn, id).await
    }

    /// Certificates, optionally of one organisation, newest number first within a scheme.
    pub async fn certificates(&self, organisation_id: Option<i64>) -> Result<Vec<Certificate>, StoreError> {
        let rows = match organisation_id {
            Some(org) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{SELECT} WHERE c.organisation_id = $1 ORDER BY o.name, c.scheme, c.number"
                )))
                .bind(org)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY o.name, c.scheme, c.number")))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        let mut certificates: Vec<Certificate> = rows.iter().map(from_row).collect::<Result<_, _>>()?;
        let index: HashMap<i64, usize> = certificates.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        // Only the histories of the certificates read above.
        let history = match organisation_id {
            Some(org) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{HISTORY} WHERE certificate_id IN (SELECT id FROM certificates WHERE organisation_id = $1)
                     ORDER BY certificate_id, since, id"
                )))
                .bind(org)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{HISTORY} ORDER BY certificate_id, since, id")))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        for r in history {
            let (cid, entry) = entry_from_row(&r)?;
            if let Some(&i) = index.get(&cid) {
                certificates[i].history.push(entry);
            }
        }
        Ok(certificates)
    }

    /// Every certificate with its history, as the public register lists them; read again
    /// only after a change.
    pub async fn all_certificates(&self) -> Result<Arc<Vec<Certificate>>, StoreError> {
        self.all_certificates_at(self.generation().await?).await
    }

    async fn all_certificates_at(&self, generation: i64) -> Result<Arc<Vec<Certificate>>, StoreError> {
        if let Some(all) = self.certificate_cache.get(generation, "") {
            return Ok(all);
        }
        let all = Arc::new(self.certificates(None).await?);
        self.certificate_cache.put(generation, String::new(), all.clone());
        Ok(all)
    }

    /// Every organisation's certificates as spans, for judging locations; derived from
    /// [`Self::all_certificates`] once per generation.
    pub async fn certificate_book(&self) -> Result<Arc<CertificateBook>, StoreError> {
        self.certificate_book_at(self.generation().await?).await
    }

    /// The certificate book as of a generation the caller has just read.
    pub(crate) async fn certificate_book_at(&self, generation: i64) -> Result<Arc<CertificateBook>, StoreError> {
        if let Some(book) = self.certificate_book_cache.get(generation, "") {
            return Ok(book);
        }
        let mut book = CertificateBook::new();
        for c in self.all_certificates_at(generation).await?.iter() {
            book.entry(c.organisation_id).or_default().push(c.span());
        }
        let book = Arc::new(book);
        self.certificate_book_cache.put(generation, String::new(), book.clone());
        Ok(book)
    }
}

/// Changes a certificate's status inside the caller's transaction: the sanction ladder of
/// overdue defects uses it.
pub(crate) async fn change_status_in(
    conn: &mut AnyConnection,
    actor: &Actor,
    certificate_id: i64,
    change: &StatusChange,
) -> Result<Certificate, StoreError> {
    let before = read_certificate(conn, certificate_id).await?;
    apply_status(conn, actor, before, change).await
}

/// Checks the transition and records it. The status row is updated first, and only if it
/// still has the version read as `before`: under PostgreSQL's READ COMMITTED two changes
/// may both read the same version, and the second then changes no row and is refused with
/// a conflict before it writes anything (its history entry included).
async fn apply_status(
    conn: &mut AnyConnection,
    actor: &Actor,
    before: Certificate,
    change: &StatusChange,
) -> Result<Certificate, StoreError> {
    if !before.status.may_become(change.status) {
        return Err(StoreError::invalid(
            "status",
            "invalid_transition",
            format!("a {} certificate cannot become {}", before.status, change.status),
        ));
    }
    if let Some(last) = before.history.last()
        && change.since < last.since
    {
        return Err(StoreError::invalid(
            "since",
            "before_previous_status",
            format!("must be on or after {}, when the status became {}", last.since, last.status),
        ));
    }
    let updated = sqlx::query(
        "UPDATE certificates SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
    )
    .bind(change.status.as_str())
    .bind(now())
    .bind(before.id)
    .bind(before.version)
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        let current: Option<i64> = sqlx::query_scalar("SELECT version FROM certificates WHERE id = $1")
            .bind(before.id)
            .fetch_optional(&mut *conn)
            .await?;
        return Err(current.map_or(StoreError::NotFound, |current| StoreError::Conflict { current }));
    }
    insert_status(conn, before.id, change, actor).await?;
    let after = read_certificate(conn, before.id).await?;
    record(
        conn,
        actor,
        "certificate",
        before.id,
        &format!("status {}", change.status),
        Some(&serde_json::to_value(&before).unwrap_or_default()),
        Some(&serde_json::to_value(&after).unwrap_or_default()),
    )
    .await?;
    crate::totals::bump(conn).await?;
    Ok(after)
}

async fn insert_status(
    conn: &mut AnyConnection,
    id: i64,
    change: &StatusChange,
    actor: &Actor,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO certificate_statuses (certificate_id, status, since, reason, recorded_at, recorded_by)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(change.status.as_str())
    .bind(change.since.to_string())
    .bind(&change.reason)
    .bind(now())
    .bind(&actor.name)
    .execute(conn)
    .await?;
    Ok(())
}

async fn read_certificate(conn: &mut AnyConnection, id: i64) -> Result<Certificate, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut certificate = from_row(&row)?;
    for r in sqlx::query(sqlx::AssertSqlSafe(format!("{HISTORY} WHERE certificate_id = $1 ORDER BY since, id")))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
    {
        certificate.history.push(entry_from_row(&r)?.1);
    }
    Ok(certificate)
}
