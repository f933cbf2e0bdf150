//! Overcrowding signals (issue 6): the run that joins a municipality's BRP extract, the BAG
//! and the register per address and judges every rule (`core::signals`), and the signals it
//! keeps — one per municipality, address and rule, updated while the cause lasts, closed when
//! it is gone, opened again when it comes back.
//!
//! A run reads everything first (outside any transaction): the extract's lines carry what the
//! BAG says of their address already (`brp::join_brp_with_bag`). Then, in one transaction,
//! it compares its findings with the stored signals and writes only what changed
//! (`merge_findings`), in multi-row statements: a day like the one before writes next to
//! nothing.

use crate::audit::{Actor, record};
use crate::bulk::{ROWS_PER_STATEMENT, RowBatch, number, quoted, quoted_or_null};
use crate::capacity::{FACTS_TEXT, parse_facts};
use crate::sql::{DATE_FORMAT, decoding};
use crate::{Store, StoreError, now};
use chrono::NaiveDate;
use flexwonen_core::capacity::permitted_only;
use flexwonen_core::certificates::{certified_on, lapsed_on};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::signals::{AddressFacts, Finding, RuleDefinition, SignalRule, default_rules, judge, tuned_rules};
use serde::Serialize;
use sqlx::{AnyConnection, Row};
use std::collections::HashMap;
use std::fmt::Write;

flexwonen_core::code_enum! {
    /// Which signals a list shows.
    SignalState {
        /// Not closed and not marked "seen, no action".
        Open = "open",
        Dismissed = "dismissed",
        Closed = "closed",
        All = "all",
    }
}

impl SignalState {
    fn condition(self) -> &'static str {
        match self {
            SignalState::Open => "closed_on IS NULL AND dismissed_at IS NULL",
            SignalState::Dismissed => "closed_on IS NULL AND dismissed_at IS NOT NULL",
            SignalState::Closed => "closed_on IS NOT NULL",
            SignalState::All => "1 = 1",
        }
    }
}

flexwonen_core::code_enum! {
    /// The order of a signal list; ties fall back to the address.
    SignalOrder {
        Score = "score",
        Address = "address",
        Rule = "rule",
        FirstSeen = "first_seen",
    }
}

impl SignalOrder {
    fn clause(self) -> &'static str {
        match self {
            SignalOrder::Score => "score DESC, address, rule",
            SignalOrder::Address => "address, rule",
            SignalOrder::Rule => "rule, score DESC, address",
            SignalOrder::FirstSeen => "first_seen, score DESC, address",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dismissal {
    pub at: String,
    pub by: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    pub id: i64,
    pub municipality_code: String,
    pub rule: SignalRule,
    pub address: String,
    pub address_key: String,
    pub vbo_id: Option<String>,
    pub location_id: Option<i64>,
    /// RD New metres.
    pub x: Option<f64>,
    pub y: Option<f64>,
    /// The numbers that triggered it, by name.
    pub evidence: serde_json::Map<String, serde_json::Value>,
    pub score: f64,
    pub first_seen: String,
    pub last_seen: String,
    pub closed_on: Option<String>,
    pub dismissed: Option<Dismissal>,
}

/// What a run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignalRun {
    pub municipality_code: String,
    pub run_at: String,
    pub run_on: String,
    /// Addresses judged: those of the BRP extract and of the register.
    pub addresses: i64,
    /// New signals, and signals back after they had closed.
    pub opened: i64,
    pub closed: i64,
    /// Signals not closed after the run (including those marked "seen, no action").
    pub open_signals: i64,
}

/// Open signals of one municipality and rule: counts, no addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignalCount {
    pub municipality_code: String,
    pub name: String,
    pub rule: SignalRule,
    pub open: i64,
    pub dismissed: i64,
}

/// One address as the run knows it.
#[derive(Default)]
struct Place {
    address: String,
    vbo_id: Option<String>,
    location_id: Option<i64>,
    x: Option<f64>,
    y: Option<f64>,
    facts: AddressFacts,
}

/// One line of the BRP query, borrowed from its text.
struct BrpLine<'a> {
    key: &'a str,
    registered: i64,
    recent: i64,
    vbo: &'a str,
    area: Option<i64>,
    x: Option<i64>,
    y: Option<i64>,
    street: &'a str,
    town: &'a str,
}

