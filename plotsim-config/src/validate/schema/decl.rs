//! The declared tables while they are checked: each table's class (where its
//! rows come from), collected from the config and classified.

use super::super::Ctx;
use super::super::root;
use crate::dsl::column_type::{self, ColumnType};
use crate::error::{FieldPath, ValidationError};
use crate::model::{Column, DimPer, Event, Fact};
use crate::plan::{Grain, TableKind};

/// Where a table's rows come from; decides which column types it may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Class {
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
    pub(super) fn is_dim(self) -> bool {
        matches!(
            self,
            Class::DimDate | Class::DimEntity | Class::DimSub | Class::DimReference
        )
    }
    pub(super) fn is_fact(self) -> bool {
        matches!(
            self,
            Class::FactPeriod | Class::FactVariable | Class::FactChild
        )
    }
    pub(super) fn describe(self) -> &'static str {
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
    pub(super) fn grain(self) -> Grain {
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
pub(super) struct Decl<'a> {
    pub(super) name: &'a str,
    pub(super) path: FieldPath,
    pub(super) kind: TableKind,
    pub(super) columns: &'a [Column],
    pub(super) dim_per: Option<DimPer>,
    pub(super) reference: bool,
    pub(super) count: u32,
    pub(super) fact: Option<&'a Fact>,
    pub(super) event: Option<&'a Event>,
    pub(super) class: Class,
    pub(super) parsed: Vec<Option<ColumnType>>,
}

impl Decl<'_> {
    pub(super) fn refs(&self) -> impl Iterator<Item = (usize, &str)> {
        self.parsed.iter().enumerate().filter_map(|(j, t)| match t {
            Some(ColumnType::Ref(x)) => Some((j, x.as_str())),
            _ => None,
        })
    }
    pub(super) fn col_path(&self, j: usize) -> FieldPath {
        self.path.key("columns").index(j)
    }
}

pub(super) fn collect<'a>(cx: &Ctx<'a>) -> Vec<Decl<'a>> {
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

/// Parses column types and decides each table's class.
pub(super) fn classify(cx: &mut Ctx<'_>, decls: &mut [Decl<'_>]) {
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
pub(super) fn known_tables<'a>(decls: &'a [Decl<'a>]) -> Vec<&'a str> {
    let mut v: Vec<&str> = decls.iter().map(|d| d.name).collect();
    if !v.contains(&"dim_date") {
        v.insert(0, "dim_date");
    }
    v
}

pub(super) fn find<'a, 'b>(decls: &'b [Decl<'a>], name: &str) -> Option<&'b Decl<'a>> {
    decls.iter().find(|d| d.name == name)
}
