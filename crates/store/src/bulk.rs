//! Bulk loads: rows written as SQL literals into large multi-row `INSERT`s, so hundreds of
//! thousands of rows go through far fewer statements than with bound parameters (the `Any`
//! driver binds each value one by one). Text is quoted by doubling quotes, the standard
//! escape on both databases (PostgreSQL's standard-conforming strings treat backslashes as
//! ordinary characters); NUL characters, which neither database stores in text, are dropped.

use crate::StoreError;
use chrono::{Datelike, NaiveDate};
use sqlx::AnyConnection;
use std::fmt::Write;

/// Rows per statement of the bulk load.
pub(crate) const ROWS_PER_STATEMENT: usize = 500;

/// A string as an SQL literal.
pub(crate) fn quoted(out: &mut String, s: &str) {
    out.push('\'');
    escaped(out, s);
    out.push('\'');
}

/// A string as an SQL literal, or NULL.
pub(crate) fn quoted_or_null(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => quoted(out, s),
        None => out.push_str("NULL"),
    }
}

/// Strings joined by `separator` as one SQL literal.
pub(crate) fn quoted_joined(out: &mut String, items: &[String], separator: char) {
    out.push('\'');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(separator);
        }
        escaped(out, item);
    }
    out.push('\'');
}

/// The inside of a string literal: quotes doubled, NULs dropped.
fn escaped(out: &mut String, s: &str) {
    if !s.bytes().any(|b| b == b'\'' || b == 0) {
        // Nearly every string: nothing to escape.
        out.push_str(s);
        return;
    }
    for c in s.chars().filter(|c| *c != '\0') {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
}

pub(crate) fn quoted_date(out: &mut String, d: Option<NaiveDate>) {
    match d {
        // YYYY-MM-DD by hand: chrono's formatter parses its pattern every time.
        Some(d) => {
            let _ = write!(out, "'{:04}-{:02}-{:02}'", d.year(), d.month(), d.day());
        }
        None => out.push_str("NULL"),
    }
}

/// A finite number as an SQL literal (0 for anything else, which the generator never gives).
pub(crate) fn number(out: &mut String, x: f64) {
    let x = if x.is_finite() { x } else { 0.0 };
    let _ = write!(out, "{x:?}");
}

/// Rows of one multi-row `INSERT`, written straight into its statement (no string per
/// row) and sent every `ROWS_PER_STATEMENT` rows.
pub(crate) struct RowBatch {
    head: &'static str,
    /// Ends every statement: an `ON CONFLICT` clause, say.
    tail: &'static str,
    sql: String,
    rows: usize,
}

impl RowBatch {
    pub(crate) fn new(head: &'static str) -> RowBatch {
        RowBatch::with_tail(head, "")
    }

    pub(crate) fn with_tail(head: &'static str, tail: &'static str) -> RowBatch {
        RowBatch { head, tail, sql: head.to_string(), rows: 0 }
    }

    /// Adds the row `write` puts into the statement (its `(…)`); true when the statement
    /// is full and should be sent.
    pub(crate) fn add(&mut self, write: impl FnOnce(&mut String)) -> bool {
        if self.rows > 0 {
            self.sql.push_str(", ");
        }
        write(&mut self.sql);
        self.rows += 1;
        self.rows >= ROWS_PER_STATEMENT
    }

    /// Sends the rows added so far as one statement (none when there are none); how many.
    pub(crate) async fn send(&mut self, conn: &mut AnyConnection) -> Result<usize, StoreError> {
        if self.rows == 0 {
            return Ok(0);
        }
        self.sql.push_str(self.tail);
        let next = String::with_capacity(self.sql.len());
        let sql = std::mem::replace(&mut self.sql, next);
        self.sql.push_str(self.head);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await?;
        Ok(std::mem::take(&mut self.rows))
    }

    pub(crate) async fn push(
        &mut self,
        conn: &mut AnyConnection,
        row: String,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        if self.add(|sql| sql.push_str(&row)) {
            self.flush(conn, progress).await?;
        }
        Ok(())
    }

    pub(crate) async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        let sent = self.send(conn).await?;
        progress(sent as u64);
        Ok(())
    }

    pub(crate) async fn finish(
        mut self,
        conn: &mut AnyConnection,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        self.flush(conn, progress).await
    }
}