impl<'a> BrpLine<'a> {
    fn parse(line: &'a str) -> Result<BrpLine<'a>, StoreError> {
        let bad = || decoding(format!("signal line '{line}'"));
        let mut f = line.split('\t');
        let mut next = || f.next().ok_or_else(bad);
        let int = |s: &str| s.parse::<i64>().map_err(|_| bad());
        let opt = |s: &str| if s.is_empty() { Ok(None) } else { int(s).map(Some) };
        Ok(BrpLine {
            key: next()?,
            registered: int(next()?)?,
            recent: int(next()?)?,
            vbo: next()?,
            area: opt(next()?)?,
            x: opt(next()?)?,
            y: opt(next()?)?,
            street: next()?,
            town: next()?,
        })
    }

    /// What the line says of `place`: its registrations add up; the BAG's floor area and
    /// position come first.
    fn add_to(&self, place: &mut Place) {
        if let Some(area) = self.area {
            place.facts.floor_area_m2 = Some(area);
        }
        if place.vbo_id.is_none() && !self.vbo.is_empty() {
            place.vbo_id = Some(self.vbo.to_string());
        }
        if let (Some(x), Some(y)) = (self.x, self.y) {
            place.x = Some(x as f64);
            place.y = Some(y as f64);
        }
        place.facts.registered = Some(place.facts.registered.unwrap_or(0) + self.registered);
        place.facts.registered_last_12_months = Some(place.facts.registered_last_12_months.unwrap_or(0) + self.recent);
    }
}

fn day(d: NaiveDate) -> String {
    d.format(DATE_FORMAT).to_string()
}

/// `Laan 12A-3, 2511 AB Den Haag` from an address key and the names the BAG gives.
fn address_line(key: &str, street: &str, place: &str) -> String {
    let mut parts = key.split('|');
    let (postcode, number, letter, addition) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let mut s = if street.is_empty() { number.to_string() } else { format!("{street} {number}") };
    s.push_str(letter);
    if !addition.is_empty() {
        s.push('-');
        s.push_str(addition);
    }
    let postcode =
        if postcode.len() == 6 { format!("{} {}", &postcode[..4], &postcode[4..]) } else { postcode.to_string() };
    match place {
        "" => format!("{s}, {postcode}"),
        place => format!("{s}, {postcode} {place}"),
    }
}

/// The lines of a municipality's BRP extract numbered from $2 up to $3, with what the BAG knows
/// of their address (joined beforehand: `brp::join_brp_with_bag`), fields separated by `\t`,
/// lines joined by `\n`, in one text: the `Any` driver's cost is per row and value (a row
/// each would cost more than reading the lines).
const BRP_LINES: &str = "SELECT string_agg(c.bag_key || '\t'
        || CAST(c.registered AS TEXT) || '\t' || CAST(c.registered_last_12_months AS TEXT) || '\t'
        || COALESCE(c.vbo_id, '') || '\t' || COALESCE(CAST(c.floor_area_m2 AS TEXT), '') || '\t'
        || COALESCE(CAST(c.x AS TEXT), '') || '\t' || COALESCE(CAST(c.y AS TEXT), '') || '\t'
        || COALESCE(c.street, '') || '\t' || COALESCE(c.town, ''), '\n')
    FROM brp_counts c JOIN brp_extracts e ON e.id = c.extract_id
    WHERE e.municipality_code = $1 AND c.line >= $2 AND c.line < $3";

/// Parts the BRP lines are read in, at once, each on a connection of its own: the database
/// writes the parts' texts on several cores.
const BRP_PARTS: i64 = 4;

