//! An in-memory dataset, and its replay into files.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::Value;

use super::WrittenCopy;
use crate::error::Result;
use crate::tables::{Schema, Table};
use crate::write::dir::Staging;
use crate::write::encode::Encoder;
use crate::write::files::DatasetFiles;
use crate::write::log::LogFiles;
use crate::write::manifest::Section;
use crate::write::{self, io_err};
use plotsim_config::{Config, OutputFormat, SqlDialect};

/// An in-memory dataset: tables and manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    tables: Vec<Table>,
    /// Rows per table of every entity block, to replay file structure.
    block_rows: Vec<Vec<u64>>,
    manifest: Value,
    /// The config as run, for `config.yaml`.
    config: Config,
    /// The plan's SQL dialect.
    dialect: SqlDialect,
    seed: u64,
    /// The clean schema and how the files receive the rows.
    out: Arc<WrittenCopy>,
}

impl Dataset {
    pub(crate) fn new(
        tables: Vec<Table>,
        block_rows: Vec<Vec<u64>>,
        manifest: Value,
        config: Config,
        dialect: SqlDialect,
        seed: u64,
        out: Arc<WrittenCopy>,
    ) -> Self {
        Dataset {
            tables,
            block_rows,
            manifest,
            config,
            dialect,
            seed,
            out,
        }
    }

    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// The entity features table (`_entity_features`), when the config asks
    /// for one: a row per entity with `<metric>_mean`, `_std`, `_slope`,
    /// `_first`, `_last` and `_peak_period` over the training window, then
    /// `archetype` and `final_trajectory_position` unless labels are off.
    ///
    /// # Example
    /// ```
    /// let yaml = plotsim::templates::get("quickstart").unwrap().yaml.to_owned()
    ///     + "entity_features: true\nholdout: {target: spend, periods: 4}\n";
    /// let plan = plotsim::Config::from_yaml_str(&yaml)?.validate()?;
    /// let data = plotsim::generate(&plan)?;
    /// let features = data.entity_features().expect("asked for");
    /// assert_eq!(features.rows(), 100);
    /// assert!(features.column("usage_slope").is_some());
    /// assert!(features.column("spend_mean").is_none()); // the holdout target
    /// assert_eq!(data.manifest()["holdout"]["cutoff_period_index"], 20);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn entity_features(&self) -> Option<&Table> {
        self.table(crate::tables::FEATURES_TABLE)
    }

    /// Every table, in write order.
    pub fn tables(&self) -> &[Table] {
        &self.tables
    }

    /// The schema of the tables.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.out.clean
    }

    /// The manifest (the answer key).
    pub fn manifest(&self) -> &Value {
        &self.manifest
    }

    /// The seed used.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The config as run (seed filled), as `config.yaml` holds it.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Writes the dataset to `dir` in `format`, with `config.yaml` and
    /// `manifest.json`, under the same rules as [`crate::run`] (staging
    /// directory swapped into place; an existing directory is replaced only
    /// if it is a plotsim dataset). The files equal those of [`crate::run`]
    /// with the same seed: the tables are replayed block by block through the
    /// same encoders.
    pub fn write(&self, dir: impl AsRef<Path>, format: OutputFormat) -> Result<PathBuf> {
        let staging = Staging::new(dir.as_ref(), false)?;
        let root = staging.path().to_path_buf();
        let encoder = Encoder::new(self.out.written.clone(), format, self.dialect)?;
        let mut files = DatasetFiles::create(&root, &encoder)?;
        let mut logs = LogFiles::create(&root, &self.out.logs)?;
        // Every (table, block) slice in file order; encoded in parallel a
        // wave at a time (bounded memory), appended in order.
        let mut offsets = vec![0usize; self.tables.len()];
        let mut slices = Vec::new();
        for (b, block) in self.block_rows.iter().enumerate() {
            for (id, &n) in block.iter().enumerate() {
                if n > 0 {
                    let range = offsets[id]..offsets[id] + n as usize;
                    offsets[id] = range.end;
                    slices.push((b as u64, id, range));
                }
            }
        }
        let wave = (rayon::current_num_threads() * 2).max(2);
        for chunk in slices.chunks(wave) {
            let encoded: Vec<_> = chunk
                .par_iter()
                .map(|(b, id, range)| {
                    let clean = self.tables[*id].batch(*id, range.clone());
                    // The written copy, as `run` makes it.
                    let w = self.out.of(*b, &clean, true);
                    (encoder.encode(w.rows.as_ref().unwrap_or(&clean)), w.log)
                })
                .collect();
            for (e, log) in encoded {
                let e = e?;
                if let Some(log) = log {
                    logs.append(e.table, &log)?;
                }
                files.append(e)?;
            }
        }
        files.finish()?;
        logs.finish()?;
        // The config as written records the format it was written in.
        let mut config = self.config.clone();
        config.output.format = format;
        let yaml = root.join("config.yaml");
        std::fs::write(&yaml, config.to_yaml()).map_err(io_err(&yaml))?;
        if config.manifest.include {
            let sha = Value::from(crate::truth::config_sha256(&config));
            let empty = serde_json::Map::new();
            let map = self.manifest.as_object().unwrap_or(&empty);
            let sections = map
                .iter()
                .map(|(k, v)| {
                    let s = match (k.as_str(), v) {
                        ("config_sha256", _) => Section::Value(&sha),
                        (k, Value::Array(a)) if super::STREAMED.contains(&k) => {
                            Section::Elements(a)
                        }
                        _ => Section::Value(v),
                    };
                    (k.clone(), s)
                })
                .collect();
            write::manifest::write(&root.join("manifest.json"), sections)?;
        }
        Ok(staging.commit()?)
    }
}
