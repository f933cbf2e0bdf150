//! The audit trail: who changed what, when, with the values before and after.

use crate::{StoreError, now};
use serde::Serialize;
use sqlx::{Any, AnyConnection, Row};

/// Who makes a change: an account, or the system itself (demo data, an import).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        Actor { account_id: None, name: name.to_string() }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor: String,
    pub entity: String,
    pub entity_id: i64,
    pub action: String,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

pub(crate) async fn record(
    conn: &mut AnyConnection,
    actor: &Actor,
    entity: &str,
    entity_id: i64,
    action: &str,
    before: Option<&serde_json::Value>,
    after: Option<&serde_json::Value>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at, account_id, actor, entity, entity_id, action, before_json, after_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now())
    .bind(actor.account_id)
    .bind(&actor.name)
    .bind(entity)
    .bind(entity_id)
    .bind(action)
    .bind(before.map(|v| v.to_string()))
    .bind(after.map(|v| v.to_string()))
    .execute(conn)
    .await?;
    Ok(())
}

impl crate::Store {
    /// The changes to one record, newest first.
    pub async fn audit_trail(&self, entity: &str, entity_id: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let rows = sqlx::query::<Any>(
            "SELECT id, at, actor, entity, entity_id, action, before_json, after_json FROM audit_log
             WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC",
        )
        .bind(entity)
        .bind(entity_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|r| {
                let json = |col: &str| -> Result<Option<serde_json::Value>, StoreError> {
                    Ok(r.try_get::<Option<String>, _>(col)?.and_then(|s| serde_json::from_str(&s).ok()))
                };
                Ok(AuditEntry {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    entity: r.try_get("entity")?,
                    entity_id: r.try_get("entity_id")?,
                    action: r.try_get("action")?,
                    before: json("before_json")?,
                    after: json("after_json")?,
                })
            })
            .collect()
    }
}
