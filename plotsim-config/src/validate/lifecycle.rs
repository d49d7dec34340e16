//! Rules for `lifecycle`: the tracked metric, stage names and thresholds,
//! and the downgrade delay.

use super::{Ctx, check_range, check_unique, root};
use crate::error::ValidationError;
use crate::model::MetricType;

pub(super) fn check_lifecycle(cx: &mut Ctx<'_>) {
    let Some(l) = &cx.config.lifecycle else {
        return;
    };
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
}