impl Store {
    /// The rules as `municipality` has tuned them.
    pub async fn signal_rules(&self, municipality: &MunicipalityCode) -> Result<Vec<RuleDefinition>, StoreError> {
        let rows = sqlx::query("SELECT rule, threshold FROM signal_thresholds WHERE municipality_code = $1")
            .bind(municipality.as_str())
            .fetch_all(&self.pool)
            .await?;
        let own = rows
            .iter()
            .map(|r| {
                let code: String = r.try_get("rule")?;
                let rule = SignalRule::parse(&code).ok_or_else(|| decoding(format!("signal rule '{code}'")))?;
                Ok((rule, r.try_get::<f64, _>("threshold")?))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(tuned_rules(default_rules().map_err(decoding)?, &own))
    }

    /// Sets the municipality's own threshold for a rule (validated by the caller), audited.
    pub async fn set_signal_threshold(
        &self,
        actor: &Actor,
        municipality: &MunicipalityCode,
        rule: SignalRule,
        threshold: f64,
    ) -> Result<(), StoreError> {
        let before = self.signal_rules(municipality).await?.into_iter().find(|r| r.code == rule).map(|r| r.threshold);
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO signal_thresholds (municipality_code, rule, threshold, changed_at, changed_by)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (municipality_code, rule) DO UPDATE
             SET threshold = excluded.threshold, changed_at = excluded.changed_at, changed_by = excluded.changed_by",
        )
        .bind(municipality.as_str())
        .bind(rule.as_str())
        .bind(threshold)
        .bind(now())
        .bind(&actor.name)
        .execute(&mut *tx)
        .await?;
        let value =
            |t: Option<f64>| serde_json::json!({"municipality": municipality.as_str(), "rule": rule, "threshold": t});
        record(
            &mut tx,
            actor,
            "signal_threshold",
            municipality_number(municipality),
            "update",
            Some(&value(before)),
            Some(&value(Some(threshold))),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Judges every address of `municipality` on `date` and brings its signals up to date.
    pub async fn run_signals(
        &self,
        actor: &Actor,
        municipality: &MunicipalityCode,
        date: NaiveDate,
    ) -> Result<SignalRun, StoreError> {
        let started = std::time::Instant::now();
        let today = day(date);
        let code = municipality.as_str();
        // The inputs are read outside the transaction (a city's take a second); should a new
        // extract, threshold or BAG arrive meanwhile, the run reads again, so a late run never
        // writes what an earlier extract said over what a newer one says.
        let mut attempts = 0;
        let (addresses, judged, mut tx, last_run_on) = loop {
            attempts += 1;
            let inputs = self.signal_inputs(municipality).await?;
            let rules = self.signal_rules(municipality).await?;
            let (addresses, judged) = self.judge_addresses(municipality, date, &rules).await?;
            let mut tx = self.begin_write().await?;
            let last: Option<String> =
                sqlx::query_scalar("SELECT run_on FROM signal_runs WHERE municipality_code = $1")
                    .bind(code)
                    .fetch_optional(&mut *tx)
                    .await?;
            if last.as_deref().is_some_and(|last| today.as_str() < last) {
                return Err(StoreError::invalid(
                    "date",
                    "before_last_run",
                    format!(
                        "the signals were last run on {}; a run is for that day or later",
                        last.unwrap_or_default()
                    ),
                ));
            }
            // Claims the municipality's run row: a second run waits here until this commits.
            sqlx::query(
                "INSERT INTO signal_runs (municipality_code, run_at, run_on, addresses, opened, closed, open_signals)
                 VALUES ($1, $2, $3, 0, 0, 0, 0)
                 ON CONFLICT (municipality_code) DO UPDATE SET run_at = excluded.run_at",
            )
            .bind(code)
            .bind(now())
            .bind(&today)
            .execute(&mut *tx)
            .await?;
            let now_inputs: String =
                sqlx::query_scalar(sqlx::AssertSqlSafe(INPUTS_SQL)).bind(code).fetch_one(&mut *tx).await?;
            if now_inputs == inputs || attempts == 3 {
                break (addresses, judged, tx, last);
            }
        };
        let read_ms = started.elapsed().as_millis();
        let merged = merge_findings(&mut tx, code, &today, last_run_on.as_deref(), &judged).await?;
        let open_signals: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM signals WHERE municipality_code = $1 AND closed_on IS NULL")
                .bind(code)
                .fetch_one(&mut *tx)
                .await?;
        let run = SignalRun {
            municipality_code: code.to_string(),
            run_at: now(),
            run_on: today,
            addresses,
            opened: merged.opened,
            closed: merged.closed,
            open_signals,
        };
        sqlx::query(
            "UPDATE signal_runs SET run_at = $2, run_on = $3, addresses = $4, opened = $5, closed = $6, open_signals = $7
             WHERE municipality_code = $1",
        )
        .bind(code)
        .bind(&run.run_at)
        .bind(&run.run_on)
        .bind(run.addresses)
        .bind(run.opened)
        .bind(run.closed)
        .bind(run.open_signals)
        .execute(&mut *tx)
        .await?;
        record(
            &mut tx,
            actor,
            "signal_run",
            municipality_number(municipality),
            "run",
            None,
            Some(&serde_json::to_value(&run).unwrap_or_default()),
        )
        .await?;
        tx.commit().await?;
        // A first run writes thousands of rows: keep SQLite's log short (autovacuum keeps the
        // statistics of this small table on PostgreSQL).
        self.after_bulk_write(&[]).await;
        tracing::debug!(municipality = code, read_ms, total_ms = started.elapsed().as_millis(), "signal run");
        Ok(run)
    }

    /// What the run's inputs are: the extract, the thresholds and the BAG import, as one text.
    async fn signal_inputs(&self, municipality: &MunicipalityCode) -> Result<String, StoreError> {
        Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(INPUTS_SQL))
            .bind(municipality.as_str())
            .fetch_one(&self.pool)
            .await?)
    }

    /// Runs the signals of every municipality with a BRP extract or register locations.
    pub async fn run_all_signals(&self, actor: &Actor, date: NaiveDate) -> Result<Vec<SignalRun>, StoreError> {
        let codes: Vec<String> = sqlx::query_scalar(
            "SELECT municipality_code FROM brp_extracts
             UNION SELECT DISTINCT municipality_code FROM locations
             UNION SELECT DISTINCT municipality_code FROM signals WHERE closed_on IS NULL
             ORDER BY 1",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut runs = Vec::with_capacity(codes.len());
        for code in codes {
            let municipality = MunicipalityCode::parse(&code).map_err(|(_, m)| decoding(m))?;
            runs.push(self.run_signals(actor, &municipality, date).await?);
        }
        Ok(runs)
    }

    /// Judges every address of the municipality on `date`: the lines of its BRP extract with
    /// their BAG object, and the register's locations with their permitted capacity,
    /// occupancy, certification and flagged stays. Gives how many addresses were judged, and
    /// those where a rule fires with their findings, by address key.
    async fn judge_addresses(
        &self,
        municipality: &MunicipalityCode,
        date: NaiveDate,
        rules: &[RuleDefinition],
    ) -> Result<(i64, Vec<(String, Place, Vec<Finding>)>), StoreError> {
        let (mut places, by_vbo) = self.register_places(municipality, date).await?;
        // The BRP extract: its lines borrow from the fetched text, and only an address where
        // a rule fires gets a `Place` of its own.
        let last_line: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(line) FROM brp_counts
             WHERE extract_id = (SELECT id FROM brp_extracts WHERE municipality_code = $1)",
        )
        .bind(municipality.as_str())
        .fetch_one(&self.pool)
        .await?;
        let step = last_line.unwrap_or(0) / BRP_PARTS + 1;
        let parts: Vec<Option<String>> = futures_util::future::try_join_all((0..BRP_PARTS).map(|part| {
            sqlx::query_scalar(BRP_LINES)
                .bind(municipality.as_str())
                .bind(part * step)
                .bind((part + 1) * step)
                .fetch_one(&self.pool)
        }))
        .await?;
        let lines = parts.iter().flatten().flat_map(|text| text.split('\n'));
        // By a fast hash: an extract has hundreds of thousands of addresses.
        let mut brp_only: foldhash::HashMap<&str, BrpLine> =
            foldhash::HashMapExt::with_capacity(last_line.unwrap_or(0).try_into().unwrap_or(0));
        for line in lines {
            let l = BrpLine::parse(line)?;
            // The register's location at this address, or in the same BAG object.
            let register_key = if places.contains_key(l.key) {
                Some(l.key.to_string())
            } else {
                (!l.vbo.is_empty()).then(|| by_vbo.get(l.vbo).cloned()).flatten()
            };
            match register_key.and_then(|k| places.get_mut(&k)) {
                Some(place) => l.add_to(place),
                None => match brp_only.get_mut(l.key) {
                    Some(same) => {
                        same.registered += l.registered;
                        same.recent += l.recent;
                    }
                    None => {
                        brp_only.insert(l.key, l);
                    }
                },
            }
        }
        let addresses = (places.len() + brp_only.len()) as i64;
        let mut judged = Vec::new();
        for (key, place) in places {
            let findings = judge(rules, &place.facts);
            if !findings.is_empty() {
                judged.push((key, place, findings));
            }
        }
        for (key, l) in brp_only {
            let mut place = Place::default();
            l.add_to(&mut place);
            let findings = judge(rules, &place.facts);
            if !findings.is_empty() {
                // Written out for the addresses with a signal only.
                place.address = match key.strip_prefix("NUM:") {
                    Some(id) => format!("nummeraanduiding {id}"),
                    None => address_line(key, l.street, l.town),
                };
                judged.push((key.to_string(), place, findings));
            }
        }
        Ok((addresses, judged))
    }

    /// The register's locations in the municipality as places, by address key, and the
    /// address key of each BAG object a location is linked to.
    async fn register_places(
        &self,
        municipality: &MunicipalityCode,
        date: NaiveDate,
    ) -> Result<(HashMap<String, Place>, HashMap<String, String>), StoreError> {
        let mut places: HashMap<String, Place> = HashMap::new();
        let sets = self.rule_sets().await?;
        let book = self.certificate_book().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT l.id, l.address_key, l.street, l.place, l.rd_x, l.rd_y, b.vbo_id, {FACTS_TEXT} AS facts
             FROM locations l LEFT JOIN bag_links b ON b.location_id = l.id
             WHERE l.municipality_code = $1"
        )))
        .bind(municipality.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut by_vbo: HashMap<String, String> = HashMap::new();
        let mut by_location: HashMap<i64, String> = HashMap::new();
        let mut bedrooms = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let key: String = r.try_get("address_key")?;
            let facts_text: String = r.try_get("facts")?;
            let (facts, operator) = parse_facts(&facts_text, &mut bedrooms)?;
            let spans = operator.and_then(|o| book.get(&o));
            let certified = spans.map(|s| certified_on(s, date)).unwrap_or_default();
            let vbo_id: Option<String> = r.try_get("vbo_id")?;
            if let Some(v) = &vbo_id {
                by_vbo.insert(v.clone(), key.clone());
            }
            by_location.insert(id, key.clone());
            let street: String = r.try_get("street")?;
            let place: String = r.try_get("place")?;
            places.insert(
                key.clone(),
                Place {
                    address: address_line(&key, &street, &place),
                    vbo_id,
                    location_id: Some(id),
                    x: r.try_get("rd_x")?,
                    y: r.try_get("rd_y")?,
                    facts: AddressFacts {
                        floor_area_m2: Some(facts.floor_area_m2.round() as i64),
                        in_register: true,
                        conversion_permit: facts.conversion_permit,
                        permitted: permitted_only(&sets, municipality, certified, &facts, date).map(i64::from),
                        occupied: Some(0),
                        certificate_lapsed_on: spans.and_then(|s| lapsed_on(s, date)),
                        ..Default::default()
                    },
                },
            );
        }
        // Occupancy and flagged stays (a night in the 12 months up to `date`) per location.
        let year_before = date.checked_sub_months(chrono::Months::new(12)).and_then(|d| d.succ_opt()).unwrap_or(date);
        let rows = sqlx::query(
            "SELECT s.location_id,
                    CAST(SUM(CASE WHEN s.check_out IS NULL OR s.check_out > $2 THEN 1 ELSE 0 END) AS BIGINT) AS occupied,
                    CAST(SUM(CASE WHEN s.unregistered_long = 1 THEN 1 ELSE 0 END) AS BIGINT) AS flagged
             FROM stays s JOIN locations l ON l.id = s.location_id
             WHERE l.municipality_code = $1 AND s.check_in <= $2 AND (s.check_out IS NULL OR s.check_out > $3)
             GROUP BY s.location_id",
        )
        .bind(municipality.as_str())
        .bind(day(date))
        .bind(day(year_before))
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let id: i64 = r.try_get("location_id")?;
            if let Some(place) = by_location.get(&id).and_then(|k| places.get_mut(k)) {
                place.facts.occupied = Some(r.try_get("occupied")?);
                place.facts.unregistered_long_stays = r.try_get("flagged")?;
            }
        }
        Ok((places, by_vbo))
    }

    /// The municipality's signals in `state`, in `order`, a page at a time, and how many there are.
    pub async fn signals(
        &self,
        municipality: &MunicipalityCode,
        state: SignalState,
        order: SignalOrder,
        page: Option<(i64, i64)>,
    ) -> Result<(Vec<Signal>, i64), StoreError> {
        let condition = state.condition();
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM signals WHERE municipality_code = $1 AND {condition}"
        )))
        .bind(municipality.as_str())
        .fetch_one(&self.pool)
        .await?;
        let limit = match page {
            Some((offset, limit)) => format!(" LIMIT {} OFFSET {}", limit.max(0), offset.max(0)),
            None => String::new(),
        };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM signals WHERE municipality_code = $1 AND {condition} ORDER BY {}, id{limit}",
            order.clause()
        )))
        .bind(municipality.as_str())
        .fetch_all(&self.pool)
        .await?;
        Ok((rows.iter().map(signal_of).collect::<Result<_, _>>()?, total))
    }

    /// One signal of the municipality; `NotFound` for another municipality's.
    pub async fn signal(&self, municipality: &MunicipalityCode, id: i64) -> Result<Signal, StoreError> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM signals WHERE id = $1 AND municipality_code = $2"
        )))
        .bind(id)
        .bind(municipality.as_str())
        .fetch_optional(&self.pool)
        .await?
        .ok_or(StoreError::NotFound)?;
        signal_of(&row)
    }

    /// Marks an open signal "seen, no action" with the reason (at least a few words), audited.
    pub async fn dismiss_signal(
        &self,
        actor: &Actor,
        municipality: &MunicipalityCode,
        id: i64,
        reason: &str,
    ) -> Result<Signal, StoreError> {
        let reason = flexwonen_core::register::parse_reason(reason)
            .map_err(|(code, message)| StoreError::invalid("reason", code, message))?;
        let before = self.signal(municipality, id).await?;
        if before.closed_on.is_some() {
            return Err(StoreError::invalid("id", "signal_closed", "this signal is closed: its cause is gone"));
        }
        let mut tx = self.begin_write().await?;
        let changed = sqlx::query(
            "UPDATE signals SET dismissed_at = $3, dismissed_by = $4, dismissed_reason = $5
             WHERE id = $1 AND municipality_code = $2 AND closed_on IS NULL",
        )
        .bind(id)
        .bind(municipality.as_str())
        .bind(now())
        .bind(&actor.name)
        .bind(reason)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound);
        }
        let after = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM signals WHERE id = $1")))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let after = signal_of(&after)?;
        let brief =
            |s: &Signal| serde_json::json!({"rule": s.rule, "address_key": s.address_key, "dismissed": s.dismissed});
        record(&mut tx, actor, "signal", id, "dismiss", Some(&brief(&before)), Some(&brief(&after))).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The last run of the municipality.
    pub async fn signal_run(&self, municipality: &MunicipalityCode) -> Result<Option<SignalRun>, StoreError> {
        let row = sqlx::query(
            "SELECT municipality_code, run_at, run_on, addresses, opened, closed, open_signals
             FROM signal_runs WHERE municipality_code = $1",
        )
        .bind(municipality.as_str())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SignalRun {
                municipality_code: r.try_get("municipality_code")?,
                run_at: r.try_get("run_at")?,
                run_on: r.try_get("run_on")?,
                addresses: r.try_get("addresses")?,
                opened: r.try_get("opened")?,
                closed: r.try_get("closed")?,
                open_signals: r.try_get("open_signals")?,
            })
        })
        .transpose()
    }

    /// Signals not closed per municipality and rule, of `municipalities` (all when `None`):
    /// counts only, for regions and the ministry.
    pub async fn signal_counts(
        &self,
        municipalities: Option<&[MunicipalityCode]>,
    ) -> Result<Vec<SignalCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.municipality_code, m.name, s.rule,
                    CAST(SUM(CASE WHEN s.dismissed_at IS NULL THEN 1 ELSE 0 END) AS BIGINT) AS open,
                    CAST(SUM(CASE WHEN s.dismissed_at IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS dismissed
             FROM signals s JOIN municipalities m ON m.code = s.municipality_code
             WHERE s.closed_on IS NULL
             GROUP BY s.municipality_code, m.name, s.rule
             ORDER BY m.name, s.rule",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let code: String = r.try_get("municipality_code")?;
            if municipalities.is_some_and(|ms| !ms.iter().any(|m| m.as_str() == code)) {
                continue;
            }
            let rule: String = r.try_get("rule")?;
            out.push(SignalCount {
                municipality_code: code,
                name: r.try_get("name")?,
                rule: SignalRule::parse(&rule).ok_or_else(|| decoding(format!("signal rule '{rule}'")))?,
                open: r.try_get("open")?,
                dismissed: r.try_get("dismissed")?,
            });
        }
        Ok(out)
    }
}

