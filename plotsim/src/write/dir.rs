//! The output directory: never half a dataset, never the user's files.
//!
//! A run writes into a sibling `DIR.tmp-<nonce>`, marks it as a plotsim
//! dataset, then swaps it into place. An existing `DIR` is replaced only if
//! it holds the marker file or `force` is set; `.`, the current directory's
//! ancestors, the home directory and the filesystem root are always refused.

use std::path::{Path, PathBuf};

/// The file that marks a directory as a plotsim dataset.
pub const MARKER: &str = ".plotsim-dataset";

/// Why an output directory cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DirError {
    /// The target is a directory plotsim must never replace.
    #[error("refusing to write into `{path}`: {why}")]
    Refused {
        /// The target.
        path: String,
        /// Why.
        why: String,
    },
    /// The target exists and is not a plotsim dataset.
    #[error(
        "`{path}` exists and is not a plotsim dataset (no {MARKER} file); choose another directory or pass --force to replace it"
    )]
    NotADataset {
        /// The target.
        path: String,
    },
    /// A filesystem operation failed.
    #[error("{action} `{path}`: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// On which path.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> DirError {
    let path = path.display().to_string();
    move |source| DirError::Io {
        action,
        path,
        source,
    }
}

/// Checks that `target` may be (re)placed by a dataset.
pub fn check_target(target: &Path, force: bool) -> Result<(), DirError> {
    let refuse = |why: &str| DirError::Refused {
        path: target.display().to_string(),
        why: why.to_owned(),
    };
    if target.as_os_str().is_empty() {
        return Err(refuse("the path is empty"));
    }
    let abs = std::path::absolute(target).map_err(io("resolve", target))?;
    let abs = normalize(&abs);
    if abs.parent().is_none() {
        return Err(refuse("it is the filesystem root"));
    }
    if let Ok(cwd) = std::env::current_dir() {
        let cwd = normalize(&cwd);
        if cwd.starts_with(&abs) {
            return Err(refuse("it is the current directory or one of its parents"));
        }
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && normalize(&home) == abs
    {
        return Err(refuse("it is the home directory"));
    }
    if abs.exists() && !force && (!abs.is_dir() || !abs.join(MARKER).exists()) {
        return Err(DirError::NotADataset {
            path: target.display().to_string(),
        });
    }
    Ok(())
}

/// `a/./b/../c` -> `a/c`, without touching the filesystem.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// A dataset being written: a temporary sibling directory that becomes
/// `target` on [`Staging::commit`] and is removed if dropped uncommitted.
#[derive(Debug)]
pub struct Staging {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

fn nonce() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{t:x}", std::process::id())
}

impl Staging {
    /// Creates the temporary directory next to `target` (after [`check_target`]).
    pub fn new(target: &Path, force: bool) -> Result<Staging, DirError> {
        check_target(target, force)?;
        let name = target
            .file_name()
            .map_or_else(|| "dataset".into(), |n| n.to_string_lossy().into_owned());
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(io("create", parent))?;
        let tmp = parent.join(format!("{name}.tmp-{}", nonce()));
        std::fs::create_dir(&tmp).map_err(io("create", &tmp))?;
        Ok(Staging {
            target: target.to_path_buf(),
            tmp,
            committed: false,
        })
    }

    /// Where files are written until the commit.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Marks the dataset complete and swaps it into place.
    pub fn commit(mut self) -> Result<PathBuf, DirError> {
        let marker = self.tmp.join(MARKER);
        std::fs::write(&marker, format!("plotsim {}\n", env!("CARGO_PKG_VERSION")))
            .map_err(io("write", &marker))?;
        let old = self.target.with_file_name(format!(
            "{}.old-{}",
            self.target
                .file_name()
                .map_or_else(|| "dataset".into(), |n| n.to_string_lossy().into_owned()),
            nonce()
        ));
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(io("move aside", &self.target))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.target) {
            if had_old {
                // Put the previous dataset back.
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(io("move into place", &self.target)(e));
        }
        self.committed = true;
        if had_old {
            if old.is_dir() {
                std::fs::remove_dir_all(&old).map_err(io("remove", &old))?;
            } else {
                std::fs::remove_file(&old).map_err(io("remove", &old))?;
            }
        }
        Ok(self.target.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}
