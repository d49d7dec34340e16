//! One test per validation error of the builder dialect (spec/surface.md
//! §6.1 and the engine rules a builder config can trigger). Each test checks
//! the field path and the message; YAML-level problems (types, unknown words
//! and keys, shapes) check the line:column too.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use plotsim_config::{Config, ConfigErrors};

const BASE: &str = "\
about: test panel
unit: company
window: [2023-01, 2024-12]
metrics:
  - {name: engagement, type: score, polarity: positive}
  - {name: mrr, type: amount, polarity: positive, range: [50, 50000]}
  - {name: tickets, type: count, polarity: negative}
segments:
  - {name: growers, count: 10, archetype: growth}
  - {name: churners, count: 5, archetype: \"flat > decline @ 10\"}
";

/// The base config with `extra` appended at top level.
fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

/// The base config with one substring replaced (panics if it is absent).
fn replace(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "{from} not in BASE");
    BASE.replacen(from, to, 1)
}

fn errors(yaml: &str) -> ConfigErrors {
    let config = Config::from_yaml_str(yaml).unwrap_or_else(|e| panic!("load failed: {e}"));
    match config.validate() {
        Ok(_) => panic!("expected validation errors for:\n{yaml}"),
        Err(e) => e,
    }
}

/// Asserts an error at `path` whose display contains every `needles` item.
#[track_caller]
fn expect(yaml: &str, path: &str, needles: &[&str]) {
    let errs = errors(yaml);
    let at = errs.at(path);
    assert!(!at.is_empty(), "no error at `{path}`; got:\n{errs}");
    let text: Vec<String> = at.iter().map(|e| e.to_string()).collect();
    for n in needles {
        assert!(
            text.iter().any(|t| t.contains(n)),
            "no error at `{path}` mentions `{n}`; got:\n{errs}"
        );
    }
    assert!(
        at.iter().all(|e| e.location.is_some()),
        "errors at `{path}` lack a line:column: {text:?}"
    );
}

/// Asserts that loading fails with a message containing `needle` at `line:col`.
#[track_caller]
fn expect_load(yaml: &str, line_col: &str, needles: &[&str]) {
    let e = Config::from_yaml_str(yaml)
        .expect_err("expected a load error")
        .to_string();
    assert!(
        e.starts_with(&format!("{line_col}: ")),
        "expected position {line_col}: {e}"
    );
    for n in needles {
        assert!(e.contains(n), "`{n}` not in: {e}");
    }
}

#[test]
fn base_is_valid() {
    let plan = Config::from_yaml_str(BASE).unwrap().validate().unwrap();
    assert_eq!(plan.cells(), 15 * 24);
}

// ---- names -------------------------------------------------------------

#[test]
fn duplicate_metric_name() {
    expect(
        &replace("name: tickets", "name: mrr"),
        "metrics[2].name",
        &["duplicate metric name `mrr`"],
    );
}

#[test]
fn duplicate_segment_name() {
    expect(
        &replace("name: churners", "name: growers"),
        "segments[1].name",
        &["duplicate segment name `growers`"],
    );
}

#[test]
fn bad_metric_and_segment_names() {
    expect(
        &replace("name: tickets", "name: \"tic-kets\""),
        "metrics[2].name",
        &["letters, digits and underscores", "`tic-kets`"],
    );
    expect(
        &replace("name: growers", "name: \"grow ers\""),
        "segments[0].name",
        &["letters, digits and underscores"],
    );
}

#[test]
fn unit_must_be_an_identifier() {
    expect(
        &replace("unit: company", "unit: \"my company\""),
        "unit",
        &["SQL-safe identifier"],
    );
}

#[test]
fn table_and_column_names_must_be_sql_safe() {
    let y = with(
        "facts:\n  - name: \"fct-x\"\n    columns:\n      - {name: date_key, type: ref.dim_date}\n      - {name: \"1bad\", type: metric.mrr}\n",
    );
    expect(&y, "facts[0].name", &["not a valid table name", "SQL-safe"]);
    expect(&y, "facts[0].columns[1].name", &["not a valid column name"]);
}

// ---- causal lag --------------------------------------------------------

#[test]
fn follows_without_delay_and_delay_without_follows() {
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, follows: engagement}",
        ),
        "metrics[2].delay",
        &["`follows` is set without `delay`"],
    );
    expect(
        &replace("polarity: negative}", "polarity: negative, delay: 2}"),
        "metrics[2].follows",
        &["`delay` is set without `follows`"],
    );
}

#[test]
fn delay_at_least_one() {
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, follows: engagement, delay: 0}",
        ),
        "metrics[2].delay",
        &["at least one period", "found 0"],
    );
}

#[test]
fn metric_cannot_follow_itself() {
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, follows: tickets, delay: 1}",
        ),
        "metrics[2].follows",
        &["cannot follow itself"],
    );
}

#[test]
fn follows_unknown_metric_suggests() {
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, follows: engagment, delay: 1}",
        ),
        "metrics[2].follows",
        &[
            "unknown metric `engagment`",
            "engagement, mrr, tickets",
            "did you mean `engagement`?",
        ],
    );
}

#[test]
fn follows_cycle() {
    let y = replace(
        "polarity: positive}",
        "polarity: positive, follows: tickets, delay: 1}",
    )
    .replacen(
        "polarity: negative}",
        "polarity: negative, follows: engagement, delay: 1}",
        1,
    );
    let errs = errors(&y);
    let cycles: Vec<_> = errs
        .errors()
        .iter()
        .filter(|e| e.message.contains("cycle"))
        .collect();
    assert_eq!(cycles.len(), 1, "{errs}");
    assert!(
        cycles[0]
            .message
            .contains("engagement → tickets → engagement"),
        "{errs}"
    );
}

#[test]
fn lag_cap_per_granularity() {
    let y = replace(
        "polarity: negative}",
        "polarity: negative, follows: engagement, delay: 121}",
    );
    expect(
        &y,
        "metrics[2].delay",
        &["monthly granularity cap", "at most 120"],
    );
}

