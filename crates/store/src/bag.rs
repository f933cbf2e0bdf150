//! The BAG as last imported (issue 6): an import writes the current occurrences of every
//! object under its own id, in one transaction that at its end makes it the current import
//! and removes the one before. Until that commit, readers see the previous extract whole;
//! an import that fails leaves nothing behind.

use crate::bulk::{ROWS_PER_STATEMENT, RowBatch, number, quoted, quoted_date, quoted_joined, quoted_or_null};
use crate::{Store, StoreError, WriteTx, now};
use flexwonen_core::address::address_key;
use flexwonen_core::bag::{BagRecord, Validity};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::HashSet;
use std::fmt::Write;

/// What an import holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BagSummary {
    pub import_id: i64,
    pub source: String,
    pub imported_at: String,
    pub verblijfsobjecten: i64,
    pub nummeraanduidingen: i64,
    pub openbare_ruimten: i64,
    pub woonplaatsen: i64,
    /// Register locations linked to a verblijfsobject: by their BAG id, by their address.
    pub linked_by_bag_id: i64,
    pub linked_by_address: i64,
}

/// An import under way: rows are written as they come; nothing is visible before `finish`.
pub struct BagImport {
    store: Store,
    tx: WriteTx,
    summary: BagSummary,
    vbo: Latest,
    side: Latest,
    num: Latest,
    opr: Latest,
    wpl: Latest,
}

/// Rows of one table by object id, where an object that appears twice as current (the
/// extract should not, its test cut-outs do) keeps the occurrence valid from the latest
/// date, by the `ON CONFLICT` clause. An object met again in the statement being written
/// sends that statement first: PostgreSQL refuses to update one row twice in a statement.
struct Latest {
    batch: RowBatch,
    /// Hashes of the ids in the statement being written (a collision only sends it early).
    ids: HashSet<u64>,
}

impl Latest {
    fn new(head: &'static str, tail: &'static str) -> Latest {
        Latest { batch: RowBatch::with_tail(head, tail), ids: HashSet::with_capacity(ROWS_PER_STATEMENT) }
    }

    async fn push(
        &mut self,
        conn: &mut AnyConnection,
        id: &str,
        write: impl FnOnce(&mut String),
    ) -> Result<(), StoreError> {
        let hash = std::hash::BuildHasher::hash_one(&ID_HASH, id);
        if !self.ids.insert(hash) {
            self.send(conn).await?;
            self.ids.insert(hash);
        }
        if self.batch.add(write) {
            self.send(conn).await?;
        }
        Ok(())
    }

    async fn send(&mut self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        self.batch.send(conn).await?;
        self.ids.clear();
        Ok(())
    }
}

/// Hashes ids for `Latest` (fixed keys: a collision costs a statement, never a row).
const ID_HASH: std::hash::BuildHasherDefault<std::hash::DefaultHasher> = std::hash::BuildHasherDefault::new();

/// The tail of an insert into `table` keyed by `key`: a later occurrence replaces an earlier.
macro_rules! latest_wins {
    ($table:literal, $key:literal, $($col:literal),+) => {
        concat!(" ON CONFLICT (import_id, ", $key, ") DO UPDATE SET ",
            $($col, " = excluded.", $col, ", ",)+
            "valid_from = excluded.valid_from WHERE ", $table, ".valid_from IS NULL OR ", $table,
            ".valid_from < excluded.valid_from")
    };
}

const TABLES: [&str; 5] = ["bag_vbo", "bag_vbo_side", "bag_num", "bag_opr", "bag_wpl"];

