//! The pipeline: entity batches generated in parallel, turned into table
//! rows and truth, and handed on in entity order to a sink (files for
//! [`run`], memory for [`generate`]). Memory is one wave of batches plus the
//! accumulators.

use std::io::{BufWriter, Write};

use plotsim_config::OutputFormat;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_json::Value;

use crate::budget::CellBudget;
use crate::engine::entities::Entity;
use crate::engine::panel::{Draws, generate_entity};
use crate::engine::prepare::{Prepared, prepare as prepare_engine};
use crate::error::{Error, Result};
use crate::tables::{Table, UnitDim, dim_date, fact_rows, unit_dim_rows};
use crate::truth::{
    Accumulators, Counter, EntityTruth, MetricCounts, TrajectorySample, array_element,
    entity_truth, manifest_fixed,
};
use crate::write::{DatasetWriter, dir::Staging, io_err};
use plotsim_config::{Config, Plan};

/// Default entities per batch.
pub const DEFAULT_BATCH_SIZE: usize = 256;

/// How [`run`] writes a dataset.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Output directory (replaced atomically; see [`crate::write::dir`]).
    pub output_dir: PathBuf,
    /// Seed override (else the config's, else a fresh random one).
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Entities per batch (output does not depend on it).
    pub batch_size: usize,
    /// Replace an existing directory that is not a plotsim dataset.
    pub force: bool,
    /// The cell budget (resolve with [`CellBudget::resolve`]).
    pub cell_budget: CellBudget,
    /// Run even when the cells exceed the budget.
    pub allow_large_dataset: bool,
    /// File format (default: the config's `output.format`).
    pub format: OutputFormat,
}

impl RunOptions {
    /// Options for writing to `dir`, with the config's (or the default) budget.
    pub fn new(dir: impl Into<PathBuf>, plan: &Plan) -> Self {
        RunOptions {
            output_dir: dir.into(),
            seed: None,
            threads: None,
            batch_size: DEFAULT_BATCH_SIZE,
            force: false,
            cell_budget: CellBudget::resolve(plan.config.output.cell_budget, None),
            allow_large_dataset: false,
            format: plan.config.output.format,
        }
    }
}

/// What a run wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSummary {
    /// The dataset directory.
    pub dir: PathBuf,
    /// The seed used.
    pub seed: u64,
    /// Rows per table, in write order.
    pub tables: Vec<(String, u64)>,
    /// Entity-period cells generated.
    pub cells: u64,
    /// Findings worth telling the user: the plan's warnings and every
    /// correlation the calibration could not reach.
    pub warnings: Vec<String>,
}

/// The plan's warnings plus the unreachable correlations of a run.
fn run_warnings(plan: &Plan, prepared: &Prepared) -> Vec<String> {
    let mut w = plan.warnings.clone();
    for p in prepared.pairs.iter().filter(|p| p.infeasible) {
        let phase = if p.slot == 0 {
            String::new()
        } else {
            format!(" in connection_phases[{}]", p.slot - 1)
        };
        w.push(format!(
            "connection {} ~ {}{phase}: requested {}, reached about {:.2}; the shared trajectory and the marginals do not allow more (manifest: correlation_compensations)",
            plan.metrics[p.a].name, plan.metrics[p.b].name, p.requested, p.pilot_realized
        ));
    }
    w
}

/// An in-memory dataset: tables and manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    tables: Vec<Table>,
    manifest: Value,
    config: Config,
    seed: u64,
}

impl Dataset {
    /// A table by name.
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    /// Every table, in write order.
    pub fn tables(&self) -> &[Table] {
        &self.tables
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
    /// `manifest.json`, under the same rules as [`run`] (staging directory
    /// swapped into place; an existing directory is replaced only if it is a
    /// plotsim dataset). The files equal those of [`run`] with the same seed.
    pub fn write(&self, dir: impl AsRef<Path>, format: OutputFormat) -> Result<PathBuf> {
        let staging = Staging::new(dir.as_ref(), false)?;
        let root = staging.path().to_path_buf();
        let plan = self.config.validate()?;
        let mut files =
            DatasetWriter::new(&root, format, self.config.output.sql_dialect, &plan.tables);
        for t in &self.tables {
            files.append(t)?;
        }
        files.finish()?;
        // The config as written records the format it was written in.
        let mut config = self.config.clone();
        config.output.format = format;
        let yaml = root.join("config.yaml");
        std::fs::write(&yaml, config.to_yaml()).map_err(io_err(&yaml))?;
        if config.manifest.include {
            let mut manifest = self.manifest.clone();
            manifest["config_sha256"] = Value::from(crate::truth::config_sha256(&config));
            let path = root.join("manifest.json");
            let text = serde_json::to_string_pretty(&manifest).unwrap_or_default() + "\n";
            std::fs::write(&path, text).map_err(io_err(&path))?;
        }
        Ok(staging.commit()?)
    }
}

/// The seed of a run: the override, else the config's, else a fresh one
/// (from the OS-keyed hasher; recorded in `config.yaml` and the manifest).
pub fn resolve_seed(plan: &Plan, over: Option<u64>) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    over.or(plan.config.seed).unwrap_or_else(|| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(u64::from(std::process::id()));
        h.finish()
    })
}

