//! YAML -> Config -> YAML -> Config gives an equal Config, for hand-written
//! shorthands and for random valid configs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use plotsim_config::{
    Arrival, BaselineLevel, Config, Connection, EntityFeatures, Granularity, Lifecycle,
    LinearDirection, Metric, MetricType, NoisePreset, OutputFormat, Polarity, SeasonalEffect,
    Segment, StepBlock, Treatment, Window,
};
use proptest::prelude::*;

fn round_trip(c: &Config) {
    let yaml = c.to_yaml();
    let back = Config::from_yaml_str(&yaml)
        .unwrap_or_else(|e| panic!("canonical YAML does not load: {e}\n{yaml}"));
    assert_eq!(&back, c, "round trip changed the config:\n{yaml}");
    assert_eq!(back.to_yaml(), yaml, "canonical YAML is not a fixed point");
}

#[test]
fn shorthands_expand_and_round_trip() {
    let yaml = "\
about: shorthands
unit: customer
window: [2023-01, 2023-12, weekly]
noise: Slightly Messy
output: parquet
locale: fr_FR
entity_features: true
metrics:
  - {name: a, type: score, polarity: positive}
  - {name: b, type: amount, polarity: negative, range: [1, 100]}
connections:
  - a related b
  - [a, -0.3, b]
  - {metric_a: b, metric_b: a, relationship: mirrors}
lifecycle:
  track: a
  stages: [{trial: 0.0}, [active, 0.3], {name: power, threshold: 0.8}]
segments:
  - {name: s, count: 3, archetype: growth, attributes: {tier: gold, size: [1, 2.5, true]}}
";
    let c = Config::from_yaml_str(yaml).unwrap();
    assert_eq!(
        c.window,
        Window::new("2023-01", "2023-12", Granularity::Weekly)
    );
    assert_eq!(c.noise, NoisePreset::SlightlyMessy.into());
    assert_eq!(c.output.format, OutputFormat::Parquet);
    assert_eq!(c.locale.0, ["fr_FR"]);
    assert!(c.entity_features.is_some());
    assert_eq!(
        c.connections[0],
        Connection::Shorthand("a related b".into())
    );
    assert_eq!(c.connections[1], Connection::coefficient("a", -0.3, "b"));
    assert_eq!(c.lifecycle.as_ref().unwrap().stages[1].name, "active");
    assert_eq!(c.segments[0].attributes["size"].0, ["1", "2.5", "true"]);
    let canonical = c.to_yaml();
    for expanded in [
        "every: weekly",
        "gaussian_sigma: 0.03",
        "format: parquet",
        "include_labels: true",
        "threshold: 0.3",
    ] {
        assert!(
            canonical.contains(expanded),
            "`{expanded}` missing from canonical form:\n{canonical}"
        );
    }
    round_trip(&c);
    // `entity_features: false` means none.
    let off =
        Config::from_yaml_str(&yaml.replace("entity_features: true", "entity_features: false"))
            .unwrap();
    assert!(off.entity_features.is_none());
}

#[test]
fn builder_equals_yaml() {
    let yaml = "about: x\nunit: company\nwindow: [2023-01, 2024-12]\nnoise: realistic\n\
                metrics: [{name: m, type: amount, polarity: positive, range: [1, 10]}]\n\
                connections: []\nsegments: [{name: s, count: 5, archetype: \"flat > growth @ 6\"}]\nseed: 3\n";
    let built = Config::builder()
        .about("x")
        .unit("company")
        .window(("2023-01", "2024-12"))
        .noise(NoisePreset::Realistic)
        .metrics(vec![
            Metric::builder()
                .name("m")
                .r#type(MetricType::Amount)
                .polarity(Polarity::Positive)
                .range([1.0, 10.0])
                .build(),
        ])
        .segments(vec![
            Segment::builder()
                .name("s")
                .count(5)
                .archetype("flat > growth @ 6")
                .build(),
        ])
        .seed(3)
        .build();
    assert_eq!(built, Config::from_yaml_str(yaml).unwrap());
    round_trip(&built);
}

