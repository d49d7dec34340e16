//! Declared star schemas: dimensions per period, per unit, per sub-entity
//! and reference; per-entity-per-period facts with every column type they
//! take; keys unique and every foreign key resolving; files identical on any
//! thread count and batch size.

#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};

use plotsim::tables::Table;
use plotsim::{Config, Dataset, OutputFormat, Plan, RunOptions};

const YAML: &str = "\
about: declared schema
unit: store
seed: 7
window: [2023-01, 2024-06]
noise: {gaussian_sigma: 0.05, outlier_rate: 0.01, mcar_rate: 0.02}
output: {denormalized: true}
metrics:
  - {name: footfall, type: count, polarity: positive}
  - {name: revenue, type: amount, polarity: positive, range: [100, 9000]}
  - {name: rating, type: score, polarity: positive}
connections: [\"revenue driven_by footfall\"]
segments:
  - {name: flagship, count: 12, archetype: growth, attributes: {city: [Lyon, Paris]}}
  - {name: outlet, count: 9, archetype: \"flat > decline @ 9\", attributes: {city: [Lille]}}
dimensions:
  - name: dim_date
    per: period
    columns:
      - {name: date_key, type: id}
      - {name: year, type: int}
      - {name: date, type: date}
  - name: dim_format
    reference: true
    columns:
      - {name: format_id, type: id}
      - {name: format_name, type: \"static.kiosk,mall,high_street\"}
      - {name: floor_m2, type: \"static.40,900,350\"}
      - {name: label, type: faker.word}
  - name: dim_store
    per: unit
    columns:
      - {name: store_id, type: id}
      - {name: format_id, type: ref.dim_format}
      - {name: store_name, type: faker.company}
      - {name: opened, type: faker.year}
      - {name: city, type: pool.city}
      - {name: cohort, type: segment.count}
      - {name: grade, type: \"static.gold,silver\"}
      - {name: staff, type: range, range: [3, 30]}
      - {name: tier, type: scd, tracks: revenue, tiers: [bronze, silver, gold], at: [0.4, 0.7]}
  - name: dim_clerk
    per: unit
    count: 3
    columns:
      - {name: clerk_id, type: id}
      - {name: store_id, type: ref.dim_store}
      - {name: clerk_name, type: faker.name}
      - {name: email, type: faker.email}
facts:
  - name: fct_sales
    metrics: [footfall, revenue]
    columns:
      - {name: date_key, type: ref.dim_date}
      - {name: store_id, type: ref.dim_store}
      - {name: format_id, type: ref.dim_format}
      - {name: clerk_id, type: ref.dim_clerk}
      - {name: basket, type: range, range: [1.5, 80.0]}
      - {name: counted_at, type: timestamp}
      - {name: band, type: bucket, labels: [low, mid, high]}
      - {name: channel, type: \"static.web,store\"}
      - {name: city, type: pool.city}
  - name: fct_reviews
    cdc: true
    columns:
      - {name: date_key, type: ref.dim_date}
      - {name: store_id, type: ref.dim_store}
      - {name: rating, type: metric.rating}
events:
  - name: evt_visit
    trigger: proportional
    driver: footfall
    scale: 0.5
    log_format: \"{at} visit {visit_id} at {store_id}: {{spend}} {spend:.2f}\"
    columns:
      - {name: visit_id, type: id}
      - {name: date_key, type: ref.dim_date}
      - {name: store_id, type: ref.dim_store}
      - {name: format_id, type: ref.dim_format}
      - {name: at, type: timestamp}
      - {name: spend, type: range, range: [5, 50]}
  - name: evt_alert
    trigger: threshold
    metric: rating
    below: 0.3
    for: 2
    columns:
      - {name: alert_id, type: id}
      - {name: date_key, type: ref.dim_date}
      - {name: store_id, type: ref.dim_store}
      - {name: raised, type: flag}
entity_features: true
holdout: {target: revenue, periods: 3}
";

fn plan() -> Plan {
    Config::from_yaml_str(YAML).unwrap().validate().unwrap()
}

fn texts(t: &Table, c: &str) -> Vec<Option<String>> {
    t.column(c)
        .unwrap_or_else(|| panic!("{}.{c}", t.name))
        .texts()
}

#[test]
fn every_declared_table_is_written_with_its_columns() {
    let data = plotsim::generate(&plan()).unwrap();
    let names: Vec<&str> = data.tables().iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "dim_date",
            "dim_format",
            "dim_store",
            "dim_clerk",
            "fct_sales",
            "fct_sales_train",
            "fct_sales_holdout",
            "fct_reviews",
            "fct_reviews_train",
            "fct_reviews_holdout",
            "evt_visit",
            "evt_alert",
            "fct_sales_wide",
            "fct_reviews_wide",
            "_entity_features"
        ]
    );
    let cols = |t: &str| -> Vec<String> {
        data.table(t)
            .unwrap()
            .columns
            .iter()
            .map(|c| c.name.clone())
            .collect()
    };
    // dim_date: the fixed layout, declared fields first.
    assert_eq!(cols("dim_date")[..4], ["date_key", "year", "date", "month"]);
    // Keys first (every ref but those to reference dimensions), then foreign
    // keys, then the rest; the `metrics:` list adds the metric columns the
    // fact did not declare.
    assert_eq!(
        cols("fct_sales"),
        [
            "date_key",
            "store_id",
            "clerk_id",
            "format_id",
            "basket",
            "counted_at",
            "band",
            "channel",
            "city",
            "footfall",
            "revenue",
            "dim_row_id"
        ]
    );
    let rows = |t: &str| data.table(t).unwrap().rows();
    assert_eq!(rows("dim_date"), 18);
    assert_eq!(rows("dim_format"), 3);
    // One row per store and tier version.
    let stores: BTreeSet<_> = texts(data.table("dim_store").unwrap(), "store_id")
        .into_iter()
        .collect();
    assert_eq!(stores.len(), 21);
    assert_eq!(rows("dim_clerk"), 63);
    assert_eq!(rows("fct_sales"), 21 * 18);
    assert_eq!(rows("fct_sales_train") + rows("fct_sales_holdout"), 21 * 18);
}

#[test]
fn cells_follow_their_column_types() {
    let data = plotsim::generate(&plan()).unwrap();
    let fmt = data.table("dim_format").unwrap();
    assert_eq!(
        texts(fmt, "format_name"),
        [
            Some("kiosk".into()),
            Some("mall".into()),
            Some("high_street".into())
        ]
    );
    assert_eq!(
        fmt.column("floor_m2").unwrap().f64s(),
        [Some(40.0), Some(900.0), Some(350.0)]
    );
    let store = data.table("dim_store").unwrap();
    let opened = store.column("opened").unwrap().i64s();
    assert!(opened.iter().all(|y| (1950..=2020).contains(&y.unwrap())));
    let cohort = store.column("cohort").unwrap().i64s();
    assert_eq!(cohort[0], Some(12));
    assert_eq!(cohort[store.rows() - 1], Some(9));
    // A static list is sampled: one item per entity on a dimension.
    let grades = texts(store, "grade");
    let gold = grades
        .iter()
        .filter(|t| t.as_deref() == Some("gold"))
        .count();
    let silver = grades
        .iter()
        .filter(|t| t.as_deref() == Some("silver"))
        .count();
    assert_eq!(gold + silver, grades.len());
    assert!(gold > 0 && silver > 0, "{grades:?}");
    let staff = store.column("staff").unwrap().i64s();
    assert!(staff.iter().all(|s| (3..=30).contains(&s.unwrap())));
    assert!(staff.iter().collect::<BTreeSet<_>>().len() > 5);
    // The outlet segment (stores 13 to 21) has one city.
    for (k, c) in texts(store, "store_id").iter().zip(texts(store, "city")) {
        if k.as_deref().unwrap() > "s-012" {
            assert_eq!(c.as_deref(), Some("Lille"));
        }
    }
    // A sub-entity dimension: 3 clerks per store, each referring to it.
    let clerk = data.table("dim_clerk").unwrap();
    assert_eq!(
        texts(clerk, "store_id")[..4],
        [
            Some("s-001".into()),
            Some("s-001".into()),
            Some("s-001".into()),
            Some("s-002".into())
        ]
    );
    let sales = data.table("fct_sales").unwrap();
    // A reference pick is drawn once per store and held over its periods.
    let formats = texts(sales, "format_id");
    let stores = texts(sales, "store_id");
    let mut per_store: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (s, f) in stores.iter().zip(&formats) {
        per_store
            .entry(s.as_deref().unwrap())
            .or_default()
            .insert(f.as_deref().unwrap());
    }
    assert!(per_store.values().all(|f| f.len() == 1));
    // A clerk is one of the row's store's own clerks.
    let clerk_store: BTreeMap<_, _> = texts(clerk, "clerk_id")
        .into_iter()
        .zip(texts(clerk, "store_id"))
        .collect();
    for (c, s) in texts(sales, "clerk_id").iter().zip(&stores) {
        assert_eq!(&clerk_store[c], s);
    }
    let basket = sales.column("basket").unwrap().f64s();
    assert!(basket.iter().all(|b| (1.5..80.0).contains(&b.unwrap())));
    // A static list is sampled per row on a fact: each item about half the
    // time (4 standard deviations of a binomial share).
    let channels = texts(sales, "channel");
    let web = channels
        .iter()
        .filter(|c| c.as_deref() == Some("web"))
        .count() as f64;
    let store_rows = channels
        .iter()
        .filter(|c| c.as_deref() == Some("store"))
        .count() as f64;
    let n = channels.len() as f64;
    assert_eq!(web + store_rows, n);
    assert!(
        (web / n - 0.5).abs() < 4.0 * (0.25 / n).sqrt(),
        "{web} of {n}"
    );
    // Timestamps: midnight of the period's first day.
    let ts = texts(sales, "counted_at");
    assert_eq!(ts[0].as_deref(), Some("2023-01-01 00:00:00"));
    assert_eq!(ts[1].as_deref(), Some("2023-02-01 00:00:00"));
    // Buckets follow the trajectory: a growth store starts low and ends high.
    let band = texts(sales, "band");
    assert_eq!(band[0].as_deref(), Some("low"));
    assert_eq!(band[17].as_deref(), Some("high"));
}

/// Every primary key is unique and every foreign key resolves.
fn check_keys(data: &Dataset) {
    for ts in data.schema().tables() {
        let t = data.table(&ts.name).unwrap();
        if !ts.primary_key.is_empty()
            && !ts.name.ends_with("_train")
            && !ts.name.ends_with("_holdout")
        {
            let keys: Vec<Vec<Option<String>>> =
                ts.primary_key.iter().map(|k| texts(t, k)).collect();
            let mut seen = BTreeSet::new();
            for r in 0..t.rows() {
                let key: Vec<&Option<String>> = keys.iter().map(|k| &k[r]).collect();
                assert!(
                    seen.insert(format!("{key:?}")),
                    "{}: duplicate key {key:?}",
                    ts.name
                );
            }
        }
        for fk in &ts.foreign_keys {
            let target: BTreeSet<Option<String>> =
                texts(data.table(&fk.table).unwrap(), &fk.references)
                    .into_iter()
                    .collect();
            for v in texts(t, &fk.column) {
                assert!(
                    target.contains(&v),
                    "{}.{} = {v:?} not in {}",
                    ts.name,
                    fk.column,
                    fk.table
                );
            }
        }
    }
}

#[test]
fn keys_are_unique_and_foreign_keys_resolve() {
    let data = plotsim::generate(&plan()).unwrap();
    check_keys(&data);
    let fks: Vec<(String, String)> = data
        .schema()
        .find("fct_sales")
        .unwrap()
        .foreign_keys
        .iter()
        .map(|f| (f.column.clone(), f.table.clone()))
        .collect();
    assert_eq!(fks.len(), 4, "{fks:?}");
}

#[test]
fn declared_files_do_not_depend_on_threads_or_batch_size() {
    let plan = plan();
    for format in [
        OutputFormat::Csv,
        OutputFormat::Parquet,
        OutputFormat::Jsonl,
        OutputFormat::Sql,
    ] {
        let mut seen = None;
        for (threads, batch) in [(1, 256), (2, 5)] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("out");
            let mut opts = RunOptions::new(&dir, &plan);
            opts.format = format;
            opts.threads = Some(threads);
            opts.batch_size = batch;
            plotsim::run(&plan, &opts).unwrap();
            let mut files = BTreeMap::new();
            for e in std::fs::read_dir(&dir).unwrap() {
                let p = e.unwrap().path();
                files.insert(
                    p.file_name().unwrap().to_owned(),
                    std::fs::read(&p).unwrap(),
                );
            }
            match &seen {
                None => seen = Some(files),
                Some(first) => {
                    for (name, bytes) in first {
                        assert!(bytes == &files[name], "{format:?} {name:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn a_metrics_list_naming_a_column_of_another_type_is_an_error() {
    let bad = YAML.replace(
        "      - {name: rating, type: metric.rating}",
        "      - {name: rating, type: \"static.x\"}\n    metrics: [rating]",
    );
    let e = Config::from_yaml_str(&bad)
        .unwrap()
        .validate()
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("facts[1].metrics[0]") && e.contains("column `rating` already exists"),
        "{e}"
    );
}

#[test]
fn events_follow_their_triggers_and_every_firing_is_recorded() {
    let data = plotsim::generate(&plan()).unwrap();
    let sales = data.table("fct_sales").unwrap();
    let reviews = data.table("fct_reviews").unwrap();
    let series = |t: &Table, m: &str| -> BTreeMap<(String, i64), Option<f64>> {
        texts(t, "store_id")
            .into_iter()
            .zip(t.column("date_key").unwrap().i64s())
            .zip(t.column(m).unwrap().f64s())
            .map(|((s, d), v)| ((s.unwrap(), d.unwrap()), v))
            .collect()
    };
    // Proportional: round_half_even(footfall x 0.5) rows per store and period.
    let footfall = series(sales, "footfall");
    let visits = data.table("evt_visit").unwrap();
    let mut count: BTreeMap<(String, i64), u64> = BTreeMap::new();
    for (s, d) in texts(visits, "store_id")
        .into_iter()
        .zip(visits.column("date_key").unwrap().i64s())
    {
        *count.entry((s.unwrap(), d.unwrap())).or_default() += 1;
    }
    let mut expected_rows = 0;
    for (k, v) in &footfall {
        let want = v.map_or(0.0, |v| {
            plotsim::engine::distribution::round_half_even(v * 0.5)
        }) as u64;
        assert_eq!(count.get(k).copied().unwrap_or(0), want, "{k:?}");
        expected_rows += want;
    }
    assert!(expected_rows > 100);
    assert_eq!(visits.rows() as u64, expected_rows);
    // Keys are unique, timestamps fall within the row's month.
    let ids: BTreeSet<_> = texts(visits, "visit_id").into_iter().collect();
    assert_eq!(ids.len(), visits.rows());
    for (at, d) in texts(visits, "at")
        .iter()
        .zip(visits.column("date_key").unwrap().i64s())
    {
        let d = d.unwrap().to_string();
        assert_eq!(
            at.as_deref().unwrap()[..7],
            format!("{}-{}", &d[..4], &d[4..6])
        );
    }
    // Threshold: one row at the first period ending two periods below 0.3.
    let rating = series(reviews, "rating");
    let alerts = data.table("evt_alert").unwrap();
    let fired: BTreeMap<String, i64> = texts(alerts, "store_id")
        .into_iter()
        .zip(alerts.column("date_key").unwrap().i64s())
        .map(|(s, d)| (s.unwrap(), d.unwrap()))
        .collect();
    assert_eq!(fired.len(), alerts.rows(), "at most one alert per store");
    let mut by_store: BTreeMap<&str, Vec<(i64, Option<f64>)>> = BTreeMap::new();
    for ((s, d), v) in &rating {
        by_store.entry(s.as_str()).or_default().push((*d, *v));
    }
    for (store, pts) in by_store {
        let mut run = 0;
        let first = pts.iter().find_map(|&(d, v)| {
            run = if v.is_some_and(|v| v < 0.3) {
                run + 1
            } else {
                0
            };
            (run >= 2).then_some(d)
        });
        assert_eq!(fired.get(store).copied(), first, "{store}");
    }
    assert!(
        texts(alerts, "raised")
            .iter()
            .all(|r| r.as_deref() == Some("true"))
    );
    // The manifest records every firing with the rows it made.
    let firings = data.manifest()["event_firings"].as_array().unwrap();
    let rows_of = |e: &str| -> u64 {
        firings
            .iter()
            .filter(|f| f["event"] == e)
            .map(|f| f["rows"].as_u64().unwrap())
            .sum()
    };
    assert_eq!(rows_of("evt_visit"), visits.rows() as u64);
    assert_eq!(rows_of("evt_alert"), alerts.rows() as u64);
}

#[test]
fn a_cdc_fact_ends_with_its_capture_columns() {
    let data = plotsim::generate(&plan()).unwrap();
    let t = data.table("fct_reviews").unwrap();
    let cols: Vec<&str> = t.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        cols,
        [
            "date_key",
            "store_id",
            "rating",
            "dim_row_id",
            "_inserted_at",
            "_updated_at",
            "_op"
        ]
    );
    let labels = texts(t, "_inserted_at");
    assert_eq!(labels[0].as_deref(), Some("2023-01"));
    assert_eq!(labels[17].as_deref(), Some("2024-06"));
    assert_eq!(texts(t, "_updated_at"), labels);
    assert!(texts(t, "_op").iter().all(|o| o.as_deref() == Some("I")));
}

#[test]
fn scd_versions_join_facts_and_match_the_manifest() {
    let data = plotsim::generate(&plan()).unwrap();
    let store = data.table("dim_store").unwrap();
    let ids = store.column("dim_row_id").unwrap().i64s();
    let keys = texts(store, "store_id");
    let from = store.column("valid_from").unwrap().i64s();
    let to = store.column("valid_to").unwrap().i64s();
    let current = texts(store, "is_current");
    let tier = texts(store, "tier");
    // Versions of one store are consecutive, half-open and end current.
    let mut versions: BTreeMap<String, Vec<(i64, i64, i64, String)>> = BTreeMap::new();
    for r in 0..store.rows() {
        versions.entry(keys[r].clone().unwrap()).or_default().push((
            ids[r].unwrap(),
            from[r].unwrap(),
            to[r].unwrap(),
            tier[r].clone().unwrap(),
        ));
        assert_eq!(
            current[r].as_deref() == Some("true"),
            r + 1 == store.rows() || keys[r + 1] != keys[r]
        );
    }
    assert_eq!(versions.len(), 21);
    assert!(store.rows() > 21, "some stores change tier");
    let order = ["bronze", "silver", "gold"];
    for vs in versions.values() {
        for w in vs.windows(2) {
            assert_eq!(w[0].2, w[1].1);
            let rank = |t: &str| order.iter().position(|o| *o == t).unwrap();
            assert!(rank(&w[1].3) > rank(&w[0].3), "tiers only rise");
        }
        assert_eq!(vs.last().unwrap().2, 99_991_231);
    }
    // Every fact row carries the version in force in its period.
    let sales = data.table("fct_sales").unwrap();
    let when = sales.column("date_key").unwrap().i64s();
    let row_ids = sales.column("dim_row_id").unwrap().i64s();
    for ((s, d), id) in texts(sales, "store_id").iter().zip(&when).zip(&row_ids) {
        let vs = &versions[s.as_deref().unwrap()];
        let v = vs
            .iter()
            .find(|v| v.1 <= d.unwrap() && d.unwrap() < v.2)
            .unwrap();
        assert_eq!(Some(v.0), *id);
    }
    // One manifest record per version after the first.
    let events = data.manifest()["scd_events"].as_array().unwrap();
    assert_eq!(events.len(), store.rows() - 21);
    for e in events {
        let vs = &versions[e["entity_id"].as_str().unwrap()];
        let new = vs
            .iter()
            .find(|v| v.0 == e["new_dim_row_id"].as_i64().unwrap())
            .unwrap();
        assert_eq!(new.1, e["date_key"].as_i64().unwrap());
        assert_eq!(new.3, e["new_label"].as_str().unwrap());
        assert_eq!(e["trigger_metric"], "revenue");
    }
}

#[test]
fn wide_tables_join_every_dimension_at_the_row() {
    let data = plotsim::generate(&plan()).unwrap();
    let sales = data.table("fct_sales").unwrap();
    let wide = data.table("fct_sales_wide").unwrap();
    assert_eq!(wide.rows(), sales.rows());
    // The fact's own columns come first, unchanged.
    for c in &sales.columns {
        assert_eq!(wide.column(&c.name), Some(&c.data), "{}", c.name);
    }
    // Each joined column equals the dimension row the key names.
    let lookup = |dim: &str, key: &str, col: &str| -> BTreeMap<Option<String>, Option<String>> {
        let t = data.table(dim).unwrap();
        texts(t, key).into_iter().zip(texts(t, col)).collect()
    };
    for (dim, fk, key, col) in [
        ("dim_store", "dim_row_id", "dim_row_id", "tier"),
        ("dim_store", "dim_row_id", "dim_row_id", "store_name"),
        ("dim_format", "format_id", "format_id", "format_name"),
        ("dim_date", "date_key", "date_key", "period_index"),
        ("dim_clerk", "clerk_id", "clerk_id", "clerk_name"),
    ] {
        let m = lookup(dim, key, col);
        let joined = texts(wide, &format!("{dim}__{col}"));
        for (k, v) in texts(sales, fk).iter().zip(&joined) {
            assert_eq!(&m[k], v, "{dim}.{col} for {k:?}");
        }
    }
}

#[test]
fn an_event_log_has_one_line_per_event_row() {
    let plan = plan();
    let data = plotsim::generate(&plan).unwrap();
    let visits = data.table("evt_visit").unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("run"), tmp.path().join("write"));
    plotsim::run(&plan, &RunOptions::new(&a, &plan)).unwrap();
    data.write(&b, OutputFormat::Csv).unwrap();
    let log = std::fs::read_to_string(a.join("evt_visit.log")).unwrap();
    assert_eq!(
        log,
        std::fs::read_to_string(b.join("evt_visit.log")).unwrap()
    );
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(lines.len(), visits.rows());
    let (at, id, store) = (
        texts(visits, "at"),
        texts(visits, "visit_id"),
        texts(visits, "store_id"),
    );
    let spend = visits.column("spend").unwrap().f64s();
    for (i, line) in lines.iter().enumerate() {
        let want = format!(
            "{} visit {} at {}: {{spend}} {:.2}",
            at[i].as_deref().unwrap(),
            id[i].as_deref().unwrap(),
            store[i].as_deref().unwrap(),
            spend[i].unwrap()
        );
        assert_eq!(*line, want);
    }
}
