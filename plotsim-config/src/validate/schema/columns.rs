//! Column types: where each may appear, the fields each needs, and the
//! references, pools, SCD and narrative columns they name.

use super::super::{Ctx, check_unique};
use super::{Class, Decl, common_attributes, find, known_tables};
use crate::dsl::column_type::ColumnType;
use crate::error::{FieldPath, ValidationError};
use crate::model::{Column, Trigger};
use crate::plan::TableKind;

/// Column types allowed per table class, and each type's own fields.
pub(super) fn check_columns(cx: &mut Ctx<'_>, d: &Decl<'_>, decls: &[Decl<'_>]) {
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
            // A range also fills dimensions (the original's dims could not).
            ColumnType::Range => d.class != Class::DimDate,
            ColumnType::Timestamp => d.class.is_fact() || d.class == Class::Event,
            // On a dimension, by the entity's mean position (the original
            // accepted it and crashed).
            ColumnType::Bucket => {
                d.class.is_fact()
                    || d.class == Class::Event
                    || matches!(d.class, Class::DimEntity | Class::DimSub)
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
pub(super) fn fact_projecting<'a, 'b>(decls: &'b [Decl<'a>], metric: &str) -> Option<&'b Decl<'a>> {
    decls
        .iter()
        .filter(|d| d.kind == TableKind::Fact)
        .find(|d| {
            d.parsed
                .iter()
                .any(|t| matches!(t, Some(ColumnType::Metric(m)) if m == metric))
                // A per-entity-per-period fact's `metrics:` list adds the column.
                || (d.class == Class::FactPeriod
                    && d.fact.is_some_and(|f| f.metrics.iter().any(|m| m == metric)))
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
    let slots = crate::dsl::template::names(template);
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
