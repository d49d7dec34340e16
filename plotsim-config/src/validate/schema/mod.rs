//! Rules for the declared schema (`dimensions`, `facts`, `events`) and the
//! auto schema: grains, column types and where each may appear, keys, key
//! prefixes, name collisions and fact dependencies.

mod auto;
mod columns;
mod decl;
mod keys;
mod tables;

use super::{Ctx, SQL_IDENTIFIER, check_unique, is_sql_identifier, root};
use crate::dsl::column_type::ColumnType;
use crate::error::ValidationError;
use crate::plan::{ColumnPlan, TableKind, TablePlan};
use auto::{auto_schema, check_auto_names, common_attributes, dim_date_plan};
use columns::check_columns;
use decl::{Class, Decl, classify, collect, find, known_tables};
use keys::{key_prefixes, primary_key};
use tables::{check_event, check_fact, check_fact_cycles};

pub(super) use auto::with_bridges;

pub(super) fn check_schema(cx: &mut Ctx<'_>) -> Vec<TablePlan> {
    let c = cx.config;
    if c.dimensions.is_empty() && c.facts.is_empty() && c.events.is_empty() {
        check_auto_names(cx);
        return auto_schema(cx);
    }
    let mut tables = declared_schema(cx);
    // A declared schema without `dim_date` gets the default one first.
    if !tables.iter().any(|t| t.name == "dim_date") {
        tables.insert(0, dim_date_plan());
    }
    // Variable-grain facts make rows like a proportional event; child facts
    // per row of their parent.
    for f in &c.facts {
        let metric = f
            .row_count_driver
            .as_deref()
            .and_then(|m| c.metrics.iter().position(|x| x.name == m));
        let trigger = match (
            metric,
            f.row_count_scale,
            &f.parent_table,
            f.children_per_row,
        ) {
            (Some(metric), Some(scale), _, _) => {
                Some(crate::plan::TriggerPlan::Proportional { metric, scale })
            }
            (_, _, Some(p), Some([min, max])) => tables
                .iter()
                .position(|t| t.name == *p)
                .map(|parent| crate::plan::TriggerPlan::PerParentRow { parent, min, max }),
            _ => None,
        };
        if let Some(t) = tables.iter_mut().find(|t| t.name == f.name) {
            t.trigger = t.trigger.or(trigger);
        }
    }
    tables
}

/// Checks a declared schema and plans its tables.
fn declared_schema(cx: &mut Ctx<'_>) -> Vec<TablePlan> {
    let mut decls = collect(cx);
    check_names(cx, &decls);
    classify(cx, &mut decls);
    for d in &decls {
        check_columns(cx, d, &decls);
    }
    for d in &decls {
        match d.kind {
            TableKind::Fact => check_fact(cx, d, &decls),
            TableKind::Event => check_event(cx, d, &decls),
            _ => {}
        }
    }
    check_fact_cycles(cx, &decls);
    let prefixes = key_prefixes(cx, &decls);
    // Returned even when there are errors, so that checks of other blocks that
    // name tables (quality, holdout, bridges) still run; the plan itself is only
    // built from an error-free config.
    decls
        .iter()
        .map(|d| TablePlan {
            name: d.name.to_owned(),
            kind: d.kind,
            grain: d.class.grain(),
            columns: planned_columns(cx, d),
            primary_key: primary_key(d, &decls),
            key_prefix: prefixes
                .iter()
                .find(|(n, _)| n == d.name)
                .map(|(_, p)| p.clone()),
            rows_per_entity: d.count,
            trigger: d.event.and_then(|e| trigger(cx, e)),
            cdc: d.fact.is_some_and(|f| f.cdc),
            bridge: None,
            log: d.event.and_then(|e| {
                e.log_format.as_ref().map(|format| crate::plan::LogPlan {
                    format: format.clone(),
                    file: e
                        .log_filename
                        .clone()
                        .unwrap_or_else(|| format!("{}.log", d.name)),
                })
            }),
        })
        .collect()
}

/// A table's columns with their parameters resolved, and, for a
/// per-entity-per-period fact, a `metric.<m>` column for every name of its
/// `metrics:` list that no column carries yet (the original ignored the list).
fn planned_columns(cx: &mut Ctx<'_>, d: &Decl<'_>) -> Vec<ColumnPlan> {
    let mut columns: Vec<ColumnPlan> = d
        .columns
        .iter()
        .zip(&d.parsed)
        .map(|(col, t)| ColumnPlan {
            name: col.name.clone(),
            // An unparsable type (already reported) stands in as a plain value.
            ty: t.clone().unwrap_or(ColumnType::Static(String::new())),
            range: col.range.map(|[lo, hi]| crate::plan::RangePlan {
                lo: lo.as_f64(),
                hi: hi.as_f64(),
                integer: matches!(
                    (lo, hi),
                    (crate::model::Number::Int(_), crate::model::Number::Int(_))
                ),
            }),
            labels: col.labels.clone().unwrap_or_default(),
            nested: match t {
                Some(ColumnType::Struct) => col.nested_schema.as_ref().map(|f| {
                    crate::plan::NestedPlan::Struct(
                        f.iter()
                            .filter_map(|(k, v)| {
                                Some((k.clone(), crate::plan::NestedScalar::parse(v)?))
                            })
                            .collect(),
                    )
                }),
                Some(ColumnType::Array) => col
                    .array_element_type
                    .as_deref()
                    .and_then(crate::plan::NestedScalar::parse)
                    .map(|element| crate::plan::NestedPlan::Array {
                        element,
                        length: col.array_length.unwrap_or(3),
                    }),
                _ => None,
            },
            narrative: match t {
                Some(ColumnType::Narrative) => narrative(cx, col),
                _ => None,
            },
            scd: match (t, &col.tracks, &col.tiers, &col.at) {
                (Some(ColumnType::Scd), Some(m), Some(tiers), Some(at)) => cx
                    .config
                    .metrics
                    .iter()
                    .position(|x| x.name == *m)
                    .map(|tracks| crate::plan::ScdPlan {
                        tracks,
                        tiers: tiers.clone(),
                        at: at.clone(),
                    }),
                _ => None,
            },
        })
        .collect();
    let Some(f) = d.fact else {
        return columns;
    };
    for (j, m) in f.metrics.iter().enumerate() {
        let p = d.path.key("metrics").index(j);
        if !cx.has_metric(m) {
            cx.unknown_metric(p, m);
            continue;
        }
        if d.class != Class::FactPeriod {
            cx.push(
                ValidationError::new(p, "metric columns go on per-entity-per-period facts only")
                    .found(format!("`{m}` on {}", d.class.describe()))
                    .expected("remove `metrics:` (or the fact's driver / parent)"),
            );
            continue;
        }
        if columns
            .iter()
            .any(|c| matches!(&c.ty, ColumnType::Metric(x) if x == m))
        {
            continue;
        }
        if columns.iter().any(|c| c.name == *m) {
            cx.push(
                ValidationError::new(p, format!("column `{m}` already exists with another type"))
                    .expected(format!("type `metric.{m}` on that column, or rename it")),
            );
            continue;
        }
        columns.push(ColumnPlan::new(m.clone(), ColumnType::Metric(m.clone())));
    }
    columns
}

