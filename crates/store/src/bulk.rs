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
    for c in s.chars().filter(|c| *c != '\0') {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
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

/// Rows of one multi-row `INSERT`, written every `ROWS_PER_STATEMENT` rows.
pub(crate) struct RowBatch {
    head: &'static str,
    rows: Vec<String>,
}

impl RowBatch {
    pub(crate) fn new(head: &'static str) -> RowBatch {
        RowBatch { head, rows: Vec::with_capacity(ROWS_PER_STATEMENT) }
    }

    pub(crate) async fn push(
        &mut self,
        conn: &mut AnyConnection,
        row: String,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        self.rows.push(row);
        if self.rows.len() == ROWS_PER_STATEMENT {
            self.flush(conn, progress).await?;
        }
        Ok(())
    }

    pub(crate) async fn flush(
        &mut self,
        conn: &mut AnyConnection,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), StoreError> {
        execute_rows(conn, self.head, &self.rows).await?;
        progress(self.rows.len() as u64);
        self.rows.clear();
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

async fn execute_rows(conn: &mut AnyConnection, head: &str, rows: &[String]) -> Result<(), StoreError> {
    execute_rows_then(conn, head, rows, "").await
}

/// Rows as multi-row `INSERT`s of `head`, each statement ending with `tail` (an `ON
/// CONFLICT` clause, say).
pub(crate) async fn execute_rows_then(
    conn: &mut AnyConnection,
    head: &str,
    rows: &[String],
    tail: &str,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = String::with_capacity(head.len() + tail.len() + chunk.iter().map(|r| r.len() + 2).sum::<usize>());
        sql.push_str(head);
        sql.push_str(&chunk.join(", "));
        sql.push_str(tail);
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *conn).await?;
    }
    Ok(())
}
