//! Rules for the declared schema (`dimensions`, `facts`, `events`) and the
//! auto schema: grains, column types and where each may appear, keys, key
//! prefixes, name collisions and fact dependencies.

use super::{Ctx, SQL_IDENTIFIER, check_unique, is_sql_identifier, root};
use crate::dsl::column_type::{self, ColumnType};
use crate::error::{FieldPath, ValidationError};
use crate::model::{Column, DimPer, Event, Fact, Trigger};
use crate::plan::{ColumnPlan, Grain, TableKind, TablePlan};

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
        return auto_schema(cx);
    }
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

/// Appends bridge tables, inserting the auto `dim_date` and `dim_<unit>` a
/// declared schema relies on.
pub(super) fn with_bridges(
    cx: &Ctx<'_>,
    mut tables: Vec<TablePlan>,
    bridges: Vec<TablePlan>,
) -> Vec<TablePlan> {
    if !tables.iter().any(|t| t.name == "dim_date") {
        tables.insert(0, dim_date_plan());
    }
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

/// Column types allowed per table class, and each type's own fields.
fn check_columns(cx: &mut Ctx<'_>, d: &Decl<'_>, decls: &[Decl<'_>]) {
    let mut scd_seen = false;
    for (j, (col, ty)) in d.columns.iter().zip(&d.parsed).enumerate() {
        let Some(ty) = ty else { continue };
        let tp = d.col_path(j).key("type");
        let allowed = |classes: &[Class]| classes.contains(&d.class);
        let ok = match ty {
            ColumnType::Id => true,
            ColumnType::Ref(_) => !matches!(d.class, Class::DimDate | Class::DimReference),
            ColumnType::Metric(_) => d.class == Class::FactPeriod,
            ColumnType::Faker { .. } => true,
            ColumnType::Geo(_) => allowed(&[Class::DimEntity, Class::DimSub, Class::DimReference]),
            ColumnType::Static(_) => d.class != Class::DimDate,
            ColumnType::Pool(_) => allowed(&[
                Class::DimEntity,
                Class::FactPeriod,
                Class::FactVariable,
                Class::FactChild,
                Class::Event,
            ]),
            ColumnType::SegmentCount => d.class == Class::DimEntity,
            ColumnType::Range | ColumnType::Timestamp | ColumnType::Bucket => {
                d.class.is_fact() || d.class == Class::Event
            }
            ColumnType::Flag => {
                d.class == Class::Event && d.event.is_some_and(|e| e.trigger == Trigger::Threshold)
            }
            ColumnType::Scd => d.class == Class::DimEntity,
            ColumnType::Narrative => d.class == Class::FactPeriod,
            ColumnType::Struct | ColumnType::Array => {
                (d.class.is_dim() && d.class != Class::DimDate) || d.class.is_fact()
            }
            ColumnType::DateWord(_) => d.class == Class::DimDate,
        };
        if !ok {
            let hint = match ty {
                ColumnType::Metric(_) if d.class == Class::FactVariable => {
                    "metric columns belong on per-entity-per-period facts (variable-grain facts have no per-period value)"
                }
                ColumnType::Flag => "flag columns belong on threshold events",
                ColumnType::DateWord(_) => "date/int/string/float columns belong on dim_date only",
                ColumnType::SegmentCount => "segment.count belongs on a per-unit dimension",
                _ => "a table of another kind",
            };
            cx.push(
                ValidationError::new(
                    tp.clone(),
                    format!(
                        "column type `{}` is not allowed on {}",
                        col.r#type,
                        d.class.describe()
                    ),
                )
                .found(format!("`{}` in `{}`", col.r#type, d.name))
                .expected(hint),
            );
            continue;
        }
        check_column_fields(cx, d, j, col, ty);
        match ty {
            ColumnType::Ref(target) => check_ref(cx, d, j, target, decls),
            ColumnType::Metric(m) if !cx.has_metric(m) => {
                cx.unknown_metric(tp, m);
            }
            ColumnType::Pool(attr) => check_pool(cx, tp, attr),
            ColumnType::Scd => {
                if scd_seen {
                    cx.push(ValidationError::new(
                        tp,
                        "a dimension can hold at most one scd column",
                    ));
                }
                scd_seen = true;
                check_scd(cx, d, j, col, decls);
            }
            ColumnType::Narrative => check_narrative(cx, d.col_path(j), col),
            _ => {}
        }
    }
    if d.class == Class::DimReference {
        let lens: Vec<usize> = d
            .parsed
            .iter()
            .filter_map(|t| match t {
                Some(ColumnType::Static(v)) => Some(v.split(',').count()),
                _ => None,
            })
            .filter(|&n| n > 1)
            .collect();
        if lens.windows(2).any(|w| w[0] != w[1]) {
            cx.push(
                ValidationError::new(
                    d.path.key("columns"),
                    "the comma lists of a reference dimension differ in length",
                )
                .found(format!("lengths {lens:?}"))
                .expected("lists of one length (a single value is repeated on every row)"),
            );
        }
    }
}

/// Fields that only belong to one column type must not appear on others, and
/// required ones must be present.
fn check_column_fields(cx: &mut Ctx<'_>, d: &Decl<'_>, j: usize, col: &Column, ty: &ColumnType) {
    let p = d.col_path(j);
    let owner: &[(&str, bool, &str)] = &[
        ("tracks", col.tracks.is_some(), "scd"),
        ("tiers", col.tiers.is_some(), "scd"),
        ("at", col.at.is_some(), "scd"),
        ("labels", col.labels.is_some(), "bucket"),
        ("template", col.template.is_some(), "narrative"),
        ("lexicons", col.lexicons.is_some(), "narrative"),
        ("bands", col.bands.is_some(), "narrative"),
        ("nested_schema", col.nested_schema.is_some(), "struct"),
        (
            "array_element_type",
            col.array_element_type.is_some(),
            "array",
        ),
        ("array_length", col.array_length.is_some(), "array"),
        ("range", col.range.is_some(), "range"),
    ];
    let type_word = match ty {
        ColumnType::Scd => "scd",
        ColumnType::Bucket => "bucket",
        ColumnType::Narrative => "narrative",
        ColumnType::Struct => "struct",
        ColumnType::Array => "array",
        ColumnType::Range => "range",
        _ => "",
    };
    for (field, set, belongs) in owner {
        if *set && *belongs != type_word {
            cx.push(
                ValidationError::new(
                    p.key(*field),
                    format!("`{field}` only applies to {belongs} columns"),
                )
                .found(format!("`{field}` on a `{}` column", col.r#type)),
            );
        }
    }
    match ty {
        ColumnType::Bucket => match &col.labels {
            None => cx.push(
                ValidationError::new(p.key("labels"), "a bucket column needs `labels`")
                    .expected("2-20 unique labels"),
            ),
            Some(l) => {
                if l.len() < 2 || l.len() > 20 {
                    cx.push(
                        ValidationError::new(p.key("labels"), "wrong number of labels")
                            .found(l.len())
                            .expected("2-20 labels"),
                    );
                }
                check_unique(
                    cx,
                    "label",
                    l.iter()
                        .enumerate()
                        .map(|(i, x)| (p.key("labels").index(i), x.as_str())),
                );
            }
        },
        ColumnType::Range => match col.range {
            None => cx.push(ValidationError::new(
                p.key("range"),
                "a range column needs `range: [min, max]`",
            )),
            Some([lo, hi]) => {
                if !(lo.as_f64().is_finite() && hi.as_f64().is_finite())
                    || hi.as_f64() < lo.as_f64()
                {
                    cx.push(
                        ValidationError::new(
                            p.key("range"),
                            "the range maximum is below its minimum",
                        )
                        .found(format!("[{lo}, {hi}]"))
                        .expected("[min, max] with min <= max"),
                    );
                }
            }
        },
        ColumnType::Struct => match &col.nested_schema {
            None => cx.push(ValidationError::new(
                p.key("nested_schema"),
                "a struct column needs `nested_schema`",
            )),
            Some(fields) => {
                if fields.is_empty() || fields.len() > 20 {
                    cx.push(
                        ValidationError::new(p.key("nested_schema"), "wrong number of fields")
                            .found(fields.len())
                            .expected("1-20 fields"),
                    );
                }
                for (k, v) in fields {
                    if !matches!(v.as_str(), "int" | "float" | "string" | "boolean") {
                        cx.push(
                            ValidationError::new(
                                p.key("nested_schema").key(k.clone()),
                                format!("unknown field type `{v}`"),
                            )
                            .expected("one of: int, float, string, boolean"),
                        );
                    }
                }
            }
        },
        ColumnType::Array => {
            match col.array_element_type.as_deref() {
                None => cx.push(ValidationError::new(
                    p.key("array_element_type"),
                    "an array column needs `array_element_type`",
                )),
                Some("int" | "float" | "string" | "boolean") => {}
                Some(other) => cx.push(
                    ValidationError::new(
                        p.key("array_element_type"),
                        format!("unknown element type `{other}`"),
                    )
                    .expected("one of: int, float, string, boolean"),
                ),
            }
            if let Some(n) = col.array_length.filter(|n| !(1..=100).contains(n)) {
                cx.push(
                    ValidationError::new(p.key("array_length"), "array length out of range")
                        .found(n)
                        .expected("1-100"),
                );
            }
        }
        _ => {}
    }
}

fn check_ref(cx: &mut Ctx<'_>, d: &Decl<'_>, j: usize, target: &str, decls: &[Decl<'_>]) {
    let tp = d.col_path(j).key("type");
    let known = known_tables(decls);
    if !known.contains(&target) {
        cx.unknown_name(tp, "table in ref", target, known.iter().copied());
        return;
    }
    if target == d.name {
        cx.push(ValidationError::new(
            tp,
            format!("table `{}` references itself", d.name),
        ));
        return;
    }
    let Some(t) = find(decls, target) else { return };
    let bad = match (d.class.is_dim(), t.kind) {
        (true, TableKind::Dimension) if t.class == Class::DimSub => {
            Some("a dimension may not reference a sub-entity dimension")
        }
        (true, TableKind::Fact | TableKind::Event) => {
            Some("a dimension may only reference dimensions")
        }
        (false, TableKind::Event) => Some("event tables cannot be referenced"),
        _ => None,
    };
    if let Some(msg) = bad {
        cx.push(ValidationError::new(tp, msg).found(format!("ref.{target}")));
    }
}

fn check_pool(cx: &mut Ctx<'_>, path: FieldPath, attr: &str) {
    let common = common_attributes(cx);
    if !common.iter().any(|a| a == attr) {
        let missing: Vec<&str> = cx
            .config
            .segments
            .iter()
            .filter(|s| !s.attributes.contains_key(attr))
            .map(|s| s.name.as_str())
            .collect();
        cx.push(
            ValidationError::new(
                path,
                format!("attribute `{attr}` is not declared on every segment"),
            )
            .found(format!("missing on: {}", missing.join(", ")))
            .expected(if common.is_empty() {
                "an attribute declared under `attributes` of every segment".to_owned()
            } else {
                format!("one of: {}", common.join(", "))
            })
            .suggestion(crate::words::suggest(
                attr,
                common.iter().map(String::as_str),
            )),
        );
    }
}

/// The first fact (in declaration order) with a `metric.<m>` column.
fn fact_projecting<'a, 'b>(decls: &'b [Decl<'a>], metric: &str) -> Option<&'b Decl<'a>> {
    decls
        .iter()
        .filter(|d| d.kind == TableKind::Fact)
        .find(|d| {
            d.parsed
                .iter()
                .any(|t| matches!(t, Some(ColumnType::Metric(m)) if m == metric))
        })
}

fn check_scd(cx: &mut Ctx<'_>, d: &Decl<'_>, j: usize, col: &Column, decls: &[Decl<'_>]) {
    let p = d.col_path(j);
    match &col.tracks {
        None => cx.push(ValidationError::new(
            p.key("tracks"),
            "an scd column needs `tracks: <metric>`",
        )),
        Some(m) if !cx.has_metric(m) => {
            cx.unknown_metric(p.key("tracks"), m);
        }
        Some(m) if fact_projecting(decls, m).is_none() => cx.push(
            ValidationError::new(
                p.key("tracks"),
                format!("scd tracks metric `{m}`, but no fact table has a `metric.{m}` column"),
            )
            .expected("a fact column of type metric.<tracked metric>"),
        ),
        Some(_) => {}
    }
    let Some(tiers) = &col.tiers else {
        cx.push(
            ValidationError::new(p.key("tiers"), "an scd column needs `tiers`")
                .expected("2 or more tier labels"),
        );
        return;
    };
    if tiers.len() < 2 {
        cx.push(
            ValidationError::new(p.key("tiers"), "an scd column needs at least 2 tiers")
                .found(tiers.len()),
        );
    }
    check_unique(
        cx,
        "tier",
        tiers
            .iter()
            .enumerate()
            .map(|(i, t)| (p.key("tiers").index(i), t.as_str())),
    );
    let Some(at) = &col.at else {
        cx.push(
            ValidationError::new(p.key("at"), "an scd column needs `at` thresholds").expected(
                format!(
                    "{} values in (0, 1), ascending",
                    tiers.len().saturating_sub(1)
                ),
            ),
        );
        return;
    };
    if at.len() + 1 != tiers.len() {
        cx.push(
            ValidationError::new(
                p.key("at"),
                "`at` has one threshold between each pair of tiers",
            )
            .found(format!("{} thresholds for {} tiers", at.len(), tiers.len()))
            .expected(format!("{} thresholds", tiers.len().saturating_sub(1))),
        );
    }
    for (i, &x) in at.iter().enumerate() {
        if !(x > 0.0 && x < 1.0) {
            cx.push(
                ValidationError::new(p.key("at").index(i), "threshold out of range")
                    .found(x)
                    .expected("a number in (0, 1)"),
            );
        } else if i > 0 && x <= at[i - 1] {
            cx.push(
                ValidationError::new(
                    p.key("at").index(i),
                    "thresholds must be strictly ascending",
                )
                .found(x),
            );
        }
    }
}

/// `{slot}` placeholders of a template, in order of appearance, without duplicates.
fn placeholders(template: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else { break };
        let name = after[..j].trim().to_owned();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
        rest = &after[j + 1..];
    }
    out
}

fn check_narrative(cx: &mut Ctx<'_>, p: FieldPath, col: &Column) {
    let Some(template) = &col.template else {
        cx.push(ValidationError::new(
            p.key("template"),
            "a narrative column needs a `template`",
        ));
        return;
    };
    if template.chars().count() > 1000 {
        cx.push(
            ValidationError::new(p.key("template"), "the template is too long")
                .found(template.chars().count())
                .expected("at most 1000 characters"),
        );
    }
    let slots = placeholders(template);
    let default_bands = vec!["low".to_owned(), "mid".to_owned(), "high".to_owned()];
    let bands = col.bands.as_ref().unwrap_or(&default_bands);
    if bands.len() < 2 || bands.len() > 20 {
        cx.push(
            ValidationError::new(p.key("bands"), "wrong number of bands")
                .found(bands.len())
                .expected("2-20 bands"),
        );
    }
    let Some(lexicons) = &col.lexicons else {
        cx.push(ValidationError::new(
            p.key("lexicons"),
            "a narrative column needs `lexicons` (segment -> slot -> band -> phrases)",
        ));
        return;
    };
    let segment_names: Vec<&str> = cx.config.segments.iter().map(|s| s.name.as_str()).collect();
    for s in &segment_names {
        if !lexicons.contains_key(*s) {
            cx.push(
                ValidationError::new(p.key("lexicons"), format!("segment `{s}` has no lexicon"))
                    .expected("a lexicon for every segment"),
            );
        }
    }
    for (seg, slot_map) in lexicons {
        let lp = p.key("lexicons").key(seg.clone());
        if !segment_names.contains(&seg.as_str()) {
            cx.unknown_name(
                lp.clone(),
                "segment in lexicons",
                seg,
                segment_names.iter().copied(),
            );
            continue;
        }
        let mut names: Vec<&String> = slot_map.keys().collect();
        names.sort();
        let mut want: Vec<&String> = slots.iter().collect();
        want.sort();
        if names != want {
            cx.push(
                ValidationError::new(
                    lp.clone(),
                    "the lexicon's slots differ from the template's placeholders",
                )
                .found(format!("slots {names:?}"))
                .expected(format!("slots {want:?}")),
            );
        }
        for (slot, band_map) in slot_map {
            let mut got: Vec<&String> = band_map.keys().collect();
            got.sort();
            let mut want_b: Vec<&String> = bands.iter().collect();
            want_b.sort();
            if got != want_b {
                cx.push(
                    ValidationError::new(
                        lp.key(slot.clone()),
                        "the slot's bands differ from `bands`",
                    )
                    .found(format!("{got:?}"))
                    .expected(format!("{want_b:?}")),
                );
            }
            for (band, phrases) in band_map {
                if phrases.is_empty() || phrases.len() > 100 {
                    cx.push(
                        ValidationError::new(
                            lp.key(slot.clone()).key(band.clone()),
                            "wrong number of phrases",
                        )
                        .found(phrases.len())
                        .expected("1-100 phrases"),
                    );
                }
            }
        }
    }
}

/// A fact's FK to a unit dimension, if any.
fn has_entity_ref(d: &Decl<'_>, decls: &[Decl<'_>]) -> bool {
    d.refs()
        .any(|(_, t)| find(decls, t).is_some_and(|x| x.class == Class::DimEntity))
}

fn check_fact(cx: &mut Ctx<'_>, d: &Decl<'_>, decls: &[Decl<'_>]) {
    let Some(f) = d.fact else { return };
    let p = &d.path;
    match (&f.row_count_driver, f.row_count_scale) {
        (Some(_), None) => cx.push(ValidationError::new(
            p.key("row_count_scale"),
            "`row_count_driver` needs `row_count_scale`",
        )),
        (None, Some(_)) => cx.push(ValidationError::new(
            p.key("row_count_driver"),
            "`row_count_scale` needs `row_count_driver`",
        )),
        _ => {}
    }
    if let Some(s) = f.row_count_scale
        && !(s > 0.0 && s <= 100.0)
    {
        cx.push(
            ValidationError::new(p.key("row_count_scale"), "scale out of range")
                .found(s)
                .expected("a number in (0, 100]"),
        );
    }
    if let Some(m) = f.row_count_driver.as_deref().filter(|m| !cx.has_metric(m)) {
        cx.unknown_metric(p.key("row_count_driver"), m);
    }
    match (&f.parent_table, f.children_per_row) {
        (Some(_), None) => cx.push(ValidationError::new(
            p.key("children_per_row"),
            "`parent_table` needs `children_per_row: [min, max]`",
        )),
        (None, Some(_)) => cx.push(ValidationError::new(
            p.key("parent_table"),
            "`children_per_row` needs `parent_table`",
        )),
        _ => {}
    }
    if f.parent_table.is_some() && f.row_count_driver.is_some() {
        cx.push(ValidationError::new(
            p.key("parent_table"),
            "a fact is either a child (`parent_table`) or variable (`row_count_driver`), not both",
        ));
    }
    if let Some([lo, hi]) = f.children_per_row
        && (lo < 1 || hi < lo)
    {
        cx.push(
            ValidationError::new(p.key("children_per_row"), "invalid children range")
                .found(format!("[{lo}, {hi}]"))
                .expected("[min, max] with 1 <= min <= max"),
        );
    }
    match d.class {
        Class::FactPeriod => {
            if !d.refs().any(|(_, t)| t == "dim_date") {
                cx.push(
                    ValidationError::new(
                        p.key("columns"),
                        format!("fact `{}` needs a `ref.dim_date` column", d.name),
                    )
                    .expected("a column such as {name: date_key, type: ref.dim_date}"),
                );
            }
            if !has_entity_ref(d, decls) {
                cx.push(
                    ValidationError::new(
                        p.key("columns"),
                        format!(
                            "fact `{}` needs a column referencing a per-unit dimension",
                            d.name
                        ),
                    )
                    .expected("a column such as {name: <unit>_id, type: ref.dim_<unit>}"),
                );
            }
        }
        Class::FactChild => check_child(cx, d, f, decls),
        _ => {}
    }
    // Sibling references: a non-child fact pointing at another fact's rows.
    if d.class != Class::FactChild {
        for (j, t) in d.refs() {
            let Some(target) = find(decls, t).filter(|x| x.kind == TableKind::Fact) else {
                continue;
            };
            if !matches!(target.class, Class::FactVariable | Class::FactPeriod) {
                cx.push(
                    ValidationError::new(
                        d.col_path(j).key("type"),
                        "a sibling reference must target a variable or per-entity-per-period fact",
                    )
                    .found(format!("ref.{t} ({})", target.class.describe())),
                );
            }
            if !has_entity_ref(d, decls) {
                cx.push(
                    ValidationError::new(d.col_path(j).key("type"), "a fact referencing another fact needs its own column referencing a per-unit dimension"),
                );
            }
        }
    }
}

fn check_child(cx: &mut Ctx<'_>, d: &Decl<'_>, f: &Fact, decls: &[Decl<'_>]) {
    let Some(parent) = &f.parent_table else {
        return;
    };
    let pp = d.path.key("parent_table");
    let Some(pd) = find(decls, parent) else {
        let facts: Vec<&str> = decls
            .iter()
            .filter(|x| x.kind == TableKind::Fact)
            .map(|x| x.name)
            .collect();
        cx.unknown_name(pp, "parent fact", parent, facts.iter().copied());
        return;
    };
    if pd.kind != TableKind::Fact {
        cx.push(
            ValidationError::new(pp, "the parent table must be a fact")
                .found(format!("`{parent}` is not a fact")),
        );
        return;
    }
    if pd.class == Class::FactChild {
        cx.push(
            ValidationError::new(pp, "only one level of parent/child nesting is allowed")
                .found(format!("`{parent}` is itself a child")),
        );
        return;
    }
    let pk = primary_key(pd, decls);
    if pk.len() != 1 {
        cx.push(
            ValidationError::new(pp, "the parent must have a single-column key (a variable-grain fact with an id column)")
                .found(format!("key of `{parent}`: [{}]", pk.join(", "))),
        );
        return;
    }
    for (j, col) in d.columns.iter().enumerate() {
        if col.name == pk[0] {
            cx.push(
                ValidationError::new(
                    d.col_path(j).key("name"),
                    format!(
                        "column `{}` collides with the parent key that is added automatically",
                        col.name
                    ),
                )
                .expected("another column name"),
            );
        }
        if matches!(&d.parsed[j], Some(ColumnType::Ref(t)) if t == parent) {
            cx.push(ValidationError::new(
                d.col_path(j).key("type"),
                "a child fact gets its parent key automatically; do not declare `ref.<parent>`",
            ));
        }
    }
}

fn check_event(cx: &mut Ctx<'_>, d: &Decl<'_>, decls: &[Decl<'_>]) {
    let Some(e) = d.event else { return };
    let p = &d.path;
    let metric_on_fact = |cx: &mut Ctx<'_>, field: &str, m: &str| {
        if !cx.has_metric(m) {
            cx.unknown_metric(p.key(field.to_owned()), m);
        } else if fact_projecting(decls, m).is_none() {
            cx.push(
                ValidationError::new(
                    p.key(field.to_owned()),
                    format!(
                        "no fact table has a `metric.{m}` column, so the event has nothing to watch"
                    ),
                )
                .expected(format!("a fact column of type metric.{m}")),
            );
        }
    };
    let misplaced = |cx: &mut Ctx<'_>, field: &str, set: bool, trigger: &str| {
        if set {
            cx.push(ValidationError::new(
                p.key(field.to_owned()),
                format!("`{field}` does not apply to {trigger} events"),
            ));
        }
    };
    match e.trigger {
        Trigger::Proportional => {
            match &e.driver {
                None => cx.push(ValidationError::new(
                    p.key("driver"),
                    "a proportional event needs a `driver` metric",
                )),
                Some(m) => metric_on_fact(cx, "driver", m),
            }
            match e.scale {
                None => cx.push(
                    ValidationError::new(p.key("scale"), "a proportional event needs a `scale`")
                        .expected("a number in (0, 100]"),
                ),
                Some(s) if !(s > 0.0 && s <= 100.0) => cx.push(
                    ValidationError::new(p.key("scale"), "scale out of range")
                        .found(s)
                        .expected("a number in (0, 100]"),
                ),
                Some(_) => {}
            }
            misplaced(cx, "metric", e.metric.is_some(), "proportional");
            misplaced(cx, "above", e.above.is_some(), "proportional");
            misplaced(cx, "below", e.below.is_some(), "proportional");
            misplaced(cx, "for", e.r#for.is_some(), "proportional");
        }
        Trigger::Threshold => {
            match &e.metric {
                None => cx.push(ValidationError::new(
                    p.key("metric"),
                    "a threshold event needs a `metric`",
                )),
                Some(m) => metric_on_fact(cx, "metric", m),
            }
            match (e.above, e.below) {
                (Some(_), Some(_)) | (None, None) => cx.push(ValidationError::new(
                    p.key("above"),
                    "a threshold event needs exactly one of `above` or `below`",
                )),
                (Some(v), None) | (None, Some(v)) if !v.is_finite() => cx.push(
                    ValidationError::new(p.key("above"), "the threshold must be finite").found(v),
                ),
                _ => {}
            }
            if e.r#for == Some(0) {
                cx.push(
                    ValidationError::new(
                        p.key("for"),
                        "`for` counts periods and must be at least 1",
                    )
                    .found(0),
                );
            }
            misplaced(cx, "driver", e.driver.is_some(), "threshold");
            misplaced(cx, "scale", e.scale.is_some(), "threshold");
        }
    }
    if e.log_filename.is_some() && e.log_format.is_none() {
        cx.push(ValidationError::new(
            p.key("log_filename"),
            "`log_filename` needs `log_format`",
        ));
    }
    if let Some(name) = &e.log_filename
        && (name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.'))
    {
        cx.push(
            ValidationError::new(
                p.key("log_filename"),
                "the log file name must be a plain file name",
            )
            .found(format!("`{name}`"))
            .expected("a name without path separators or a leading dot"),
        );
    }
    if let Some(fmt) = &e.log_format {
        let cols: Vec<&str> = d.columns.iter().map(|c| c.name.as_str()).collect();
        for ph in placeholders(fmt) {
            let key = ph.split(':').next().unwrap_or("").to_owned();
            if !cols.contains(&key.as_str()) {
                cx.unknown_name(
                    p.key("log_format"),
                    "column in log_format",
                    &key,
                    cols.iter().copied(),
                );
            }
        }
    }
}

/// Child -> parent and fact -> sibling-referenced fact must not form a cycle.
fn check_fact_cycles(cx: &mut Ctx<'_>, decls: &[Decl<'_>]) {
    let facts: Vec<&Decl<'_>> = decls.iter().filter(|d| d.kind == TableKind::Fact).collect();
    let deps = |d: &Decl<'_>| -> Vec<String> {
        let mut v: Vec<String> = d
            .refs()
            .filter(|(_, t)| facts.iter().any(|f| f.name == *t))
            .map(|(_, t)| t.to_owned())
            .collect();
        if let Some(pt) = d.fact.and_then(|f| f.parent_table.clone()) {
            v.push(pt);
        }
        v
    };
    for start in &facts {
        let mut path = vec![start.name.to_owned()];
        let mut stack = vec![(start.name.to_owned(), 0usize)];
        let mut reported = false;
        while let Some((node, depth)) = stack.pop() {
            path.truncate(depth);
            path.push(node.clone());
            let Some(d) = facts.iter().find(|f| f.name == node) else {
                continue;
            };
            for next in deps(d) {
                if next == start.name && !reported {
                    let mut cycle = path.clone();
                    cycle.push(next.clone());
                    cx.push(
                        ValidationError::new(
                            start.path.clone(),
                            format!("fact dependency cycle: {}", cycle.join(" → ")),
                        )
                        .expected("parent and sibling references without cycles"),
                    );
                    reported = true;
                } else if !path.contains(&next) && depth < facts.len() {
                    stack.push((next, depth + 1));
                }
            }
        }
    }
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