/// What a signal says beyond its address key and rule: what a run compares, and writes only
/// when it changed.
#[derive(PartialEq)]
struct Content {
    address: String,
    vbo_id: Option<String>,
    location_id: Option<i64>,
    x: Option<f64>,
    y: Option<f64>,
    /// A JSON object, written the same way every run.
    evidence: String,
    score: f64,
}

impl Content {
    fn of(place: &Place, finding: &Finding) -> Content {
        let evidence: serde_json::Map<String, serde_json::Value> =
            finding.evidence.iter().map(|(k, v)| (k.clone(), serde_json::json!(v))).collect();
        Content {
            address: place.address.clone(),
            vbo_id: place.vbo_id.clone(),
            location_id: place.location_id,
            x: place.x,
            y: place.y,
            evidence: serde_json::Value::Object(evidence).to_string(),
            score: finding.score,
        }
    }

    /// `address, vbo_id, location_id, x, y, evidence, score` as SQL literals.
    fn write(&self, row: &mut String) {
        quoted(row, &self.address);
        row.push_str(", ");
        quoted_or_null(row, self.vbo_id.as_deref());
        match self.location_id {
            Some(id) => {
                let _ = write!(row, ", {id}, ");
            }
            None => row.push_str(", NULL, "),
        }
        for c in [self.x, self.y] {
            match c {
                Some(c) => number(row, c),
                None => row.push_str("NULL"),
            }
            row.push_str(", ");
        }
        quoted(row, &self.evidence);
        row.push_str(", ");
        number(row, self.score);
    }
}

