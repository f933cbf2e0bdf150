//! The `flexwonen` command as a user runs it, on SQLite and PostgreSQL.

use flexwonen_core::access::LocationScope;
use flexwonen_store::testing::TestDb;
use flexwonen_store::{LocationFilter, LocationSort, db_tests};

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

async fn flexwonen(db: &TestDb, args: &[&str]) -> Run {
    flexwonen_with(db, args, "").await
}

/// Runs the command with FLEXWONEN_PASSWORD set (empty: unset).
async fn flexwonen_with(db: &TestDb, args: &[&str], password: &str) -> Run {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_flexwonen"));
    if !password.is_empty() {
        cmd.env("FLEXWONEN_PASSWORD", password);
    }
    let out = cmd
        .args(args)
        .stdin(std::process::Stdio::null())
        .env("FLEXWONEN_DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .await
        .expect("run flexwonen");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

async fn count(db: &TestDb) -> i64 {
    db.store
        .locations(&LocationScope::All, &LocationFilter::default(), LocationSort::Address, 1, 1, None)
        .await
        .unwrap()
        .total
}

fn temp_file(name: &str, contents: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("flexwonen-cli-{}-{}", std::process::id(), name));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path
}

const HEADER: &str = "postcode,house_number,house_letter,house_addition,street,place,municipality_code,bag_vbo_id,housing_form,zoned_residential,floor_area_m2,legal_status,stay_type,operator_kvk,toilets,showers,kitchens,washing_machines,rd_x,rd_y,rooms,new_build,in_use_since,conversion_permit,bedroom_sharing_agreed,first_responsible";
/// The header of files made before the norm facts were added: they still import.
const OLD_HEADER: &str = "postcode,house_number,house_letter,house_addition,street,place,municipality_code,bag_vbo_id,housing_form,zoned_residential,floor_area_m2,legal_status,stay_type,operator_kvk,toilets,showers,kitchens,washing_machines,rd_x,rd_y,rooms";

async fn demo_export_and_import(db: TestDb) {
    let run = flexwonen(&db, &["demo", "--scale", "0.01"]).await;
    assert!(run.ok, "demo failed: {}", run.stderr);
    assert!(run.stdout.contains("demo data created"), "{}", run.stdout);
    let demo_count = count(&db).await;
    assert!((150..=250).contains(&demo_count), "scale 0.01 gives about 200 locations, got {demo_count}");
    assert_eq!(db.store.account_count().await.unwrap(), 6, "one demo account per role");
    assert!(run.stdout.contains("4 enforcement cases in Westland"), "{}", run.stdout);
    let westland = flexwonen_core::access::CaseScope::Municipalities(vec![
        flexwonen_core::ids::MunicipalityCode::parse("GM1783").unwrap(),
    ]);
    let cases = db.store.cases(&westland, false, 10).await.unwrap();
    assert_eq!(cases.iter().filter(|c| c.closed_on.is_some()).count(), 1, "one demo case closed");
    assert!(
        cases
            .iter()
            .all(|c| c.ledger.found == c.ledger.legalised + c.ledger.relocated + c.ledger.departed + c.ledger.open)
    );

    let export = flexwonen(&db, &["export", "locations"]).await;
    assert!(export.ok, "{}", export.stderr);
    assert_eq!(export.stdout.lines().next(), Some(HEADER));
    assert_eq!(export.stdout.lines().count() as i64, demo_count + 1);
    // The demo's norm facts went into the database and came out in the export.
    let rows = flexwonen_core::locations_csv::parse(export.stdout.as_bytes()).expect("an export reads back");
    let inputs: Vec<_> = rows.iter().map(|r| &r.input).collect();
    assert!(inputs.iter().filter(|i| i.in_use_since.is_some()).count() * 2 > inputs.len());
    assert!(inputs.iter().filter(|i| i.first_responsible).count() * 2 > inputs.len());
    assert!(inputs.iter().any(|i| i.conversion_permit));

    // Importing the export again: every address is taken, every row is named, nothing is written.
    let path = temp_file("again.csv", &export.stdout);
    let run = flexwonen(&db, &["import", "locations", path.to_str().unwrap()]).await;
    assert!(!run.ok);
    assert!(run.stderr.contains("line 2, postcode") && run.stderr.contains("nothing was imported"), "{}", run.stderr);
    assert_eq!(count(&db).await, demo_count);

    // A file with a bad row among good ones: only that row is reported, nothing is written.
    let csv = format!(
        "{OLD_HEADER}\n2671AB,1,,,Kasweg,Naaldwijk,GM1783,,a,ja,80,in_use,short,,1,1,1,1,,,Kamer 1:12:2\n0671AB,2,,,Kasweg,Naaldwijk,GM1783,,a,ja,80,in_use,short,,1,1,1,1,,,Kamer 1:12:2\n"
    );
    let path = temp_file("bad.csv", &csv);
    let run = flexwonen(&db, &["import", "locations", path.to_str().unwrap()]).await;
    assert!(!run.ok);
    assert!(run.stderr.contains("line 3, postcode"), "{}", run.stderr);
    assert!(!run.stderr.contains("line 2"), "{}", run.stderr);
    assert_eq!(count(&db).await, demo_count);

    let path = temp_file("header.csv", "postcode,number\n2671AB,1\n");
    let run = flexwonen(&db, &["import", "locations", path.to_str().unwrap()]).await;
    assert!(!run.ok && run.stderr.contains("line 1"), "{}", run.stderr);

    // A good file goes in whole, its norm facts too.
    let csv = format!(
        "{HEADER}\n2671ZZ,1,,,Kasweg,Naaldwijk,GM1783,,a,ja,80,in_use,short,,1,1,1,1,,,Kamer 1:12:2;Kamer 2:10:1A|1B!vochtschade,nee,2014-03-01,ja,nee,\n2671ZZ,2,b,,Kasweg,Naaldwijk,GM1783,,d,nee,400,tolerated,mid,,2,2,1,1,75000,445000,,ja,2025-08-15,nee,ja,nee\n"
    );
    let path = temp_file("good.csv", &csv);
    let run = flexwonen(&db, &["import", "locations", path.to_str().unwrap()]).await;
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(count(&db).await, demo_count + 2);
    let filter = LocationFilter { q: Some("2671ZZ".into()), ..Default::default() };
    let page = db.store.locations(&LocationScope::All, &filter, LocationSort::Address, 1, 10, None).await.unwrap();
    assert_eq!(page.items[0].bed_count, 4);
    assert_eq!(page.items[0].beds_in_service, 3);
    let facts = |l: &flexwonen_store::Location| {
        (
            l.new_build,
            l.in_use_since.map(|d| d.to_string()),
            l.conversion_permit,
            l.bedroom_sharing_agreed,
            l.first_responsible,
        )
    };
    let first = db.store.location(&LocationScope::All, page.items[0].id).await.unwrap();
    let second = db.store.location(&LocationScope::All, page.items[1].id).await.unwrap();
    assert_eq!(facts(&first), (false, Some("2014-03-01".into()), true, false, false));
    assert_eq!(facts(&second), (true, Some("2025-08-15".into()), false, true, false));

    // A file in the format before the norm facts still imports, with the facts unset.
    let csv =
        format!("{OLD_HEADER}\n2671ZZ,3,,,Kasweg,Naaldwijk,GM1783,,a,ja,80,in_use,short,,1,1,1,1,,,Kamer 1:12:2\n");
    let path = temp_file("old.csv", &csv);
    let run = flexwonen(&db, &["import", "locations", path.to_str().unwrap()]).await;
    assert!(run.ok, "{}", run.stderr);
    let filter = LocationFilter { q: Some("2671ZZ".into()), ..Default::default() };
    let page = db.store.locations(&LocationScope::All, &filter, LocationSort::Address, 1, 10, None).await.unwrap();
    assert_eq!(page.total, 3);
    let third = db.store.location(&LocationScope::All, page.items[2].id).await.unwrap();
    assert_eq!((third.address.house_number, facts(&third)), (3, (false, None, false, false, false)));

    let token = flexwonen(&db, &["token", "create", "--account", "huisvester"]).await;
    assert!(token.ok && token.stdout.trim().starts_with("fw_"), "{}", token.stderr);
    let missing = flexwonen(&db, &["token", "create", "--account", "nobody"]).await;
    assert!(!missing.ok && missing.stderr.contains("no account 'nobody'"));
    db.drop_database().await;
}

async fn accounts_are_created_with_their_scope(db: TestDb) {
    let ok = flexwonen_with(
        &db,
        &["account", "create", "--username", "gm-westland", "--role", "municipality", "--municipality", "GM1783"],
        "een lang wachtwoord",
    )
    .await;
    assert!(ok.ok, "{}", ok.stderr);
    let p = db.store.account_by_username("gm-westland").await.unwrap().expect("the account exists");
    assert_eq!(p.role, flexwonen_core::access::Role::Municipality);
    for (args, password, complaint) in [
        (vec!["--username", "x", "--role", "municipality"], "een lang wachtwoord", "needs --municipality"),
        (
            vec!["--username", "x", "--role", "inspector", "--region", "nowhere"],
            "een lang wachtwoord",
            "no region 'nowhere'",
        ),
        (
            vec!["--username", "x", "--role", "ministry", "--municipality", "GM1783"],
            "een lang wachtwoord",
            "does not apply",
        ),
        (vec!["--username", "x", "--role", "ministry"], "kort", "at least 12"),
        (vec!["--username", "x", "--role", "king"], "een lang wachtwoord", "is not one of"),
        (vec!["--username", "gm-westland", "--role", "ministry"], "een lang wachtwoord", "taken"),
    ] {
        let mut all = vec!["account", "create"];
        all.extend(args);
        let run = flexwonen_with(&db, &all, password).await;
        assert!(!run.ok && run.stderr.contains(complaint), "{all:?}: {}", run.stderr);
    }
    assert_eq!(db.store.account_count().await.unwrap(), 1, "no failed request created an account");
    db.drop_database().await;
}

const BAG_SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/bag/lvbag-sample-doesburg-0221-20200915");

async fn the_bag_extract_imports_and_a_broken_one_changes_nothing(db: TestDb) {
    let run = flexwonen(&db, &["migrate"]).await;
    assert!(run.ok, "{}", run.stderr);
    let run = flexwonen(&db, &["import", "bag", BAG_SAMPLE]).await;
    assert!(run.ok, "import failed: {}", run.stderr);
    assert!(
        run.stdout.contains("2 verblijfsobjecten, 9 nummeraanduidingen, 198 openbare ruimten, 1 woonplaatsen"),
        "{}",
        run.stdout
    );
    let first = db.store.bag_summary().await.unwrap().unwrap();

    // A folder with a file cut off in the middle: the error names it, the import stays.
    let dir = std::env::temp_dir().join(format!("flexwonen-cli-bag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let vbo = std::fs::read_to_string(format!("{BAG_SAMPLE}/0221VBO15092020-000001.xml")).unwrap();
    std::fs::write(dir.join("0221VBO15092020-000001.xml"), &vbo[..vbo.len() / 2]).unwrap();
    let run = flexwonen(&db, &["import", "bag", dir.to_str().unwrap()]).await;
    assert!(!run.ok);
    assert!(run.stderr.contains("0221VBO15092020-000001.xml line "), "{}", run.stderr);
    assert_eq!(db.store.bag_summary().await.unwrap(), Some(first.clone()));
    // A misspelt path and a folder without extract files: refused, the BAG as it was.
    let run = flexwonen(&db, &["import", "bag", "/no/such/extract"]).await;
    assert!(!run.ok && run.stderr.contains("no such file or folder"), "{}", run.stderr);
    std::fs::remove_file(dir.join("0221VBO15092020-000001.xml")).unwrap();
    let run = flexwonen(&db, &["import", "bag", dir.to_str().unwrap()]).await;
    assert!(!run.ok && run.stderr.contains("no BAG extract files"), "{}", run.stderr);
    assert_eq!(db.store.bag_summary().await.unwrap(), Some(first));
    std::fs::remove_dir_all(&dir).unwrap();
}

async fn a_brp_extract_imports_whole_or_not_at_all(db: TestDb) {
    assert!(flexwonen(&db, &["migrate"]).await.ok);
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/brp-extract-voorbeeld.csv");
    let run = flexwonen(&db, &["import", "brp", example, "--municipality", "GM0221"]).await;
    assert!(run.ok, "{}", run.stderr);
    assert!(
        run.stdout.contains("GM0221") && run.stdout.contains("4 addresses, 31 registered persons"),
        "{}",
        run.stdout
    );
    let code = flexwonen_core::ids::MunicipalityCode::parse("GM0221").unwrap();
    let first = db.store.brp_summary(&code).await.unwrap().unwrap();

    // A file with a forbidden column, and one with a bad line: refused, the extract unchanged.
    let personal = temp_file("brp-personal.csv", "postcode;huisnummer;naam\n6982CZ;2;Jan\n");
    let run = flexwonen(&db, &["import", "brp", personal.to_str().unwrap(), "--municipality", "GM0221"]).await;
    assert!(!run.ok && run.stderr.contains("'naam' looks like personal data"), "{}", run.stderr);
    let bad = std::fs::read_to_string(example).unwrap() + "6982CZ;2;;;;-1;0\n";
    let bad = temp_file("brp-bad.csv", &bad);
    let run = flexwonen(&db, &["import", "brp", bad.to_str().unwrap(), "--municipality", "GM0221"]).await;
    assert!(!run.ok && run.stderr.contains("line 6, ingeschrevenen"), "{}", run.stderr);
    assert_eq!(db.store.brp_summary(&code).await.unwrap(), Some(first));
}

db_tests!(
    a_brp_extract_imports_whole_or_not_at_all,
    demo_export_and_import,
    accounts_are_created_with_their_scope,
    the_bag_extract_imports_and_a_broken_one_changes_nothing
);