// ---- random valid configs -------------------------------------------------

const NAMES: &[&str] = &[
    "alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta",
];
const SHAPES: &[&str] = &[
    "growth",
    "decline",
    "seasonal",
    "flat",
    "spike_then_crash",
    "accelerating",
];
const WORDS: &[&str] = &[
    "mirrors",
    "driven_by",
    "related",
    "hints_at",
    "hints_against",
    "resists",
    "opposes",
    "inverts",
];

fn metric(i: usize) -> impl Strategy<Value = Metric> {
    let name = NAMES[i];
    (
        0..4u8,
        any::<bool>(),
        1u32..200,
        1.0f64..1000.0,
        -5i32..5,
        any::<bool>(),
        0u32..4,
    )
        .prop_map(move |(t, pos, lo, span, sens, labelled, delay)| {
            let polarity = if pos {
                Polarity::Positive
            } else {
                Polarity::Negative
            };
            let b = Metric::builder().name(name).polarity(polarity);
            let lo = f64::from(lo);
            let mut m = match t {
                0 => b.r#type(MetricType::Score).build(),
                1 => b.r#type(MetricType::Count).build(),
                2 => b
                    .r#type(MetricType::Amount)
                    .range([lo, lo + span.round()])
                    .build(),
                _ => b
                    .r#type(MetricType::Index)
                    .range([-lo, lo + span.round()])
                    .build(),
            };
            m.seasonal_sensitivity = f64::from(sens) / 2.0;
            if labelled {
                m.label = Some(format!("The {name} metric"));
            }
            // Follow the previous metric (acyclic by construction).
            if i > 0 && delay > 0 {
                m.follows = Some(NAMES[i - 1].to_owned());
                m.delay = Some(delay);
            }
            m
        })
}

fn archetype(n_periods: u32) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(prop::sample::select(SHAPES), 1..4),
        any::<u64>(),
    )
        .prop_map(move |(shapes, salt)| {
            let k = shapes.len() as u32;
            let step = (n_periods - 1) / k;
            let mut s = shapes.join(" > ");
            for i in 1..k {
                s.push_str(&format!(
                    " @ {}",
                    i * step + (salt as u32 % step.max(1)).min(step - 1)
                ));
            }
            s
        })
}

fn arrival(count: u32, n_periods: u32, pick: u8) -> Option<Arrival> {
    let last = n_periods - 2;
    match pick % 5 {
        0 => None,
        1 => Some(Arrival::Uniform {
            start: 0,
            end: Some(last + 1),
        }),
        2 => Some(Arrival::Linear {
            start: 0,
            end: None,
            direction: LinearDirection::Decreasing,
        }),
        3 => Some(Arrival::Step {
            blocks: vec![
                StepBlock::builder().period(0).fraction(0.5).build(),
                StepBlock::builder().period(last).fraction(0.5).build(),
            ],
        }),
        _ => Some(Arrival::Explicit {
            start_periods: (0..count).map(|i| i % (last + 1)).collect(),
        }),
    }
}

fn segment(i: usize, n_periods: u32) -> impl Strategy<Value = Segment> {
    (
        3u32..50,
        archetype(n_periods),
        any::<u8>(),
        any::<bool>(),
        prop::collection::vec("[a-z]{1,6}", 1..3),
    )
        .prop_map(move |(count, dsl, pick, treated, regions)| {
            let mut s = Segment::builder()
                .name(format!("seg{i}"))
                .count(count)
                .archetype(dsl)
                .build();
            s.label = (pick % 2 == 0).then(|| format!("Segment number {i}"));
            s.attributes.insert("region".into(), regions.into());
            s.baseline.insert(
                NAMES[0].into(),
                [BaselineLevel::High, BaselineLevel::Mid, BaselineLevel::Low][pick as usize % 3],
            );
            s.arrival = arrival(count, n_periods, pick / 2);
            s.seasonal_sensitivity = f64::from(pick % 4) / 2.0;
            if treated {
                s.treatment = Some(
                    Treatment::builder()
                        .fraction(0.5)
                        .lift_log_odds(0.4)
                        .start_period(1)
                        .build(),
                );
            }
            s
        })
}

