//! Sinks: where the ordered blocks go. [`run`] writes files (the
//! [`FileSink`]), [`generate`] keeps everything in memory (the
//! [`MemorySink`], giving a [`Dataset`]); [`crate::Rows`] pulls the same
//! blocks as typed rows.

use std::sync::Arc;

use serde_json::Value;

use super::options::run_warnings;
use super::resolve_seed;
use super::{
    DEFAULT_BATCH_SIZE, Dataset, Job, Ordered, Placer, Pool, Produced, QUALITY, Records, Rendered,
    RunOptions, RunSummary, STREAMED,
};
use crate::error::Result;
use crate::report::Checks;
use crate::tables::Table;
use crate::truth::{AnswerKey, fixed_sections, manifest_fixed};
use crate::write::dir::Staging;
use crate::write::encode::Encoder;
use crate::write::files::DatasetFiles;
use crate::write::manifest::{Section, StreamedArray};
use crate::write::{self, io_err};
use plotsim_config::{Config, OutputFormat, Plan};

/// Receives the blocks of a run in entity order.
pub(crate) trait Sink {
    /// One block.
    fn block(&mut self, p: Produced) -> Result<()>;
}

/// The ordered blocks of a job, each made by `produce` on `pool`.
fn blocks(
    job: &Arc<Job>,
    pool: &Pool,
    keep_rows: bool,
    encoder: Option<Arc<Encoder>>,
) -> Ordered<Result<Produced>> {
    let j = job.clone();
    Ordered::new(
        pool.clone(),
        job.n_blocks(),
        Arc::new(move |b| j.produce(b, keep_rows, encoder.as_deref())),
    )
}

/// Feeds every block of `job` to `sink`, in order.
fn drive(
    job: &Arc<Job>,
    pool: &Pool,
    keep_rows: bool,
    encoder: Option<Arc<Encoder>>,
    sink: &mut impl Sink,
) -> Result<()> {
    for p in blocks(job, pool, keep_rows, encoder) {
        sink.block(p?)?;
    }
    Ok(())
}

/// The config as run: seed filled in, and the format actually written.
pub(crate) fn config_as_run(plan: &Plan, seed: u64, format: OutputFormat) -> Config {
    let mut c = plan.source_config().clone();
    c.seed = Some(seed);
    c.output.format = format;
    c
}

/// Keeps every block in memory.
struct MemorySink {
    tables: Vec<Table>,
    block_rows: Vec<Vec<u64>>,
    key: Option<AnswerKey>,
    /// The streamed arrays' entries.
    arrays: Vec<Vec<Value>>,
    placer: Placer,
}

impl Sink for MemorySink {
    fn block(&mut self, p: Produced) -> Result<()> {
        let mut counts = vec![0; self.tables.len()];
        for b in p.rows.iter().flat_map(|r| &r.rows) {
            counts[b.table] = b.rows() as u64;
            self.tables[b.table].append(b);
        }
        self.block_rows.push(counts);
        match &mut self.key {
            None => self.key = Some(p.key),
            Some(k) => k.merge(&p.key),
        }
        match p.records {
            Records::Values(values) => {
                for (a, v) in self.arrays.iter_mut().zip(values) {
                    a.extend(v);
                }
            }
            // Blocks for memory are made with their values.
            Records::Rendered(_) => {}
        }
        let injections = self.placer.place(p.quality);
        self.arrays[QUALITY].extend(injections);
        Ok(())
    }
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

/// [`generate`] with a seed override and batch size (the output does not
/// depend on the batch size).
pub fn generate_with(plan: &Plan, seed: Option<u64>, batch_size: usize) -> Result<Dataset> {
    let seed = resolve_seed(plan, seed);
    let pool = Pool::Global;
    let job = Arc::new(Job::new(plan, seed, batch_size, &pool)?);
    let mut sink = MemorySink {
        tables: job
            .schema
            .tables()
            .iter()
            .map(|t| Table::empty(t, None))
            .collect(),
        block_rows: Vec::new(),
        key: None,
        arrays: vec![Vec::new(); STREAMED.len()],
        placer: Placer::default(),
    };
    drive(&job, &pool, true, None, &mut sink)?;
    let config = config_as_run(plan, seed, plan.settings.output.format);
    let key = sink.key.unwrap_or_else(|| AnswerKey::new(&job.prepared));
    let mut m = fixed_sections(&manifest_fixed(plan, &config, &job.prepared, &key, seed));
    for (name, values) in STREAMED.iter().zip(sink.arrays) {
        m.insert((*name).into(), Value::Array(values));
    }
    Ok(Dataset::new(
        sink.tables,
        sink.block_rows,
        Value::Object(m),
        config,
        plan.settings.output.sql_dialect,
        seed,
        job.out.clone(),
    ))
}

/// Appends every block to the dataset's files and streams the manifest's
/// per-entity arrays.
struct FileSink<'p> {
    files: DatasetFiles,
    key: Option<AnswerKey>,
    /// The streamed arrays, spooled to scratch files.
    arrays: Vec<StreamedArray>,
    placer: Placer,
    /// The validation report's fold, when asked for.
    checks: Option<Checks>,
    logs: crate::write::log::LogFiles,
    schema: Arc<crate::tables::Schema>,
    done: u64,
    total: u64,
    progress: &'p mut (dyn FnMut(u64, u64) + Send),
}