impl Store {
    /// Starts an import from `source` (what the user gave, for the record).
    pub async fn begin_bag_import(&self, source: &str) -> Result<BagImport, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.backend() == crate::Backend::Sqlite {
            // Millions of index inserts: a page cache of 256 MB instead of 2 MB keeps the
            // indexes' upper levels in memory (set back when the import ends).
            sqlx::query("PRAGMA cache_size = -262144").execute(&mut *tx).await?;
        }
        let imported_at = now();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO bag_imports (source, imported_at, verblijfsobjecten, nummeraanduidingen, openbare_ruimten, woonplaatsen)
             VALUES ($1, $2, 0, 0, 0, 0) RETURNING id",
        )
        .bind(source)
        .bind(&imported_at)
        .fetch_one(&mut *tx)
        .await?;
        let summary = BagSummary { import_id: id, source: source.to_string(), imported_at, ..Default::default() };
        Ok(BagImport {
            store: self.clone(),
            tx,
            summary,
            vbo: Latest::new(
                "INSERT INTO bag_vbo (import_id, id, valid_from, main_address, status, uses, floor_area_m2, x, y) VALUES ",
                latest_wins!("bag_vbo", "id", "main_address", "status", "uses", "floor_area_m2", "x", "y"),
            ),
            side: Latest::new(
                "INSERT INTO bag_vbo_side (import_id, address_id, valid_from, vbo_id) VALUES ",
                latest_wins!("bag_vbo_side", "address_id", "vbo_id"),
            ),
            num: Latest::new(
                "INSERT INTO bag_num (import_id, id, valid_from, house_number, house_letter, house_addition, postcode, street_id, place_id, address_key) VALUES ",
                latest_wins!(
                    "bag_num",
                    "id",
                    "house_number",
                    "house_letter",
                    "house_addition",
                    "postcode",
                    "street_id",
                    "place_id",
                    "address_key"
                ),
            ),
            opr: Latest::new(
                "INSERT INTO bag_opr (import_id, id, valid_from, name, place_id) VALUES ",
                latest_wins!("bag_opr", "id", "name", "place_id"),
            ),
            wpl: Latest::new(
                "INSERT INTO bag_wpl (import_id, id, valid_from, name) VALUES ",
                latest_wins!("bag_wpl", "id", "name"),
            ),
        })
    }

    /// The current import, if any.
    pub async fn bag_summary(&self) -> Result<Option<BagSummary>, StoreError> {
        let row = sqlx::query(
            "SELECT id, source, imported_at, verblijfsobjecten, nummeraanduidingen, openbare_ruimten, woonplaatsen,
                    linked_by_bag_id, linked_by_address
             FROM bag_imports ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(BagSummary {
                import_id: r.try_get("id")?,
                source: r.try_get("source")?,
                imported_at: r.try_get("imported_at")?,
                verblijfsobjecten: r.try_get("verblijfsobjecten")?,
                nummeraanduidingen: r.try_get("nummeraanduidingen")?,
                openbare_ruimten: r.try_get("openbare_ruimten")?,
                woonplaatsen: r.try_get("woonplaatsen")?,
                linked_by_bag_id: r.try_get("linked_by_bag_id")?,
                linked_by_address: r.try_get("linked_by_address")?,
            })
        })
        .transpose()
    }
}

impl BagImport {
    /// Adds a record; only an object's current occurrence is kept.
    pub async fn add(&mut self, record: &BagRecord) -> Result<(), StoreError> {
        let import = self.summary.import_id;
        // `(import_id, id, valid_from, ` — what every row starts with.
        let start = |row: &mut String, id: &str, v: &Validity| {
            let _ = write!(row, "({import}, ");
            quoted(row, id);
            row.push_str(", ");
            quoted_date(row, v.begin);
            row.push_str(", ");
        };
        let conn: &mut AnyConnection = &mut self.tx;
        match record {
            BagRecord::Verblijfsobject(v) if v.validity.is_current() => {
                self.vbo
                    .push(conn, &v.id, |row| {
                        start(row, &v.id, &v.validity);
                        quoted(row, &v.main_address);
                        row.push_str(", ");
                        quoted(row, &v.status);
                        row.push_str(", ");
                        quoted_joined(row, &v.uses, ',');
                        let _ = write!(row, ", {}, ", v.floor_area_m2);
                        match v.position {
                            Some((x, y)) => {
                                number(row, x);
                                row.push_str(", ");
                                number(row, y);
                            }
                            None => row.push_str("NULL, NULL"),
                        }
                        row.push(')');
                    })
                    .await?;
                self.summary.verblijfsobjecten += 1;
                for side in &v.side_addresses {
                    self.side
                        .push(conn, side, |row| {
                            start(row, side, &v.validity);
                            quoted(row, &v.id);
                            row.push(')');
                        })
                        .await?;
                }
            }
            BagRecord::Nummeraanduiding(n) if n.validity.is_current() => {
                self.num
                    .push(conn, &n.id, |row| {
                        start(row, &n.id, &n.validity);
                        let _ = write!(row, "{}, ", n.house_number);
                        quoted_or_null(row, n.house_letter.as_deref());
                        row.push_str(", ");
                        quoted_or_null(row, n.house_addition.as_deref());
                        row.push_str(", ");
                        quoted_or_null(row, n.postcode.as_deref());
                        row.push_str(", ");
                        quoted(row, &n.street);
                        row.push_str(", ");
                        quoted_or_null(row, n.place.as_deref());
                        row.push_str(", ");
                        let key = n.postcode.as_deref().map(|postcode| {
                            address_key(
                                postcode,
                                n.house_number,
                                n.house_letter.as_deref(),
                                n.house_addition.as_deref(),
                            )
                        });
                        quoted_or_null(row, key.as_deref());
                        row.push(')');
                    })
                    .await?;
                self.summary.nummeraanduidingen += 1;
            }
            BagRecord::OpenbareRuimte(o) if o.validity.is_current() => {
                self.opr
                    .push(conn, &o.id, |row| {
                        start(row, &o.id, &o.validity);
                        quoted(row, &o.name);
                        row.push_str(", ");
                        quoted(row, &o.place);
                        row.push(')');
                    })
                    .await?;
                self.summary.openbare_ruimten += 1;
            }
            BagRecord::Woonplaats(w) if w.validity.is_current() => {
                self.wpl
                    .push(conn, &w.id, |row| {
                        start(row, &w.id, &w.validity);
                        quoted(row, &w.name);
                        row.push(')');
                    })
                    .await?;
                self.summary.woonplaatsen += 1;
            }
            _ => {}
        }
        Ok(())
    }

