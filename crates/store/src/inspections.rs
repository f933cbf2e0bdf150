//! Inspections and defects: planning, recording with a frozen norm and verdict, resolving
//! defects by re-inspection, the sanction ladder of overdue defects, the yearly plan and the
//! administrative address check.
//!
//! Invariant: a done inspection is never re-judged. Its norm (the rule sets with the version
//! in force on the inspection date), the location's facts and the verdict are stored as JSON
//! when it is recorded; a later norm version changes nothing in it.

use crate::audit::{Actor, record};
use crate::sql::{date_col, decoding, json_col, opt_date_col, to_json};
use crate::{Location, Store, StoreError, now};
use chrono::{Datelike, NaiveDate};
use flexwonen_core::access::LocationScope;
use flexwonen_core::capacity::CapacityView;
use flexwonen_core::certificates::{CertificateScheme, CertificateStatus, StatusChange, certified_on};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::inspections::{
    Completion, DefectState, DefectStatus, FieldCheck, InspectionStatus, ListedAddress, LocationTraits, Measurements,
    PlanDraft, PlanStatus, compare_addresses, defect_state, field_checks, freeze, judge_measurements, may_resolve,
    plan_status, sanction_step,
};
use flexwonen_core::norms::{Constraint, NormScheme, RuleSet};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{BTreeMap, HashMap};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Defect {
    pub id: i64,
    pub inspection_id: i64,
    pub location_id: i64,
    pub operator_id: Option<i64>,
    pub scheme: NormScheme,
    pub description: String,
    pub constraint: Option<Constraint>,
    pub found_on: NaiveDate,
    pub deadline: NaiveDate,
    pub status: DefectStatus,
    pub resolved_on: Option<NaiveDate>,
    pub resolved_by_inspection_id: Option<i64>,
}