/// A signal as stored, for the merge.
struct Stored {
    id: i64,
    open: bool,
    content: Content,
}

/// How a run changed the signals.
struct Merged {
    opened: i64,
    closed: i64,
}

/// Brings the municipality's signals in line with a run's findings, in the run's transaction:
/// a new one is inserted; one that changed or came back after closing is updated (back: it
/// starts afresh, without its old dismissal); one still there unchanged is left alone (its
/// last-seen day is the run's, see `COLUMNS`); one gone is closed, last seen at the run
/// before (`last_run_on`). Only what changed is written, so a day like the one before writes
/// next to nothing.
async fn merge_findings(
    tx: &mut AnyConnection,
    code: &str,
    today: &str,
    last_run_on: Option<&str>,
    judged: &[(String, Place, Vec<Finding>)],
) -> Result<Merged, StoreError> {
    let rows = sqlx::query(
        "SELECT id, address_key, rule, closed_on, address, vbo_id, location_id, x, y, evidence, score
         FROM signals WHERE municipality_code = $1",
    )
    .bind(code)
    .fetch_all(&mut *tx)
    .await?;
    let mut stored: HashMap<(String, String), Stored> = HashMap::with_capacity(rows.len());
    for r in &rows {
        let closed_on: Option<String> = r.try_get("closed_on")?;
        stored.insert(
            (r.try_get("address_key")?, r.try_get("rule")?),
            Stored {
                id: r.try_get("id")?,
                open: closed_on.is_none(),
                content: Content {
                    address: r.try_get("address")?,
                    vbo_id: r.try_get("vbo_id")?,
                    location_id: r.try_get("location_id")?,
                    x: r.try_get("x")?,
                    y: r.try_get("y")?,
                    evidence: r.try_get("evidence")?,
                    score: r.try_get("score")?,
                },
            },
        );
    }
    let mut inserts = RowBatch::new(
        "INSERT INTO signals (municipality_code, address_key, rule, address, vbo_id, location_id, x, y, evidence, score, first_seen, last_seen) VALUES ",
    );
    // Changed or back: the columns of VALUES are column1 … column9 on both databases.
    let mut updates = RowBatch::with_tail(
        "UPDATE signals SET address = v.column2, vbo_id = v.column3, location_id = CAST(v.column4 AS BIGINT),
             x = CAST(v.column5 AS DOUBLE PRECISION), y = CAST(v.column6 AS DOUBLE PRECISION),
             evidence = v.column7, score = CAST(v.column8 AS DOUBLE PRECISION), last_seen = v.column9,
             first_seen = CASE WHEN signals.closed_on IS NULL THEN signals.first_seen ELSE v.column9 END,
             dismissed_at = CASE WHEN signals.closed_on IS NULL THEN signals.dismissed_at END,
             dismissed_by = CASE WHEN signals.closed_on IS NULL THEN signals.dismissed_by END,
             dismissed_reason = CASE WHEN signals.closed_on IS NULL THEN signals.dismissed_reason END,
             closed_on = NULL
         FROM (VALUES ",
        ") AS v WHERE signals.id = v.column1",
    );
    let mut opened = 0;
    for (key, place, findings) in judged {
        for finding in findings {
            let content = Content::of(place, finding);
            let full = match stored.remove(&(key.clone(), finding.rule.as_str().to_string())) {
                Some(s) if s.open && s.content == content => continue,
                Some(s) => {
                    opened += i64::from(!s.open);
                    updates.add(|row| {
                        let _ = write!(row, "({}, ", s.id);
                        content.write(row);
                        row.push_str(", ");
                        quoted(row, today);
                        row.push(')');
                    })
                }
                None => {
                    opened += 1;
                    inserts.add(|row| {
                        row.push('(');
                        for text in [code, key.as_str(), finding.rule.as_str()] {
                            quoted(row, text);
                            row.push_str(", ");
                        }
                        content.write(row);
                        for _ in 0..2 {
                            row.push_str(", ");
                            quoted(row, today);
                        }
                        row.push(')');
                    })
                }
            };
            if full {
                updates.send(&mut *tx).await?;
                inserts.send(&mut *tx).await?;
            }
        }
    }
    updates.send(&mut *tx).await?;
    inserts.send(&mut *tx).await?;
    // What is left open was not found: gone.
    let gone: Vec<i64> = stored.values().filter(|s| s.open).map(|s| s.id).collect();
    for ids in gone.chunks(ROWS_PER_STATEMENT) {
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE signals SET closed_on = $1, last_seen = COALESCE($2, last_seen) WHERE id IN ({list})"
        )))
        .bind(today)
        .bind(last_run_on)
        .execute(&mut *tx)
        .await?;
    }
    Ok(Merged { opened, closed: gone.len() as i64 })
}

