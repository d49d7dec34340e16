//! The one driver: the only module that knows every stage.
//!
//! A run is cut into fixed **entity blocks** ([`block_entities`]: a pure
//! function of the plan, never of the batch size or thread count). Each
//! block is the unit of parallel work: the engine generates its entities,
//! the table builders turn them into rows, truth folds them into the
//! block's [`AnswerKey`] partial and, for files, the encoders encode them —
//! all on a worker. The blocks then come out in entity order (a bounded, ordered stream)
//! to a sink: files ([`run`]), memory ([`generate`], a [`Dataset`]) or typed
//! rows ([`crate::Rows`]). Every boundary inside an output file (SQL
//! statements, Parquet row groups) falls on a block edge, so neither threads
//! nor batch size can change a byte.

mod dataset;
mod options;
mod ordered;
mod sink;

use std::ops::Range;
use std::sync::Arc;

pub use dataset::Dataset;
pub(crate) use options::supported;
pub use options::{DEFAULT_BATCH_SIZE, RunOptions, RunSummary, resolve_seed};
pub(crate) use ordered::{Ordered, Pool};
pub use sink::{generate, generate_with, run, run_with_progress};

use serde_json::Value;

use crate::engine::panel::{Draws, EntityPanel, NoTrace, generate_entity};
use crate::engine::prepare::{Prepared, prepare as prepare_engine};
use crate::error::Result;
use crate::keys::KeyFormat;
use crate::report::{BlockChecks, block_checks};
use crate::tables::quality::{BlockInjections, Quality};
use crate::tables::{BatchRows, Schema, build_batch};
use crate::truth::{AnswerKey, TrajectorySample, entity_records};
use crate::write::encode::{Encoded, Encoder};
use crate::write::log::LogTemplate;
use crate::write::manifest::push_array_elements;
use plotsim_config::Plan;

/// Entity-period cells per entity block (about; see [`block_entities`]).
pub const BLOCK_CELLS: u64 = 32_768;

/// Entities per block for a window of `n_periods`: `max(1, BLOCK_CELLS /
/// n_periods)`. Blocks are the unit of parallel work and the edges of every
/// file structure (SQL statements, Parquet row groups).
pub fn block_entities(n_periods: u32) -> u64 {
    (BLOCK_CELLS / u64::from(n_periods.max(1))).max(1)
}

/// One block's output, handed to a sink in block order.
pub(crate) struct Produced {
    /// Entities in the block.
    pub(crate) entities: u64,
    /// The rows, when the sink keeps them.
    pub(crate) rows: Option<BatchRows>,
    /// The encoded rows, when the sink writes files.
    pub(crate) encoded: Vec<Encoded>,
    /// The block's answer-key partial.
    pub(crate) key: AnswerKey,
    /// The block's entries of the manifest's per-entity arrays.
    pub(crate) records: Records,
    /// The block's quality injections, per injected table (rows relative to
    /// the block).
    pub(crate) quality: Vec<BlockInjections>,
    /// The block's reductions for the validation report, when asked for.
    pub(crate) checks: Option<BlockChecks>,
    /// The block's event-log lines, per logged table (files only).
    pub(crate) logs: Vec<(crate::tables::TableId, Vec<u8>)>,
}

/// The manifest's streamed arrays, in the order [`Records`] holds them:
/// per-entity (and per-firing) entries made block by block.
pub(crate) const STREAMED: [&str; 6] = [
    "archetype_assignments",
    "trajectory_samples",
    "event_firings",
    "scd_events",
    "quality_injections",
    "bridge_associations",
];

/// Index of `quality_injections` in [`STREAMED`] (placed by the sinks, which
/// know the rows written before each block).
pub(crate) const QUALITY: usize = 4;

/// A block's entries of the [`STREAMED`] arrays: as values for a dataset in
/// memory, or already rendered (on the worker) for a manifest being streamed
/// to a file.
pub(crate) enum Records {
    /// The entries as JSON values, one list per streamed array.
    Values(Vec<Vec<Value>>),
    /// The entries as manifest text, with their counts.
    Rendered(Vec<Rendered>),
}

