//! `flexwonen import bag PATH` (issue 6): the extract's files read on a thread of its own
//! (`bag_source`), parsed on a few more (`core::bag`), and their records handed over bounded
//! channels to the import in the database, so reading, parsing and writing overlap and
//! memory stays flat (a few files in flight). Any problem stops the
//! import before anything becomes visible: the previous extract stays the current one.

use crate::bag_source::{WalkError, for_each_xml};
use flexwonen_core::bag::{BagFileReader, BagRecord};
use flexwonen_store::{Actor, BagSummary, Store, StoreError};
use std::path::Path;

/// Records per hand-over: one wake-up of the other side per batch, not per record.
const BATCH: usize = 512;
/// Batches in flight between the reading thread and the database.
const IN_FLIGHT: usize = 16;

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
    /// A file could not be read out of its folder or zip.
    Read(String),
    /// The import ended on its side (a database failure): reading on would be for nothing.
    Cancelled,
}

/// XML files read ahead of the parsers (each some megabytes).
const FILES_IN_FLIGHT: usize = 2;
/// The most room made for a file before reading it, whatever its zip says.
const MAX_SIZE_HINT: u64 = 256 << 20;

fn parser_threads() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 4)
}

/// Parses files from `files` until there are none, handing records over in batches; the
/// first bad file ends it with its error (and the import with it).
fn parse_files(
    files: &std::sync::Mutex<std::sync::mpsc::Receiver<(String, Vec<u8>)>>,
    tx: &tokio::sync::mpsc::Sender<Result<Vec<BagRecord>, String>>,
) {
    loop {
        // The lock is held only to take the next file.
        let next = files.lock().map_err(|_| ()).and_then(|rx| rx.recv().map_err(|_| ()));
        let Ok((name, bytes)) = next else { return };
        let mut records = BagFileReader::new(name, bytes.as_slice());
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            match records.next_record() {
                Ok(Some(record)) => {
                    batch.push(record);
                    if batch.len() == BATCH {
                        let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                        if tx.blocking_send(Ok(full)).is_err() {
                            return;
                        }
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e.to_string()));
                    return;
                }
            }
        }
        if tx.blocking_send(Ok(batch)).is_err() {
            return;
        }
    }
}

/// Imports the extract at `path`; `progress` is told the records read so far.
pub async fn import(store: &Store, path: &Path, progress: &(dyn Fn(u64) + Sync)) -> Result<BagSummary, BagImportError> {
    if !path.exists() {
        return Err(BagImportError::Extract(format!("{}: no such file or folder", path.display())));
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Vec<BagRecord>, String>>(IN_FLIGHT);
    // The files are read one after another (a zip inside a zip only streams) and parsed on
    // several threads: parsing, not reading or writing, is the slow part.
    let (file_tx, file_rx) = std::sync::mpsc::sync_channel::<(String, Vec<u8>)>(FILES_IN_FLIGHT);
    let file_rx = std::sync::Arc::new(std::sync::Mutex::new(file_rx));
    let parsers: Vec<_> = (0..parser_threads())
        .map(|_| {
            let (file_rx, tx) = (file_rx.clone(), tx.clone());
            tokio::task::spawn_blocking(move || parse_files(&file_rx, &tx))
        })
        .collect();
    let path_buf = path.to_path_buf();
    let reader = tokio::task::spawn_blocking(move || {
        let mut files = 0;
        let sent = for_each_xml(&path_buf, &mut |name: &str, size: u64, input: &mut dyn std::io::BufRead| {
            files += 1;
            // Room for the whole file at once (growing as it reads would copy it over and
            // over), within reason: the size is what the zip claims.
            let mut bytes = Vec::with_capacity(usize::try_from(size.min(MAX_SIZE_HINT)).unwrap_or(0));
            input.read_to_end(&mut bytes).map_err(|e| Stop::Read(format!("{name}: {e}")))?;
            file_tx.send((name.to_string(), bytes)).map_err(|_| Stop::Cancelled)
        });
        let failure = match sent {
            Ok(()) if files > 0 => return,
            Ok(()) => format!("{}: no BAG extract files (…VBO…, …NUM…, …OPR…, …WPL….xml) in it", path_buf.display()),
            Err(WalkError::Source(e)) => e.to_string(),
            Err(WalkError::Caller(Stop::Read(e))) => e,
            Err(WalkError::Caller(Stop::Cancelled)) => return,
        };
        let _ = tx.blocking_send(Err(failure));
    });
    let mut import = store.begin_bag_import(&path.display().to_string()).await.map_err(BagImportError::Store)?;
    while let Some(batch) = rx.recv().await {
        let batch = batch.map_err(BagImportError::Extract)?;
        for record in &batch {
            import.add(record).await.map_err(BagImportError::Store)?;
        }
        progress(batch.len() as u64);
    }
    reader.await.map_err(|e| BagImportError::Extract(format!("the reading thread stopped: {e}")))?;
    for parser in parsers {
        parser.await.map_err(|e| BagImportError::Extract(format!("a parsing thread stopped: {e}")))?;
    }
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