#[test]
fn decay_window_needs_follows() {
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, decay_window: 3}",
        ),
        "metrics[2].decay_window",
        &["needs a lag"],
    );
}

// ---- metric shape --------------------------------------------------------

#[test]
fn range_rules_per_type() {
    expect(
        &replace(", range: [50, 50000]", ""),
        "metrics[1].range",
        &["type `amount` needs a range"],
    );
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, range: [-1, 10]}",
        ),
        "metrics[2].range",
        &["must not go below 0", "[-1, 10]"],
    );
    expect(
        &replace("range: [50, 50000]", "range: [500, 50]"),
        "metrics[1].range",
        &["minimum must be less than its maximum", "[500, 50]"],
    );
}

#[test]
fn index_needs_range() {
    let y = BASE.replace(
        "  - {name: tickets",
        "  - {name: idx, type: index, polarity: positive}\n  - {name: tickets",
    );
    expect(&y, "metrics[2].range", &["type `index` needs a range"]);
}

#[test]
fn distribution_params_rules() {
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, distribution_params: {shape: 1}}",
        ),
        "metrics[2].distribution_params",
        &["`distribution` is not"],
    );
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, distribution: weibull}",
        ),
        "metrics[2].distribution_params",
        &["missing params: shape"],
    );
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, distribution: weibull, distribution_params: {shape: 1.5, rate: 3}}",
        ),
        "metrics[2].distribution_params.rate",
        &["does not take param `rate`", "only: shape, scale"],
    );
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, distribution: poisson, distribution_params: {mu: 3}}",
        ),
        "metrics[2].distribution_params.mu",
        &["does not take param `mu`", "only: lambda"],
    );
    expect(
        &replace(
            "polarity: negative}",
            "polarity: negative, distribution: poisson, distribution_params: {lambda: -3}}",
        ),
        "metrics[2].distribution_params.lambda",
        &["distribution params are positive"],
    );
}

#[test]
fn unknown_metric_type_is_a_load_error_with_suggestion() {
    expect_load(
        &replace("type: amount", "type: amout"),
        "6:23",
        &[
            "metrics[1].type",
            "unknown metric type `amout`",
            "did you mean `amount`?",
        ],
    );
    expect_load(
        &replace("polarity: negative", "polarity: negativ"),
        "7:44",
        &[
            "metrics[2].polarity",
            "unknown polarity",
            "did you mean `negative`?",
        ],
    );
}

// ---- connections ----------------------------------------------------------

#[test]
fn connection_token_count() {
    expect(
        &with("connections: [\"mrr driven_by\"]\n"),
        "connections[0]",
        &["exactly 3 tokens, found 2 (at character 14)"],
    );
    // An unknown word does not hide an unknown endpoint.
    let errs = errors(&with("connections: [\"mrr drivn_by engagment\"]\n"));
    assert_eq!(errs.at("connections[0]").len(), 2, "{errs}");
}

#[test]
fn connection_unknown_word() {
    expect(
        &with("connections: [\"mrr drivn_by engagement\"]\n"),
        "connections[0]",
        &[
            "unknown relationship word `drivn_by`",
            "mirrors (+0.75)",
            "did you mean `driven_by`?",
        ],
    );
}

#[test]
fn connection_word_and_coefficient() {
    expect(
        &with(
            "connections:\n  - {metric_a: mrr, metric_b: engagement, relationship: related, coefficient: 0.3}\n",
        ),
        "connections[0]",
        &["both `relationship` and `coefficient`"],
    );
    expect(
        &with("connections:\n  - {metric_a: mrr, metric_b: engagement}\n"),
        "connections[0]",
        &["needs a `relationship` word or a `coefficient`"],
    );
}

#[test]
fn connection_coefficient_range() {
    expect(
        &with("connections: [\"mrr 1.5 engagement\"]\n"),
        "connections[0]",
        &["coefficient out of range", "found 1.5", "[-1, 1]"],
    );
    expect(
        &with("connections: [[mrr, -2, engagement]]\n"),
        "connections[0]",
        &["coefficient out of range"],
    );
}

#[test]
fn connection_endpoints() {
    expect(
        &with("connections: [\"mrr related mrr\"]\n"),
        "connections[0]",
        &["two different metrics"],
    );
    expect(
        &with("connections: [\"mrr related engagment\"]\n"),
        "connections[0]",
        &[
            "connection mrr ~ engagment: unknown metric `engagment` (at character 13)",
            "did you mean `engagement`?",
        ],
    );
}

#[test]
fn connection_duplicate_pair() {
    expect(
        &with("connections: [\"mrr related engagement\", \"engagement 0.2 mrr\"]\n"),
        "connections[1]",
        &["declared twice"],
    );
}

#[test]
fn connection_list_shape_errors_are_load_errors() {
    expect_load(
        &with("connections: [[mrr, true, engagement]]\n"),
        "11:21",
        &["connections[0]", "boolean"],
    );
    expect_load(
        &with("connections: [[mrr, related]]\n"),
        "11:15",
        &["exactly 3 elements"],
    );
}

#[test]
fn phases() {
    let y = with(
        "connections: [\"mrr related engagement\"]\nconnection_phases:\n  - {start_period: 0, end_period: 10, connections: [\"mrr 0.1 engagement\"]}\n  - {start_period: 5, end_period: 30}\n",
    );
    expect(
        &y,
        "connection_phases[1]",
        &["overlaps connection_phases[0]"],
    );
    expect(
        &y,
        "connection_phases[1].end_period",
        &["after the window", "[0, 23]"],
    );
    let y = with(
        "connection_phases:\n  - {start_period: 0, end_period: 3, connections: [\"mrr 0.1 engagement\"]}\n",
    );
    expect(&y, "connection_phases", &["need baseline `connections`"]);
}

// ---- archetype DSL ---------------------------------------------------------

