//! Run options and summaries, seed resolution, the cell-budget gate and
//! what this release generates.

use std::path::PathBuf;

use crate::budget::CellBudget;
use crate::engine::prepare::Prepared;
use crate::error::{Error, GenerateError, Result};
use plotsim_config::{OutputFormat, Plan};

/// Default entities per generation chunk: as many as an entity block can
/// hold ([`crate::pipeline::BLOCK_CELLS`], a one-period window's block), so
/// a block is generated in one chunk and its rows are never appended chunk
/// to chunk. Smaller values bound the panels held at once; the output never
/// depends on it.
pub const DEFAULT_BATCH_SIZE: usize = super::BLOCK_CELLS as usize;

/// How [`crate::run`] writes a dataset.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Output directory (replaced atomically; see [`crate::write::dir`]).
    pub output_dir: PathBuf,
    /// Seed override (else the config's, else a fresh random one).
    pub seed: Option<u64>,
    /// Worker threads (default: all cores).
    pub threads: Option<usize>,
    /// Entities generated together within an entity block (bounds the
    /// panels held at once; the output does not depend on it).
    pub batch_size: usize,
    /// Replace an existing directory that is not a plotsim dataset.
    pub force: bool,
    /// The cell budget (resolve with [`CellBudget::resolve`]).
    pub cell_budget: CellBudget,
    /// Run even when the cells exceed the budget.
    pub allow_large_dataset: bool,
    /// File format (default: the config's `output.format`).
    pub format: OutputFormat,
    /// Run the post-generation checks and write `validation_report.txt`
    /// and `validation.json` (see [`crate::report`]).
    pub validate: bool,
    /// With errors in the report, fail with [`Error::Strict`] and leave no
    /// dataset (implies `validate`).
    pub strict: bool,
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
            cell_budget: CellBudget::resolve(plan.settings.output.cell_budget, None),
            allow_large_dataset: false,
            format: plan.settings.output.format,
            validate: false,
            strict: false,
        }
    }

    /// The budget gate.
    pub(crate) fn check_budget(&self, plan: &Plan) -> Result<()> {
        let cells = plan.cells();
        if self.cell_budget.exceeded_by(cells) && !self.allow_large_dataset {
            return Err(Error::OverBudget {
                cells,
                budget: self.cell_budget.limit,
            });
        }
        Ok(())
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
    /// The validation report, when asked for.
    pub report: Option<crate::report::ValidationReport>,
}

/// The plan's warnings plus the unreachable correlations of a run.
pub(crate) fn run_warnings(plan: &Plan, prepared: &Prepared) -> Vec<String> {
    let mut w = plan.warnings.clone();
    for p in prepared.pairs.iter().filter(|p| p.infeasible) {
        let phase = if p.slot == 0 {
            String::new()
        } else {
            format!(" in connection_phases[{}]", p.slot - 1)
        };
        let why = if p.pilot_realized.abs() > p.requested.abs() && p.calibrated == 0.0 {
            "the shared trajectory alone already gives more, and the latent correlation stops at 0 (it keeps the declared sign)"
        } else {
            "the shared trajectory and the marginals do not allow more"
        };
        let kind = match p.target {
            plotsim_config::CorrelationTarget::Pooled => "",
            plotsim_config::CorrelationTarget::WithinEntity => " (within-entity)",
        };
        w.push(format!(
            "connection {} ~ {}{phase}: requested {}{kind}, reached about {:.2} (pilot range {:.2} to {:.2}); {why} (manifest: correlation_compensations)",
            plan.metrics[p.a].name,
            plan.metrics[p.b].name,
            p.requested,
            p.pilot_realized,
            p.reachable.0,
            p.reachable.1
        ));
    }
    w
}

/// The seed of a run: the override, else the config's, else a fresh one
/// (from the OS-keyed hasher; recorded in `config.yaml` and the manifest).
pub fn resolve_seed(plan: &Plan, over: Option<u64>) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    over.or(plan.settings.seed).unwrap_or_else(|| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(u64::from(std::process::id()));
        h.finish()
    })
}

/// Refuses what this release validates but does not generate.
pub(crate) fn supported(plan: &Plan) -> Result<()> {
    let unsupported = |what: String| Err(Error::Generate(GenerateError::Unsupported(what)));
    let out = &plan.settings.output;
    let output = [
        (
            "output.sql_dialect: mysql",
            out.sql_dialect == plotsim_config::SqlDialect::Mysql,
        ),
        ("output.partition_by", out.partition_by.is_some()),
    ];
    if let Some((name, _)) = output.iter().find(|(_, set)| *set) {
        return unsupported(format!(
            "`{name}` is validated but not written by this release; remove it to run"
        ));
    }
    let blocks = [("sources", plan.sources.is_some())];
    if let Some((name, _)) = blocks.iter().find(|(_, set)| *set) {
        return unsupported(format!(
            "`{name}` is validated but not generated by this release; remove it to run"
        ));
    }
    Ok(())
}
