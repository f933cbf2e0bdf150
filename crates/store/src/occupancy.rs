//! Occupancy: workers (pseudonymous), their stays on beds, and the events that change them.
//!
//! The invariants hold in the database transaction, whoever calls: a bed holds at most one
//! person on any night, a bed out of service takes no one, a worker sleeps in one bed, and
//! a check-in may not take a location above the capacity the norms permit on the check-in
//! date. Every check-in first locks its location row (`SELECT … FOR UPDATE` on PostgreSQL;
//! SQLite's write transactions already run one at a time), so two
//! clients racing for one bed are served one after the other and the second sees the
//! first's stay. A check-out only shortens a stay and needs no lock: it updates the version
//! it read. A partial unique index (one open stay per bed) is the database's own last guard.
//!
//! Statements are few on purpose (each is a round trip, and on SQLite the write lock is held
//! across them all): what the checks need is read in one statement and checked in Rust.

use crate::audit::{Actor, record};
use crate::capacity::{self, FACTS_TEXT};
use crate::sql::{DATE_FORMAT, Sql, date_col, decoding, opt_date_col, parse_code};
use crate::{Store, StoreError, now};
use chrono::NaiveDate;
use flexwonen_core::access::LocationScope;
use flexwonen_core::capacity::permitted_only;
use flexwonen_core::certificates::certified_on;
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::norms::RuleSet;
use flexwonen_core::occupancy::{
    BedState, DeductionProblem, MinimumWage, Span, deduction_problems, minimum_wages, unregistered_too_long,
};
use flexwonen_core::occupancy_events::{Event, EventDraft, Registration, Terms, WorkerDraft};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::sync::{Arc, OnceLock};

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
    /// The register generation the caller read (with its session or token), if any: the
    /// cached norms and certificates of that generation need no query.
    pub generation: Option<i64>,
}

/// The norms and certificates of one register generation, read before the transaction
/// starts: the transaction's own connection does all its reading, so a full pool cannot
/// stall it. The transaction checks the generation again, under its lock.
pub(crate) struct Norms {
    pub(crate) generation: i64,
    sets: Arc<Vec<RuleSet>>,
    book: Arc<crate::CertificateBook>,
}

impl Norms {
    /// What the norms permit at a location with these facts on `date`, if any norm sets it.
    pub(crate) fn permitted(
        &self,
        municipality: &MunicipalityCode,
        certified: flexwonen_core::capacity::Certified,
        facts: &flexwonen_core::capacity::Facts<'_>,
        date: NaiveDate,
    ) -> Option<u32> {
        permitted_only(&self.sets, municipality, certified, facts, date)
    }

    pub(crate) fn certified(&self, operator: Option<i64>, date: NaiveDate) -> flexwonen_core::capacity::Certified {
        operator.and_then(|op| self.book.get(&op)).map(|spans| certified_on(spans, date)).unwrap_or_default()
    }
}

/// An attempt given up before anything was written, to be tried again: the norms changed
/// after they were read, or a stay changed under a check-out.
pub(crate) struct Stale;

pub(crate) type Attempt<T> = Result<Result<T, Stale>, StoreError>;

fn rejected(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::invalid(field, code, message)
}

/// The shipped minimum-wage amounts, parsed once.
fn wages() -> Result<&'static [MinimumWage], StoreError> {
    static WAGES: OnceLock<Result<Vec<MinimumWage>, String>> = OnceLock::new();
    WAGES.get_or_init(minimum_wages).as_deref().map_err(|e| decoding(e.clone()))
}