#[test]
fn archetype_dsl_errors_name_the_position() {
    let at = |dsl: &str, needles: &[&str]| {
        expect(
            &replace("archetype: growth", &format!("archetype: \"{dsl}\"")),
            "segments[0].archetype",
            needles,
        );
    };
    at("", &["archetype is empty"]);
    at("growth + decline", &["layered patterns", "at character 8"]);
    at(
        "flat > decline",
        &["need 1 `@ <period>` transition(s), found 0"],
    );
    at(
        "flat > declin @ 10",
        &[
            "unknown shape `declin`",
            "at character 8",
            "did you mean `decline`?",
        ],
    );
    at(
        "flat > decline @ ten",
        &["`ten` is not a period", "at character 18"],
    );
    at("flat > decline @ 24", &["outside the window", "[1, 23]"]);
    at("flat > growth > flat @ 12 @ 6", &["strictly ascending"]);
    at("growth >", &["empty shape"]);
    at("flat > decline @", &["empty `@` clause"]);
}

// ---- segments ----------------------------------------------------------------

#[test]
fn segment_count_minimum() {
    expect(
        &replace("count: 5", "count: 0"),
        "segments[1].count",
        &["at least 1 entity", "found 0"],
    );
}

#[test]
fn baseline_rules() {
    expect_load(
        &replace(
            "archetype: growth}",
            "archetype: growth, baseline: {mrr: hi}}",
        ),
        "9:67",
        &[
            "segments[0].baseline.mrr",
            "unknown baseline level `hi`",
            "high, mid, low",
        ],
    );
    expect(
        &replace(
            "archetype: growth}",
            "archetype: growth, baseline: {revenue: high}}",
        ),
        "segments[0].baseline.revenue",
        &["unknown metric `revenue`"],
    );
}

#[test]
fn arrival_rules() {
    expect(
        &replace(
            "archetype: growth}",
            "archetype: growth, arrival: {kind: explicit, start_periods: [0, 1]}}",
        ),
        "segments[0].arrival.start_periods",
        &["one start period per entity", "10 (the segment's count)"],
    );
    expect(
        &replace(
            "archetype: growth}",
            "archetype: growth, arrival: {kind: step, blocks: [{period: 0, fraction: 0.5}, {period: 3, fraction: 0.3}]}}",
        ),
        "segments[0].arrival.blocks",
        &["must sum to 1", "0.8000"],
    );
    expect(
        &replace(
            "archetype: growth}",
            "archetype: growth, arrival: {kind: uniform, start: 5, end: 5}}",
        ),
        "segments[0].arrival.end",
        &["span is empty"],
    );
    expect(
        &replace(
            "archetype: growth}",
            "archetype: growth, arrival: {kind: uniform, start: 23}}",
        ),
        "segments[0].arrival.start",
        &["fewer than 2 active periods", "<= 22"],
    );
    expect_load(
        &replace(
            "archetype: growth}",
            "archetype: growth, arrival: {kind: sideways}}",
        ),
        "9:67",
        &[
            "segments[0].arrival.kind",
            "unknown arrival kind `sideways`",
        ],
    );
    // Type errors inside an arrival keep their exact path and position.
    expect_load(
        &replace(
            "archetype: growth}",
            "archetype: growth, arrival: {kind: step, blocks: [{period: 0, fraction: lots}]}}",
        ),
        "9:104",
        &[
            "segments[0].arrival.blocks[0].fraction",
            "expected a number, found lots",
        ],
    );
    expect_load(
        &replace(
            "archetype: growth}",
            "archetype: growth, arrival: {kind: uniform, direction: increasing}}",
        ),
        "9:60",
        &[
            "segments[0].arrival",
            "`direction` does not apply to a `uniform` arrival",
        ],
    );
}

#[test]
fn treatment_rules() {
    let y = replace(
        "archetype: growth}",
        "archetype: growth, treatment: {fraction: 1.5, lift_log_odds: 0.4, start_period: 30, target_metric: revenue}}",
    );
    expect(&y, "segments[0].treatment.fraction", &["[0, 1]"]);
    expect(
        &y,
        "segments[0].treatment.start_period",
        &["after the window"],
    );
    expect(
        &y,
        "segments[0].treatment.target_metric",
        &["unknown metric `revenue`"],
    );
}

// ---- lifecycle ---------------------------------------------------------------

#[test]
fn lifecycle_rules() {
    expect(
        &with("lifecycle: {track: engagement, stages: [{trial: 0.0}]}\n"),
        "lifecycle.stages",
        &["2 to 10 stages"],
    );
    expect(
        &with("lifecycle: {track: engagement, stages: [{a: 0.0}, {b: 1.5}]}\n"),
        "lifecycle.stages[1]",
        &["[0, 1]"],
    );
    expect(
        &with("lifecycle: {track: engagement, stages: [[a, 0.5], [b, 0.2]]}\n"),
        "lifecycle.stages[1]",
        &["strictly ascending"],
    );
    expect(
        &with("lifecycle: {track: engagement, stages: [{a: 0.1}, {a: 0.2}]}\n"),
        "lifecycle.stages[1]",
        &["duplicate stage name `a`"],
    );
    expect(
        &with("stages: {track: engagment, stages: [{a: 0.1}, {b: 0.2}]}\n"),
        "lifecycle.track",
        &["unknown metric `engagment`"],
    );
}

// ---- schema ------------------------------------------------------------------

const FACT: &str = "facts:\n  - name: fct_usage\n    columns:\n      - {name: date_key, type: ref.dim_date}\n      - {name: company_id, type: ref.dim_company}\n      - {name: engagement, type: metric.engagement}\n      - {name: mrr, type: metric.mrr}\n";
const DIM: &str = "dimensions:\n  - name: dim_company\n    per: unit\n    columns:\n      - {name: company_id, type: id}\n";

fn schema(extra_dim_cols: &str, extra_fact_cols: &str, rest: &str) -> String {
    with(&format!(
        "{DIM}{extra_dim_cols}{FACT}{extra_fact_cols}{rest}"
    ))
}

#[test]
fn declared_schema_is_valid() {
    let plan = Config::from_yaml_str(&schema("", "", ""))
        .unwrap()
        .validate()
        .unwrap();
    let names: Vec<&str> = plan.tables.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["dim_date", "dim_company", "fct_usage"]);
    assert_eq!(
        plan.table("fct_usage").unwrap().primary_key,
        ["date_key", "company_id"]
    );
}

