//! Primary keys and the prefixes of sequential keys.

use super::super::Ctx;
use super::{Class, Decl, find};
use crate::dsl::column_type::ColumnType;
use crate::error::ValidationError;
use crate::plan::TableKind;

pub(super) fn primary_key(d: &Decl<'_>, decls: &[Decl<'_>]) -> Vec<String> {
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
pub(super) fn key_prefixes(cx: &mut Ctx<'_>, decls: &[Decl<'_>]) -> Vec<(String, String)> {
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
