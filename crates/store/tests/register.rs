//! The register's storage behaviour, on SQLite and on PostgreSQL.

use flexwonen_core::access::LocationScope;
use flexwonen_core::geo::{PositionInput, RdPoint};
use flexwonen_core::ids::MunicipalityCode;
use flexwonen_core::register::{AddressInput, BedInput, Facilities, LocationInput, OrganisationInput, RoomInput};
use flexwonen_store::testing::TestDb;
use flexwonen_store::{Actor, LocationFilter, LocationSort, Store, StoreError, db_tests};

fn actor() -> Actor {
    Actor { account_id: None, name: "test".into() }
}

fn input(house_number: i64) -> LocationInput {
    LocationInput {
        address: AddressInput {
            postcode: "2671 AB".into(),
            house_number,
            house_letter: None,
            house_addition: None,
            street: "Kasweg".into(),
            place: "Naaldwijk".into(),
        },
        municipality_code: "GM1783".into(),
        bag_vbo_id: None,
        housing_form: "a".into(),
        zoned_residential: true,
        floor_area_m2: 100.0,
        legal_status: "in_use".into(),
        stay_type: "short".into(),
        operator_id: None,
        facilities: Facilities { toilets: 1, showers: 1, kitchens: 1, washing_machines: 1 },
        position: None,
        new_build: false,
        in_use_since: None,
        conversion_permit: false,
        bedroom_sharing_agreed: false,
        first_responsible: false,
        rooms: vec![
            RoomInput { id: None, name: "Kamer 1".into(), area_m2: 12.0, beds: vec![bed("1A"), bed("1B")] },
            RoomInput { id: None, name: "Kamer 2".into(), area_m2: 10.0, beds: vec![bed("2A")] },
        ],
    }
}

fn bed(label: &str) -> BedInput {
    BedInput { id: None, label: label.into(), in_service: true, out_of_service_reason: None }
}

async fn provider(store: &Store, name: &str, kvk: &str) -> i64 {
    let draft = OrganisationInput {
        name: name.into(),
        kvk: Some(kvk.into()),
        kind: "housing_provider".into(),
        municipality_code: None,
    }
    .validate()
    .unwrap();
    store.create_organisation(&actor(), &draft).await.unwrap().id
}

async fn location_lifecycle_is_audited_and_counted(db: TestDb) {
    let store = &db.store;
    let op = provider(store, "Huisvesting Test B.V.", "91234567").await;
    let mut inp = input(1);
    inp.operator_id = Some(op);
    inp.new_build = true;
    inp.in_use_since = Some("2025-08-01".into());
    inp.bedroom_sharing_agreed = true;
    inp.first_responsible = true;
    let created = store.create_location(&actor(), &LocationScope::All, &inp.validate().unwrap()).await.unwrap();
    assert_eq!((created.version, created.room_count, created.bed_count), (1, 2, 3));
    assert_eq!(created.operator_name.as_deref(), Some("Huisvesting Test B.V."));
    let facts = |l: &flexwonen_store::Location| {
        (l.new_build, l.in_use_since, l.conversion_permit, l.bedroom_sharing_agreed, l.first_responsible)
    };
    assert_eq!(facts(&created), (true, chrono::NaiveDate::from_ymd_opt(2025, 8, 1), false, true, true));
    assert_eq!(store.totals(None).await.unwrap().total().beds, 3);

    // Keep bed 1A (by id), drop 1B, move 2A out of service, add a room.
    let mut change = inp.clone();
    let r0 = &created.rooms[0];
    change.rooms[0].id = Some(r0.id);
    change.rooms[0].beds = vec![BedInput { id: Some(r0.beds[0].id), ..bed("1A") }];
    change.rooms[1].id = Some(created.rooms[1].id);
    change.rooms[1].beds = vec![BedInput {
        id: Some(created.rooms[1].beds[0].id),
        label: "2A".into(),
        in_service: false,
        out_of_service_reason: Some("vochtschade".into()),
    }];
    change.rooms.push(RoomInput { id: None, name: "Kamer 3".into(), area_m2: 9.0, beds: vec![bed("3A"), bed("3B")] });
    // From no position to one: an optional number that changes from NULL to a value.
    change.position = Some(PositionInput::Rd(RdPoint { x: 74_500.5, y: 445_100.25 }));
    // The norm facts change both ways, the date to none.
    change.new_build = false;
    change.in_use_since = None;
    change.conversion_permit = true;
    change.bedroom_sharing_agreed = false;
    let updated =
        store.update_location(&actor(), &LocationScope::All, created.id, 1, &change.validate().unwrap()).await.unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.rooms[0].beds[0].id, r0.beds[0].id, "a kept bed keeps its id");
    assert_eq!((updated.bed_count, updated.beds_in_service), (4, 3));
    assert!(!updated.rooms[1].beds[0].in_service);
    assert_eq!(updated.position.map(|p| (p.rd.x, p.rd.y)), Some((74_500.5, 445_100.25)));
    assert_eq!(facts(&updated), (false, None, true, false, true));

    // A stale version is refused and changes nothing.
    let err = store
        .update_location(&actor(), &LocationScope::All, created.id, 1, &inp.validate().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict { current: 2 }), "{err:?}");
    assert_eq!(store.location(&LocationScope::All, created.id).await.unwrap(), updated);

    let totals = store.totals(None).await.unwrap().total();
    assert_eq!((totals.locations, totals.beds, totals.beds_in_service), (1, 4, 3));

    store.delete_location(&actor(), &LocationScope::All, created.id, Some(2)).await.unwrap();
    assert!(matches!(store.location(&LocationScope::All, created.id).await, Err(StoreError::NotFound)));
    assert_eq!(store.totals(None).await.unwrap().total().locations, 0);

    let trail = store.audit_trail("location", created.id).await.unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["delete", "update", "create"]);
    assert_eq!(trail[1].before.as_ref().unwrap()["bed_count"], 3);
    assert_eq!(trail[1].after.as_ref().unwrap()["bed_count"], 4);
    assert_eq!(trail[1].before.as_ref().unwrap()["in_use_since"], "2025-08-01");
    assert_eq!(trail[1].after.as_ref().unwrap()["in_use_since"], serde_json::Value::Null);
    assert_eq!(trail[1].after.as_ref().unwrap()["conversion_permit"], true);
    assert_eq!(trail[1].actor, "test");
    db.drop_database().await;
}

