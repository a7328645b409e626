//! `okx-monitor import FILE` and `okx-monitor export [FILE]`: samples in and out
//! as JSON Lines. Import is all or nothing; export writes a temporary file and
//! renames it, so a file is never left half-written.

use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::EXIT_OK;
use crate::store::Store;

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// JSON Lines to import; `-` is standard input.
    file: PathBuf,
    /// The database (default: [settings] db, else okx-monitor.db); created when missing.
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// Where to write; `-` or nothing is standard output.
    file: Option<PathBuf>,
    /// The database (default: [settings] db, else okx-monitor.db).
    #[arg(long, value_name = "PATH")]
    db: Option<PathBuf>,
}

pub fn import(source: &crate::config::Source, args: ImportArgs) -> anyhow::Result<u8> {
    let config = super::optional_config(source)?;
    let db = args.db.unwrap_or_else(|| {
        config.as_ref().map_or_else(
            || PathBuf::from(crate::config::DEFAULT_DB),
            |c| c.settings.db.clone(),
        )
    });
    let mut store = Store::open(&db)?;
    if let Some(c) = &config {
        store.incident_rules = c.incident_rules();
    }
    let n = if args.file.as_os_str() == "-" {
        store.import(std::io::stdin().lock(), "stdin")?
    } else {
        let name = args.file.display().to_string();
        let f = std::fs::File::open(&args.file).with_context(|| t!("cannot-open", file = &name))?;
        store.import(BufReader::with_capacity(1 << 20, f), &name)?
    };
    eprintln!(
        "{}",
        t!(
            "imported",
            total = super::thousands(n.total()),
            new = super::thousands(n.new),
            known = super::thousands(n.already),
            db = db.display().to_string()
        )
    );
    Ok(EXIT_OK)
}

pub fn export(source: &crate::config::Source, args: ExportArgs) -> anyhow::Result<u8> {
    let db = db_path(source, args.db)?;
    let store = Store::open_existing(&db)?;
    match args.file.filter(|f| f.as_os_str() != "-") {
        None => {
            let out = std::io::stdout().lock();
            store.export(BufWriter::with_capacity(1 << 20, out))?;
        }
        Some(file) => {
            let dir = file
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let tmp = tempfile::NamedTempFile::new_in(dir)
                .with_context(|| t!("cannot-write-in", dir = dir.display().to_string()))?;
            let mut out = BufWriter::with_capacity(1 << 20, tmp);
            store.export(&mut out)?;
            out.flush().with_context(|| t!("cannot-write-export"))?;
            let tmp = out.into_inner().map_err(|e| e.into_error())?;
            tmp.persist(&file)
                .with_context(|| t!("cannot-write", file = file.display().to_string()))?;
        }
    }
    Ok(EXIT_OK)
}

/// `--db`, else the configuration's `db`, else the default; a configuration that
/// exists but is invalid is an error, a missing one is not (import/export need none).
fn db_path(source: &crate::config::Source, db: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(db) = db {
        return Ok(db);
    }
    Ok(super::optional_config(source)?.map_or_else(
        || PathBuf::from(crate::config::DEFAULT_DB),
        |c| c.settings.db,
    ))
}
