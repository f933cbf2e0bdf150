//! `flexwonen account create`: accounts with their role and scope, checked before saving.

use flexwonen_core::access::Role;
use flexwonen_core::ids::{KvkNumber, MunicipalityCode};
use flexwonen_store::{AccountSpec, Actor, Store, StoreError};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

pub struct AccountRequest {
    pub username: String,
    pub role: String,
    pub name: Option<String>,
    pub region: Option<String>,
    pub municipality: Option<String>,
    pub organisation_kvk: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(m: impl Into<String>) -> AccountError {
    AccountError::Invalid(m.into())
}

/// Creates the account; a role must come with the scope it needs (and only that).
pub async fn create(store: &Store, req: &AccountRequest, password: &str) -> Result<i64, AccountError> {
    let username = req.username.trim();
    if username.is_empty()
        || username.len() > 100
        || !username.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(invalid("--username: 1 to 100 letters, digits, '-', '_' or '.'"));
    }
    let role = Role::parse(&req.role).ok_or_else(|| {
        let roles: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        invalid(format!("--role: '{}' is not one of: {}", req.role, roles.join(", ")))
    })?;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(invalid(format!("the password must have at least {MIN_PASSWORD_CHARS} characters")));
    }
    let needs = |wanted: bool, given: &Option<String>, flag: &str| match (wanted, given) {
        (true, None) => Err(invalid(format!("a {} account needs {flag}", role.as_str()))),
        (false, Some(_)) => Err(invalid(format!("{flag} does not apply to a {} account", role.as_str()))),
        _ => Ok(()),
    };
    needs(matches!(role, Role::RegionalCoordinator | Role::Inspector), &req.region, "--region")?;
    needs(role == Role::Municipality, &req.municipality, "--municipality")?;
    needs(role == Role::HousingProvider, &req.organisation_kvk, "--organisation-kvk")?;
    let region_id = match &req.region {
        Some(code) => Some(
            store.region_by_code(code).await.map_err(|_| invalid(format!("--region: there is no region '{code}'")))?.id,
        ),
        None => None,
    };
    let municipality = match &req.municipality {
        Some(m) => {
            let code = MunicipalityCode::parse(m).map_err(|(_, msg)| invalid(format!("--municipality: {msg}")))?;
            store
                .municipality(&code)
                .await
                .map_err(|_| invalid(format!("--municipality: there is no municipality {code}")))?;
            Some(code)
        }
        None => None,
    };
    let organisation_id = match &req.organisation_kvk {
        Some(k) => {
            let kvk = KvkNumber::parse(k).map_err(|(_, msg)| invalid(format!("--organisation-kvk: {msg}")))?;
            let org = store.organisation_by_kvk(kvk.as_str()).await?;
            Some(
                org.ok_or_else(|| {
                    invalid(format!("--organisation-kvk: no organisation has KvK number {}", kvk.as_str()))
                })?
                .id,
            )
        }
        None => None,
    };
    let spec = AccountSpec {
        username: username.to_string(),
        display_name: req.name.clone().unwrap_or_else(|| username.to_string()),
        password_hash: flexwonen_web::hash_password(password),
        role,
        region_id,
        municipality,
        organisation_id,
    };
    Ok(store.create_account(&Actor::system("cli"), &spec).await?)
}
