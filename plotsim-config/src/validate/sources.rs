//! Rules for `sources`: the multi-source copies of the unit dimension.

use super::{Ctx, SQL_IDENTIFIER, check_range, check_unique, is_sql_identifier, root, table};
use crate::error::ValidationError;
use crate::plan::{Grain, SourcePlan, SourcesPlan, TablePlan};

/// Checks the sources; `None` when they have errors, `Some(None)` when none
/// are declared.
pub(super) fn check_sources(cx: &mut Ctx<'_>, ts: &[TablePlan]) -> Option<Option<SourcesPlan>> {
    let sources = &cx.config.sources;
    if sources.is_empty() {
        return Some(None);
    }
    let before = cx.errors.len();
    let p = root().key("sources");
    if sources.len() < 2 || sources.len() > 5 {
        cx.push(
            ValidationError::new(p.clone(), "multi-source needs 2 to 5 sources")
                .found(sources.len())
                .expected("0 sources, or 2-5"),
        );
    }
    check_unique(
        cx,
        "source name",
        sources
            .iter()
            .enumerate()
            .map(|(i, s)| (p.index(i).key("name"), s.name.as_str())),
    );
    let unit_index = ts.iter().position(|t| t.grain == Grain::PerEntity);
    let unit_dim = unit_index.map(|i| &ts[i]);
    if unit_dim.is_none() {
        cx.push(ValidationError::new(
            p.clone(),
            "multi-source copies need a per-unit dimension",
        ));
    }
    for (i, s) in sources.iter().enumerate() {
        let sp = p.index(i);
        if !is_sql_identifier(&s.name) {
            cx.push(
                ValidationError::new(sp.key("name"), "not a valid source name")
                    .found(format!("`{}`", s.name))
                    .expected(SQL_IDENTIFIER),
            );
        }
        check_range(cx, sp.key("name_drift_rate"), s.name_drift_rate, 0.0, 1.0);
        check_range(
            cx,
            sp.key("attribute_drift_rate"),
            s.attribute_drift_rate,
            0.0,
            1.0,
        );
        if let Some(dim) = unit_dim {
            let copy = format!("{}_{}", dim.name, s.name);
            if table(ts, &copy).is_some() {
                cx.push(ValidationError::new(
                    sp.key("name"),
                    format!("the source copy `{copy}` collides with a table"),
                ));
            }
        }
    }
    if cx.errors.len() != before {
        return None;
    }
    let dim = unit_dim?;
    Some(Some(SourcesPlan {
        unit_dim: unit_index?,
        sources: sources
            .iter()
            .map(|s| SourcePlan {
                name: s.name.clone(),
                table: format!("{}_{}", dim.name, s.name),
                key_scheme: s.key_scheme,
                name_drift_rate: s.name_drift_rate,
                attribute_drift_rate: s.attribute_drift_rate,
            })
            .collect(),
    }))
}