#[test]
fn reference_with_per() {
    let y = schema(
        "  - name: dim_plan\n    reference: true\n    per: unit\n    columns: [{name: plan_id, type: id}]\n",
        "",
        "",
    );
    expect(
        &y,
        "dimensions[1].reference",
        &["`reference` and `per` cannot both be set"],
    );
}

#[test]
fn unknown_column_type_lists_types() {
    let y = schema("", "      - {name: x, type: metirc.mrr}\n", "");
    expect(
        &y,
        "facts[0].columns[4].type",
        &[
            "unknown column type `metirc.mrr`",
            "id, ref.X, metric.X",
            "did you mean `metric.X`?",
        ],
    );
}

#[test]
fn bucket_range_struct_array_fields() {
    let y = schema(
        "      - {name: s, type: struct}\n      - {name: a, type: array}\n",
        "      - {name: b, type: bucket}\n      - {name: r, type: range}\n      - {name: r2, type: range, range: [5, 1]}\n      - {name: t, type: timestamp, labels: [x, y]}\n",
        "",
    );
    expect(
        &y,
        "dimensions[0].columns[1].nested_schema",
        &["needs `nested_schema`"],
    );
    expect(
        &y,
        "dimensions[0].columns[2].array_element_type",
        &["needs `array_element_type`"],
    );
    expect(&y, "facts[0].columns[4].labels", &["needs `labels`"]);
    expect(
        &y,
        "facts[0].columns[5].range",
        &["needs `range: [min, max]`"],
    );
    expect(
        &y,
        "facts[0].columns[6].range",
        &["maximum is below its minimum"],
    );
    expect(
        &y,
        "facts[0].columns[7].labels",
        &["only applies to bucket columns"],
    );
}

#[test]
fn scd_rules() {
    let y = schema("      - {name: tier, type: scd}\n", "", "");
    expect(&y, "dimensions[0].columns[1].tracks", &["needs `tracks"]);
    expect(&y, "dimensions[0].columns[1].tiers", &["needs `tiers`"]);
    let y = schema(
        "      - {name: tier, type: scd, tracks: tickets, tiers: [a, b, c], at: [0.5]}\n",
        "",
        "",
    );
    expect(
        &y,
        "dimensions[0].columns[1].tracks",
        &["no fact table has a `metric.tickets` column"],
    );
    expect(&y, "dimensions[0].columns[1].at", &["2 thresholds"]);
}

#[test]
fn narrative_rules() {
    let y = schema("", "      - {name: note, type: narrative}\n", "");
    expect(&y, "facts[0].columns[4].template", &["needs a `template`"]);
    let y = schema(
        "",
        "      - {name: note, type: narrative, template: \"{mood} day\"}\n",
        "",
    );
    expect(&y, "facts[0].columns[4].lexicons", &["needs `lexicons`"]);
    let lex = "      - name: note\n        type: narrative\n        template: \"{mood} day\"\n        lexicons:\n          growers: {mood: {low: [meh], mid: [ok], high: [great]}}\n";
    expect(
        &schema("", lex, ""),
        "facts[0].columns[4].lexicons",
        &["segment `churners` has no lexicon"],
    );
}

#[test]
fn date_words_only_on_dim_date() {
    expect(
        &schema("      - {name: year, type: int}\n", "", ""),
        "dimensions[0].columns[1].type",
        &["not allowed on a per-unit dimension", "dim_date only"],
    );
}

#[test]
fn flag_only_on_threshold_events() {
    let y = schema(
        "",
        "",
        "events:\n  - name: evt_login\n    trigger: proportional\n    driver: engagement\n    scale: 2\n    columns:\n      - {name: event_id, type: id}\n      - {name: ok, type: flag}\n",
    );
    expect(
        &y,
        "events[0].columns[1].type",
        &[
            "`flag` is not allowed on an event table",
            "threshold events",
        ],
    );
}

#[test]
fn segment_count_only_on_unit_dims() {
    expect(
        &schema("", "      - {name: n, type: segment.count}\n", ""),
        "facts[0].columns[4].type",
        &["segment.count belongs on a per-unit dimension"],
    );
}

#[test]
fn pool_attribute_on_every_segment() {
    let y = replace(
        "archetype: growth}",
        "archetype: growth, attributes: {region: [na, emea]}}",
    );
    let y = format!("{y}{DIM}      - {{name: region, type: pool.region}}\n{FACT}");
    expect(
        &y,
        "dimensions[0].columns[1].type",
        &[
            "attribute `region` is not declared on every segment",
            "missing on: churners",
        ],
    );
}

#[test]
fn unknown_geo_field() {
    expect(
        &schema("      - {name: p, type: geo.planet}\n", "", ""),
        "dimensions[0].columns[1].type",
        &["unknown geo field `planet`", "country"],
    );
}

#[test]
fn fact_pairing_rules() {
    let y = schema(
        "",
        "",
        "  - name: fct_orders\n    row_count_driver: tickets\n    columns: [{name: order_id, type: id}]\n  - name: fct_items\n    children_per_row: [0, 2]\n    columns: [{name: item_id, type: id}]\n  - name: fct_both\n    row_count_driver: tickets\n    row_count_scale: 1\n    parent_table: fct_orders\n    children_per_row: [1, 2]\n    columns: [{name: both_id, type: id}]\n",
    );
    expect(&y, "facts[1].row_count_scale", &["needs `row_count_scale`"]);
    expect(&y, "facts[2].parent_table", &["needs `parent_table`"]);
    expect(&y, "facts[2].children_per_row", &["1 <= min <= max"]);
    expect(&y, "facts[3].parent_table", &["not both"]);
}

#[test]
fn fact_needs_date_and_unit_refs() {
    let y = with(&format!(
        "{DIM}facts:\n  - name: fct_x\n    columns: [{{name: mrr, type: metric.mrr}}]\n"
    ));
    expect(&y, "facts[0].columns", &["needs a `ref.dim_date` column"]);
    expect(
        &y,
        "facts[0].columns",
        &["referencing a per-unit dimension"],
    );
}