impl Store {
    /// Applies one event in its own transaction: whole, or (when refused) nothing at all.
    /// An event this sender sent before is a duplicate and changes nothing.
    pub async fn apply_event(&self, ctx: &EventContext<'_>, draft: &EventDraft) -> Result<Applied, StoreError> {
        let mut generation = match ctx.generation {
            Some(g) => g,
            None => self.generation().await?,
        };
        for _ in 0..5 {
            let norms = self.norms_at(generation).await?;
            match self.try_event(ctx, draft, &norms).await {
                Ok(Ok(applied)) => return Ok(applied),
                Ok(Err(Stale)) => generation = self.generation().await?,
                // Refused, unless it was applied before: a re-sent check-in finds its own stay.
                Err(StoreError::Invalid(errors)) => {
                    return match self.sent_before(ctx.sender, &draft.id).await? {
                        Some(stay_id) => Ok(Applied::Duplicate { stay_id }),
                        None => Err(StoreError::Invalid(errors)),
                    };
                }
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::Conflict { current: generation })
    }

    pub(crate) async fn norms_at(&self, generation: i64) -> Result<Norms, StoreError> {
        Ok(Norms {
            generation,
            sets: self.rule_sets_at(generation).await?,
            book: self.certificate_book_at(generation).await?,
        })
    }

    /// The stay an event of this sender created or ended, if the event was applied before.
    pub(crate) async fn sent_before(&self, sender: &str, event_id: &str) -> Result<Option<Option<i64>>, StoreError> {
        Ok(sqlx::query_scalar("SELECT stay_id FROM occupancy_events WHERE sender = $1 AND event_id = $2")
            .bind(sender)
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn try_event(&self, ctx: &EventContext<'_>, draft: &EventDraft, norms: &Norms) -> Attempt<Applied> {
        let mut tx = self.begin_write().await?;
        let stay_id = match &draft.event {
            Event::CheckIn { bed_id, date, worker, terms } => {
                match check_in_within(&mut tx, ctx, norms, *bed_id, *date, worker, terms, |_| Ok(())).await? {
                    Ok((stay_id, _)) => stay_id,
                    Err(Stale) => return Ok(Err(Stale)),
                }
            }
            Event::CheckOut { reference, date } => {
                let stay = current_stay(&mut tx, ctx.scope, reference, *date).await?;
                if !close_stay(&mut tx, ctx, &stay, *date).await? {
                    return Ok(Err(Stale));
                }
                stay.stay.id
            }
            Event::Transfer { reference, bed_id, date, terms } => {
                let stay = current_stay(&mut tx, ctx.scope, reference, *date).await?;
                if *bed_id == stay.stay.bed_id {
                    return Err(rejected("bed_id", "same_bed", "the worker already sleeps in this bed"));
                }
                let location = lock_move(&mut tx, ctx.scope, stay.stay.location_id, *bed_id, *date).await?;
                if location.generation != norms.generation || !close_stay(&mut tx, ctx, &stay, *date).await? {
                    return Ok(Err(Stale));
                }
                let worker_id = stay.stay.worker_id.ok_or_else(|| decoding("an open stay without its worker"))?;
                let worker_row = worker_row(&mut tx, worker_id).await?;
                let terms = terms.unwrap_or(Terms { contract_start: *date, ..stay.stay.terms });
                let arrival = Arrival { date: *date, nationality: &stay.stay.nationality, terms: &terms };
                // The old stay, if at this location, ends on the day: it no longer counts.
                let mut location = location;
                for s in location.stays.iter_mut().filter(|s| s.id == stay.stay.id) {
                    s.span.until = Some(*date);
                }
                check_in(&mut tx, ctx, norms, &location, &worker_row, &arrival).await?
            }
        };
        if !record_event(&mut tx, ctx.sender, &draft.id, stay_id).await? {
            // Sent before (or by a parallel request just now): undo, answer as a duplicate.
            tx.rollback().await?;
            let stay_id = self.sent_before(ctx.sender, &draft.id).await?.flatten();
            return Ok(Ok(Applied::Duplicate { stay_id }));
        }
        tx.commit().await?;
        Ok(Ok(Applied::Applied { stay_id }))
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
        let generation = self.generation().await?;
        let norms = Norms {
            generation,
            sets: self.rule_sets_at(generation).await?,
            book: self.certificate_book_at(generation).await?,
        };
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
        let location = lock_move(&mut tx, scope, before.location_id, correction.bed_id, span.from).await?;
        check_bed_and_capacity(&norms, &location, span, Some(id))?;
        if let Some(worker_id) = before.worker_id {
            let worker = worker_row(&mut tx, worker_id).await?;
            check_worker_free(&worker.stays, span, Some(id))?;
        }
        let done = sqlx::query(
            "UPDATE stays SET bed_id = $1, location_id = $2, check_in = $3, check_out = $4, version = version + 1,
                    updated_at = $5
             WHERE id = $6 AND version = $7",
        )
        .bind(correction.bed_id)
        .bind(location.id)
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
        tx.commit().await?;
        Ok(after)
    }

    /// The occupancy generation: moves with every change to stays.
    pub async fn occupancy_generation(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(OCCUPANCY_GENERATION).fetch_one(&self.pool).await?)
    }
}

/// A stay as the invariants need it, read in bulk as text (`id,bed,worker,in,out,flag`).
#[derive(Debug, Clone, Copy)]
struct StayRow {
    id: i64,
    bed_id: i64,
    span: Span,
    flagged: bool,
}

/// One text per stay, `;`-separated by `string_agg`: one value instead of six per row.
const STAY_ROW_TEXT: &str = "CAST(s.id AS TEXT) || ',' || CAST(s.bed_id AS TEXT) || ',' || s.check_in || ','
    || COALESCE(s.check_out, '') || ',' || CAST(s.unregistered_long AS TEXT)";

fn parse_stay_rows(text: Option<String>) -> Result<Vec<StayRow>, StoreError> {
    let Some(text) = text else { return Ok(Vec::new()) };
    text.split(';')
        .filter(|t| !t.is_empty())
        .map(|t| {
            let bad = || decoding(format!("stay row '{t}'"));
            let f: Vec<&str> = t.split(',').collect();
            let [id, bed, from, until, flag] = f[..] else { return Err(bad()) };
            let date = |s: &str| NaiveDate::parse_from_str(s, DATE_FORMAT).map_err(|_| bad());
            Ok(StayRow {
                id: id.parse().map_err(|_| bad())?,
                bed_id: bed.parse().map_err(|_| bad())?,
                span: Span { from: date(from)?, until: if until.is_empty() { None } else { Some(date(until)?) } },
                flagged: flag == "1",
            })
        })
        .collect()
}

/// A location locked for an event, with what its checks need, all read by the locking
/// statement itself.
struct Locked {
    id: i64,
    municipality: MunicipalityCode,
    operator_id: Option<i64>,
    facts: String,
    bed_id: i64,
    out_of_service: Option<String>,
    generation: i64,
    /// The location's stays that run on or after the day asked about.
    stays: Vec<StayRow>,
}

/// Locks the location of `bed_id` (serialising every event there: a row lock on
/// PostgreSQL; SQLite's write transactions already run one at a time), then reads its facts
/// for the norms, the bed, the register generation and its stays from `from` on. The read is
/// a statement of its own: on PostgreSQL a statement sees the data as it was when it began,
/// so reading in the locking statement would miss what the lock's previous holder wrote. A
/// bed out of scope is "unknown": its existence is not revealed.
async fn lock_bed(
    conn: &mut AnyConnection,
    scope: &LocationScope,
    bed_id: i64,
    from: NaiveDate,
) -> Result<Locked, StoreError> {
    let unknown = || rejected("bed_id", "unknown_bed", format!("there is no bed {bed_id} at your locations"));
    if !runs_alone(conn) {
        sqlx::query("SELECT id FROM locations WHERE id = (SELECT location_id FROM beds WHERE id = $1) FOR UPDATE")
            .bind(bed_id)
            .fetch_optional(&mut *conn)
            .await?;
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, municipality_code, operator_id, {FACTS_TEXT} AS facts,
             (SELECT out_of_service_reason FROM beds WHERE id = $1) AS out_of_service,
             (SELECT generation FROM register_generation WHERE id = 1) AS generation,
             (SELECT string_agg({STAY_ROW_TEXT}, ';') FROM stays s
              WHERE s.location_id = locations.id AND (s.check_out IS NULL OR s.check_out > $2)) AS stays
         FROM locations WHERE id = (SELECT location_id FROM beds WHERE id = $1)"
    )))
    .bind(bed_id)
    .bind(from.format(DATE_FORMAT).to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Err(unknown()) };
    let municipality =
        MunicipalityCode::parse(&row.try_get::<String, _>("municipality_code")?).map_err(|(_, m)| decoding(m))?;
    let operator_id: Option<i64> = row.try_get("operator_id")?;
    if !scope.allows(&municipality, operator_id) {
        return Err(unknown());
    }
    Ok(Locked {
        id: row.try_get("id")?,
        municipality,
        operator_id,
        facts: row.try_get("facts")?,
        bed_id,
        out_of_service: row.try_get("out_of_service")?,
        generation: row.try_get("generation")?,
        stays: parse_stay_rows(row.try_get("stays")?)?,
    })
}