fn config() -> impl Strategy<Value = Config> {
    (
        2usize..=6,
        6u32..=36,
        1usize..=4,
        any::<u64>(),
        0u8..3,
        any::<bool>(),
        0u8..4,
    )
        .prop_flat_map(
            |(n_metrics, n_periods, n_segments, seed, noise, shorthand, extras)| {
                let metrics: Vec<_> = (0..n_metrics).map(metric).collect();
                let segments: Vec<_> = (0..n_segments).map(|i| segment(i, n_periods)).collect();
                let pairs = prop::collection::vec(
                    (
                        0..n_metrics,
                        1..n_metrics,
                        prop::sample::select(WORDS),
                        -100i32..=100,
                    ),
                    0..4,
                );
                (metrics, segments, pairs).prop_map(move |(metrics, segments, pairs)| {
                    let mut seen = Vec::new();
                    let mut connections = Vec::new();
                    for (a, off, word, coef) in pairs {
                        let b = (a + off) % n_metrics;
                        let key = (a.min(b), a.max(b));
                        if seen.contains(&key) {
                            continue;
                        }
                        seen.push(key);
                        let (na, nb) = (NAMES[a], NAMES[b]);
                        connections.push(match (shorthand, coef % 2 == 0) {
                            (true, true) => Connection::from(format!("{na} {word} {nb}")),
                            (true, false) => {
                                Connection::from(format!("{na} {} {nb}", f64::from(coef) / 100.0))
                            }
                            (false, true) => Connection::relationship(na, word, nb),
                            (false, false) => {
                                Connection::coefficient(na, f64::from(coef) / 100.0, nb)
                            }
                        });
                    }
                    let end_month = (n_periods - 1) % 12 + 1;
                    let end_year = 2020 + (n_periods - 1) / 12;
                    let mut c = Config::builder()
                        .about("random")
                        .unit("entity")
                        .window(("2020-01", format!("{end_year}-{end_month:02}")))
                        .metrics(metrics)
                        .segments(segments)
                        .connections(connections)
                        .seed(seed)
                        .build();
                    c.noise = match noise {
                        0 => NoisePreset::PerfectlyClean.into(),
                        1 => NoisePreset::Dirty.into(),
                        _ => c.noise,
                    };
                    if extras & 1 == 1 {
                        c.lifecycle = Some(
                            Lifecycle::builder()
                                .track(NAMES[0])
                                .stages(vec![
                                    ("low", 0.0).into(),
                                    ("mid", 0.4).into(),
                                    ("high", 0.8).into(),
                                ])
                                .enforce_order(true)
                                .build(),
                        );
                        c.seasonality = vec![
                            SeasonalEffect::builder()
                                .months(vec![11, 12])
                                .strength(0.25)
                                .build(),
                        ];
                    }
                    if extras & 2 == 2 {
                        c.entity_features = Some(EntityFeatures::default());
                        c.output = OutputFormat::Parquet.into();
                        c.manifest.trajectory_sample_rate = Some(0.5);
                        c.locale = vec!["en_US", "de_DE"].into();
                    }
                    c
                })
            },
        )
}
proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_valid_configs_round_trip(c in config()) {
        let plan = c.validate();
        prop_assert!(plan.is_ok(), "generated config is invalid: {}\n{}", plan.unwrap_err(), c.to_yaml());
        round_trip(&c);
        let again = Config::from_yaml_str(&c.to_yaml()).unwrap().validate().unwrap();
        prop_assert_eq!(again, plan.unwrap());
    }
}
