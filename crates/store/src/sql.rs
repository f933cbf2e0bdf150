//! A small builder for queries whose shape depends on input (filters, sorting), numbering
//! `$n` parameters as it goes so that one text works on both databases.

use sqlx::Row;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, AssertSqlSafe};

#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(i64),
    Float(f64),
    Text(String),
    OptText(Option<String>),
    OptFloat(Option<f64>),
    OptInt(Option<i64>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Self {
        Value::OptText(v)
    }
}
impl From<Option<f64>> for Value {
    fn from(v: Option<f64>) -> Self {
        Value::OptFloat(v)
    }
}
impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        Value::OptInt(v)
    }
}

/// Stored data the code cannot read: a newer schema wrote it, or someone edited the database.
pub(crate) fn decoding(message: impl Into<String>) -> crate::StoreError {
    crate::StoreError::Database(sqlx::Error::Decode(message.into().into()))
}

/// A JSON document stored as text, read back; unreadable JSON is a decoding error.
pub(crate) fn json_col<T: serde::de::DeserializeOwned>(r: &AnyRow, col: &str) -> Result<Option<T>, crate::StoreError> {
    let s: Option<String> = r.try_get(col)?;
    s.map(|s| serde_json::from_str(&s).map_err(|e| decoding(format!("{col}: {e}")))).transpose()
}

/// A value as JSON text for a column.
pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String, crate::StoreError> {
    serde_json::to_string(value).map_err(|e| crate::StoreError::Database(sqlx::Error::Encode(e.to_string().into())))
}

/// How dates are stored: text that sorts as the date.
pub(crate) const DATE_FORMAT: &str = "%Y-%m-%d";

/// A stored date; anything but `YYYY-MM-DD` is a decoding error, as for stored codes.
pub(crate) fn date_col(r: &AnyRow, col: &str) -> Result<chrono::NaiveDate, crate::StoreError> {
    parse_code(r, col, |s| chrono::NaiveDate::parse_from_str(s, DATE_FORMAT).ok())
}

/// A nullable date column: absent when NULL, a decoding error when unreadable.
pub(crate) fn opt_date_col(r: &AnyRow, col: &str) -> Result<Option<chrono::NaiveDate>, crate::StoreError> {
    let s: Option<String> = r.try_get(col)?;
    s.map(|s| {
        chrono::NaiveDate::parse_from_str(&s, DATE_FORMAT)
            .map_err(|_| decoding(format!("column {col}: '{s}' is not a date")))
    })
    .transpose()
}

/// A stored code (role, kind, status) read back into its type. An unknown code is a
/// decoding error, never a guess: it means a newer version of the schema wrote it.
pub(crate) fn parse_code<T>(r: &AnyRow, col: &str, parse: fn(&str) -> Option<T>) -> Result<T, crate::StoreError> {
    let s: String = r.try_get(col)?;
    parse(&s).ok_or_else(|| decoding(format!("unknown {col} '{s}'")))
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Sql {
    pub text: String,
    args: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Sql { text: text.to_string(), args: Vec::new() }
    }

    /// This query behind a prefix without parameters, so the `$n` numbering stays valid:
    /// one filter serves both the count and the page query.
    pub fn prefixed(&self, prefix: &str) -> Sql {
        Sql { text: format!("{prefix}{}", self.text), args: self.args.clone() }
    }

    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a parameter placeholder and remembers its value.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Self {
        match value.into() {
            // sqlx 0.9's `Any` driver sends a NULL double to PostgreSQL typed as float4, and
            // the cached statement then refuses a later float8 ("incorrect binary data
            // format"). Optional decimals therefore travel as text and are cast in SQL; Rust
            // prints an f64 so that it parses back to the same value.
            Value::OptFloat(v) => {
                self.args.push(Value::OptText(v.map(|f| f.to_string())));
                self.text.push_str(&format!("CAST(${} AS DOUBLE PRECISION)", self.args.len()));
            }
            v => {
                self.args.push(v);
                self.text.push_str(&format!("${}", self.args.len()));
            }
        }
        self
    }

    /// Appends `(a, b, c)` with one placeholder per value.
    pub fn bind_list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Self {
        self.text.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self.text.push(')');
        self
    }

    pub fn query(&self) -> Query<'static, Any, AnyArguments> {
        let mut q = sqlx::query(AssertSqlSafe(self.text.clone()));
        for a in &self.args {
            q = match a.clone() {
                Value::Int(v) => q.bind(v),
                Value::Float(v) => q.bind(v),
                Value::Text(v) => q.bind(v),
                Value::OptText(v) => q.bind(v),
                Value::OptFloat(v) => q.bind(v),
                Value::OptInt(v) => q.bind(v),
            };
        }
        q
    }
}
