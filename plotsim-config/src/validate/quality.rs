//! Rules for `quality` issues: rates, the fields each issue kind takes, target
//! tables and protected columns.

use super::{Ctx, check_len, check_range, root};
use crate::dsl::column_type::ColumnType;
use crate::error::ValidationError;
use crate::model::QualityIssueKind;
use crate::plan::{QualityPlan, TableKind, TablePlan, VolumePlan};

const PROTECTED: &[&str] = &["date_key", "period", "period_index", "period_label"];

/// Checks the quality issues; returns them resolved, or `None` when any has
/// errors.
pub(super) fn check_quality(
    cx: &mut Ctx<'_>,
    ts: &[TablePlan],
    n_periods: Option<u32>,
) -> Option<Vec<QualityPlan>> {
    let issues = &cx.config.quality;
    let before = cx.errors.len();
    let mut out = Vec::new();
    check_len(
        cx,
        root().key("quality"),
        "quality issues",
        issues.len(),
        0,
        50,
    );
    for (i, q) in issues.iter().enumerate() {
        let p = root().key("quality").index(i);
        check_range(cx, p.key("rate"), q.rate, 0.0, 1.0);
        let volume = q.issue == QualityIssueKind::VolumeAnomaly;
        let needs_column = matches!(
            q.issue,
            QualityIssueKind::NullInjection
                | QualityIssueKind::TypeMismatch
                | QualityIssueKind::SchemaDrift
                | QualityIssueKind::Outliers
        );
        if needs_column && q.column.is_none() {
            cx.push(
                ValidationError::new(p.key("column"), format!("`{}` needs a `column`", q.issue))
                    .expected("a column name, or `*` for every non-key column"),
            );
        }
        if !needs_column && !volume && q.column.is_some() {
            cx.push(ValidationError::new(
                p.key("column"),
                format!("`{}` affects whole rows; drop `column`", q.issue),
            ));
        }
        if volume {
            if q.column.is_some() {
                cx.push(ValidationError::new(
                    p.key("column"),
                    "volume_anomaly affects whole rows; drop `column`",
                ));
            }
            if q.mode.is_none() {
                cx.push(
                    ValidationError::new(p.key("mode"), "volume_anomaly needs a `mode`")
                        .expected("spike or drop"),
                );
            }
            match (&q.period, &q.periods) {
                (Some(_), Some(_)) | (None, None) => cx.push(ValidationError::new(
                    p.key("period"),
                    "volume_anomaly needs exactly one of `period` or `periods`",
                )),
                (None, Some(ps)) if ps.is_empty() => cx.push(
                    ValidationError::new(p.key("periods"), "`periods` is empty")
                        .expected("at least one period"),
                ),
                _ => {}
            }
            let all: Vec<(Option<usize>, u32)> = q
                .period
                .map(|x| (None, x))
                .into_iter()
                .chain(
                    q.periods
                        .iter()
                        .flatten()
                        .enumerate()
                        .map(|(j, &x)| (Some(j), x)),
                )
                .collect();
            for (j, x) in all {
                if let Some(n) = n_periods.filter(|&n| x >= n) {
                    let path = match j {
                        Some(j) => p.key("periods").index(j),
                        None => p.key("period"),
                    };
                    cx.push(
                        ValidationError::new(path, "period outside the window")
                            .found(x)
                            .expected(format!("0-{}", n - 1)),
                    );
                }
            }
        } else {
            for (field, set) in [
                ("mode", q.mode.is_some()),
                ("period", q.period.is_some()),
                ("periods", q.periods.is_some()),
            ] {
                if set {
                    cx.push(ValidationError::new(
                        p.key(field),
                        format!("`{field}` applies to volume_anomaly only"),
                    ));
                }
            }
        }
        let Some((ti, t)) = ts.iter().enumerate().find(|(_, t)| t.name == q.table) else {
            let targets: Vec<&str> = ts
                .iter()
                .filter(|t| matches!(t.kind, TableKind::Fact | TableKind::Event))
                .map(|t| t.name.as_str())
                .collect();
            cx.unknown_name(
                p.key("table"),
                "fact or event table",
                &q.table,
                targets.iter().copied(),
            );
            continue;
        };
        if !matches!(t.kind, TableKind::Fact | TableKind::Event) {
            cx.push(
                ValidationError::new(p.key("table"), "quality issues target fact or event tables")
                    .found(format!(
                        "`{}` is a {}",
                        t.name,
                        if t.kind == TableKind::Bridge {
                            "bridge"
                        } else {
                            "dimension"
                        }
                    )),
            );
            continue;
        }
        let mut column = None;
        // `*`: every unprotected column (the plan's `None`).
        if let Some(col) = q.column.as_ref().filter(|c| *c != "*") {
            match t.columns.iter().enumerate().find(|(_, c)| c.name == *col) {
                None => cx.unknown_name(
                    p.key("column"),
                    "column",
                    col,
                    t.columns.iter().map(|c| c.name.as_str()),
                ),
                Some((_, c))
                    if matches!(c.ty, ColumnType::Ref(_) | ColumnType::Id)
                        || PROTECTED.contains(&col.as_str()) =>
                {
                    cx.push(
                        ValidationError::new(
                            p.key("column"),
                            format!("column `{col}` is a key or period column and is protected"),
                        )
                        .expected("a non-key column"),
                    )
                }
                Some((_, c))
                    if q.issue == QualityIssueKind::Outliers
                        && !matches!(c.ty, ColumnType::Metric(_) | ColumnType::Range) =>
                {
                    cx.push(
                        ValidationError::new(p.key("column"), "outliers need a numeric column")
                            .found(format!("`{col}`"))
                            .expected("a metric. or range column"),
                    )
                }
                Some((j, _)) => column = Some(j),
            }
        }
        let volume = match (volume, q.mode) {
            (true, Some(mode)) => Some(VolumePlan {
                mode,
                periods: q
                    .period
                    .into_iter()
                    .chain(q.periods.iter().flatten().copied())
                    .collect(),
            }),
            _ => None,
        };
        out.push(QualityPlan {
            kind: q.issue,
            table: ti,
            column,
            rate: q.rate,
            seed_offset: q.seed_offset,
            volume,
        });
    }
    (cx.errors.len() == before).then_some(out)
}
