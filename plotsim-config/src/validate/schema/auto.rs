//! The auto schema (`dim_date`, `dim_<unit>`, `fct_<unit>`), the default
//! `dim_date` of a declared schema, and the bridge tables appended to either.

use super::super::{Ctx, SQL_IDENTIFIER, is_sql_identifier, root};
use crate::dsl::column_type::ColumnType;
use crate::error::ValidationError;
use crate::plan::{ColumnPlan, Grain, TableKind, TablePlan};

/// Names the auto schema derives from the unit, the metrics and the
/// attributes must not collide, and metric names become column names.
pub(super) fn check_auto_names(cx: &mut Ctx<'_>) {
    let c = cx.config;
    let unit = &c.unit;
    if unit == "date" {
        cx.push(
            ValidationError::new(
                root().key("unit"),
                "the unit `date` would name its dimension `dim_date`, the date dimension",
            )
            .expected("another unit name"),
        );
    }
    let fact_keys = ["date_key".to_owned(), format!("{unit}_id")];
    for (i, m) in c.metrics.iter().enumerate() {
        let p = root().key("metrics").index(i).key("name");
        if fact_keys.contains(&m.name) {
            cx.push(
                ValidationError::new(
                    p,
                    format!(
                        "metric `{}` collides with a key column of `fct_{unit}`",
                        m.name
                    ),
                )
                .expected(format!("a name other than {}", fact_keys.join(" and "))),
            );
        } else if super::super::is_simple_name(&m.name) && !is_sql_identifier(&m.name) {
            cx.push(
                ValidationError::new(p, "metric names become column names of the auto schema")
                    .found(format!("`{}`", m.name))
                    .expected(SQL_IDENTIFIER),
            );
        }
    }
    let dim_cols = [format!("{unit}_id"), format!("{unit}_name")];
    for attr in common_attributes(cx) {
        if dim_cols.contains(&attr) {
            let seg = c
                .segments
                .iter()
                .position(|s| s.attributes.contains_key(&attr))
                .unwrap_or(0);
            cx.push(
                ValidationError::new(
                    root()
                        .key("segments")
                        .index(seg)
                        .key("attributes")
                        .key(attr.clone()),
                    format!("attribute `{attr}` collides with a column of `dim_{unit}`"),
                )
                .expected(format!("a name other than {}", dim_cols.join(" and "))),
            );
        }
    }
}

/// The schema used when no table is declared: `dim_date`, `dim_<unit>` (key,
/// name, and a pool column per attribute every segment declares) and one
/// `fct_<unit>` with every metric.
pub(super) fn auto_schema(cx: &Ctx<'_>) -> Vec<TablePlan> {
    let c = cx.config;
    let unit = &c.unit;
    let col = |name: String, ty: ColumnType| ColumnPlan::new(name, ty);
    let mut dim_cols = vec![
        col(format!("{unit}_id"), ColumnType::Id),
        col(
            format!("{unit}_name"),
            ColumnType::Faker {
                kind: if matches!(unit.as_str(), "employee" | "customer" | "patient" | "user") {
                    "name".into()
                } else {
                    "company".into()
                },
                kwargs: Vec::new(),
            },
        ),
    ];
    for attr in common_attributes(cx) {
        dim_cols.push(col(attr.clone(), ColumnType::Pool(attr)));
    }
    let mut fact_cols = vec![
        col("date_key".into(), ColumnType::Ref("dim_date".into())),
        col(format!("{unit}_id"), ColumnType::Ref(format!("dim_{unit}"))),
    ];
    for m in &c.metrics {
        fact_cols.push(col(m.name.clone(), ColumnType::Metric(m.name.clone())));
    }
    vec![
        dim_date_plan(),
        TablePlan {
            name: format!("dim_{unit}"),
            kind: TableKind::Dimension,
            grain: Grain::PerEntity,
            columns: dim_cols,
            primary_key: vec![format!("{unit}_id")],
            key_prefix: Some(unit.chars().next().map(String::from).unwrap_or_default()),
            rows_per_entity: 1,
            trigger: None,
            cdc: false,
            bridge: None,
            log: None,
        },
        TablePlan {
            name: format!("fct_{unit}"),
            kind: TableKind::Fact,
            grain: Grain::PerEntityPerPeriod,
            columns: fact_cols,
            primary_key: vec!["date_key".into(), format!("{unit}_id")],
            key_prefix: None,
            rows_per_entity: 1,
            trigger: None,
            cdc: false,
            bridge: None,
            log: None,
        },
    ]
}

/// Appends bridge tables, inserting the auto `dim_<unit>` a bridge of a
/// declared schema relies on.
pub(in crate::validate) fn with_bridges(
    cx: &Ctx<'_>,
    mut tables: Vec<TablePlan>,
    bridges: Vec<TablePlan>,
) -> Vec<TablePlan> {
    let unit_dim = format!("dim_{}", cx.config.unit);
    let wants_unit = cx
        .config
        .bridges
        .iter()
        .any(|b| b.left == unit_dim || b.right == unit_dim);
    if wants_unit
        && !tables.iter().any(|t| t.name == unit_dim)
        && let Some(dim) = auto_schema(cx).into_iter().find(|t| t.name == unit_dim)
    {
        tables.push(dim);
    }
    tables.extend(bridges);
    tables
}

pub(super) fn dim_date_plan() -> TablePlan {
    let words = [
        ("date_key", "id"),
        ("date", "date"),
        ("year", "int"),
        ("month", "int"),
        ("quarter", "int"),
    ];
    TablePlan {
        name: "dim_date".into(),
        kind: TableKind::Dimension,
        grain: Grain::PerPeriod,
        columns: words
            .iter()
            .map(|(n, t)| {
                ColumnPlan::new(
                    *n,
                    if *t == "id" {
                        ColumnType::Id
                    } else {
                        ColumnType::DateWord((*t).into())
                    },
                )
            })
            .collect(),
        primary_key: vec!["date_key".into()],
        key_prefix: None,
        rows_per_entity: 1,
        trigger: None,
        cdc: false,
        bridge: None,
        log: None,
    }
}

/// Attributes declared on every segment, alphabetically.
pub(super) fn common_attributes(cx: &Ctx<'_>) -> Vec<String> {
    let segs = &cx.config.segments;
    let Some(first) = segs.first() else {
        return Vec::new();
    };
    let mut out: Vec<String> = first
        .attributes
        .keys()
        .filter(|k| segs.iter().all(|s| s.attributes.contains_key(*k)))
        .cloned()
        .collect();
    out.sort();
    out
}
