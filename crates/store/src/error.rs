//! Store errors.
//!
//! Error policy: a database failure is never swallowed (no `.ok()` on a query): it travels
//! up as `StoreError::Database` and the web layer answers 500 and logs it. Input problems
//! the database detects (a taken address, an unknown municipality) become
//! `StoreError::Invalid` with the field named, exactly like core validation errors.

use flexwonen_core::FieldErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("not found")]
    NotFound,
    /// The record exists and is in view, but this account may not make this change.
    #[error("not allowed: {0}")]
    Forbidden(String),
    /// Optimistic concurrency: the client's version is not the current one.
    #[error("the record was changed by someone else (current version {current})")]
    Conflict { current: i64 },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<FieldErrors> for StoreError {
    fn from(e: FieldErrors) -> Self {
        StoreError::Invalid(e)
    }
}

impl StoreError {
    pub fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Invalid(FieldErrors::single(field, code, message))
    }
}
