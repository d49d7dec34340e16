//! Determinism by construction: for random small configs, every output file
//! (CSV, JSON lines, SQL, Parquet, and the manifest) is byte-identical for 1
//! and 2 threads and for two batch sizes, and `Dataset::write` replays the
//! same bytes as `run`. Windows are long enough (daily, weekly) that runs
//! span several entity blocks.

#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use plotsim::{Config, OutputFormat, Plan, RunOptions};
use proptest::prelude::*;

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

fn run(
    plan: &Plan,
    format: OutputFormat,
    threads: usize,
    batch: usize,
) -> BTreeMap<String, Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let mut opts = RunOptions::new(&dir, plan);
    opts.format = format;
    opts.threads = Some(threads);
    opts.batch_size = batch;
    plotsim::run(plan, &opts).unwrap();
    files(&dir)
}

const TYPES: [&str; 4] = [
    "{name: m0, type: score, polarity: positive}",
    "{name: m1, type: amount, polarity: positive, range: [10, 900]}",
    "{name: m2, type: count, polarity: negative}",
    "{name: m3, type: index, polarity: positive, range: [0, 100], follows: m0, delay: 2}",
];

/// A random small config: 1-3 segments, 1-4 metrics (with a connection when
/// there are two), a daily, weekly or monthly window, noise with nulls, and
/// maybe entity features with a holdout split.
fn config() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(3u32..45, 1..=3),
        1usize..=4,
        0usize..3,
        any::<u64>(),
        any::<bool>(),
    )
        .prop_map(|(counts, n_metrics, every, seed, ml)| {
            let (start, end, every) = [
                ("2023-01-01", "2023-12-31", "daily"),
                ("2019-01", "2024-12", "weekly"),
                ("2001-01", "2028-12", "monthly"),
            ][every];
            let metrics: Vec<&str> = TYPES[..n_metrics].to_vec();
            let connections = if n_metrics >= 2 {
                "connections: [\"m1 driven_by m0\"]\n"
            } else {
                ""
            };
            let archetypes = ["growth", "flat > decline @ 30", "spike_then_crash"];
            let segments: String = counts
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    format!(
                        "  - {{name: s{i}, count: {c}, archetype: \"{}\"}}\n",
                        archetypes[i]
                    )
                })
                .collect();
            let ml = if ml {
                "entity_features: true\nholdout: {target: m0, periods: 3}\n"
            } else {
                ""
            };
            format!(
                "about: determinism\nunit: shop\nseed: {seed}\n{ml}\
                 window: {{start: {start}, end: {end}, every: {every}}}\n\
                 noise: {{gaussian_sigma: 0.05, outlier_rate: 0.02, mcar_rate: 0.05}}\n\
                 metrics:\n  - {}\n{connections}segments:\n{segments}",
                metrics.join("\n  - ")
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 5, ..ProptestConfig::default() })]

    #[test]
    fn files_do_not_depend_on_threads_or_batch_size(yaml in config()) {
        let plan = Config::from_yaml_str(&yaml).unwrap().validate().unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let blocks = plan.n_entities().div_ceil(plotsim::pipeline::block_entities(plan.window.n_periods));
        let data = plotsim::generate_with(&plan, None, 5).unwrap();
        for format in [OutputFormat::Csv, OutputFormat::Jsonl, OutputFormat::Sql, OutputFormat::Parquet] {
            let one = run(&plan, format, 1, 256);
            let two = run(&plan, format, 2, 7);
            prop_assert_eq!(one.keys().collect::<Vec<_>>(), two.keys().collect::<Vec<_>>());
            for (name, bytes) in &one {
                prop_assert!(bytes == &two[name], "{} differs ({} blocks) for\n{}", name, blocks, yaml);
            }
            // The in-memory dataset replays the same files.
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("mem");
            data.write(&dir, format).unwrap();
            let mem = files(&dir);
            for (name, bytes) in &one {
                prop_assert!(bytes == &mem[name], "{} differs in Dataset::write for\n{}", name, yaml);
            }
        }
    }
}

#[test]
fn a_long_daily_window_spans_several_blocks() {
    let yaml = "about: blocks\nunit: shop\nseed: 3\nwindow: {start: 2020-01-01, end: 2024-12-31, every: daily}\n\
                metrics:\n  - {name: visits, type: count, polarity: positive}\n\
                segments:\n  - {name: s, count: 60, archetype: growth}\n";
    let plan = Config::from_yaml_str(yaml).unwrap().validate().unwrap();
    let per_block = plotsim::pipeline::block_entities(plan.window.n_periods);
    assert!(
        plan.n_entities().div_ceil(per_block) >= 3,
        "{per_block} entities per block"
    );
    for format in [OutputFormat::Sql, OutputFormat::Parquet] {
        assert_eq!(run(&plan, format, 1, 1), run(&plan, format, 2, 1000));
    }
}
