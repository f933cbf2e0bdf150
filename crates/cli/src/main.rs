//! `flexwonen`: the register's server and tools. See `flexwonen --help`.

use clap::{Parser, Subcommand};
use flexwonen::{demo, locations_io};
use flexwonen_core::access::LocationScope;
use flexwonen_store::{Actor, DEFAULT_DATABASE, Store};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "flexwonen", version, about = "Register of housing for EU labour migrants: locations, rooms and beds")]
struct Cli {
    /// Database: a SQLite file path (default) or a postgres:// URL.
    #[arg(long, global = true, env = "FLEXWONEN_DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database_url: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web application and API (creates demo data on first start unless --no-demo).
    Serve {
        #[arg(long, env = "FLEXWONEN_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// Do not create demo data when the database is empty.
        #[arg(long, env = "FLEXWONEN_NO_DEMO")]
        no_demo: bool,
        /// Scale of the demo data created on first start (1 ≈ 20,000 locations).
        #[arg(long, env = "FLEXWONEN_DEMO_SCALE", default_value_t = 1.0)]
        demo_scale: f64,
        /// Send session cookies without the Secure flag (only for plain HTTP on a non-local host).
        #[arg(long, env = "FLEXWONEN_INSECURE_COOKIES")]
        insecure_cookies: bool,
        /// Months after their last check-out that worker records are purged.
        #[arg(long, env = "FLEXWONEN_RETENTION_MONTHS", default_value_t = flexwonen_web::DEFAULT_RETENTION_MONTHS)]
        retention_months: u32,
    },
    /// Create or upgrade the database schema.
    Migrate,
    /// Replace ALL data with synthetic demo data and the demo accounts.
    Demo {
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        #[arg(long, default_value_t = flexwonen_core::demo::DEFAULT_SEED)]
        seed: u64,
    },
    /// Import data.
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export data as CSV to standard output.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        action: TokenAction,
    },
    /// Accounts.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Reports as CSV to standard output.
    Report {
        #[command(subcommand)]
        what: ReportWhat,
    },
    /// Measurements for docs/benchmarks.md (see scripts/bench).
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Occupancy housekeeping.
    Occupancy {
        #[command(subcommand)]
        action: OccupancyAction,
    },
    /// The monitor of regional agreements.
    Monitor {
        #[command(subcommand)]
        action: MonitorAction,
    },
    /// Test data in real formats.
    Generate {
        #[command(subcommand)]
        what: GenerateWhat,
    },
    /// Overcrowding signals.
    Signals {
        #[command(subcommand)]
        action: SignalsAction,
    },
}

