//! Accounts, browser sessions and API tokens. Only hashes of secrets are stored: the
//! password as argon2id, session and API tokens as SHA-256 (they are long random values).

use crate::audit::{Actor, record};
use crate::{Store, StoreError, now};
use flexwonen_core::access::{Principal, Role};
use flexwonen_core::ids::MunicipalityCode;
use sqlx::Row;

#[derive(Debug, Clone)]
pub struct AccountSpec {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub region_id: Option<i64>,
    pub municipality: Option<MunicipalityCode>,
    pub organisation_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
}

/// A signed-in session or API token, with what was read alongside it in the same query.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub principal: Principal,
    /// The session's CSRF token; `None` for an API token.
    pub csrf_token: Option<String>,
    /// The data generation at the time of the lookup (see `Store::generation`): handlers pass
    /// it on, so a request served from the caches costs this one query.
    pub generation: i64,
}

impl Store {
    pub async fn create_account(&self, actor: &Actor, spec: &AccountSpec) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE username = $1")
            .bind(&spec.username)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::invalid(
                "username",
                "duplicate_username",
                format!("the username {} is taken", spec.username),
            ));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO accounts (username, display_name, password_hash, role, region_id, municipality_code, organisation_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&spec.username)
        .bind(&spec.display_name)
        .bind(&spec.password_hash)
        .bind(spec.role.as_str())
        .bind(spec.region_id)
        .bind(spec.municipality.as_ref().map(|m| m.as_str().to_string()))
        .bind(spec.organisation_id)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        let after = serde_json::json!({
            "username": spec.username, "role": spec.role.as_str(), "region_id": spec.region_id,
            "municipality_code": spec.municipality, "organisation_id": spec.organisation_id,
        });
        record(&mut tx, actor, "account", id, "create", None, Some(&after)).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn account_by_username(&self, username: &str) -> Result<Option<Account>, StoreError> {
        let row =
            sqlx::query("SELECT id, username, display_name, password_hash, role FROM accounts WHERE username = $1")
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
        let Some(r) = row else { return Ok(None) };
        Ok(Some(Account {
            id: r.try_get("id")?,
            username: r.try_get("username")?,
            display_name: r.try_get("display_name")?,
            password_hash: r.try_get("password_hash")?,
            role: crate::sql::parse_code(&r, "role", Role::parse)?,
        }))
    }

    /// Nothing registered yet: no accounts, organisations or locations (a fresh database).
    pub async fn is_empty(&self) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM accounts) + (SELECT COUNT(*) FROM organisations) + (SELECT COUNT(*) FROM locations)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n == 0)
    }

    pub async fn account_count(&self) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(&self.pool).await?)
    }

    /// The account with its scope resolved, including the members of its region.
    pub async fn principal(&self, account_id: i64) -> Result<Principal, StoreError> {
        let found = self.principal_where("FROM accounts a WHERE a.id = $1", Arg::Id(account_id)).await?;
        found.map(|a| a.principal).ok_or(StoreError::NotFound)
    }

    /// One query for the account (joined to its session or token), one more only for a region.
    /// With a session, also that session's CSRF token.
    async fn principal_where(&self, from: &'static str, arg: Arg<'_>) -> Result<Option<Authenticated>, StoreError> {
        let with_session = matches!(arg, Arg::Session(..));
        let sql = format!(
            "SELECT a.id, a.username, a.role, a.region_id, a.municipality_code, a.organisation_id,
             (SELECT generation FROM register_generation WHERE id = 1) AS generation{extra} {from}",
            extra = if with_session { ", s.csrf_token" } else { "" }
        );
        let q = sqlx::query(sqlx::AssertSqlSafe(sql));
        let q = match arg {
            Arg::Id(id) => q.bind(id),
            Arg::Text(t) => q.bind(t.to_string()),
            Arg::Session(t, now) => q.bind(t.to_string()).bind(now),
        };
        let Some(r) = q.fetch_optional(&self.pool).await? else { return Ok(None) };
        let region_id: Option<i64> = r.try_get("region_id")?;
        let municipality: Option<String> = r.try_get("municipality_code")?;
        let region_members = match region_id {
            Some(id) => self.member_codes(id).await?,
            None => Vec::new(),
        };
        let csrf = if with_session { r.try_get("csrf_token")? } else { None };
        let principal = Principal {
            account_id: r.try_get("id")?,
            username: r.try_get("username")?,
            role: crate::sql::parse_code(&r, "role", Role::parse)?,
            region_id,
            municipality: municipality.and_then(|m| MunicipalityCode::parse(&m).ok()),
            organisation_id: r.try_get("organisation_id")?,
            region_members,
        };
        Ok(Some(Authenticated { principal, csrf_token: csrf, generation: r.try_get("generation")? }))
    }

    pub async fn create_session(
        &self,
        token_hash: &str,
        account_id: i64,
        csrf_token: &str,
        expires_at: &str,
    ) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(token_hash)
            .bind(account_id)
            .bind(csrf_token)
            .bind(now())
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// A live session; expired ones are as good as absent.
    pub async fn session(&self, token_hash: &str) -> Result<Option<Authenticated>, StoreError> {
        self.principal_where(
            "FROM accounts a JOIN sessions s ON s.account_id = a.id WHERE s.token_hash = $1 AND s.expires_at > $2",
            Arg::Session(token_hash, now()),
        )
        .await
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now()).execute(&self.pool).await?;
        Ok(())
    }

    pub async fn create_api_token(&self, actor: &Actor, token_hash: &str, account_id: i64) -> Result<i64, StoreError> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (token_hash, account_id, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(token_hash)
        .bind(account_id)
        .bind(now())
        .fetch_one(&mut *tx)
        .await?;
        record(&mut tx, actor, "api_token", id, "create", None, Some(&serde_json::json!({"account_id": account_id})))
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn principal_for_api_token(&self, token_hash: &str) -> Result<Option<Authenticated>, StoreError> {
        self.principal_where(
            "FROM accounts a JOIN api_tokens t ON t.account_id = a.id WHERE t.token_hash = $1",
            Arg::Text(token_hash),
        )
        .await
    }
}

/// The parameters of `principal_where`'s condition.
enum Arg<'a> {
    Id(i64),
    /// An API token's hash.
    Text(&'a str),
    /// A session token's hash and the time now; also selects the session's CSRF token.
    Session(&'a str, String),
}
