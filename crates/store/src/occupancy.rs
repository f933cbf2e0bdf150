//! Occupancy: workers (pseudonymous), their stays on beds, and the events that change them.
//!
//! The invariants hold in the database transaction, whoever calls: a bed holds at most one
//! person on any night, a bed out of service takes no one, and a check-in may not take a
//! location above the capacity the norms permit on the check-in date. Every event first
//! locks its location row (`UPDATE locations SET version = version`: a row lock on
//! PostgreSQL, and SQLite's write transactions already run one at a time), so two clients
//! racing for one bed are served one after the other and the second sees the first's stay.
//! A partial unique index (one open stay per bed) is the database's own last guard.

use crate::audit::{Actor, record};
use crate::sql::{DATE_FORMAT, Sql, date_col, decoding, opt_date_col, parse_code};
use crate::{Store, StoreError, capacity, locations, now};
use chrono::NaiveDate;
use flexwonen_core::access::LocationScope;
use flexwonen_core::capacity::permitted_only;
use flexwonen_core::certificates::certified_on;
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::norms::RuleSet;
use flexwonen_core::occupancy::{
    BedState, DeductionProblem, Span, deduction_problems, minimum_wages, unregistered_too_long,
};
use flexwonen_core::occupancy_events::{Event, EventDraft, Registration, Terms, WorkerDraft};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::sync::Arc;

/// What became of one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Applied {
    Applied {
        stay_id: i64,
    },
    /// This sender sent this event id before; nothing changed.
    Duplicate {
        stay_id: Option<i64>,
    },
}

/// A stay as the provider and the municipality see it: pseudonymous.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stay {
    pub id: i64,
    pub location_id: i64,
    pub bed_id: i64,
    /// Absent once the worker record has been purged.
    pub worker_id: Option<i64>,
    pub worker_reference: Option<String>,
    pub nationality: String,
    pub registration: Option<Registration>,
    pub check_in: NaiveDate,
    pub check_out: Option<NaiveDate>,
    pub terms: Terms,
    pub deduction_problems: Vec<DeductionProblem>,
    pub unregistered_long: bool,
    pub version: i64,
}

/// A correction of a past or current stay's dates or bed.
#[derive(Debug, Clone, PartialEq)]
pub struct StayCorrection {
    pub bed_id: i64,
    pub check_in: NaiveDate,
    pub check_out: Option<NaiveDate>,
}

/// What the event needs from outside the database.
pub struct EventContext<'a> {
    pub actor: &'a Actor,
    /// The locations this sender may write.
    pub scope: &'a LocationScope,
    /// Whose event ids these are (`org:12` for a provider, `account:3` otherwise).
    pub sender: &'a str,
    /// The key for BSN hashes; without it a BSN is refused.
    pub bsn_key: Option<&'a [u8]>,
    /// For the registration rule, which looks at stays up to today.
    pub today: NaiveDate,
}

/// The norms and certificates in force, read before the transaction starts: the
/// transaction's own connection does all its reading, so a full pool cannot stall it.
struct Norms {
    sets: Arc<Vec<RuleSet>>,
    book: Arc<crate::CertificateBook>,
}

fn rejected(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::invalid(field, code, message)
}