async fn bad_references_are_named_and_nothing_is_written(db: TestDb) {
    let store = &db.store;
    store.create_location(&actor(), &LocationScope::All, &input(1).validate().unwrap()).await.unwrap();
    // Same address, with the letter in other case on a second, and an unknown municipality.
    let mut dup = input(1);
    dup.municipality_code = "GM9999".into();
    dup.operator_id = Some(424242);
    let err = store.create_location(&actor(), &LocationScope::All, &dup.validate().unwrap()).await.unwrap_err();
    let StoreError::Invalid(e) = err else { panic!("expected invalid, got {err:?}") };
    let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["municipality_code", "operator_id", "address"]);
    let page = store
        .locations(&LocationScope::All, &LocationFilter::default(), LocationSort::Address, 1, 50, None)
        .await
        .unwrap();
    assert_eq!(page.total, 1);

    // Bed ids from another location cannot be claimed.
    let other = store.create_location(&actor(), &LocationScope::All, &input(2).validate().unwrap()).await.unwrap();
    let mut steal = input(1);
    steal.rooms[0].beds[0].id = Some(other.rooms[0].beds[0].id);
    let first = store
        .locations(&LocationScope::All, &LocationFilter::default(), LocationSort::Address, 1, 1, None)
        .await
        .unwrap()
        .items[0]
        .clone();
    let err = store
        .update_location(&actor(), &LocationScope::All, first.id, 1, &steal.validate().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(e) if e.0[0].code == "unknown_bed"), "{err:?}");
    db.drop_database().await;
}

