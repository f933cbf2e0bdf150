//! Rule sets: the built-in ones kept in step with `data/norms/`, municipal ones added by
//! users, and the whole book read once per register generation.
//!
//! Invariant: a stored version is never updated. A built-in file whose published version
//! differs from the stored one stops start-up with an error that says to add a version.

use crate::audit::{Actor, record};
use crate::{Store, StoreError, now};
use flexwonen_core::FieldErrors;
use flexwonen_core::norms::{RuleSet, RuleSetVersion, VersionInput, builtin_rule_sets, check_follows};
use sqlx::{AnyConnection, Row};
use std::sync::Arc;

/// Who publishes the built-in sets.
const BUILTIN_PUBLISHER: &str = "flexwonen (data/norms)";

impl Store {
    /// Stores built-in rule sets and versions that are new in `data/norms/`; refuses a file
    /// that changed a version already published.
    pub async fn sync_builtin_rule_sets(&self) -> Result<(), StoreError> {
        let sets = builtin_rule_sets().map_err(|e| StoreError::invalid("data/norms", "invalid_rule_set", e))?;
        // Read inside the write transaction: two servers starting at once see each other's sync.
        let mut tx = self.begin_write().await?;
        let stored = read_rule_sets(&mut tx).await?;
        let mut changed = false;
        for set in &sets {
            let existing = stored.iter().find(|s| s.code == set.code);
            let refuse = |why: String| Err(StoreError::invalid("data/norms", "published_version_changed", why));
            match existing {
                None => {
                    insert_rule_set(&mut tx, set).await?;
                    record(
                        &mut tx,
                        &Actor::system(BUILTIN_PUBLISHER),
                        "rule_set",
                        0,
                        &format!("create {}", set.code),
                        None,
                        None,
                    )
                    .await?;
                }
                Some(e) if e.scheme != set.scheme || e.municipalities != set.municipalities || !e.builtin => {
                    return refuse(format!(
                        "rule set {} changed its scheme or municipalities; give it a new code",
                        set.code
                    ));
                }
                Some(_) => {}
            }
            for (i, version) in set.versions.iter().enumerate() {
                match existing.and_then(|s| s.versions.get(i)) {
                    Some(published) if published == version => {}
                    Some(_) => {
                        return Err(StoreError::invalid(
                            "data/norms",
                            "published_version_changed",
                            format!(
                                "version {} of rule set {} differs from the published one; add a new version instead",
                                version.version, set.code
                            ),
                        ));
                    }
                    None => {
                        insert_version(&mut tx, &set.code, version, BUILTIN_PUBLISHER).await?;
                        let what = format!("publish {} version {}", set.code, version.version);
                        record(&mut tx, &Actor::system(BUILTIN_PUBLISHER), "rule_set", 0, &what, None, None).await?;
                        changed = true;
                    }
                }
            }
        }
        if changed {
            crate::totals::bump(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every rule set with its versions, by code; read again only after a change.
    pub async fn rule_sets(&self) -> Result<Arc<Vec<RuleSet>>, StoreError> {
        self.rule_sets_at(self.generation().await?).await
    }

    /// The rule sets as of a generation the caller has just read.
    pub(crate) async fn rule_sets_at(&self, generation: i64) -> Result<Arc<Vec<RuleSet>>, StoreError> {
        if let Some(sets) = self.norms_cache.get(generation, "") {
            return Ok(sets);
        }
        let mut conn = self.pool.acquire().await?;
        let sets = Arc::new(read_rule_sets(&mut conn).await?);
        self.norms_cache.put(generation, String::new(), sets.clone());
        Ok(sets)
    }

    pub async fn rule_set(&self, code: &str) -> Result<RuleSet, StoreError> {
        self.rule_sets().await?.iter().find(|s| s.code == code).cloned().ok_or(StoreError::NotFound)
    }

    /// Publishes a new rule set (validated by core); its code must be free.
    pub async fn create_rule_set(&self, actor: &Actor, set: &RuleSet) -> Result<RuleSet, StoreError> {
        let mut tx = self.begin_write().await?;
        let taken: Option<String> = sqlx::query_scalar("SELECT code FROM rule_sets WHERE code = $1")
            .bind(&set.code)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::invalid(
                "code",
                "duplicate_code",
                format!("a rule set '{}' exists already", set.code),
            ));
        }
        for (i, m) in set.municipalities.iter().enumerate() {
            let known: Option<String> = sqlx::query_scalar("SELECT code FROM municipalities WHERE code = $1")
                .bind(m.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            if known.is_none() {
                return Err(StoreError::invalid(
                    &format!("municipalities[{i}]"),
                    "unknown_municipality",
                    format!("{m} is not a municipality"),
                ));
            }
        }
        insert_rule_set(&mut tx, set).await?;
        for version in &set.versions {
            insert_version(&mut tx, &set.code, version, &actor.name).await?;
        }
        record(
            &mut tx,
            actor,
            "rule_set",
            0,
            &format!("create {}", set.code),
            None,
            Some(&serde_json::to_value(set).unwrap_or_default()),
        )
        .await?;
        crate::totals::bump(&mut tx).await?;
        tx.commit().await?;
        Ok(set.clone())
    }

    /// Publishes the next version of a rule set; it must start after the current latest one.
    pub async fn add_rule_set_version(
        &self,
        actor: &Actor,
        code: &str,
        input: &VersionInput,
    ) -> Result<RuleSetVersion, StoreError> {
        let mut tx = self.begin_write().await?;
        let set = read_one(&mut tx, code).await?;
        let builtin: i64 =
            sqlx::query_scalar("SELECT builtin FROM rule_sets WHERE code = $1").bind(code).fetch_one(&mut *tx).await?;
        if builtin != 0 {
            return Err(StoreError::Forbidden(format!(
                "{code} is built in: it changes through data/norms/ and a release"
            )));
        }
        let number = set.versions.len() as u32 + 1;
        let mut errors = FieldErrors::new();
        let version = input.validate_into("", number, &mut errors);
        let version = match version {
            Some(v) if errors.is_empty() => v,
            _ => return Err(StoreError::Invalid(strip_prefix(errors))),
        };
        if let Some(previous) = set.versions.last() {
            check_follows(previous, &version, "", &mut errors);
        }
        // A new version changes what holds from its start on, never what was answered before.
        let today = chrono::Utc::now().date_naive();
        if errors.is_empty() && version.valid_from < today {
            errors.add("valid_from", "starts_in_past", format!("{} is before today ({today})", version.valid_from));
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(strip_prefix(errors)));
        }
        insert_version(&mut tx, code, &version, &actor.name).await?;
        record(
            &mut tx,
            actor,
            "rule_set",
            0,
            &format!("publish {code} version {number}"),
            None,
            Some(&serde_json::to_value(&version).unwrap_or_default()),
        )
        .await?;
        crate::totals::bump(&mut tx).await?;
        tx.commit().await?;
        Ok(version)
    }
}

/// Every rule set with its municipalities and versions, national schemes first.
async fn read_rule_sets(conn: &mut AnyConnection) -> Result<Vec<RuleSet>, StoreError> {
    let rows = sqlx::query("SELECT code, scheme, name, builtin FROM rule_sets").fetch_all(&mut *conn).await?;
    let mut sets = Vec::with_capacity(rows.len());
    for r in &rows {
        sets.push(RuleSet {
            code: r.try_get("code")?,
            scheme: crate::sql::parse_code(r, "scheme", flexwonen_core::norms::NormScheme::parse)?,
            name: r.try_get("name")?,
            municipalities: Vec::new(),
            builtin: r.try_get::<i64, _>("builtin")? != 0,
            versions: Vec::new(),
        });
    }
    let find = |sets: &mut Vec<RuleSet>, code: &str| sets.iter().position(|s| s.code == code);
    for r in sqlx::query(
        "SELECT rule_set_code, municipality_code FROM rule_set_municipalities ORDER BY rule_set_code, municipality_code",
    )
    .fetch_all(&mut *conn)
    .await?
    {
        let code: String = r.try_get("rule_set_code")?;
        let municipality = crate::sql::parse_code(&r, "municipality_code", |s| {
            flexwonen_core::ids::MunicipalityCode::parse(s).ok()
        })?;
        if let Some(i) = find(&mut sets, &code) {
            sets[i].municipalities.push(municipality);
        }
    }
    for r in sqlx::query("SELECT rule_set_code, version_json FROM rule_set_versions ORDER BY rule_set_code, version")
        .fetch_all(&mut *conn)
        .await?
    {
        let code: String = r.try_get("rule_set_code")?;
        let json: String = r.try_get("version_json")?;
        let version: RuleSetVersion =
            serde_json::from_str(&json).map_err(|e| crate::sql::decoding(format!("rule set {code}: {e}")))?;
        if let Some(i) = find(&mut sets, &code) {
            sets[i].versions.push(version);
        }
    }
    // National schemes first (Bouwbesluit, SNF, AKF), then municipal sets by code.
    sets.sort_by(|a, b| (a.scheme, &a.code).cmp(&(b.scheme, &b.code)));
    Ok(sets)
}

/// Version errors were collected under an empty prefix (`.rules[0].value`); drop the dot.
fn strip_prefix(mut errors: FieldErrors) -> FieldErrors {
    for e in &mut errors.0 {
        if let Some(rest) = e.field.strip_prefix('.') {
            e.field = rest.to_string();
        }
    }
    errors
}

async fn read_one(conn: &mut AnyConnection, code: &str) -> Result<RuleSet, StoreError> {
    let row = sqlx::query("SELECT code, scheme, name, builtin FROM rule_sets WHERE code = $1")
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut set = RuleSet {
        code: row.try_get("code")?,
        scheme: crate::sql::parse_code(&row, "scheme", flexwonen_core::norms::NormScheme::parse)?,
        name: row.try_get("name")?,
        municipalities: Vec::new(),
        builtin: row.try_get::<i64, _>("builtin")? != 0,
        versions: Vec::new(),
    };
    for r in sqlx::query("SELECT version_json FROM rule_set_versions WHERE rule_set_code = $1 ORDER BY version")
        .bind(code)
        .fetch_all(&mut *conn)
        .await?
    {
        let json: String = r.try_get("version_json")?;
        set.versions
            .push(serde_json::from_str(&json).map_err(|e| crate::sql::decoding(format!("rule set {code}: {e}")))?);
    }
    Ok(set)
}

async fn insert_rule_set(conn: &mut AnyConnection, set: &RuleSet) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO rule_sets (code, scheme, name, builtin, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&set.code)
        .bind(set.scheme.as_str())
        .bind(&set.name)
        .bind(set.builtin as i64)
        .bind(now())
        .execute(&mut *conn)
        .await?;
    for m in &set.municipalities {
        sqlx::query("INSERT INTO rule_set_municipalities (rule_set_code, municipality_code) VALUES ($1, $2)")
            .bind(&set.code)
            .bind(m.as_str())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

async fn insert_version(
    conn: &mut AnyConnection,
    code: &str,
    version: &RuleSetVersion,
    publisher: &str,
) -> Result<(), StoreError> {
    let json = serde_json::to_string(version)
        .map_err(|e| StoreError::Database(sqlx::Error::Encode(format!("rule set {code}: {e}").into())))?;
    sqlx::query(
        "INSERT INTO rule_set_versions (rule_set_code, version, valid_from, valid_until, version_json, published_at, published_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(code)
    .bind(version.version as i64)
    .bind(version.valid_from.to_string())
    .bind(version.valid_until.map(|d| d.to_string()))
    .bind(json)
    .bind(now())
    .bind(publisher)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