impl Sink for FileSink<'_> {
    fn block(&mut self, p: Produced) -> Result<()> {
        for e in p.encoded {
            self.files.append(e)?;
        }
        match &mut self.key {
            None => self.key = Some(p.key),
            Some(k) => k.merge(&p.key),
        }
        for (a, r) in self.arrays.iter_mut().zip(p.records.rendered()) {
            a.push_rendered(&r.text, r.count)?;
        }
        let injections = Rendered::new(&self.placer.place(p.quality));
        self.arrays[QUALITY].push_rendered(&injections.text, injections.count)?;
        for (table, bytes) in &p.logs {
            self.logs.append(*table, bytes)?;
        }
        if let (Some(c), Some(b)) = (&mut self.checks, p.checks) {
            c.fold(&self.schema, b);
        }
        self.done += p.entities;
        (self.progress)(self.done, self.total);
        Ok(())
    }
}

/// Streams the dataset to disk: every table, `config.yaml` and
/// `manifest.json` in a staging directory swapped into place at the end.
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

/// [`run`] reporting (entities done, entities total) after every block.
pub fn run_with_progress(
    plan: &Plan,
    opts: &RunOptions,
    progress: &mut (dyn FnMut(u64, u64) + Send),
) -> Result<RunSummary> {
    super::supported(plan)?;
    opts.check_budget(plan)?;
    let seed = resolve_seed(plan, opts.seed);
    let staging = Staging::new(&opts.output_dir, opts.force)?;
    let dir = staging.path().to_path_buf();
    let pool = Pool::new(opts.threads);
    let mut job = Job::new(plan, seed, opts.batch_size, &pool)?;
    job.validate = opts.validate || opts.strict;
    let job = Arc::new(job);
    let dialect = plan.settings.output.sql_dialect;
    let encoder = Arc::new(Encoder::new(job.out.written.clone(), opts.format, dialect)?);
    let mut sink = FileSink {
        files: DatasetFiles::create(&dir, &encoder)?,
        placer: Placer::default(),
        checks: job.validate.then(Checks::default),
        logs: crate::write::log::LogFiles::create(&dir, &job.out.logs)?,
        schema: job.schema.clone(),
        key: None,
        arrays: STREAMED
            .iter()
            .map(|name| StreamedArray::create(dir.join(format!(".{name}.tmp"))))
            .collect::<Result<_, _>>()?,
        done: 0,
        total: job.prepared.entities.len(),
        progress,
    };
    drive(&job, &pool, false, Some(encoder), &mut sink)?;
    let FileSink {
        files,
        key,
        arrays,
        checks,
        logs,
        ..
    } = sink;
    logs.finish()?;
    let config = config_as_run(plan, seed, opts.format);
    let report = checks.map(|c| c.finish(plan, &job.schema, job.prepared.projection_converged));
    if let Some(r) = report.as_ref().filter(|r| opts.strict && !r.ok) {
        // The staging directory is removed when dropped.
        return Err(crate::Error::Strict(Box::new(r.clone())));
    }
    let tables = files.finish()?;
    if let Some(r) = &report {
        let stamp = format!(
            "deterministic (config-sha256[:16]={})",
            &crate::truth::config_sha256(&config)[..16]
        );
        let txt = dir.join("validation_report.txt");
        std::fs::write(&txt, r.to_text(&stamp)).map_err(io_err(&txt))?;
        let json = dir.join("validation.json");
        let text = serde_json::to_string_pretty(r).unwrap_or_default() + "\n";
        std::fs::write(&json, text).map_err(io_err(&json))?;
    }
    let yaml_path = dir.join("config.yaml");
    std::fs::write(&yaml_path, config.to_yaml()).map_err(io_err(&yaml_path))?;
    if config.manifest.include {
        let key = key.unwrap_or_else(|| AnswerKey::new(&job.prepared));
        let fixed = fixed_sections(&manifest_fixed(plan, &config, &job.prepared, &key, seed));
        let mut sections: Vec<(String, Section<'_>)> = fixed
            .iter()
            .map(|(k, v)| (k.clone(), Section::Value(v)))
            .collect();
        for (name, a) in STREAMED.iter().zip(arrays) {
            sections.push(((*name).into(), Section::Streamed(a)));
        }
        write::manifest::write(&dir.join("manifest.json"), sections)?;
    } else {
        for a in arrays {
            a.discard()?;
        }
    }
    let dir = staging.commit()?;
    Ok(RunSummary {
        dir,
        seed,
        tables,
        cells: plan.cells(),
        warnings: run_warnings(plan, &job.prepared),
        report,
    })
}