/// Locks the location a stay leaves and that of the bed it moves to (`lock_bed`), the lower
/// id first, so two moves in opposite directions cannot wait for each other.
async fn lock_move(
    conn: &mut AnyConnection,
    scope: &LocationScope,
    from: i64,
    bed_id: i64,
    date: NaiveDate,
) -> Result<Locked, StoreError> {
    let to: Option<i64> = sqlx::query_scalar("SELECT location_id FROM beds WHERE id = $1")
        .bind(bed_id)
        .fetch_optional(&mut *conn)
        .await?;
    if to.is_some_and(|to| from < to) {
        lock_location(conn, from).await?;
    }
    let location = lock_bed(conn, scope, bed_id, date).await?;
    if from > location.id {
        lock_location(conn, from).await?;
    }
    Ok(location)
}

/// Does this connection's write transaction already run alone? SQLite's do (`BEGIN
/// IMMEDIATE`), so a row lock would only cost a statement; SQLite also knows no `FOR
/// UPDATE`, the lock the other databases take without writing a new row version.
pub(crate) fn runs_alone(conn: &AnyConnection) -> bool {
    conn.backend_name().eq_ignore_ascii_case("sqlite")
}

async fn lock_location(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    if runs_alone(conn) {
        return Ok(());
    }
    sqlx::query("SELECT id FROM locations WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(&mut *conn).await?;
    Ok(())
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

/// The occupancy generation: the sum of its 16 counters (see the migration).
pub(crate) const OCCUPANCY_GENERATION: &str = "SELECT CAST(SUM(generation) AS BIGINT) FROM occupancy_generation";

/// Moves the occupancy generation by hand. Changes to `stays` move it through triggers; a
/// purge reaches `stays` only through a foreign key's `SET NULL`, which is not sure to fire
/// them on every database, so bulk work calls this as well.
pub(crate) async fn bump(conn: &mut AnyConnection) -> Result<(), StoreError> {
    sqlx::query("UPDATE occupancy_generation SET generation = generation + 1 WHERE id = 0").execute(conn).await?;
    Ok(())
}

/// A worker record with what the checks and the registration rule need.
struct WorkerRow {
    id: i64,
    provider_id: i64,
    /// With a BSN hash the person may have records at other providers too.
    bsn_hash: Option<String>,
    brp_since: Option<NaiveDate>,
    /// Every stay of this record.
    stays: Vec<StayRow>,
}

const WORKER_RETURNING: &str = "id, provider_id, bsn_hash, registration, registered_on,
    (SELECT string_agg({STAY_ROW_TEXT}, ';') FROM stays s WHERE s.worker_id = workers.id) AS stays";

fn worker_columns() -> String {
    WORKER_RETURNING.replace("{STAY_ROW_TEXT}", STAY_ROW_TEXT)
}

fn worker_from_row(r: &AnyRow) -> Result<WorkerRow, StoreError> {
    let brp = parse_code(r, "registration", Registration::parse)? == Registration::Brp;
    Ok(WorkerRow {
        id: r.try_get("id")?,
        provider_id: r.try_get("provider_id")?,
        bsn_hash: r.try_get("bsn_hash")?,
        brp_since: if brp { opt_date_col(r, "registered_on")? } else { None },
        stays: parse_stay_rows(r.try_get("stays")?)?,
    })
}

async fn worker_row(conn: &mut AnyConnection, id: i64) -> Result<WorkerRow, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {} FROM workers WHERE id = $1", worker_columns())))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    worker_from_row(&row)
}

/// Creates the worker or brings their record up to date. The provider is the location's
/// operator: references are the provider's own.
async fn upsert_worker(
    conn: &mut AnyConnection,
    ctx: &EventContext<'_>,
    operator_id: Option<i64>,
    w: &WorkerDraft,
) -> Result<WorkerRow, StoreError> {
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
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO workers (provider_id, reference, nationality, employer_id, registration, brp_municipality,
                              registered_on, bsn_hash, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9)
         ON CONFLICT (provider_id, reference) DO UPDATE SET
             nationality = excluded.nationality, employer_id = excluded.employer_id,
             registration = excluded.registration, brp_municipality = excluded.brp_municipality,
             registered_on = excluded.registered_on, bsn_hash = COALESCE(excluded.bsn_hash, workers.bsn_hash),
             version = workers.version + 1, updated_at = excluded.updated_at
         RETURNING {}",
        worker_columns()
    )))
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
    worker_from_row(&row)
}

