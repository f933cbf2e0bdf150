//! Municipalities and regions. Municipalities are fixed reference data (the CBS list);
//! regions are data an administrator can create and change.

use crate::audit::{Actor, record};
use crate::{Store, StoreError, now};
use flexwonen_core::geography::{Municipality, RegionDef, RegionKind};
use flexwonen_core::ids::MunicipalityCode;
use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct MunicipalityRow {
    pub code: String,
    pub name: String,
    pub province_code: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RegionRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: RegionKind,
    pub member_count: i64,
}

fn municipality_from_row(r: &sqlx::any::AnyRow) -> Result<MunicipalityRow, StoreError> {
    Ok(MunicipalityRow {
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        province_code: r.try_get("province_code")?,
    })
}

fn region_from_row(r: &sqlx::any::AnyRow) -> Result<RegionRow, StoreError> {
    Ok(RegionRow {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        name: r.try_get("name")?,
        kind: crate::sql::parse_code(r, "kind", RegionKind::parse)?,
        member_count: r.try_get("member_count")?,
    })
}

const REGION_SELECT: &str = "SELECT r.id, r.code, r.name, r.kind,
    (SELECT COUNT(*) FROM region_members m WHERE m.region_id = r.id) AS member_count FROM regions r";

impl Store {
    /// Loads the municipalities and standard regions when the database has none yet, then
    /// the built-in rule sets (some name municipalities) and the national declaration.
    pub async fn seed_geography(
        &self,
        municipalities: &[Municipality],
        regions: &[RegionDef],
    ) -> Result<bool, StoreError> {
        let loaded = self.load_geography(municipalities, regions).await?;
        self.sync_builtin_rule_sets().await?;
        let declaration = flexwonen_core::agreements::declaration_2012().map_err(crate::sql::decoding)?;
        self.sync_declaration(&declaration).await?;
        Ok(loaded)
    }

