//! `flexwonen import bag PATH` (issue 6): the extract read on a thread of its own (files from
//! `bag_source`, records from `core::bag`), handed over a bounded channel to the import in
//! the database, so parsing and writing overlap and memory stays flat. Any problem stops the
//! import before anything becomes visible: the previous extract stays the current one.

use crate::bag_source::{WalkError, for_each_xml};
use flexwonen_core::bag::{BagError, BagFileReader, BagRecord};
use flexwonen_store::{Actor, BagSummary, Store, StoreError};
use std::path::Path;

/// Records in flight between the reading thread and the database.
const IN_FLIGHT: usize = 8192;

/// Why an import stopped.
#[derive(Debug)]
pub enum BagImportError {
    /// The extract: which file, line and object, and why.
    Extract(String),
    Store(StoreError),
}

impl std::fmt::Display for BagImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BagImportError::Extract(e) => f.write_str(e),
            BagImportError::Store(e) => write!(f, "database: {e}"),
        }
    }
}

impl std::error::Error for BagImportError {}

/// Why the reading thread stopped early.
enum Stop {
    Bad(BagError),
    /// The import ended on its side (a database failure): reading on would be for nothing.
    Cancelled,
}

/// Imports the extract at `path`; `progress` is told the records read so far.
pub async fn import(store: &Store, path: &Path, progress: &(dyn Fn(u64) + Sync)) -> Result<BagSummary, BagImportError> {
    if !path.exists() {
        return Err(BagImportError::Extract(format!("{}: no such file or folder", path.display())));
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<BagRecord, String>>(IN_FLIGHT);
    let path_buf = path.to_path_buf();
    let reader = tokio::task::spawn_blocking(move || {
        let mut files = 0;
        let sent = for_each_xml(&path_buf, &mut |name: &str, input: &mut dyn std::io::BufRead| {
            files += 1;
            let mut records = BagFileReader::new(name, input);
            while let Some(record) = records.next_record().map_err(Stop::Bad)? {
                tx.blocking_send(Ok(record)).map_err(|_| Stop::Cancelled)?;
            }
            Ok::<(), Stop>(())
        });
        let failure = match sent {
            Ok(()) if files > 0 => return,
            Ok(()) => format!("{}: no BAG extract files (…VBO…, …NUM…, …OPR…, …WPL….xml) in it", path_buf.display()),
            Err(WalkError::Source(e)) => e.to_string(),
            Err(WalkError::Caller(Stop::Bad(e))) => e.to_string(),
            Err(WalkError::Caller(Stop::Cancelled)) => return,
        };
        let _ = tx.blocking_send(Err(failure));
    });
    let mut import = store.begin_bag_import(&path.display().to_string()).await.map_err(BagImportError::Store)?;
    let mut read = 0u64;
    while let Some(record) = rx.recv().await {
        let record = record.map_err(BagImportError::Extract)?;
        import.add(&record).await.map_err(BagImportError::Store)?;
        read += 1;
        if read.is_multiple_of(10_000) {
            progress(10_000);
        }
    }
    progress(read % 10_000);
    reader.await.map_err(|e| BagImportError::Extract(format!("the reading thread stopped: {e}")))?;
    // An extract without objects or addresses would wipe the BAG: refuse it.
    let so_far = import.summary();
    if so_far.verblijfsobjecten == 0 || so_far.nummeraanduidingen == 0 {
        return Err(BagImportError::Extract(format!(
            "{}: no current verblijfsobjecten or nummeraanduidingen in it; the BAG was left as it was",
            path.display()
        )));
    }
    import.finish(&Actor::system("import bag")).await.map_err(BagImportError::Store)
}
