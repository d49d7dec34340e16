//! Rules for the declared schema (`dimensions`, `facts`, `events`) and the
//! auto schema: grains, column types and where each may appear, keys, key
//! prefixes, name collisions and fact dependencies.

mod columns;
mod tables;

use super::{Ctx, SQL_IDENTIFIER, check_unique, is_sql_identifier, root};
use crate::dsl::column_type::{self, ColumnType};
use crate::error::{FieldPath, ValidationError};
use crate::model::{Column, DimPer, Event, Fact};
use crate::plan::{ColumnPlan, Grain, TableKind, TablePlan};
use columns::check_columns;
use tables::{check_event, check_fact, check_fact_cycles};

/// Where a table's rows come from; decides which column types it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    DimDate,
    DimEntity,
    DimSub,
    DimReference,
    FactPeriod,
    FactVariable,
    FactChild,
    Event,
}

impl Class {
    fn is_dim(self) -> bool {
        matches!(
            self,
            Class::DimDate | Class::DimEntity | Class::DimSub | Class::DimReference
        )
    }
    fn is_fact(self) -> bool {
        matches!(
            self,
            Class::FactPeriod | Class::FactVariable | Class::FactChild
        )
    }
    fn describe(self) -> &'static str {
        match self {
            Class::DimDate => "dim_date",
            Class::DimEntity => "a per-unit dimension",
            Class::DimSub => "a sub-entity dimension",
            Class::DimReference => "a reference dimension",
            Class::FactPeriod => "a per-entity-per-period fact",
            Class::FactVariable => "a variable-grain fact",
            Class::FactChild => "a child fact",
            Class::Event => "an event table",
        }
    }
    fn grain(self) -> Grain {
        match self {
            Class::DimDate => Grain::PerPeriod,
            Class::DimEntity => Grain::PerEntity,
            Class::DimReference => Grain::PerReference,
            Class::DimSub | Class::FactVariable | Class::Event => Grain::Variable,
            Class::FactPeriod => Grain::PerEntityPerPeriod,
            Class::FactChild => Grain::PerParentRow,
        }
    }
}

/// One declared (or auto-added) table while it is being checked.
struct Decl<'a> {
    name: &'a str,
    path: FieldPath,
    kind: TableKind,
    columns: &'a [Column],
    dim_per: Option<DimPer>,
    reference: bool,
    count: u32,
    fact: Option<&'a Fact>,
    event: Option<&'a Event>,
    class: Class,
    parsed: Vec<Option<ColumnType>>,
}

impl Decl<'_> {
    fn refs(&self) -> impl Iterator<Item = (usize, &str)> {
        self.parsed.iter().enumerate().filter_map(|(j, t)| match t {
            Some(ColumnType::Ref(x)) => Some((j, x.as_str())),
            _ => None,
        })
    }
    fn col_path(&self, j: usize) -> FieldPath {
        self.path.key("columns").index(j)
    }
}

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
    tables
}

/// Names the auto schema derives from the unit, the metrics and the
/// attributes must not collide, and metric names become column names.
fn check_auto_names(cx: &mut Ctx<'_>) {
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
        } else if super::is_simple_name(&m.name) && !is_sql_identifier(&m.name) {
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
            columns: d
                .columns
                .iter()
                .zip(&d.parsed)
                .map(|(col, t)| ColumnPlan {
                    name: col.name.clone(),
                    // An unparsable type (already reported) stands in as a plain value.
                    ty: t.clone().unwrap_or(ColumnType::Static(String::new())),
                })
                .collect(),
            primary_key: primary_key(d, &decls),
            key_prefix: prefixes
                .iter()
                .find(|(n, _)| n == d.name)
                .map(|(_, p)| p.clone()),
            rows_per_entity: d.count,
        })
        .collect()
}

/// The schema used when no table is declared: `dim_date`, `dim_<unit>` (key,
/// name, and a pool column per attribute every segment declares) and one
/// `fct_<unit>` with every metric.
fn auto_schema(cx: &Ctx<'_>) -> Vec<TablePlan> {
    let c = cx.config;
    let unit = &c.unit;
    let col = |name: String, ty: ColumnType| ColumnPlan { name, ty };
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
        },
        TablePlan {
            name: format!("fct_{unit}"),
            kind: TableKind::Fact,
            grain: Grain::PerEntityPerPeriod,
            columns: fact_cols,
            primary_key: vec!["date_key".into(), format!("{unit}_id")],
            key_prefix: None,
            rows_per_entity: 1,
        },
    ]
}