#[test]
fn event_trigger_fields() {
    let y = schema(
        "",
        "",
        "events:\n  - name: evt_a\n    trigger: proportional\n    columns: [{name: event_id, type: id}]\n  - name: evt_b\n    trigger: threshold\n    above: 0.5\n    below: 0.2\n    columns: [{name: event_id, type: id}]\n",
    );
    expect(&y, "events[0].driver", &["needs a `driver` metric"]);
    expect(&y, "events[0].scale", &["needs a `scale`"]);
    expect(&y, "events[1].metric", &["needs a `metric`"]);
    expect(
        &y,
        "events[1].above",
        &["exactly one of `above` or `below`"],
    );
    let y = schema(
        "",
        "",
        "events:\n  - name: evt_a\n    trigger: proportional\n    driver: tickets\n    scale: 2\n    columns: [{name: event_id, type: id}]\n",
    );
    expect(
        &y,
        "events[0].driver",
        &["no fact table has a `metric.tickets` column"],
    );
}

#[test]
fn key_prefix_and_table_name_collisions() {
    let y = schema(
        "  - name: dim_churn\n    reference: true\n    columns: [{name: churn_id, type: id}]\n",
        "",
        "events:\n  - name: evt_churn\n    trigger: threshold\n    metric: engagement\n    below: 0.1\n    columns: [{name: event_id, type: id}]\n  - name: fct_usage\n    trigger: threshold\n    metric: engagement\n    below: 0.1\n    columns: [{name: event_id, type: id}]\n",
    );
    expect(
        &y,
        "events[0].name",
        &["key prefix `churn` would be shared with table `dim_churn`"],
    );
    expect(&y, "events[1].name", &["duplicate table name `fct_usage`"]);
}

#[test]
fn quality_rules() {
    let y = schema(
        "",
        "",
        "quality:\n  - {table: fct_usage, issue: null_injection, rate: 0.1}\n  - {table: fct_usage, issue: volume_anomaly, rate: 0.1, column: mrr}\n  - {table: fct_usage, issue: duplicate_rows, rate: 0.1, mode: spike}\n  - {table: dim_company, issue: duplicate_rows, rate: 0.1}\n  - {table: fct_usage, issue: null_injection, rate: 0.1, column: date_key}\n",
    );
    expect(
        &y,
        "quality[0].column",
        &["`null_injection` needs a `column`"],
    );
    expect(&y, "quality[1].column", &["drop `column`"]);
    expect(&y, "quality[1].mode", &["needs a `mode`"]);
    expect(
        &y,
        "quality[1].period",
        &["exactly one of `period` or `periods`"],
    );
    expect(&y, "quality[2].mode", &["applies to volume_anomaly only"]);
    expect(&y, "quality[3].table", &["fact or event tables"]);
    expect(&y, "quality[4].column", &["protected"]);
}

#[test]
fn bridge_rules() {
    let y = schema(
        "  - name: dim_product\n    reference: true\n    columns: [{name: product_id, type: id}, {name: label, type: \"static.a,b,c\"}]\n",
        "",
        "bridges:\n  - {name: br_x, left: dim_company, right: dim_company, cardinality: [1, 2]}\n  - {name: br_y, left: dim_company, right: dim_product, cardinality: [2, 5], driver: revenue}\n  - {name: br_z, left: dim_company, right: dim_nope, cardinality: [3, 1]}\n",
    );
    expect(&y, "bridges[0].right", &["two different dimensions"]);
    expect(
        &y,
        "bridges[1].cardinality",
        &["exceed the rows of `dim_product`", "at most 3"],
    );
    expect(&y, "bridges[1].driver", &["unknown metric `revenue`"]);
    expect(&y, "bridges[2].right", &["unknown dimension `dim_nope`"]);
    expect(&y, "bridges[2].cardinality", &["invalid cardinality"]);
}

#[test]
fn entity_features_holdout_and_combinations() {
    expect(
        &with("entity_features: {metrics: [revenue]}\n"),
        "entity_features.metrics[0]",
        &["unknown metric `revenue`"],
    );
    expect(
        &with("entity_features: true\noutput: sql\n"),
        "entity_features",
        &["not written in the sql format"],
    );
    expect(
        &with("holdout: {target: mrr, periods: 22}\n"),
        "holdout.periods",
        &["too few training periods"],
    );
    let y = schema(
        "",
        "",
        "quality: [{table: fct_usage, issue: duplicate_rows, rate: 0.1}]\nholdout: {target: mrr, periods: 3}\nentity_features: true\n",
    );
    expect(&y, "holdout", &["cannot be combined with `quality`"]);
    expect(
        &y,
        "entity_features",
        &["cannot be combined with `quality`"],
    );
    expect(
        &with("output: {format: csv, partition_by: company_id}\n"),
        "output.partition_by",
        &["needs format parquet"],
    );
    expect(
        &with("output: {format: csv, sql_dialect: sqlite}\n"),
        "output.sql_dialect",
        &["applies to the sql format"],
    );
}

#[test]
fn sources_need_two() {
    expect(
        &with("sources: [{name: crm}]\n"),
        "sources",
        &["2 to 5 sources"],
    );
    expect(
        &with("sources: [{name: crm}, {name: crm}]\n"),
        "sources[1].name",
        &["duplicate source name `crm`"],
    );
}

#[test]
fn noise_and_output_shorthands_reject_unknown_words() {
    expect_load(
        &with("noise: slightly_mesy\n"),
        "11:8",
        &[
            "unknown noise preset `slightly_mesy`",
            "did you mean `slightly_messy`?",
        ],
    );
    expect_load(
        &with("output: parquett\n"),
        "11:9",
        &[
            "unknown output format `parquett`",
            "did you mean `parquet`?",
        ],
    );
    expect(
        &with("noise: {noise_family: student_t}\n"),
        "noise.degrees_of_freedom",
        &["needs `degrees_of_freedom`"],
    );
}

