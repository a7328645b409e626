//! The built-in checks: the shipped `checks/` directory, embedded at build
//! time (one source of truth: these files are what `checks/` holds), and where
//! a configuration comes from ([`Source`]).

use std::path::{Path, PathBuf};

/// The shipped `checks/`, file by file, as the binary carries them. A test
/// holds this list to the directory, so that no file is left out.
pub const FILES: &[(&str, &str)] = &[
    ("control.toml", include_str!("../../checks/control.toml")),
    ("okx.toml", include_str!("../../checks/okx.toml")),
    ("settings.toml", include_str!("../../checks/settings.toml")),
];

/// Where a configuration is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A directory of `*.toml` files, or one file.
    Path(PathBuf),
    /// The checks the binary carries ([`FILES`]).
    BuiltIn,
}

impl Source {
    /// `--config PATH` when given; else `checks/` in the working directory
    /// when there is one; else the built-in checks.
    pub fn resolve(flag: Option<PathBuf>) -> Source {
        match flag {
            Some(path) => Source::Path(path),
            None if Path::new(DEFAULT_DIR).exists() => Source::Path(PathBuf::from(DEFAULT_DIR)),
            None => Source::BuiltIn,
        }
    }

    /// The path, for a source that has one.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Path(p) => Some(p),
            Source::BuiltIn => None,
        }
    }
}

/// The directory read when `--config` is not given and it exists.
pub const DEFAULT_DIR: &str = "checks";

/// How the built-in files are named in messages (`(built-in)/okx.toml:12:3`).
pub fn origin(name: &str) -> PathBuf {
    PathBuf::from(format!("(built-in)/{name}"))
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Path(p) => write!(f, "{}", p.display()),
            Source::BuiltIn => f.write_str(&t!("config-built-in")),
        }
    }
}

/// Writes the built-in checks into `dir` (created when missing) as editable
/// files; refuses, writing nothing, when any of them exists already.
pub fn dump(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let targets: Vec<PathBuf> = FILES.iter().map(|(name, _)| dir.join(name)).collect();
    if let Some(there) = targets.iter().find(|p| p.exists()) {
        return Err(t!("dump-exists", path = there.display().to_string()));
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for ((_, text), path) in FILES.iter().zip(&targets) {
        // create_new: a file that appeared meanwhile is never overwritten.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        std::io::Write::write_all(&mut file, text.as_bytes())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_file_is_built_in_as_it_is() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("checks");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let built_in: Vec<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(built_in, on_disk, "checks/ and the built-in list");
        for (name, text) in FILES {
            assert_eq!(*text, std::fs::read_to_string(dir.join(name)).unwrap());
        }
    }

    #[test]
    fn the_built_in_checks_load() {
        let config = crate::config::load_source(&Source::BuiltIn).unwrap();
        assert!(config.checks.iter().any(|c| c.name == "live-chat"));
        assert!(config.checks.iter().any(|c| c.name == "control-smtp"));
    }

    #[test]
    fn a_dump_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let files = dump(dir.path()).unwrap();
        assert_eq!(files.len(), FILES.len());
        std::fs::write(&files[0], "# mine").unwrap();
        assert!(dump(dir.path()).is_err());
        assert_eq!(std::fs::read_to_string(&files[0]).unwrap(), "# mine");
        // The refused dump wrote nothing: the other files are as first written.
        for ((_, text), path) in FILES.iter().zip(&files).skip(1) {
            assert_eq!(std::fs::read_to_string(path).unwrap(), *text);
        }
    }
}
