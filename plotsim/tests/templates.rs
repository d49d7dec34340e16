//! The bundled templates end to end: every one generates with a clean
//! validation report, unique primary keys and resolving foreign keys in
//! every table; and bridges follow their driver.

#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet, HashSet};

use plotsim::tables::Table;
use plotsim::{Config, Dataset, OutputFormat, Plan, RunOptions};

fn template(name: &str) -> Plan {
    plotsim::templates::get(name).unwrap().plan().unwrap()
}

fn texts(t: &Table, c: &str) -> Vec<Option<String>> {
    t.column(c).unwrap().texts()
}

/// Every table's primary key is unique and every foreign key names a row
/// of its parent; returns the number of foreign keys checked.
fn check_keys(data: &Dataset) -> usize {
    let mut checked = 0;
    for t in data.schema().tables() {
        let table = data.table(&t.name).unwrap();
        if !t.primary_key.is_empty() {
            let cols: Vec<Vec<Option<String>>> =
                t.primary_key.iter().map(|k| texts(table, k)).collect();
            let mut seen = HashSet::new();
            for r in 0..table.rows() {
                let key: Vec<&Option<String>> = cols.iter().map(|c| &c[r]).collect();
                assert!(seen.insert(key.clone()), "{}: repeated key {key:?}", t.name);
            }
        }
        for fk in &t.foreign_keys {
            let parent: HashSet<Option<String>> =
                texts(data.table(&fk.table).unwrap(), &fk.references)
                    .into_iter()
                    .collect();
            for v in texts(table, &fk.column).into_iter().flatten() {
                assert!(
                    parent.contains(&Some(v.clone())),
                    "{}.{} = {v} is not in {}.{}",
                    t.name,
                    fk.column,
                    fk.table,
                    fk.references
                );
            }
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_template_generates_valid_tables_with_their_keys_and_a_clean_report() {
    for name in ["banking", "health", "hr", "marketing", "retail", "saas"] {
        let plan = template(name);
        let data = plotsim::generate(&plan).unwrap();
        assert!(check_keys(&data) >= 5, "{name}: few foreign keys");
        // Without its quality issues, every written file is exactly the
        // in-memory table whose keys were just checked.
        let mut config = plotsim::templates::get(name).unwrap().config().unwrap();
        config.quality.clear();
        let clean = config.validate().unwrap();
        let tmp = tempfile::tempdir().unwrap();
        plotsim::run(&clean, &RunOptions::new(tmp.path().join("out"), &clean)).unwrap();
        for t in data.tables() {
            let want = plotsim::write::encode::csv::table_header(t)
                + &plotsim::write::encode::csv::table_rows(t);
            let got =
                std::fs::read_to_string(tmp.path().join(format!("out/{}.csv", t.name))).unwrap();
            assert!(got == want, "{name}: {}.csv is not its table", t.name);
        }
        for format in [
            OutputFormat::Csv,
            OutputFormat::Parquet,
            OutputFormat::Jsonl,
            OutputFormat::Sql,
        ] {
            let tmp = tempfile::tempdir().unwrap();
            let mut opts = RunOptions::new(tmp.path().join("out"), &plan);
            opts.format = format;
            opts.validate = true;
            let summary = plotsim::run(&plan, &opts).unwrap();
            let report = summary.report.unwrap();
            assert!(
                report.ok && report.errors == 0,
                "{name} {format:?}: {}",
                report.to_text("-")
            );
            // Every table of the schema has its file; the SQL dump loads.
            if format == OutputFormat::Sql {
                let sql = std::fs::read_to_string(tmp.path().join("out/data.sql")).unwrap();
                let db = rusqlite::Connection::open_in_memory().unwrap();
                db.execute_batch(&sql).unwrap();
                for t in data.schema().tables() {
                    let q = format!("SELECT COUNT(*) FROM \"{}\"", t.name);
                    let n: i64 = db.query_row(&q, [], |r| r.get(0)).unwrap();
                    assert!(n >= 0, "{name}: {}", t.name);
                }
            } else {
                for t in data.schema().tables() {
                    let ext = format.to_string();
                    let path = tmp.path().join("out").join(format!("{}.{ext}", t.name));
                    assert!(path.exists(), "{name}: {}", path.display());
                }
            }
        }
    }
}

const BRIDGED: &str = "\
about: bridges follow their driver
unit: shopper
seed: 3
window: [2023-01, 2024-12]
metrics:
  - {name: loyalty, type: score, polarity: positive}
  - {name: churn, type: score, polarity: negative}
segments:
  - {name: steady, count: 30, archetype: flat}
  - {name: rising, count: 30, archetype: growth}
dimensions:
  - name: dim_shopper
    per: unit
    columns:
      - {name: shopper_id, type: id}
      - {name: tier, type: scd, tracks: loyalty, tiers: [basic, gold], at: [0.6]}
      - {name: level, type: bucket, labels: [low, mid, high]}
  - name: dim_offer
    reference: true
    columns:
      - {name: offer_id, type: id}
      - {name: offer, type: \"static.a,b,c,d,e,f,g,h,i,j\"}
facts:
  - name: fct_shopper
    columns:
      - {name: date_key, type: ref.dim_date}
      - {name: shopper_id, type: ref.dim_shopper}
      - {name: loyalty, type: metric.loyalty}
bridges:
  - name: bridge_offers
    left: dim_shopper
    right: dim_offer
    cardinality: [1, 9]
    driver: loyalty
    columns:
      - {name: loyalty_mean, type: metric.loyalty}
      - {name: channel, type: \"static.app,web\"}
  - name: bridge_rescue
    left: dim_shopper
    right: dim_offer
    cardinality: [0, 8]
    driver: churn
";

#[test]
fn bridge_counts_rise_with_the_driver_and_match_the_manifest() {
    let plan = Config::from_yaml_str(BRIDGED).unwrap().validate().unwrap();
    let data = plotsim::generate(&plan).unwrap();
    check_keys(&data);
    let m = data.manifest();
    let assoc = m["bridge_associations"].as_array().unwrap();
    for (bridge, [lo, hi]) in [("bridge_offers", [1, 9]), ("bridge_rescue", [0, 8])] {
        let t = data.table(bridge).unwrap();
        // The left side is the shopper's current SCD version.
        let left = texts(t, "shopper_dim_row_id");
        let right = texts(t, "offer_id");
        let mut rows: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (l, r) in left.iter().zip(&right) {
            rows.entry(l.clone().unwrap())
                .or_default()
                .push(r.clone().unwrap());
        }
        let mine: Vec<&serde_json::Value> =
            assoc.iter().filter(|a| a["bridge"] == bridge).collect();
        assert_eq!(mine.len(), 60, "{bridge}: one record per shopper");
        let mut by_segment = [Vec::new(), Vec::new()];
        let current: BTreeMap<String, String> = {
            let d = data.table("dim_shopper").unwrap();
            let ids = texts(d, "shopper_id");
            let rid = texts(d, "dim_row_id");
            let cur = texts(d, "is_current");
            (0..d.rows())
                .filter(|&i| cur[i].as_deref() == Some("true"))
                .map(|i| (ids[i].clone().unwrap(), rid[i].clone().unwrap()))
                .collect()
        };
        for (i, a) in mine.iter().enumerate() {
            let n = a["cardinality"].as_u64().unwrap();
            assert!((lo..=hi).contains(&n), "{bridge}: {n}");
            let targets: Vec<String> = a["targets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_owned())
                .collect();
            assert_eq!(targets.len() as u64, n);
            assert_eq!(targets.iter().collect::<BTreeSet<_>>().len(), targets.len());
            let rid = &current[a["entity_id"].as_str().unwrap()];
            assert_eq!(rows.get(rid).cloned().unwrap_or_default(), targets);
            by_segment[i / 30].push(n as f64);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (steady, rising) = (mean(&by_segment[0]), mean(&by_segment[1]));
        // A positive driver: the rising shoppers (higher positions) get more;
        // a negative one: fewer.
        if bridge == "bridge_offers" {
            assert!(rising > steady + 1.0, "{steady} vs {rising}");
        } else {
            assert!(rising + 1.0 < steady, "{steady} vs {rising}");
        }
    }
    // A bucket on a dimension labels the entity's mean position: the flat
    // shoppers (0.15) are low, the rising ones are not.
    let d = data.table("dim_shopper").unwrap();
    let ids = texts(d, "shopper_id");
    let levels = texts(d, "level");
    for (id, level) in ids.iter().zip(&levels) {
        let n: usize = id.as_deref().unwrap()[2..].parse().unwrap();
        assert_eq!(level.as_deref() == Some("low"), n <= 30, "{id:?} {level:?}");
    }
    // Bridge columns: a metric is the entity's mean; statics are sampled.
    let t = data.table("bridge_offers").unwrap();
    let means = t.column("loyalty_mean").unwrap().f64s();
    assert!(means.iter().all(|x| (0.0..=1.0).contains(&x.unwrap())));
    let channels: BTreeSet<Option<String>> = texts(t, "channel").into_iter().collect();
    assert_eq!(channels.len(), 2);
}

const NESTED: &str = "\
about: nested columns
unit: device
seed: 9
window: [2024-01, 2024-06]
metrics:
  - {name: uptime, type: score, polarity: positive}
segments:
  - {name: fleet, count: 5, archetype: growth}
dimensions:
  - name: dim_device
    per: unit
    columns:
      - {name: device_id, type: id}
      - {name: specs, type: struct, nested_schema: {cores: int, clock: float, vendor: string, rugged: boolean}}
facts:
  - name: fct_device
    columns:
      - {name: date_key, type: ref.dim_date}
      - {name: device_id, type: ref.dim_device}
      - {name: uptime, type: metric.uptime}
      - {name: readings, type: array, array_element_type: float, array_length: 4}
";

#[test]
fn struct_and_array_columns_are_native_in_jsonl_and_parquet_and_json_text_in_csv() {
    let plan = Config::from_yaml_str(NESTED).unwrap().validate().unwrap();
    let data = plotsim::generate(&plan).unwrap();
    let dim = data.table("dim_device").unwrap();
    let fact = data.table("fct_device").unwrap();
    let specs: Vec<serde_json::Value> = (0..dim.rows())
        .map(|r| dim.column("specs").unwrap().json_at(r))
        .collect();
    let readings: Vec<serde_json::Value> = (0..fact.rows())
        .map(|r| fact.column("readings").unwrap().json_at(r))
        .collect();
    for s in &specs {
        assert!(s["cores"].as_u64().unwrap() < 1000);
        assert!((0.0..1.0).contains(&s["clock"].as_f64().unwrap()));
        let vendor = s["vendor"].as_str().unwrap();
        assert!(vendor.len() == 6 && vendor.starts_with('v'), "{vendor}");
        assert!(s["rugged"].is_boolean());
    }
    assert!(readings.iter().all(|r| r.as_array().unwrap().len() == 4));
    let tmp = tempfile::tempdir().unwrap();
    let dir = |f: OutputFormat| tmp.path().join(f.to_string());
    for f in [
        OutputFormat::Csv,
        OutputFormat::Jsonl,
        OutputFormat::Parquet,
        OutputFormat::Sql,
    ] {
        data.write(dir(f), f).unwrap();
    }
    // JSON lines: native objects and lists.
    let lines = std::fs::read_to_string(dir(OutputFormat::Jsonl).join("dim_device.jsonl")).unwrap();
    for (line, want) in lines.lines().zip(&specs) {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(&row["specs"], want);
    }
    // CSV: the JSON text, quoted.
    let csv = std::fs::read_to_string(dir(OutputFormat::Csv).join("dim_device.csv")).unwrap();
    let first = csv.lines().nth(1).unwrap();
    let json =
        &first[first.find('"').unwrap() + 1..first.rfind('"').unwrap()].replace("\"\"", "\"");
    assert_eq!(
        &serde_json::from_str::<serde_json::Value>(json).unwrap(),
        &specs[0]
    );
    // Parquet: a struct column and a list column.
    #[cfg(feature = "parquet")]
    {
        use arrow_array::Array;
        use arrow_array::cast::AsArray;
        use arrow_array::types::{Float64Type, Int64Type};
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        let read = |name: &str| {
            let f = std::fs::File::open(dir(OutputFormat::Parquet).join(format!("{name}.parquet")))
                .unwrap();
            let b = ParquetRecordBatchReaderBuilder::try_new(f)
                .unwrap()
                .build()
                .unwrap();
            b.map(|b| b.unwrap()).collect::<Vec<_>>()
        };
        let batches = read("dim_device");
        let s = batches[0].column_by_name("specs").unwrap().as_struct();
        let cores = s
            .column_by_name("cores")
            .unwrap()
            .as_primitive::<Int64Type>();
        for (i, want) in specs.iter().enumerate().take(s.len()) {
            assert_eq!(cores.value(i), want["cores"].as_i64().unwrap());
        }
        let batches = read("fct_device");
        let l = batches[0]
            .column_by_name("readings")
            .unwrap()
            .as_list::<i32>();
        let first = l.value(0);
        let first = first.as_primitive::<Float64Type>();
        let want: Vec<f64> = readings[0]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(first.values().to_vec(), want);
    }
    // SQL: JSON text in a TEXT column.
    let sql = std::fs::read_to_string(dir(OutputFormat::Sql).join("data.sql")).unwrap();
    assert!(
        sql.contains("\"specs\" TEXT"),
        "{}",
        &sql[..400.min(sql.len())]
    );
}

const GRAINS: &str = "\
about: grains and generated types
unit: clinic
seed: 21
window: [2023-01, 2024-12]
metrics:
  - {name: visits, type: count, polarity: positive}
  - {name: quality, type: score, polarity: positive}
segments:
  - {name: busy, count: 12, archetype: growth}
  - {name: quiet, count: 12, archetype: decline}
dimensions:
  - name: dim_clinic
    per: unit
    columns:
      - {name: clinic_id, type: id}
      - {name: country, type: geo.country}
      - {name: code, type: geo.country_code}
      - {name: region, type: geo.region}
      - {name: city, type: geo.city}
      - {name: postcode, type: geo.postcode}
      - {name: lat, type: geo.latitude}
      - {name: lon, type: geo.longitude}
facts:
  - name: fct_clinic
    columns:
      - {name: date_key, type: ref.dim_date}
      - {name: clinic_id, type: ref.dim_clinic}
      - {name: visits, type: metric.visits}
      - {name: quality, type: metric.quality}
      - name: note
        type: narrative
        template: \"{mood} month\"
        bands: [low, high]
        lexicons:
          busy: {mood: {low: [slow], high: [packed, hectic]}}
          quiet: {mood: {low: [calm], high: [full]}}
  - name: fct_visit
    row_count_driver: visits
    row_count_scale: 1.0
    columns:
      - {name: visit_id, type: id}
      - {name: clinic_id, type: ref.dim_clinic}
      - {name: date_key, type: ref.dim_date}
  - name: fct_test
    parent_table: fct_visit
    children_per_row: [1, 3]
    columns:
      - {name: test_id, type: id}
      - {name: clinic_id, type: ref.dim_clinic}
      - {name: date_key, type: ref.dim_date}
  - name: fct_followup
    row_count_driver: visits
    row_count_scale: 0.3
    columns:
      - {name: followup_id, type: id}
      - {name: clinic_id, type: ref.dim_clinic}
      - {name: date_key, type: ref.dim_date}
      - {name: visit_id, type: ref.fct_visit}
";

#[test]
fn variable_child_and_sibling_rows_geo_places_and_narratives_follow_their_rules() {
    let plan = Config::from_yaml_str(GRAINS).unwrap().validate().unwrap();
    let data = plotsim::generate(&plan).unwrap();
    check_keys(&data);
    let fact = data.table("fct_clinic").unwrap();
    let key = |t: &Table, r: usize| {
        (
            texts(t, "clinic_id")[r].clone().unwrap(),
            t.column("date_key").unwrap().i64s()[r].unwrap(),
        )
    };
    // Variable grain: round_half_even(visits x 1.0) rows per clinic-month.
    let mut want: BTreeMap<(String, i64), u64> = BTreeMap::new();
    let visits = fact.column("visits").unwrap().i64s();
    for (r, v) in visits.iter().enumerate() {
        if let Some(v) = v.filter(|v| *v > 0) {
            want.insert(key(fact, r), v as u64);
        }
    }
    let count = |t: &Table| {
        let mut got: BTreeMap<(String, i64), u64> = BTreeMap::new();
        for r in 0..t.rows() {
            *got.entry(key(t, r)).or_default() += 1;
        }
        got
    };
    let v = data.table("fct_visit").unwrap();
    assert_eq!(count(v), want);
    // Children: 1-3 per visit, with the visit's clinic and month.
    let t = data.table("fct_test").unwrap();
    let parent: BTreeMap<String, (String, i64)> = (0..v.rows())
        .map(|r| (texts(v, "visit_id")[r].clone().unwrap(), key(v, r)))
        .collect();
    let mut per_visit: BTreeMap<String, u32> = BTreeMap::new();
    for r in 0..t.rows() {
        let p = texts(t, "visit_id")[r].clone().unwrap();
        assert_eq!(parent[&p], key(t, r));
        *per_visit.entry(p).or_default() += 1;
    }
    assert_eq!(per_visit.len(), parent.len());
    assert!(per_visit.values().all(|n| (1..=3).contains(n)));
    let spread: BTreeSet<u32> = per_visit.values().copied().collect();
    assert_eq!(spread.len(), 3);
    // Siblings: a follow-up names a visit of its clinic in its month or before.
    let f = data.table("fct_followup").unwrap();
    assert!(f.rows() > 0);
    for r in 0..f.rows() {
        let (clinic, month) = key(f, r);
        if let Some(visit) = texts(f, "visit_id")[r].clone() {
            let (c, m) = &parent[&visit];
            assert!(*c == clinic && *m <= month, "{visit} for {clinic} {month}");
        }
    }
    // Geo: every row is one place (its country code and hemisphere agree).
    let d = data.table("dim_clinic").unwrap();
    let lat = d.column("lat").unwrap().f64s();
    let (codes, names, cities) = (texts(d, "code"), texts(d, "country"), texts(d, "city"));
    for (r, lat) in lat.iter().enumerate() {
        let code = codes[r].clone().unwrap();
        let south = ["BR", "AU", "ZA"].contains(&code.as_str());
        assert_eq!(lat.unwrap() < 0.0, south, "{:?} {lat:?}", names[r]);
        assert!(!cities[r].clone().unwrap().is_empty());
    }
    let countries: BTreeSet<_> = texts(d, "country").into_iter().collect();
    assert!(countries.len() > 5, "{countries:?}");
    // Narratives: the segment's phrase at the band of the position.
    let notes = texts(fact, "note");
    let ids = texts(fact, "clinic_id");
    let manifest = data.manifest();
    let positions: BTreeMap<(String, u64), f64> = manifest["trajectory_samples"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| {
            Some((
                (
                    s["entity_id"].as_str()?.to_owned(),
                    s["period_index"].as_u64()?,
                ),
                s["position"].as_f64()?,
            ))
        })
        .collect();
    let periods: BTreeMap<i64, u64> = plan
        .window
        .periods()
        .map(|p| (i64::from(p.date_key()), u64::from(p.index())))
        .collect();
    for r in 0..fact.rows() {
        let id = ids[r].clone().unwrap();
        let n: usize = id[2..].parse().unwrap();
        let busy = n <= 12;
        let (_, month) = key(fact, r);
        let high = positions[&(id.clone(), periods[&month])] >= 0.5;
        let allowed: &[&str] = match (busy, high) {
            (true, false) => &["slow month"],
            (true, true) => &["packed month", "hectic month"],
            (false, false) => &["calm month"],
            (false, true) => &["full month"],
        };
        let note = notes[r].clone().unwrap();
        assert!(allowed.contains(&note.as_str()), "{id}: {note}");
    }
}

#[test]
fn a_bridge_to_a_per_unit_dimension_validates_across_blocks() {
    // A daily window makes blocks of 89 entities: 200 span three, and most
    // bridge targets live in another block than their shop.
    let yaml = "\
about: partners
unit: shop
seed: 4
window: {start: 2023-01-01, end: 2023-12-31, every: daily}
metrics:
  - {name: sales, type: score, polarity: positive}
segments:
  - {name: all, count: 200, archetype: growth}
dimensions:
  - name: dim_shop
    per: unit
    columns: [{name: shop_id, type: id}]
  - name: dim_partner
    per: unit
    columns: [{name: partner_id, type: id}]
facts:
  - name: fct_shop
    columns:
      - {name: date_key, type: ref.dim_date}
      - {name: shop_id, type: ref.dim_shop}
      - {name: sales, type: metric.sales}
bridges:
  - {name: bridge_shop_partner, left: dim_shop, right: dim_partner, cardinality: [1, 4]}
";
    let plan = Config::from_yaml_str(yaml).unwrap().validate().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut opts = RunOptions::new(tmp.path().join("out"), &plan);
    opts.validate = true;
    let report = plotsim::run(&plan, &opts).unwrap().report.unwrap();
    assert!(report.ok, "{}", report.to_text("-"));
    check_keys(&plotsim::generate(&plan).unwrap());
}