/// Array elements rendered as `manifest.json` holds them, joined by `,\n`.
pub(crate) struct Rendered {
    pub(crate) text: String,
    pub(crate) count: u64,
}

impl Records {
    /// The entries as manifest text (rendering them if they are values).
    pub(crate) fn rendered(self) -> Vec<Rendered> {
        match self {
            Records::Rendered(r) => r,
            Records::Values(v) => v.iter().map(|a| Rendered::new(a)).collect(),
        }
    }
}

impl Rendered {
    fn new<T: serde::Serialize>(values: &[T]) -> Self {
        let mut text = String::new();
        push_array_elements(&mut text, values);
        Rendered {
            text,
            count: values.len() as u64,
        }
    }
}

/// Places blocks' quality injections in their files: the clean and written
/// rows of every table before the next block.
#[derive(Debug, Default)]
pub(crate) struct Placer {
    clean: Vec<u64>,
    written: Vec<u64>,
}

impl Placer {
    /// The block's injections with file-wide rows, as manifest values.
    pub(crate) fn place(&mut self, blocks: Vec<BlockInjections>) -> Vec<Value> {
        let mut out = Vec::new();
        for b in blocks {
            if self.clean.len() <= b.table {
                self.clean.resize(b.table + 1, 0);
                self.written.resize(b.table + 1, 0);
            }
            let (c, w) = (self.clean[b.table], self.written[b.table]);
            self.clean[b.table] += b.clean_rows;
            self.written[b.table] += b.written_rows;
            out.extend(b.placed(c, w).iter().map(to_value));
        }
        out
    }
}

/// What turns a clean batch into what the files receive: the schema of the
/// written files, the quality issues injected into them and the event logs.
/// One value serves [`run`] (block by block) and [`Dataset::write`]
/// (replaying the blocks), so both write the same bytes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WrittenCopy {
    /// The clean schema (the tables in memory).
    pub(crate) clean: Arc<Schema>,
    /// The schema of the written files (the clean one without quality issues).
    pub(crate) written: Arc<Schema>,
    quality: Option<Quality>,
    /// The event logs.
    pub(crate) logs: Vec<LogTemplate>,
}

/// One clean batch as the files receive it.
pub(crate) struct WrittenBatch {
    /// The injected copy (`None`: the clean batch is written).
    pub(crate) rows: Option<crate::tables::RowBatch>,
    /// The injections, for a table with quality issues.
    pub(crate) injections: Option<BlockInjections>,
    /// The event-log lines, for a logged table.
    pub(crate) log: Option<Vec<u8>>,
}

impl WrittenCopy {
    fn new(plan: &Plan, seed: u64, clean: Arc<Schema>) -> Self {
        let quality = Quality::new(plan, seed, &clean);
        let written = match &quality {
            Some(q) => Arc::new(q.written_schema(&clean)),
            None => clean.clone(),
        };
        WrittenCopy {
            logs: LogTemplate::all(plan, &clean),
            clean,
            written,
            quality,
        }
    }

    /// Clean batch `batch` of entity block `block`, as written (the log
    /// lines only when `log`: a dataset kept in memory writes none).
    pub(crate) fn of(
        &self,
        block: u64,
        batch: &crate::tables::RowBatch,
        log: bool,
    ) -> WrittenBatch {
        let t = batch.table;
        let (rows, injections) = match self
            .quality
            .as_ref()
            .and_then(|q| q.inject(self.clean.table(t), self.written.table(t), block, batch))
        {
            Some((w, notes)) => (Some(w), Some(notes)),
            None => (None, None),
        };
        let logged = self.logs.iter().find(|l| log && l.table == t);
        let log = logged.map(|tpl| {
            let mut out = Vec::new();
            tpl.render(batch, &mut out);
            out
        });
        WrittenBatch {
            rows,
            injections,
            log,
        }
    }
}

/// A manifest record as a JSON value.
fn to_value<T: serde::Serialize>(record: &T) -> Value {
    serde_json::to_value(record).unwrap_or(Value::Null)
}

