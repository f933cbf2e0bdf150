//! Locations with their rooms and beds: create, read, update (optimistic concurrency),
//! delete, list with filters, and the bulk load used for demo data.

use crate::audit::{Actor, record};
use crate::sql::{Sql, Value, parse_code};
use crate::totals::{self, Contribution};
use crate::{Backend, Store, StoreError, now};
use chrono::NaiveDate;
use flexwonen_core::FieldErrors;
use flexwonen_core::access::LocationScope;
use flexwonen_core::address::{Address, Postcode};
use flexwonen_core::geo::{RdPoint, Wgs84Point};
use flexwonen_core::register::{Facilities, HousingForm, LegalStatus, LocationDraft, OrganisationKind, StayType};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Bed {
    pub id: i64,
    pub label: String,
    pub in_service: bool,
    pub out_of_service_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Room {
    pub id: i64,
    pub name: String,
    pub area_m2: f64,
    pub beds: Vec<Bed>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
pub struct Position {
    pub rd: RdPoint,
    pub wgs84: Wgs84Point,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Location {
    pub id: i64,
    /// Increases with every change; updates must name the version they change.
    pub version: i64,
    pub address: Address,
    pub municipality_code: String,
    pub municipality_name: String,
    pub bag_vbo_id: Option<String>,
    pub housing_form: HousingForm,
    pub zoned_residential: bool,
    pub floor_area_m2: f64,
    pub legal_status: LegalStatus,
    pub stay_type: StayType,
    pub operator_id: Option<i64>,
    pub operator_name: Option<String>,
    pub facilities: Facilities,
    pub position: Option<Position>,
    pub new_build: bool,
    /// Serialized as `YYYY-MM-DD`.
    pub in_use_since: Option<NaiveDate>,
    pub conversion_permit: bool,
    pub bedroom_sharing_agreed: bool,
    pub first_responsible: bool,
    pub room_count: i64,
    pub bed_count: i64,
    pub beds_in_service: i64,
    pub rooms: Vec<Room>,
    pub created_at: String,
    pub updated_at: String,
}

/// A location as a list shows it: no rooms.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LocationSummary {
    pub id: i64,
    pub version: i64,
    pub address: Address,
    pub municipality_code: String,
    pub municipality_name: String,
    pub housing_form: HousingForm,
    pub legal_status: LegalStatus,
    pub stay_type: StayType,
    pub operator_id: Option<i64>,
    pub operator_name: Option<String>,
    pub floor_area_m2: f64,
    pub room_count: i64,
    pub bed_count: i64,
    pub beds_in_service: i64,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LocationFilter {
    /// Matches street, place or postcode.
    pub q: Option<String>,
    pub municipality_code: Option<String>,
    pub region_id: Option<i64>,
    pub housing_form: Option<HousingForm>,
    pub legal_status: Option<LegalStatus>,
    pub stay_type: Option<StayType>,
    pub operator_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LocationSort {
    #[default]
    Address,
    Municipality,
    BedsDesc,
    BedsAsc,
    UpdatedDesc,
}

impl LocationSort {
    pub const ALL: [LocationSort; 5] = [
        LocationSort::Address,
        LocationSort::Municipality,
        LocationSort::BedsDesc,
        LocationSort::BedsAsc,
        LocationSort::UpdatedDesc,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LocationSort::Address => "address",
            LocationSort::Municipality => "municipality",
            LocationSort::BedsDesc => "-beds",
            LocationSort::BedsAsc => "beds",
            LocationSort::UpdatedDesc => "-updated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    fn order_by(self) -> &'static str {
        match self {
            LocationSort::Address => "l.place, l.street, l.house_number, l.id",
            LocationSort::Municipality => "m.name, l.place, l.street, l.house_number, l.id",
            LocationSort::BedsDesc => "l.bed_count DESC, l.id",
            LocationSort::BedsAsc => "l.bed_count, l.id",
            LocationSort::UpdatedDesc => "l.updated_at DESC, l.id DESC",
        }
    }
}

/// Rows for a bulk load: a validated draft and its operator's id.
pub struct DemoLoad<'a> {
    pub locations: &'a [(LocationDraft, Option<i64>)],
}

/// A location as a bulk load stored it: its id and its beds' ids, rooms and beds in the
/// draft's order (so demo occupancy can name beds by position).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadedLocation {
    pub id: i64,
    pub bed_ids: Vec<i64>,
}

const SUMMARY_COLUMNS: &str =
    "l.id, l.version, l.postcode, l.house_number, l.house_letter, l.house_addition, l.street, l.place,
    l.municipality_code, m.name AS municipality_name, l.housing_form, l.legal_status, l.stay_type, l.operator_id,
    o.name AS operator_name, l.floor_area_m2, l.room_count, l.bed_count, l.beds_in_service, l.updated_at";

const DETAIL_COLUMNS: &str = "l.bag_vbo_id, l.zoned_residential, l.toilets, l.showers, l.kitchens, l.washing_machines,
    l.rd_x, l.rd_y, l.new_build, l.in_use_since, l.conversion_permit, l.bedroom_sharing_agreed, l.first_responsible,
    l.created_at";

/// The names a location row shows: its municipality's and its operator's.
const JOINS: &str =
    " JOIN municipalities m ON m.code = l.municipality_code LEFT JOIN organisations o ON o.id = l.operator_id";

fn summary_from_row(r: &AnyRow) -> Result<LocationSummary, StoreError> {
    let postcode: String = r.try_get("postcode")?;
    Ok(LocationSummary {
        id: r.try_get("id")?,
        version: r.try_get("version")?,
        address: Address {
            postcode: Postcode::parse(&postcode).map_err(|(_, m)| crate::sql::decoding(m))?,
            house_number: r.try_get("house_number")?,
            house_letter: r.try_get("house_letter")?,
            house_addition: r.try_get("house_addition")?,
            street: r.try_get("street")?,
            place: r.try_get("place")?,
        },
        municipality_code: r.try_get("municipality_code")?,
        municipality_name: r.try_get("municipality_name")?,
        housing_form: parse_code(r, "housing_form", HousingForm::parse)?,
        legal_status: parse_code(r, "legal_status", LegalStatus::parse)?,
        stay_type: parse_code(r, "stay_type", StayType::parse)?,
        operator_id: r.try_get("operator_id")?,
        operator_name: r.try_get("operator_name")?,
        floor_area_m2: r.try_get("floor_area_m2")?,
        room_count: r.try_get("room_count")?,
        bed_count: r.try_get("bed_count")?,
        beds_in_service: r.try_get("beds_in_service")?,
        updated_at: r.try_get("updated_at")?,
    })
}

/// Restricts a query on `l` to what `scope` allows.
fn push_scope(sql: &mut Sql, scope: &LocationScope) {
    push_scope_on(sql, "l", scope)
}

/// The filters on municipality and category, on `locations` or `register_totals` (`alias`).
fn push_categories(sql: &mut Sql, alias: &str, filter: &LocationFilter) {
    if let Some(m) = &filter.municipality_code {
        sql.push(&format!(" AND {alias}.municipality_code = ")).bind(m.as_str());
    }
    if let Some(r) = filter.region_id {
        sql.push(&format!(
            " AND {alias}.municipality_code IN (SELECT municipality_code FROM region_members WHERE region_id = "
        ))
        .bind(r)
        .push(")");
    }
    if let Some(f) = filter.housing_form {
        sql.push(&format!(" AND {alias}.housing_form = ")).bind(f.as_str());
    }
    if let Some(s) = filter.legal_status {
        sql.push(&format!(" AND {alias}.legal_status = ")).bind(s.as_str());
    }
    if let Some(s) = filter.stay_type {
        sql.push(&format!(" AND {alias}.stay_type = ")).bind(s.as_str());
    }
}

/// Restricts a query on `alias` to what `scope` allows.
fn push_scope_on(sql: &mut Sql, alias: &str, scope: &LocationScope) {
    match scope {
        LocationScope::All => {}
        LocationScope::Municipalities(ms) if ms.is_empty() => {
            sql.push(" AND 1 = 0");
        }
        LocationScope::Municipalities(ms) => {
            sql.push(&format!(" AND {alias}.municipality_code IN ")).bind_list(ms.iter().map(|m| m.as_str()));
        }
        LocationScope::Operator(id) => {
            sql.push(&format!(" AND {alias}.operator_id = ")).bind(*id);
        }
        LocationScope::Nothing => {
            sql.push(" AND 1 = 0");
        }
    }
}

impl Store {
    pub async fn location(&self, scope: &LocationScope, id: i64) -> Result<Location, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let loc = load(&mut conn, id).await?.ok_or(StoreError::NotFound)?;
        let municipality =
            flexwonen_core::ids::MunicipalityCode::parse(&loc.municipality_code).map_err(|_| StoreError::NotFound)?;
        if !scope.allows(&municipality, loc.operator_id) {
            return Err(StoreError::NotFound);
        }
        Ok(loc)
    }

    /// A page of the locations in `scope`. Pages are kept in memory until the register
    /// changes (see `generation`), so the same page asked again costs at most one small
    /// query, and none when the caller read the generation already (`known_generation`).
    pub async fn locations(
        &self,
        scope: &LocationScope,
        filter: &LocationFilter,
        sort: LocationSort,
        page: i64,
        per_page: i64,
        known_generation: Option<i64>,
    ) -> Result<Page<LocationSummary>, StoreError> {
        let generation = match known_generation {
            Some(g) => g,
            None => self.generation().await?,
        };
        let key = format!("{scope:?}|{filter:?}|{sort:?}|{page}|{per_page}");
        if let Some(hit) = self.page_cache.get(generation, &key) {
            return Ok(hit);
        }
        let fresh = self.read_locations(scope, filter, sort, page, per_page).await?;
        self.page_cache.put(generation, key, fresh.clone());
        Ok(fresh)
    }

    async fn read_locations(
        &self,
        scope: &LocationScope,
        filter: &LocationFilter,
        sort: LocationSort,
        page: i64,
        per_page: i64,
    ) -> Result<Page<LocationSummary>, StoreError> {
        let mut wh = Sql::new(" WHERE 1 = 1");
        push_scope(&mut wh, scope);
        push_categories(&mut wh, "l", filter);
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
            let like = format!("%{}%", q.to_lowercase());
            wh.push(" AND (LOWER(l.street) LIKE ").bind(like.clone());
            wh.push(" OR LOWER(l.place) LIKE ").bind(like);
            wh.push(" OR l.postcode LIKE ").bind(format!("{compact}%")).push(")");
        }
        if let Some(o) = filter.operator_id {
            wh.push(" AND l.operator_id = ").bind(o);
        }
        // register_totals has the municipality and category of every location, so most
        // counts need not scan the locations (without a region filter they come from the
        // cached totals);
        // text and operator filters still count the locations themselves.
        let by_totals =
            filter.q.is_none() && filter.operator_id.is_none() && !matches!(scope, LocationScope::Operator(_));
        let total: i64 = if by_totals && filter.region_id.is_none() {
            self.totals(None)
                .await?
                .rows
                .iter()
                .filter(|r| {
                    scope.covers_municipality(&r.municipality_code)
                        && filter.municipality_code.as_ref().is_none_or(|m| *m == r.municipality_code)
                        && filter.housing_form.is_none_or(|f| f == r.housing_form)
                        && filter.legal_status.is_none_or(|s| s == r.legal_status)
                        && filter.stay_type.is_none_or(|s| s == r.stay_type)
                })
                .map(|r| r.locations)
                .sum()
        } else {
            let count = if by_totals {
                let mut t = Sql::new(" WHERE 1 = 1");
                push_scope_on(&mut t, "t", scope);
                push_categories(&mut t, "t", filter);
                t.prefixed("SELECT CAST(COALESCE(SUM(t.locations), 0) AS BIGINT) AS n FROM register_totals t")
            } else {
                wh.prefixed("SELECT COUNT(*) AS n FROM locations l")
            };
            count.query().fetch_one(&self.pool).await?.try_get("n")?
        };
        // Page through the ids first, then join the page's rows: skipping to a deep page then
        // walks an index, not the joined rows.
        let order = sort.order_by();
        let mut list = wh.prefixed(match sort {
            LocationSort::Municipality => {
                "SELECT l.id FROM locations l JOIN municipalities m ON m.code = l.municipality_code"
            }
            _ => "SELECT l.id FROM locations l",
        });
        list.push(&format!(" ORDER BY {order} LIMIT ")).bind(per_page).push(" OFFSET ").bind((page - 1) * per_page);
        let mut list = list.prefixed(&format!("SELECT {SUMMARY_COLUMNS} FROM ("));
        list.push(&format!(") page JOIN locations l ON l.id = page.id{JOINS} ORDER BY {order}"));
        let rows = list.query().fetch_all(&self.pool).await?;
        Ok(Page { items: rows.iter().map(summary_from_row).collect::<Result<_, _>>()?, total, page, per_page })
    }

    pub async fn create_location(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        draft: &LocationDraft,
    ) -> Result<Location, StoreError> {
        if !scope.allows(&draft.municipality, draft.operator_id) {
            return Err(StoreError::Forbidden(
                "you may not register a location for this municipality or operator".into(),
            ));
        }
        let mut tx = self.begin_write().await?;
        let created = insert_location(&mut tx, actor, draft).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Creates many locations in one transaction: all of them, or — if any is invalid —
    /// none, with the problems of every bad one (by its index in `drafts`).
    pub async fn import_locations(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        drafts: &[LocationDraft],
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<usize, ImportError> {
        let mut problems = Vec::new();
        for (i, d) in drafts.iter().enumerate() {
            if !scope.allows(&d.municipality, d.operator_id) {
                problems.push((
                    i,
                    FieldErrors::single(
                        "municipality_code",
                        "out_of_scope",
                        "you may not register a location for this municipality or operator",
                    ),
                ));
            }
        }
        let mut tx = self.begin_write().await?;
        for (i, d) in drafts.iter().enumerate() {
            match insert_location(&mut tx, actor, d).await {
                Ok(_) => {}
                Err(StoreError::Invalid(e)) => problems.push((i, e)),
                Err(e) => return Err(ImportError::Store(e)),
            }
            progress(1);
        }
        if !problems.is_empty() {
            tx.rollback().await.map_err(StoreError::from)?;
            problems.sort_by_key(|(i, _)| *i);
            return Err(ImportError::Rows(problems));
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(drafts.len())
    }

    /// Replaces a location with `draft`, if `expected_version` is still current. Rooms and
    /// beds that carry an id are kept (so their history stays attached); those left out are
    /// removed; those without an id are new.
    pub async fn update_location(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        id: i64,
        expected_version: i64,
        draft: &LocationDraft,
    ) -> Result<Location, StoreError> {
        let mut tx = self.begin_write().await?;
        let before = load(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        let old_municipality = flexwonen_core::ids::MunicipalityCode::parse(&before.municipality_code)
            .map_err(|_| StoreError::NotFound)?;
        if !scope.allows(&old_municipality, before.operator_id) {
            return Err(StoreError::NotFound);
        }
        if !scope.allows(&draft.municipality, draft.operator_id) {
            return Err(StoreError::Forbidden("you may not move a location to this municipality or operator".into()));
        }
        if before.version != expected_version {
            return Err(StoreError::Conflict { current: before.version });
        }
        check_references(&mut tx, draft, Some(id)).await?;
        let mut sql = Sql::new("UPDATE locations SET ");
        let ts = now();
        for (i, (col, value)) in
            LOCATION_COLUMNS.iter().zip(location_values(draft, before.version + 1, &ts)).enumerate()
        {
            if *col == "created_at" {
                continue;
            }
            if i > 0 {
                sql.push(", ");
            }
            sql.push(col).push(" = ").bind(value);
        }
        sql.push(" WHERE id = ").bind(id).push(" AND version = ").bind(expected_version);
        let done = sql.query().execute(&mut *tx).await.map_err(address_conflict)?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict { current: before.version + 1 });
        }
        sync_rooms(&mut tx, id, draft).await?;
        totals::apply(&mut tx, &contribution_of(&before), -1).await?;
        totals::apply(&mut tx, &contribution(draft), 1).await?;
        let after = load(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        record(&mut tx, actor, "location", id, "update", Some(&to_json(&before)), Some(&to_json(&after))).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_location(
        &self,
        actor: &Actor,
        scope: &LocationScope,
        id: i64,
        expected_version: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let before = load(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        let municipality = flexwonen_core::ids::MunicipalityCode::parse(&before.municipality_code)
            .map_err(|_| StoreError::NotFound)?;
        if !scope.allows(&municipality, before.operator_id) {
            return Err(StoreError::NotFound);
        }
        if expected_version.is_some_and(|v| v != before.version) {
            return Err(StoreError::Conflict { current: before.version });
        }
        let stays: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM stays WHERE location_id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        if stays > 0 {
            return Err(StoreError::invalid(
                "location",
                "location_has_stays",
                format!("{stays} stays are recorded here: set the status to closed instead of deleting the location"),
            ));
        }
        // Only the version read: a concurrent change or delete makes this a conflict, so the
        // totals below subtract exactly what was removed (rooms and beds cascade).
        let done = sqlx::query("DELETE FROM locations WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(before.version)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::Conflict { current: before.version });
        }
        totals::apply(&mut tx, &contribution_of(&before), -1).await?;
        record(&mut tx, actor, "location", id, "delete", Some(&to_json(&before)), None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every location in scope with its rooms, in address order, for export.
    pub async fn export_locations(&self, scope: &LocationScope) -> Result<Vec<Location>, StoreError> {
        let mut sql =
            Sql::new(&format!("SELECT {SUMMARY_COLUMNS}, {DETAIL_COLUMNS} FROM locations l{JOINS} WHERE 1 = 1"));
        push_scope(&mut sql, scope);
        sql.push(" ORDER BY l.municipality_code, l.place, l.street, l.house_number, l.id");
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut rooms = load_rooms_where(&self.pool, "1 = 1", None).await?;
        rows.iter()
            .map(|r| {
                let mut loc = location_from_row(r)?;
                loc.rooms = rooms.remove(&loc.id).unwrap_or_default();
                Ok(loc)
            })
            .collect()
    }

    /// Inserts many validated locations in one transaction with few statements. For demo
    /// data and benchmarks; addresses must be unique among themselves and new to the store.
    pub async fn bulk_load(
        &self,
        actor: &Actor,
        load: DemoLoad<'_>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<LoadedLocation>, StoreError> {
        let mut tx = self.begin_write().await?;
        let mut loaded = Vec::with_capacity(load.locations.len());
        let next = |table: &'static str| format!("SELECT COALESCE(MAX(id), 0) AS n FROM {table}");
        let mut location_id: i64 =
            sqlx::query(sqlx::AssertSqlSafe(next("locations"))).fetch_one(&mut *tx).await?.try_get("n")?;
        let mut room_id: i64 =
            sqlx::query(sqlx::AssertSqlSafe(next("rooms"))).fetch_one(&mut *tx).await?.try_get("n")?;
        let mut bed_id: i64 = sqlx::query(sqlx::AssertSqlSafe(next("beds"))).fetch_one(&mut *tx).await?.try_get("n")?;
        let ts = now();
        // Progress is reported per this many locations.
        const STEP: usize = 400;
        for chunk in load.locations.chunks(STEP) {
            let mut locations = Vec::new();
            let mut rooms = Vec::new();
            let mut beds = Vec::new();
            for (draft, operator) in chunk {
                location_id += 1;
                let mut d = draft.clone();
                d.operator_id = *operator;
                locations.push(
                    std::iter::once(Value::Int(location_id)).chain(location_values(&d, 1, &ts)).collect::<Vec<_>>(),
                );
                loaded.push(LoadedLocation { id: location_id, bed_ids: Vec::with_capacity(draft.bed_count()) });
                for (rp, room) in draft.rooms.iter().enumerate() {
                    room_id += 1;
                    rooms.push(vec![
                        Value::Int(room_id),
                        Value::Int(location_id),
                        Value::Int(rp as i64),
                        room.name.as_str().into(),
                        room.area_m2.into(),
                    ]);
                    for (bp, bed) in room.beds.iter().enumerate() {
                        bed_id += 1;
                        if let Some(l) = loaded.last_mut() {
                            l.bed_ids.push(bed_id);
                        }
                        beds.push(vec![
                            Value::Int(bed_id),
                            Value::Int(room_id),
                            Value::Int(location_id),
                            Value::Int(bp as i64),
                            bed.label.as_str().into(),
                            bed.out_of_service_reason.clone().into(),
                        ]);
                    }
                }
            }
            let head = format!("INSERT INTO locations (id, {}) VALUES ", LOCATION_COLUMNS.join(", "));
            insert_rows(&mut tx, &head, locations).await.map_err(|e| match e {
                StoreError::Database(db) => address_conflict(db),
                other => other,
            })?;
            insert_rows(&mut tx, "INSERT INTO rooms (id, location_id, position, name, area_m2) VALUES ", rooms).await?;
            insert_rows(
                &mut tx,
                "INSERT INTO beds (id, room_id, location_id, position, label, out_of_service_reason) VALUES ",
                beds,
            )
            .await?;
            progress(chunk.len() as u64);
        }
        totals::rebuild(&mut tx).await?;
        if self.backend == Backend::Postgres {
            // Explicit ids bypassed the identity sequences; move them past the new rows.
            for table in ["locations", "rooms", "beds"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )))
                .execute(&mut *tx)
                .await?;
            }
        }
        let summary = serde_json::json!({"locations": load.locations.len()});
        record(&mut tx, actor, "register", 0, "bulk_load", None, Some(&summary)).await?;
        tx.commit().await?;
        self.after_bulk_write(&["locations", "rooms", "beds", "register_totals"]).await;
        Ok(loaded)
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} row(s) are invalid", .0.len())]
    Rows(Vec<(usize, FieldErrors)>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for ImportError {
    fn from(e: sqlx::Error) -> Self {
        ImportError::Store(e.into())
    }
}

async fn insert_location(
    conn: &mut AnyConnection,
    actor: &Actor,
    draft: &LocationDraft,
) -> Result<Location, StoreError> {
    check_references(conn, draft, None).await?;
    let ts = now();
    let mut sql = Sql::new(&format!("INSERT INTO locations ({}) VALUES ", LOCATION_COLUMNS.join(", ")));
    sql.bind_list(location_values(draft, 1, &ts));
    sql.push(" RETURNING id");
    let id: i64 = sql.query().fetch_one(&mut *conn).await.map_err(address_conflict)?.try_get("id")?;
    sync_rooms(conn, id, draft).await?;
    totals::apply(conn, &contribution(draft), 1).await?;
    let after = load(conn, id).await?.ok_or(StoreError::NotFound)?;
    record(conn, actor, "location", id, "create", None, Some(&to_json(&after))).await?;
    Ok(after)
}

/// Multi-row inserts of about `PARAMS_PER_STATEMENT` parameters each. SQLite looks up `$n`
/// parameters in a list, so a statement with thousands of them costs quadratic time; a
/// fixed row count per statement also lets the prepared statement be reused.
async fn insert_rows(conn: &mut AnyConnection, head: &str, rows: Vec<Vec<Value>>) -> Result<(), StoreError> {
    const PARAMS_PER_STATEMENT: usize = 240;
    let width = rows.first().map_or(1, Vec::len).max(1);
    for chunk in rows.chunks((PARAMS_PER_STATEMENT / width).max(1)) {
        let mut sql = Sql::new(head);
        for (i, row) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind_list(row.iter().cloned());
        }
        sql.query().execute(&mut *conn).await?;
    }
    Ok(())
}

/// The columns `location_values` fills, in its order.
const LOCATION_COLUMNS: [&str; 33] = [
    "address_key",
    "postcode",
    "house_number",
    "house_letter",
    "house_addition",
    "street",
    "place",
    "municipality_code",
    "bag_vbo_id",
    "housing_form",
    "zoned_residential",
    "floor_area_m2",
    "legal_status",
    "stay_type",
    "operator_id",
    "toilets",
    "showers",
    "kitchens",
    "washing_machines",
    "rd_x",
    "rd_y",
    "new_build",
    "in_use_since",
    "conversion_permit",
    "bedroom_sharing_agreed",
    "first_responsible",
    "room_count",
    "bed_count",
    "beds_in_service",
    "bedrooms",
    "version",
    "created_at",
    "updated_at",
];

/// The values of a location's row, in the order of `LOCATION_COLUMNS`.
fn location_values(d: &LocationDraft, version: i64, ts: &str) -> [Value; LOCATION_COLUMNS.len()] {
    let a = &d.address;
    [
        a.key().into(),
        a.postcode.as_str().into(),
        a.house_number.into(),
        a.house_letter.clone().into(),
        a.house_addition.clone().into(),
        a.street.as_str().into(),
        a.place.as_str().into(),
        d.municipality.as_str().into(),
        d.bag_vbo_id.as_ref().map(|b| b.as_str().to_string()).into(),
        d.housing_form.as_str().into(),
        // Booleans are stored as 0/1: the `Any` driver reads no SQLite booleans.
        i64::from(d.zoned_residential).into(),
        d.floor_area_m2.into(),
        d.legal_status.as_str().into(),
        d.stay_type.as_str().into(),
        d.operator_id.into(),
        d.facilities.toilets.into(),
        d.facilities.showers.into(),
        d.facilities.kitchens.into(),
        d.facilities.washing_machines.into(),
        d.position.map(|p| p.x).into(),
        d.position.map(|p| p.y).into(),
        i64::from(d.new_build).into(),
        d.in_use_since.map(|s| s.format(crate::sql::DATE_FORMAT).to_string()).into(),
        i64::from(d.conversion_permit).into(),
        i64::from(d.bedroom_sharing_agreed).into(),
        i64::from(d.first_responsible).into(),
        (d.rooms.len() as i64).into(),
        (d.bed_count() as i64).into(),
        (d.beds_in_service() as i64).into(),
        crate::capacity::encode_bedrooms(&d.bedrooms()).into(),
        version.into(),
        ts.into(),
        ts.into(),
    ]
}

/// A stored 0/1 flag.
fn flag(r: &AnyRow, col: &str) -> Result<bool, StoreError> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

fn contribution(d: &LocationDraft) -> Contribution {
    Contribution {
        municipality_code: d.municipality.to_string(),
        housing_form: d.housing_form,
        legal_status: d.legal_status,
        stay_type: d.stay_type,
        beds: d.bed_count() as i64,
        beds_in_service: d.beds_in_service() as i64,
    }
}

fn contribution_of(l: &Location) -> Contribution {
    Contribution {
        municipality_code: l.municipality_code.clone(),
        housing_form: l.housing_form,
        legal_status: l.legal_status,
        stay_type: l.stay_type,
        beds: l.bed_count,
        beds_in_service: l.beds_in_service,
    }
}

fn to_json(l: &Location) -> serde_json::Value {
    serde_json::to_value(l).unwrap_or_default()
}

fn duplicate_address() -> StoreError {
    StoreError::invalid("address", "duplicate_address", "another location in the register already has this address")
}

/// A unique-constraint race on the address (two clients at once) reads as the same error as
/// the check before it.
fn address_conflict(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => duplicate_address(),
        _ => StoreError::Database(e),
    }
}

/// The checks that need the database: the municipality exists, the operator is a
/// provider, the address is free, and room and bed ids belong to this location.
async fn check_references(conn: &mut AnyConnection, d: &LocationDraft, this: Option<i64>) -> Result<(), StoreError> {
    let mut e = FieldErrors::new();
    let found: Option<String> = sqlx::query_scalar("SELECT code FROM municipalities WHERE code = $1")
        .bind(d.municipality.as_str())
        .fetch_optional(&mut *conn)
        .await?;
    if found.is_none() {
        e.add("municipality_code", "unknown_municipality", format!("there is no municipality {}", d.municipality));
    }
    if let Some(op) = d.operator_id {
        let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM organisations WHERE id = $1")
            .bind(op)
            .fetch_optional(&mut *conn)
            .await?;
        match kind.as_deref().and_then(OrganisationKind::parse) {
            None => e.add("operator_id", "unknown_organisation", format!("there is no organisation {op}")),
            Some(
                OrganisationKind::HousingProvider
                | OrganisationKind::TempAgency
                | OrganisationKind::HousingCorporation
                | OrganisationKind::Employer,
            ) => {}
            Some(k) => {
                e.add("operator_id", "not_a_provider", format!("organisation {op} is a {k}, not a housing provider"))
            }
        }
    }
    let other: Option<i64> = sqlx::query_scalar("SELECT id FROM locations WHERE address_key = $1")
        .bind(d.address.key())
        .fetch_optional(&mut *conn)
        .await?;
    if other.is_some_and(|o| Some(o) != this) {
        e.0.extend(duplicate_address().into_field_errors());
    }
    let (rooms, beds) = match this {
        Some(id) => existing_ids(conn, id).await?,
        None => Default::default(),
    };
    for (i, r) in d.rooms.iter().enumerate() {
        if let Some(rid) = r.id.filter(|rid| !rooms.contains(rid)) {
            e.add(format!("rooms[{i}].id"), "unknown_room", format!("room {rid} is not a room of this location"));
        }
        for (j, b) in r.beds.iter().enumerate() {
            if let Some(bid) = b.id.filter(|bid| !beds.contains(bid)) {
                e.add(
                    format!("rooms[{i}].beds[{j}].id"),
                    "unknown_bed",
                    format!("bed {bid} is not a bed of this location"),
                );
            }
        }
    }
    let mut seen_rooms = HashSet::new();
    for (i, r) in d.rooms.iter().enumerate() {
        if let Some(rid) = r.id.filter(|rid| !seen_rooms.insert(*rid)) {
            e.add(format!("rooms[{i}].id"), "duplicate_room", format!("room {rid} appears twice"));
        }
    }
    let mut seen = HashSet::new();
    for (i, r) in d.rooms.iter().enumerate() {
        for (j, b) in r.beds.iter().enumerate() {
            if let Some(bid) = b.id.filter(|bid| !seen.insert(*bid)) {
                e.add(format!("rooms[{i}].beds[{j}].id"), "duplicate_bed", format!("bed {bid} appears twice"));
            }
        }
    }
    if e.is_empty() { Ok(()) } else { Err(StoreError::Invalid(e)) }
}

impl StoreError {
    fn into_field_errors(self) -> Vec<flexwonen_core::FieldError> {
        match self {
            StoreError::Invalid(e) => e.0,
            _ => Vec::new(),
        }
    }
}

async fn existing_ids(conn: &mut AnyConnection, location_id: i64) -> Result<(HashSet<i64>, HashSet<i64>), StoreError> {
    let rooms: Vec<i64> = sqlx::query_scalar("SELECT id FROM rooms WHERE location_id = $1")
        .bind(location_id)
        .fetch_all(&mut *conn)
        .await?;
    let beds: Vec<i64> = sqlx::query_scalar("SELECT id FROM beds WHERE location_id = $1")
        .bind(location_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok((rooms.into_iter().collect(), beds.into_iter().collect()))
}

/// Makes the rooms and beds of a location equal to the draft's, keeping ids where given.
/// Order matters: beds move to their (kept or new) rooms before any room is removed, since
/// removing a room removes the beds still in it.
async fn sync_rooms(conn: &mut AnyConnection, location_id: i64, d: &LocationDraft) -> Result<(), StoreError> {
    let mut room_ids = Vec::with_capacity(d.rooms.len());
    for (rp, r) in d.rooms.iter().enumerate() {
        let rid = match r.id {
            Some(rid) => {
                let done = sqlx::query(
                    "UPDATE rooms SET position = $1, name = $2, area_m2 = $3 WHERE id = $4 AND location_id = $5",
                )
                .bind(rp as i64)
                .bind(&r.name)
                .bind(r.area_m2)
                .bind(rid)
                .bind(location_id)
                .execute(&mut *conn)
                .await?;
                expect_one(done.rows_affected(), "room", rid)?;
                rid
            }
            None => {
                sqlx::query_scalar(
                    "INSERT INTO rooms (location_id, position, name, area_m2) VALUES ($1, $2, $3, $4) RETURNING id",
                )
                .bind(location_id)
                .bind(rp as i64)
                .bind(&r.name)
                .bind(r.area_m2)
                .fetch_one(&mut *conn)
                .await?
            }
        };
        room_ids.push(rid);
    }
    let mut kept_beds = Vec::new();
    for (r, rid) in d.rooms.iter().zip(&room_ids) {
        for (bp, b) in r.beds.iter().enumerate() {
            match b.id {
                Some(bid) => {
                    let done = sqlx::query(
                        "UPDATE beds SET room_id = $1, position = $2, label = $3, out_of_service_reason = $4
                         WHERE id = $5 AND location_id = $6",
                    )
                    .bind(*rid)
                    .bind(bp as i64)
                    .bind(&b.label)
                    .bind(b.out_of_service_reason.clone())
                    .bind(bid)
                    .bind(location_id)
                    .execute(&mut *conn)
                    .await?;
                    expect_one(done.rows_affected(), "bed", bid)?;
                    kept_beds.push(bid);
                }
                None => {
                    let bid: i64 = sqlx::query_scalar(
                        "INSERT INTO beds (room_id, location_id, position, label, out_of_service_reason)
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(*rid)
                    .bind(location_id)
                    .bind(bp as i64)
                    .bind(&b.label)
                    .bind(b.out_of_service_reason.clone())
                    .fetch_one(&mut *conn)
                    .await?;
                    kept_beds.push(bid);
                }
            }
        }
    }
    // A bed with recorded stays keeps its history: it can go out of service, not away.
    let mut occupied =
        Sql::new("SELECT MIN(b.label) FROM beds b JOIN stays s ON s.bed_id = b.id WHERE b.location_id = ");
    occupied.bind(location_id);
    if !kept_beds.is_empty() {
        occupied.push(" AND b.id NOT IN ").bind_list(kept_beds.iter().copied());
    }
    if let Some(label) = occupied.query().fetch_one(&mut *conn).await?.try_get::<Option<String>, _>(0)? {
        return Err(StoreError::invalid(
            "rooms",
            "bed_has_stays",
            format!("bed {label} has recorded stays: mark it out of service instead of removing it"),
        ));
    }
    let mut del = Sql::new("DELETE FROM beds WHERE location_id = ");
    del.bind(location_id);
    if !kept_beds.is_empty() {
        del.push(" AND id NOT IN ").bind_list(kept_beds);
    }
    del.query().execute(&mut *conn).await?;
    let mut del = Sql::new("DELETE FROM rooms WHERE location_id = ");
    del.bind(location_id);
    if !room_ids.is_empty() {
        del.push(" AND id NOT IN ").bind_list(room_ids);
    }
    del.query().execute(&mut *conn).await?;
    Ok(())
}

/// A row checked to belong to this location must be there: anything else is a bug or a
/// concurrent change, and the transaction is abandoned.
fn expect_one(rows: u64, what: &str, id: i64) -> Result<(), StoreError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "rooms",
            "stale_rooms",
            format!("{what} {id} changed meanwhile; read the location again"),
        ))
    }
}

fn location_from_row(r: &AnyRow) -> Result<Location, StoreError> {
    let s = summary_from_row(r)?;
    let x: Option<f64> = r.try_get("rd_x")?;
    let y: Option<f64> = r.try_get("rd_y")?;
    let position = x.zip(y).map(|(x, y)| {
        let rd = RdPoint { x, y };
        Position { rd, wgs84: rd.to_wgs84() }
    });
    Ok(Location {
        id: s.id,
        version: s.version,
        address: s.address,
        municipality_code: s.municipality_code,
        municipality_name: s.municipality_name,
        bag_vbo_id: r.try_get("bag_vbo_id")?,
        housing_form: s.housing_form,
        zoned_residential: flag(r, "zoned_residential")?,
        floor_area_m2: s.floor_area_m2,
        legal_status: s.legal_status,
        stay_type: s.stay_type,
        operator_id: s.operator_id,
        operator_name: s.operator_name,
        facilities: Facilities {
            toilets: r.try_get("toilets")?,
            showers: r.try_get("showers")?,
            kitchens: r.try_get("kitchens")?,
            washing_machines: r.try_get("washing_machines")?,
        },
        position,
        new_build: flag(r, "new_build")?,
        in_use_since: crate::sql::opt_date_col(r, "in_use_since")?,
        conversion_permit: flag(r, "conversion_permit")?,
        bedroom_sharing_agreed: flag(r, "bedroom_sharing_agreed")?,
        first_responsible: flag(r, "first_responsible")?,
        room_count: s.room_count,
        bed_count: s.bed_count,
        beds_in_service: s.beds_in_service,
        rooms: Vec::new(),
        created_at: r.try_get("created_at")?,
        updated_at: s.updated_at,
    })
}

pub(crate) async fn load(conn: &mut AnyConnection, id: i64) -> Result<Option<Location>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {SUMMARY_COLUMNS}, {DETAIL_COLUMNS} FROM locations l{JOINS} WHERE l.id = $1"
    )))
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut loc = location_from_row(&row)?;
    loc.rooms = load_rooms_where(&mut *conn, "r.location_id = $1", Some(id)).await?.remove(&id).unwrap_or_default();
    Ok(Some(loc))
}

