//! Where a BAG extract comes from (issue 6): a folder of XML files, a municipality's zip, or
//! the national `lvbag-extract-nl.zip` whose entries are zips again. Every XML file the
//! import reads (`flexwonen_core::bag::reads_file`) is handed over as a stream, one at a
//! time, never unpacked to disk: the outer zip is read through its directory, a zip inside
//! it entry by entry as it streams past.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Why the extract could not be read: which file, and why.
#[derive(Debug)]
pub struct SourceError {
    pub file: String,
    pub message: String,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.message)
    }
}

impl std::error::Error for SourceError {}

/// What the caller does with one XML file: its name (with the zips it came through), the
/// size its folder or zip gives (a hint: the content decides) and its content. An error
/// ends the walk.
pub type Each<'a, E> = dyn FnMut(&str, u64, &mut dyn BufRead) -> Result<(), E> + 'a;

/// An error of the walk or of the caller.
#[derive(Debug)]
pub enum WalkError<E> {
    Source(SourceError),
    Caller(E),
}

fn source<E>(file: &str, message: impl std::fmt::Display) -> WalkError<E> {
    WalkError::Source(SourceError { file: file.to_string(), message: message.to_string() })
}

/// Hands every BAG XML file under `path` to `each`, folders and zips in name order.
pub fn for_each_xml<E>(path: &Path, each: &mut Each<'_, E>) -> Result<(), WalkError<E>> {
    let shown = path.display().to_string();
    if path.is_dir() {
        let mut entries: Vec<_> =
            std::fs::read_dir(path).map_err(|e| source(&shown, e))?.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for entry in entries {
            for_each_xml(&entry, each)?;
        }
        return Ok(());
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if name.ends_with(".zip") {
        let file = File::open(path).map_err(|e| source(&shown, e))?;
        let mut archive = zip::ZipArchive::new(BufReader::new(file))
            .map_err(|e| source(&shown, format!("not a complete zip: {e}")))?;
        for i in 0..archive.len() {
            let mut entry = archive.by_index(i).map_err(|e| source(&shown, format!("entry {i}: {e}")))?;
            let inner = format!("{shown}/{}", entry.name().map_err(|e| source(&shown, e))?);
            let size = entry.size();
            walk_entry(&inner, size, &mut entry, each)?;
        }
        Ok(())
    } else if flexwonen_core::bag::reads_file(&name) {
        let file = File::open(path).map_err(|e| source(&shown, e))?;
        let size = file.metadata().map_or(0, |m| m.len());
        each(&shown, size, &mut BufReader::with_capacity(1 << 16, file)).map_err(WalkError::Caller)
    } else {
        Ok(())
    }
}

/// One entry of a zip: an XML file the import reads, a zip to stream through, or skipped.
fn walk_entry<E>(name: &str, size: u64, entry: &mut dyn Read, each: &mut Each<'_, E>) -> Result<(), WalkError<E>> {
    if name.ends_with(".zip") {
        let mut stream = BufReader::with_capacity(1 << 16, entry);
        loop {
            let mut inner = match zip::read::read_zipfile_from_stream(&mut stream) {
                Ok(Some(inner)) => inner,
                Ok(None) => return Ok(()),
                Err(e) => return Err(source(name, format!("the zip is cut off or damaged: {e}"))),
            };
            let inner_name = format!("{name}/{}", inner.name().map_err(|e| source(name, e))?);
            let inner_size = inner.size();
            walk_entry(&inner_name, inner_size, &mut inner, each)?;
        }
    } else if flexwonen_core::bag::reads_file(name) {
        each(name, size, &mut BufReader::with_capacity(1 << 16, entry)).map_err(WalkError::Caller)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const SAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/bag/lvbag-sample-doesburg-0221-20200915");

    /// The sample's files as a zip, in memory.
    fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, bytes) in files {
            w.start_file(name.as_str(), zip::write::SimpleFileOptions::default()).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn sample_files() -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<_> = std::fs::read_dir(SAMPLE)
            .unwrap()
            .map(|e| e.unwrap().path())
            .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
            .collect();
        files.sort();
        files
    }

    /// (file name without its path, bytes) of every XML file handed over.
    fn walk(path: &Path) -> Result<Vec<(String, usize)>, WalkError<std::io::Error>> {
        let mut seen = Vec::new();
        for_each_xml(path, &mut |name: &str, _size: u64, r: &mut dyn BufRead| {
            let mut bytes = Vec::new();
            r.read_to_end(&mut bytes)?;
            seen.push((name.rsplit('/').next().unwrap_or(name).to_string(), bytes.len()));
            Ok(())
        })?;
        Ok(seen)
    }

    #[test]
    fn a_folder_a_zip_and_zips_in_a_zip_give_the_same_files() {
        let from_folder = walk(Path::new(SAMPLE)).unwrap();
        let names: Vec<&str> = from_folder.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "0221NUM15092020-000001.xml",
                "0221OPR15092020-000001.xml",
                "0221VBO15092020-000001.xml",
                "0221WPL15092020-000001.xml"
            ]
        );

        let dir = std::env::temp_dir().join(format!("flexwonen-bag-source-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let municipality = dir.join("0221.zip");
        std::fs::write(&municipality, zip_of(&sample_files())).unwrap();
        assert_eq!(walk(&municipality).unwrap(), from_folder);

        // The national shape: one zip per object type inside the outer zip.
        let by_type: Vec<(String, Vec<u8>)> = sample_files()
            .chunks(3)
            .enumerate()
            .map(|(i, files)| (format!("9999PART{i}.zip"), zip_of(files)))
            .collect();
        let national = dir.join("lvbag-extract-nl.zip");
        std::fs::write(&national, zip_of(&by_type)).unwrap();
        assert_eq!(walk(&national).unwrap(), from_folder);

        // A cut-off zip names itself.
        let bytes = std::fs::read(&national).unwrap();
        let cut = dir.join("cut.zip");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        match walk(&cut) {
            Err(WalkError::Source(e)) => assert!(e.file.ends_with("cut.zip") && e.message.contains("zip"), "{e}"),
            other => panic!("expected a source error, got {other:?}"),
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