/// Raises glibc malloc's dynamic thresholds once per process, so the
/// megabytes an entity block allocates and frees (panels, columns, Arrow
/// arrays, text) stay mapped for the next block. Left alone, glibc handed
/// them back to the kernel block after block and faulted them in again:
/// 460-470k minor faults and a fifth to a quarter of a 100M-value run's
/// time (about 7k faults with this).
///
/// glibc adjusts both thresholds when a buffer it had mapped on its own is
/// freed: the mmap threshold becomes that buffer's size and the trim
/// threshold twice that (mallopt(3), `M_MMAP_THRESHOLD`), unless the program
/// set them itself. One untouched 16 MiB buffer, allocated and freed, does
/// it at the cost of a map and an unmap (no page is touched). Under any
/// other allocator it is only that allocation.
fn keep_blocks_mapped() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| drop(std::hint::black_box(Vec::<u8>::with_capacity(16 << 20))));
}

/// What a run shares with every block.
pub(crate) struct Job {
    pub(crate) plan: Plan,
    pub(crate) prepared: Prepared,
    pub(crate) schema: Arc<Schema>,
    /// How the files receive the rows.
    pub(crate) out: Arc<WrittenCopy>,
    pub(crate) seed: u64,
    /// Keys of the unit dimension.
    pub(crate) keys: KeyFormat,
    samples: TrajectorySample,
    /// Whether blocks reduce their rows for the validation report.
    pub(crate) validate: bool,
    block: u64,
    batch_size: u64,
}

impl Job {
    /// Checks the plan, builds the schema, and runs the once-per-run set-up
    /// (inside `pool`, so calibration uses the run's threads).
    pub(crate) fn new(plan: &Plan, seed: u64, batch_size: usize, pool: &Pool) -> Result<Job> {
        supported(plan)?;
        keep_blocks_mapped();
        let schema = Arc::new(Schema::new(plan)?);
        let keys = schema
            .unit_dim()
            .and_then(|t| t.keys.clone())
            .ok_or_else(|| {
                crate::GenerateError::Unsupported("a schema without a per-unit dimension".into())
            })?;
        let prepared = pool.install(|| prepare_engine(plan, seed));
        Ok(Job {
            out: Arc::new(WrittenCopy::new(plan, seed, schema.clone())),
            validate: false,
            samples: TrajectorySample::new(plan, prepared.entities.len()),
            plan: plan.clone(),
            prepared,
            schema,
            seed,
            keys,
            block: block_entities(plan.window.n_periods),
            batch_size: batch_size.max(1) as u64,
        })
    }

    /// Number of entity blocks.
    pub(crate) fn n_blocks(&self) -> u64 {
        self.prepared.entities.len().div_ceil(self.block)
    }

    /// The entity ordinals of block `b`.
    pub(crate) fn block_range(&self, b: u64) -> Range<u64> {
        let total = self.prepared.entities.len();
        (b * self.block).min(total)..((b + 1) * self.block).min(total)
    }

    /// The panel of entity `ordinal` (with its cell counts).
    pub(crate) fn panel(&self, ordinal: u64) -> EntityPanel {
        let p = &self.prepared;
        let entity = p.entities.get(&self.plan, self.seed, ordinal);
        generate_entity(&p.ctx, &p.factors, &entity, Draws::Run, &mut NoTrace)
    }