/// The version of a run's inputs (see `signal_inputs`).
const INPUTS_SQL: &str =
    "SELECT COALESCE((SELECT CAST(id AS TEXT) || uploaded_at FROM brp_extracts WHERE municipality_code = $1), '')
    || '|' || COALESCE((SELECT MAX(changed_at) FROM signal_thresholds WHERE municipality_code = $1), '')
    || '|' || COALESCE((SELECT CAST(MAX(id) AS TEXT) FROM bag_imports), '')";

/// A signal's columns, from `signals`. An open signal was seen by every run since it opened:
/// its last-seen day is its municipality's last run (a run leaves unchanged signals alone).
const COLUMNS: &str = "id, municipality_code, rule, address, address_key, vbo_id, location_id, x, y, evidence, score,
    first_seen, CASE WHEN closed_on IS NULL THEN COALESCE((SELECT r.run_on FROM signal_runs r
        WHERE r.municipality_code = signals.municipality_code), last_seen) ELSE last_seen END AS last_seen,
    closed_on, dismissed_at, dismissed_by, dismissed_reason";

fn signal_of(r: &sqlx::any::AnyRow) -> Result<Signal, StoreError> {
    let rule: String = r.try_get("rule")?;
    let evidence: String = r.try_get("evidence")?;
    let dismissed_at: Option<String> = r.try_get("dismissed_at")?;
    Ok(Signal {
        id: r.try_get("id")?,
        municipality_code: r.try_get("municipality_code")?,
        rule: SignalRule::parse(&rule).ok_or_else(|| decoding(format!("signal rule '{rule}'")))?,
        address: r.try_get("address")?,
        address_key: r.try_get("address_key")?,
        vbo_id: r.try_get("vbo_id")?,
        location_id: r.try_get("location_id")?,
        x: r.try_get("x")?,
        y: r.try_get("y")?,
        evidence: serde_json::from_str(&evidence).map_err(|e| decoding(format!("signal evidence: {e}")))?,
        score: r.try_get("score")?,
        first_seen: r.try_get("first_seen")?,
        last_seen: r.try_get("last_seen")?,
        closed_on: r.try_get("closed_on")?,
        dismissed: match dismissed_at {
            Some(at) => Some(Dismissal {
                at,
                by: r.try_get::<Option<String>, _>("dismissed_by")?.unwrap_or_default(),
                reason: r.try_get::<Option<String>, _>("dismissed_reason")?.unwrap_or_default(),
            }),
            None => None,
        },
    })
}

/// The audit log's entity id for a municipality-wide change: the number of its GM code.
fn municipality_number(m: &MunicipalityCode) -> i64 {
    m.as_str()[2..].parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_line_from_its_key() {
        assert_eq!(address_line("2511AB|12|A|3", "Laan", "Den Haag"), "Laan 12A-3, 2511 AB Den Haag");
        assert_eq!(address_line("6981AA|1||", "", ""), "1, 6981 AA");
    }
}