/// The once-per-run set-up with the plan's seed (a fresh one if it has none):
/// nearest-correlation projection, copula calibration, Cholesky factors.
pub fn prepare(plan: &Plan) -> Result<Prepared> {
    supported(plan)?;
    Ok(prepare_engine(plan, resolve_seed(plan, None)))
}

pub(crate) fn supported(plan: &Plan) -> Result<()> {
    if !plan.auto_schema {
        return Err(Error::Unsupported(
            "declared schemas (`dimensions`, `facts`, `events`) are validated but not generated by this release; remove them to use the auto schema (dim_date, dim_<unit>, fct_<unit>)".to_owned(),
        ));
    }
    let c = &plan.config;
    let blocks = [
        ("bridges", !c.bridges.is_empty()),
        ("quality", !c.quality.is_empty()),
        ("holdout", c.holdout.is_some()),
        ("entity_features", c.entity_features.is_some()),
        ("sources", !c.sources.is_empty()),
    ];
    let output = [
        (
            "output.sql_dialect: mysql",
            c.output.sql_dialect == plotsim_config::SqlDialect::Mysql,
        ),
        ("output.partition_by", c.output.partition_by.is_some()),
        ("output.denormalized", c.output.denormalized),
    ];
    if let Some((name, _)) = output.iter().find(|(_, set)| *set) {
        return Err(Error::Unsupported(format!(
            "`{name}` is validated but not written by this release; remove it to run"
        )));
    }
    if let Some((name, _)) = blocks.iter().find(|(_, set)| *set) {
        return Err(Error::Unsupported(format!(
            "`{name}` is validated but not generated by this release; remove it to run"
        )));
    }
    Ok(())
}

/// Shared state of one run.
struct Job<'a> {
    plan: &'a Plan,
    prepared: &'a Prepared,
    seed: u64,
    unit: UnitDim,
    samples: TrajectorySample,
}

/// One batch's output.
struct Batch {
    tables: Vec<Table>,
    truths: Vec<EntityTruth>,
}

impl Job<'_> {
    fn batch(&self, range: std::ops::Range<u64>) -> Batch {
        let entities: Vec<Entity> = range
            .map(|o| self.prepared.entities.get(self.plan, self.seed, o))
            .collect();
        let (panels, truths): (Vec<_>, Vec<_>) = entities
            .iter()
            .map(|e| {
                let mut counter =
                    Counter(vec![MetricCounts::default(); self.prepared.ctx.n_metrics()]);
                let panel = generate_entity(
                    &self.prepared.ctx,
                    &self.prepared.factors,
                    e,
                    Draws::Run,
                    &mut counter,
                );
                let truth = entity_truth(
                    self.plan,
                    self.prepared,
                    &self.samples,
                    &self.unit.prefix,
                    &panel,
                    counter.0,
                );
                (panel, truth)
            })
            .unzip();
        let mut tables = vec![unit_dim_rows(self.plan, self.seed, &self.unit, &entities)];
        tables.extend(fact_rows(self.plan, &panels, &self.unit.prefix));
        Batch { tables, truths }
    }

    /// Generates every batch, in waves of parallel batches, calling `sink`
    /// in entity order.
    fn drive(&self, batch_size: usize, mut sink: impl FnMut(Batch) -> Result<()>) -> Result<()> {
        let total = self.prepared.entities.len();
        let b = batch_size.max(1) as u64;
        let n_batches = total.div_ceil(b);
        let wave = (rayon::current_num_threads() * 2).max(1) as u64;
        let mut start = 0;
        while start < n_batches {
            let end = (start + wave).min(n_batches);
            let out: Vec<Batch> = (start..end)
                .into_par_iter()
                .map(|i| self.batch(i * b..((i + 1) * b).min(total)))
                .collect();
            for batch in out {
                sink(batch)?;
            }
            start = end;
        }
        Ok(())
    }
}