    /// What was added so far (objects met twice counted twice until `finish`).
    pub fn summary(&self) -> &BagSummary {
        &self.summary
    }

    /// Writes the rest, makes this import the current one, removes the one before, commits.
    pub async fn finish(mut self, actor: &crate::Actor) -> Result<BagSummary, StoreError> {
        for batch in [&mut self.vbo, &mut self.side, &mut self.num, &mut self.opr, &mut self.wpl] {
            batch.send(&mut self.tx).await?;
        }
        // Side addresses of an occurrence that a later one replaced go with it.
        sqlx::query(
            "DELETE FROM bag_vbo_side WHERE import_id = $1 AND NOT EXISTS (SELECT 1 FROM bag_vbo v
                 WHERE v.import_id = bag_vbo_side.import_id AND v.id = bag_vbo_side.vbo_id
                   AND (v.valid_from = bag_vbo_side.valid_from OR (v.valid_from IS NULL AND bag_vbo_side.valid_from IS NULL)))",
        )
        .bind(self.summary.import_id)
        .execute(&mut *self.tx)
        .await?;
        // The counts of what is stored (an object met twice across batches counts once).
        for (table, n) in [
            ("bag_vbo", &mut self.summary.verblijfsobjecten),
            ("bag_num", &mut self.summary.nummeraanduidingen),
            ("bag_opr", &mut self.summary.openbare_ruimten),
            ("bag_wpl", &mut self.summary.woonplaatsen),
        ] {
            *n = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table} WHERE import_id = $1")))
                .bind(self.summary.import_id)
                .fetch_one(&mut *self.tx)
                .await?;
        }
        link_locations(&mut self.tx, &mut self.summary).await?;
        crate::brp::join_brp_with_bag(&mut self.tx, self.summary.import_id).await?;
        let s = &self.summary;
        sqlx::query(
            "UPDATE bag_imports SET verblijfsobjecten = $2, nummeraanduidingen = $3, openbare_ruimten = $4, woonplaatsen = $5,
                 linked_by_bag_id = $6, linked_by_address = $7
             WHERE id = $1",
        )
        .bind(s.import_id)
        .bind(s.verblijfsobjecten)
        .bind(s.nummeraanduidingen)
        .bind(s.openbare_ruimten)
        .bind(s.woonplaatsen)
        .bind(s.linked_by_bag_id)
        .bind(s.linked_by_address)
        .execute(&mut *self.tx)
        .await?;
        for table in TABLES {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE import_id <> $1")))
                .bind(s.import_id)
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query("DELETE FROM bag_imports WHERE id <> $1").bind(s.import_id).execute(&mut *self.tx).await?;
        let summary = self.summary.clone();
        crate::audit::record(
            &mut self.tx,
            actor,
            "bag_import",
            summary.import_id,
            "import",
            None,
            Some(&serde_json::to_value(&summary).unwrap_or_default()),
        )
        .await?;
        if self.store.backend() == crate::Backend::Sqlite {
            sqlx::query("PRAGMA cache_size = -2000").execute(&mut *self.tx).await?;
        }
        self.tx.commit().await?;
        self.store.after_bulk_write(&TABLES).await;
        Ok(summary)
    }
}

/// Links every register location to the verblijfsobject it is in this import: by its BAG id,
/// or else by its address as the object's main address (by the shared address key).
async fn link_locations(conn: &mut AnyConnection, summary: &mut BagSummary) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM bag_links").execute(&mut *conn).await?;
    summary.linked_by_bag_id = sqlx::query(
        "INSERT INTO bag_links (location_id, vbo_id, matched_by)
         SELECT l.id, v.id, 'bag_id' FROM locations l JOIN bag_vbo v ON v.import_id = $1 AND v.id = l.bag_vbo_id",
    )
    .bind(summary.import_id)
    .execute(&mut *conn)
    .await?
    .rows_affected() as i64;
    summary.linked_by_address = sqlx::query(
        "INSERT INTO bag_links (location_id, vbo_id, matched_by)
         SELECT l.id, v.id, 'address' FROM locations l
         JOIN bag_num n ON n.import_id = $1 AND n.address_key = l.address_key
         JOIN bag_vbo v ON v.import_id = n.import_id AND v.main_address = n.id
         WHERE NOT EXISTS (SELECT 1 FROM bag_links b WHERE b.location_id = l.id)",
    )
    .bind(summary.import_id)
    .execute(&mut *conn)
    .await?
    .rows_affected() as i64;
    Ok(())
}
