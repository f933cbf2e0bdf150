//! Enforcement cases and the bed-for-bed ledger (issue 7). A case keeps the workflow version
//! it opened under; every step is checked against it (`core::enforcement`), dated, assigned
//! and audited in one transaction with the case row, which carries the next step and its
//! deadline for the overview. The ledger is one row per bed or person found; a relocation
//! is a check-in (issue 4) in the same transaction as its ledger row, so a person is never
//! counted as relocated without a bed, nor housed without being counted.

use crate::audit::{Actor, record};
use crate::occupancy::{EventContext, Stale, check_in_within, record_event, runs_alone};
use crate::sql::{DATE_FORMAT, Sql, decoding, parse_code};
use crate::{Store, StoreError, now};
use chrono::NaiveDate;
use flexwonen_core::access::{CaseScope, LocationScope};
use flexwonen_core::enforcement::{
    CaseDraft, CaseOrigin, CaseSource, Decision, Ledger, Outcome, OutcomeDraft, PenaltyOrder, PenaltyUnit, StepDraft,
    Workflow, workflow_on, workflows,
};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::occupancy_events::{Event, EventDraft};
use flexwonen_core::register::StayType;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::sync::OnceLock;

/// The shipped workflow versions, parsed once.
fn all_workflows() -> Result<&'static [Workflow], StoreError> {
    static ALL: OnceLock<Result<Vec<Workflow>, String>> = OnceLock::new();
    ALL.get_or_init(workflows).as_deref().map_err(|e| decoding(e.clone()))
}

fn workflow(version: i64) -> Result<&'static Workflow, StoreError> {
    all_workflows()?
        .iter()
        .find(|w| i64::from(w.version) == version)
        .ok_or_else(|| decoding(format!("no workflow version {version}")))
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    pub id: i64,
    pub municipality_code: String,
    pub workflow_version: i64,
    pub source: CaseSource,
    pub signal_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub address: String,
    pub address_key: String,
    pub location_id: Option<i64>,
    pub stay_type: StayType,
    pub summary: String,
    pub assignee_id: Option<i64>,
    pub assignee: Option<String>,
    pub opened_on: String,
    pub closed_on: Option<String>,
    /// The step to do next and its deadline; none once closed.
    pub next_step: Option<String>,
    pub due_on: Option<String>,
    pub penalty: Option<Penalty>,
    pub forfeited_cents: i64,
    pub ledger: LedgerCounts,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Penalty {
    pub amount_cents: i64,
    pub per: &'static str,
    pub maximum_cents: i64,
}

/// The ledger's counts: found = legalised + relocated + departed + open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LedgerCounts {
    pub found: i64,
    pub legalised: i64,
    pub relocated: i64,
    pub departed: i64,
    pub open: i64,
}

impl LedgerCounts {
    fn ledger(&self) -> Ledger {
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        Ledger {
            found: n(self.found),
            legalised: n(self.legalised),
            relocated: n(self.relocated),
            departed: n(self.departed),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseStep {
    pub step: String,
    pub done_on: String,
    pub due_on: Option<String>,
    pub assignee: Option<String>,
    pub done_by: String,
    pub note: String,
    pub decision: Option<Decision>,
    pub inspection_id: Option<i64>,
}

/// One bed or person of the ledger.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseBed {
    pub id: i64,
    pub found_on: String,
    pub outcome: Option<Outcome>,
    pub outcome_on: Option<String>,
    pub stay_id: Option<i64>,
    pub to_location_id: Option<i64>,
    pub to_address: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forfeit {
    pub forfeited_on: String,
    pub units: i64,
    pub amount_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDetail {
    #[serde(flatten)]
    pub case: Case,
    pub steps: Vec<CaseStep>,
    pub beds: Vec<CaseBed>,
    pub forfeits: Vec<Forfeit>,
}

/// A vacant certified bed proposed for a relocation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Vacancy {
    pub bed_id: i64,
    pub bed: String,
    pub location_id: i64,
    pub address: String,
    pub municipality: String,
    /// From the case's address, when both positions are known.
    pub distance_km: Option<f64>,
}

/// A location that received relocated persons, against what it may house today.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Receiver {
    pub location_id: i64,
    pub address: String,
    pub municipality_code: String,
    pub relocated: i64,
    pub housed: i64,
    pub permitted: Option<u32>,
}

impl Receiver {
    pub fn over_capacity(&self) -> bool {
        self.permitted.is_some_and(|p| self.housed > i64::from(p))
    }
}

/// The ledger of an area, with its course per month (counts at each month's end).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BedForBed {
    #[serde(flatten)]
    pub totals: LedgerCounts,
    pub cases_open: i64,
    pub cases_closed: i64,
    pub months: Vec<(String, LedgerCounts)>,
    /// Per municipality with cases (its code), all time.
    pub municipalities: Vec<(String, LedgerCounts)>,
}

/// One ledger row as the balance reads it.
struct LedgerEntry {
    municipality: String,
    found_on: String,
    outcome: Option<Outcome>,
    outcome_on: Option<String>,
}

/// The counts of `entries` at the end of the day `end` (`YYYY-MM-DD`): found by then, and
/// accounted for by then.
fn tally<'a>(entries: impl Iterator<Item = &'a LedgerEntry>, end: &str) -> LedgerCounts {
    let mut c = LedgerCounts::default();
    for e in entries.filter(|e| e.found_on.as_str() <= end) {
        c.found += 1;
        match (e.outcome, e.outcome_on.as_deref()) {
            (Some(Outcome::Legalised), Some(d)) if d <= end => c.legalised += 1,
            (Some(Outcome::Relocated), Some(d)) if d <= end => c.relocated += 1,
            (Some(Outcome::Departed), Some(d)) if d <= end => c.departed += 1,
            _ => c.open += 1,
        }
    }
    c
}

const LEDGER_COUNTS: &str = "CAST(COUNT(*) AS BIGINT) AS found,
    CAST(SUM(CASE WHEN outcome = 'legalised' THEN 1 ELSE 0 END) AS BIGINT) AS legalised,
    CAST(SUM(CASE WHEN outcome = 'relocated' THEN 1 ELSE 0 END) AS BIGINT) AS relocated,
    CAST(SUM(CASE WHEN outcome = 'departed' THEN 1 ELSE 0 END) AS BIGINT) AS departed";

