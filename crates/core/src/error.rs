//! Validation errors that name the field and say why.
//!
//! Error policy: input problems are values (`FieldErrors`), never panics. Each error has a
//! stable machine `code` (for clients and translations) and an English `message`; the web
//! layer translates by code and shows each message next to its field.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `address.postcode` or `rooms[2].beds[0].label`.
    pub field: String,
    /// Stable code, e.g. `invalid_postcode`.
    pub code: &'static str,
    /// Plain English explanation.
    pub message: String,
}

/// Every problem found in one input, in field order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn single(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, code, message);
        e
    }

    pub fn add(&mut self, field: impl Into<String>, code: &'static str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), code, message: message.into() });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }

    /// Keeps the value when `result` is Ok; records the error under `field` otherwise.
    pub fn take<T>(&mut self, field: &str, result: Result<T, (&'static str, String)>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err((code, message)) => {
                self.add(field, code, message);
                None
            }
        }
    }

    pub fn into_result<T>(self, value: impl FnOnce() -> T) -> Result<T, FieldErrors> {
        if self.is_empty() { Ok(value()) } else { Err(self) }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for FieldErrors {}

/// The error of one field check: a stable code and a message.
pub type Check<T> = Result<T, (&'static str, String)>;