impl Store {
    /// Applies one event in its own transaction: whole, or (when refused) nothing at all.
    pub async fn apply_event(&self, ctx: &EventContext<'_>, draft: &EventDraft) -> Result<Applied, StoreError> {
        let norms = Norms { sets: self.rule_sets().await?, book: self.certificate_book().await? };
        let mut tx = self.begin_write().await?;
        if let Some(stay_id) = sqlx::query_scalar::<_, Option<i64>>(
            "SELECT stay_id FROM occupancy_events WHERE sender = $1 AND event_id = $2",
        )
        .bind(ctx.sender)
        .bind(&draft.id)
        .fetch_optional(&mut *tx)
        .await?
        {
            return Ok(Applied::Duplicate { stay_id });
        }
        let stay_id = match &draft.event {
            Event::CheckIn { bed_id, date, worker, terms } => {
                let bed = bed_in_scope(&mut tx, ctx.scope, *bed_id).await?;
                lock_locations(&mut tx, &[bed.location_id]).await?;
                let worker_id = upsert_worker(&mut tx, ctx, bed.operator_id, worker).await?;
                check_in(&mut tx, ctx, &norms, &bed, worker_id, &worker.nationality, *date, terms).await?
            }
            Event::CheckOut { reference, date } => {
                let stay = current_stay(&mut tx, ctx.scope, reference, *date).await?;
                lock_locations(&mut tx, &[stay.location_id]).await?;
                close_stay(&mut tx, ctx, &stay, *date).await?;
                stay.id
            }
            Event::Transfer { reference, bed_id, date, terms } => {
                let stay = current_stay(&mut tx, ctx.scope, reference, *date).await?;
                let bed = bed_in_scope(&mut tx, ctx.scope, *bed_id).await?;
                if bed.id == stay.bed_id {
                    return Err(rejected("bed_id", "same_bed", "the worker already sleeps in this bed"));
                }
                let mut both = [stay.location_id, bed.location_id];
                both.sort_unstable();
                lock_locations(&mut tx, &both).await?;
                close_stay(&mut tx, ctx, &stay, *date).await?;
                let worker_id = stay.worker_id.ok_or_else(|| decoding("an open stay without its worker"))?;
                let terms = terms.unwrap_or(Terms { contract_start: *date, ..stay.terms });
                check_in(&mut tx, ctx, &norms, &bed, worker_id, &stay.nationality, *date, &terms).await?
            }
        };
        sqlx::query("INSERT INTO occupancy_events (sender, event_id, stay_id, received_at) VALUES ($1, $2, $3, $4)")
            .bind(ctx.sender)
            .bind(&draft.id)
            .bind(stay_id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        bump(&mut tx).await?;
        tx.commit().await?;
        Ok(Applied::Applied { stay_id })
    }

    /// One stay, if its location is in scope; the read is logged.
    pub async fn stay(&self, reader: &Actor, scope: &LocationScope, id: i64) -> Result<Stay, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let stay = read_stays(&mut conn, "s.id = ", id).await?.pop().ok_or(StoreError::NotFound)?;
        let (municipality, operator) = location_owner(&mut conn, stay.location_id).await?;
        if !scope.allows(&municipality, operator) {
            return Err(StoreError::NotFound);
        }
        log_read(&mut conn, reader, "stay", id, usize::from(stay.worker_id.is_some())).await?;
        Ok(stay)
    }

    /// Corrects a stay's dates or bed (a past stay recorded wrongly), with the same
    /// invariants as a check-in and an audit entry with the values before and after.
    pub async fn correct_stay(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        id: i64,
        expected_version: i64,
        correction: &StayCorrection,
        today: NaiveDate,
    ) -> Result<Stay, StoreError> {
        let norms = Norms { sets: self.rule_sets().await?, book: self.certificate_book().await? };
        let mut tx = self.begin_write().await?;
        let before = read_stays(&mut tx, "s.id = ", id).await?.pop().ok_or(StoreError::NotFound)?;
        let (municipality, operator) = location_owner(&mut tx, before.location_id).await?;
        if !scope.allows(&municipality, operator) {
            return Err(StoreError::NotFound);
        }
        if before.version != expected_version {
            return Err(StoreError::Conflict { current: before.version });
        }
        let span = Span::new(correction.check_in, correction.check_out)
            .map_err(|(code, message)| rejected("check_out", code, message))?;
        let bed = bed_in_scope(&mut tx, scope, correction.bed_id).await?;
        let mut both = [before.location_id, bed.location_id];
        both.sort_unstable();
        lock_locations(&mut tx, &both).await?;
        check_room(&mut tx, &norms, &bed, span, Some(id)).await?;
        if let Some(worker_id) = before.worker_id {
            check_worker_free(&mut tx, worker_id, span, Some(id)).await?;
        }
        let done = sqlx::query(
            "UPDATE stays SET bed_id = $1, location_id = $2, check_in = $3, check_out = $4, version = version + 1,
                    updated_at = $5
             WHERE id = $6 AND version = $7",
        )
        .bind(bed.id)
        .bind(bed.location_id)
        .bind(span.from.format(DATE_FORMAT).to_string())
        .bind(span.until.map(|d| d.format(DATE_FORMAT).to_string()))
        .bind(now())
        .bind(id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict { current: before.version });
        }
        if let Some(worker_id) = before.worker_id {
            refresh_registration_flags(&mut tx, worker_id, today).await?;
        }
        let after = read_stays(&mut tx, "s.id = ", id).await?.pop().ok_or(StoreError::NotFound)?;
        record(&mut tx, actor, "stay", id, "correct", Some(&audit_json(&before)), Some(&audit_json(&after))).await?;
        bump(&mut tx).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The occupancy generation: moves with every change to stays.
    pub async fn occupancy_generation(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT generation FROM occupancy_generation WHERE id = 1").fetch_one(&self.pool).await?)
    }
}

