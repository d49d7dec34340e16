//! Bad input never panics: arbitrary strings and YAML-shaped text go to the
//! loader, validation and the DSL parsers.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use plotsim_config::Config;
use plotsim_config::dsl::{archetype, column_type, connection};
use proptest::prelude::*;

/// YAML-ish fragments that hit the config's shapes.
fn yamlish() -> impl Strategy<Value = String> {
    let keys = prop::sample::select(vec![
        "about",
        "unit",
        "window",
        "metrics",
        "segments",
        "connections",
        "noise",
        "output",
        "lifecycle",
        "stages",
        "seed",
        "name",
        "type",
        "range",
        "count",
        "archetype",
        "follows",
        "delay",
        "start",
        "end",
        "every",
        "dimensions",
        "facts",
        "events",
        "columns",
        "quality",
        "bridges",
        "entity_features",
        "holdout",
    ]);
    let values = prop::sample::select(vec![
        "x",
        "-5",
        "3.5",
        "[1, 2]",
        "[2023-01, 2023-12]",
        "{a: 1}",
        "growth > decline @ 3",
        "true",
        "null",
        "score",
        "amount",
        "count",
        "[]",
        "{}",
        "\"a b c\"",
        "[[a, 1, b]]",
        "- x",
        "&a 1",
        "*a",
        "!!str 1",
        "'",
        "2023-01-15",
        "1e400",
        "[a, true, b]",
        "{start: 2023-01}",
    ]);
    prop::collection::vec((0usize..3, keys, values), 0..12).prop_map(|items| {
        items
            .into_iter()
            .map(|(indent, k, v)| format!("{}{k}: {v}\n", "  ".repeat(indent)))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn loader_never_panics_on_arbitrary_text(s in any::<String>()) {
        if let Ok(c) = Config::from_yaml_str(&s) {
            let _ = c.validate();
        }
    }

    #[test]
    fn loader_never_panics_on_yaml_shapes(s in yamlish()) {
        if let Ok(c) = Config::from_yaml_str(&s) {
            let _ = c.validate();
            let _ = c.to_yaml();
        }
    }

    #[test]
    fn dsl_parsers_never_panic(s in any::<String>(), n in 0u32..500) {
        if let Ok(a) = archetype::parse(&s) {
            let _ = a.check_periods(n);
        }
        let _ = connection::parse(&s);
        let _ = column_type::parse(&s);
    }

    #[test]
    fn dsl_parsers_never_panic_on_dsl_shapes(s in "[a-z_ >@+0-9.,:-]{0,40}", n in 0u32..50) {
        if let Ok(a) = archetype::parse(&s) {
            let _ = a.check_periods(n);
        }
        let _ = connection::parse(&s);
        let _ = column_type::parse(&s);
    }

    #[test]
    fn valid_base_with_random_archetype_never_panics(dsl in "[a-z_ >@0-9]{0,30}", start in "[0-9-]{0,11}") {
        let yaml = format!(
            "about: x\nunit: u\nwindow: {{start: \"{start}\", end: 2024-12}}\nmetrics: [{{name: m, type: score, polarity: positive}}]\nsegments: [{{name: s, count: 3, archetype: \"{dsl}\"}}]\n"
        );
        if let Ok(c) = Config::from_yaml_str(&yaml) {
            let _ = c.validate();
        }
    }
}