const CASE_COLUMNS: &str = "c.id, c.municipality_code, c.workflow_version, c.source, c.signal_id, c.complaint_id,
    c.address, c.address_key, c.location_id, c.stay_type, c.summary, c.assignee_id, a.username AS assignee,
    c.opened_on, c.closed_on, c.next_step, c.due_on, c.penalty_amount_cents, c.penalty_per,
    c.penalty_maximum_cents, c.version,
    (SELECT CAST(COALESCE(SUM(amount_cents), 0) AS BIGINT) FROM case_forfeits f WHERE f.case_id = c.id) AS forfeited,
    l.found, l.legalised, l.relocated, l.departed";

/// Cases with their assignee and ledger counts (`CASE_COLUMNS` reads them).
fn case_from() -> String {
    format!(
        "FROM cases c LEFT JOIN accounts a ON a.id = c.assignee_id
         LEFT JOIN (SELECT case_id, {LEDGER_COUNTS} FROM case_beds GROUP BY case_id) l ON l.case_id = c.id"
    )
}

fn counts_of(r: &AnyRow) -> Result<LedgerCounts, StoreError> {
    let get = |c: &str| -> Result<i64, StoreError> { Ok(r.try_get::<Option<i64>, _>(c)?.unwrap_or(0)) };
    let (found, legalised, relocated, departed) =
        (get("found")?, get("legalised")?, get("relocated")?, get("departed")?);
    Ok(LedgerCounts { found, legalised, relocated, departed, open: found - legalised - relocated - departed })
}

fn case_of(r: &AnyRow) -> Result<Case, StoreError> {
    let penalty = match (
        r.try_get::<Option<i64>, _>("penalty_amount_cents")?,
        r.try_get::<Option<String>, _>("penalty_per")?,
        r.try_get::<Option<i64>, _>("penalty_maximum_cents")?,
    ) {
        (Some(amount_cents), Some(per), Some(maximum_cents)) => Some(Penalty {
            amount_cents,
            per: PenaltyUnit::parse(&per).ok_or_else(|| decoding(format!("penalty unit '{per}'")))?.as_str(),
            maximum_cents,
        }),
        _ => None,
    };
    Ok(Case {
        id: r.try_get("id")?,
        municipality_code: r.try_get("municipality_code")?,
        workflow_version: r.try_get("workflow_version")?,
        source: parse_code(r, "source", CaseSource::parse)?,
        signal_id: r.try_get("signal_id")?,
        complaint_id: r.try_get("complaint_id")?,
        address: r.try_get("address")?,
        address_key: r.try_get("address_key")?,
        location_id: r.try_get("location_id")?,
        stay_type: parse_code(r, "stay_type", StayType::parse)?,
        summary: r.try_get("summary")?,
        assignee_id: r.try_get("assignee_id")?,
        assignee: r.try_get("assignee")?,
        opened_on: r.try_get("opened_on")?,
        closed_on: r.try_get("closed_on")?,
        next_step: r.try_get("next_step")?,
        due_on: r.try_get("due_on")?,
        penalty,
        forfeited_cents: r.try_get("forfeited")?,
        ledger: counts_of(r)?,
        version: r.try_get("version")?,
    })
}

/// The case filter of a scope, or `None` when the scope reads no case.
fn scope_filter(q: &mut Sql, scope: &CaseScope) -> bool {
    match scope {
        CaseScope::Municipalities(ms) if !ms.is_empty() => {
            q.push(" AND c.municipality_code IN ").bind_list(ms.iter().map(|m| m.as_str().to_string()));
            true
        }
        CaseScope::Assigned(account) => {
            q.push(" AND c.assignee_id = ").bind(*account);
            true
        }
        _ => false,
    }
}

fn day(d: NaiveDate) -> String {
    d.format(DATE_FORMAT).to_string()
}

fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> StoreError {
    StoreError::invalid(field, code, message)
}

/// Candidate locations read in full at a time while proposing vacancies.
const VACANCY_PAGE: i64 = 64;

/// Where a new case is: its address, the register location there and a position.
struct Place {
    address_key: String,
    address: String,
    location_id: Option<i64>,
    x: Option<f64>,
    y: Option<f64>,
}

/// Locks a case for a change (a row lock on PostgreSQL; SQLite's writers run one at a time).
async fn lock_case(conn: &mut AnyConnection, id: i64) -> Result<(), StoreError> {
    if !runs_alone(conn) {
        sqlx::query("SELECT id FROM cases WHERE id = $1 FOR UPDATE").bind(id).fetch_optional(&mut *conn).await?;
    }
    Ok(())
}

async fn read_case(conn: &mut AnyConnection, scope: &CaseScope, id: i64) -> Result<Case, StoreError> {
    let mut q = Sql::new(&format!("SELECT {CASE_COLUMNS} {} WHERE c.id = ", case_from()));
    q.bind(id);
    if !scope_filter(&mut q, scope) {
        return Err(StoreError::NotFound);
    }
    let row = q.query().fetch_optional(&mut *conn).await?.ok_or(StoreError::NotFound)?;
    case_of(&row)
}

/// The account a case is assigned to, by user name: an inspector of a region the case's
/// municipality is in, or an account of that municipality.
async fn assignee_id(conn: &mut AnyConnection, municipality: &str, username: &str) -> Result<i64, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT a.id FROM accounts a
         WHERE a.username = $1 AND (
             (a.role = 'municipality' AND a.municipality_code = $2)
             OR (a.role = 'inspector' AND EXISTS (SELECT 1 FROM region_members r
                                                  WHERE r.region_id = a.region_id AND r.municipality_code = $2)))",
    )
    .bind(username)
    .bind(municipality)
    .fetch_optional(&mut *conn)
    .await?;
    id.ok_or_else(|| {
        invalid(
            "assignee",
            "unknown_assignee",
            format!("'{username}' is not an inspector of this region nor an account of this municipality"),
        )
    })
}