/// Rooms with their beds, grouped by location, in their stored order.
async fn load_rooms_where<'e, E>(
    exec: E,
    condition: &str,
    param: Option<i64>,
) -> Result<HashMap<i64, Vec<Room>>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let sql = format!(
        "SELECT r.location_id, r.id AS room_id, r.name, r.area_m2, b.id AS bed_id, b.label, b.out_of_service_reason
         FROM rooms r LEFT JOIN beds b ON b.room_id = r.id WHERE {condition}
         ORDER BY r.location_id, r.position, r.id, b.position, b.id"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(p) = param {
        q = q.bind(p);
    }
    let rows = q.fetch_all(exec).await?;
    let mut out: HashMap<i64, Vec<Room>> = HashMap::new();
    for r in rows {
        let location_id: i64 = r.try_get("location_id")?;
        let room_id: i64 = r.try_get("room_id")?;
        let rooms = out.entry(location_id).or_default();
        if rooms.last().map(|x| x.id) != Some(room_id) {
            rooms.push(Room {
                id: room_id,
                name: r.try_get("name")?,
                area_m2: r.try_get("area_m2")?,
                beds: Vec::new(),
            });
        }
        if let Some(bed_id) = r.try_get::<Option<i64>, _>("bed_id")? {
            let reason: Option<String> = r.try_get("out_of_service_reason")?;
            if let Some(room) = rooms.last_mut() {
                room.beds.push(Bed {
                    id: bed_id,
                    label: r.try_get("label")?,
                    in_service: reason.is_none(),
                    out_of_service_reason: reason,
                });
            }
        }
    }
    Ok(out)
}
