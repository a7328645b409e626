//! Byte offsets of a configuration file → 1-based line and column.

use std::path::Path;

use super::Location;

/// Byte offsets → 1-based line and column (in characters), for one file's text.
/// Built once per file, so that locating every check costs a binary search.
pub(super) struct Lines<'a> {
    file: &'a Path,
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(file: &'a Path, text: &'a str) -> Lines<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { file, text, starts }
    }

    pub fn locate(&self, offset: usize) -> Location {
        let offset = self.text.floor_char_boundary(offset.min(self.text.len()));
        let line = self.starts.partition_point(|s| *s <= offset);
        let start = self.starts[line - 1];
        Location {
            file: self.file.to_path_buf(),
            line,
            column: self.text[start..offset].chars().count() + 1,
        }
    }
}
