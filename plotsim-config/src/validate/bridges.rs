//! Rules for `bridges`: sides, cardinality, driver and columns; returns the
//! bridge tables.

use super::{Ctx, SQL_IDENTIFIER, check_len, check_unique, is_sql_identifier, root, table};
use crate::dsl::column_type::{self, ColumnType};
use crate::error::ValidationError;
use crate::plan::{ColumnPlan, Grain, TableKind, TablePlan};

/// Checks bridges; returns their planned tables.
pub(super) fn check_bridges(cx: &mut Ctx<'_>, ts: &[TablePlan]) -> Option<Vec<TablePlan>> {
    let bridges = &cx.config.bridges;
    let before = cx.errors.len();
    check_len(cx, root().key("bridges"), "bridges", bridges.len(), 0, 20);
    check_unique(
        cx,
        "bridge name",
        bridges
            .iter()
            .enumerate()
            .map(|(i, b)| (root().key("bridges").index(i).key("name"), b.name.as_str())),
    );
    let auto_unit = format!("dim_{}", cx.config.unit);
    let n_entities: u64 = cx.config.segments.iter().map(|s| u64::from(s.count)).sum();
    let mut out = Vec::new();
    for (i, b) in bridges.iter().enumerate() {
        let p = root().key("bridges").index(i);
        if !is_sql_identifier(&b.name) {
            cx.push(
                ValidationError::new(p.key("name"), "not a valid bridge name")
                    .found(format!("`{}`", b.name))
                    .expected(SQL_IDENTIFIER),
            );
        }
        if let Some(t) = table(ts, &b.name) {
            cx.push(
                ValidationError::new(
                    p.key("name"),
                    format!("bridge name collides with table `{}`", t.name),
                )
                .expected("a name no table uses"),
            );
        }
        if b.left == b.right {
            cx.push(
                ValidationError::new(p.key("right"), "a bridge joins two different dimensions")
                    .found(format!("`{}` on both sides", b.left)),
            );
        }
        let mut right_rows = None;
        for (side, name) in [("left", &b.left), ("right", &b.right)] {
            let grain = match table(ts, name) {
                Some(t) if t.kind == TableKind::Dimension => Some((t.grain, t)),
                Some(_) => {
                    cx.push(ValidationError::new(
                        p.key(side),
                        format!("`{name}` is not a dimension"),
                    ));
                    continue;
                }
                None if *name == auto_unit => None,
                None => {
                    let dims: Vec<&str> = ts
                        .iter()
                        .filter(|t| t.kind == TableKind::Dimension)
                        .map(|t| t.name.as_str())
                        .collect();
                    cx.unknown_name(p.key(side), "dimension", name, dims.iter().copied());
                    continue;
                }
            };
            let g = grain.map_or(Grain::PerEntity, |(g, _)| g);
            if g == Grain::PerPeriod {
                cx.push(ValidationError::new(
                    p.key(side),
                    "a bridge cannot join the per-period `dim_date`",
                ));
            } else if side == "left" && g != Grain::PerEntity {
                cx.push(
                    ValidationError::new(p.key("left"), "the left side of a bridge must be a per-unit dimension (one row per entity)")
                        .found(format!("`{name}`")),
                );
            }
            if side == "right" {
                right_rows = match grain {
                    Some((Grain::PerReference, t)) => Some(t.reference_rows()),
                    Some((Grain::PerEntity, _)) | None => Some(n_entities),
                    _ => None,
                };
            }
        }
        let [lo, hi] = b.cardinality;
        if hi < 1 || lo > hi {
            cx.push(
                ValidationError::new(p.key("cardinality"), "invalid cardinality")
                    .found(format!("[{lo}, {hi}]"))
                    .expected("[min, max] with 0 <= min <= max and max >= 1"),
            );
        } else if let Some(rows) = right_rows.filter(|&r| u64::from(hi) > r) {
            cx.push(
                ValidationError::new(
                    p.key("cardinality"),
                    format!("max associations exceed the rows of `{}`", b.right),
                )
                .found(hi)
                .expected(format!("at most {rows}")),
            );
        }
        if let Some(d) = b.driver.as_deref().filter(|d| !cx.has_metric(d)) {
            cx.unknown_metric(p.key("driver"), d);
        }
        check_len(
            cx,
            p.key("columns"),
            "bridge columns",
            b.columns.len(),
            0,
            20,
        );
        let mut columns = Vec::new();
        for (j, c) in b.columns.iter().enumerate() {
            let cp = p.key("columns").index(j);
            if !is_sql_identifier(&c.name) {
                cx.push(
                    ValidationError::new(cp.key("name"), "not a valid column name")
                        .found(format!("`{}`", c.name))
                        .expected(SQL_IDENTIFIER),
                );
            }
            match column_type::parse(&c.r#type) {
                Ok(
                    ty @ (ColumnType::Metric(_) | ColumnType::Static(_) | ColumnType::Faker { .. }),
                ) => {
                    if let ColumnType::Metric(m) = &ty
                        && !cx.has_metric(m)
                    {
                        cx.unknown_metric(cp.key("type"), m);
                    }
                    columns.push(ColumnPlan::new(c.name.clone(), ty));
                }
                Ok(_) => cx.push(
                    ValidationError::new(
                        cp.key("type"),
                        "bridge columns take metric., static. or faker. types",
                    )
                    .found(format!("`{}`", c.r#type)),
                ),
                Err(e) => {
                    let mut err =
                        ValidationError::new(cp.key("type"), e.message).suggestion(e.suggestion);
                    if let Some(x) = e.expected {
                        err = err.expected(x);
                    }
                    cx.push(err);
                }
            }
        }
        check_unique(
            cx,
            "column name",
            b.columns
                .iter()
                .enumerate()
                .map(|(j, c)| (p.key("columns").index(j).key("name"), c.name.as_str())),
        );
        let key = |side: &str| format!("{}_id", side.strip_prefix("dim_").unwrap_or(side));
        out.push(TablePlan {
            name: b.name.clone(),
            kind: TableKind::Bridge,
            grain: Grain::Bridge,
            columns,
            primary_key: vec![key(&b.left), key(&b.right)],
            key_prefix: None,
            rows_per_entity: 1,
            trigger: None,
            cdc: false,
            log: None,
            bridge: Some(crate::plan::BridgePlan {
                left: b.left.clone(),
                right: b.right.clone(),
                min: lo,
                max: hi,
                driver: b
                    .driver
                    .as_deref()
                    .and_then(|d| cx.config.metrics.iter().position(|m| m.name == d)),
            }),
        });
    }
    (cx.errors.len() == before).then_some(out)
}
