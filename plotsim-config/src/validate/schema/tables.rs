//! Fact and event rules: grains, parent/child and sibling references,
//! triggers, log files and the fact dependency graph.

use super::super::Ctx;
use super::columns::fact_projecting;
use super::{Class, Decl, find, primary_key};
use crate::dsl::column_type::ColumnType;
use crate::error::ValidationError;
use crate::model::{Fact, Trigger};
use crate::plan::TableKind;

/// A fact's FK to a unit dimension, if any.
fn has_entity_ref(d: &Decl<'_>, decls: &[Decl<'_>]) -> bool {
    d.refs()
        .any(|(_, t)| find(decls, t).is_some_and(|x| x.class == Class::DimEntity))
}

pub(super) fn check_fact(cx: &mut Ctx<'_>, d: &Decl<'_>, decls: &[Decl<'_>]) {
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

pub(super) fn check_event(cx: &mut Ctx<'_>, d: &Decl<'_>, decls: &[Decl<'_>]) {
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
        for key in crate::dsl::template::names(fmt) {
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
pub(super) fn check_fact_cycles(cx: &mut Ctx<'_>, decls: &[Decl<'_>]) {
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
