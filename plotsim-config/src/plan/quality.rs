//! Resolved data-quality issues (injected into the written copy only).

use crate::model::{QualityIssueKind, VolumeMode};

/// One `quality` issue with its table and column resolved.
///
/// Issues apply in [`Plan::quality`](super::Plan::quality) order; the
/// position in that list is the issue's index in the manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct QualityPlan {
    /// What the issue does.
    pub kind: QualityIssueKind,
    /// Index into [`Plan::tables`](super::Plan::tables) of the target (a fact
    /// or event table).
    pub table: usize,
    /// Index into that table's `columns` of the target column (never a key or
    /// period column); `None` means every unprotected column, or whole rows.
    pub column: Option<usize>,
    /// Share of rows affected, in [0, 1].
    pub rate: f64,
    /// Offset added to the run seed for the issue's own stream (issues with
    /// equal offsets share draws).
    pub seed_offset: u64,
    /// The volume-anomaly settings (`Some` exactly for `volume_anomaly`).
    pub volume: Option<VolumePlan>,
}

/// Where and how a volume anomaly changes the row count.
#[derive(Debug, Clone, PartialEq)]
pub struct VolumePlan {
    /// Spike (copies appended) or drop (rows removed).
    pub mode: VolumeMode,
    /// Target period indices inside the window, as declared (`period` becomes
    /// a one-element list).
    pub periods: Vec<u32>,
}