/// A running stay with its location's owner and its worker's record.
struct CurrentStay {
    stay: Stay,
    worker: Option<WorkerRow>,
}

/// The stay of the worker with this reference that a check-out or transfer on `date` ends:
/// begun before `date` and not ended before it, at a location in scope.
async fn current_stay(
    conn: &mut AnyConnection,
    scope: &LocationScope,
    reference: &str,
    date: NaiveDate,
) -> Result<CurrentStay, StoreError> {
    let day = date.format(DATE_FORMAT).to_string();
    let sql = format!(
        "SELECT {STAY_COLUMNS}, l.municipality_code AS location_municipality, l.operator_id AS location_operator,
                w.provider_id, w.bsn_hash, w.registered_on,
                (SELECT string_agg({STAY_ROW_TEXT}, ';') FROM stays s WHERE s.worker_id = w.id) AS stays
         FROM stays s JOIN workers w ON w.id = s.worker_id JOIN locations l ON l.id = s.location_id
         WHERE w.reference = $1 AND s.check_in < $2 AND (s.check_out IS NULL OR s.check_out >= $2)"
    )
    .replace("{STAY_ROW_TEXT}", STAY_ROW_TEXT);
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(reference).bind(day).fetch_all(&mut *conn).await?;
    let mut found = Vec::new();
    for r in &rows {
        let municipality =
            MunicipalityCode::parse(&r.try_get::<String, _>("location_municipality")?).map_err(|(_, m)| decoding(m))?;
        if scope.allows(&municipality, r.try_get("location_operator")?) {
            let stay = stay_from_row(r)?;
            let worker = match stay.worker_id {
                Some(id) => Some(WorkerRow {
                    id,
                    provider_id: r.try_get("provider_id")?,
                    bsn_hash: r.try_get("bsn_hash")?,
                    brp_since: if stay.registration == Some(Registration::Brp) {
                        opt_date_col(r, "registered_on")?
                    } else {
                        None
                    },
                    stays: parse_stay_rows(r.try_get("stays")?)?,
                }),
                None => None,
            };
            found.push(CurrentStay { stay, worker });
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

/// Ends the stay on `date` (the last night is the one before). False when the stay
/// changed since it was read: the caller tries again.
async fn close_stay(
    conn: &mut AnyConnection,
    ctx: &EventContext<'_>,
    current: &CurrentStay,
    date: NaiveDate,
) -> Result<bool, StoreError> {
    let stay = &current.stay;
    Span::new(stay.check_in, Some(date)).map_err(|(code, message)| rejected("date", code, message))?;
    let done = sqlx::query(
        "UPDATE stays SET check_out = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
    )
    .bind(date.format(DATE_FORMAT).to_string())
    .bind(now())
    .bind(stay.id)
    .bind(stay.version)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    if let Some(worker) = &current.worker {
        let mut stays = worker.stays.clone();
        for s in stays.iter_mut().filter(|s| s.id == stay.id) {
            s.span.until = Some(date);
        }
        update_flags(conn, worker, &stays, ctx.today).await?;
    }
    let after = serde_json::json!({ "check_out": date.to_string() });
    record(conn, ctx.actor, "stay", stay.id, "check_out", Some(&audit_json(stay)), Some(&after)).await?;
    Ok(true)
}

/// What a check-in brings: the day, the nationality (kept on the stay) and the terms.
struct Arrival<'a> {
    date: NaiveDate,
    nationality: &'a str,
    terms: &'a Terms,
}

/// Checks the invariants for an open stay from the arrival day on the locked location's
/// bed, and inserts it with its audit entry.
/// Records that this sender's event was applied, with the stay it made or ended; `false`
/// when it was recorded before (a re-send, or a parallel request just now): the caller then
/// undoes its transaction.
pub(crate) async fn record_event(
    conn: &mut AnyConnection,
    sender: &str,
    event_id: &str,
    stay_id: i64,
) -> Result<bool, StoreError> {
    let recorded: Option<String> = sqlx::query_scalar(
        "INSERT INTO occupancy_events (sender, event_id, stay_id, received_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sender, event_id) DO NOTHING RETURNING sender",
    )
    .bind(sender)
    .bind(event_id)
    .bind(stay_id)
    .bind(now())
    .fetch_optional(conn)
    .await?;
    Ok(recorded.is_some())
}

/// A check-in inside the caller's transaction (an event's, or an enforcement case's
/// relocation): the bed's location locked and read, `accept` asked about it (for the
/// caller's own conditions), then every occupancy check and the stay. Returns the stay and
/// its location.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn check_in_within(
    conn: &mut AnyConnection,
    ctx: &EventContext<'_>,
    norms: &Norms,
    bed_id: i64,
    date: NaiveDate,
    worker: &WorkerDraft,
    terms: &Terms,
    accept: impl FnOnce(&CheckInPlace) -> Result<(), StoreError>,
) -> Attempt<(i64, i64)> {
    let location = lock_bed(conn, ctx.scope, bed_id, date).await?;
    if location.generation != norms.generation {
        return Ok(Err(Stale));
    }
    accept(&CheckInPlace { operator_id: location.operator_id })?;
    let worker_row = upsert_worker(conn, ctx, location.operator_id, worker).await?;
    let arrival = Arrival { date, nationality: &worker.nationality, terms };
    let stay_id = check_in(conn, ctx, norms, &location, &worker_row, &arrival).await?;
    Ok(Ok((stay_id, location.id)))
}

/// What a caller of [`check_in_within`] may check of the place before the check-in.
pub(crate) struct CheckInPlace {
    pub operator_id: Option<i64>,
}

async fn check_in(
    conn: &mut AnyConnection,
    ctx: &EventContext<'_>,
    norms: &Norms,
    location: &Locked,
    worker: &WorkerRow,
    arrival: &Arrival<'_>,
) -> Result<i64, StoreError> {
    let span = Span { from: arrival.date, until: None };
    check_worker_free(&worker.stays, span, None)?;
    check_bed_and_capacity(norms, location, span, None)?;
    let certified = norms.certified(location.operator_id, arrival.date);
    let terms = arrival.terms;
    let deduction = flexwonen_core::occupancy::Deduction {
        per_week: terms.deduction_per_week,
        rent_per_week: terms.rent_per_week,
        hours_per_week: terms.hours_per_week,
        written_authorisation: terms.written_authorisation,
        agricultural_cao: terms.agricultural_cao,
        location_certified: certified.snf || certified.akf,
    };
    let problems: Vec<&str> =
        deduction_problems(&deduction, wages()?, arrival.date).iter().map(|(p, _)| p.as_str()).collect();
    // The registration flag of the new stay, from this record's stays; with a BSN the
    // person's records elsewhere count too, and are read after the insert.
    let mut with_new = worker.stays.clone();
    with_new.push(StayRow { id: 0, bed_id: location.bed_id, span, flagged: false });
    let flags = registration_flags(&with_new, worker.brp_since, ctx.today);
    let new_flag = worker.bsn_hash.is_none() && flags.last().copied().unwrap_or(false);
    let stay_id: i64 = sqlx::query_scalar(
        "INSERT INTO stays (location_id, bed_id, worker_id, provider_id, nationality, check_in, check_out,
                            separate_contract, contract_start, rent_per_week, notice_days, deduction_per_week,
                            written_authorisation, hours_per_week, agricultural_cao, deduction_problems,
                            unregistered_long, version, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, 1, $17, $17)
         RETURNING id",
    )
    .bind(location.id)
    .bind(location.bed_id)
    .bind(worker.id)
    .bind(worker.provider_id)
    .bind(arrival.nationality)
    .bind(arrival.date.format(DATE_FORMAT).to_string())
    .bind(terms.separate_contract as i64)
    .bind(terms.contract_start.format(DATE_FORMAT).to_string())
    .bind(terms.rent_per_week)
    .bind(terms.notice_days as i64)
    .bind(terms.deduction_per_week)
    .bind(terms.written_authorisation as i64)
    .bind(terms.hours_per_week)
    .bind(terms.agricultural_cao as i64)
    .bind(problems.join(","))
    .bind(new_flag as i64)
    .bind(now())
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| match &e {
        // The database's own guard: reached only if the checks above were bypassed.
        sqlx::Error::Database(d) if d.message().contains("stays_one_open_per_bed") || d.is_unique_violation() => {
            rejected("bed_id", "bed_taken", format!("bed {} is taken", location.bed_id))
        }
        _ => StoreError::Database(e),
    })?;
    if worker.bsn_hash.is_some() {
        refresh_registration_flags(conn, worker.id, ctx.today).await?;
    } else {
        update_flags(conn, worker, &worker.stays, ctx.today).await?;
    }
    let after = serde_json::json!({
        "location_id": location.id,
        "bed_id": location.bed_id,
        "worker_id": worker.id,
        "check_in": arrival.date.to_string(),
        "terms": terms,
        "deduction_problems": problems,
    });
    record(conn, ctx.actor, "stay", stay_id, "check_in", None, Some(&after)).await?;
    Ok(stay_id)
}

