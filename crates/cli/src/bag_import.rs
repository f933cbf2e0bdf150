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

/// Imports the extract at `path`; `progress` is told the records read so far.
pub async fn import(store: &Store, path: &Path, progress: &(dyn Fn(u64) + Sync)) -> Result<BagSummary, BagImportError> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<BagRecord, String>>(IN_FLIGHT);
    let path_buf = path.to_path_buf();
    let reader = tokio::task::spawn_blocking(move || {
        let sent = for_each_xml(&path_buf, &mut |name: &str, input: &mut dyn std::io::BufRead| {
            let mut records = BagFileReader::new(name, input);
            while let Some(record) = records.next_record()? {
                // The receiver is gone: the import stopped on its side; stop reading.
                if tx.blocking_send(Ok(record)).is_err() {
                    return Ok(());
                }
            }
            Ok::<(), BagError>(())
        });
        let failure = match sent {
            Ok(()) => return,
            Err(WalkError::Source(e)) => e.to_string(),
            Err(WalkError::Caller(e)) => e.to_string(),
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
    import.finish(&Actor::system("import bag")).await.map_err(BagImportError::Store)
}