/// Appends bridge tables, inserting the auto `dim_<unit>` a bridge of a
/// declared schema relies on.
pub(super) fn with_bridges(
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

fn dim_date_plan() -> TablePlan {
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
            .map(|(n, t)| ColumnPlan {
                name: (*n).into(),
                ty: if *t == "id" {
                    ColumnType::Id
                } else {
                    ColumnType::DateWord((*t).into())
                },
            })
            .collect(),
        primary_key: vec!["date_key".into()],
        key_prefix: None,
        rows_per_entity: 1,
    }
}

/// Attributes declared on every segment, alphabetically.
fn common_attributes(cx: &Ctx<'_>) -> Vec<String> {
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

fn collect<'a>(cx: &Ctx<'a>) -> Vec<Decl<'a>> {
    let c = cx.config;
    let mut decls = Vec::new();
    let base = |name: &'a str, path: FieldPath, kind, columns: &'a [Column]| Decl {
        name,
        path,
        kind,
        columns,
        dim_per: None,
        reference: false,
        count: 1,
        fact: None,
        event: None,
        class: Class::DimEntity,
        parsed: Vec::new(),
    };
    for (i, d) in c.dimensions.iter().enumerate() {
        let mut decl = base(
            &d.name,
            root().key("dimensions").index(i),
            TableKind::Dimension,
            &d.columns,
        );
        decl.dim_per = d.per;
        decl.reference = d.reference;
        decl.count = d.count;
        decls.push(decl);
    }
    for (i, f) in c.facts.iter().enumerate() {
        let mut decl = base(
            &f.name,
            root().key("facts").index(i),
            TableKind::Fact,
            &f.columns,
        );
        decl.fact = Some(f);
        decls.push(decl);
    }
    for (i, e) in c.events.iter().enumerate() {
        let mut decl = base(
            &e.name,
            root().key("events").index(i),
            TableKind::Event,
            &e.columns,
        );
        decl.event = Some(e);
        decls.push(decl);
    }
    decls
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

/// Parses column types and decides each table's class.
fn classify(cx: &mut Ctx<'_>, decls: &mut [Decl<'_>]) {
    for d in decls.iter_mut() {
        d.parsed = d
            .columns
            .iter()
            .enumerate()
            .map(|(j, col)| match column_type::parse(&col.r#type) {
                Ok(t) => Some(t),
                Err(e) => {
                    let mut err = ValidationError::new(d.col_path(j).key("type"), e.message)
                        .suggestion(e.suggestion);
                    if let Some(x) = e.expected {
                        err = err.expected(x);
                    }
                    cx.push(err);
                    None
                }
            })
            .collect();
    }
    // First pass: classes that do not depend on other tables.
    for d in decls.iter_mut() {
        d.class = match d.kind {
            TableKind::Dimension if d.reference => {
                if d.dim_per.is_some() {
                    cx.push(
                        ValidationError::new(
                            d.path.key("reference"),
                            "`reference` and `per` cannot both be set",
                        )
                        .expected("either `reference: true` or `per: period|unit`"),
                    );
                }
                Class::DimReference
            }
            TableKind::Dimension if d.dim_per == Some(DimPer::Period) => {
                if d.name != "dim_date" {
                    cx.push(
                        ValidationError::new(
                            d.path.key("per"),
                            "only `dim_date` can have one row per period",
                        )
                        .found(format!("`{}` with per: period", d.name))
                        .expected("name the table `dim_date`, or use per: unit / reference: true"),
                    );
                }
                Class::DimDate
            }
            TableKind::Dimension if d.name == "dim_date" => Class::DimDate,
            TableKind::Dimension => Class::DimEntity,
            TableKind::Fact => match d.fact {
                Some(f) if f.parent_table.is_some() => Class::FactChild,
                Some(f) if f.row_count_driver.is_some() => Class::FactVariable,
                _ => Class::FactPeriod,
            },
            TableKind::Event | TableKind::Bridge => Class::Event,
        };
    }
    // Second pass: a unit dimension referencing another unit dimension is a
    // sub-entity dimension (several rows per entity).
    let entity_dims: Vec<String> = decls
        .iter()
        .filter(|d| d.class == Class::DimEntity)
        .map(|d| d.name.to_owned())
        .collect();
    for d in decls.iter_mut().filter(|d| d.class == Class::DimEntity) {
        if d.refs()
            .any(|(_, t)| entity_dims.iter().any(|e| e == t) && t != d.name)
        {
            d.class = Class::DimSub;
        }
    }
    for d in decls.iter() {
        if d.kind == TableKind::Dimension && d.count != 1 && d.class != Class::DimSub {
            cx.push(
                ValidationError::new(d.path.key("count"), "`count` applies to sub-entity dimensions only")
                    .found(d.count)
                    .expected("a `ref.<unit dimension>` column to make this a sub-entity dimension, or no `count`"),
            );
        }
        if d.count == 0 {
            cx.push(ValidationError::new(d.path.key("count"), "count must be at least 1").found(0));
        }
    }
}

