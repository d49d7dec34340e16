//! Rules for `segments`: names, counts, archetype DSL, attributes, baseline,
//! arrival and treatment.

use indexmap::IndexMap;

use super::{Ctx, check_len, check_range, check_unique, is_simple_name, root};
use crate::dsl::archetype;
use crate::error::{FieldPath, ValidationError};
use crate::model::{Arrival, Segment, title_case};
use crate::plan::{ArrivalPlan, SegmentPlan, TreatmentPlan};

pub(super) fn check_segments(cx: &mut Ctx<'_>, n_periods: Option<u32>) -> Option<Vec<SegmentPlan>> {
    let segments = &cx.config.segments;
    check_len(
        cx,
        root().key("segments"),
        "segments",
        segments.len(),
        1,
        20,
    );
    check_unique(
        cx,
        "segment name",
        segments
            .iter()
            .enumerate()
            .map(|(i, s)| (root().key("segments").index(i).key("name"), s.name.as_str())),
    );
    let mut plans = Vec::new();
    let mut first_entity = 0u64;
    let mut ok = true;
    for (i, s) in segments.iter().enumerate() {
        match check_segment(
            cx,
            root().key("segments").index(i),
            s,
            n_periods,
            first_entity,
        ) {
            Some(p) => plans.push(p),
            None => ok = false,
        }
        first_entity += u64::from(s.count);
    }
    ok.then_some(plans)
}

fn check_segment(
    cx: &mut Ctx<'_>,
    path: FieldPath,
    s: &Segment,
    n_periods: Option<u32>,
    first_entity: u64,
) -> Option<SegmentPlan> {
    let before = cx.errors.len();
    if !is_simple_name(&s.name) {
        cx.push(
            ValidationError::new(
                path.key("name"),
                "segment names may only contain letters, digits and underscores",
            )
            .found(format!("`{}`", s.name)),
        );
    }
    if s.count < 1 {
        cx.push(
            ValidationError::new(path.key("count"), "a segment needs at least 1 entity")
                .found(s.count)
                .expected("count >= 1"),
        );
    }
    let spec = match archetype::parse(&s.archetype) {
        Ok(spec) => {
            if let Some(n) = n_periods
                && let Err(e) = spec.check_periods(n)
            {
                archetype_error(cx, &path, s, e);
            }
            Some(spec)
        }
        Err(e) => {
            archetype_error(cx, &path, s, e);
            None
        }
    };
    let mut attributes = IndexMap::new();
    for (k, v) in &s.attributes {
        if !super::is_sql_identifier(k) {
            cx.push(
                ValidationError::new(
                    path.key("attributes").key(k.clone()),
                    "attribute names become `pool.<name>` columns",
                )
                .found(format!("`{k}`"))
                .expected(super::SQL_IDENTIFIER),
            );
        }
        if v.0.is_empty() || v.0.len() > 1000 {
            cx.push(
                ValidationError::new(
                    path.key("attributes").key(k.clone()),
                    "wrong number of attribute values",
                )
                .found(v.0.len())
                .expected("a scalar or a list of 1-1000 values"),
            );
        }
        attributes.insert(k.clone(), v.0.clone());
    }
    let mut baseline = Vec::new();
    for (metric, level) in &s.baseline {
        match cx.config.metrics.iter().position(|m| m.name == *metric) {
            Some(i) => {
                baseline.push((i, *level));
            }
            None => cx.unknown_metric(path.key("baseline").key(metric.clone()), metric),
        }
    }
    check_range(
        cx,
        path.key("seasonal_sensitivity"),
        s.seasonal_sensitivity,
        -1e6,
        1e6,
    );
    if let Some(a) = &s.arrival {
        check_arrival(cx, &path.key("arrival"), a, s.count, n_periods);
    }
    if let Some(t) = &s.treatment {
        let tp = path.key("treatment");
        check_range(cx, tp.key("fraction"), t.fraction, 0.0, 1.0);
        if !t.lift_log_odds.is_finite() || t.lift_log_odds.abs() >= 1e6 {
            cx.push(
                ValidationError::new(tp.key("lift_log_odds"), "the lift must be finite")
                    .found(t.lift_log_odds)
                    .expected("a number with |lift| < 1e6"),
            );
        }
        if let Some(n) = n_periods.filter(|&n| t.start_period >= n) {
            cx.push(
                ValidationError::new(tp.key("start_period"), "treatment starts after the window")
                    .found(t.start_period)
                    .expected(format!("a period in [0, {}]", n - 1)),
            );
        }
        if let Some(m) = &t.target_metric
            && !cx.has_metric(m)
        {
            cx.unknown_metric(tp.key("target_metric"), m);
        }
        for (field, v) in [
            ("treatment_label", &t.treatment_label),
            ("control_label", &t.control_label),
        ] {
            if v.is_empty() {
                cx.push(ValidationError::new(tp.key(field), "the label is empty"));
            }
        }
    }
    if cx.errors.len() != before {
        return None;
    }
    Some(SegmentPlan {
        name: s.name.clone(),
        label: s.label.clone().unwrap_or_else(|| title_case(&s.name)),
        count: s.count,
        first_entity,
        archetype_text: s.archetype.clone(),
        archetype: spec?,
        attributes,
        baseline,
        seasonal_sensitivity: s.seasonal_sensitivity,
        arrival: s.arrival.clone(),
        treatment: s.treatment.clone(),
        arrival_plan: match &s.arrival {
            Some(a) => Some(ArrivalPlan::resolve(a, n_periods?)),
            None => None,
        },
        treatment_plan: match &s.treatment {
            Some(t) => Some(TreatmentPlan {
                fraction: t.fraction,
                lift_log_odds: t.lift_log_odds,
                start_period: t.start_period,
                treatment_label: t.treatment_label.clone(),
                control_label: t.control_label.clone(),
                target: match &t.target_metric {
                    Some(m) => Some(cx.config.metrics.iter().position(|x| x.name == *m)?),
                    None => None,
                },
            }),
            None => None,
        },
    })
}