/// An event's trigger with its metric resolved (`None` when it has errors,
/// already reported).
fn trigger(cx: &Ctx<'_>, e: &crate::model::Event) -> Option<crate::plan::TriggerPlan> {
    use crate::model::Trigger;
    use crate::plan::TriggerPlan;
    let metric = |m: &Option<String>| {
        m.as_deref()
            .and_then(|m| cx.config.metrics.iter().position(|x| x.name == m))
    };
    match e.trigger {
        Trigger::Proportional => Some(TriggerPlan::Proportional {
            metric: metric(&e.driver)?,
            scale: e.scale?,
        }),
        Trigger::Threshold => Some(TriggerPlan::Threshold {
            metric: metric(&e.metric)?,
            above: e.above.is_some(),
            value: e.above.or(e.below)?,
            periods: e.r#for.unwrap_or(1).max(1),
        }),
    }
}

/// Table and column names: identifiers, unique, within the limits.
fn check_names(cx: &mut Ctx<'_>, decls: &[Decl<'_>]) {
    if decls.len() > 50 {
        cx.push(
            ValidationError::new(root(), "too many tables")
                .found(decls.len())
                .expected("at most 50"),
        );
    }
    for d in decls {
        if !is_sql_identifier(d.name) {
            cx.push(
                ValidationError::new(d.path.key("name"), "not a valid table name")
                    .found(format!("`{}`", d.name))
                    .expected(SQL_IDENTIFIER),
            );
        }
        if d.columns.is_empty() {
            cx.push(ValidationError::new(
                d.path.key("columns"),
                "a table needs at least one column",
            ));
        }
        if d.columns.len() > 100 {
            cx.push(
                ValidationError::new(d.path.key("columns"), "too many columns")
                    .found(d.columns.len())
                    .expected("at most 100"),
            );
        }
        for (j, col) in d.columns.iter().enumerate() {
            if !is_sql_identifier(&col.name) {
                cx.push(
                    ValidationError::new(d.col_path(j).key("name"), "not a valid column name")
                        .found(format!("`{}`", col.name))
                        .expected(SQL_IDENTIFIER),
                );
            }
        }
        check_unique(
            cx,
            "column name",
            d.columns
                .iter()
                .enumerate()
                .map(|(j, col)| (d.col_path(j).key("name"), col.name.as_str())),
        );
    }
    check_unique(
        cx,
        "table name",
        decls.iter().map(|d| (d.path.key("name"), d.name)),
    );
}

/// A narrative column's template cut into pieces and its lexicons by
/// segment, slot and band (`None` when the column is incomplete, which the
/// column checks report).
fn narrative(cx: &Ctx<'_>, col: &crate::model::Column) -> Option<crate::plan::NarrativePlan> {
    use crate::plan::TemplatePiece;
    let template = col.template.as_ref()?;
    let lexicons = col.lexicons.as_ref()?;
    let slots = crate::dsl::template::names(template);
    let bands = col
        .bands
        .clone()
        .unwrap_or_else(|| vec!["low".to_owned(), "mid".to_owned(), "high".to_owned()]);
    use crate::dsl::template::{Piece, parse};
    let pieces = parse(template)
        .into_iter()
        .map(|p| match p {
            Piece::Text(t) => TemplatePiece::Text(t),
            Piece::Field { name, .. } => {
                TemplatePiece::Slot(slots.iter().position(|s| *s == name).unwrap_or(0))
            }
        })
        .collect();
    let phrases = cx
        .config
        .segments
        .iter()
        .map(|seg| {
            slots
                .iter()
                .map(|slot| {
                    bands
                        .iter()
                        .map(|b| {
                            lexicons
                                .get(&seg.name)
                                .and_then(|l| l.get(slot))
                                .and_then(|l| l.get(b))
                                .cloned()
                                .unwrap_or_default()
                        })
                        .collect()
                })
                .collect()
        })
        .collect();
    Some(crate::plan::NarrativePlan {
        pieces,
        slots,
        bands,
        phrases,
    })
}