async fn scopes_limit_reads_and_writes(db: TestDb) {
    let store = &db.store;
    let a = provider(store, "A B.V.", "91111111").await;
    let b = provider(store, "B B.V.", "92222222").await;
    let mut westland = input(1);
    westland.operator_id = Some(a);
    let mut den_haag = input(2);
    den_haag.municipality_code = "GM0518".into();
    den_haag.address.place = "Den Haag".into();
    den_haag.operator_id = Some(b);
    let w = store.create_location(&actor(), &LocationScope::All, &westland.validate().unwrap()).await.unwrap();
    store.create_location(&actor(), &LocationScope::All, &den_haag.validate().unwrap()).await.unwrap();

    let westland_code = MunicipalityCode::parse("GM1783").unwrap();
    let municipality = LocationScope::Municipalities(vec![westland_code.clone()]);
    let page =
        store.locations(&municipality, &LocationFilter::default(), LocationSort::Address, 1, 50, None).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].municipality_code, "GM1783");
    let page = store
        .locations(&LocationScope::Operator(b), &LocationFilter::default(), LocationSort::Address, 1, 50, None)
        .await
        .unwrap();
    assert_eq!((page.total, page.items[0].operator_id), (1, Some(b)));
    let page = store
        .locations(&LocationScope::Nothing, &LocationFilter::default(), LocationSort::Address, 1, 50, None)
        .await
        .unwrap();
    assert_eq!(page.total, 0);

    // Provider B cannot read, change or delete A's location, nor register one for A.
    let scope_b = LocationScope::Operator(b);
    assert!(matches!(store.location(&scope_b, w.id).await, Err(StoreError::NotFound)));
    assert!(matches!(store.delete_location(&actor(), &scope_b, w.id, None).await, Err(StoreError::NotFound)));
    let mut for_a = input(3);
    for_a.operator_id = Some(a);
    assert!(matches!(
        store.create_location(&actor(), &scope_b, &for_a.validate().unwrap()).await,
        Err(StoreError::Forbidden(_))
    ));
    db.drop_database().await;
}

async fn filters_sorting_and_pagination(db: TestDb) {
    let store = &db.store;
    for n in 1..=25 {
        let mut i = input(n);
        if n % 5 == 0 {
            i.legal_status = "tolerated".into();
        }
        if n == 7 {
            i.address.street = "Zandweg".into();
        }
        store.create_location(&actor(), &LocationScope::All, &i.validate().unwrap()).await.unwrap();
    }
    let all = LocationScope::All;
    let page2 = store.locations(&all, &LocationFilter::default(), LocationSort::Address, 2, 10, None).await.unwrap();
    assert_eq!(
        (page2.total, page2.items.len(), page2.items[0].address.house_number),
        (25, 10, 12),
        "Zandweg 7 sorts after Kasweg"
    );
    let grey =
        LocationFilter { legal_status: Some(flexwonen_core::register::LegalStatus::Tolerated), ..Default::default() };
    assert_eq!(store.locations(&all, &grey, LocationSort::Address, 1, 50, None).await.unwrap().total, 5);
    let q = LocationFilter { q: Some("zand".into()), ..Default::default() };
    let found = store.locations(&all, &q, LocationSort::Address, 1, 50, None).await.unwrap();
    assert_eq!((found.total, found.items[0].address.house_number), (1, 7));
    let pc = LocationFilter { q: Some("2671 ab".into()), ..Default::default() };
    assert_eq!(store.locations(&all, &pc, LocationSort::Address, 1, 50, None).await.unwrap().total, 25);
    let haaglanden = store.region_by_code("campagne-stadsgewest-haaglanden").await.unwrap();
    let region = LocationFilter { region_id: Some(haaglanden.id), ..Default::default() };
    assert_eq!(store.locations(&all, &region, LocationSort::Address, 1, 50, None).await.unwrap().total, 25);
    let limburg = store.region_by_code("campagne-limburg").await.unwrap();
    let region = LocationFilter { region_id: Some(limburg.id), ..Default::default() };
    assert_eq!(store.locations(&all, &region, LocationSort::Address, 1, 50, None).await.unwrap().total, 0);
    db.drop_database().await;
}

async fn regions_are_data(db: TestDb) {
    let store = &db.store;
    let provinces = store.regions(Some(flexwonen_core::geography::RegionKind::Province)).await.unwrap();
    assert_eq!(provinces.len(), 12);
    assert_eq!(store.municipalities().await.unwrap().len(), 342);
    let members = vec![MunicipalityCode::parse("GM1783").unwrap(), MunicipalityCode::parse("GM0518").unwrap()];
    let r = store.create_region(&actor(), "Kassen en Kust", &members).await.unwrap();
    assert_eq!((r.code.as_str(), r.member_count), ("custom-kassen-en-kust", 2));
    store.set_region_members(&actor(), r.id, &members[..1]).await.unwrap();
    assert_eq!(store.region_members(r.id).await.unwrap().len(), 1);
    let bad = vec![MunicipalityCode::parse("GM9999").unwrap()];
    let err = store.set_region_members(&actor(), r.id, &bad).await.unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(e) if e.0[0].field == "members[0]"), "{err:?}");
    assert_eq!(store.region_members(r.id).await.unwrap().len(), 1, "a failed change keeps the old members");
    let trail = store.audit_trail("region", r.id).await.unwrap();
    assert_eq!(trail.len(), 2);
    db.drop_database().await;
}

