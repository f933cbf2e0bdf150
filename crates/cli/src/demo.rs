//! Demo data: the geography, the 2012 signatories, synthetic providers with their
//! certificates, locations, rooms
//! and beds (see `flexwonen_core::demo`), occupancy from 2024 up to today
//! (`flexwonen_core::demo_occupancy`), and one demo account per role.

use flexwonen_core::access::Role;
use flexwonen_core::agreements::{AgreementTerms, PartyDraft, ProjectDraft};
use flexwonen_core::certificates::{CertificateDraft, StatusChange};
use flexwonen_core::demo::{self, DemoData};
use flexwonen_core::demo_agreements;
use flexwonen_core::demo_occupancy;
use flexwonen_core::geography::{self, RegionKind};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::register::{OrganisationDraft, OrganisationKind};
use flexwonen_store::{
    AccountSpec, Actor, DemoLoad, OccupancyLoad, ProjectLoad, SignalOrder, SignalState, Store, StoreError,
};

/// The password of every demo account (listed in the README).
pub const DEMO_PASSWORD: &str = "flexwonen-demo";

/// Demo accounts: username, display name, role.
pub const DEMO_ACCOUNTS: &[(&str, &str, Role)] = &[
    ("beheerder", "Beheerder (demo)", Role::Administrator),
    ("ministerie", "Ministerie van BZK (demo)", Role::Ministry),
    ("regio-haaglanden", "Regiocoördinator Haaglanden (demo)", Role::RegionalCoordinator),
    ("gemeente-westland", "Gemeente Westland (demo)", Role::Municipality),
    ("huisvester", "Huisvester (demo)", Role::HousingProvider),
    ("inspecteur-limburg", "Inspecteur Limburg (demo)", Role::Inspector),
];

pub const WESTLAND: &str = "GM1783";

/// Loads the geography when the database has none.
pub async fn ensure_geography(store: &Store) -> Result<(), StoreError> {
    let munis = geography::parse_municipalities(geography::MUNICIPALITIES_CSV)
        .map_err(|e| StoreError::invalid("geography", "bad_data", e))?;
    let regions = geography::standard_regions(&munis, geography::CAMPAIGN_REGIONS_CSV)
        .map_err(|e| StoreError::invalid("geography", "bad_data", e))?;
    store.seed_geography(&munis, &regions).await?;
    Ok(())
}

/// Generates the synthetic data for `scale` (1.0 ≈ 20,000 locations, 142,000 beds).
pub fn generate(scale: f64, seed: u64) -> DemoData {
    let munis = geography::parse_municipalities(geography::MUNICIPALITIES_CSV).unwrap_or_default();
    let boundaries = geography::parse_boundaries(geography::BOUNDARIES_RD_GEOJSON).unwrap_or_default();
    let places = geography::places_by_municipality(geography::PLACES_CSV);
    demo::generate(scale, seed, &munis, &boundaries, &places)
}