impl Defect {
    pub fn state(&self, today: NaiveDate) -> DefectState {
        defect_state(self.status, self.deadline, today)
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Inspection {
    pub id: i64,
    pub version: i64,
    pub location_id: i64,
    pub address: String,
    pub municipality_code: String,
    pub operator_id: Option<i64>,
    pub scheme: NormScheme,
    pub planned_on: NaiveDate,
    pub inspector_id: Option<i64>,
    pub inspector: Option<String>,
    pub status: InspectionStatus,
    pub done_on: Option<NaiveDate>,
    /// Frozen when done: the rule sets, each with the one version in force on `done_on`.
    pub norms: Option<Vec<RuleSet>>,
    pub traits: Option<LocationTraits>,
    pub measurements: Option<Measurements>,
    /// The judgement as stored when done (a `CapacityView`).
    pub verdict: Option<serde_json::Value>,
    pub permitted: Option<i64>,
    pub persons_present: Option<i64>,
    pub violations: Option<i64>,
    /// The defects this inspection found.
    pub defects: Vec<Defect>,
}

/// A judgement of measured values, before or when they are recorded.
#[derive(Debug, Clone, Serialize)]
pub struct InspectionVerdict {
    pub norms: Vec<RuleSet>,
    pub traits: LocationTraits,
    pub view: CapacityView,
    pub checks: Vec<FieldCheck>,
}

/// One sanction the ladder applied.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SanctionApplied {
    pub certificate_id: i64,
    pub organisation_id: i64,
    pub from: CertificateStatus,
    pub to: CertificateStatus,
    pub since: NaiveDate,
    pub defect_id: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PlanFilter {
    pub region_id: Option<i64>,
    pub inspector_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlanRow {
    pub location_id: i64,
    pub address: String,
    pub municipality_code: String,
    pub province: String,
    pub operator_name: String,
    pub status: PlanStatus,
    pub inspection_id: Option<i64>,
    pub planned_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
    pub inspector: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PlanCount {
    pub name: String,
    pub done: i64,
    pub planned: i64,
    pub due: i64,
    pub overdue: i64,
}

impl PlanCount {
    fn add(&mut self, status: PlanStatus) {
        match status {
            PlanStatus::Done => self.done += 1,
            PlanStatus::Planned => self.planned += 1,
            PlanStatus::Due => self.due += 1,
            PlanStatus::Overdue => self.overdue += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct InspectionPlan {
    pub year: i32,
    pub as_of: NaiveDate,
    pub rows: Vec<PlanRow>,
    pub total: PlanCount,
    /// Per province.
    pub by_region: Vec<PlanCount>,
    pub by_inspector: Vec<PlanCount>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegisteredAddress {
    pub location_id: i64,
    pub address: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AdminCheck {
    pub organisation_id: i64,
    pub organisation_name: String,
    pub listed: usize,
    pub registered: usize,
    /// On the list, not in the register.
    pub unregistered: Vec<ListedAddress>,
    /// In the register, not on the list.
    pub not_listed: Vec<RegisteredAddress>,
}

/// An inspection as the plan reads it: status, planned on, done on, id, inspector id and name.
type PlanRecord = (InspectionStatus, NaiveDate, Option<NaiveDate>, i64, Option<i64>, Option<String>);

const SELECT: &str = "SELECT i.id, i.version, i.location_id, i.operator_id, i.scheme, i.planned_on, i.inspector_id,
    a.username AS inspector, i.status, i.done_on, i.norms_json, i.traits_json, i.measurements_json, i.verdict_json,
    i.permitted, i.persons_present, i.violations, l.municipality_code, l.operator_id AS current_operator,
    l.street, l.house_number, l.house_letter, l.house_addition, l.postcode, l.place
    FROM inspections i JOIN locations l ON l.id = i.location_id LEFT JOIN accounts a ON a.id = i.inspector_id";

const DEFECT_SELECT: &str = "SELECT id, inspection_id, location_id, operator_id, scheme, description, constraint_code,
    found_on, deadline, status, resolved_on, resolved_by_inspection_id FROM defects";

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, crate::sql::DATE_FORMAT).ok()
}

pub(crate) fn address_of(r: &AnyRow) -> Result<String, StoreError> {
    let street: String = r.try_get("street")?;
    let number: i64 = r.try_get("house_number")?;
    let letter: Option<String> = r.try_get("house_letter")?;
    let addition: Option<String> = r.try_get("house_addition")?;
    let postcode: String = r.try_get("postcode")?;
    let place: String = r.try_get("place")?;
    let mut s = format!("{street} {number}{}", letter.unwrap_or_default());
    if let Some(a) = addition {
        s.push('-');
        s.push_str(&a);
    }
    let pc = if postcode.len() == 6 { format!("{} {}", &postcode[..4], &postcode[4..]) } else { postcode };
    Ok(format!("{s}, {pc} {place}"))
}

fn from_row(r: &AnyRow) -> Result<Inspection, StoreError> {
    Ok(Inspection {
        id: r.try_get("id")?,
        version: r.try_get("version")?,
        location_id: r.try_get("location_id")?,
        address: address_of(r)?,
        municipality_code: r.try_get("municipality_code")?,
        operator_id: r.try_get("operator_id")?,
        scheme: crate::sql::parse_code(r, "scheme", NormScheme::parse)?,
        planned_on: date_col(r, "planned_on")?,
        inspector_id: r.try_get("inspector_id")?,
        inspector: r.try_get("inspector")?,
        status: crate::sql::parse_code(r, "status", InspectionStatus::parse)?,
        done_on: opt_date_col(r, "done_on")?,
        norms: json_col(r, "norms_json")?,
        traits: json_col(r, "traits_json")?,
        measurements: json_col(r, "measurements_json")?,
        verdict: json_col(r, "verdict_json")?,
        permitted: r.try_get("permitted")?,
        persons_present: r.try_get("persons_present")?,
        violations: r.try_get("violations")?,
        defects: Vec::new(),
    })
}

fn defect_from_row(r: &AnyRow) -> Result<Defect, StoreError> {
    let constraint: Option<String> = r.try_get("constraint_code")?;
    Ok(Defect {
        id: r.try_get("id")?,
        inspection_id: r.try_get("inspection_id")?,
        location_id: r.try_get("location_id")?,
        operator_id: r.try_get("operator_id")?,
        scheme: crate::sql::parse_code(r, "scheme", NormScheme::parse)?,
        description: r.try_get("description")?,
        constraint: constraint
            .map(|c| Constraint::parse(&c).ok_or_else(|| decoding(format!("unknown constraint {c}"))))
            .transpose()?,
        found_on: date_col(r, "found_on")?,
        deadline: date_col(r, "deadline")?,
        status: crate::sql::parse_code(r, "status", DefectStatus::parse)?,
        resolved_on: opt_date_col(r, "resolved_on")?,
        resolved_by_inspection_id: r.try_get("resolved_by_inspection_id")?,
    })
}

/// Is this row's location inside `scope`? (Out of scope reads as not found.)
fn in_scope(r: &AnyRow, scope: &LocationScope) -> Result<bool, StoreError> {
    let municipality: String = r.try_get("municipality_code")?;
    let operator: Option<i64> = r.try_get("current_operator")?;
    let code = MunicipalityCode::parse(&municipality).map_err(|(_, m)| decoding(m))?;
    Ok(scope.allows(&code, operator))
}

async fn read_inspection(conn: &mut AnyConnection, scope: &LocationScope, id: i64) -> Result<Inspection, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE i.id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    if !in_scope(&row, scope)? {
        return Err(StoreError::NotFound);
    }
    let mut inspection = from_row(&row)?;
    for r in sqlx::query(sqlx::AssertSqlSafe(format!("{DEFECT_SELECT} WHERE inspection_id = $1 ORDER BY id")))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
    {
        inspection.defects.push(defect_from_row(&r)?);
    }
    Ok(inspection)
}

async fn read_defect(conn: &mut AnyConnection, id: i64) -> Result<Defect, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{DEFECT_SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    defect_from_row(&row)
}

fn traits_of(location: &Location) -> LocationTraits {
    LocationTraits {
        housing_form: location.housing_form,
        zoned_residential: location.zoned_residential,
        new_build: location.new_build,
        in_use_since: location.in_use_since,
        conversion_permit: location.conversion_permit,
        bedroom_sharing_agreed: location.bedroom_sharing_agreed,
    }
}

/// Marks a defect resolved by a done inspection of the same location, audited.
async fn resolve_in(
    conn: &mut AnyConnection,
    actor: &Actor,
    defect_id: i64,
    field: &str,
    by: &Inspection,
) -> Result<Defect, StoreError> {
    let before = match read_defect(conn, defect_id).await {
        Err(StoreError::NotFound) => {
            return Err(StoreError::invalid(field, "unknown_defect", format!("there is no defect {defect_id}")));
        }
        other => other?,
    };
    let done_on = by.done_on.ok_or_else(|| {
        StoreError::invalid("inspection_id", "inspection_not_done", format!("inspection {} is not done", by.id))
    })?;
    if before.location_id != by.location_id {
        return Err(StoreError::invalid(
            field,
            "other_location",
            format!("defect {defect_id} belongs to another location than inspection {}", by.id),
        ));
    }
    if before.status != DefectStatus::Open {
        return Err(StoreError::invalid(field, "not_open", format!("defect {defect_id} is resolved already")));
    }
    if before.inspection_id == by.id || !may_resolve(before.found_on, done_on) {
        return Err(StoreError::invalid(
            field,
            "not_a_reinspection",
            format!("defect {defect_id} found on {} can only be resolved by a later inspection", before.found_on),
        ));
    }
    // Only while still open: a concurrent resolution that got there first wins, this one fails.
    let changed = sqlx::query(
        "UPDATE defects SET status = $1, resolved_on = $2, resolved_by_inspection_id = $3 WHERE id = $4 AND status = $5",
    )
    .bind(DefectStatus::Resolved.as_str())
    .bind(done_on.to_string())
    .bind(by.id)
    .bind(defect_id)
    .bind(DefectStatus::Open.as_str())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if changed == 0 {
        return Err(StoreError::invalid(field, "not_open", format!("defect {defect_id} is resolved already")));
    }
    let after = read_defect(conn, defect_id).await?;
    record(
        conn,
        actor,
        "defect",
        defect_id,
        "resolve",
        Some(&serde_json::to_value(&before).unwrap_or_default()),
        Some(&serde_json::to_value(&after).unwrap_or_default()),
    )
    .await?;
    Ok(after)
}

/// The answer when a guarded update of inspection `id` changed no row because another
/// transaction changed it after it was read: a conflict naming the version now stored.
async fn changed_meanwhile(conn: &mut AnyConnection, id: i64) -> StoreError {
    match sqlx::query_scalar::<_, i64>("SELECT version FROM inspections WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
    {
        Ok(Some(current)) => StoreError::Conflict { current },
        Ok(None) => StoreError::NotFound,
        Err(e) => e.into(),
    }
}

impl Store {
    /// Judges measured values against the norms in force on `date` for a location, as an
    /// inspection of `scheme` would record them. Changes nothing: the phone form's check.
    pub async fn judge_inspection(
        &self,
        location: &Location,
        scheme: NormScheme,
        date: NaiveDate,
        measurements: &Measurements,
    ) -> Result<InspectionVerdict, StoreError> {
        let sets = self.rule_sets().await?;
        let municipality = MunicipalityCode::parse(&location.municipality_code).map_err(|(_, m)| decoding(m))?;
        let norms = freeze(&sets, &municipality, scheme, date);
        let traits = traits_of(location);
        let (bedrooms, index) = measurements.bedrooms();
        let facts = measurements.facts(&traits, &bedrooms);
        let judgement = judge_measurements(&norms, &municipality, scheme, &facts, date);
        let names: Vec<&str> = index.iter().map(|&i| measurements.rooms[i].name.as_str()).collect();
        let view = judgement.view(&facts, &names);
        let checks = field_checks(&judgement, &facts, &index, measurements.rooms.len());
        Ok(InspectionVerdict { norms: norms.clone(), traits, view, checks })
    }

    /// Plans an inspection of a location in `scope`. The inspector must be an inspector
    /// account whose region holds the location.
    pub async fn plan_inspection(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        draft: &PlanDraft,
    ) -> Result<Inspection, StoreError> {
        let location = match self.location(scope, draft.location_id).await {
            Err(StoreError::NotFound) => {
                return Err(StoreError::invalid("location_id", "unknown_location", "no such location in your scope"));
            }
            other => other?,
        };
        let mut tx = self.begin_write().await?;
        if let Some(inspector) = draft.inspector_id {
            let row = sqlx::query("SELECT role, region_id FROM accounts WHERE id = $1")
                .bind(inspector)
                .fetch_optional(&mut *tx)
                .await?;
            let region: Option<i64> = match &row {
                Some(r) if r.try_get::<String, _>("role")? == "inspector" => r.try_get("region_id")?,
                _ => {
                    return Err(StoreError::invalid(
                        "inspector_id",
                        "not_an_inspector",
                        "this account is not an inspector",
                    ));
                }
            };
            let covers: Option<String> = sqlx::query_scalar(
                "SELECT municipality_code FROM region_members WHERE region_id = $1 AND municipality_code = $2",
            )
            .bind(region.unwrap_or(-1))
            .bind(&location.municipality_code)
            .fetch_optional(&mut *tx)
            .await?;
            if covers.is_none() {
                return Err(StoreError::invalid(
                    "inspector_id",
                    "outside_region",
                    "this inspector's region does not hold the location",
                ));
            }
        }
        let stamp = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inspections (location_id, operator_id, scheme, planned_on, inspector_id, status, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id",
        )
        .bind(location.id)
        .bind(location.operator_id)
        .bind(draft.scheme.as_str())
        .bind(draft.planned_on.to_string())
        .bind(draft.inspector_id)
        .bind(InspectionStatus::Planned.as_str())
        .bind(&stamp)
        .fetch_one(&mut *tx)
        .await?;
        let created = read_inspection(&mut tx, &LocationScope::All, id).await?;
        record(
            &mut tx,
            actor,
            "inspection",
            id,
            "plan",
            None,
            Some(&serde_json::to_value(&created).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn inspection(&self, scope: &LocationScope, id: i64) -> Result<Inspection, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_inspection(&mut conn, scope, id).await
    }

    /// Inspections in `scope`, optionally of one location, newest planned first.
    pub async fn inspections(
        &self,
        scope: &LocationScope,
        location_id: Option<i64>,
    ) -> Result<Vec<Inspection>, StoreError> {
        if *scope == LocationScope::Nothing {
            return Ok(Vec::new());
        }
        let rows = match location_id {
            Some(l) => {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{SELECT} WHERE i.location_id = $1 ORDER BY i.planned_on DESC, i.id DESC"
                )))
                .bind(l)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY i.planned_on DESC, i.id DESC LIMIT 5000")))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        let mut out = Vec::new();
        for r in &rows {
            if in_scope(r, scope)? {
                out.push(from_row(r)?);
            }
        }
        Ok(out)
    }

    /// The defects of a location in `scope`, oldest first.
    pub async fn defects(&self, scope: &LocationScope, location_id: i64) -> Result<Vec<Defect>, StoreError> {
        self.location(scope, location_id).await?;
        let rows =
            sqlx::query(sqlx::AssertSqlSafe(format!("{DEFECT_SELECT} WHERE location_id = $1 ORDER BY found_on, id")))
                .bind(location_id)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(defect_from_row).collect()
    }

    /// Records a planned inspection as done: freezes the norm in force on the inspection
    /// date, stores the measured values and the verdict, turns findings with a deadline into
    /// defects and resolves the open defects the inspector names. All or nothing.
    pub async fn complete_inspection(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        id: i64,
        expected_version: Option<i64>,
        completion: &Completion,
    ) -> Result<Inspection, StoreError> {
        let planned = self.inspection(scope, id).await?;
        let location = self.location(&LocationScope::All, planned.location_id).await?;
        let verdict =
            self.judge_inspection(&location, planned.scheme, completion.done_on, &completion.measurements).await?;
        let mut tx = self.begin_write().await?;
        let before = read_inspection(&mut tx, scope, id).await?;
        if expected_version.is_some_and(|v| v != before.version) {
            return Err(StoreError::Conflict { current: before.version });
        }
        if before.status != InspectionStatus::Planned {
            return Err(StoreError::invalid(
                "status",
                "not_planned",
                format!("inspection {id} is {}, only a planned inspection can be recorded", before.status),
            ));
        }
        let violations = verdict.view.schemes.iter().map(|s| s.violations.len()).sum::<usize>() as i64;
        // Guarded by status and version: on PostgreSQL (read committed) a concurrent recording
        // may have committed since the read above; then no row changes and nothing is written.
        let changed = sqlx::query(
            "UPDATE inspections SET status = $1, done_on = $2, operator_id = $3, norms_json = $4, traits_json = $5,
                measurements_json = $6, verdict_json = $7, permitted = $8, persons_present = $9, violations = $10,
                inspector_id = COALESCE(inspector_id, $11), version = version + 1, updated_at = $12
             WHERE id = $13 AND status = $14 AND version = $15",
        )
        .bind(InspectionStatus::Done.as_str())
        .bind(completion.done_on.to_string())
        .bind(location.operator_id)
        .bind(to_json(&verdict.norms)?)
        .bind(to_json(&verdict.traits)?)
        .bind(to_json(&completion.measurements)?)
        .bind(to_json(&verdict.view)?)
        .bind(verdict.view.permitted.map(i64::from))
        .bind(completion.measurements.persons_present as i64)
        .bind(violations)
        .bind(actor.account_id)
        .bind(now())
        .bind(id)
        .bind(InspectionStatus::Planned.as_str())
        .bind(before.version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            return Err(changed_meanwhile(&mut tx, id).await);
        }
        let done = read_inspection(&mut tx, &LocationScope::All, id).await?;
        for finding in &completion.findings {
            let Some(deadline) = finding.deadline else { continue };
            let defect_id: i64 = sqlx::query_scalar(
                "INSERT INTO defects (inspection_id, location_id, operator_id, scheme, description, constraint_code, found_on,
                    deadline, status, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            )
            .bind(id)
            .bind(location.id)
            .bind(location.operator_id)
            .bind(planned.scheme.as_str())
            .bind(&finding.text)
            .bind(finding.constraint.map(|c| c.as_str().to_string()))
            .bind(completion.done_on.to_string())
            .bind(deadline.to_string())
            .bind(DefectStatus::Open.as_str())
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
            let defect = read_defect(&mut tx, defect_id).await?;
            record(
                &mut tx,
                actor,
                "defect",
                defect_id,
                "create",
                None,
                Some(&serde_json::to_value(&defect).unwrap_or_default()),
            )
            .await?;
        }
        for (i, defect_id) in completion.resolves.iter().enumerate() {
            resolve_in(&mut tx, actor, *defect_id, &format!("resolves[{i}]"), &done).await?;
        }
        let after = read_inspection(&mut tx, &LocationScope::All, id).await?;
        let findings = serde_json::to_value(&completion.findings).unwrap_or_default();
        let mut after_json = serde_json::to_value(&after).unwrap_or_default();
        if let Some(o) = after_json.as_object_mut() {
            o.insert("findings".into(), findings);
        }
        record(
            &mut tx,
            actor,
            "inspection",
            id,
            "record",
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            Some(&after_json),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Cancels a planned inspection.
    pub async fn cancel_inspection(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        id: i64,
    ) -> Result<Inspection, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = read_inspection(&mut tx, scope, id).await?;
        if before.status != InspectionStatus::Planned {
            return Err(StoreError::invalid("status", "not_planned", format!("inspection {id} is {}", before.status)));
        }
        // Guarded like a recording: a concurrent change since the read above changes no row.
        let changed = sqlx::query(
            "UPDATE inspections SET status = $1, version = version + 1, updated_at = $2
             WHERE id = $3 AND status = $4 AND version = $5",
        )
        .bind(InspectionStatus::Cancelled.as_str())
        .bind(now())
        .bind(id)
        .bind(InspectionStatus::Planned.as_str())
        .bind(before.version)
        .execute(&mut *tx)
        .await?;
        if changed.rows_affected() != 1 {
            return Err(changed_meanwhile(&mut tx, id).await);
        }
        let after = read_inspection(&mut tx, scope, id).await?;
        record(
            &mut tx,
            actor,
            "inspection",
            id,
            "cancel",
            Some(&serde_json::to_value(&before).unwrap_or_default()),
            Some(&serde_json::to_value(&after).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Resolves an open defect by a done re-inspection of the same location.
    pub async fn resolve_defect(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        defect_id: i64,
        inspection_id: i64,
    ) -> Result<Defect, StoreError> {
        let mut tx = self.begin_write().await?;
        let defect = read_defect(&mut tx, defect_id).await?;
        // The defect's location must be in scope.
        read_inspection(&mut tx, scope, defect.inspection_id).await?;
        let by = match read_inspection(&mut tx, scope, inspection_id).await {
            Err(StoreError::NotFound) => {
                return Err(StoreError::invalid(
                    "inspection_id",
                    "unknown_inspection",
                    "no such inspection in your scope",
                ));
            }
            other => other?,
        };
        let resolved = resolve_in(&mut tx, actor, defect_id, "defect_id", &by).await?;
        tx.commit().await?;
        Ok(resolved)
    }

    /// The sanction ladder: for every organisation with an open defect past its deadline,
    /// suspends its certificates of the inspected scheme the day after the deadline and
    /// withdraws them `WITHDRAW_AFTER_DAYS` later. One transaction, each change audited;
    /// running it twice on a day changes nothing the second time.
    pub async fn apply_sanctions(&self, today: NaiveDate, actor: &Actor) -> Result<Vec<SanctionApplied>, StoreError> {
        let mut tx = self.begin_write().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{DEFECT_SELECT} WHERE status = $1 AND deadline < $2 AND operator_id IS NOT NULL ORDER BY deadline, id"
        )))
        .bind(DefectStatus::Open.as_str())
        .bind(today.to_string())
        .fetch_all(&mut *tx)
        .await?;
        // The earliest overdue defect per organisation and scheme decides.
        let mut earliest: BTreeMap<(i64, NormScheme), Defect> = BTreeMap::new();
        for r in &rows {
            let d = defect_from_row(r)?;
            if let Some(org) = d.operator_id
                && matches!(d.scheme, NormScheme::Snf | NormScheme::Akf)
            {
                earliest.entry((org, d.scheme)).or_insert(d);
            }
        }
        let mut applied = Vec::new();
        for ((org, scheme), defect) in earliest {
            let certificates = sqlx::query(
                "SELECT id, scheme, status, valid_from, valid_until FROM certificates WHERE organisation_id = $1 ORDER BY id",
            )
            .bind(org)
            .fetch_all(&mut *tx)
            .await?;
            for c in &certificates {
                let cert_scheme = crate::sql::parse_code(c, "scheme", CertificateScheme::parse)?;
                let status = crate::sql::parse_code(c, "status", CertificateStatus::parse)?;
                let valid_from = date_col(c, "valid_from")?;
                let valid_until = opt_date_col(c, "valid_until")?;
                if cert_scheme.norm() != scheme || valid_from > today || valid_until.is_some_and(|u| u < today) {
                    continue;
                }
                let id: i64 = c.try_get("id")?;
                let last: Option<String> =
                    sqlx::query_scalar("SELECT MAX(since) FROM certificate_statuses WHERE certificate_id = $1")
                        .bind(id)
                        .fetch_one(&mut *tx)
                        .await?;
                let last = last.and_then(|s| day(&s));
                if last.is_some_and(|l| l > today) {
                    continue;
                }
                let Some((to, since)) = sanction_step(status, last, defect.deadline, today) else { continue };
                let reason = format!(
                    "defect {} ({}) open past its deadline {}: {}",
                    defect.id,
                    defect.description,
                    defect.deadline,
                    if to == CertificateStatus::Withdrawn { "withdrawn" } else { "suspended" }
                );
                crate::certificates::change_status_in(&mut tx, actor, id, &StatusChange { status: to, since, reason })
                    .await?;
                applied.push(SanctionApplied {
                    certificate_id: id,
                    organisation_id: org,
                    from: status,
                    to,
                    since,
                    defect_id: defect.id,
                });
            }
        }
        if !applied.is_empty() {
            record(
                &mut tx,
                actor,
                "sanctions",
                0,
                &format!("apply {today}"),
                None,
                Some(&serde_json::to_value(&applied).unwrap_or_default()),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(applied)
    }

    /// The yearly plan: every location in `scope` whose operator is first responsible and
    /// holds an SNF certificate in force, with where it stands for `year` on `today`.
    pub async fn inspection_plan(
        &self,
        scope: &LocationScope,
        year: i32,
        today: NaiveDate,
        filter: &PlanFilter,
    ) -> Result<InspectionPlan, StoreError> {
        let as_of = match year.cmp(&today.year()) {
            std::cmp::Ordering::Equal => today,
            std::cmp::Ordering::Less => NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today),
            std::cmp::Ordering::Greater => NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today),
        };
        let mut plan = InspectionPlan {
            year,
            as_of,
            rows: Vec::new(),
            total: PlanCount::default(),
            by_region: Vec::new(),
            by_inspector: Vec::new(),
        };
        if *scope == LocationScope::Nothing {
            return Ok(plan);
        }
        let book = self.certificate_book().await?;
        let members: Option<Vec<String>> = match filter.region_id {
            Some(r) => Some(
                sqlx::query_scalar("SELECT municipality_code FROM region_members WHERE region_id = $1")
                    .bind(r)
                    .fetch_all(&self.pool)
                    .await?,
            ),
            None => None,
        };
        let provinces: HashMap<String, String> = sqlx::query(
            "SELECT rm.municipality_code, r.name FROM region_members rm JOIN regions r ON r.id = rm.region_id WHERE r.kind = 'province'",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
        .collect::<Result<_, StoreError>>()?;
        let locations = sqlx::query(
            "SELECT l.id, l.municipality_code, l.operator_id AS current_operator, l.street, l.house_number, l.house_letter,
                    l.house_addition, l.postcode, l.place, o.name AS operator_name
             FROM locations l JOIN organisations o ON o.id = l.operator_id
             WHERE l.first_responsible = 1 ORDER BY l.municipality_code, l.place, l.street, l.house_number, l.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let prefix = format!("{year:04}-%");
        let mut entries: HashMap<i64, Vec<PlanRecord>> = HashMap::new();
        for r in sqlx::query(
            "SELECT i.id, i.location_id, i.status, i.planned_on, i.done_on, i.inspector_id, a.username
             FROM inspections i LEFT JOIN accounts a ON a.id = i.inspector_id
             WHERE i.planned_on LIKE $1 OR i.done_on LIKE $1 ORDER BY i.planned_on, i.id",
        )
        .bind(&prefix)
        .fetch_all(&self.pool)
        .await?
        {
            entries.entry(r.try_get("location_id")?).or_default().push((
                crate::sql::parse_code(&r, "status", InspectionStatus::parse)?,
                date_col(&r, "planned_on")?,
                opt_date_col(&r, "done_on")?,
                r.try_get("id")?,
                r.try_get("inspector_id")?,
                r.try_get("username")?,
            ));
        }
        let mut by_region: BTreeMap<String, PlanCount> = BTreeMap::new();
        let mut by_inspector: BTreeMap<String, PlanCount> = BTreeMap::new();
        for r in &locations {
            if !in_scope(r, scope)? {
                continue;
            }
            let municipality: String = r.try_get("municipality_code")?;
            if members.as_ref().is_some_and(|m| !m.contains(&municipality)) {
                continue;
            }
            let operator: Option<i64> = r.try_get("current_operator")?;
            let certified =
                operator.and_then(|o| book.get(&o)).map(|spans| certified_on(spans, as_of)).unwrap_or_default();
            if !certified.snf {
                continue;
            }
            let id: i64 = r.try_get("id")?;
            let list = entries.get(&id).map(Vec::as_slice).unwrap_or(&[]);
            let simple: Vec<_> = list.iter().map(|e| (e.0, e.1, e.2)).collect();
            let status = plan_status(&simple, year, today);
            // The inspection that decides: the done one, else the last planned one.
            let decisive = list
                .iter()
                .rev()
                .find(|e| e.0 == InspectionStatus::Done)
                .or_else(|| list.iter().rev().find(|e| e.0 == InspectionStatus::Planned));
            let inspector_id = decisive.and_then(|e| e.4);
            if filter.inspector_id.is_some() && inspector_id != filter.inspector_id {
                continue;
            }
            let inspector = decisive.and_then(|e| e.5.clone());
            let province = provinces.get(&municipality).cloned().unwrap_or_default();
            plan.total.add(status);
            by_region
                .entry(province.clone())
                .or_insert_with(|| PlanCount { name: province.clone(), ..Default::default() })
                .add(status);
            let key = inspector.clone().unwrap_or_default();
            by_inspector
                .entry(key.clone())
                .or_insert_with(|| PlanCount { name: key, ..Default::default() })
                .add(status);
            plan.rows.push(PlanRow {
                location_id: id,
                address: address_of(r)?,
                municipality_code: municipality,
                province,
                operator_name: r.try_get("operator_name")?,
                status,
                inspection_id: decisive.map(|e| e.3),
                planned_on: decisive.map(|e| e.1),
                done_on: decisive.and_then(|e| e.2),
                inspector,
            });
        }
        plan.by_region = by_region.into_values().collect();
        plan.by_inspector = by_inspector.into_values().collect();
        Ok(plan)
    }

    /// Compares an organisation's own list of addresses with its registered locations. Reads
    /// only; the check itself is audited.
    pub async fn admin_check(
        &self,
        actor: &Actor,
        organisation_id: i64,
        listed: &[ListedAddress],
    ) -> Result<AdminCheck, StoreError> {
        let organisation = self.organisation(organisation_id).await?;
        let rows = sqlx::query(
            "SELECT id, address_key, street, house_number, house_letter, house_addition, postcode, place
             FROM locations WHERE operator_id = $1 ORDER BY place, street, house_number, id",
        )
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?;
        let keys: Vec<String> = rows.iter().map(|r| r.try_get("address_key")).collect::<Result<_, _>>()?;
        let (unregistered, not_listed) = compare_addresses(listed, &keys);
        let mut missing = Vec::new();
        for key in not_listed {
            if let Some(r) = rows.iter().find(|r| r.try_get::<String, _>("address_key").is_ok_and(|k| &k == key)) {
                missing.push(RegisteredAddress { location_id: r.try_get("id")?, address: address_of(r)? });
            }
        }
        let check = AdminCheck {
            organisation_id,
            organisation_name: organisation.name.clone(),
            listed: listed.len(),
            registered: rows.len(),
            unregistered: unregistered.into_iter().cloned().collect(),
            not_listed: missing,
        };
        let mut tx = self.begin_write().await?;
        let summary = serde_json::json!({
            "listed": check.listed,
            "registered": check.registered,
            "unregistered": check.unregistered.iter().map(|a| a.display()).collect::<Vec<_>>(),
            "not_listed": check.not_listed.len(),
        });
        record(&mut tx, actor, "organisation", organisation_id, "administrative check", None, Some(&summary)).await?;
        tx.commit().await?;
        Ok(check)
    }
}