    async fn load_geography(&self, municipalities: &[Municipality], regions: &[RegionDef]) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM municipalities").fetch_one(&mut *tx).await?;
        if existing > 0 {
            return Ok(false);
        }
        let mut sql = crate::sql::Sql::new("INSERT INTO municipalities (code, name, province_code) VALUES ");
        for (i, m) in municipalities.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_list([m.code.as_str(), &m.name, &m.province_code]);
        }
        sql.query().execute(&mut *tx).await?;
        for r in regions {
            insert_region(&mut tx, &r.code, &r.name, r.kind, &r.members).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    pub async fn municipalities(&self) -> Result<Vec<MunicipalityRow>, StoreError> {
        let rows = sqlx::query("SELECT code, name, province_code FROM municipalities ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(municipality_from_row).collect()
    }

    pub async fn municipality(&self, code: &MunicipalityCode) -> Result<MunicipalityRow, StoreError> {
        let r = sqlx::query("SELECT code, name, province_code FROM municipalities WHERE code = $1")
            .bind(code.as_str())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        municipality_from_row(&r)
    }

    pub async fn regions(&self, kind: Option<RegionKind>) -> Result<Vec<RegionRow>, StoreError> {
        let rows = match kind {
            Some(k) => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{REGION_SELECT} WHERE r.kind = $1 ORDER BY r.name")))
                    .bind(k.as_str())
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{REGION_SELECT} ORDER BY r.kind, r.name")))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(region_from_row).collect()
    }

    pub async fn region(&self, id: i64) -> Result<RegionRow, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{REGION_SELECT} WHERE r.id = $1")))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        region_from_row(&row)
    }

    pub async fn region_by_code(&self, code: &str) -> Result<RegionRow, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{REGION_SELECT} WHERE r.code = $1")))
            .bind(code)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        region_from_row(&row)
    }

    pub async fn region_members(&self, region_id: i64) -> Result<Vec<MunicipalityRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.code, m.name, m.province_code FROM region_members rm JOIN municipalities m ON m.code = rm.municipality_code
             WHERE rm.region_id = $1 ORDER BY m.name",
        )
        .bind(region_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(municipality_from_row).collect()
    }

    /// The regions a municipality belongs to.
    pub async fn regions_of(&self, code: &MunicipalityCode) -> Result<Vec<RegionRow>, StoreError> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{REGION_SELECT} WHERE r.id IN (SELECT region_id FROM region_members WHERE municipality_code = $1) ORDER BY r.kind, r.name"
        )))
        .bind(code.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(region_from_row).collect()
    }

    /// Creates a custom region. Its code is derived from the name and made unique.
    pub async fn create_region(
        &self,
        actor: &Actor,
        name: &str,
        members: &[MunicipalityCode],
    ) -> Result<RegionRow, StoreError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StoreError::invalid("name", "required", "a region needs a name of 1 to 200 characters"));
        }
        let mut tx = self.begin_write().await?;
        check_municipalities(&mut tx, members).await?;
        let slug: String = name
            .to_lowercase()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect::<String>()
            .split('-')
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("-");
        // The first of custom-SLUG, custom-SLUG-2, custom-SLUG-3, … that is free.
        let mut code = format!("custom-{slug}");
        for n in 2.. {
            let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM regions WHERE code = $1")
                .bind(&code)
                .fetch_optional(&mut *tx)
                .await?;
            if taken.is_none() {
                break;
            }
            code = format!("custom-{slug}-{n}");
        }
        let id = insert_region(&mut tx, &code, name, RegionKind::Custom, members).await?;
        let after = serde_json::json!({"code": code, "name": name, "members": members});
        record(&mut tx, actor, "region", id, "create", None, Some(&after)).await?;
        crate::totals::bump(&mut tx).await?;
        tx.commit().await?;
        self.region(id).await
    }

    /// Replaces a region's membership, audited with the old and new member lists.
    pub async fn set_region_members(
        &self,
        actor: &Actor,
        region_id: i64,
        members: &[MunicipalityCode],
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT id FROM regions WHERE id = $1").bind(region_id).fetch_optional(&mut *tx).await?;
        exists.ok_or(StoreError::NotFound)?;
        check_municipalities(&mut tx, members).await?;
        let before: Vec<String> = sqlx::query_scalar(
            "SELECT municipality_code FROM region_members WHERE region_id = $1 ORDER BY municipality_code",
        )
        .bind(region_id)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM region_members WHERE region_id = $1").bind(region_id).execute(&mut *tx).await?;
        insert_members(&mut tx, region_id, members).await?;
        let mut after: Vec<&str> = members.iter().map(|m| m.as_str()).collect();
        after.sort();
        after.dedup();
        record(
            &mut tx,
            actor,
            "region",
            region_id,
            "set_members",
            Some(&serde_json::json!({"members": before})),
            Some(&serde_json::json!({"members": after})),
        )
        .await?;
        crate::totals::bump(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Regions (of one kind, or all) with the codes of their member municipalities, in two
    /// queries: what the overview pages need to add up totals per region.
    pub async fn regions_with_members(
        &self,
        kind: Option<RegionKind>,
    ) -> Result<Vec<(RegionRow, Vec<String>)>, StoreError> {
        let regions = self.regions(kind).await?;
        let rows = match kind {
            Some(k) => sqlx::query("SELECT rm.region_id, rm.municipality_code FROM region_members rm JOIN regions r ON r.id = rm.region_id WHERE r.kind = $1")
                .bind(k.as_str())
                .fetch_all(&self.pool)
                .await?,
            None => sqlx::query("SELECT region_id, municipality_code FROM region_members").fetch_all(&self.pool).await?,
        };
        let mut members: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
        for r in rows {
            members.entry(r.try_get("region_id")?).or_default().push(r.try_get("municipality_code")?);
        }
        Ok(regions
            .into_iter()
            .map(|r| {
                let m = members.remove(&r.id).unwrap_or_default();
                (r, m)
            })
            .collect())
    }

    pub(crate) async fn member_codes(&self, region_id: i64) -> Result<Vec<MunicipalityCode>, StoreError> {
        let codes: Vec<String> =
            sqlx::query_scalar("SELECT municipality_code FROM region_members WHERE region_id = $1")
                .bind(region_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(codes.iter().filter_map(|c| MunicipalityCode::parse(c).ok()).collect())
    }
}

async fn check_municipalities(conn: &mut AnyConnection, members: &[MunicipalityCode]) -> Result<(), StoreError> {
    for (i, m) in members.iter().enumerate() {
        let found: Option<String> = sqlx::query_scalar("SELECT code FROM municipalities WHERE code = $1")
            .bind(m.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(StoreError::invalid(
                &format!("members[{i}]"),
                "unknown_municipality",
                format!("there is no municipality {m}"),
            ));
        }
    }
    Ok(())
}

async fn insert_region(
    conn: &mut AnyConnection,
    code: &str,
    name: &str,
    kind: RegionKind,
    members: &[MunicipalityCode],
) -> Result<i64, StoreError> {
    let id: i64 =
        sqlx::query_scalar("INSERT INTO regions (code, name, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(code)
            .bind(name)
            .bind(kind.as_str())
            .bind(now())
            .fetch_one(&mut *conn)
            .await?;
    insert_members(conn, id, members).await?;
    Ok(id)
}

async fn insert_members(
    conn: &mut AnyConnection,
    region_id: i64,
    members: &[MunicipalityCode],
) -> Result<(), StoreError> {
    if members.is_empty() {
        return Ok(());
    }
    let mut sql = crate::sql::Sql::new("INSERT INTO region_members (region_id, municipality_code) VALUES ");
    for (i, m) in members.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(").bind(region_id).push(", ").bind(m.as_str()).push(")");
    }
    sql.push(" ON CONFLICT DO NOTHING");
    sql.query().execute(conn).await?;
    Ok(())
}
