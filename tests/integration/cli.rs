use std::path::Path;
use std::process::{Command, Output};

pub(crate) fn plotsim(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plotsim"))
        .args(args)
        .current_dir(dir)
        .env_remove("PLOTSIM_CELL_BUDGET")
        .output()
        .expect("run plotsim")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

#[test]
fn no_subcommand_prints_help_and_fails() {
    let d = tmp();
    let o = plotsim(&[], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("Usage: plotsim"));
}

#[test]
fn unknown_subcommand_is_a_usage_error() {
    let o = plotsim(&["frobnicate"], tmp().path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn validate_valid_template() {
    let d = tmp();
    let o = plotsim(&["template", "saas", "-o", "cfg/saas.yaml"], d.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "Wrote cfg/saas.yaml\n");
    let o = plotsim(&["validate", "cfg/saas.yaml"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let out = stdout(&o);
    assert!(out.starts_with("VALID: cfg/saas.yaml\n"), "{out}");
    assert!(
        out.contains("100 entities x 24 monthly periods, 7 metrics, 9 tables"),
        "{out}"
    );
    assert!(
        out.contains("2,400 cells, within the cell budget 2,000,000 (default)"),
        "{out}"
    );
}

#[test]
fn validate_reports_every_problem_with_line_and_column() {
    let d = tmp();
    let yaml = "about: multi\nunit: company\nwindow: [2023-01, 2024-12]\nmetrics:\n  - {name: mrr, type: amount, polarity: positive}\n  - {name: tickets, type: count, polarity: negative, range: [-2, 5]}\n  - {name: late, type: score, polarity: positive, follows: nope, delay: 1}\nconnections: [\"mrr drivn_by tickets\"]\nsegments:\n  - {name: a, count: 0, archetype: \"growth > declin @ 5\"}\n";
    std::fs::write(d.path().join("bad.yaml"), yaml).unwrap();
    let o = plotsim(&["validate", "bad.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.starts_with("INVALID: bad.yaml\n  6 problem(s):\n"),
        "{out}"
    );
    for needle in [
        "5:5: metrics[0].range: a metric of type `amount` needs a range",
        "6:54: metrics[1].range: a count's range must not go below 0",
        "7:51: metrics[2].follows: unknown metric `nope`",
        "8:15: connections[0]: connection mrr ~ tickets: unknown relationship word `drivn_by`",
        "10:15: segments[0].count: a segment needs at least 1 entity",
        "10:25: segments[0].archetype: segment `a` archetype \"growth > declin @ 5\": unknown shape `declin` (at character 10)",
        "did you mean `decline`?",
        "10 │   - {name: a, count: 0, archetype: \"growth > declin @ 5\"}",
    ] {
        assert!(out.contains(needle), "missing `{needle}` in:\n{out}");
    }
}

#[test]
fn validate_reports_type_errors_with_path_and_position() {
    let d = tmp();
    std::fs::write(d.path().join("seed.yaml"), "about: x\nseed: -5\n").unwrap();
    let o = plotsim(&["validate", "seed.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("2:7: seed: expected a non-negative integer, found -5"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn validate_missing_file() {
    let o = plotsim(&["validate", "nope.yaml"], tmp().path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("cannot read config file `nope.yaml`"));
}

#[test]
fn validate_reports_the_cell_budget() {
    let d = tmp();
    let yaml = "about: big\nunit: u\nwindow: {start: 2020-01-01, end: 2024-12-31, every: daily}\nmetrics: [{name: m, type: score, polarity: positive}]\nsegments: [{name: s, count: 2000, archetype: growth}]\n";
    std::fs::write(d.path().join("big.yaml"), yaml).unwrap();
    let o = plotsim(&["validate", "big.yaml"], d.path());
    assert_eq!(
        o.status.code(),
        Some(0),
        "a large config is valid: {}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains("3,654,000 cells exceed the cell budget 2,000,000 (default)"),
        "{}",
        stdout(&o)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_plotsim"))
        .args(["info", "big.yaml"])
        .current_dir(d.path())
        .env("PLOTSIM_CELL_BUDGET", "0")
        .output()
        .unwrap();
    assert!(
        stdout(&o).contains("Cells: 3,654,000 cells (no cell budget: PLOTSIM_CELL_BUDGET is 0)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn info_describes_the_plan() {
    let d = tmp();
    plotsim(&["template", "quickstart", "-o", "q.yaml"], d.path());
    let o = plotsim(&["info", "q.yaml"], d.path());
    assert!(o.status.success());
    let out = stdout(&o);
    for line in [
        "Unit: customer",
        "Entities: 100 across 3 segment(s) (growing 40, steady 40, churning 20)",
        "Time window: 2024-01 to 2025-12 (24 monthly periods: 2024-01 .. 2025-12)",
        "Metrics: 4 (usage score, spend amount, tickets count, renewal_score score)",
        "Tables: 3 tables (2 dimension(s), 1 fact(s)), auto schema",
        "fct_customer",
        "Seed: 42",
    ] {
        assert!(out.contains(line), "missing `{line}` in:\n{out}");
    }
}

#[test]
fn templates_are_listed_and_printed() {
    let d = tmp();
    let o = plotsim(&["list-templates"], d.path());
    let listed = stdout(&o);
    for name in [
        "banking",
        "health",
        "hr",
        "marketing",
        "quickstart",
        "retail",
        "saas",
    ] {
        assert!(
            listed.contains(&format!("  {name:<12} ")),
            "{name} not listed:\n{listed}"
        );
    }
    assert_eq!(stdout(&plotsim(&["template", "--list"], d.path())), listed);
    let o = plotsim(&["template", "hr"], d.path());
    assert_eq!(stdout(&o), plotsim::templates::get("hr").unwrap().yaml);
    let o = plotsim(&["template", "sass"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown template `sass`"));
    assert!(stderr(&o).contains("did you mean `saas`?"));
}

#[test]
fn schema_is_json_schema_of_the_config() {
    let d = tmp();
    let o = plotsim(&["schema"], d.path());
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(v["title"], "Config");
    for key in [
        "about",
        "unit",
        "window",
        "metrics",
        "segments",
        "connections",
        "noise",
        "output",
        "manifest",
    ] {
        assert!(v["properties"].get(key).is_some(), "{key} missing");
    }
    assert_eq!(v["additionalProperties"], false);
    let o = plotsim(&["schema", "-o", "out/schema.json"], d.path());
    assert!(o.status.success());
    assert!(d.path().join("out/schema.json").exists());
}

const ENGINE_WEIBULL: &str = include_str!("engine/weibull_sessions.yaml");

/// Rows of a small CSV as maps from header to field.
fn csv_rows(text: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// The seed page's engine-direct Weibull metric runs as written, and on a
/// growth archetype its sessions lengthen. Weibull values are skewed (a scale
/// family), so the comparison is on log values, whose spread does not grow
/// with the scale: every growing account's mean log over the last six months
/// is above its mean log over the first six, and pooled over the growing
/// accounts (48 values each side) the difference exceeds five standard
/// errors. (Six values per account are too few for a per-account 3-sigma
/// claim: its t ratio has heavy tails, and one clamped 365 moves it.)
#[test]
fn engine_direct_weibull_example_runs_and_sessions_lengthen() {
    let d = tmp();
    std::fs::write(d.path().join("e.yaml"), ENGINE_WEIBULL).unwrap();
    let o = plotsim(&["validate", "e.yaml"], d.path());
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = plotsim(&["run", "e.yaml", "-o", "data"], d.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
    let read = |f: &str| std::fs::read_to_string(d.path().join("data").join(f)).unwrap();
    let accounts = csv_rows(&read("dim_account.csv"));
    assert_eq!(accounts.len(), 13);
    assert_eq!(accounts[3]["cohort_size"], "4", "derived:size");
    let facts = csv_rows(&read("fct_sessions.csv"));
    let mut months: Vec<&str> = facts.iter().map(|r| r["date_key"].as_str()).collect();
    months.sort_unstable();
    months.dedup();
    assert_eq!(months.len(), 24);
    let mut growers = 0;
    let (mut first_all, mut last_all) = (Vec::new(), Vec::new());
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let var = |v: &[f64]| {
        let m = mean(v);
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
    };
    for a in accounts.iter().filter(|a| a["archetype"] == "lengthening") {
        let series: Vec<(usize, f64)> = facts
            .iter()
            .filter(|r| r["account_id"] == a["account_id"])
            .map(|r| {
                let m = months.iter().position(|x| *x == r["date_key"]).unwrap();
                (m, r["session_duration_days"].parse::<f64>().unwrap())
            })
            .collect();
        assert!(series.iter().all(|(_, v)| (1.0..=365.0).contains(v)));
        let window = |lo: usize, hi: usize| -> Vec<f64> {
            series
                .iter()
                .filter(|(m, _)| (lo..hi).contains(m))
                .map(|(_, v)| v.ln())
                .collect()
        };
        let (first, last) = (window(0, 6), window(18, 24));
        if first.len() < 6 {
            continue; // the late arrival starts at month 6
        }
        assert!(
            mean(&last) > mean(&first),
            "{}: mean log first {:.2}, last {:.2}",
            a["account_id"],
            mean(&first),
            mean(&last)
        );
        first_all.extend(first);
        last_all.extend(last);
        growers += 1;
    }
    let se =
        (var(&first_all) / first_all.len() as f64 + var(&last_all) / last_all.len() as f64).sqrt();
    let diff = mean(&last_all) - mean(&first_all);
    assert!(
        diff > 5.0 * se,
        "pooled log difference {diff:.2}, se {se:.2}"
    );
    assert_eq!(growers, 8);
    // The late arrival has rows from month 6 only.
    let late = &accounts[12]["account_id"];
    assert_eq!(
        facts.iter().filter(|r| &r["account_id"] == late).count(),
        18
    );
    // The written config.yaml is the builder form of the same config and
    // reproduces the run byte for byte.
    let o = plotsim(&["run", "data/config.yaml", "-o", "again"], d.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let config = read("config.yaml");
    assert!(
        config.contains("archetype: sigmoid(midpoint=0.5, steepness=6, rising=true)"),
        "{config}"
    );
    for f in ["dim_account.csv", "fct_sessions.csv", "dim_date.csv"] {
        assert_eq!(
            read(f),
            std::fs::read_to_string(d.path().join("again").join(f)).unwrap(),
            "{f}"
        );
    }
}

/// Errors in an engine-direct file name the engine fields, with positions.
#[test]
fn engine_direct_errors_name_engine_fields() {
    let d = tmp();
    let bad = ENGINE_WEIBULL
        .replace(
            "driver: engagement, lag_periods: 2",
            "driver: engagment, lag_periods: 2",
        )
        .replace("params: { shape: 1.5 }", "params: { shape: -1.5 }")
        .replace(
            "  - {name: fader_3, archetype: fading}",
            "  - {name: fader_3, archetype: fadin}",
        );
    std::fs::write(d.path().join("bad.yaml"), &bad).unwrap();
    let o = plotsim(&["validate", "bad.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let line_of = |needle: &str| bad.lines().position(|l| l.contains(needle)).unwrap() + 1;
    assert!(
        out.contains(&format!("{}:", line_of("fader_3")))
            && out.contains("entities[11].archetype: unknown archetype `fadin`"),
        "{out}"
    );
    assert!(out.contains("did you mean `fading`?"), "{out}");
    // Mapping succeeded once the archetype is fixed; validation errors then
    // name engine paths.
    let bad = bad.replace("archetype: fadin}", "archetype: fading}");
    std::fs::write(d.path().join("bad.yaml"), &bad).unwrap();
    let o = plotsim(&["validate", "bad.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    for needle in [
        format!("{}:", line_of("engagment")),
        "metrics[2].causal_lag.driver: unknown metric `engagment`".to_owned(),
        format!("{}:", line_of("shape: -1.5")),
        "metrics[0].params.shape".to_owned(),
    ] {
        assert!(out.contains(&needle), "missing `{needle}` in:\n{out}");
    }
    // Fields with no builder counterpart are refused with their path.
    let refused = ENGINE_WEIBULL.replace(
        "      - {curve: sigmoid, params: {midpoint: 0.5, steepness: 6.0}, start_pct: 0.0, end_pct: 1.0}",
        "      - {curve: sigmoid, params: {midpoint: 0.5, steepnes: 6.0}, start_pct: 0.0, end_pct: 1.0}\n    metric_overrides:\n      engagement: {value_range: {min: 0.5, max: 1.0}}",
    );
    std::fs::write(d.path().join("refused.yaml"), &refused).unwrap();
    let o = plotsim(&["validate", "refused.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(
        out.contains("archetypes[0].metric_overrides.engagement"),
        "{out}"
    );
    assert!(
        out.contains(
            "archetypes[0].curve_segments[0].params.steepnes: `sigmoid` has no parameter `steepnes`"
        ),
        "{out}"
    );
    assert!(out.contains("did you mean `steepness`?"), "{out}");
}

// ---- plotsim run -------------------------------------------------------------

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn quickstart(dir: &Path) {
    let o = plotsim(&["template", "quickstart", "-o", "q.yaml"], dir);
    assert!(o.status.success());
}

#[test]
fn run_writes_the_auto_schema_dataset() {
    let d = tmp();
    quickstart(d.path());
    let o = plotsim(&["run", "q.yaml", "-o", "data"], d.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("Generating dataset from q.yaml (seed=42)..."),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stdout(&o),
        "Wrote 3 table(s), 2,524 total row(s) to data/\n"
    );
    let names: Vec<String> = files(&d.path().join("data"))
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(
        names,
        [
            ".plotsim-dataset",
            "config.yaml",
            "dim_customer.csv",
            "dim_date.csv",
            "fct_customer.csv",
            "manifest.json"
        ]
    );
    // No staging directory is left behind.
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 2);
    // The written config.yaml reproduces the run.
    let o = plotsim(&["run", "data/config.yaml", "-o", "again", "-q"], d.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        files(&d.path().join("data")),
        files(&d.path().join("again"))
    );
}

#[test]
fn run_writes_entity_features_and_the_holdout_split() {
    let d = tmp();
    quickstart(d.path());
    let q = d.path().join("q.yaml");
    let mut yaml = std::fs::read_to_string(&q).unwrap();
    yaml.push_str("entity_features: true\nholdout: {target: spend, periods: 4}\nquality: []\n");
    std::fs::write(&q, yaml).unwrap();
    let o = plotsim(&["run", "q.yaml", "-o", "data"], d.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "Wrote 6 table(s), 5,024 total row(s) to data/\n"
    );
    let data = d.path().join("data");
    let read = |f: &str| std::fs::read_to_string(data.join(f)).unwrap();
    let features = read("_entity_features.csv");
    let header = features.lines().next().unwrap();
    assert!(header.starts_with("customer_id,usage_mean,usage_std,usage_slope,usage_first,usage_last,usage_peak_period,tickets_mean"), "{header}");
    assert!(
        header.ends_with(",archetype,final_trajectory_position"),
        "{header}"
    );
    assert!(!header.contains("spend_"), "{header}");
    assert_eq!(features.lines().count(), 101);
    // 20 training and 4 held-out months per customer (all arrive at the start).
    assert_eq!(read("fct_customer_train.csv").lines().count(), 2001);
    assert_eq!(read("fct_customer_holdout.csv").lines().count(), 401);
    assert!(
        read("fct_customer_holdout.csv")
            .lines()
            .skip(1)
            .all(|l| l >= "20250901")
    );
    let manifest: serde_json::Value = serde_json::from_str(&read("manifest.json")).unwrap();
    assert_eq!(manifest["holdout"]["cutoff_period_index"], 20);
    assert_eq!(manifest["holdout"]["target_metric"], "spend");
    // Entity features with quality issues is refused, naming both fields.
    let bad = std::fs::read_to_string(&q).unwrap().replace(
        "quality: []",
        "quality: [{table: fct_customer, column: usage, issue: null_injection, rate: 0.1}]",
    );
    std::fs::write(d.path().join("bad.yaml"), bad).unwrap();
    let o = plotsim(&["validate", "bad.yaml"], d.path());
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let out = stdout(&o) + &stderr(&o);
    assert!(
        out.contains("entity_features") && out.contains("quality"),
        "{out}"
    );
}

/// The seed page's "complete ML-ready config", step by step on the CLI
/// output: the saas template with `entity_features: true`, a holdout block
/// and `quality: []`, run with `--validate`; then the page's snippets
/// (features without the label columns, labels and positions from the
/// manifest, the train/holdout files of every per-entity-per-period fact).
#[test]
fn seed_ml_workflow_on_the_saas_template() {
    let d = tmp();
    let o = plotsim(&["template", "saas", "-o", "saas_ml.yaml"], d.path());
    assert!(o.status.success());
    let path = d.path().join("saas_ml.yaml");
    let yaml = std::fs::read_to_string(&path).unwrap();
    let start = yaml
        .find("\nquality:\n")
        .expect("saas declares quality issues")
        + 1;
    let end = yaml[start + 9..]
        .find("\n\n")
        .map_or(yaml.len(), |i| start + 9 + i + 1);
    let yaml = format!(
        "{}quality: []\n{}entity_features: true\nholdout: {{target: mrr, periods: 4}}\n",
        &yaml[..start],
        &yaml[end..]
    );
    std::fs::write(&path, yaml).unwrap();
    let o = plotsim(
        &["run", "saas_ml.yaml", "-o", "data", "--validate"],
        d.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let data = d.path().join("data");
    let read = |f: &str| std::fs::read_to_string(data.join(f)).unwrap();
    // features = pd.read_csv(...); X = features.drop(columns=[archetype, final_trajectory_position, company_id])
    let features = csv_rows(&read("_entity_features.csv"));
    assert_eq!(features.len(), 100);
    for row in &features {
        for (col, v) in row {
            if !["archetype", "final_trajectory_position", "company_id"].contains(&col.as_str()) {
                assert!(v.parse::<f64>().is_ok(), "{col} = {v}");
            }
        }
        assert!(
            !row.contains_key("mrr_mean"),
            "the target's columns are dropped"
        );
        assert!(row.contains_key("engagement_slope"));
    }
    // labels = {a.entity: a.archetype for a in mf.archetype_assignments}
    let mf: serde_json::Value = serde_json::from_str(&read("manifest.json")).unwrap();
    let labels: std::collections::HashMap<&str, &str> = mf["archetype_assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["entity"].as_str().unwrap(),
                a["archetype"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(labels.len(), 100);
    let mut from_features: Vec<&str> = features.iter().map(|r| r["archetype"].as_str()).collect();
    let mut from_manifest: Vec<&str> = labels.values().copied().collect();
    from_features.sort_unstable();
    from_manifest.sort_unstable();
    assert_eq!(from_features, from_manifest);
    // positions = {(s.entity, s.period_index): s.position for s in mf.trajectory_samples}
    let positions: std::collections::HashMap<(String, u64), f64> = mf["trajectory_samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                (
                    s["entity"].as_str().unwrap().to_owned(),
                    s["period_index"].as_u64().unwrap(),
                ),
                s["position"].as_f64().unwrap(),
            )
        })
        .collect();
    assert!(positions.values().all(|p| (0.0..=1.0).contains(p)));
    assert!(
        labels
            .keys()
            .all(|e| positions.contains_key(&((*e).to_owned(), 23)))
    );
    // <fact>_train / <fact>_holdout for every per-entity-per-period fact, split at the cutoff.
    assert_eq!(mf["holdout"]["cutoff_period_index"], 20);
    for fact in ["fct_engagement", "fct_revenue", "fct_support"] {
        let train = csv_rows(&read(&format!("{fact}_train.csv")));
        let hold = csv_rows(&read(&format!("{fact}_holdout.csv")));
        assert!(
            train.iter().all(|r| r["date_key"].as_str() < "20240901"),
            "{fact}"
        );
        assert!(
            hold.iter().all(|r| r["date_key"].as_str() >= "20240901"),
            "{fact}"
        );
        assert_eq!(hold.len(), 400, "{fact}");
    }
    assert!(data.join("validation_report.txt").exists());
}

#[test]
fn trace_explains_a_written_cell() {
    let d = tmp();
    quickstart(d.path());
    assert!(
        plotsim(&["run", "q.yaml", "-o", "data", "-q"], d.path())
            .status
            .success()
    );
    let fact = std::fs::read_to_string(d.path().join("data/fct_customer.csv")).unwrap();
    // customer 7, period 8 (2024-09): every customer arrives at period 0.
    let row: Vec<&str> = fact
        .lines()
        .nth(1 + 6 * 24 + 8)
        .unwrap()
        .split(',')
        .collect();
    assert_eq!(&row[..2], ["20240901", "c-007"]);
    let args = [
        "trace", "q.yaml", "--entity", "c-007", "--period", "2024-09", "--metric", "spend",
    ];
    let o = plotsim(&args, d.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.starts_with("Trace of spend for c-007 (growing_0006, archetype growing), period 8 (2024-09, date_key 20240901), seed 42\n"), "{text}");
    for step in [
        "1. trajectory position",
        "3. distribution centre",
        "5. normal score",
        "7. noise",
        "9. realized cell",
    ] {
        assert!(text.contains(step), "{text}");
    }
    let mut json_args = args.to_vec();
    json_args.extend(["--json", "--seed", "42"]);
    let o = plotsim(&json_args, d.path());
    let t: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        format!("{:.4}", t["realized_cell"].as_f64().unwrap()),
        row[3]
    );
    assert_eq!(t["entity"], "growing_0006");
    // Every bad argument is named at once.
    let o = plotsim(
        &[
            "trace", "q.yaml", "--entity", "c-700", "--period", "99", "--metric", "spent",
        ],
        d.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for part in [
        "entity: no entity `c-700`",
        "metric: no metric `spent`; expected one of usage, spend, tickets, renewal_score",
        "period: 99 is outside the window",
    ] {
        assert!(err.contains(part), "{err}");
    }
}

#[test]
fn run_is_identical_across_threads_and_batch_sizes() {
    let d = tmp();
    quickstart(d.path());
    assert!(
        plotsim(&["template", "saas", "-o", "saas.yaml"], d.path())
            .status
            .success()
    );
    // The saas template with quality injection and the report, in two formats.
    for (cfg, format) in [
        ("q.yaml", "csv"),
        ("saas.yaml", "csv"),
        ("saas.yaml", "parquet"),
    ] {
        for (dir, extra) in [
            ("t1", vec!["--threads", "1"]),
            ("t2", vec!["--threads", "2", "--batch-size", "7"]),
            ("t3", vec!["--batch-size", "1000"]),
        ] {
            let mut args = vec![
                "run", cfg, "-q", "-v", "--force", "--format", format, "-o", dir,
            ];
            args.extend(extra);
            assert!(plotsim(&args, d.path()).status.success());
        }
        let t1 = files(&d.path().join("t1"));
        assert!(t1.iter().any(|(n, _)| n == "validation.json"));
        assert!(t1 == files(&d.path().join("t2")), "{cfg} {format}");
        assert!(t1 == files(&d.path().join("t3")), "{cfg} {format}");
    }
}

#[test]
fn seed_override_is_recorded() {
    let d = tmp();
    quickstart(d.path());
    assert!(
        plotsim(&["run", "q.yaml", "-q", "-o", "s", "--seed", "7"], d.path())
            .status
            .success()
    );
    let config = std::fs::read_to_string(d.path().join("s/config.yaml")).unwrap();
    assert!(config.contains("seed: 7\n"), "{config}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("s/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 7);
}

#[test]
fn run_never_replaces_what_is_not_a_dataset() {
    let d = tmp();
    quickstart(d.path());
    // An existing directory without the marker is kept unless --force.
    std::fs::create_dir(d.path().join("mine")).unwrap();
    std::fs::write(d.path().join("mine/notes.txt"), "keep me").unwrap();
    let o = plotsim(&["run", "q.yaml", "-q", "-o", "mine"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is not a plotsim dataset"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("mine/notes.txt")).unwrap(),
        "keep me"
    );
    assert!(
        plotsim(&["run", "q.yaml", "-q", "-o", "mine", "--force"], d.path())
            .status
            .success()
    );
    assert!(!d.path().join("mine/notes.txt").exists());
    // A dataset is replaced without --force.
    assert!(
        plotsim(
            &["run", "q.yaml", "-q", "-o", "mine", "--seed", "3"],
            d.path()
        )
        .status
        .success()
    );
    // `.`, a parent of the current directory and home are refused even with --force.
    let sub = d.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    std::fs::copy(d.path().join("q.yaml"), sub.join("q.yaml")).unwrap();
    for target in [".", "..", "../.."] {
        let o = plotsim(&["run", "q.yaml", "-q", "--force", "-o", target], &sub);
        assert_eq!(o.status.code(), Some(1), "{target}");
        assert!(
            stderr(&o).contains("refusing to write"),
            "{target}: {}",
            stderr(&o)
        );
    }
    let o = Command::new(env!("CARGO_BIN_EXE_plotsim"))
        .args([
            "run",
            "q.yaml",
            "-q",
            "--force",
            "-o",
            d.path().join("home").to_str().unwrap(),
        ])
        .current_dir(d.path())
        .env("HOME", d.path().join("home"))
        .output()
        .unwrap();
    assert!(stderr(&o).contains("home directory"), "{}", stderr(&o));
}

#[test]
fn run_applies_the_cell_budget() {
    let d = tmp();
    quickstart(d.path());
    let run = |extra: &[&str], budget: &str| {
        let mut args = vec!["run", "q.yaml", "-q", "-o", "b"];
        args.extend(extra);
        Command::new(env!("CARGO_BIN_EXE_plotsim"))
            .args(&args)
            .current_dir(d.path())
            .env("PLOTSIM_CELL_BUDGET", budget)
            .env_remove("PLOTSIM_ALLOW_LARGE_DATASET")
            .output()
            .unwrap()
    };
    let o = run(&[], "1000");
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("2400 cells (entities x periods), above the cell budget of 1000"),
        "{}",
        stderr(&o)
    );
    assert!(!d.path().join("b").exists(), "nothing is written");
    assert!(run(&["--allow-large-dataset"], "1000").status.success());
    assert!(
        run(&[], "0").status.success(),
        "a budget of 0 disables the gate"
    );
}

#[test]
fn run_refuses_what_it_cannot_generate_yet() {
    let d = tmp();
    assert!(
        plotsim(&["template", "quickstart", "-o", "q.yaml"], d.path())
            .status
            .success()
    );
    let mut yaml = std::fs::read_to_string(d.path().join("q.yaml")).unwrap();
    yaml.push_str("\nsources:\n  - {name: crm}\n  - {name: billing}\n");
    std::fs::write(d.path().join("q.yaml"), yaml).unwrap();
    let o = plotsim(&["run", "q.yaml", "-o", "data"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("not supported yet: `sources`"),
        "{}",
        stderr(&o)
    );
    assert!(!d.path().join("data").exists());
}

#[test]
fn golden_hashes_of_a_small_run() {
    // Changes only with a deliberate algorithm change (bump ALGORITHM_VERSION
    // and regenerate with `PLOTSIM_BLESS=1 cargo test --test integration golden`).
    let d = tmp();
    quickstart(d.path());
    assert!(
        plotsim(&["run", "q.yaml", "-q", "-o", "g"], d.path())
            .status
            .success()
    );
    let got: String = files(&d.path().join("g"))
        .iter()
        // The marker names the plotsim version; everything else is covered.
        .filter(|(name, _)| name != ".plotsim-dataset")
        .map(|(name, bytes)| format!("{}  {name}\n", sha256_hex(bytes)))
        .collect();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/quickstart.sha256");
    if std::env::var_os("PLOTSIM_BLESS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &got).unwrap();
    }
    assert_eq!(
        got,
        std::fs::read_to_string(&golden).unwrap(),
        "output changed; see the comment above"
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn run_writes_every_format() {
    let d = tmp();
    quickstart(d.path());
    for (format, file) in [
        ("parquet", "fct_customer.parquet"),
        ("jsonl", "fct_customer.jsonl"),
        ("sql", "data.sql"),
        ("csv", "fct_customer.csv"),
    ] {
        let o = plotsim(
            &["run", "q.yaml", "-q", "--format", format, "-o", format],
            d.path(),
        );
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        let dir = d.path().join(format);
        assert!(dir.join(file).exists(), "{format}");
        assert!(
            dir.join("config.yaml").exists() && dir.join("manifest.json").exists(),
            "{format}"
        );
    }
    let o = plotsim(&["run", "q.yaml", "--format", "xlsx", "-o", "x"], d.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn run_validate_writes_the_report_and_strict_refuses_an_invalid_dataset() {
    let d = tmp();
    assert!(
        plotsim(&["template", "saas", "-o", "saas.yaml"], d.path())
            .status
            .success()
    );
    let o = plotsim(&["run", "saas.yaml", "-o", "data", "--validate"], d.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Validation: VALID - 0 error(s), 0 warning(s)"),
        "{}",
        stdout(&o)
    );
    let text = std::fs::read_to_string(d.path().join("data/validation_report.txt")).unwrap();
    assert!(text.starts_with("Plotsim Validation Report\n"), "{text}");
    assert!(text.contains("Generated: deterministic (config-sha256[:16]="));
    assert!(text.ends_with("All checks passed cleanly.\n"), "{text}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.path().join("data/validation.json")).unwrap())
            .unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["by_check"].as_object().unwrap().len(), 11);
    // --strict with an error: the report is printed, nothing is written.
    // Noise this strong leaves the lag to chance (about a third of seeds
    // show it in half the entities or fewer): seed 3 is one of those with
    // algorithm_version 5 (3 of 9 aligned); pick another when that changes.
    std::fs::write(
        d.path().join("noisy.yaml"),
        "about: a follower drowned in noise\nunit: shop\nseed: 3\nwindow: [2023-01, 2023-12]\n\
         noise: {gaussian_sigma: 5.0}\nmetrics:\n  - {name: visits, type: score, polarity: positive}\n  \
         - {name: sales, type: score, polarity: positive, follows: visits, delay: 1}\n\
         segments:\n  - {name: wave, count: 9, archetype: seasonal}\n",
    )
    .unwrap();
    let o = plotsim(&["run", "noisy.yaml", "-o", "noisy", "--strict"], d.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("[ERROR] causal_coherence"),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("--strict: validation has 1 error(s); aborting before write."),
        "{}",
        stderr(&o)
    );
    assert!(!d.path().join("noisy").exists());
    // Without --strict the invalid dataset is written with its report.
    let o = plotsim(&["run", "noisy.yaml", "-o", "noisy", "-v"], d.path());
    assert!(o.status.success());
    let text = std::fs::read_to_string(d.path().join("noisy/validation_report.txt")).unwrap();
    assert!(text.contains("Status: INVALID"), "{text}");
}

#[test]
fn info_estimates_rows_of_every_grain() {
    let d = tmp();
    assert!(
        plotsim(&["template", "banking", "-o", "b.yaml"], d.path())
            .status
            .success()
    );
    let o = plotsim(&["info", "b.yaml"], d.path());
    assert!(o.status.success());
    let out = stdout(&o);
    for want in [
        "fct_account_activity         PerEntityPerPeriod     2,352 rows",
        "round(loan_volume x 1) rows per entity-period",
        "1-3 rows per row of fct_loan_applications",
        "at most 98 rows (one per entity)",
        "98-490 rows (1-5 per entity)",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
}

#[test]
fn an_event_that_never_fires_is_a_warning_and_a_note() {
    let d = tmp();
    let cfg = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/integration/never_fires.yaml");
    let o = plotsim(
        &["run", cfg.to_str().unwrap(), "-o", "out", "--validate"],
        d.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Validation: VALID - 0 error(s), 1 warning(s)"),
        "{out}"
    );
    assert!(out.contains("[WARN ] empty_event_table (evt_never) - the event never fired"));
    assert!(
        out.contains("  ! evt_never: 0 rows (the trigger never fired)"),
        "{out}"
    );
}