/// A bed with what the invariants need of its location.
#[derive(Debug, Clone)]
pub(crate) struct BedRef {
    pub id: i64,
    pub location_id: i64,
    pub operator_id: Option<i64>,
    pub out_of_service: Option<String>,
}

/// The bed, if it exists and its location is in scope; otherwise "unknown bed" (a bed out of
/// scope is not revealed).
async fn bed_in_scope(conn: &mut AnyConnection, scope: &LocationScope, bed_id: i64) -> Result<BedRef, StoreError> {
    let row = sqlx::query(
        "SELECT b.location_id, b.out_of_service_reason, l.municipality_code, l.operator_id
         FROM beds b JOIN locations l ON l.id = b.location_id WHERE b.id = $1",
    )
    .bind(bed_id)
    .fetch_optional(&mut *conn)
    .await?;
    let unknown = || rejected("bed_id", "unknown_bed", format!("there is no bed {bed_id} at your locations"));
    let Some(row) = row else { return Err(unknown()) };
    let municipality =
        MunicipalityCode::parse(&row.try_get::<String, _>("municipality_code")?).map_err(|(_, m)| decoding(m))?;
    let operator_id: Option<i64> = row.try_get("operator_id")?;
    if !scope.allows(&municipality, operator_id) {
        return Err(unknown());
    }
    Ok(BedRef {
        id: bed_id,
        location_id: row.try_get("location_id")?,
        operator_id,
        out_of_service: row.try_get("out_of_service_reason")?,
    })
}