fn with_threads<T: Send>(threads: Option<usize>, f: impl FnOnce() -> T + Send) -> T {
    match threads.and_then(|n| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok()) {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// The plan's per-unit dimension (every generated plan has one).
pub(crate) fn unit_dim(plan: &Plan) -> Result<UnitDim> {
    UnitDim::new(plan)
        .ok_or_else(|| Error::Unsupported("a schema without a per-unit dimension".into()))
}

fn new_job<'a>(plan: &'a Plan, prepared: &'a Prepared, seed: u64) -> Result<Job<'a>> {
    let unit = unit_dim(plan)?;
    Ok(Job {
        plan,
        prepared,
        seed,
        unit,
        samples: TrajectorySample::new(plan, prepared.entities.len()),
    })
}

/// The config as run: seed filled in, and the format actually written.
fn config_as_run(plan: &Plan, seed: u64, format: OutputFormat) -> Config {
    let mut c = plan.config.clone();
    c.seed = Some(seed);
    c.output.format = format;
    c
}

/// Generates the whole dataset in memory, with the config's seed (a fresh one
/// if it has none).
///
/// # Example
/// ```
/// let plan = plotsim::templates::get("quickstart").unwrap().config()?.validate()?;
/// let data = plotsim::generate(&plan)?;
/// assert_eq!(data.table("dim_customer").unwrap().rows(), 100);
/// assert_eq!(data.manifest()["seed"], 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn generate(plan: &Plan) -> Result<Dataset> {
    generate_with(plan, None, DEFAULT_BATCH_SIZE)
}

/// [`generate`] with a seed override and batch size.
pub fn generate_with(plan: &Plan, seed: Option<u64>, batch_size: usize) -> Result<Dataset> {
    supported(plan)?;
    let seed = resolve_seed(plan, seed);
    let prepared = prepare_engine(plan, seed);
    let job = new_job(plan, &prepared, seed)?;
    let mut tables: Vec<Table> = vec![dim_date(&plan.window)];
    let mut assignments = Vec::new();
    let mut samples = Vec::new();
    let mut acc = Accumulators::new(&prepared);
    let mut started = false;
    job.drive(batch_size, |batch| {
        if !started {
            tables.extend(batch.tables.iter().map(Table::empty_like));
            started = true;
        }
        for (t, b) in tables[1..].iter_mut().zip(batch.tables) {
            t.append(b);
        }
        for t in batch.truths {
            acc.fold(&t);
            assignments.push(t.assignment);
            samples.extend(t.samples);
        }
        Ok(())
    })?;
    let config = config_as_run(plan, seed, plan.config.output.format);
    let mut m = manifest_fixed(plan, &config, &prepared, &acc, seed);
    m.insert("archetype_assignments".into(), Value::Array(assignments));
    m.insert("trajectory_samples".into(), Value::Array(samples));
    Ok(Dataset {
        tables,
        manifest: Value::Object(m),
        config,
        seed,
    })
}

/// A streamed JSON array (one pretty element per entry) in a scratch file.
struct Streamed {
    path: PathBuf,
    out: BufWriter<std::fs::File>,
    count: u64,
}

impl Streamed {
    fn create(path: PathBuf) -> Result<Self> {
        let f = std::fs::File::create(&path).map_err(io_err(&path))?;
        Ok(Streamed {
            out: BufWriter::new(f),
            path,
            count: 0,
        })
    }

    fn push(&mut self, v: &Value) -> Result<()> {
        let sep = if self.count == 0 { "" } else { ",\n" };
        self.count += 1;
        write!(self.out, "{sep}{}", array_element(v)).map_err(io_err(&self.path))
    }
}

/// Streams the dataset to disk: CSV tables, `config.yaml` and `manifest.json`
/// in a staging directory swapped into place at the end.
///
/// # Example
/// ```
/// let plan = plotsim::templates::get("quickstart").unwrap().config()?.validate()?;
/// let dir = tempfile::tempdir()?;
/// let out = dir.path().join("data");
/// let summary = plotsim::run(&plan, &plotsim::RunOptions::new(&out, &plan))?;
/// assert!(out.join("fct_customer.csv").exists());
/// assert_eq!(summary.seed, 42);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run(plan: &Plan, opts: &RunOptions) -> Result<RunSummary> {
    run_with_progress(plan, opts, &mut |_, _| {})
}