/// The labour-market region of a municipality: where its workers' jobs are, and so where
/// vacancies are proposed.
async fn region_of(conn: &mut AnyConnection, municipality: &str) -> Result<Vec<MunicipalityCode>, StoreError> {
    let codes: Vec<String> = sqlx::query_scalar(
        "SELECT m.municipality_code FROM region_members m
         WHERE m.region_id = (SELECT r.id FROM regions r JOIN region_members x ON x.region_id = r.id
                              WHERE r.kind = 'labour_market' AND x.municipality_code = $1 ORDER BY r.id LIMIT 1)",
    )
    .bind(municipality)
    .fetch_all(&mut *conn)
    .await?;
    let mut members: Vec<MunicipalityCode> = codes.iter().filter_map(|c| MunicipalityCode::parse(c).ok()).collect();
    if members.is_empty() {
        members.extend(MunicipalityCode::parse(municipality).ok());
    }
    Ok(members)
}

impl Store {
    /// Opens a case in `municipality`: from one of its signals or complaints (a complaint
    /// gets one case at most), or by hand at an address in it. Audited.
    pub async fn open_case(
        &self,
        actor: &Actor,
        municipality: &MunicipalityCode,
        draft: &CaseDraft,
        today: NaiveDate,
    ) -> Result<Case, StoreError> {
        let opened_on = draft.opened_on.unwrap_or(today);
        let workflow = workflow_on(all_workflows()?, opened_on).ok_or_else(|| decoding("no workflow"))?;
        let mut tx = self.begin_write().await?;
        let place = self.place_of(&mut tx, municipality, &draft.origin).await?;
        let assignee = match &draft.assignee {
            Some(name) => Some(assignee_id(&mut tx, municipality.as_str(), name).await?),
            None => None,
        };
        let (next, due) = workflow.next_due(opened_on, &[]).ok_or_else(|| decoding("an empty workflow"))?;
        let (signal_id, complaint_id) = match draft.origin {
            CaseOrigin::Signal(id) => (Some(id), None),
            CaseOrigin::Complaint(id) => (None, Some(id)),
            CaseOrigin::Manual(_) => (None, None),
        };
        let source = match draft.origin {
            CaseOrigin::Signal(_) => CaseSource::Signal,
            CaseOrigin::Complaint(_) => CaseSource::Complaint,
            CaseOrigin::Manual(_) => CaseSource::Manual,
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (municipality_code, workflow_version, source, signal_id, complaint_id, address_key,
                                address, location_id, x, y, stay_type, summary, assignee_id, opened_on, next_step,
                                due_on, created_by, created_at, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS DOUBLE PRECISION), CAST($10 AS DOUBLE PRECISION),
                     $11, $12, $13, $14, $15, $16, $17, $18, 1)
             RETURNING id",
        )
        .bind(municipality.as_str())
        .bind(i64::from(workflow.version))
        .bind(source.as_str())
        .bind(signal_id)
        .bind(complaint_id)
        .bind(&place.address_key)
        .bind(&place.address)
        .bind(place.location_id)
        .bind(place.x.map(|v| v.to_string()))
        .bind(place.y.map(|v| v.to_string()))
        .bind(draft.stay_type.as_str())
        .bind(&draft.summary)
        .bind(assignee)
        .bind(day(opened_on))
        .bind(&next.code)
        .bind(day(due))
        .bind(&actor.name)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        if let Some(complaint) = complaint_id {
            let linked = sqlx::query(
                "UPDATE complaints SET case_id = $1 WHERE id = $2 AND case_id IS NULL AND dismissed_on IS NULL",
            )
            .bind(id)
            .bind(complaint)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if linked == 0 {
                return Err(invalid(
                    "complaint_id",
                    "complaint_has_case",
                    "a case was opened on this complaint already, or it was handled without one",
                ));
            }
        }
        add_found(&mut tx, id, draft.found, opened_on).await?;
        let case = read_case(&mut tx, &CaseScope::Municipalities(vec![municipality.clone()]), id).await?;
        record(&mut tx, actor, "case", id, "open", None, Some(&brief(&case))).await?;
        tx.commit().await?;
        Ok(case)
    }

    async fn place_of(
        &self,
        conn: &mut AnyConnection,
        municipality: &MunicipalityCode,
        origin: &CaseOrigin,
    ) -> Result<Place, StoreError> {
        let not_here = |field: &str, what: &str| {
            invalid(field, "unknown_source", format!("there is no {what} of yours with this id"))
        };
        let (key, address) = match origin {
            CaseOrigin::Signal(id) => {
                let row = sqlx::query(
                    "SELECT address_key, address, location_id, x, y FROM signals WHERE id = $1 AND municipality_code = $2",
                )
                .bind(id)
                .bind(municipality.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| not_here("signal_id", "signal"))?;
                return Ok(Place {
                    address_key: row.try_get("address_key")?,
                    address: row.try_get("address")?,
                    location_id: row.try_get("location_id")?,
                    x: row.try_get("x")?,
                    y: row.try_get("y")?,
                });
            }
            CaseOrigin::Complaint(id) => {
                let row = sqlx::query(
                    "SELECT address_key, postcode, house_number, house_letter, house_addition FROM complaints
                     WHERE id = $1 AND municipality_code = $2",
                )
                .bind(id)
                .bind(municipality.as_str())
                .fetch_optional(&mut *conn)
                .await?
                .ok_or_else(|| not_here("complaint_id", "complaint"))?;
                let postcode: String = row.try_get("postcode")?;
                let parts = flexwonen_core::address::AddressParts {
                    postcode: flexwonen_core::address::Postcode::parse(&postcode).map_err(|(_, m)| decoding(m))?,
                    house_number: row.try_get("house_number")?,
                    house_letter: row.try_get("house_letter")?,
                    house_addition: row.try_get("house_addition")?,
                };
                let address = parts.display();
                (row.try_get::<String, _>("address_key")?, address)
            }
            CaseOrigin::Manual(parts) => (parts.key(), parts.display()),
        };
        // The register's location there, else the BAG's position of the address.
        let row = sqlx::query(
            "SELECT l.id, l.municipality_code, l.rd_x, l.rd_y, l.street, l.place, v.x, v.y
             FROM (SELECT 1 AS one) AS one
             LEFT JOIN locations l ON l.address_key = $1
             LEFT JOIN bag_num n ON n.import_id = (SELECT MAX(id) FROM bag_imports) AND n.address_key = $1
             LEFT JOIN bag_vbo v ON v.import_id = n.import_id AND v.main_address = n.id",
        )
        .bind(&key)
        .fetch_one(&mut *conn)
        .await?;
        let location_id: Option<i64> = row.try_get("id")?;
        if let Some(other) = row.try_get::<Option<String>, _>("municipality_code")?
            && other != municipality.as_str()
            && matches!(origin, CaseOrigin::Manual(_))
        {
            return Err(invalid(
                "postcode",
                "address_elsewhere",
                format!("this address lies in {other}, not in your municipality"),
            ));
        }
        let (x, y) = match (row.try_get::<Option<f64>, _>("rd_x")?, row.try_get::<Option<f64>, _>("rd_y")?) {
            (Some(x), Some(y)) => (Some(x), Some(y)),
            _ => (row.try_get("x")?, row.try_get("y")?),
        };
        let address = match (row.try_get::<Option<String>, _>("street")?, row.try_get::<Option<String>, _>("place")?) {
            (Some(street), Some(place)) => {
                format!("{street} {}, {address} {place}", key.split('|').nth(1).unwrap_or(""))
            }
            _ => address,
        };
        Ok(Place { address_key: key, address, location_id, x, y })
    }

    /// A case with its steps, ledger rows and forfeited penalties.
    pub async fn case(&self, scope: &CaseScope, id: i64) -> Result<CaseDetail, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let case = read_case(&mut conn, scope, id).await?;
        let steps = sqlx::query(
            "SELECT s.step, s.done_on, s.due_on, a.username AS assignee, s.done_by, s.note, s.decision, s.inspection_id
             FROM case_steps s LEFT JOIN accounts a ON a.id = s.assignee_id WHERE s.case_id = $1 ORDER BY s.done_on, s.id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(CaseStep {
                step: r.try_get("step")?,
                done_on: r.try_get("done_on")?,
                due_on: r.try_get("due_on")?,
                assignee: r.try_get("assignee")?,
                done_by: r.try_get("done_by")?,
                note: r.try_get("note")?,
                decision: r.try_get::<Option<String>, _>("decision")?.as_deref().and_then(Decision::parse),
                inspection_id: r.try_get("inspection_id")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let beds = sqlx::query(
            "SELECT b.id, b.found_on, b.outcome, b.outcome_on, b.stay_id, b.to_location_id, b.note,
                    l.street || ' ' || CAST(l.house_number AS TEXT) || COALESCE(l.house_letter, '') || ', ' || l.place AS to_address
             FROM case_beds b LEFT JOIN locations l ON l.id = b.to_location_id WHERE b.case_id = $1 ORDER BY b.id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(CaseBed {
                id: r.try_get("id")?,
                found_on: r.try_get("found_on")?,
                outcome: r.try_get::<Option<String>, _>("outcome")?.as_deref().and_then(Outcome::parse),
                outcome_on: r.try_get("outcome_on")?,
                stay_id: r.try_get("stay_id")?,
                to_location_id: r.try_get("to_location_id")?,
                to_address: r.try_get("to_address")?,
                note: r.try_get("note")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let forfeits = sqlx::query(
            "SELECT forfeited_on, units, amount_cents FROM case_forfeits WHERE case_id = $1 ORDER BY forfeited_on, id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(Forfeit {
                forfeited_on: r.try_get("forfeited_on")?,
                units: r.try_get("units")?,
                amount_cents: r.try_get("amount_cents")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(CaseDetail { case, steps, beds, forfeits })
    }

    /// The cases in scope, open ones first by deadline (the deadline overview), then closed
    /// ones, newest first.
    pub async fn cases(&self, scope: &CaseScope, open_only: bool, limit: i64) -> Result<Vec<Case>, StoreError> {
        let mut q = Sql::new(&format!("SELECT {CASE_COLUMNS} {} WHERE 1 = 1", case_from()));
        if !scope_filter(&mut q, scope) {
            return Ok(Vec::new());
        }
        if open_only {
            q.push(" AND c.closed_on IS NULL");
        }
        q.push(" ORDER BY CASE WHEN c.closed_on IS NULL THEN 0 ELSE 1 END, c.due_on, c.closed_on DESC, c.id LIMIT ")
            .bind(limit);
        q.query().fetch_all(&self.pool).await?.iter().map(case_of).collect()
    }

    /// Records the next step of a case, checked against the case's own workflow version:
    /// no required step skipped, the visit's inspection one of the case's location, closing
    /// only when every bed found is accounted for. Audited with the case before and after.
    pub async fn record_step(
        &self,
        actor: &Actor,
        scope: &CaseScope,
        id: i64,
        draft: &StepDraft,
        today: NaiveDate,
    ) -> Result<Case, StoreError> {
        let date = draft.date.unwrap_or(today);
        let mut tx = self.begin_write().await?;
        lock_case(&mut tx, id).await?;
        let before = read_case(&mut tx, scope, id).await?;
        let workflow = workflow(before.workflow_version)?;
        let done: Vec<(String, String)> = sqlx::query("SELECT step, done_on FROM case_steps WHERE case_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| Ok((r.try_get("step")?, r.try_get("done_on")?)))
            .collect::<Result<_, StoreError>>()?;
        let codes: Vec<&str> = done.iter().map(|(s, _)| s.as_str()).collect();
        workflow.check_next(&codes, &draft.step).map_err(|e| StoreError::Invalid(e.to_field_errors()))?;
        if let Some(last) = done.iter().map(|(_, d)| d.as_str()).max()
            && day(date).as_str() < last
        {
            return Err(invalid("date", "step_before_previous", format!("the step before was done on {last}")));
        }
        if day(date).as_str() < before.opened_on.as_str() {
            return Err(invalid("date", "step_before_opening", format!("the case opened on {}", before.opened_on)));
        }
        if draft.step == "closed" && !before.ledger.ledger().can_close() {
            return Err(invalid(
                "step",
                "ledger_open",
                format!("{} of {} beds are not accounted for yet", before.ledger.open, before.ledger.found),
            ));
        }
        if let Some(inspection) = draft.inspection_id {
            let of_location: Option<i64> = sqlx::query_scalar("SELECT location_id FROM inspections WHERE id = $1")
                .bind(inspection)
                .fetch_optional(&mut *tx)
                .await?;
            if of_location.is_none() || of_location != before.location_id {
                return Err(invalid(
                    "inspection_id",
                    "inspection_elsewhere",
                    "this inspection is not of the case's location",
                ));
            }
        }
        let assignee = match &draft.assignee {
            Some(name) => Some(assignee_id(&mut tx, &before.municipality_code, name).await?),
            None => before.assignee_id,
        };
        let mut all: Vec<(&str, NaiveDate)> = Vec::with_capacity(done.len() + 1);
        for (s, d) in &done {
            all.push((s, NaiveDate::parse_from_str(d, DATE_FORMAT).map_err(|_| decoding(format!("step date '{d}'")))?));
        }
        all.push((&draft.step, date));
        let opened = NaiveDate::parse_from_str(&before.opened_on, DATE_FORMAT).map_err(|_| decoding("opened_on"))?;
        let this_due =
            workflow.next_due(opened, &all[..all.len() - 1]).filter(|(s, _)| s.code == draft.step).map(|(_, d)| day(d));
        let next = if draft.step == "closed" { None } else { workflow.next_due(opened, &all) };
        sqlx::query(
            "INSERT INTO case_steps (case_id, step, done_on, due_on, assignee_id, done_by, note, decision, inspection_id, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(&draft.step)
        .bind(day(date))
        .bind(this_due)
        .bind(before.assignee_id)
        .bind(&actor.name)
        .bind(&draft.note)
        .bind(draft.decision.map(Decision::as_str))
        .bind(draft.inspection_id)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        let penalty: Option<&PenaltyOrder> = draft.penalty.as_ref();
        sqlx::query(
            "UPDATE cases SET next_step = $2, due_on = $3, closed_on = $4, assignee_id = $5, version = version + 1,
                    penalty_amount_cents = COALESCE($6, penalty_amount_cents), penalty_per = COALESCE($7, penalty_per),
                    penalty_maximum_cents = COALESCE($8, penalty_maximum_cents)
             WHERE id = $1",
        )
        .bind(id)
        .bind(next.map(|(s, _)| s.code.clone()))
        .bind(next.map(|(_, d)| day(d)))
        .bind((draft.step == "closed").then(|| day(date)))
        .bind(assignee)
        .bind(penalty.map(|p| p.amount_cents))
        .bind(penalty.map(|p| p.per.as_str()))
        .bind(penalty.map(|p| p.maximum_cents))
        .execute(&mut *tx)
        .await?;
        let after = read_case(&mut tx, scope, id).await?;
        record(
            &mut tx,
            actor,
            "case",
            id,
            &format!("step:{}", draft.step),
            Some(&brief(&before)),
            Some(&brief(&after)),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// More beds or persons found (at the visit, say): `count` open ledger rows.
    pub async fn record_found(
        &self,
        actor: &Actor,
        scope: &CaseScope,
        id: i64,
        count: i64,
        date: NaiveDate,
    ) -> Result<Case, StoreError> {
        if !(1..=flexwonen_core::enforcement::MAX_FOUND).contains(&count) {
            return Err(invalid(
                "count",
                "invalid_found",
                format!("a number from 1 to {}", flexwonen_core::enforcement::MAX_FOUND),
            ));
        }
        self.change_ledger(actor, scope, id, "found", |tx, case| {
            Box::pin(async move {
                if case.ledger.found + count > flexwonen_core::enforcement::MAX_FOUND {
                    return Err(invalid("count", "invalid_found", "more than one case can hold"));
                }
                add_found(tx, case.id, count, date).await
            })
        })
        .await
    }

    /// Open ledger rows legalised or departed. Legalising needs the case's location in the
    /// register with a permit, and its capacity permitted today covering every bed legalised.
    pub async fn record_outcome(
        &self,
        actor: &Actor,
        scope: &CaseScope,
        id: i64,
        draft: &OutcomeDraft,
        today: NaiveDate,
    ) -> Result<Case, StoreError> {
        let date = draft.date.unwrap_or(today);
        let permitted = match draft.outcome {
            Outcome::Legalised => Some(self.permitted_at_case(scope, id, date).await?),
            _ => None,
        };
        let (outcome, count, note) = (draft.outcome, draft.count, draft.note.clone());
        self.change_ledger(actor, scope, id, outcome.as_str(), move |tx, case| {
            Box::pin(async move {
                if count > case.ledger.open {
                    return Err(invalid("count", "more_than_open", format!("only {} beds are still open", case.ledger.open)));
                }
                if let Some(permitted) = permitted
                    && case.ledger.legalised + count > i64::from(permitted)
                {
                    return Err(invalid(
                        "count",
                        "over_permitted",
                        format!("the norms permit {permitted} persons at this location; {} are legalised already", case.ledger.legalised),
                    ));
                }
                sqlx::query(
                    "UPDATE case_beds SET outcome = $2, outcome_on = $3, note = $4
                     WHERE id IN (SELECT id FROM case_beds WHERE case_id = $1 AND outcome IS NULL ORDER BY id LIMIT $5)",
                )
                .bind(case.id)
                .bind(outcome.as_str())
                .bind(day(date))
                .bind(&note)
                .bind(count)
                .execute(&mut *tx)
                .await?;
                Ok(())
            })
        })
        .await
    }

    /// What the case's location may house on `date`, if it can be legalised at all.
    async fn permitted_at_case(&self, scope: &CaseScope, id: i64, date: NaiveDate) -> Result<u32, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let case = read_case(&mut conn, scope, id).await?;
        drop(conn);
        let Some(location_id) = case.location_id else {
            return Err(invalid(
                "outcome",
                "not_in_register",
                "register the location first: legalising is measured against it",
            ));
        };
        let location = self.location(&LocationScope::All, location_id).await?;
        if location.legal_status != flexwonen_core::register::LegalStatus::Permitted {
            return Err(invalid("outcome", "no_permit", "the location has no permit yet (legal status 'permitted')"));
        }
        let view = self.location_capacity(&location, date).await?;
        view.permitted.ok_or_else(|| invalid("outcome", "no_norm", "no norm applies to this location"))
    }

    /// A change of the ledger in one transaction with its audit entry; refused on a closed case.
    async fn change_ledger<F>(
        &self,
        actor: &Actor,
        scope: &CaseScope,
        id: i64,
        action: &str,
        change: F,
    ) -> Result<Case, StoreError>
    where
        F: for<'c> FnOnce(
            &'c mut AnyConnection,
            &'c Case,
        )
            -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), StoreError>> + Send + 'c>>,
    {
        let mut tx = self.begin_write().await?;
        lock_case(&mut tx, id).await?;
        let before = read_case(&mut tx, scope, id).await?;
        if before.closed_on.is_some() {
            return Err(invalid("id", "case_closed", "this case is closed"));
        }
        change(&mut tx, &before).await?;
        sqlx::query("UPDATE cases SET version = version + 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
        let after = read_case(&mut tx, scope, id).await?;
        record(&mut tx, actor, "case", id, &format!("ledger:{action}"), Some(&brief(&before)), Some(&brief(&after)))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Vacant certified beds for the people of a case: in its municipality's labour-market
    /// region, at locations of its stay type whose operator holds a certificate on `date`,
    /// in service and free from `date` on, at locations that may house one more; nearest
    /// first.
    pub async fn vacancies(
        &self,
        scope: &CaseScope,
        id: i64,
        date: NaiveDate,
        limit: usize,
    ) -> Result<Vec<Vacancy>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let case = read_case(&mut conn, scope, id).await?;
        let (x, y): (Option<f64>, Option<f64>) = {
            let r = sqlx::query("SELECT x, y FROM cases WHERE id = $1").bind(id).fetch_one(&mut *conn).await?;
            (r.try_get("x")?, r.try_get("y")?)
        };
        let region = region_of(&mut conn, &case.municipality_code).await?;
        let generation = self.generation().await?;
        let norms = self.norms_at(generation).await?;
        // The region's candidate locations nearest first (those without a position last),
        // a page at a time: only as many are read in full as the proposals need.
        let mut candidates = Sql::new(
            "SELECT l.id FROM locations l
             WHERE l.operator_id IS NOT NULL AND l.beds_in_service > 0 AND l.legal_status IN ('permitted', 'in_use')
               AND l.stay_type = ",
        );
        candidates.bind(case.stay_type.as_str()).push(" AND l.municipality_code IN ");
        candidates.bind_list(region.iter().map(|m| m.as_str().to_string()));
        if let Some(here) = case.location_id {
            candidates.push(" AND l.id <> ").bind(here);
        }
        match (x, y) {
            (Some(x), Some(y)) => {
                candidates.push(" ORDER BY CASE WHEN l.rd_x IS NULL THEN 1 ELSE 0 END, (l.rd_x - ");
                candidates.bind(x).push(") * (l.rd_x - ").bind(x).push(") + (l.rd_y - ").bind(y);
                candidates.push(") * (l.rd_y - ").bind(y).push("), l.id");
            }
            _ => {
                candidates.push(" ORDER BY CASE WHEN l.municipality_code = ").bind(case.municipality_code.clone());
                candidates.push(" THEN 0 ELSE 1 END, l.id");
            }
        }
        let mut found: Vec<Vacancy> = Vec::new();
        let mut bedrooms = Vec::new();
        let mut offset = 0;
        while found.len() < limit {
            let mut page = candidates.clone();
            page.push(" LIMIT ").bind(VACANCY_PAGE).push(" OFFSET ").bind(offset);
            let ids: Vec<i64> =
                page.query().fetch_all(&mut *conn).await?.iter().map(|r| r.try_get("id")).collect::<Result<_, _>>()?;
            if ids.is_empty() {
                break;
            }
            offset += VACANCY_PAGE;
            let mut q = Sql::new(&format!(
                "SELECT l.id, l.municipality_code, l.rd_x, l.rd_y, l.operator_id, {} AS facts,
                        l.street || ' ' || CAST(l.house_number AS TEXT) || COALESCE(l.house_letter, '') || ', ' || l.place AS address,
                        (SELECT CAST(COUNT(*) AS BIGINT) FROM stays s WHERE s.location_id = l.id
                           AND (s.check_out IS NULL OR s.check_out > ",
                crate::capacity::FACTS_TEXT
            ));
            q.bind(day(date)).push(
                ")) AS housed,
                        (SELECT string_agg(CAST(b.id AS TEXT) || ':' || b.label, ';') FROM beds b
                         WHERE b.location_id = l.id AND b.out_of_service_reason IS NULL
                           AND NOT EXISTS (SELECT 1 FROM stays s WHERE s.bed_id = b.id AND (s.check_out IS NULL OR s.check_out > ",
            );
            q.bind(day(date)).push("))) AS free_beds FROM locations l WHERE l.id IN ");
            q.bind_list(ids.iter().copied());
            let rows = q.query().fetch_all(&mut *conn).await?;
            let by_id: std::collections::HashMap<i64, &AnyRow> =
                rows.iter().map(|r| Ok((r.try_get::<i64, _>("id")?, r))).collect::<Result<_, StoreError>>()?;
            for r in ids.iter().filter_map(|id| by_id.get(id)) {
                let Some(free) = r.try_get::<Option<String>, _>("free_beds")? else { continue };
                let certified = norms.certified(r.try_get("operator_id")?, date);
                if !(certified.snf || certified.akf) {
                    continue;
                }
                let municipality = MunicipalityCode::parse(&r.try_get::<String, _>("municipality_code")?)
                    .map_err(|(_, m)| decoding(m))?;
                let facts_text: String = r.try_get("facts")?;
                let (facts, _) = crate::capacity::parse_facts(&facts_text, &mut bedrooms)?;
                let housed: i64 = r.try_get("housed")?;
                let room = match norms.permitted(&municipality, certified, &facts, date) {
                    Some(p) => i64::from(p) - housed,
                    None => i64::MAX,
                };
                let distance = match (x, y, r.try_get::<Option<f64>, _>("rd_x")?, r.try_get::<Option<f64>, _>("rd_y")?)
                {
                    (Some(x), Some(y), Some(lx), Some(ly)) => {
                        Some((((lx - x).powi(2) + (ly - y).powi(2)).sqrt() / 100.0).round() / 10.0)
                    }
                    _ => None,
                };
                let address: String = r.try_get("address")?;
                let location_id: i64 = r.try_get("id")?;
                for bed in free.split(';').take(usize::try_from(room.max(0)).unwrap_or(usize::MAX)) {
                    let Some((bed_id, label)) = bed.split_once(':') else { continue };
                    found.push(Vacancy {
                        bed_id: bed_id.parse().map_err(|_| decoding(format!("bed '{bed}'")))?,
                        bed: label.to_string(),
                        location_id,
                        address: address.clone(),
                        municipality: municipality.as_str().to_string(),
                        distance_km: distance,
                    });
                }
            }
        }
        found.truncate(limit);
        Ok(found)
    }

    /// Relocates one open person of a case: a check-in (issue 4, with all its checks) on a
    /// certified bed in the case's labour-market region, and the ledger row, in one
    /// transaction. `ctx.scope` is ignored: the region decides where.
    pub async fn relocate(
        &self,
        ctx: &EventContext<'_>,
        scope: &CaseScope,
        id: i64,
        draft: &EventDraft,
    ) -> Result<Case, StoreError> {
        let Event::CheckIn { bed_id, date, worker, terms } = &draft.event else {
            return Err(invalid("type", "check_in_only", "a relocation is a check-in"));
        };
        let mut conn = self.pool.acquire().await?;
        let case = read_case(&mut conn, scope, id).await?;
        // Sent before (a retry): the case as it is, nothing moved twice.
        if self.sent_before(ctx.sender, &draft.id).await?.is_some() {
            return Ok(case);
        }
        let region = region_of(&mut conn, &case.municipality_code).await?;
        drop(conn);
        let region_scope = LocationScope::Municipalities(region);
        let ctx = EventContext { scope: &region_scope, ..*ctx };
        let mut generation = self.generation().await?;
        for _ in 0..5 {
            let norms = self.norms_at(generation).await?;
            let mut tx = self.begin_write().await?;
            lock_case(&mut tx, id).await?;
            let before = read_case(&mut tx, scope, id).await?;
            if before.closed_on.is_some() {
                return Err(invalid("id", "case_closed", "this case is closed"));
            }
            let entry: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM case_beds WHERE case_id = $1 AND outcome IS NULL ORDER BY id LIMIT 1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(entry) = entry else {
                return Err(invalid("bed_id", "nothing_open", "every bed of this case is accounted for"));
            };
            let certified_place = |place: &crate::occupancy::CheckInPlace| {
                let c = norms.certified(place.operator_id, *date);
                if c.snf || c.akf {
                    Ok(())
                } else {
                    Err(invalid(
                        "bed_id",
                        "bed_not_certified",
                        format!("bed {bed_id} is not at a certified operator's location"),
                    ))
                }
            };
            let (stay_id, location_id) =
                match check_in_within(&mut tx, &ctx, &norms, *bed_id, *date, worker, terms, certified_place).await? {
                    Ok(done) => done,
                    Err(Stale) => {
                        tx.rollback().await?;
                        generation = self.generation().await?;
                        continue;
                    }
                };
            if !record_event(&mut tx, ctx.sender, &draft.id, stay_id).await? {
                // The same relocation sent in parallel just now: it counts once.
                tx.rollback().await?;
                return self.case(scope, id).await.map(|d| d.case);
            }
            sqlx::query(
                "UPDATE case_beds SET outcome = 'relocated', outcome_on = $2, stay_id = $3, to_location_id = $4 WHERE id = $1",
            )
            .bind(entry)
            .bind(day(*date))
            .bind(stay_id)
            .bind(location_id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE cases SET version = version + 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
            let after = read_case(&mut tx, scope, id).await?;
            record(&mut tx, ctx.actor, "case", id, "ledger:relocated", Some(&brief(&before)), Some(&brief(&after)))
                .await?;
            tx.commit().await?;
            return Ok(after);
        }
        Err(StoreError::Conflict { current: generation })
    }

    /// Penalties forfeited under the case's order: the amount for `units` more weeks or
    /// breaches, never taking the total above the order's maximum.
    pub async fn record_forfeit(
        &self,
        actor: &Actor,
        scope: &CaseScope,
        id: i64,
        units: i64,
        date: NaiveDate,
    ) -> Result<Case, StoreError> {
        if !(1..=520).contains(&units) {
            return Err(invalid("units", "invalid_units", "a number of weeks or breaches from 1 to 520"));
        }
        let mut tx = self.begin_write().await?;
        lock_case(&mut tx, id).await?;
        let before = read_case(&mut tx, scope, id).await?;
        let Some(p) = &before.penalty else {
            return Err(invalid("units", "no_penalty_order", "this case has no penalty order"));
        };
        let order = PenaltyOrder {
            amount_cents: p.amount_cents,
            per: PenaltyUnit::parse(p.per).ok_or_else(|| decoding("penalty unit"))?,
            maximum_cents: p.maximum_cents,
        };
        let units_before: i64 =
            sqlx::query_scalar("SELECT CAST(COALESCE(SUM(units), 0) AS BIGINT) FROM case_forfeits WHERE case_id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
        let amount = order.forfeited_cents(units_before + units) - before.forfeited_cents;
        if amount <= 0 {
            return Err(invalid("units", "maximum_reached", "the order's maximum is forfeited already"));
        }
        sqlx::query("INSERT INTO case_forfeits (case_id, forfeited_on, units, amount_cents, recorded_by) VALUES ($1, $2, $3, $4, $5)")
            .bind(id)
            .bind(day(date))
            .bind(units)
            .bind(amount)
            .bind(&actor.name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE cases SET version = version + 1 WHERE id = $1").bind(id).execute(&mut *tx).await?;
        let after = read_case(&mut tx, scope, id).await?;
        record(&mut tx, actor, "case", id, "forfeit", Some(&brief(&before)), Some(&brief(&after))).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The bed-for-bed ledger of the municipalities given (all when `None`): totals, cases
    /// open and closed, and per month from the first case the counts at the month's end.
    pub async fn bed_for_bed(
        &self,
        municipalities: Option<&[MunicipalityCode]>,
        today: NaiveDate,
    ) -> Result<BedForBed, StoreError> {
        let mut filter = Sql::new("");
        if let Some(ms) = municipalities {
            filter.push(" AND c.municipality_code IN ").bind_list(ms.iter().map(|m| m.as_str().to_string()));
        }
        let beds = filter.prefixed(
            "SELECT c.municipality_code, b.found_on, b.outcome, b.outcome_on
             FROM case_beds b JOIN cases c ON c.id = b.case_id WHERE 1 = 1",
        );
        let rows = beds.query().fetch_all(&self.pool).await?;
        let cases = filter.prefixed(
            "SELECT CAST(COALESCE(SUM(CASE WHEN c.closed_on IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT) AS open,
                    CAST(COALESCE(SUM(CASE WHEN c.closed_on IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) AS closed
             FROM cases c WHERE 1 = 1",
        );
        let counts = cases.query().fetch_one(&self.pool).await?;
        let mut entries: Vec<LedgerEntry> = Vec::with_capacity(rows.len());
        for r in &rows {
            entries.push(LedgerEntry {
                municipality: r.try_get("municipality_code")?,
                found_on: r.try_get("found_on")?,
                outcome: r.try_get::<Option<String>, _>("outcome")?.as_deref().and_then(Outcome::parse),
                outcome_on: r.try_get("outcome_on")?,
            });
        }
        const EVER: &str = "9999-12-31";
        let totals = tally(entries.iter(), EVER);
        let mut codes: Vec<&str> = entries.iter().map(|e| e.municipality.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        let municipalities = codes
            .iter()
            .map(|m| (m.to_string(), tally(entries.iter().filter(|e| e.municipality == *m), EVER)))
            .collect();
        let mut months = Vec::new();
        if let Some(first) = entries.iter().map(|e| e.found_on.as_str()).min() {
            let mut month = NaiveDate::parse_from_str(&format!("{}-01", &first[..7]), DATE_FORMAT)
                .map_err(|_| decoding("found_on"))?;
            while month <= today {
                let next = month.checked_add_months(chrono::Months::new(1)).ok_or_else(|| decoding("month"))?;
                let end = next.pred_opt().ok_or_else(|| decoding("month"))?;
                months.push((month.format("%Y-%m").to_string(), tally(entries.iter(), &day(end))));
                month = next;
            }
        }
        Ok(BedForBed {
            totals,
            cases_open: counts.try_get("open")?,
            cases_closed: counts.try_get("closed")?,
            months,
            municipalities,
        })
    }

    /// Every location that received relocated persons, with how many it houses today
    /// against what it may: the check that relocations pushed no one above capacity.
    pub async fn relocation_receivers(
        &self,
        municipalities: Option<&[MunicipalityCode]>,
        today: NaiveDate,
    ) -> Result<Vec<Receiver>, StoreError> {
        let mut q = Sql::new(
            "SELECT b.to_location_id, CAST(COUNT(*) AS BIGINT) AS relocated FROM case_beds b JOIN cases c ON c.id = b.case_id
             WHERE b.to_location_id IS NOT NULL",
        );
        if let Some(ms) = municipalities {
            q.push(" AND c.municipality_code IN ").bind_list(ms.iter().map(|m| m.as_str().to_string()));
        }
        q.push(" GROUP BY b.to_location_id ORDER BY b.to_location_id");
        let rows = q.query().fetch_all(&self.pool).await?;
        let mut receivers = Vec::with_capacity(rows.len());
        for r in &rows {
            let location_id: i64 = r.try_get("to_location_id")?;
            let location = self.location(&LocationScope::All, location_id).await?;
            let housed: i64 = sqlx::query_scalar(
                "SELECT CAST(COUNT(*) AS BIGINT) FROM stays WHERE location_id = $1 AND check_in <= $2
                 AND (check_out IS NULL OR check_out > $2)",
            )
            .bind(location_id)
            .bind(day(today))
            .fetch_one(&self.pool)
            .await?;
            let permitted = self.location_capacity(&location, today).await?.permitted;
            receivers.push(Receiver {
                location_id,
                address: format!(
                    "{} {}, {}",
                    location.address.street, location.address.house_number, location.address.place
                ),
                municipality_code: location.municipality_code.clone(),
                relocated: r.try_get("relocated")?,
                housed,
                permitted,
            });
        }
        Ok(receivers)
    }
}

async fn add_found(conn: &mut AnyConnection, case_id: i64, count: i64, date: NaiveDate) -> Result<(), StoreError> {
    for _ in 0..count {
        sqlx::query("INSERT INTO case_beds (case_id, found_on) VALUES ($1, $2)")
            .bind(case_id)
            .bind(day(date))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A case as the audit log keeps it: its state and counts, not the summary's text.
fn brief(c: &Case) -> serde_json::Value {
    serde_json::json!({
        "municipality": c.municipality_code, "workflow_version": c.workflow_version, "source": c.source.as_str(),
        "next_step": c.next_step, "due_on": c.due_on, "closed_on": c.closed_on, "assignee_id": c.assignee_id,
        "penalty": c.penalty, "forfeited_cents": c.forfeited_cents, "ledger": c.ledger,
    })
}
