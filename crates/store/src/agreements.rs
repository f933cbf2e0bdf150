//! Parties, the national declaration, regional agreements and pipeline projects.
//!
//! An agreement version is one validated JSON document (`agreement_versions.terms`), never
//! changed: a revision is a new row. The checks that need the database happen here, in the
//! writing transaction: the region and parties exist, the split's municipalities belong to
//! the region, a project's municipality, party, agreement and locations fit together. Every
//! write is audited and moves the register generation, which the monitor's cache follows.

use crate::audit::{Actor, record};
use crate::sql::{date_col, decoding, json_col, parse_code, to_json};
use crate::{Store, StoreError, now};
use chrono::NaiveDate;
use flexwonen_core::FieldErrors;
use flexwonen_core::access::LocationScope;
use flexwonen_core::agreements::{
    Agreement, AgreementTerms, AgreementVersion, Commitment, Declaration, DeclarationFile, Party, PartyDraft,
    PartyKind, Places, Project, ProjectDraft, Stage, StageEntry, StageInput, check_next_stage, check_revision,
};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::register::StayType;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;

fn party_from_row(r: &AnyRow) -> Result<Party, StoreError> {
    Ok(Party {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kind: parse_code(r, "kind", PartyKind::parse)?,
        municipality_code: r.try_get("municipality_code")?,
        organisation_id: r.try_get("organisation_id")?,
    })
}

async fn insert_party(conn: &mut AnyConnection, draft: &PartyDraft) -> Result<Party, StoreError> {
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM parties WHERE name = $1")
        .bind(&draft.name)
        .fetch_optional(&mut *conn)
        .await?;
    if taken.is_some() {
        return Err(StoreError::invalid(
            "name",
            "duplicate_party",
            format!("a party named '{}' exists already", draft.name),
        ));
    }
    if let Some(m) = &draft.municipality {
        let known: Option<String> = sqlx::query_scalar("SELECT code FROM municipalities WHERE code = $1")
            .bind(m.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if known.is_none() {
            return Err(StoreError::invalid(
                "municipality_code",
                "unknown_municipality",
                format!("{m} is not a municipality"),
            ));
        }
    }
    if let Some(o) = draft.organisation_id {
        let known: Option<i64> =
            sqlx::query_scalar("SELECT id FROM organisations WHERE id = $1").bind(o).fetch_optional(&mut *conn).await?;
        if known.is_none() {
            return Err(StoreError::invalid("organisation_id", "unknown_organisation", "no such organisation"));
        }
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO parties (name, kind, municipality_code, organisation_id, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&draft.name)
    .bind(draft.kind.as_str())
    .bind(draft.municipality.as_ref().map(|m| m.as_str().to_string()))
    .bind(draft.organisation_id)
    .bind(now())
    .fetch_one(&mut *conn)
    .await?;
    Ok(Party {
        id,
        name: draft.name.clone(),
        kind: draft.kind,
        municipality_code: draft.municipality.as_ref().map(|m| m.as_str().to_string()),
        organisation_id: draft.organisation_id,
    })
}

/// The ids among `ids` that are no party.
async fn unknown_parties(conn: &mut AnyConnection, ids: impl IntoIterator<Item = i64>) -> Result<Vec<i64>, StoreError> {
    let mut unknown = Vec::new();
    for id in ids {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM parties WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
        if found.is_none() {
            unknown.push(id);
        }
    }
    Ok(unknown)
}

/// The checks of an agreement version that need the database.
async fn check_terms(conn: &mut AnyConnection, region_id: i64, terms: &AgreementTerms) -> Result<(), StoreError> {
    let region: Option<i64> =
        sqlx::query_scalar("SELECT id FROM regions WHERE id = $1").bind(region_id).fetch_optional(&mut *conn).await?;
    if region.is_none() {
        return Err(StoreError::invalid("region_id", "unknown_region", format!("there is no region {region_id}")));
    }
    let members: Vec<String> = sqlx::query_scalar("SELECT municipality_code FROM region_members WHERE region_id = $1")
        .bind(region_id)
        .fetch_all(&mut *conn)
        .await?;
    let mut e = FieldErrors::new();
    for (i, s) in terms.municipality_split.iter().enumerate() {
        if !members.contains(&s.municipality_code) {
            e.add(
                format!("municipality_split[{i}].municipality_code"),
                "not_in_region",
                format!("{} is not a municipality of the region", s.municipality_code),
            );
        }
    }
    let unknown = unknown_parties(&mut *conn, terms.party_ids()).await?;
    for (i, s) in terms.signatories.iter().enumerate() {
        if unknown.contains(&s.party_id) {
            e.add(format!("signatories[{i}].party_id"), "unknown_party", format!("there is no party {}", s.party_id));
        }
    }
    e.into_result(|| ()).map_err(StoreError::Invalid)
}

async fn read_agreements(conn: &mut AnyConnection, id: Option<i64>) -> Result<Vec<Agreement>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.id, a.region_id, v.version, v.terms FROM agreements a
         JOIN agreement_versions v ON v.agreement_id = a.id
         WHERE $1 IS NULL OR a.id = $1 ORDER BY a.id, v.version",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut out: Vec<Agreement> = Vec::new();
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        let terms: AgreementTerms = json_col(r, "terms")?.ok_or_else(|| decoding("agreement terms missing"))?;
        let version = AgreementVersion { version: r.try_get("version")?, warnings: terms.warnings(), terms };
        match out.last_mut() {
            Some(a) if a.id == id => a.versions.push(version),
            _ => out.push(Agreement { id, region_id: r.try_get("region_id")?, versions: vec![version] }),
        }
    }
    Ok(out)
}

