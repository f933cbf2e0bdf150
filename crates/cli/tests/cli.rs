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

const HEADER: &str = "postcode,house_number,house_letter,house_addition,street,place,municipality_code,bag_vbo_id,housing_form,zoned_residential,floor_area_m2,legal_status,stay_type,operator_kvk,toilets,showers,kitchens,washing_machines,rd_x,rd_y,rooms";

async fn demo_export_and_import(db: TestDb) {
    let run = flexwonen(&db, &["demo", "--scale", "0.01"]).await;
    assert!(run.ok, "demo failed: {}", run.stderr);
    assert!(run.stdout.contains("demo data created"), "{}", run.stdout);
    let demo_count = count(&db).await;
    assert!((150..=250).contains(&demo_count), "scale 0.01 gives about 200 locations, got {demo_count}");
    assert_eq!(db.store.account_count().await.unwrap(), 6, "one demo account per role");

    let export = flexwonen(&db, &["export", "locations"]).await;
    assert!(export.ok, "{}", export.stderr);
    assert_eq!(export.stdout.lines().next(), Some(HEADER));
    assert_eq!(export.stdout.lines().count() as i64, demo_count + 1);

    // Importing the export again: every address is taken, every row is named, nothing is written.
    let path = temp_file("again.csv", &export.stdout);
    let run = flexwonen(&db, &["import", "locations", path.to_str().unwrap()]).await;
    assert!(!run.ok);
    assert!(run.stderr.contains("line 2, postcode") && run.stderr.contains("nothing was imported"), "{}", run.stderr);
    assert_eq!(count(&db).await, demo_count);

    // A file with a bad row among good ones: only that row is reported, nothing is written.
    let csv = format!(
        "{HEADER}\n2671AB,1,,,Kasweg,Naaldwijk,GM1783,,a,ja,80,in_use,short,,1,1,1,1,,,Kamer 1:12:2\n0671AB,2,,,Kasweg,Naaldwijk,GM1783,,a,ja,80,in_use,short,,1,1,1,1,,,Kamer 1:12:2\n"
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

    // A good file goes in whole.
    let csv = format!(
        "{HEADER}\n2671ZZ,1,,,Kasweg,Naaldwijk,GM1783,,a,ja,80,in_use,short,,1,1,1,1,,,Kamer 1:12:2;Kamer 2:10:1A|1B!vochtschade\n2671ZZ,2,b,,Kasweg,Naaldwijk,GM1783,,d,nee,400,tolerated,mid,,2,2,1,1,75000,445000,\n"
    );
    let path = temp_file("good.csv", &csv);
    let run = flexwonen(&db, &["import", "locations", path.to_str().unwrap()]).await;
    assert!(run.ok, "{}", run.stderr);
    assert_eq!(count(&db).await, demo_count + 2);
    let filter = LocationFilter { q: Some("2671ZZ".into()), ..Default::default() };
    let page = db.store.locations(&LocationScope::All, &filter, LocationSort::Address, 1, 10, None).await.unwrap();
    assert_eq!(page.items[0].bed_count, 4);
    assert_eq!(page.items[0].beds_in_service, 3);

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

db_tests!(demo_export_and_import, accounts_are_created_with_their_scope);
