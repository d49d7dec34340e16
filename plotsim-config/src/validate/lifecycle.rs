//! Rules for `lifecycle`: the tracked metric, stage names and thresholds,
//! and the downgrade delay.

use super::{Ctx, check_range, check_unique, root};
use crate::error::ValidationError;
use crate::model::MetricType;
use crate::plan::{Grain, LifecyclePlan, StagePlan, TableKind, TablePlan};

/// Checks the lifecycle; `None` when it has errors, `Some(None)` when it is
/// absent. The stage table is filled in by [`stage_table`] once the tables
/// are planned.
pub(super) fn check_lifecycle(cx: &mut Ctx<'_>) -> Option<Option<LifecyclePlan>> {
    let Some(l) = &cx.config.lifecycle else {
        return Some(None);
    };
    let before = cx.errors.len();
    let path = root().key("lifecycle");
    if !cx.has_metric(&l.track) {
        cx.unknown_metric(path.key("track"), &l.track);
    } else if let Some(m) = cx.config.metrics.iter().find(|m| m.name == l.track)
        && (m.range.is_some_and(|[_, hi]| hi > 1.0) || m.r#type == MetricType::Count)
    {
        cx.warnings.push(format!(
                "lifecycle tracks `{}`, whose values exceed 1, against thresholds in [0, 1]; most periods will sit in the top stage",
                l.track
            ));
    }
    if l.stages.len() < 2 || l.stages.len() > 10 {
        cx.push(
            ValidationError::new(path.key("stages"), "a lifecycle needs 2 to 10 stages")
                .found(l.stages.len())
                .expected("2-10 stages"),
        );
    }
    check_unique(
        cx,
        "stage name",
        l.stages
            .iter()
            .enumerate()
            .map(|(i, s)| (path.key("stages").index(i), s.name.as_str())),
    );
    let mut prev: Option<f64> = None;
    for (i, s) in l.stages.iter().enumerate() {
        let sp = path.key("stages").index(i);
        check_range(cx, sp.clone(), s.threshold, 0.0, 1.0);
        if let Some(p) = prev.filter(|&p| s.threshold <= p) {
            cx.push(
                ValidationError::new(
                    sp,
                    format!(
                        "stage `{}` threshold is not above the previous stage's",
                        s.name
                    ),
                )
                .found(format!("{} after {p}", s.threshold))
                .expected("strictly ascending thresholds"),
            );
        }
        prev = Some(s.threshold);
    }
    if let Some(d) = l.downgrade_delay.filter(|d| !(1..=120).contains(d)) {
        cx.push(
            ValidationError::new(path.key("downgrade_delay"), "downgrade delay out of range")
                .found(d)
                .expected("1-120"),
        );
    }
    if cx.errors.len() != before {
        return None;
    }
    Some(Some(LifecyclePlan {
        track: cx.config.metrics.iter().position(|m| m.name == l.track)?,
        stages: l
            .stages
            .iter()
            .map(|s| StagePlan {
                name: s.name.clone(),
                threshold: s.threshold,
            })
            .collect(),
        enforce_order: l.enforce_order,
        downgrade_delay: l.downgrade_delay,
        stage_table: None,
    }))
}

/// The table that carries the stage column: the first per-entity-per-period
/// fact with a column named after the tracked metric.
pub(super) fn stage_table(tables: &[TablePlan], track: &str) -> Option<usize> {
    tables.iter().position(|t| {
        t.kind == TableKind::Fact
            && t.grain == Grain::PerEntityPerPeriod
            && t.columns.iter().any(|c| c.name == track)
    })
}