#[test]
fn window_rules() {
    expect_load(
        &replace("window: [2023-01, 2024-12]", "window: [2023-01]"),
        "3:9",
        &["2 or 3 elements"],
    );
    expect(
        &replace("window: [2023-01, 2024-12]", "window: [2024-12, 2023-01]"),
        "window",
        &["ends (2023-01) before it starts (2024-12)"],
    );
    expect(
        &replace("window: [2023-01, 2024-12]", "window: [2023-13, 2024-12]"),
        "window.start",
        &["month 13"],
    );
    // The original's bugs, fixed: full dates work and a one-month window is valid.
    let one_month = replace(
        "window: [2023-01, 2024-12]",
        "window: {start: 2023-01-01, end: 2023-01-31, every: daily}",
    )
    .replace("flat > decline @ 10", "flat > decline @ 20");
    let plan = Config::from_yaml_str(&one_month)
        .unwrap()
        .validate()
        .unwrap();
    assert_eq!(plan.window.n_periods, 31);
    let y = replace("window: [2023-01, 2024-12]", "window: [2023-01, 2023-01]")
        .replace("flat > decline @ 10", "flat");
    assert_eq!(
        Config::from_yaml_str(&y)
            .unwrap()
            .validate()
            .unwrap()
            .window
            .n_periods,
        1
    );
}

#[test]
fn unknown_keys_rejected_at_nested_levels() {
    expect_load(
        &replace("archetype: growth}", "archetype: growth, colour: red}"),
        "9:51",
        &["segments[0].colour", "unknown key `colour`"],
    );
    expect_load(
        &with("lifecycle: {track: engagement, stages: [{a: 0.1}, {b: 0.2}], order: true}\n"),
        "11:62",
        &[
            "lifecycle.order",
            "unknown key `order`",
            "did you mean `enforce_order`?",
        ],
    );
}

#[test]
fn engine_direct_files_are_read_with_engine_field_names() {
    let e = Config::from_yaml_str("domain: {name: x, description: y, entity_type: c, entity_label: C}\ntime_window: {start: 2023-01, end: 2023-12}\nseed: 1\n").unwrap_err();
    assert!(
        e.to_string().contains("missing required key `metrics`"),
        "{e}"
    );
}

#[test]
fn every_problem_is_reported_at_once_with_positions() {
    let y = "about: multi\nunit: company\nwindow: [2023-01, 2024-12]\nmetrics:\n  - {name: mrr, type: amount, polarity: positive}\n  - {name: tickets, type: count, polarity: negative, range: [-2, 5]}\n  - {name: late, type: score, polarity: positive, follows: nope, delay: 1}\nconnections: [\"mrr drivn_by tickets\"]\nsegments:\n  - {name: a, count: 0, archetype: \"growth > decline\"}\n";
    let errs = errors(y);
    let got: Vec<(String, usize)> = errs
        .errors()
        .iter()
        .map(|e| (e.path.to_string(), e.location.unwrap().line))
        .collect();
    for (path, line) in [
        ("metrics[0].range", 5),
        ("metrics[1].range", 6),
        ("metrics[2].follows", 7),
        ("connections[0]", 8),
        ("segments[0].count", 10),
        ("segments[0].archetype", 10),
    ] {
        assert!(
            got.contains(&(path.to_owned(), line)),
            "missing {path} at line {line}: {got:?}"
        );
    }
}

#[test]
fn child_and_sibling_fact_rules() {
    let orders = "  - name: fct_orders\n    row_count_driver: tickets\n    row_count_scale: 1.5\n    columns:\n      - {name: order_id, type: id}\n      - {name: date_key, type: ref.dim_date}\n      - {name: company_id, type: ref.dim_company}\n";
    let items = "  - name: fct_items\n    parent_table: fct_orders\n    children_per_row: [1, 3]\n    columns:\n      - {name: item_id, type: id}\n      - {name: order_id, type: range, range: [1, 2]}\n      - {name: o, type: ref.fct_orders}\n";
    let nested = "  - name: fct_parts\n    parent_table: fct_items\n    children_per_row: [1, 2]\n    columns: [{name: part_id, type: id}]\n";
    let composite = "  - name: fct_notes\n    parent_table: fct_usage\n    children_per_row: [1, 2]\n    columns: [{name: note_id, type: id}]\n";
    let unknown = "  - name: fct_lost\n    parent_table: fct_nope\n    children_per_row: [1, 2]\n    columns: [{name: lost_id, type: id}]\n";
    let y = schema(
        "",
        "",
        &format!("{orders}{items}{nested}{composite}{unknown}"),
    );
    expect(
        &y,
        "facts[2].columns[1].name",
        &["collides with the parent key"],
    );
    expect(
        &y,
        "facts[2].columns[2].type",
        &["do not declare `ref.<parent>`"],
    );
    expect(
        &y,
        "facts[3].parent_table",
        &["one level of parent/child nesting"],
    );
    expect(
        &y,
        "facts[4].parent_table",
        &["single-column key", "[date_key, company_id]"],
    );
    expect(
        &y,
        "facts[5].parent_table",
        &["unknown parent fact `fct_nope`"],
    );
    let sibling = "  - name: fct_refunds\n    row_count_driver: tickets\n    row_count_scale: 1\n    columns:\n      - {name: refund_id, type: id}\n      - {name: order_id, type: ref.fct_orders}\n";
    expect(
        &schema("", "", &format!("{orders}{sibling}")),
        "facts[2].columns[1].type",
        &["needs its own column referencing a per-unit dimension"],
    );
}

#[test]
fn fact_dependency_cycle() {
    let a = "  - name: fct_a\n    row_count_driver: tickets\n    row_count_scale: 1\n    columns:\n      - {name: a_id, type: id}\n      - {name: company_id, type: ref.dim_company}\n      - {name: b_id, type: ref.fct_b}\n";
    let b = "  - name: fct_b\n    row_count_driver: tickets\n    row_count_scale: 1\n    columns:\n      - {name: b_id, type: id}\n      - {name: company_id, type: ref.dim_company}\n      - {name: a_id, type: ref.fct_a}\n";
    expect(
        &schema("", "", &format!("{a}{b}")),
        "facts[1]",
        &["fact dependency cycle: fct_a → fct_b → fct_a"],
    );
}