/// The table names a `ref.` may name: declared tables plus the auto `dim_date`.
fn known_tables<'a>(decls: &'a [Decl<'a>]) -> Vec<&'a str> {
    let mut v: Vec<&str> = decls.iter().map(|d| d.name).collect();
    if !v.contains(&"dim_date") {
        v.insert(0, "dim_date");
    }
    v
}

fn find<'a, 'b>(decls: &'b [Decl<'a>], name: &str) -> Option<&'b Decl<'a>> {
    decls.iter().find(|d| d.name == name)
}

fn primary_key(d: &Decl<'_>, decls: &[Decl<'_>]) -> Vec<String> {
    let first_id = || {
        d.parsed
            .iter()
            .position(|t| matches!(t, Some(ColumnType::Id)))
            .or(if d.columns.is_empty() { None } else { Some(0) })
            .map(|j| vec![d.columns[j].name.clone()])
            .unwrap_or_default()
    };
    match d.class {
        Class::DimDate => vec!["date_key".to_owned()],
        Class::FactPeriod => d
            .refs()
            .filter(|(_, t)| {
                *t == "dim_date"
                    || find(decls, t).is_some_and(|x| {
                        x.kind == TableKind::Dimension && x.class != Class::DimReference
                    })
            })
            .map(|(j, _)| d.columns[j].name.clone())
            .collect(),
        _ => first_id(),
    }
}

/// Prefixes of sequential keys: the first letter of the name without its
/// `dim_`/`fct_`/`evt_` prefix, or the whole stripped name where first letters
/// collide. Two tables with the same stripped name cannot be told apart.
fn key_prefixes(cx: &mut Ctx<'_>, decls: &[Decl<'_>]) -> Vec<(String, String)> {
    let keyed: Vec<&Decl<'_>> = decls
        .iter()
        .filter(|d| {
            matches!(
                d.class,
                Class::DimEntity
                    | Class::DimSub
                    | Class::DimReference
                    | Class::FactVariable
                    | Class::FactChild
                    | Class::Event
            )
        })
        .collect();
    let strip = |n: &str| -> String {
        for pre in ["dim_", "fct_", "evt_"] {
            if let Some(s) = n.strip_prefix(pre) {
                return s.to_owned();
            }
        }
        n.to_owned()
    };
    let stripped: Vec<String> = keyed.iter().map(|d| strip(d.name)).collect();
    for (i, s) in stripped.iter().enumerate() {
        if let Some(j) = stripped[..i].iter().position(|x| x == s) {
            cx.push(
                ValidationError::new(
                    keyed[i].path.key("name"),
                    format!(
                        "key prefix `{s}` would be shared with table `{}`",
                        keyed[j].name
                    ),
                )
                .found(format!(
                    "`{}` and `{}` both strip to `{s}`",
                    keyed[j].name, keyed[i].name
                ))
                .expected("table names that differ after removing dim_/fct_/evt_"),
            );
        }
    }
    let first = |s: &String| s.chars().next().map(String::from).unwrap_or_default();
    keyed
        .iter()
        .zip(&stripped)
        .map(|(d, s)| {
            let collides = stripped.iter().filter(|o| first(o) == first(s)).count() > 1;
            (
                d.name.to_owned(),
                if collides { s.clone() } else { first(s) },
            )
        })
        .collect()
}
