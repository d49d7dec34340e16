//! Criterion benchmarks of the per-cell hot paths: quantile functions and
//! tables, the per-entity engine (copula draw included), and the CSV and
//! Parquet writers. Run with `cargo bench -p plotsim`.

#![allow(missing_docs, clippy::unwrap_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use plotsim::engine::distribution::{self as dist, Marginal, beta, gamma, normal};
use plotsim::engine::panel::{Draws, NoTrace, generate_entity};
use plotsim::engine::rng::{Part, stream};
use plotsim::write::encode::Encoder;

fn quantiles(c: &mut Criterion) {
    let mut s = stream(1, &[Part::Str("bench")]);
    let us: Vec<f64> = (0..4096).map(|_| s.uniform()).collect();
    let mut i = 0;
    let mut next = || {
        i = (i + 1) & 4095;
        us[i]
    };
    c.bench_function("normal_quantile", |b| {
        b.iter(|| normal::quantile(black_box(next())))
    });
    c.bench_function("beta_quantile_exact", |b| {
        b.iter(|| {
            let u = next();
            beta::quantile(2.0, 5.0, black_box(u), 1.0 - u)
        })
    });
    c.bench_function("gamma_quantile_exact", |b| {
        b.iter(|| {
            let u = next();
            gamma::quantile(2.5, black_box(u), 1.0 - u)
        })
    });
    let sampler = dist::Sampler::new(Marginal::Beta {
        alpha: 2.0,
        beta: 5.0,
        scale: 1.0,
    });
    c.bench_function("beta_table", |b| {
        b.iter(|| sampler.value(black_box(next() * 4.0 - 2.0), 0.4, Some((0.0, 1.0))))
    });
    c.bench_function("chacha8_normal", |b| b.iter(|| black_box(s.normal())));
}

fn engine(c: &mut Criterion) {
    let yaml = "about: bench\nunit: company\nwindow: [2023-01, 2024-12]\nseed: 1\n\
        noise: {gaussian_sigma: 0.04, outlier_rate: 0.005, mcar_rate: 0.005}\n\
        metrics:\n  - {name: a, type: score, polarity: positive}\n  - {name: b, type: amount, polarity: positive, range: [50, 50000]}\n\
          - {name: c, type: count, polarity: negative}\n  - {name: d, type: index, polarity: positive, range: [0, 100]}\n\
        connections: [\"b driven_by a\", \"c resists a\", \"d related b\"]\n\
        segments: [{name: s, count: 100, archetype: \"growth > decline @ 12\"}]\n";
    let plan = plotsim::Config::from_yaml_str(yaml)
        .unwrap()
        .validate()
        .unwrap();
    let prepared = plotsim::prepare(&plan, 1).unwrap();
    let e = prepared.entities.get(&plan, 1, 0);
    // One entity: 24 periods x 4 metrics = 96 cells, copula draw included.
    c.bench_function("entity_96_cells", |b| {
        b.iter(|| {
            generate_entity(
                &prepared.ctx,
                &prepared.factors,
                black_box(&e),
                Draws::Run,
                &mut NoTrace,
            )
        })
    });
}

fn writers(c: &mut Criterion) {
    let yaml = "about: bench\nunit: company\nwindow: [2023-01, 2024-12]\nseed: 1\n\
        metrics:\n  - {name: a, type: score, polarity: positive}\n  - {name: b, type: amount, polarity: positive, range: [50, 50000]}\n\
          - {name: c, type: count, polarity: negative}\n  - {name: d, type: index, polarity: positive, range: [0, 100]}\n\
        segments: [{name: s, count: 400, archetype: growth}]\n";
    let plan = plotsim::Config::from_yaml_str(yaml)
        .unwrap()
        .validate()
        .unwrap();
    let data = plotsim::generate(&plan).unwrap();
    let schema = data.schema().clone();
    let fact = schema.find("fct_company").unwrap().id;
    let table = &data.tables()[fact];
    let batch = table.batch(fact, 0..table.rows());
    // 9,600 rows x (2 keys + 4 metrics).
    for (name, format) in [
        ("encode_fact_9600_rows_csv", plotsim::OutputFormat::Csv),
        (
            "encode_fact_9600_rows_parquet",
            plotsim::OutputFormat::Parquet,
        ),
    ] {
        let enc = Encoder::new(schema.clone(), format, plotsim::SqlDialect::Postgresql).unwrap();
        c.bench_function(name, |b| b.iter(|| enc.encode(black_box(&batch)).unwrap()));
    }
}

criterion_group!(benches, quantiles, engine, writers);
criterion_main!(benches);