#[test]
fn dimension_grain_rules() {
    let y = schema(
        "  - name: dim_other\n    per: period\n    count: 3\n    columns: [{name: other_id, type: id}]\n",
        "",
        "",
    );
    expect(
        &y,
        "dimensions[1].per",
        &["only `dim_date` can have one row per period"],
    );
    expect(&y, "dimensions[1].count", &["sub-entity dimensions only"]);
    let y = schema(
        "  - name: dim_plan\n    reference: true\n    columns:\n      - {name: plan_id, type: id}\n      - {name: a, type: \"static.x,y,z\"}\n      - {name: b, type: \"static.x,y\"}\n",
        "",
        "",
    );
    expect(
        &y,
        "dimensions[1].columns",
        &[
            "comma lists of a reference dimension differ in length",
            "[3, 2]",
        ],
    );
    // A sub-entity dimension (ref to the unit dimension) takes `count`.
    let y = schema(
        "  - name: dim_user\n    per: unit\n    count: 4\n    columns: [{name: user_id, type: id}, {name: company_id, type: ref.dim_company}]\n",
        "",
        "",
    );
    let plan = Config::from_yaml_str(&y).unwrap().validate().unwrap();
    assert_eq!(
        plan.table("dim_user").unwrap().planned_rows(15, 24),
        Some(60)
    );
}

#[test]
fn event_log_and_quality_column_rules() {
    let y = schema(
        "",
        "",
        "events:\n  - name: evt_login\n    trigger: proportional\n    driver: engagement\n    scale: 2\n    log_format: \"{event_id} at {when}\"\n    log_filename: ../x.log\n    columns:\n      - {name: event_id, type: id}\nquality:\n  - {table: fct_usage, issue: type_mismatch, rate: 0.1, column: nope}\n  - {table: fct_usage, issue: volume_anomaly, rate: 0.1, mode: drop, periods: [2, 40]}\n",
    );
    expect(
        &y,
        "events[0].log_format",
        &["unknown column in log_format `when`"],
    );
    expect(&y, "events[0].log_filename", &["plain file name"]);
    expect(
        &y,
        "quality[0].column",
        &["unknown column `nope`", "company_id"],
    );
    expect(
        &y,
        "quality[1].periods[1]",
        &["period outside the window", "0-23"],
    );
}

#[test]
fn entity_features_need_the_manifest() {
    expect(
        &with("entity_features: true\nmanifest: {include: false}\n"),
        "entity_features",
        &["manifest, which is turned off"],
    );
    expect(
        &with("manifest: {trajectory_sample_rate: 0}\n"),
        "manifest.trajectory_sample_rate",
        &["(0, 1]"],
    );
}

#[test]
fn narrative_lexicon_shape() {
    let lex = "      - name: note\n        type: narrative\n        template: \"{mood} day\"\n        bands: [lo, hi]\n        lexicons:\n          growers: {mood: {lo: [meh], hi: [great]}, extra: {lo: [a], hi: [b]}}\n          churners: {mood: {lo: [meh], mid: [ok]}}\n";
    let y = schema("", lex, "");
    expect(
        &y,
        "facts[0].columns[4].lexicons.growers",
        &["slots differ from the template's placeholders"],
    );
    expect(
        &y,
        "facts[0].columns[4].lexicons.churners.mood",
        &["bands differ from `bands`"],
    );
}

#[test]
fn a_schema_without_problems_resolves_keys_and_prefixes() {
    let y = schema(
        "  - name: dim_plan\n    reference: true\n    columns: [{name: plan_id, type: id}, {name: plan_name, type: \"static.a,b\"}]\n",
        "      - {name: plan_id, type: ref.dim_plan}\n",
        "events:\n  - name: evt_cancel\n    trigger: threshold\n    metric: engagement\n    below: 0.1\n    for: 2\n    columns: [{name: event_id, type: id}, {name: company_id, type: ref.dim_company}, {name: flagged, type: flag}]\n",
    );
    let plan = Config::from_yaml_str(&y).unwrap().validate().unwrap();
    // Reference dims are not part of a per-entity-per-period key.
    assert_eq!(
        plan.table("fct_usage").unwrap().primary_key,
        ["date_key", "company_id"]
    );
    // company and cancel collide on `c`, so both use their full names; plan keeps `p`.
    let prefix = |t: &str| plan.table(t).unwrap().key_prefix.clone();
    assert_eq!(prefix("dim_company").as_deref(), Some("company"));
    assert_eq!(prefix("evt_cancel").as_deref(), Some("cancel"));
    assert_eq!(prefix("dim_plan").as_deref(), Some("p"));
    assert_eq!(
        plan.table("dim_plan").unwrap().planned_rows(15, 24),
        Some(2)
    );
}

#[test]
fn more_identifier_and_shape_rules() {
    let y = schema(
        "      - {name: tier, type: scd, tracks: mrr, tiers: [a, b]}\n",
        "",
        "  - name: fct_kids\n    parent_table: fct_usage\n    children_per_row: [3, 1]\n    columns: [{name: kid_id, type: id}]\nevents:\n  - name: evt_x\n    trigger: threshold\n    metric: mrr\n    columns: [{name: event_id, type: id}]\nbridges:\n  - {name: \"br-x\", left: dim_company, right: dim_date, cardinality: [1, 2]}\n",
    );
    expect(
        &y,
        "dimensions[0].columns[1].at",
        &["needs `at` thresholds", "1 values in (0, 1)"],
    );
    expect(
        &y,
        "facts[1].children_per_row",
        &["1 <= min <= max", "[3, 1]"],
    );
    expect(
        &y,
        "events[0].above",
        &["exactly one of `above` or `below`"],
    );
    expect(&y, "bridges[0].name", &["not a valid bridge name"]);
    expect(
        &y,
        "bridges[0].right",
        &["cannot join the per-period `dim_date`"],
    );
}

