//! `plotsim schema --manifest` is the JSON Schema every written manifest
//! validates against: runs of configs that fill every section (treatment,
//! late arrival, lag, seasonality, correlation phases, holdout) and the
//! golden manifests. The schema is strict: an unknown or a missing key fails.

use std::path::Path;

use serde_json::Value;

use super::cli::plotsim;

fn manifest_schema(dir: &Path) -> Value {
    let o = plotsim(&["schema", "--manifest"], dir);
    assert!(o.status.success());
    serde_json::from_slice(&o.stdout).unwrap()
}

const EVERY_SECTION: &str = "\
about: every manifest section
unit: shop
seed: 5
window: [2023-01, 2024-12]
noise: {gaussian_sigma: 0.05, outlier_rate: 0.02, mcar_rate: 0.02, noise_family: student_t, degrees_of_freedom: 5}
seasonality:
  - {months: [12], strength: 0.2}
metrics:
  - {name: visits, type: count, polarity: positive}
  - {name: revenue, type: amount, polarity: positive, range: [10, 900]}
  - {name: rating, type: score, polarity: positive, follows: visits, delay: 2, decay_window: 3, decay_kernel: linear}
connections: [\"revenue 0.9 visits\", \"rating -0.9 revenue\", \"rating 0.9 visits\"]
connection_phases:
  - {start_period: 6, end_period: 11, connections: [\"revenue opposes visits\"]}
segments:
  - name: early
    count: 12
    archetype: growth
    treatment: {fraction: 0.5, lift_log_odds: 1.0, start_period: 3, target_metric: revenue}
  - name: late
    count: 8
    archetype: \"flat > decline @ 12\"
    arrival: {kind: uniform, start: 2, end: 10}
entity_features: true
holdout: {target: revenue, periods: 3}
variation: {timing: 2, amplitude: 0.3, level: 0.1, noise: 0.5, blend: 0.5}
";

/// A declared schema with both event triggers (so `event_firings` is filled).
const DECLARED: &str = "\
about: declared with events
unit: shop
seed: 9
window: [2024-01, 2024-12]
metrics:
  - {name: visits, type: count, polarity: positive}
  - {name: rating, type: score, polarity: negative}
segments:
  - {name: s, count: 10, archetype: growth}
dimensions:
  - name: dim_shop
    per: unit
    columns: [{name: shop_id, type: id}, {name: shop_name, type: faker.company}]
facts:
  - name: fct_shop
    metrics: [visits, rating]
    columns: [{name: date_key, type: ref.dim_date}, {name: shop_id, type: ref.dim_shop}]
events:
  - {name: evt_visit, trigger: proportional, driver: visits, scale: 0.3,
     columns: [{name: visit_id, type: id}, {name: date_key, type: ref.dim_date}, {name: shop_id, type: ref.dim_shop}]}
  - {name: evt_low, trigger: threshold, metric: rating, above: 0.5, for: 2,
     columns: [{name: low_id, type: id}, {name: date_key, type: ref.dim_date}, {name: shop_id, type: ref.dim_shop}]}
";

#[test]
fn every_written_manifest_validates_against_the_manifest_schema() {
    let d = tempfile::tempdir().unwrap();
    let schema = manifest_schema(d.path());
    let validator = jsonschema::validator_for(&schema).unwrap();
    let check = |name: &str, m: &Value| {
        let errors: Vec<String> = validator
            .iter_errors(m)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:#?}");
    };
    std::fs::write(d.path().join("every.yaml"), EVERY_SECTION).unwrap();
    std::fs::write(d.path().join("declared.yaml"), DECLARED).unwrap();
    for (template, file) in [("quickstart", "q.yaml"), ("saas", "saas.yaml")] {
        assert!(
            plotsim(&["template", template, "-o", file], d.path())
                .status
                .success()
        );
    }
    for (cfg, out) in [
        ("every.yaml", "every"),
        ("q.yaml", "q"),
        ("declared.yaml", "declared"),
        ("saas.yaml", "saas"),
    ] {
        let o = plotsim(&["run", cfg, "-o", out, "-q"], d.path());
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(d.path().join(out).join("manifest.json")).unwrap();
        let m: Value = serde_json::from_str(&text).unwrap();
        check(cfg, &m);
        if out == "every" {
            // The config fills the optional sections.
            for key in [
                "holdout",
                "correlation_adjustments",
                "correlation_compensations",
            ] {
                assert!(!m[key].is_null(), "{key}");
            }
            assert_eq!(m["correlation_phases"].as_array().unwrap().len(), 1);
            assert!(m["archetype_assignments"][0]["treatment"].is_object());
            assert!(m["seasonal_decomposition"]["seasonal_factors"].is_array());
        }
        if out == "saas" {
            // The template's three quality issues are all recorded.
            let q = m["quality_injections"].as_array().unwrap();
            for i in 0..3 {
                assert!(q.iter().any(|x| x["issue_index"] == i), "issue {i}");
            }
        }
        if out == "declared" {
            let f = m["event_firings"].as_array().unwrap();
            assert!(f.iter().any(|x| x["event"] == "evt_visit"), "{f:?}");
            assert!(f.iter().any(|x| x["event"] == "evt_low"), "{f:?}");
        }
    }
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/tiny");
    for format in std::fs::read_dir(&golden).unwrap() {
        let path = format.unwrap().path().join("manifest.json");
        if path.exists() {
            let m: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            check(&path.display().to_string(), &m);
        }
    }
    // Strict: an unknown key, a missing key or a wrong type is an error.
    let text = std::fs::read_to_string(d.path().join("q/manifest.json")).unwrap();
    let good: Value = serde_json::from_str(&text).unwrap();
    let mut extra = good.clone();
    extra["surprise"] = Value::Bool(true);
    assert!(!validator.is_valid(&extra));
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("seed");
    assert!(!validator.is_valid(&missing));
    let mut wrong = good;
    wrong["archetype_assignments"][0]["active_window"]["start"] = Value::from("zero");
    assert!(!validator.is_valid(&wrong));
}