async fn read_agreement(conn: &mut AnyConnection, id: i64) -> Result<Agreement, StoreError> {
    read_agreements(conn, Some(id)).await?.pop().ok_or(StoreError::NotFound)
}

async fn insert_version(
    conn: &mut AnyConnection,
    agreement_id: i64,
    version: i64,
    terms: &AgreementTerms,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO agreement_versions (agreement_id, version, applies_from, terms, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(agreement_id)
    .bind(version)
    .bind(terms.applies_from.to_string())
    .bind(to_json(terms)?)
    .bind(now())
    .execute(conn)
    .await?;
    Ok(())
}

fn audit_value<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or_default()
}

async fn read_projects(conn: &mut AnyConnection, id: Option<i64>) -> Result<Vec<Project>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, municipality_code, party_id, agreement_id, planned_short, planned_mid, planned_long, synthetic, version
         FROM projects WHERE $1 IS NULL OR id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let mut projects = Vec::with_capacity(rows.len());
    let mut index = HashMap::new();
    for r in &rows {
        let planned = [
            (StayType::Short, r.try_get::<i64, _>("planned_short")?),
            (StayType::Mid, r.try_get("planned_mid")?),
            (StayType::Long, r.try_get("planned_long")?),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(stay_type, places)| Places { stay_type, places })
        .collect();
        let p = Project {
            id: r.try_get("id")?,
            name: r.try_get("name")?,
            municipality_code: r.try_get("municipality_code")?,
            party_id: r.try_get("party_id")?,
            agreement_id: r.try_get("agreement_id")?,
            planned,
            stages: Vec::new(),
            location_ids: Vec::new(),
            synthetic: r.try_get::<i64, _>("synthetic")? != 0,
            version: r.try_get("version")?,
        };
        index.insert(p.id, projects.len());
        projects.push(p);
    }
    let stages = sqlx::query(
        "SELECT project_id, stage, reached_on FROM project_stages WHERE $1 IS NULL OR project_id = $1 ORDER BY project_id, position",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &stages {
        if let Some(&i) = index.get(&r.try_get::<i64, _>("project_id")?) {
            projects[i]
                .stages
                .push(StageEntry { stage: parse_code(r, "stage", Stage::parse)?, date: date_col(r, "reached_on")? });
        }
    }
    let links = sqlx::query(
        "SELECT project_id, location_id FROM project_locations WHERE $1 IS NULL OR project_id = $1 ORDER BY project_id, location_id",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    for r in &links {
        if let Some(&i) = index.get(&r.try_get::<i64, _>("project_id")?) {
            projects[i].location_ids.push(r.try_get("location_id")?);
        }
    }
    Ok(projects)
}

async fn read_project(conn: &mut AnyConnection, id: i64) -> Result<Project, StoreError> {
    read_projects(conn, Some(id)).await?.pop().ok_or(StoreError::NotFound)
}

/// Links locations to a project: each must be one the caller may read (others are
/// unknown, as everywhere), lie in the project's municipality and belong to no other project.
async fn link_locations(
    conn: &mut AnyConnection,
    scope: &LocationScope,
    project_id: i64,
    municipality: &str,
    location_ids: &[i64],
) -> Result<(), StoreError> {
    let mut e = FieldErrors::new();
    for (i, id) in location_ids.iter().enumerate() {
        let field = format!("location_ids[{i}]");
        let row = sqlx::query(
            "SELECT l.municipality_code, l.operator_id, p.project_id FROM locations l
             LEFT JOIN project_locations p ON p.location_id = l.id WHERE l.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        let readable = match &row {
            Some(r) => {
                let code: String = r.try_get("municipality_code")?;
                let operator: Option<i64> = r.try_get("operator_id")?;
                MunicipalityCode::parse(&code).is_ok_and(|m| scope.allows(&m, operator))
            }
            None => false,
        };
        let Some(row) = row.filter(|_| readable) else {
            e.add(field, "unknown_location", format!("there is no location {id}"));
            continue;
        };
        let code: String = row.try_get("municipality_code")?;
        let other: Option<i64> = row.try_get("project_id")?;
        if code != municipality {
            e.add(field, "location_elsewhere", format!("location {id} lies in {code}, not in {municipality}"));
        } else if other.is_some_and(|o| o != project_id) {
            e.add(field, "location_taken", format!("location {id} belongs to project {}", other.unwrap_or_default()));
        }
    }
    if !e.is_empty() {
        return Err(StoreError::Invalid(e));
    }
    sqlx::query("DELETE FROM project_locations WHERE project_id = $1").bind(project_id).execute(&mut *conn).await?;
    for id in location_ids {
        sqlx::query("INSERT INTO project_locations (location_id, project_id) VALUES ($1, $2)")
            .bind(id)
            .bind(project_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn insert_stage(
    conn: &mut AnyConnection,
    project_id: i64,
    position: i64,
    entry: StageEntry,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO project_stages (project_id, position, stage, reached_on) VALUES ($1, $2, $3, $4)")
        .bind(project_id)
        .bind(position)
        .bind(entry.stage.as_str())
        .bind(entry.date.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// A project as it was and as it is, in the audit log; the register generation moves.
async fn finish_project_change(
    conn: &mut AnyConnection,
    actor: &Actor,
    action: &str,
    before: Option<&Project>,
    id: i64,
) -> Result<Project, StoreError> {
    let after = read_project(&mut *conn, id).await?;
    record(&mut *conn, actor, "project", id, action, before.map(audit_value).as_ref(), Some(&audit_value(&after)))
        .await?;
    crate::totals::bump(conn).await?;
    Ok(after)
}

/// A project with its first stage and locations, after the checks that need the database:
/// the municipality and party exist, the municipality is in the agreement's region.
async fn insert_project(
    conn: &mut AnyConnection,
    scope: &LocationScope,
    draft: &ProjectDraft,
) -> Result<i64, StoreError> {
    let code = draft.municipality.as_str();
    let known: Option<String> = sqlx::query_scalar("SELECT code FROM municipalities WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    if known.is_none() {
        return Err(StoreError::invalid(
            "municipality_code",
            "unknown_municipality",
            format!("{code} is not a municipality"),
        ));
    }
    if !unknown_parties(&mut *conn, [draft.party_id]).await?.is_empty() {
        return Err(StoreError::invalid("party_id", "unknown_party", format!("there is no party {}", draft.party_id)));
    }
    if let Some(a) = draft.agreement_id {
        let member: Option<(i64, Option<String>)> = sqlx::query_as(
            "SELECT a.id, m.municipality_code FROM agreements a
                 LEFT JOIN region_members m ON m.region_id = a.region_id AND m.municipality_code = $2 WHERE a.id = $1",
        )
        .bind(a)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
        match member {
            None => {
                return Err(StoreError::invalid(
                    "agreement_id",
                    "unknown_agreement",
                    format!("there is no agreement {a}"),
                ));
            }
            Some((_, None)) => {
                return Err(StoreError::invalid(
                    "agreement_id",
                    "not_in_region",
                    format!("{code} is not in the region of agreement {a}"),
                ));
            }
            Some(_) => {}
        }
    }
    let planned = |t: StayType| draft.planned.iter().filter(|p| p.stay_type == t).map(|p| p.places).sum::<i64>();
    let stamp = now();
    let id: i64 = sqlx::query_scalar(
            "INSERT INTO projects (name, municipality_code, party_id, agreement_id, planned_short, planned_mid, planned_long,
                 synthetic, version, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9, $9) RETURNING id",
        )
        .bind(&draft.name)
        .bind(code)
        .bind(draft.party_id)
        .bind(draft.agreement_id)
        .bind(planned(StayType::Short))
        .bind(planned(StayType::Mid))
        .bind(planned(StayType::Long))
        .bind(i64::from(draft.synthetic))
        .bind(&stamp)
        .fetch_one(&mut *conn)
        .await?;
    insert_stage(&mut *conn, id, 0, draft.first_stage).await?;
    link_locations(&mut *conn, scope, id, code, &draft.location_ids).await?;
    Ok(id)
}

/// A demo project: its draft and every stage after the first, oldest first.
pub struct ProjectLoad {
    pub draft: ProjectDraft,
    pub later_stages: Vec<StageEntry>,
}

impl Store {
    /// Loads the national declaration of 2012 and its parties once (by its title).
    pub(crate) async fn sync_declaration(&self, file: &DeclarationFile) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM declarations WHERE title = $1")
            .bind(&file.title)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Ok(());
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO declarations (title, signed_on, summary, source) VALUES ($1, $2, $3, $4) RETURNING id",
        )
        .bind(&file.title)
        .bind(file.signed_on.to_string())
        .bind(&file.summary)
        .bind(&file.source)
        .fetch_one(&mut *tx)
        .await?;
        for (position, p) in file.parties.iter().enumerate() {
            let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM parties WHERE name = $1")
                .bind(&p.name)
                .fetch_optional(&mut *tx)
                .await?;
            let party_id = match existing {
                Some(id) => id,
                None => {
                    let municipality = match &p.municipality_code {
                        Some(m) => Some(
                            flexwonen_core::ids::MunicipalityCode::parse(m)
                                .map_err(|(_, msg)| decoding(format!("declaration party {}: {msg}", p.name)))?,
                        ),
                        None => None,
                    };
                    let draft = PartyDraft { name: p.name.clone(), kind: p.kind, municipality, organisation_id: None };
                    insert_party(&mut tx, &draft).await?.id
                }
            };
            sqlx::query(
                "INSERT INTO declaration_commitments (declaration_id, party_id, position, commitment) VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(party_id)
            .bind(position as i64)
            .bind(&p.commitment)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The national declaration with each party's commitment, if loaded.
    pub async fn declaration(&self) -> Result<Option<Declaration>, StoreError> {
        let Some(r) = sqlx::query("SELECT id, title, signed_on, summary, source FROM declarations ORDER BY id LIMIT 1")
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let id: i64 = r.try_get("id")?;
        let rows = sqlx::query(
            "SELECT p.id, p.name, p.kind, p.municipality_code, p.organisation_id, c.commitment
             FROM declaration_commitments c JOIN parties p ON p.id = c.party_id
             WHERE c.declaration_id = $1 ORDER BY c.position",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        let commitments = rows
            .iter()
            .map(|r| Ok(Commitment { party: party_from_row(r)?, commitment: r.try_get("commitment")? }))
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(Some(Declaration {
            id,
            title: r.try_get("title")?,
            signed_on: date_col(&r, "signed_on")?,
            summary: r.try_get("summary")?,
            source: r.try_get("source")?,
            commitments,
        }))
    }

    pub async fn parties(&self) -> Result<Vec<Party>, StoreError> {
        let rows = sqlx::query("SELECT id, name, kind, municipality_code, organisation_id FROM parties ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(party_from_row).collect()
    }

    pub async fn create_party(&self, actor: &Actor, draft: &PartyDraft) -> Result<Party, StoreError> {
        let mut tx = self.begin_write().await?;
        let party = insert_party(&mut tx, draft).await?;
        record(&mut tx, actor, "party", party.id, "create", None, Some(&audit_value(&party))).await?;
        crate::totals::bump(&mut tx).await?;
        tx.commit().await?;
        Ok(party)
    }

    /// Every agreement with all its versions, by id.
    pub async fn agreements(&self) -> Result<Vec<Agreement>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_agreements(&mut conn, None).await
    }

    pub async fn agreement(&self, id: i64) -> Result<Agreement, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_agreement(&mut conn, id).await
    }

    /// A new regional agreement with its first version.
    pub async fn create_agreement(
        &self,
        actor: &Actor,
        region_id: i64,
        terms: &AgreementTerms,
    ) -> Result<Agreement, StoreError> {
        let mut tx = self.begin_write().await?;
        check_terms(&mut tx, region_id, terms).await?;
        let existing: Option<i64> = sqlx::query_scalar("SELECT id FROM agreements WHERE region_id = $1")
            .bind(region_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(a) = existing {
            return Err(StoreError::invalid(
                "region_id",
                "agreement_exists",
                format!("the region has agreement {a} already; revise it with a new version"),
            ));
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO agreements (region_id, created_at) VALUES ($1, $2) RETURNING id")
            .bind(region_id)
            .bind(now())
            .fetch_one(&mut *tx)
            .await?;
        insert_version(&mut tx, id, 1, terms).await?;
        let created = read_agreement(&mut tx, id).await?;
        record(&mut tx, actor, "agreement", id, "create", None, Some(&audit_value(&created))).await?;
        crate::totals::bump(&mut tx).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// A revision: a new version of the agreement for the same region, applying from a
    /// later date than the current one.
    pub async fn revise_agreement(
        &self,
        actor: &Actor,
        id: i64,
        region_id: i64,
        terms: &AgreementTerms,
    ) -> Result<Agreement, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = read_agreement(&mut tx, id).await?;
        if region_id != before.region_id {
            return Err(StoreError::invalid(
                "region_id",
                "other_region",
                format!("agreement {id} is of region {}; a revision keeps its region", before.region_id),
            ));
        }
        let latest = before.latest().ok_or(StoreError::NotFound)?;
        check_revision(&latest.terms, terms).map_err(StoreError::Invalid)?;
        check_terms(&mut tx, region_id, terms).await?;
        insert_version(&mut tx, id, latest.version + 1, terms).await?;
        let after = read_agreement(&mut tx, id).await?;
        let version = after.latest().map(audit_value);
        record(&mut tx, actor, "agreement", id, "revise", before.latest().map(audit_value).as_ref(), version.as_ref())
            .await?;
        crate::totals::bump(&mut tx).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn projects(&self) -> Result<Vec<Project>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_projects(&mut conn, None).await
    }

    pub async fn project(&self, id: i64) -> Result<Project, StoreError> {
        let mut conn = self.pool.acquire().await?;
        read_project(&mut conn, id).await
    }

    /// A new project; `scope` is what the caller may read, and so link.
    pub async fn create_project(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        draft: &ProjectDraft,
    ) -> Result<Project, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = insert_project(&mut tx, scope, draft).await?;
        let created = finish_project_change(&mut tx, actor, "create", None, id).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// The demo's projects in one transaction, each with the stages after its first, and one
    /// audit entry; the same checks as one by one. Returns how many were loaded.
    pub async fn bulk_load_projects(
        &self,
        actor: &Actor,
        projects: &[ProjectLoad],
        today: NaiveDate,
    ) -> Result<usize, StoreError> {
        let mut tx = self.begin_write().await?;
        for p in projects {
            let mut history = vec![p.draft.first_stage];
            for stage in &p.later_stages {
                check_next_stage(&history, *stage, today).map_err(StoreError::Invalid)?;
                history.push(*stage);
            }
            let id = insert_project(&mut tx, &LocationScope::All, &p.draft).await?;
            for (i, stage) in p.later_stages.iter().enumerate() {
                insert_stage(&mut tx, id, i as i64 + 1, *stage).await?;
            }
        }
        record(&mut tx, actor, "project", 0, "bulk_load", None, Some(&serde_json::json!({"projects": projects.len()})))
            .await?;
        crate::totals::bump(&mut tx).await?;
        tx.commit().await?;
        Ok(projects.len())
    }

    /// Records the next stage a project reached (see [`StageInput::validate`]).
    pub async fn add_project_stage(
        &self,
        actor: &Actor,
        id: i64,
        input: &StageInput,
        today: NaiveDate,
    ) -> Result<Project, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = read_project(&mut tx, id).await?;
        let entry = input.validate(&before.stages, today).map_err(StoreError::Invalid)?;
        claim_version(&mut tx, &before, input.version).await?;
        insert_stage(&mut tx, id, before.stages.len() as i64, entry).await?;
        let after = finish_project_change(&mut tx, actor, "stage", Some(&before), id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Replaces the register locations a project delivered.
    pub async fn set_project_locations(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        id: i64,
        version: i64,
        location_ids: &[i64],
    ) -> Result<Project, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = read_project(&mut tx, id).await?;
        claim_version(&mut tx, &before, version).await?;
        link_locations(&mut tx, scope, id, &before.municipality_code, location_ids).await?;
        let after = finish_project_change(&mut tx, actor, "locations", Some(&before), id).await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// Moves the project to its next version, if it is still at the one the caller read: one
/// statement, so of two concurrent changes the second finds no row and is a conflict.
async fn claim_version(conn: &mut AnyConnection, before: &Project, expected: i64) -> Result<(), StoreError> {
    let changed =
        sqlx::query("UPDATE projects SET version = version + 1, updated_at = $3 WHERE id = $1 AND version = $2")
            .bind(before.id)
            .bind(expected)
            .bind(now())
            .execute(conn)
            .await?
            .rows_affected();
    if changed == 0 {
        return Err(StoreError::Conflict { current: before.version });
    }
    Ok(())
}