async fn location_owner(conn: &mut AnyConnection, id: i64) -> Result<(MunicipalityCode, Option<i64>), StoreError> {
    let row = sqlx::query("SELECT municipality_code, operator_id FROM locations WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let municipality =
        MunicipalityCode::parse(&row.try_get::<String, _>("municipality_code")?).map_err(|(_, m)| decoding(m))?;
    Ok((municipality, row.try_get("operator_id")?))
}

/// Serialises every event on these locations (ids in ascending order, so two transfers
/// between the same two locations cannot deadlock).
async fn lock_locations(conn: &mut AnyConnection, ids: &[i64]) -> Result<(), StoreError> {
    for id in ids {
        sqlx::query("UPDATE locations SET version = version WHERE id = $1").bind(id).execute(&mut *conn).await?;
    }
    Ok(())
}

pub(crate) async fn bump(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("UPDATE occupancy_generation SET generation = generation + 1 WHERE id = 1").execute(conn).await?;
    Ok(())
}

/// Creates the worker or brings their record up to date; returns its id. The provider is
/// the location's operator: references are the provider's own.
async fn upsert_worker(
    conn: &mut AnyConnection,
    ctx: &EventContext<'_>,
    operator_id: Option<i64>,
    w: &WorkerDraft,
) -> Result<i64, StoreError> {
    let Some(provider_id) = operator_id else {
        return Err(rejected("bed_id", "no_operator", "the location has no housing provider in the register"));
    };
    let bsn_hash = match (&w.bsn, ctx.bsn_key) {
        (None, _) => None,
        (Some(bsn), Some(key)) => Some(bsn.keyed_hash(key)),
        (Some(_), None) => {
            return Err(rejected("worker.bsn", "bsn_not_configured", "this server takes no BSN: no key is configured"));
        }
    };
    if let Some(employer) = w.employer_id {
        let known: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1")
            .bind(employer)
            .fetch_optional(&mut *conn)
            .await?;
        if known.is_none() {
            return Err(rejected("worker.employer_id", "unknown_organisation", format!("no organisation {employer}")));
        }
    }
    if let Some(m) = &w.brp_municipality {
        let known: Option<String> = sqlx::query_scalar("SELECT code FROM municipalities WHERE code = $1")
            .bind(m.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if known.is_none() {
            return Err(rejected("worker.brp_municipality", "unknown_municipality", format!("no municipality {m}")));
        }
    }
    let ts = now();
    // A BSN once given stays until another is given: a later event without one keeps it.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO workers (provider_id, reference, nationality, employer_id, registration, brp_municipality,
                              registered_on, bsn_hash, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)
         ON CONFLICT (provider_id, reference) DO UPDATE SET
             nationality = excluded.nationality, employer_id = excluded.employer_id,
             registration = excluded.registration, brp_municipality = excluded.brp_municipality,
             registered_on = excluded.registered_on, bsn_hash = COALESCE(excluded.bsn_hash, workers.bsn_hash),
             version = workers.version + 1, updated_at = excluded.updated_at
         RETURNING id",
    )
    .bind(provider_id)
    .bind(&w.reference)
    .bind(&w.nationality)
    .bind(w.employer_id)
    .bind(w.registration.as_str())
    .bind(w.brp_municipality.as_ref().map(|m| m.as_str().to_string()))
    .bind(w.registered_on.map(|d| d.format(DATE_FORMAT).to_string()))
    .bind(bsn_hash)
    .bind(&ts)
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// The stay of the worker with this reference that a check-out or transfer on `date` ends:
/// begun before `date` and not ended before it.
async fn current_stay(
    conn: &mut AnyConnection,
    scope: &LocationScope,
    reference: &str,
    date: NaiveDate,
) -> Result<Stay, StoreError> {
    let day = date.format(DATE_FORMAT).to_string();
    let mut sql = Sql::new("w.reference = ");
    sql.bind(reference)
        .push(" AND s.check_in < ")
        .bind(day.clone())
        .push(" AND (s.check_out IS NULL OR s.check_out >= ");
    sql.bind(day).push(")");
    let mut found = Vec::new();
    for stay in read_stays_where(conn, &sql).await? {
        let (municipality, operator) = location_owner(conn, stay.location_id).await?;
        if scope.allows(&municipality, operator) {
            found.push(stay);
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(rejected(
            "worker_reference",
            "no_current_stay",
            format!("worker {reference} has no stay at your locations that began before {date} and is still running"),
        )),
        _ => Err(rejected(
            "worker_reference",
            "ambiguous_reference",
            format!("several providers use the reference {reference}; send the event with the provider's token"),
        )),
    }
}

/// Ends the stay on `date` (the last night is the one before).
async fn close_stay(
    conn: &mut AnyConnection,
    ctx: &EventContext<'_>,
    stay: &Stay,
    date: NaiveDate,
) -> Result<(), StoreError> {
    Span::new(stay.check_in, Some(date)).map_err(|(code, message)| rejected("date", code, message))?;
    sqlx::query("UPDATE stays SET check_out = $1, version = version + 1, updated_at = $2 WHERE id = $3")
        .bind(date.format(DATE_FORMAT).to_string())
        .bind(now())
        .bind(stay.id)
        .execute(&mut *conn)
        .await?;
    if let Some(worker_id) = stay.worker_id {
        refresh_registration_flags(conn, worker_id, ctx.today).await?;
    }
    let after = serde_json::json!({ "check_out": date.to_string() });
    record(conn, ctx.actor, "stay", stay.id, "check_out", Some(&audit_json(stay)), Some(&after)).await
}

/// Checks the invariants for an open stay from `date` on `bed` and inserts it.
#[allow(clippy::too_many_arguments)]
async fn check_in(
    conn: &mut AnyConnection,
    ctx: &EventContext<'_>,
    norms: &Norms,
    bed: &BedRef,
    worker_id: i64,
    nationality: &str,
    date: NaiveDate,
    terms: &Terms,
) -> Result<i64, StoreError> {
    let span = Span { from: date, until: None };
    check_worker_free(conn, worker_id, span, None).await?;
    check_room(conn, norms, bed, span, None).await?;
    let certified =
        bed.operator_id.and_then(|op| norms.book.get(&op)).map(|spans| certified_on(spans, date)).unwrap_or_default();
    let wages = minimum_wages().map_err(decoding)?;
    let deduction = flexwonen_core::occupancy::Deduction {
        per_week: terms.deduction_per_week,
        rent_per_week: terms.rent_per_week,
        hours_per_week: terms.hours_per_week,
        written_authorisation: terms.written_authorisation,
        agricultural_cao: terms.agricultural_cao,
        location_certified: certified.snf || certified.akf,
    };
    let problems: Vec<&str> = deduction_problems(&deduction, &wages, date).iter().map(|(p, _)| p.as_str()).collect();
    let ts = now();
    let stay_id: i64 = sqlx::query_scalar(
        "INSERT INTO stays (location_id, bed_id, worker_id, provider_id, nationality, check_in, check_out,
                            separate_contract, contract_start, rent_per_week, notice_days, deduction_per_week,
                            written_authorisation, hours_per_week, agricultural_cao, deduction_problems,
                            unregistered_long, version, created_at, updated_at)
         SELECT $1, $2, $3, provider_id, $4, $5, NULL, $6, $7, $8, $9, $10, $11, $12, $13, $14, 0, 1, $15, $15
         FROM workers WHERE id = $3
         RETURNING id",
    )
    .bind(bed.location_id)
    .bind(bed.id)
    .bind(worker_id)
    .bind(nationality)
    .bind(date.format(DATE_FORMAT).to_string())
    .bind(terms.separate_contract as i64)
    .bind(terms.contract_start.format(DATE_FORMAT).to_string())
    .bind(terms.rent_per_week)
    .bind(terms.notice_days as i64)
    .bind(terms.deduction_per_week)
    .bind(terms.written_authorisation as i64)
    .bind(terms.hours_per_week)
    .bind(terms.agricultural_cao as i64)
    .bind(problems.join(","))
    .bind(&ts)
    .fetch_one(&mut *conn)
    .await?;
    refresh_registration_flags(conn, worker_id, ctx.today).await?;
    let stay = read_stays(conn, "s.id = ", stay_id).await?.pop().ok_or(StoreError::NotFound)?;
    record(conn, ctx.actor, "stay", stay_id, "check_in", None, Some(&audit_json(&stay))).await?;
    Ok(stay_id)
}

/// A worker sleeps in one bed at a time.
async fn check_worker_free(
    conn: &mut AnyConnection,
    worker_id: i64,
    span: Span,
    except: Option<i64>,
) -> Result<(), StoreError> {
    for other in spans_where(conn, "worker_id = ", worker_id, except).await? {
        if other.1.overlaps(&span) {
            return Err(rejected(
                "worker",
                "worker_already_housed",
                format!("the worker already has a stay from {}{}", other.1.from, until_text(other.1.until)),
            ));
        }
    }
    Ok(())
}

fn until_text(until: Option<NaiveDate>) -> String {
    until.map_or(" with no end".to_string(), |u| format!(" to {u}"))
}

/// The bed is in service and free for the whole span, and the location stays within the
/// capacity permitted on the first day.
async fn check_room(
    conn: &mut AnyConnection,
    norms: &Norms,
    bed: &BedRef,
    span: Span,
    except: Option<i64>,
) -> Result<(), StoreError> {
    if let Some(reason) = &bed.out_of_service {
        return Err(rejected("bed_id", "bed_out_of_service", format!("bed {} is out of service: {reason}", bed.id)));
    }
    if let Some((_, taken)) =
        spans_where(conn, "bed_id = ", bed.id, except).await?.into_iter().find(|s| s.1.overlaps(&span))
    {
        return Err(rejected(
            "bed_id",
            "bed_taken",
            format!("bed {} is taken from {}{}", bed.id, taken.from, until_text(taken.until)),
        ));
    }
    let location = locations::load(conn, bed.location_id).await?.ok_or(StoreError::NotFound)?;
    let municipality = MunicipalityCode::parse(&location.municipality_code).map_err(|(_, m)| decoding(m))?;
    let certified = location
        .operator_id
        .and_then(|op| norms.book.get(&op))
        .map(|spans| certified_on(spans, span.from))
        .unwrap_or_default();
    let (bedrooms, _) = capacity::bedrooms_of(&location);
    let facts = capacity::facts_of(&location, &bedrooms);
    let Some(permitted) = permitted_only(&norms.sets, &municipality, certified, &facts, span.from) else {
        return Ok(());
    };
    let others: Vec<Span> =
        spans_where(conn, "location_id = ", bed.location_id, except).await?.into_iter().map(|s| s.1).collect();
    let peak = peak_occupancy(&others, span);
    if peak + 1 > permitted as usize {
        return Err(rejected(
            "bed_id",
            "over_capacity",
            format!(
                "the norms permit {permitted} persons at this location on {}; {peak} are housed then already",
                span.from
            ),
        ));
    }
    Ok(())
}

/// The most stays among `others` on any night of `span`: the count can only rise on the
/// first night or on a night another stay begins.
pub(crate) fn peak_occupancy(others: &[Span], span: Span) -> usize {
    let mut days = vec![span.from];
    days.extend(others.iter().map(|s| s.from).filter(|d| span.covers(*d)));
    days.iter().map(|d| others.iter().filter(|s| s.covers(*d)).count()).max().unwrap_or(0)
}

async fn spans_where(
    conn: &mut AnyConnection,
    condition: &str,
    id: i64,
    except: Option<i64>,
) -> Result<Vec<(i64, Span)>, StoreError> {
    let mut sql = Sql::new("SELECT id, check_in, check_out FROM stays WHERE ");
    sql.push(condition).bind(id);
    if let Some(e) = except {
        sql.push(" AND id <> ").bind(e);
    }
    let rows = sql.query().fetch_all(&mut *conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, Span { from: date_col(r, "check_in")?, until: opt_date_col(r, "check_out")? })))
        .collect()
}