fn archetype_error(cx: &mut Ctx<'_>, path: &FieldPath, s: &Segment, e: crate::dsl::DslError) {
    let mut err = ValidationError::new(
        path.key("archetype"),
        format!(
            "segment `{}` archetype \"{}\": {} (at character {})",
            s.name,
            s.archetype,
            e.message,
            e.position + 1
        ),
    )
    .suggestion(e.suggestion);
    if let Some(x) = e.expected {
        err = err.expected(x);
    }
    cx.push(err);
}

/// Every entity must keep at least two active periods: start periods <= n - 2.
fn check_arrival(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    a: &Arrival,
    count: u32,
    n_periods: Option<u32>,
) {
    let last_start = n_periods.map(|n| n.saturating_sub(2));
    let late = |cx: &mut Ctx<'_>, p: FieldPath, v: u32| {
        if let Some(last) = last_start.filter(|&l| v > l) {
            cx.push(
                ValidationError::new(
                    p,
                    "entities arriving this late have fewer than 2 active periods",
                )
                .found(v)
                .expected(format!("a start period <= {last}")),
            );
        }
    };
    match a {
        Arrival::Uniform { start, end } | Arrival::Linear { start, end, .. } => {
            late(cx, path.key("start"), *start);
            // Without `end`, the span ends at max(1, n - 2) (exclusive).
            let default_end = n_periods.map(|n| n.saturating_sub(2).max(1));
            match (end, default_end) {
                (Some(e), _) if e <= start => cx.push(
                    ValidationError::new(path.key("end"), "the arrival span is empty")
                        .found(format!("start {start}, end {e}"))
                        .expected("end > start (end is exclusive)"),
                ),
                (Some(e), _) => late(cx, path.key("end"), e - 1),
                (None, Some(d)) if d <= *start => cx.push(
                    ValidationError::new(path.key("start"), "the arrival span is empty")
                        .found(format!(
                            "start {start}, default end {d} (n_periods - 2, exclusive)"
                        ))
                        .expected(format!("start < {d}, or an explicit `end`")),
                ),
                _ => {}
            }
        }
        Arrival::Step { blocks } => {
            if blocks.is_empty() {
                cx.push(
                    ValidationError::new(path.key("blocks"), "no blocks")
                        .expected("at least one block"),
                );
            }
            let mut sum = 0.0;
            for (i, b) in blocks.iter().enumerate() {
                let bp = path.key("blocks").index(i);
                if !(b.fraction > 0.0 && b.fraction <= 1.0) {
                    cx.push(
                        ValidationError::new(bp.key("fraction"), "fraction out of range")
                            .found(b.fraction)
                            .expected("(0, 1]"),
                    );
                }
                sum += b.fraction;
                late(cx, bp.key("period"), b.period);
            }
            if !blocks.is_empty() && (sum - 1.0).abs() > 0.001 {
                cx.push(
                    ValidationError::new(path.key("blocks"), "block fractions must sum to 1")
                        .found(format!("{sum:.4}"))
                        .expected("a sum of 1 (within 0.001)"),
                );
            }
        }
        Arrival::Explicit { start_periods } => {
            if start_periods.len() != count as usize {
                cx.push(
                    ValidationError::new(
                        path.key("start_periods"),
                        "one start period per entity is needed",
                    )
                    .found(format!("{} start periods", start_periods.len()))
                    .expected(format!("{count} (the segment's count)")),
                );
            }
            for (i, &p) in start_periods.iter().enumerate() {
                late(cx, path.key("start_periods").index(i), p);
            }
        }
    }
}