#[test]
fn lag_caps_for_weekly_and_daily() {
    let weekly = replace(
        "window: [2023-01, 2024-12]",
        "window: [2015-01, 2024-12, weekly]",
    )
    .replacen(
        "polarity: negative}",
        "polarity: negative, follows: engagement, delay: 521}",
        1,
    );
    expect(
        &weekly,
        "metrics[2].delay",
        &["weekly granularity cap", "at most 520"],
    );
    let daily = replace(
        "window: [2023-01, 2024-12]",
        "window: [2015-01, 2024-12, daily]",
    )
    .replacen(
        "polarity: negative}",
        "polarity: negative, follows: engagement, delay: 3651}",
        1,
    );
    expect(
        &daily,
        "metrics[2].delay",
        &["daily granularity cap", "at most 3650"],
    );
}

#[test]
fn auto_schema_names_must_not_collide() {
    expect(
        &replace("unit: company", "unit: date"),
        "unit",
        &["would name its dimension `dim_date`"],
    );
    expect(
        &replace("name: tickets", "name: company_id"),
        "metrics[2].name",
        &["collides with a key column of `fct_company`"],
    );
    expect(
        &replace("name: tickets", "name: 1tickets"),
        "metrics[2].name",
        &["become column names", "SQL-safe"],
    );
    let y = BASE
        .replace(
            "archetype: growth}",
            "archetype: growth, attributes: {company_name: [x]}}",
        )
        .replace("@ 10\"}", "@ 10\", attributes: {company_name: [y]}}");
    expect(
        &y,
        "segments[0].attributes.company_name",
        &["collides with a column of `dim_company`"],
    );
}

#[test]
fn arrival_default_span_and_attribute_limits() {
    expect(
        &replace(
            "archetype: growth}",
            "archetype: growth, arrival: {kind: uniform, start: 22}}",
        ),
        "segments[0].arrival.start",
        &["arrival span is empty", "default end 22"],
    );
    let many: Vec<String> = (0..1001).map(|i| format!("v{i}")).collect();
    let y = replace(
        "archetype: growth}",
        &format!(
            "archetype: growth, attributes: {{tier: [{}]}}}}",
            many.join(", ")
        ),
    );
    expect(
        &y,
        "segments[0].attributes.tier",
        &["found 1001", "1-1000 values"],
    );
}

#[test]
fn partition_by_needs_a_discrete_column() {
    expect(
        &with("output: {format: parquet, partition_by: mrr}\n"),
        "output.partition_by",
        &["float, struct or array"],
    );
    let ok =
        Config::from_yaml_str(&with("output: {format: parquet, partition_by: tickets}\n")).unwrap();
    assert!(ok.validate().is_ok());
}

#[test]
fn negative_amount_ranges_and_long_locales_are_valid() {
    let y = replace("range: [50, 50000]", "range: [-100, 100]") + "locale: [en_US, fil_PH]\n";
    let plan = Config::from_yaml_str(&y).unwrap().validate().unwrap();
    assert_eq!(plan.metrics[1].family, plotsim_config::Family::Beta);
    expect(
        &with("locale: [english]\n"),
        "locale[0]",
        &["not a locale name"],
    );
}

#[test]
fn one_period_window_has_no_transitions() {
    let y = replace("window: [2023-01, 2024-12]", "window: [2023-01, 2023-01]");
    expect(
        &y,
        "segments[1].archetype",
        &["1-period window has no room for a transition"],
    );
}

#[test]
fn explicit_families_that_cannot_reach_the_range_warn() {
    let y = replace(
        "range: [50, 50000]}",
        "range: [50, 50000], distribution: normal, distribution_params: {sigma: 5}}",
    );
    let plan = Config::from_yaml_str(&y).unwrap().validate().unwrap();
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.contains("explicit `normal` centres values at 0")),
        "{:?}",
        plan.warnings
    );
    let weibull = replace(
        "range: [50, 50000]}",
        "range: [50, 50000], distribution: weibull, distribution_params: {shape: 1.5}}",
    );
    assert!(
        Config::from_yaml_str(&weibull)
            .unwrap()
            .validate()
            .unwrap()
            .warnings
            .is_empty()
    );
}

#[test]
fn conflicts_name_every_place_involved() {
    let errors = errors(
        "about: x\nunit: company\nwindow: [2023-01, 2023-12]\nmetrics:\n  - {name: n, type: count, polarity: positive, range: [-3, 5]}\n  - {name: a, type: score, polarity: positive, follows: b, delay: 1}\n  - {name: b, type: score, polarity: positive, follows: a, delay: 1}\nsegments:\n  - {name: s, count: 3, archetype: growth}\n  - {name: s, count: 3, archetype: growth}\n",
    );
    let note = |path: &str| {
        let e = errors.at(path);
        assert_eq!(e.len(), 1, "{path}: {errors}");
        e[0].notes
            .iter()
            .map(|n| (n.path.to_string(), n.location.map(|l| l.line)))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        note("metrics[0].range"),
        [("metrics[0].type".to_owned(), Some(5))]
    );
    assert_eq!(
        note("metrics[1].follows"),
        [("metrics[2].follows".to_owned(), Some(7))]
    );
    assert_eq!(
        note("segments[1].name"),
        [("segments[0].name".to_owned(), Some(9))]
    );
}

#[test]
fn dispersion_rules() {
    expect(
        &replace(
            "{name: tickets, type: count, polarity: negative}",
            "{name: tickets, type: count, polarity: negative, distribution: poisson, distribution_params: {dispersion: 12}}",
        ),
        "metrics[2].distribution_params.dispersion",
        &["dispersion out of range", "found 12", "(0, 10]"],
    );
    expect(
        &replace(
            "{name: mrr, type: amount, polarity: positive, range: [50, 50000]}",
            "{name: mrr, type: amount, polarity: positive, range: [50, 50000], distribution: lognorm, distribution_params: {s: 0.5, dispersion: 1}}",
        ),
        "metrics[1].distribution_params.dispersion",
        &["does not take param `dispersion`", "only: s, loc, scale"],
    );
}