/// Recomputes the registration flag of every stay of this person: their records at every
/// provider that share the BSN hash, or this record alone.
pub(crate) async fn refresh_registration_flags(
    conn: &mut AnyConnection,
    worker_id: i64,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT w.id, w.registration, w.registered_on FROM workers w
         WHERE w.id = $1 OR (w.bsn_hash IS NOT NULL AND w.bsn_hash = (SELECT bsn_hash FROM workers WHERE id = $1))",
    )
    .bind(worker_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids = Vec::new();
    let mut brp_since: Option<NaiveDate> = None;
    for r in &rows {
        ids.push(r.try_get::<i64, _>("id")?);
        if parse_code(r, "registration", Registration::parse)? == Registration::Brp
            && let Some(d) = opt_date_col(r, "registered_on")?
        {
            brp_since = Some(brp_since.map_or(d, |b: NaiveDate| b.min(d)));
        }
    }
    let mut sql = Sql::new("SELECT id, check_in, check_out FROM stays WHERE worker_id IN ");
    sql.bind_list(ids.iter().copied());
    let stays: Vec<(i64, Span)> = sql
        .query()
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("id")?, Span { from: date_col(r, "check_in")?, until: opt_date_col(r, "check_out")? })))
        .collect::<Result<_, StoreError>>()?;
    let spans: Vec<Span> = stays.iter().map(|s| s.1).collect();
    let flagged = unregistered_too_long(&spans, brp_since, today);
    let stop = brp_since.unwrap_or(NaiveDate::MAX);
    for (value, group) in [(1i64, true), (0, false)] {
        let ids: Vec<i64> = stays.iter().filter(|s| (flagged && s.1.from < stop) == group).map(|s| s.0).collect();
        if ids.is_empty() {
            continue;
        }
        let mut sql = Sql::new("UPDATE stays SET unregistered_long = ");
        sql.bind(value).push(" WHERE unregistered_long <> ").bind(value).push(" AND id IN ").bind_list(ids);
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

const STAY_COLUMNS: &str = "s.id, s.location_id, s.bed_id, s.worker_id, w.reference, w.registration, s.nationality,
    s.check_in, s.check_out, s.separate_contract, s.contract_start, s.rent_per_week, s.notice_days,
    s.deduction_per_week, s.written_authorisation, s.hours_per_week, s.agricultural_cao, s.deduction_problems,
    s.unregistered_long, s.version";

async fn read_stays(conn: &mut AnyConnection, condition: &str, id: i64) -> Result<Vec<Stay>, StoreError> {
    let mut sql = Sql::new(condition);
    sql.bind(id);
    read_stays_where(conn, &sql).await
}

pub(crate) async fn read_stays_where(conn: &mut AnyConnection, condition: &Sql) -> Result<Vec<Stay>, StoreError> {
    let sql = condition
        .prefixed(&format!("SELECT {STAY_COLUMNS} FROM stays s LEFT JOIN workers w ON w.id = s.worker_id WHERE "));
    let mut sql = sql;
    sql.push(" ORDER BY s.check_in, s.id");
    sql.query().fetch_all(&mut *conn).await?.iter().map(stay_from_row).collect()
}

fn stay_from_row(r: &AnyRow) -> Result<Stay, StoreError> {
    let flag = |col: &str| -> Result<bool, StoreError> { Ok(r.try_get::<i64, _>(col)? != 0) };
    let problems: String = r.try_get("deduction_problems")?;
    let registration: Option<String> = r.try_get("registration")?;
    Ok(Stay {
        id: r.try_get("id")?,
        location_id: r.try_get("location_id")?,
        bed_id: r.try_get("bed_id")?,
        worker_id: r.try_get("worker_id")?,
        worker_reference: r.try_get("reference")?,
        registration: registration
            .map(|s| Registration::parse(&s).ok_or_else(|| decoding(format!("unknown registration '{s}'"))))
            .transpose()?,
        nationality: r.try_get("nationality")?,
        check_in: date_col(r, "check_in")?,
        check_out: opt_date_col(r, "check_out")?,
        terms: Terms {
            separate_contract: flag("separate_contract")?,
            contract_start: date_col(r, "contract_start")?,
            rent_per_week: r.try_get("rent_per_week")?,
            notice_days: u32::try_from(r.try_get::<i64, _>("notice_days")?).map_err(|e| decoding(e.to_string()))?,
            deduction_per_week: r.try_get("deduction_per_week")?,
            written_authorisation: flag("written_authorisation")?,
            hours_per_week: r.try_get("hours_per_week")?,
            agricultural_cao: flag("agricultural_cao")?,
        },
        deduction_problems: problems
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| DeductionProblem::parse(s).ok_or_else(|| decoding(format!("unknown deduction problem '{s}'"))))
            .collect::<Result<_, _>>()?,
        unregistered_long: flag("unregistered_long")?,
        version: r.try_get("version")?,
    })
}