    /// Everything of block `b`: generated in chunks of the batch size (the
    /// output does not depend on it), rows kept and/or encoded.
    pub(crate) fn produce(
        &self,
        b: u64,
        keep_rows: bool,
        encoder: Option<&Encoder>,
    ) -> Result<Produced> {
        let range = self.block_range(b);
        let mut key = AnswerKey::new(&self.prepared);
        let mut assignments = Vec::with_capacity((range.end - range.start) as usize);
        let mut samples = Vec::new();
        let mut firings = Vec::new();
        let mut scd = Vec::new();
        let mut links = Vec::new();
        let mut rows: Option<BatchRows> = None;
        let mut checks = self.validate.then(BlockChecks::default);
        let want_rows = keep_rows || encoder.is_some() || self.validate;
        let mut start = range.start;
        while start < range.end {
            let end = (start + self.batch_size).min(range.end);
            let panels: Vec<EntityPanel> = (start..end)
                .map(|o| {
                    let panel = self.panel(o);
                    key.fold_entity(&self.prepared, &panel);
                    let (a, s) =
                        entity_records(&self.plan, &self.samples, &self.keys.key(o), &panel);
                    assignments.push(a);
                    samples.extend(s);
                    panel
                })
                .collect();
            if want_rows {
                let first = b == 0 && start == 0;
                let (chunk, notes) =
                    build_batch(&self.plan, self.seed, &self.schema, first, &panels);
                firings.extend(notes.firings);
                scd.extend(notes.scd);
                links.extend(notes.bridges);
                if let Some(c) = &mut checks {
                    c.append(block_checks(&self.plan, &self.schema, &chunk, &panels));
                }
                match &mut rows {
                    None => rows = Some(chunk),
                    Some(r) => r.append(&chunk),
                }
            }
            start = end;
        }
        let mut encoded = Vec::new();
        let mut quality = Vec::new();
        let mut logs = Vec::new();
        if let Some(r) = &rows {
            for batch in &r.rows {
                let w = self.out.of(b, batch, encoder.is_some());
                quality.extend(w.injections);
                if let Some(enc) = encoder {
                    logs.extend(w.log.map(|l| (batch.table, l)));
                    encoded.push(enc.encode(w.rows.as_ref().unwrap_or(batch))?);
                }
            }
        }
        // Rendered for a file, or kept as values for a dataset. The
        // per-entity entries (one or more per entity) are rendered straight
        // from their types, whose fields are declared in the manifest's
        // sorted key order (`typed_entries_render_as_sorted_values` checks
        // it); the sparse ones go through sorted values.
        fn values<T: serde::Serialize>(v: &[T]) -> Vec<Value> {
            v.iter().map(to_value).collect()
        }
        let records = if encoder.is_some() {
            Records::Rendered(vec![
                Rendered::new(&assignments),
                Rendered::new(&samples),
                Rendered::new(&values(&firings)),
                Rendered::new(&values(&scd)),
                Rendered::new::<Value>(&[]),
                Rendered::new(&values(&links)),
            ])
        } else {
            Records::Values(vec![
                values(&assignments),
                values(&samples),
                values(&firings),
                values(&scd),
                Vec::new(),
                values(&links),
            ])
        };
        Ok(Produced {
            entities: range.end - range.start,
            rows: if keep_rows { rows } else { None },
            encoded,
            key,
            records,
            quality,
            checks,
            logs,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::panel::EntityVariation;
    use crate::truth::{ActiveWindow, ArchetypeAssignment, TrajectoryPoint, TreatmentArm};

    #[test]
    fn typed_entries_render_as_sorted_values() {
        // Every optional part present, and absent: the typed rendering must
        // be the sorted-key rendering of the same entry, byte for byte.
        let full = ArchetypeAssignment {
            active_window: ActiveWindow { end: 24, start: 3 },
            archetype: "growers".into(),
            entity: "growers_0001".into(),
            entity_id: "C-0001".into(),
            treatment: Some(TreatmentArm {
                group: "treated".into(),
                lift_log_odds: Some(0.4),
                start_period: 6,
                target_metric: Some("mrr".into()),
            }),
            variation: Some(EntityVariation {
                amplitude: -0.1,
                blend_segment: Some(1),
                blend_weight: 0.25,
                blend_with: Some("steady".into()),
                level: 0.05,
                noise_scale: 1.2,
                timing_shift: -2,
            }),
        };
        let bare = ArchetypeAssignment {
            treatment: None,
            variation: None,
            ..full.clone()
        };
        let assignments = [full, bare];
        let points = [
            TrajectoryPoint {
                entity: "growers_0001".into(),
                entity_id: "C-0001".into(),
                period_index: 0,
                position: None,
            },
            TrajectoryPoint {
                entity: "growers_0001".into(),
                entity_id: "C-0001".into(),
                period_index: 3,
                position: Some(0.125),
            },
        ];
        let sorted = |v: &[Value]| Rendered::new(v).text;
        assert_eq!(
            Rendered::new(&assignments).text,
            sorted(&assignments.iter().map(to_value).collect::<Vec<_>>())
        );
        assert_eq!(
            Rendered::new(&points).text,
            sorted(&points.iter().map(to_value).collect::<Vec<_>>())
        );
    }
}
