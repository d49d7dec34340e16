//! Rules for the machine-learning blocks: `holdout` and `entity_features`.

use super::{Ctx, root};
use crate::dsl::column_type::ColumnType;
use crate::error::ValidationError;
use crate::model::OutputFormat;
use crate::plan::{FeaturesPlan, Grain, HoldoutPlan, TableKind, TablePlan};

/// Whether a metric has a column on some fact.
fn on_a_fact(tables: &[TablePlan], metric: &str) -> bool {
    tables
        .iter()
        .filter(|t| t.kind == TableKind::Fact)
        .any(|t| {
            t.columns
                .iter()
                .any(|c| matches!(&c.ty, ColumnType::Metric(m) if m == metric))
        })
}

/// Checks the holdout; `None` when it has errors or the window did not
/// resolve, `Some(None)` when it is absent.
pub(super) fn check_holdout(
    cx: &mut Ctx<'_>,
    ts: &[TablePlan],
    n_periods: Option<u32>,
) -> Option<Option<HoldoutPlan>> {
    let Some(h) = &cx.config.holdout else {
        return Some(None);
    };
    let before = cx.errors.len();
    let p = root().key("holdout");
    if !cx.has_metric(&h.target) {
        cx.unknown_metric(p.key("target"), &h.target);
    } else if !on_a_fact(ts, &h.target) {
        cx.push(ValidationError::new(
            p.key("target"),
            format!("no fact table has a `{}` metric column", h.target),
        ));
    }
    if !(1..=10_000).contains(&h.periods) {
        cx.push(
            ValidationError::new(p.key("periods"), "holdout periods out of range")
                .found(h.periods)
                .expected("1-10000"),
        );
    }
    if h.min_training_periods < 1 {
        cx.push(
            ValidationError::new(
                p.key("min_training_periods"),
                "at least one training period is needed",
            )
            .found(0),
        );
    }
    if let Some(n) = n_periods
        && n < h.periods.saturating_add(h.min_training_periods)
    {
        cx.push(
            ValidationError::new(p.key("periods"), "too few training periods would remain")
                .found(format!(
                    "{} of {n} periods held out, {} left",
                    h.periods,
                    n.saturating_sub(h.periods)
                ))
                .expected(format!(
                    "at least {} training periods",
                    h.min_training_periods
                )),
        );
    }
    if !cx.config.quality.is_empty() {
        cx.push(
            ValidationError::new(
                p,
                "holdout cannot be combined with `quality` (the split must be clean)",
            )
            .expected("remove `quality` or `holdout`"),
        );
    }
    if cx.errors.len() != before {
        return None;
    }
    let tables = ts
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            t.kind == TableKind::Fact
                && t.grain == Grain::PerEntityPerPeriod
                && t.columns
                    .iter()
                    .any(|c| matches!(&c.ty, ColumnType::Ref(r) if r == "dim_date"))
        })
        .map(|(i, _)| i)
        .collect();
    Some(Some(HoldoutPlan {
        target: metric_index(cx, &h.target)?,
        periods: h.periods,
        min_training_periods: h.min_training_periods,
        cutoff: n_periods? - h.periods,
        tables,
    }))
}

fn metric_index(cx: &Ctx<'_>, name: &str) -> Option<usize> {
    cx.config.metrics.iter().position(|m| m.name == name)
}

/// Checks the entity features; `None` when they have errors, `Some(None)`
/// when they are absent.
pub(super) fn check_entity_features(
    cx: &mut Ctx<'_>,
    ts: &[TablePlan],
) -> Option<Option<FeaturesPlan>> {
    let Some(f) = &cx.config.entity_features else {
        return Some(None);
    };
    let before = cx.errors.len();
    let p = root().key("entity_features");
    if f.metrics.len() > 50 {
        cx.push(
            ValidationError::new(p.key("metrics"), "too many metrics")
                .found(f.metrics.len())
                .expected("at most 50"),
        );
    }
    for (i, m) in f.metrics.iter().enumerate() {
        if !cx.has_metric(m) {
            cx.unknown_metric(p.key("metrics").index(i), m);
        } else if !on_a_fact(ts, m) {
            cx.push(ValidationError::new(
                p.key("metrics").index(i),
                format!("no fact table has a `{m}` metric column"),
            ));
        }
    }
    if !cx.config.manifest.include {
        cx.push(
            ValidationError::new(
                p.clone(),
                "entity features are computed from the manifest, which is turned off",
            )
            .expected("`manifest: {include: true}`"),
        );
    }
    if !cx.config.quality.is_empty() {
        cx.push(
            ValidationError::new(
                p.clone(),
                "entity features cannot be combined with `quality`",
            )
            .expected("remove one of them"),
        );
    }
    if cx.config.output.format == OutputFormat::Sql {
        cx.push(
            ValidationError::new(p, "entity features are not written in the sql format")
                .expected("output format csv, parquet or jsonl"),
        );
    }
    if cx.errors.len() != before {
        return None;
    }
    let target = cx
        .config
        .holdout
        .as_ref()
        .and_then(|h| metric_index(cx, &h.target));
    let metrics = cx
        .config
        .metrics
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            (f.metrics.is_empty() || f.metrics.contains(&m.name))
                && on_a_fact(ts, &m.name)
                && Some(*i) != target
        })
        .map(|(i, _)| i)
        .collect();
    Some(Some(FeaturesPlan {
        metrics,
        include_labels: f.include_labels,
        anchor: ts
            .iter()
            .position(|t| t.kind == TableKind::Dimension && t.grain == Grain::PerEntity),
    }))
}

/// Checks the variation block; `None` when it has errors, `Some(None)` when
/// it is absent.
pub(super) fn check_variation(
    cx: &mut Ctx<'_>,
    n_periods: Option<u32>,
) -> Option<Option<crate::model::Variation>> {
    let Some(v) = cx.config.variation else {
        return Some(None);
    };
    let before = cx.errors.len();
    let p = root().key("variation");
    for (key, value, max) in [
        ("amplitude", v.amplitude, 1.0),
        ("blend", v.blend, 1.0),
        ("level", v.level, 1.0),
        ("noise", v.noise, 3.0),
    ] {
        if !(0.0..=max).contains(&value) {
            cx.push(
                ValidationError::new(p.key(key), format!("variation {key} out of range"))
                    .found(value)
                    .expected(format!("a number from 0 to {max}")),
            );
        }
    }
    if let Some(n) = n_periods
        && v.timing >= n
    {
        cx.push(
            ValidationError::new(
                p.key("timing"),
                "the timing shift is not shorter than the window",
            )
            .found(v.timing)
            .expected(format!("0-{} periods", n.saturating_sub(1))),
        );
    }
    (cx.errors.len() == before).then_some(Some(v))
}