/// What the audit log keeps of a stay: no worker reference, so a purge leaves nothing
/// that points at the person.
fn audit_json(s: &Stay) -> serde_json::Value {
    serde_json::json!({
        "location_id": s.location_id,
        "bed_id": s.bed_id,
        "worker_id": s.worker_id,
        "check_in": s.check_in.to_string(),
        "check_out": s.check_out.map(|d| d.to_string()),
        "terms": s.terms,
    })
}

/// A location's beds on one day.
#[derive(Debug, Clone, Serialize)]
pub struct BedBoard {
    pub location_id: i64,
    pub date: NaiveDate,
    pub beds: Vec<BoardBed>,
}

impl BedBoard {
    pub fn count(&self, state: BedState) -> usize {
        self.beds.iter().filter(|b| b.state == state).count()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BoardBed {
    pub bed_id: i64,
    pub room: String,
    pub label: String,
    pub state: BedState,
    pub out_of_service_reason: Option<String>,
    /// The stay that occupies the bed on the day, or the next one booked; only for roles that
    /// may see workers (the read is logged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stay: Option<Stay>,
}

impl Store {
    /// The bed board of a location on `date`. With a `reader`, each bed carries its stay
    /// (pseudonymous worker data) and the read is logged; without, states only.
    pub async fn bed_board(
        &self,
        location: &crate::Location,
        date: NaiveDate,
        reader: Option<&Actor>,
    ) -> Result<BedBoard, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let mut sql = Sql::new("s.location_id = ");
        sql.bind(location.id).push(" AND (s.check_out IS NULL OR s.check_out > ");
        sql.bind(date.format(DATE_FORMAT).to_string()).push(")");
        let stays = read_stays_where(&mut conn, &sql).await?;
        let mut beds = Vec::new();
        for room in &location.rooms {
            for bed in &room.beds {
                let mine = stays.iter().filter(|s| s.bed_id == bed.id);
                let current = mine.clone().find(|s| Span { from: s.check_in, until: s.check_out }.covers(date));
                let next = mine.clone().filter(|s| s.check_in > date).min_by_key(|s| s.check_in);
                let state = match (&bed.out_of_service_reason, current, next) {
                    (Some(_), None, _) => BedState::OutOfService,
                    (_, Some(_), _) => BedState::Occupied,
                    (None, None, Some(_)) => BedState::Reserved,
                    (None, None, None) => BedState::Free,
                };
                beds.push(BoardBed {
                    bed_id: bed.id,
                    room: room.name.clone(),
                    label: bed.label.clone(),
                    state,
                    out_of_service_reason: bed.out_of_service_reason.clone(),
                    stay: reader.and(current.or(next)).cloned(),
                });
            }
        }
        if let Some(actor) = reader {
            let shown = beds.iter().filter(|b| b.stay.as_ref().is_some_and(|s| s.worker_id.is_some())).count();
            log_read(&mut conn, actor, "bed_board", location.id, shown).await?;
        }
        Ok(BedBoard { location_id: location.id, date, beds })
    }

    /// The reads of worker-level data, newest first: who, when, what.
    pub async fn worker_reads(&self, limit: i64) -> Result<Vec<WorkerRead>, StoreError> {
        let rows =
            sqlx::query("SELECT at, actor, what, subject_id, records FROM worker_reads ORDER BY id DESC LIMIT $1")
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(WorkerRead {
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    what: r.try_get("what")?,
                    subject_id: r.try_get("subject_id")?,
                    records: r.try_get("records")?,
                })
            })
            .collect()
    }
}

/// One logged read of worker-level data.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerRead {
    pub at: String,
    pub actor: String,
    pub what: String,
    pub subject_id: Option<i64>,
    pub records: i64,
}

/// Logs a read of worker-level data: who, when, what (even when nothing was there to see).
pub(crate) async fn log_read(
    conn: &mut AnyConnection,
    actor: &Actor,
    what: &str,
    subject_id: i64,
    records: usize,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO worker_reads (at, account_id, actor, what, subject_id, records) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(now())
    .bind(actor.account_id)
    .bind(&actor.name)
    .bind(what)
    .bind(subject_id)
    .bind(records as i64)
    .execute(conn)
    .await?;
    Ok(())
}
