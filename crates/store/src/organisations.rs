//! Organisations: providers, agencies, municipalities, the parties of the 2012 declaration.

use crate::audit::{Actor, record};
use crate::sql::Sql;
use crate::{Page, Store, StoreError, now};
use flexwonen_core::register::{OrganisationDraft, OrganisationKind};
use serde::Serialize;
use sqlx::{AnyConnection, Row};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kvk: Option<String>,
    pub kind: OrganisationKind,
    pub municipality_code: Option<String>,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<Organisation, StoreError> {
    Ok(Organisation {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        kvk: r.try_get("kvk")?,
        kind: crate::sql::parse_code(r, "kind", OrganisationKind::parse)?,
        municipality_code: r.try_get("municipality_code")?,
    })
}

impl Store {
    pub async fn create_organisation(
        &self,
        actor: &Actor,
        draft: &OrganisationDraft,
    ) -> Result<Organisation, StoreError> {
        let mut tx = self.begin_write().await?;
        let id = insert_organisation(&mut tx, draft).await?;
        let org = Organisation {
            id,
            name: draft.name.clone(),
            kvk: draft.kvk.as_ref().map(|k| k.as_str().to_string()),
            kind: draft.kind,
            municipality_code: draft.municipality.as_ref().map(|m| m.to_string()),
        };
        record(
            &mut tx,
            actor,
            "organisation",
            id,
            "create",
            None,
            Some(&serde_json::to_value(&org).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        Ok(org)
    }

    pub async fn organisation(&self, id: i64) -> Result<Organisation, StoreError> {
        let row = sqlx::query("SELECT id, name, kvk, kind, municipality_code FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        from_row(&row)
    }

    pub async fn organisation_by_kvk(&self, kvk: &str) -> Result<Option<Organisation>, StoreError> {
        let row = sqlx::query("SELECT id, name, kvk, kind, municipality_code FROM organisations WHERE kvk = $1")
            .bind(kvk)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Organisations by name, optionally of one kind and matching a search text.
    pub async fn organisations(
        &self,
        kind: Option<OrganisationKind>,
        q: Option<&str>,
        page: i64,
        per_page: i64,
    ) -> Result<Page<Organisation>, StoreError> {
        let mut filter = Sql::new(" WHERE 1 = 1");
        if let Some(k) = kind {
            filter.push(" AND kind = ").bind(k.as_str());
        }
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            filter.push(" AND (LOWER(name) LIKE ").bind(format!("%{}%", q.to_lowercase()));
            filter.push(" OR kvk = ").bind(q).push(")");
        }
        let count = filter.prefixed("SELECT COUNT(*) AS n FROM organisations");
        let mut list = filter.prefixed("SELECT id, name, kvk, kind, municipality_code FROM organisations");
        list.push(" ORDER BY name, id LIMIT ").bind(per_page).push(" OFFSET ").bind((page - 1) * per_page);
        let total: i64 = count.query().fetch_one(&self.pool).await?.try_get("n")?;
        let rows = list.query().fetch_all(&self.pool).await?;
        Ok(Page { items: rows.iter().map(from_row).collect::<Result<_, _>>()?, total, page, per_page })
    }
}

pub(crate) async fn insert_organisation(
    conn: &mut AnyConnection,
    draft: &OrganisationDraft,
) -> Result<i64, StoreError> {
    if let Some(kvk) = &draft.kvk {
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE kvk = $1")
            .bind(kvk.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_some() {
            return Err(StoreError::invalid(
                "kvk",
                "duplicate_kvk",
                format!("KvK number {} is already registered", kvk.as_str()),
            ));
        }
    }
    if let Some(m) = &draft.municipality {
        let found: Option<String> = sqlx::query_scalar("SELECT code FROM municipalities WHERE code = $1")
            .bind(m.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(StoreError::invalid(
                "municipality_code",
                "unknown_municipality",
                format!("there is no municipality {m}"),
            ));
        }
    }
    Ok(sqlx::query_scalar("INSERT INTO organisations (name, kvk, kind, municipality_code, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
        .bind(&draft.name)
        .bind(draft.kvk.as_ref().map(|k| k.as_str().to_string()))
        .bind(draft.kind.as_str())
        .bind(draft.municipality.as_ref().map(|m| m.as_str().to_string()))
        .bind(now())
        .fetch_one(&mut *conn)
        .await?)
}