/// A worker sleeps in one bed at a time.
fn check_worker_free(stays: &[StayRow], span: Span, except: Option<i64>) -> Result<(), StoreError> {
    match stays.iter().find(|s| Some(s.id) != except && s.span.overlaps(&span)) {
        Some(other) => Err(rejected(
            "worker",
            "worker_already_housed",
            format!("the worker already has a stay from {}{}", other.span.from, until_text(other.span.until)),
        )),
        None => Ok(()),
    }
}

fn until_text(until: Option<NaiveDate>) -> String {
    until.map_or(" with no end".to_string(), |u| format!(" to {u}"))
}

/// The bed is in service and free for the whole span, and the location stays within the
/// capacity the norms permit on the first day.
fn check_bed_and_capacity(norms: &Norms, location: &Locked, span: Span, except: Option<i64>) -> Result<(), StoreError> {
    if let Some(reason) = &location.out_of_service {
        return Err(rejected(
            "bed_id",
            "bed_out_of_service",
            format!("bed {} is out of service: {reason}", location.bed_id),
        ));
    }
    let others: Vec<&StayRow> = location.stays.iter().filter(|s| Some(s.id) != except).collect();
    if let Some(taken) = others.iter().find(|s| s.bed_id == location.bed_id && s.span.overlaps(&span)) {
        return Err(rejected(
            "bed_id",
            "bed_taken",
            format!("bed {} is taken from {}{}", location.bed_id, taken.span.from, until_text(taken.span.until)),
        ));
    }
    let mut bedrooms = Vec::new();
    let (facts, operator) = capacity::parse_facts(&location.facts, &mut bedrooms)?;
    let certified = norms.certified(operator, span.from);
    let Some(permitted) = permitted_only(&norms.sets, &location.municipality, certified, &facts, span.from) else {
        return Ok(());
    };
    let spans: Vec<Span> = others.iter().map(|s| s.span).collect();
    let peak = peak_occupancy(&spans, span);
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

/// The registration flag of each stay (in order): the person was housed more than 4
/// months within 6 while not in the BRP, and this stay began before their registration.
fn registration_flags(stays: &[StayRow], brp_since: Option<NaiveDate>, today: NaiveDate) -> Vec<bool> {
    let spans: Vec<Span> = stays.iter().map(|s| s.span).collect();
    let flagged = unregistered_too_long(&spans, brp_since, today);
    let stop = brp_since.unwrap_or(NaiveDate::MAX);
    stays.iter().map(|s| flagged && s.span.from < stop).collect()
}

/// Writes the flags of these stays where they changed (rarely more than none).
async fn update_flags(
    conn: &mut AnyConnection,
    worker: &WorkerRow,
    stays: &[StayRow],
    today: NaiveDate,
) -> Result<(), StoreError> {
    if worker.bsn_hash.is_some() {
        return refresh_registration_flags(conn, worker.id, today).await;
    }
    let flags = registration_flags(stays, worker.brp_since, today);
    set_flags(conn, stays.iter().zip(flags).filter(|(s, f)| s.flagged != *f).map(|(s, f)| (s.id, f))).await
}

async fn set_flags(conn: &mut AnyConnection, changes: impl Iterator<Item = (i64, bool)>) -> Result<(), StoreError> {
    let (mut on, mut off) = (Vec::new(), Vec::new());
    for (id, flag) in changes {
        if flag { on.push(id) } else { off.push(id) }
    }
    for (value, ids) in [(1i64, on), (0, off)] {
        if ids.is_empty() {
            continue;
        }
        let mut sql = Sql::new("UPDATE stays SET unregistered_long = ");
        sql.bind(value).push(" WHERE id IN ").bind_list(ids);
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Recomputes the registration flag of every stay of this person: their records at every
/// provider that share the BSN hash, or this record alone.
pub(crate) async fn refresh_registration_flags(
    conn: &mut AnyConnection,
    worker_id: i64,
    today: NaiveDate,
) -> Result<(), StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM workers
         WHERE id = $1 OR (bsn_hash IS NOT NULL AND bsn_hash = (SELECT bsn_hash FROM workers WHERE id = $1))",
        worker_columns()
    )))
    .bind(worker_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut stays = Vec::new();
    let mut brp_since: Option<NaiveDate> = None;
    for r in &rows {
        let w = worker_from_row(r)?;
        brp_since = match (brp_since, w.brp_since) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        stays.extend(w.stays);
    }
    let flags = registration_flags(&stays, brp_since, today);
    set_flags(conn, stays.iter().zip(flags).filter(|(s, f)| s.flagged != *f).map(|(s, f)| (s.id, f))).await
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

    /// One single-row insert (a row of the read log) and nothing else: the benchmark's
    /// ceiling, what a request that writes can cost at the least on this database.
    pub async fn single_row_insert(&self, actor: &Actor) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        log_read(&mut conn, actor, "benchmark", 0, 0).await
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