/// Empties the database and fills it with demo data and the demo accounts; the occupancy
/// only `with_occupancy` (benchmarks of other parts leave it out: it is most of the load).
pub async fn load(
    store: &Store,
    scale: f64,
    seed: u64,
    show_progress: bool,
    with_occupancy: bool,
) -> Result<DemoSummary, StoreError> {
    let data = generate(scale, seed);
    store.clear_all().await?;
    ensure_geography(store).await?;
    let actor = Actor::system("demo");
    let mut org_ids = Vec::with_capacity(data.organisations.len());
    for o in &data.organisations {
        let draft = OrganisationDraft {
            name: o.name.clone(),
            kvk: o.kvk.clone(),
            kind: o.kind,
            municipality: o.municipality.clone(),
        };
        org_ids.push(store.create_organisation(&actor, &draft).await?.id);
    }
    let rows: Vec<_> = data.locations.iter().map(|l| (l.draft.clone(), l.operator.map(|i| org_ids[i]))).collect();
    let bar = crate::progress(rows.len() as u64, "locaties");
    if !show_progress {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let loaded = store.bulk_load(&actor, DemoLoad { locations: &rows }, &|n| bar.inc(n)).await?;
    bar.finish_and_clear();
    for c in &data.certificates {
        let draft = CertificateDraft {
            organisation_id: org_ids[c.organisation],
            scheme: c.scheme,
            number: c.number.clone(),
            valid_from: c.valid_from,
            valid_until: None,
        };
        let created = store.create_certificate(&actor, &draft).await?;
        if let Some((status, since)) = c.status_change {
            let change = StatusChange { status, since, reason: "demo: synthetic sanction".into() };
            store.change_certificate_status(&actor, created.id, created.version, &change).await?;
        }
    }

    let projects = load_agreements(store, &actor, &data, seed, &loaded).await?;

    // Occupancy up to today, with the permitted capacity judged by the built-in norms.
    let (mut workers, mut stays, mut occupancy_generated_s, mut occupancy_loaded_s) = (0, 0, 0.0, 0.0);
    if with_occupancy {
        let started = std::time::Instant::now();
        let sets =
            flexwonen_core::norms::builtin_rule_sets().map_err(|e| StoreError::invalid("norms", "bad_data", e))?;
        let today = chrono::Utc::now().date_naive();
        let occupancy = demo_occupancy::generate_occupancy(&data, seed, today, &sets);
        occupancy_generated_s = started.elapsed().as_secs_f64();
        let started = std::time::Instant::now();
        let bar = crate::progress((occupancy.workers.len() + occupancy.stays.len()) as u64, "bewoning");
        if !show_progress {
            bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        // Loaded as the default retention would leave it, so a first start has nothing to purge.
        let purged_before = chrono::Utc::now()
            .date_naive()
            .checked_sub_months(chrono::Months::new(flexwonen_web::DEFAULT_RETENTION_MONTHS));
        let load =
            OccupancyLoad { occupancy: &occupancy, organisation_ids: &org_ids, locations: &loaded, purged_before };
        workers = store.bulk_load_occupancy(&actor, load, &|n| bar.inc(n)).await?;
        bar.finish_and_clear();
        occupancy_loaded_s = started.elapsed().as_secs_f64();
        stays = occupancy.stays.len();
    }

    // The provider account manages the operator of the first Westland location.
    let westland =
        MunicipalityCode::parse(WESTLAND).map_err(|(_, m)| StoreError::invalid("municipality", "bad_data", m))?;
    let provider =
        rows.iter().find(|(d, op)| d.municipality == westland && op.is_some()).and_then(|(_, op)| *op).or_else(|| {
            data.organisations.iter().position(|o| o.kind == OrganisationKind::HousingProvider).map(|i| org_ids[i])
        });
    let haaglanden = store.region_by_code("campagne-stadsgewest-haaglanden").await?.id;
    let limburg =
        store.regions(Some(RegionKind::Province)).await?.into_iter().find(|r| r.name == "Limburg").map(|r| r.id);
    let hash = flexwonen_web::hash_password(DEMO_PASSWORD);
    for (username, display, role) in DEMO_ACCOUNTS {
        let spec = AccountSpec {
            username: username.to_string(),
            display_name: display.to_string(),
            password_hash: hash.clone(),
            role: *role,
            region_id: match role {
                Role::RegionalCoordinator => Some(haaglanden),
                Role::Inspector => limburg,
                _ => None,
            },
            municipality: (*role == Role::Municipality).then(|| westland.clone()),
            organisation_id: if *role == Role::HousingProvider { provider } else { None },
        };
        store.create_account(&actor, &spec).await?;
    }
    let open_signals = load_signals(store, &actor, &westland, seed).await?;
    let cases = crate::demo_enforcement::load_enforcement(store, &westland, chrono::Utc::now().date_naive()).await?;
    store.set_setting("demo_data", &format!("scale={scale} seed={seed}")).await?;
    Ok(DemoSummary {
        organisations: org_ids.len(),
        certificates: data.certificates.len(),
        locations: rows.len(),
        beds: rows.iter().map(|(d, _)| d.bed_count()).sum(),
        workers,
        stays,
        projects,
        occupancy_generated_s,
        occupancy_loaded_s,
        open_signals,
        cases,
    })
}

/// Westland's overcrowding signals: a generated BAG of its addresses (4,000 verblijfsobjecten
/// around Naaldwijk's postcodes) and a synthetic BRP extract of the same addresses, imported
/// the way the commands import them; then every municipality's run (the register's own signals
/// everywhere), and one signal marked "seen, no action". Returns Westland's open signals.
async fn load_signals(store: &Store, actor: &Actor, westland: &MunicipalityCode, seed: u64) -> Result<i64, StoreError> {
    let bad = |e: String| StoreError::invalid("demo", "bad_data", e);
    let mut spec =
        crate::bag_generate::Spec::for_municipality(westland.as_str(), 4_000, seed).map_err(|e| bad(e.to_string()))?;
    spec.postcode_start = 2671;
    let dir = std::env::temp_dir().join(format!("flexwonen-demo-bag-{}", std::process::id()));
    let (bag, brp) = (dir.join("bag"), dir.join("brp.csv"));
    crate::bag_generate::generate(&spec, crate::bag_generate::Layout::Folder, &bag, Some(&brp))
        .map_err(|e| bad(e.to_string()))?;
    let imported = crate::bag_import::import(store, &bag, &|_| {}).await;
    let counts = std::fs::read(&brp).map_err(|e| bad(e.to_string()));
    let _ = std::fs::remove_dir_all(&dir);
    imported.map_err(|e| bad(e.to_string()))?;
    let counts = flexwonen_core::brp_extract::parse_brp_extract(&counts?)
        .map_err(|e| bad(format!("{} problems in the demo BRP extract", e.len())))?;
    store.replace_brp_extract(actor, westland, &counts).await?;
    let today = chrono::Utc::now().date_naive();
    store.run_all_signals(actor, today).await?;
    let (open, _) = store.signals(westland, SignalState::Open, SignalOrder::Score, Some((0, 1))).await?;
    if let Some(first) = open.first() {
        store
            .dismiss_signal(actor, westland, first.id, "Demo: bezocht, een gezin met kinderen; geen arbeidsmigranten.")
            .await?;
    }
    Ok(store.signal_run(westland).await?.map_or(0, |r| r.open_signals))
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DemoSummary {
    pub organisations: usize,
    pub certificates: usize,
    pub locations: usize,
    pub beds: usize,
    pub workers: usize,
    pub stays: usize,
    pub projects: usize,
    /// Seconds to generate the occupancy in memory, and to load it (one transaction).
    pub occupancy_generated_s: f64,
    pub occupancy_loaded_s: f64,
    /// Westland's open signals (its demo BRP extract against its demo BAG and the register).
    pub open_signals: i64,
    /// Westland's demo enforcement cases.
    pub cases: usize,
}

/// The demo agreements of the eight campaign regions and their projects
/// (`flexwonen_core::demo_agreements`); returns how many projects were loaded.
async fn load_agreements(
    store: &Store,
    actor: &Actor,
    data: &DemoData,
    seed: u64,
    loaded: &[flexwonen_store::LoadedLocation],
) -> Result<usize, StoreError> {
    let today = chrono::Utc::now().date_naive();
    let demo = demo_agreements::generate_agreements(data, seed, today);
    // A municipality that signed the declaration is already a party.
    let existing = store.parties().await?;
    let mut party_ids = Vec::with_capacity(demo.parties.len());
    for p in &demo.parties {
        let known = existing
            .iter()
            .find(|e| p.municipality.as_ref().is_some_and(|m| e.municipality_code.as_deref() == Some(m.as_str())));
        let id = match known {
            Some(e) => e.id,
            None => {
                let draft = PartyDraft {
                    name: p.name.clone(),
                    kind: p.kind,
                    municipality: p.municipality.clone(),
                    organisation_id: None,
                };
                store.create_party(actor, &draft).await?.id
            }
        };
        party_ids.push(id);
    }
    let with_ids = |t: &AgreementTerms| {
        let mut t = t.clone();
        for s in &mut t.signatories {
            s.party_id = party_ids[s.party_id as usize];
        }
        for s in &mut t.party_split {
            s.party_id = party_ids[s.party_id as usize];
        }
        t
    };
    let mut agreement_ids = Vec::with_capacity(demo.agreements.len());
    for a in &demo.agreements {
        let region = store.region_by_code(&a.region_code).await?.id;
        let mut versions = a.versions.iter();
        let Some(first) = versions.next() else { continue };
        let id = store.create_agreement(actor, region, &with_ids(first)).await?.id;
        for v in versions {
            store.revise_agreement(actor, id, region, &with_ids(v)).await?;
        }
        agreement_ids.push(id);
    }
    let projects: Vec<ProjectLoad> = demo
        .projects
        .iter()
        .filter_map(|p| {
            let (first, later) = p.stages.split_first()?;
            Some(ProjectLoad {
                draft: ProjectDraft {
                    name: p.name.clone(),
                    municipality: p.municipality.clone(),
                    party_id: party_ids[p.party],
                    agreement_id: agreement_ids.get(p.agreement).copied(),
                    planned: p.planned.clone(),
                    first_stage: *first,
                    location_ids: p.locations.iter().map(|&i| loaded[i].id).collect(),
                    synthetic: true,
                },
                later_stages: later.to_vec(),
            })
        })
        .collect();
    store.bulk_load_projects(actor, &projects, today).await
}