#[derive(Subcommand)]
enum GenerateWhat {
    /// A BAG extract in the LV BAG 2.0 format (verblijfsobjecten, nummeraanduidingen,
    /// openbare ruimten, woonplaatsen; 10,000 objects per file), and with --brp the matching
    /// BRP extract. The same options give the same files.
    Bag {
        /// Verblijfsobjecten (about 330,000 for Rotterdam, 10,000,000 for the country).
        #[arg(long)]
        objects: u64,
        /// The municipality (GMxxxx; the addresses lie in it), or 9999 for a national extract.
        #[arg(long, default_value = "GM0599")]
        municipality: String,
        /// folder, zip (a municipality's extract) or national (a zip of zips).
        #[arg(long, default_value = "zip")]
        layout: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where the extract goes (a folder or a .zip file).
        #[arg(long)]
        out: std::path::PathBuf,
        /// Also write the matching BRP extract (CSV) here.
        #[arg(long)]
        brp: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum SignalsAction {
    /// Judge every address again and bring the signals up to date (what `serve` does every
    /// day, and an import of the BAG or a BRP extract does afterwards).
    Run {
        /// One municipality (GMxxxx); every municipality with an extract or locations when absent.
        #[arg(long)]
        municipality: Option<String>,
        /// The day to judge on (YYYY-MM-DD); today when absent.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum MonitorAction {
    /// Store a snapshot of the monitor for a month (what `serve` does for the month before
    /// on the first day of each month). A past month's snapshot is taken once.
    Snapshot {
        /// The month (YYYY-MM); the current month when absent.
        #[arg(long)]
        month: Option<String>,
    },
}

#[derive(Subcommand)]
enum OccupancyAction {
    /// Refresh the registration flags of running stays, then purge worker records whose last
    /// check-out lies more than the retention period back (what `serve` does every day).
    Maintain {
        /// The day to judge on (YYYY-MM-DD); today when absent.
        #[arg(long)]
        today: Option<chrono::NaiveDate>,
        /// Months after their last check-out that worker records are purged.
        #[arg(long, env = "FLEXWONEN_RETENTION_MONTHS", default_value_t = flexwonen_web::DEFAULT_RETENTION_MONTHS)]
        retention_months: u32,
    },
}

#[derive(Subcommand)]
enum ReportWhat {
    /// Per municipality: locations, beds in service, permitted persons and beds above the norm.
    Capacity {
        /// The day to judge on (YYYY-MM-DD); today when absent.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// Compute the report this many times and print the median time to standard error.
        #[arg(long, default_value_t = 1)]
        repeat: usize,
    },
}

#[derive(Subcommand)]
enum BenchWhat {
    /// The pure norm evaluation rate on one core, over the demo data generated in memory.
    Norms {
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        #[arg(long, default_value_t = 5)]
        rounds: usize,
    },
    /// Check-in/check-out throughput over HTTP (all invariants on) beside the same server's
    /// single-row-insert ceiling, on the database given (which must be empty).
    Occupancy {
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Requests per client in each of the two phases.
        #[arg(long, default_value_t = 200)]
        requests: usize,
    },
    /// The monitor of agreements at a demo scale: the national and a region page over HTTP
    /// (p50/p99), the monitor computed cold and a monthly snapshot taken cold. Loads the demo
    /// data (without occupancy) into an empty database, or reuses the same demo data.
    Monitor {
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Requests per page.
        #[arg(long, default_value_t = 200)]
        requests: usize,
    },
    /// The signal run of one municipality: a generated BAG extract and BRP extract of
    /// `objects` addresses imported into the database (which must hold no BAG), then the run
    /// timed cold and again (median), as one JSON line.
    Signals {
        #[arg(long, default_value_t = 330_000)]
        objects: u64,
        #[arg(long, default_value_t = 5)]
        runs: usize,
    },
    /// Vacancy proposals for a grey situation of 50 beds in Westland at a demo scale with its
    /// occupancy (HTTP p50/p99 and the store call), and a burst of complaint forms from
    /// many clients checked against the database. Loads the demo data into an empty database,
    /// or reuses the same demo data.
    Enforcement {
        #[arg(long, default_value_t = 10.0)]
        scale: f64,
        /// Requests of the vacancy proposals.
        #[arg(long, default_value_t = 200)]
        requests: usize,
        #[arg(long, default_value_t = 32)]
        clients: usize,
        /// Complaint forms in the burst, over all clients.
        #[arg(long, default_value_t = 1000)]
        submissions: usize,
    },
    /// The demo load with occupancy into the database (REPLACES ALL DATA; refused unless the
    /// database is empty or holds demo data): generation and load times, stays per second.
    DemoOccupancy {
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
    },
}

#[derive(Subcommand)]
enum AccountAction {
    /// Create an account. The password is read from FLEXWONEN_PASSWORD, or else from the
    /// first line of standard input (at least 12 characters).
    Create {
        #[arg(long)]
        username: String,
        /// administrator, ministry, regional_coordinator, municipality, housing_provider or inspector
        #[arg(long)]
        role: String,
        /// The name shown on pages (default: the username).
        #[arg(long)]
        name: Option<String>,
        /// Region code, for regional coordinators and inspectors (e.g. PV31, campagne-limburg).
        #[arg(long)]
        region: Option<String>,
        /// CBS code, for a municipality (e.g. GM1783).
        #[arg(long)]
        municipality: Option<String>,
        /// KvK number of the organisation, for a housing provider.
        #[arg(long)]
        organisation_kvk: Option<String>,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    /// Locations from a CSV file (format: crates/core/src/locations_csv.rs); all rows or none.
    Locations { file: std::path::PathBuf },
    /// A municipality's BRP extract: registered persons per address, counts only (format:
    /// crates/core/src/brp_extract.rs, example docs/brp-extract-voorbeeld.csv); it replaces
    /// the municipality's previous extract, all lines or none.
    Brp {
        file: std::path::PathBuf,
        #[arg(long)]
        municipality: String,
    },
    /// The LV BAG 2.0 extract: a folder of XML files, a municipality's zip or the national
    /// zip of zips, streamed; it replaces the previous import only when all of it is read.
    Bag { path: std::path::PathBuf },
}

#[derive(Subcommand)]
enum ExportWhat {
    /// All locations with their rooms and beds, in the import format.
    Locations,
}

#[derive(Subcommand)]
enum TokenAction {
    /// Print a new bearer token for an account; it acts with that account's role and scope.
    Create {
        #[arg(long)]
        account: String,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("flexwonen: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let store = Store::open(&cli.database_url).await?;
    demo::ensure_geography(&store).await?;
    match cli.command {
        Command::Migrate => eprintln!("database is up to date"),
        Command::Serve { listen, no_demo, demo_scale, insecure_cookies, retention_months } => {
            check_scale(demo_scale)?;
            // Only ever into a fresh database: demo data replaces everything.
            if !no_demo && store.is_empty().await? {
                eprintln!("empty database: creating demo data (scale {demo_scale}) …");
                let started = std::time::Instant::now();
                let s = demo::load(&store, demo_scale, flexwonen_core::demo::DEFAULT_SEED, true, true).await?;
                eprintln!(
                    "demo data: {} locations, {} beds in {:.1} s",
                    s.locations,
                    s.beds,
                    started.elapsed().as_secs_f64()
                );
            }
            let is_demo = store.setting("demo_data").await?.is_some();
            tokio::spawn(sanctions_daily(store.clone()));
            tokio::spawn(occupancy_daily(store.clone(), retention_months));
            tokio::spawn(monitor_snapshot_daily(store.clone()));
            tokio::spawn(signals_daily(store.clone()));
            let state = flexwonen_web::AppState::new(
                store,
                flexwonen_web::Config {
                    secure_cookies: !insecure_cookies,
                    demo_banner: is_demo,
                    bsn_key: bsn_key(),
                    retention_months,
                    form_key: env_key("FLEXWONEN_FORM_KEY"),
                    trust_forwarded_for: std::env::var("FLEXWONEN_TRUST_PROXY").is_ok_and(|v| v == "1"),
                    ..Default::default()
                },
            );
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            eprintln!("flexwonen listens on http://{}", listener.local_addr()?);
            flexwonen_web::serve(state, listener).await?;
        }
        Command::Demo { scale, seed } => {
            check_scale(scale)?;
            let started = std::time::Instant::now();
            let s = demo::load(&store, scale, seed, true, true).await?;
            println!(
                "demo data created: {} organisations, {} certificates, {} locations, {} beds in {:.1} s",
                s.organisations,
                s.certificates,
                s.locations,
                s.beds,
                started.elapsed().as_secs_f64()
            );
            println!(
                "demo occupancy: {} workers, {} stays (loaded in {:.1} s); {} projects under 8 regional agreements; {} open signals and {} enforcement cases in Westland",
                s.workers, s.stays, s.occupancy_loaded_s, s.projects, s.open_signals, s.cases
            );
        }
        Command::Import { what: ImportWhat::Brp { file, municipality } } => {
            let code = flexwonen_core::ids::MunicipalityCode::parse(&municipality.to_ascii_uppercase())
                .map_err(|(_, m)| format!("--municipality: {m}"))?;
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let counts = flexwonen_core::brp_extract::parse_brp_extract(&bytes).map_err(|errors| {
                for e in &errors {
                    eprintln!("{}: {e}", file.display());
                }
                format!("{} problem(s) in {}; nothing was imported", errors.len(), file.display())
            })?;
            let actor = Actor::system("import brp");
            let s = store.replace_brp_extract(&actor, &code, &counts).await?;
            println!(
                "imported the BRP extract of {} from {}: {} addresses, {} registered persons",
                s.municipality_code,
                file.display(),
                s.addresses,
                s.registered
            );
            print_run(&store.run_signals(&actor, &code, chrono::Utc::now().date_naive()).await?);
        }
        Command::Import { what: ImportWhat::Bag { path } } => {
            let started = std::time::Instant::now();
            let bar = indicatif::ProgressBar::new_spinner();
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} {pos} {msg} ({per_sec})")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
            );
            bar.set_message("BAG-objecten gelezen");
            let s = flexwonen::bag_import::import(&store, &path, &|n| bar.inc(n)).await.map_err(|e| {
                bar.finish_and_clear();
                e.to_string()
            })?;
            bar.finish_and_clear();
            println!(
                "imported the BAG from {} in {:.1} s: {} verblijfsobjecten, {} nummeraanduidingen, {} openbare ruimten, {} woonplaatsen; register locations linked: {} by BAG id, {} by address",
                path.display(),
                started.elapsed().as_secs_f64(),
                s.verblijfsobjecten,
                s.nummeraanduidingen,
                s.openbare_ruimten,
                s.woonplaatsen,
                s.linked_by_bag_id,
                s.linked_by_address
            );
            // Floor areas and positions changed: every municipality's signals follow.
            let runs = store.run_all_signals(&Actor::system("import bag"), chrono::Utc::now().date_naive()).await?;
            println!("signals judged again in {} municipalities", runs.len());
        }
        Command::Signals { action: SignalsAction::Run { municipality, date } } => {
            let date = date.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let actor = Actor::system("signals run");
            let runs = match municipality {
                Some(m) => {
                    let code = flexwonen_core::ids::MunicipalityCode::parse(&m.to_ascii_uppercase())
                        .map_err(|(_, e)| format!("--municipality: {e}"))?;
                    vec![store.run_signals(&actor, &code, date).await?]
                }
                None => store.run_all_signals(&actor, date).await?,
            };
            runs.iter().for_each(print_run);
        }
        Command::Import { what: ImportWhat::Locations { file } } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            match locations_io::import(&store, &Actor::system("import"), &bytes, true).await {
                Ok(n) => println!("imported {n} locations from {}", file.display()),
                Err(locations_io::ImportFailure::Rows(rows)) => {
                    for r in &rows {
                        eprintln!("{}: {r}", file.display());
                    }
                    return Err(format!("{} problem(s) in {}; nothing was imported", rows.len(), file.display()).into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::Export { what: ExportWhat::Locations } => {
            let n = locations_io::export(&store, &LocationScope::All, std::io::stdout().lock()).await?;
            eprintln!("exported {n} locations");
        }
        Command::Account {
            action: AccountAction::Create { username, role, name, region, municipality, organisation_kvk },
        } => {
            let spec =
                flexwonen::accounts::AccountRequest { username, role, name, region, municipality, organisation_kvk };
            let password = match std::env::var("FLEXWONEN_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let id = flexwonen::accounts::create(&store, &spec, &password).await?;
            println!("account {} created (id {id})", spec.username);
        }
        Command::Report { what: ReportWhat::Capacity { date, repeat } } => {
            let date = date.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let mut times = Vec::new();
            let mut report = None;
            for _ in 0..repeat.max(1) {
                let started = std::time::Instant::now();
                report = Some(store.compute_capacity_report(date).await?);
                times.push(started.elapsed().as_secs_f64());
            }
            let report = report.ok_or("no report")?;
            let total = report.total(None);
            eprintln!(
                "capacity report on {date}: {} locations, {} beds above the norm; median {:.0} ms over {} run(s)",
                total.locations,
                total.beds_over,
                flexwonen::median(&mut times) * 1000.0,
                times.len()
            );
            let mut out = csv::Writer::from_writer(std::io::stdout().lock());
            for row in &report.rows {
                out.serialize(row)?;
            }
            out.flush()?;
        }
        Command::Bench { what: BenchWhat::Norms { scale, rounds } } => {
            check_scale(scale)?;
            println!("{}", flexwonen::bench::norms(scale, rounds.max(1))?);
        }
        Command::Bench { what: BenchWhat::Signals { objects, runs } } => {
            println!("{}", flexwonen::bench_signals::signals(&store, objects, runs.max(1)).await?);
        }
        Command::Generate { what: GenerateWhat::Bag { objects, municipality, layout, seed, out, brp } } => {
            let layout = match layout.as_str() {
                "folder" => flexwonen::bag_generate::Layout::Folder,
                "zip" => flexwonen::bag_generate::Layout::Zip,
                "national" => flexwonen::bag_generate::Layout::National,
                other => return Err(format!("--layout: '{other}' is not folder, zip or national").into()),
            };
            let spec = flexwonen::bag_generate::Spec::for_municipality(&municipality, objects, seed)?;
            let started = std::time::Instant::now();
            let made = flexwonen::bag_generate::generate(&spec, layout, &out, brp.as_deref())?;
            println!(
                "generated {} in {:.1} s: {} verblijfsobjecten ({} occurrences of all types), {} nummeraanduidingen, {} openbare ruimten, {} woonplaatsen, {} MB of XML; BRP extract: {} addresses, {} registered",
                out.display(),
                started.elapsed().as_secs_f64(),
                made.verblijfsobjecten,
                made.occurrences,
                made.nummeraanduidingen,
                made.openbare_ruimten,
                made.woonplaatsen,
                made.xml_bytes / 1_000_000,
                made.brp_addresses,
                made.brp_registered
            );
        }
        Command::Bench { what: BenchWhat::Monitor { scale, requests } } => {
            check_scale(scale)?;
            println!("{}", flexwonen::bench_monitor::monitor(&cli.database_url, scale, requests.max(1)).await?);
        }
        Command::Bench { what: BenchWhat::Enforcement { scale, requests, clients, submissions } } => {
            check_scale(scale)?;
            let out = flexwonen::bench_enforcement::enforcement(
                &cli.database_url,
                scale,
                requests.max(1),
                clients.max(1),
                submissions.max(1),
            )
            .await
            .map_err(|e| e.to_string())?;
            println!("{out}");
        }
        Command::Bench { what: BenchWhat::Occupancy { clients, requests } } => {
            if !store.is_empty().await? {
                return Err("bench occupancy writes test data: give it an empty database".into());
            }
            println!("{}", flexwonen::bench_occupancy::occupancy(store, clients.max(1), requests.max(1)).await?);
        }
        Command::Bench { what: BenchWhat::DemoOccupancy { scale } } => {
            check_scale(scale)?;
            println!("{}", flexwonen::bench::occupancy(&store, scale).await?);
        }
        Command::Occupancy { action: OccupancyAction::Maintain { today, retention_months } } => {
            let today = today.unwrap_or_else(|| chrono::Utc::now().date_naive());
            let m = store.occupancy_maintenance(&Actor::system("occupancy"), today, retention_months).await?;
            println!(
                "occupancy maintenance on {today}: {} stays flagged, {} flags cleared, {} worker records purged (retention {} months)",
                m.flags_set, m.flags_cleared, m.workers_purged, m.retention_months
            );
        }
        Command::Monitor { action: MonitorAction::Snapshot { month } } => {
            let today = chrono::Utc::now().date_naive();
            let month = match month {
                Some(m) => flexwonen_core::monitor::Month::parse(&m).map_err(|(_, e)| e)?,
                None => flexwonen_core::monitor::Month::of(today),
            };
            let started = std::time::Instant::now();
            let info = store.create_snapshot(&Actor::system("cli"), month, today).await?;
            println!(
                "monitor snapshot of {} (as of {}) stored in {:.2} s",
                info.month,
                info.as_of,
                started.elapsed().as_secs_f64()
            );
        }
        Command::Token { action: TokenAction::Create { account } } => {
            let a =
                store.account_by_username(&account).await?.ok_or_else(|| format!("there is no account '{account}'"))?;
            let (token, hash) = flexwonen_web::new_api_token();
            store.create_api_token(&Actor::system("cli"), &hash, a.id).await?;
            println!("{token}");
        }
    }
    Ok(())
}

/// The sanction ladder for overdue defects, at start-up and then every day. A run changes
/// nothing when run twice, so several servers on one database may each run it.
async fn sanctions_daily(store: Store) {
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        every_day.tick().await;
        let today = chrono::Utc::now().date_naive();
        match store.apply_sanctions(today, &Actor::system("sanctions")).await {
            Ok(applied) if !applied.is_empty() => tracing::info!(count = applied.len(), "sanctions applied"),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "the daily sanction run failed"),
        }
    }
}

/// Occupancy housekeeping at start-up and then every day: registration flags of running
/// stays, then the retention purge. Running it twice changes nothing, so several servers on
/// one database may each run it.
async fn occupancy_daily(store: Store, retention_months: u32) {
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        every_day.tick().await;
        let today = chrono::Utc::now().date_naive();
        match store.occupancy_maintenance(&Actor::system("occupancy"), today, retention_months).await {
            Ok(m) => tracing::info!(
                flags_set = m.flags_set,
                flags_cleared = m.flags_cleared,
                workers_purged = m.workers_purged,
                "occupancy maintenance"
            ),
            Err(e) => tracing::error!(error = %e, "the daily occupancy maintenance failed"),
        }
    }
}

/// The monitor's monthly snapshot: every day (from start-up) the month before gets its
/// snapshot if it has none yet, so a server that was down on the 1st catches up.
fn print_run(r: &flexwonen_store::SignalRun) {
    println!(
        "signals of {} on {}: {} addresses judged, {} opened, {} closed, {} open",
        r.municipality_code, r.run_on, r.addresses, r.opened, r.closed, r.open_signals
    );
}

/// The signals of every municipality, judged again every day: register changes (occupancy,
/// certificates) move them even without a new extract.
async fn signals_daily(store: Store) {
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        every_day.tick().await;
        match store.run_all_signals(&Actor::system("signals daily"), chrono::Utc::now().date_naive()).await {
            Ok(runs) => tracing::info!(municipalities = runs.len(), "signals run"),
            Err(e) => tracing::error!(error = %e, "the daily signal run failed"),
        }
    }
}

async fn monitor_snapshot_daily(store: Store) {
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        every_day.tick().await;
        match store.ensure_monthly_snapshot(chrono::Utc::now().date_naive()).await {
            Ok(Some(info)) => tracing::info!(month = %info.month, "monitor snapshot stored"),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "the monthly monitor snapshot failed"),
        }
    }
}

/// The key for BSN hashes, from the environment only (never an argument, which `ps` shows).
fn bsn_key() -> Option<Vec<u8>> {
    env_key("FLEXWONEN_BSN_KEY")
}

fn env_key(name: &str) -> Option<Vec<u8>> {
    std::env::var(name).ok().filter(|k| !k.is_empty()).map(String::into_bytes)
}

fn check_scale(scale: f64) -> Result<(), String> {
    if scale.is_finite() && scale > 0.0 && scale <= 100.0 {
        Ok(())
    } else {
        Err(format!("the demo scale must be a number above 0 and at most 100, not {scale}"))
    }
}
