//! The one serialiser of `manifest.json`: top-level keys sorted, 2-space
//! indent, the per-entity arrays either streamed from scratch files (a run)
//! or taken from memory (a [`crate::Dataset`] being written), with the same
//! bytes either way.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{WriteError, io_err};

/// Appends `values` pretty-printed as elements of a top-level array of a
/// pretty-printed object (4-space base indent), as `serde_json` would, joined
/// by `,\n`. One pass per element, no string per line (this runs for every
/// entity's manifest entries).
pub(crate) fn push_array_elements<T: serde::Serialize>(out: &mut String, values: &[T]) {
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        // Pretty JSON has no trailing newline and escapes newlines inside
        // strings, so each '\n' starts a line to indent.
        let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
        out.reserve(pretty.len() + 4 * (1 + pretty.len() / 16));
        for (j, line) in pretty.split('\n').enumerate() {
            if j > 0 {
                out.push('\n');
            }
            out.push_str("    ");
            out.push_str(line);
        }
    }
}

/// A top-level array written element by element to a scratch file.
pub(crate) struct StreamedArray {
    path: PathBuf,
    out: BufWriter<std::fs::File>,
    count: u64,
}

impl StreamedArray {
    pub(crate) fn create(path: PathBuf) -> Result<Self, WriteError> {
        // A spool read back at the end: through the cache (plain buffered
        // writes, not `OutFile`), and copied into `manifest.json` in the kernel.
        let f = std::fs::File::create(&path).map_err(io_err(&path))?;
        Ok(StreamedArray {
            out: BufWriter::new(f),
            path,
            count: 0,
        })
    }

    /// Appends `count` elements already rendered by [`push_array_elements`] and
    /// joined by `,\n`.
    pub(crate) fn push_rendered(&mut self, text: &str, count: u64) -> Result<(), WriteError> {
        if count == 0 {
            return Ok(());
        }
        let sep = if self.count == 0 { "" } else { ",\n" };
        self.count += count;
        write!(self.out, "{sep}{text}").map_err(io_err(&self.path))
    }

    /// Removes the scratch file.
    pub(crate) fn discard(self) -> Result<(), WriteError> {
        drop(self.out);
        std::fs::remove_file(&self.path).map_err(io_err(&self.path))
    }
}

/// A top-level manifest entry.
pub(crate) enum Section<'a> {
    /// A value.
    Value(&'a Value),
    /// An array from memory.
    Elements(&'a [Value]),
    /// An array streamed to a scratch file (removed once copied).
    Streamed(StreamedArray),
}

/// Writes `manifest.json` at `path` from its top-level entries.
pub(crate) fn write(
    path: &Path,
    mut sections: Vec<(String, Section<'_>)>,
) -> Result<(), WriteError> {
    let f = std::fs::File::create(path).map_err(io_err(path))?;
    let mut out = BufWriter::new(f);
    sections.sort_by(|x, y| x.0.cmp(&y.0));
    let mut text = String::from("{\n");
    let last = sections.len().saturating_sub(1);
    for (i, (k, section)) in sections.into_iter().enumerate() {
        text.push_str(&format!(
            "  {}: ",
            serde_json::to_string(&k).unwrap_or_default()
        ));
        match section {
            Section::Value(v) => {
                let pretty = serde_json::to_string_pretty(v).unwrap_or_default();
                text.push_str(&pretty.replace('\n', "\n  "));
            }
            Section::Elements([]) => text.push_str("[]"),
            Section::Elements(items) => {
                text.push_str("[\n");
                push_array_elements(&mut text, items);
                text.push_str("\n  ]");
            }
            Section::Streamed(mut st) => {
                if st.count == 0 {
                    text.push_str("[]");
                    st.discard()?;
                } else {
                    text.push_str("[\n");
                    out.write_all(text.as_bytes()).map_err(io_err(path))?;
                    text.clear();
                    st.out.flush().map_err(io_err(&st.path))?;
                    let mut f = std::fs::File::open(&st.path).map_err(io_err(&st.path))?;
                    std::io::copy(&mut f, &mut out).map_err(io_err(path))?;
                    text.push_str("\n  ]");
                    st.discard()?;
                }
            }
        }
        text.push_str(if i == last { "\n" } else { ",\n" });
        out.write_all(text.as_bytes()).map_err(io_err(path))?;
        text.clear();
    }
    out.write_all(b"}\n").map_err(io_err(path))?;
    out.flush().map_err(io_err(path))
}