/// [`run`] reporting (entities done, entities total) after every batch.
pub fn run_with_progress(
    plan: &Plan,
    opts: &RunOptions,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<RunSummary> {
    supported(plan)?;
    let cells = plan.cells();
    if opts.cell_budget.exceeded_by(cells) && !opts.allow_large_dataset {
        return Err(Error::OverBudget {
            cells,
            budget: opts.cell_budget.limit,
        });
    }
    let seed = resolve_seed(plan, opts.seed);
    let staging = Staging::new(&opts.output_dir, opts.force)?;
    let dir = staging.path().to_path_buf();
    let (tables, acc, prepared, assignments, samples) =
        with_threads(opts.threads, || -> Result<_> {
            let prepared = prepare_engine(plan, seed);
            let job = new_job(plan, &prepared, seed)?;
            let mut files = DatasetWriter::new(
                &dir,
                opts.format,
                plan.config.output.sql_dialect,
                &plan.tables,
            );
            files.append(&dim_date(&plan.window))?;
            let mut assignments = Streamed::create(dir.join(".assignments.tmp"))?;
            let mut samples = Streamed::create(dir.join(".samples.tmp"))?;
            let mut acc = Accumulators::new(&prepared);
            let total = prepared.entities.len();
            let mut done = 0u64;
            job.drive(opts.batch_size, |batch| {
                for t in &batch.tables {
                    files.append(t)?;
                }
                for t in &batch.truths {
                    acc.fold(t);
                    assignments.push(&t.assignment)?;
                    for s in &t.samples {
                        samples.push(s)?;
                    }
                }
                done += batch.truths.len() as u64;
                progress(done, total);
                Ok(())
            })?;
            Ok((files.finish()?, acc, prepared, assignments, samples))
        })?;
    let config = config_as_run(plan, seed, opts.format);
    let yaml_path = dir.join("config.yaml");
    std::fs::write(&yaml_path, config.to_yaml()).map_err(io_err(&yaml_path))?;
    if config.manifest.include {
        write_manifest(
            &dir,
            manifest_fixed(plan, &config, &prepared, &acc, seed),
            assignments,
            samples,
        )?;
    } else {
        for st in [assignments, samples] {
            drop(st.out);
            std::fs::remove_file(&st.path).map_err(io_err(&st.path))?;
        }
    }
    let dir = staging.commit()?;
    Ok(RunSummary {
        dir,
        seed,
        tables,
        cells,
        warnings: run_warnings(plan, &prepared),
    })
}

/// Writes `manifest.json` (sorted keys, 2-space indent) with the streamed
/// arrays copied in from their scratch files.
fn write_manifest(
    dir: &Path,
    fixed: serde_json::Map<String, Value>,
    a: Streamed,
    s: Streamed,
) -> Result<()> {
    let path = dir.join("manifest.json");
    let f = std::fs::File::create(&path).map_err(io_err(&path))?;
    let mut out = BufWriter::new(f);
    let mut keys: Vec<(String, Option<Value>, Option<Streamed>)> =
        fixed.into_iter().map(|(k, v)| (k, Some(v), None)).collect();
    keys.push(("archetype_assignments".into(), None, Some(a)));
    keys.push(("trajectory_samples".into(), None, Some(s)));
    keys.sort_by(|x, y| x.0.cmp(&y.0));
    let mut text = String::from("{\n");
    out.write_all(text.as_bytes()).map_err(io_err(&path))?;
    let last = keys.len().saturating_sub(1);
    for (i, (k, v, streamed)) in keys.into_iter().enumerate() {
        text.clear();
        text.push_str(&format!(
            "  {}: ",
            serde_json::to_string(&k).unwrap_or_default()
        ));
        out.write_all(text.as_bytes()).map_err(io_err(&path))?;
        if let Some(v) = v {
            let pretty = serde_json::to_string_pretty(&v).unwrap_or_default();
            let body = pretty
                .lines()
                .enumerate()
                .map(|(j, l)| {
                    if j == 0 {
                        l.to_owned()
                    } else {
                        format!("  {l}")
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            out.write_all(body.as_bytes()).map_err(io_err(&path))?;
        } else if let Some(mut st) = streamed {
            st.out.flush().map_err(io_err(&st.path))?;
            drop(st.out);
            if st.count == 0 {
                out.write_all(b"[]").map_err(io_err(&path))?;
            } else {
                out.write_all(b"[\n").map_err(io_err(&path))?;
                let mut f = std::fs::File::open(&st.path).map_err(io_err(&st.path))?;
                std::io::copy(&mut f, &mut out).map_err(io_err(&path))?;
                out.write_all(b"\n  ]").map_err(io_err(&path))?;
            }
            std::fs::remove_file(&st.path).map_err(io_err(&st.path))?;
        }
        out.write_all(if i == last { b"\n" } else { b",\n" })
            .map_err(io_err(&path))?;
    }
    out.write_all(b"}\n").map_err(io_err(&path))?;
    out.flush().map_err(io_err(&path))
}
