//! The BAG import in storage, on SQLite and on PostgreSQL: the current state of the real
//! Doesburg sample extract, a re-import that replaces it whole, and an import that fails
//! halfway leaving the previous one untouched.

use flexwonen_core::access::LocationScope;
use flexwonen_core::bag::{BagFileReader, reads_file};
use flexwonen_store::testing::{TestDb, dormitory, housing_provider};
use flexwonen_store::{Actor, BagImport, Store, db_tests};

const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/bag/lvbag-sample-doesburg-0221-20200915");

async fn add_sample(import: &mut BagImport) {
    let mut names: Vec<_> = std::fs::read_dir(SAMPLE).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for path in names.into_iter().filter(|p| reads_file(&p.to_string_lossy())) {
        let text = std::fs::read(&path).unwrap();
        let mut reader = BagFileReader::new(path.display().to_string(), text.as_slice());
        while let Some(record) = reader.next_record().unwrap() {
            import.add(&record).await.unwrap();
        }
    }
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn an_import_replaces_the_previous_one_whole(db: TestDb) {
    let store = &db.store;
    let actor = Actor::system("test");
    assert!(store.bag_summary().await.unwrap().is_none());
    // Two register locations in Doesburg: one at a BAG main address, one with its BAG id.
    let org = store.create_organisation(&actor, &housing_provider("96666666").validate().unwrap()).await.unwrap().id;
    let mut at_address = dormitory("GM0221", "6981CH", org, 300.0, 4);
    at_address.address.house_number = 4;
    let mut with_id = dormitory("GM0221", "6981CJ", org, 300.0, 4);
    with_id.bag_vbo_id = Some("0221010000330999".into());
    for input in [at_address, with_id] {
        store.create_location(&actor, &LocationScope::All, &input.validate().unwrap()).await.unwrap();
    }
    let mut import = store.begin_bag_import("doesburg").await.unwrap();
    add_sample(&mut import).await;
    let first = import.finish(&actor).await.unwrap();
    // The current occurrences only: 2 of the 5 verblijfsobject occurrences, 1 woonplaats.
    assert_eq!((first.verblijfsobjecten, first.woonplaatsen), (2, 1));
    // 15 nummeraanduiding occurrences of 9 objects; the current openbare ruimten.
    assert_eq!((first.nummeraanduidingen, first.openbare_ruimten), (9, 198));
    assert_eq!(store.bag_summary().await.unwrap().as_ref(), Some(&first));
    assert_eq!((first.linked_by_bag_id, first.linked_by_address), (1, 1));
    let street: String = sqlx::query_scalar(
        "SELECT o.name FROM bag_vbo v JOIN bag_num n ON n.import_id = v.import_id AND n.id = v.main_address
         JOIN bag_opr o ON o.import_id = n.import_id AND o.id = n.street_id WHERE v.id = '0221010000330226'",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert!(!street.is_empty());
    // An object met twice as current keeps its latest occurrence.
    let from: Option<String> = sqlx::query_scalar("SELECT valid_from FROM bag_num WHERE id = '0221200000330998'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(from.as_deref(), Some("2019-03-05"));

    // A failed import (never finished) changes nothing.
    let mut broken = store.begin_bag_import("broken").await.unwrap();
    add_sample(&mut broken).await;
    drop(broken);
    assert_eq!(store.bag_summary().await.unwrap().as_ref(), Some(&first));
    assert_eq!(count(store, "bag_vbo").await, 2);

    // A new import replaces the old one whole.
    let mut again = store.begin_bag_import("doesburg again").await.unwrap();
    add_sample(&mut again).await;
    let second = again.finish(&actor).await.unwrap();
    assert_ne!(second.import_id, first.import_id);
    assert_eq!(count(store, "bag_vbo").await, 2);
    assert_eq!(count(store, "bag_imports").await, 1);
    assert_eq!(store.audit_trail("bag_import", second.import_id).await.unwrap().len(), 1);
}

db_tests!(an_import_replaces_the_previous_one_whole);