/// Two servers on one database: each caches the totals, and each sees the other's changes.
async fn cached_totals_follow_changes_from_another_server(db: TestDb) {
    let other = Store::open(&db.url).await.unwrap();
    assert_eq!(other.totals(None).await.unwrap().total().locations, 0);
    db.store.create_location(&actor(), &LocationScope::All, &input(1).validate().unwrap()).await.unwrap();
    assert_eq!(other.totals(None).await.unwrap().total().beds, 3, "the other server's cache is renewed");
    let all = LocationFilter::default();
    let list = || other.locations(&LocationScope::All, &all, LocationSort::Address, 1, 10, None);
    assert_eq!(list().await.unwrap().total, 1);
    assert_eq!(list().await.unwrap().items.len(), 1, "the same page again, from the cache");
    db.store.create_location(&actor(), &LocationScope::All, &input(2).validate().unwrap()).await.unwrap();
    let page = list().await.unwrap();
    assert_eq!((page.total, page.items.len()), (2, 2), "a change elsewhere empties the page cache");
    // A caller that read the generation before the change gets no older page from the cache.
    let old = Some(0);
    let stale = other.locations(&LocationScope::All, &all, LocationSort::Address, 1, 10, old);
    assert_eq!(stale.await.unwrap().total, 2);
    other.close().await;
    db.drop_database().await;
}

/// Merging room 1 into room 2: room 1's beds move and room 1 goes; no bed is lost.
async fn beds_survive_the_removal_of_their_old_room(db: TestDb) {
    let store = &db.store;
    let created = store.create_location(&actor(), &LocationScope::All, &input(1).validate().unwrap()).await.unwrap();
    let (r1, r2) = (&created.rooms[0], &created.rooms[1]);
    let mut merged = input(1);
    merged.rooms = vec![RoomInput {
        id: Some(r2.id),
        name: "Grote kamer".into(),
        area_m2: 22.0,
        beds: r1.beds.iter().chain(&r2.beds).map(|b| BedInput { id: Some(b.id), ..bed(&b.label) }).collect(),
    }];
    let after =
        store.update_location(&actor(), &LocationScope::All, created.id, 1, &merged.validate().unwrap()).await.unwrap();
    assert_eq!((after.room_count, after.bed_count), (1, 3));
    let ids: Vec<i64> = after.rooms[0].beds.iter().map(|b| b.id).collect();
    let expected: Vec<i64> = r1.beds.iter().chain(&r2.beds).map(|b| b.id).collect();
    assert_eq!(ids, expected, "every bed kept its id");
    assert_eq!(store.totals(None).await.unwrap().total().beds, 3);

    // The same room twice is refused.
    let mut twice = merged.clone();
    twice.rooms.push(RoomInput { beds: Vec::new(), ..twice.rooms[0].clone() });
    let err = store
        .update_location(&actor(), &LocationScope::All, created.id, 2, &twice.validate().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(&err, StoreError::Invalid(e) if e.0.iter().any(|f| f.code == "duplicate_room")), "{err:?}");
    db.drop_database().await;
}

/// A region's list follows a change of its members at once, cache or not.
async fn region_lists_follow_membership(db: TestDb) {
    let store = &db.store;
    store.create_location(&actor(), &LocationScope::All, &input(1).validate().unwrap()).await.unwrap();
    let region = store.create_region(&actor(), "Proef", &[]).await.unwrap();
    let filter = LocationFilter { region_id: Some(region.id), ..Default::default() };
    let count = || store.locations(&LocationScope::All, &filter, LocationSort::Address, 1, 10, None);
    assert_eq!(count().await.unwrap().total, 0);
    store.set_region_members(&actor(), region.id, &[MunicipalityCode::parse("GM1783").unwrap()]).await.unwrap();
    assert_eq!(count().await.unwrap().total, 1);
    db.drop_database().await;
}

db_tests!(
    beds_survive_the_removal_of_their_old_room,
    region_lists_follow_membership,
    cached_totals_follow_changes_from_another_server,
    location_lifecycle_is_audited_and_counted,
    bad_references_are_named_and_nothing_is_written,
    scopes_limit_reads_and_writes,
    filters_sorting_and_pagination,
    regions_are_data,
);
