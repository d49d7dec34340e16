//! Quality injection: only the written copy changes; every change is in
//! `manifest.quality_injections`, and undoing the records on the written
//! files gives back the clean files exactly, for every issue kind and format.

#![allow(missing_docs, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use plotsim::tables::LogicalType;
use plotsim::{Config, OutputFormat, Plan, RunOptions};
use serde_json::{Value, json};

const BASE: &str = "\
about: quality injection
unit: store
seed: 11
window: [2023-01, 2024-12]
noise: {gaussian_sigma: 0.05, mcar_rate: 0.02}
metrics:
  - {name: footfall, type: count, polarity: positive}
  - {name: revenue, type: amount, polarity: positive, range: [100, 9000]}
  - {name: rating, type: score, polarity: positive}
segments:
  - {name: flagship, count: 40, archetype: growth}
  - {name: outlet, count: 40, archetype: \"flat > decline @ 9\"}
dimensions:
  - name: dim_date
    per: period
    columns:
      - {name: date_key, type: id}
  - name: dim_store
    per: unit
    columns:
      - {name: store_id, type: id}
      - {name: store_name, type: faker.company}
facts:
  - name: fct_sales
    columns:
      - {name: date_key, type: ref.dim_date}
      - {name: store_id, type: ref.dim_store}
      - {name: footfall, type: metric.footfall}
      - {name: revenue, type: metric.revenue}
      - {name: channel, type: \"static.web,store\"}
      - {name: basket, type: range, range: [1.5, 80.0]}
      - {name: counted_at, type: timestamp}
  - name: fct_reviews
    cdc: true
    columns:
      - {name: date_key, type: ref.dim_date}
      - {name: store_id, type: ref.dim_store}
      - {name: rating, type: metric.rating}
      - {name: note, type: faker.word}
events:
  - name: evt_visit
    trigger: proportional
    driver: footfall
    scale: 0.3
    columns:
      - {name: visit_id, type: id}
      - {name: date_key, type: ref.dim_date}
      - {name: store_id, type: ref.dim_store}
      - {name: spend, type: range, range: [5, 50]}
";

/// Every issue kind, several per table so that they compound.
const QUALITY: &str = "\
quality:
  - {table: fct_sales, issue: null_injection, rate: 0.05, column: revenue}
  - {table: fct_sales, issue: type_mismatch, rate: 0.05, column: footfall}
  - {table: fct_sales, issue: type_mismatch, rate: 0.05, column: channel}
  - {table: fct_sales, issue: duplicate_rows, rate: 0.03}
  - {table: fct_sales, issue: volume_anomaly, rate: 0.5, mode: drop, period: 5}
  - {table: fct_sales, issue: volume_anomaly, rate: 0.5, mode: spike, periods: [7, 8]}
  - {table: fct_reviews, issue: schema_drift, rate: 0.05, column: rating}
  - {table: fct_reviews, issue: null_injection, rate: 0.04, column: \"*\"}
  - {table: fct_reviews, issue: late_arrival, rate: 0.05}
  - {table: evt_visit, issue: duplicate_rows, rate: 0.05}
  - {table: fct_sales, issue: outliers, rate: 0.05, column: basket}
";

fn plan(yaml: &str) -> Plan {
    Config::from_yaml_str(yaml).unwrap().validate().unwrap()
}

fn dirty() -> Plan {
    plan(&format!("{BASE}{QUALITY}"))
}

fn run(plan: &Plan, format: OutputFormat, dir: &Path, threads: usize, batch: usize) {
    let mut opts = RunOptions::new(dir, plan);
    opts.format = format;
    opts.threads = Some(threads);
    opts.batch_size = batch;
    plotsim::run(plan, &opts).unwrap();
}

/// A table read back: column names and rows of cells.
#[derive(Debug, Clone, PartialEq)]
struct Read {
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
}

fn csv_fields(line: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => {
                quoted = !quoted;
                any = true;
            }
            ',' if !quoted => {
                out.push(field(std::mem::take(&mut cur), any));
                any = false;
            }
            c => cur.push(c),
        }
    }
    out.push(field(cur, any));
    out
}

fn field(s: String, quoted: bool) -> Value {
    if s.is_empty() && !quoted {
        Value::Null
    } else {
        Value::String(s)
    }
}

fn read(dir: &Path, format: OutputFormat, table: &str) -> Read {
    match format {
        OutputFormat::Csv => {
            let text = std::fs::read_to_string(dir.join(format!("{table}.csv"))).unwrap();
            let mut lines = text.lines();
            let columns = csv_fields(lines.next().unwrap())
                .into_iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect();
            Read {
                columns,
                rows: lines.map(csv_fields).collect(),
            }
        }
        OutputFormat::Jsonl => {
            let text = std::fs::read_to_string(dir.join(format!("{table}.jsonl"))).unwrap();
            let objects: Vec<serde_json::Map<String, Value>> = text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            let columns: Vec<String> = objects
                .first()
                .map(|o| o.keys().cloned().collect())
                .unwrap_or_default();
            Read {
                rows: objects
                    .iter()
                    .map(|o| columns.iter().map(|c| o[c].clone()).collect())
                    .collect(),
                columns,
            }
        }
        OutputFormat::Sql => {
            let sql = std::fs::read_to_string(dir.join("data.sql")).unwrap();
            let db = rusqlite::Connection::open_in_memory().unwrap();
            db.execute_batch(&sql).unwrap();
            let mut st = db.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
            let columns: Vec<String> = st.column_names().map(|c| c.to_string()).collect();
            let n = columns.len();
            let rows = st
                .query_map([], |r| {
                    Ok((0..n)
                        .map(|i| match r.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Null => Value::Null,
                            rusqlite::types::ValueRef::Integer(x) => json!(x),
                            rusqlite::types::ValueRef::Real(x) => json!(x),
                            rusqlite::types::ValueRef::Text(t) => {
                                json!(std::str::from_utf8(t).unwrap())
                            }
                            rusqlite::types::ValueRef::Blob(_) => panic!("blob"),
                        })
                        .collect::<Vec<_>>())
                })
                .unwrap()
                .map(|r| r.unwrap())
                .collect();
            Read { columns, rows }
        }
        OutputFormat::Parquet => read_parquet(&dir.join(format!("{table}.parquet"))),
    }
}

#[cfg(feature = "parquet")]
fn read_parquet(path: &Path) -> Read {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Float64Type, Int64Type, TimestampMicrosecondType};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let f = std::fs::File::open(path).unwrap();
    let reader = ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
    let columns: Vec<String> = reader
        .schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect();
    let mut rows = Vec::new();
    for b in reader.build().unwrap() {
        let b = b.unwrap();
        for r in 0..b.num_rows() {
            rows.push(
                b.columns()
                    .iter()
                    .map(|a| {
                        if a.is_null(r) {
                            return Value::Null;
                        }
                        match a.data_type() {
                            DataType::Int64 => json!(a.as_primitive::<Int64Type>().value(r)),
                            DataType::Float64 => json!(a.as_primitive::<Float64Type>().value(r)),
                            DataType::Utf8 => json!(a.as_string::<i32>().value(r)),
                            DataType::Boolean => json!(a.as_boolean().value(r)),
                            DataType::Timestamp(_, _) => {
                                let t = a.as_primitive::<TimestampMicrosecondType>();
                                let t = t.value_as_datetime(r).unwrap();
                                json!(t.format("%Y-%m-%d %H:%M:%S%.f").to_string())
                            }
                            DataType::Date32 => {
                                let d = a.as_primitive::<Date32Type>().value_as_date(r).unwrap();
                                json!(d.to_string())
                            }
                            other => panic!("unexpected type {other}"),
                        }
                    })
                    .collect(),
            );
        }
    }
    Read { columns, rows }
}

#[cfg(not(feature = "parquet"))]
fn read_parquet(_: &Path) -> Read {
    unreachable!("parquet is off")
}

/// A clean value from the manifest as `format` writes it in a column of `ty`.
fn as_written(format: OutputFormat, ty: LogicalType, v: &Value) -> Value {
    match (format, ty, v) {
        (_, _, Value::Null) => Value::Null,
        (OutputFormat::Csv, LogicalType::Float, v) => json!(format!("{:.4}", v.as_f64().unwrap())),
        (OutputFormat::Csv, _, Value::Number(n)) => json!(n.to_string()),
        (OutputFormat::Csv, _, Value::Bool(b)) => json!(b.to_string()),
        (OutputFormat::Jsonl, LogicalType::Float, v) => {
            json!((v.as_f64().unwrap() * 1e10).round() / 1e10)
        }
        // As SQLite reads the dump's literal (its text-to-float conversion
        // is not always correctly rounded).
        (OutputFormat::Sql, LogicalType::Float, v) => {
            let db = rusqlite::Connection::open_in_memory().unwrap();
            let literal = format!("{:?}", v.as_f64().unwrap());
            json!(
                db.query_row(&format!("SELECT {literal}"), [], |r| r.get::<_, f64>(0))
                    .unwrap()
            )
        }
        _ => v.clone(),
    }
}

/// A written cell of a retyped column read as its declared type.
fn as_declared(format: OutputFormat, ty: LogicalType, v: &Value) -> Value {
    let Some(s) = v.as_str() else {
        return v.clone();
    };
    let parsed = match ty {
        LogicalType::Float => json!(s.parse::<f64>().unwrap()),
        LogicalType::Int => json!(s.parse::<i64>().unwrap()),
        _ => return v.clone(),
    };
    as_written(format, ty, &parsed)
}

/// Undoes the records of `table` on its written copy.
fn undo(
    format: OutputFormat,
    schema: &plotsim::tables::TableSchema,
    written: &Read,
    records: &[&Value],
) -> Read {
    let idx = |name: &str| written.columns.iter().position(|c| c == name).unwrap();
    let mut rows = written.rows.clone();
    let ty = |name: &str| schema.columns[schema.column_index(name).unwrap()].ty;
    let mut inserted = Vec::new();
    let mut removed = Vec::new();
    let mut retyped = std::collections::BTreeSet::new();
    for r in records {
        let row = r["row"].as_u64().unwrap() as usize;
        let column = r["column"].as_str().unwrap();
        match r["effect"].as_str().unwrap() {
            "nulled" | "retyped" | "moved" | "flagged" | "scaled" => {
                rows[row][idx(column)] = as_written(format, ty(column), &r["clean_value"]);
                if r["effect"] == "retyped" {
                    retyped.insert(column.to_owned());
                }
            }
            "delayed" => {}
            "inserted" => inserted.push(row),
            "removed" => removed.push((row, r["clean_value"].clone())),
            other => panic!("unknown effect {other}"),
        }
    }
    for c in &retyped {
        let i = idx(c);
        for row in &mut rows {
            row[i] = as_declared(format, ty(c), &row[i]);
        }
    }
    inserted.sort_unstable();
    for row in inserted.iter().rev() {
        rows.remove(*row);
    }
    removed.sort_by_key(|(r, _)| *r);
    for (row, values) in removed {
        // In the written column order; the added columns did not exist.
        let cells = written
            .columns
            .iter()
            .map(|c| match schema.column_index(c) {
                Some(_) => as_written(format, ty(c), &values[c]),
                None => Value::Null,
            })
            .collect();
        rows.insert(row, cells);
    }
    // Drop the added columns.
    let keep: Vec<usize> = (0..written.columns.len())
        .filter(|&i| schema.column_index(&written.columns[i]).is_some())
        .collect();
    Read {
        columns: keep.iter().map(|&i| written.columns[i].clone()).collect(),
        rows: rows
            .into_iter()
            .map(|r| keep.iter().map(|&i| r[i].clone()).collect())
            .collect(),
    }
}

fn manifest(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn undoing_the_recorded_injections_restores_the_clean_tables_in_every_format() {
    let dirty = dirty();
    let clean = plan(BASE);
    let data = plotsim::generate(&clean).unwrap();
    let mut formats = vec![OutputFormat::Csv, OutputFormat::Jsonl, OutputFormat::Sql];
    if cfg!(feature = "parquet") {
        formats.push(OutputFormat::Parquet);
    }
    for format in formats {
        let tmp = tempfile::tempdir().unwrap();
        let (a, b) = (tmp.path().join("dirty"), tmp.path().join("clean"));
        run(&dirty, format, &a, 2, 256);
        run(&clean, format, &b, 2, 256);
        let m = manifest(&a);
        let records = m["quality_injections"].as_array().unwrap();
        for t in data.schema().tables() {
            let mine: Vec<&Value> = records.iter().filter(|r| r["table"] == t.name).collect();
            let (w, c) = (read(&a, format, &t.name), read(&b, format, &t.name));
            let restored = undo(format, t, &w, &mine);
            assert_eq!(restored.columns, c.columns, "{format:?} {}", t.name);
            assert_eq!(restored.rows.len(), c.rows.len(), "{format:?} {}", t.name);
            for (i, (x, y)) in restored.rows.iter().zip(&c.rows).enumerate() {
                assert_eq!(x, y, "{format:?} {} row {i}", t.name);
            }
            let injected = ["fct_sales", "fct_reviews", "evt_visit"].contains(&t.name.as_str());
            assert_eq!(!mine.is_empty(), injected, "{}", t.name);
            if injected {
                assert_ne!(w, c, "{format:?} {} is unchanged", t.name);
            }
        }
        // Every effect occurred.
        for effect in [
            "nulled", "retyped", "moved", "delayed", "flagged", "inserted", "removed", "scaled",
        ] {
            assert!(
                records.iter().any(|r| r["effect"] == effect),
                "{format:?}: no {effect}"
            );
        }
    }
}

#[test]
fn the_in_memory_tables_stay_clean() {
    let a = plotsim::generate(&dirty()).unwrap();
    let b = plotsim::generate(&plan(BASE)).unwrap();
    assert_eq!(a.tables(), b.tables());
    assert!(
        !a.manifest()["quality_injections"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A dataset written from memory injects exactly as `run` does.
    let tmp = tempfile::tempdir().unwrap();
    let (x, y) = (tmp.path().join("run"), tmp.path().join("write"));
    run(&dirty(), OutputFormat::Csv, &x, 1, 256);
    a.write(&y, OutputFormat::Csv).unwrap();
    for e in std::fs::read_dir(&x).unwrap() {
        let name = e.unwrap().file_name();
        assert!(
            std::fs::read(x.join(&name)).unwrap() == std::fs::read(y.join(&name)).unwrap(),
            "{name:?}"
        );
    }
}

#[test]
fn rates_hold_within_their_sampling_error() {
    let data = plotsim::generate(&plan(BASE)).unwrap();
    let m = plotsim::generate(&dirty()).unwrap().manifest().clone();
    let records = m["quality_injections"].as_array().unwrap();
    // The CDC columns a cell issue flips are recorded too; count the cells.
    let count = |issue: usize| {
        records
            .iter()
            .filter(|r| r["issue_index"] == issue && r["effect"] != "flagged")
            .count()
    };
    let rows = |t: &str| data.table(t).unwrap().rows() as f64;
    let non_null = |t: &str, c: &str| {
        let col = data.table(t).unwrap().column(c).unwrap();
        (0..col.len()).filter(|&i| !col.is_null(i)).count() as f64
    };
    let sales = rows("fct_sales");
    // (issue index, rate, rows it draws over)
    let checks = [
        (0, 0.05, non_null("fct_sales", "revenue")),
        (3, 0.03, sales),
        (6, 0.05, non_null("fct_reviews", "rating")),
        (8, 0.05, rows("fct_reviews")),
        (9, 0.05, rows("evt_visit")),
        (10, 0.05, sales),
    ];
    for (issue, rate, n) in checks {
        let got = count(issue) as f64;
        let sd = (n * rate * (1.0 - rate)).sqrt();
        assert!(
            (got - n * rate).abs() <= 4.0 * sd + 1.0,
            "issue {issue}: {got} of {n} at rate {rate}"
        );
    }
    // Volume anomalies only touch their periods, about half of each.
    let period_rows = sales / 24.0;
    for (issue, periods) in [(4, 1.0), (5, 2.0)] {
        let got = count(issue) as f64;
        let n = period_rows * periods;
        let sd = (n * 0.25).sqrt();
        assert!((got - n / 2.0).abs() <= 4.0 * sd + 1.0, "{issue}: {got}");
    }
}

#[test]
fn quality_output_does_not_depend_on_threads_or_batch_size() {
    let dirty = dirty();
    for format in [OutputFormat::Csv, OutputFormat::Jsonl] {
        let mut seen: Option<BTreeMap<String, Vec<u8>>> = None;
        for (threads, batch) in [(1, 256), (2, 3)] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("out");
            run(&dirty, format, &dir, threads, batch);
            let files: BTreeMap<String, Vec<u8>> = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| {
                    let p = e.unwrap().path();
                    (
                        p.file_name().unwrap().to_string_lossy().into_owned(),
                        std::fs::read(&p).unwrap(),
                    )
                })
                .collect();
            match &seen {
                None => seen = Some(files),
                Some(first) => assert!(first == &files, "{format:?}"),
            }
        }
    }
}

#[test]
fn injected_cells_look_like_their_issue() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    run(&dirty(), OutputFormat::Csv, &dir, 2, 256);
    let m = manifest(&dir);
    let sales = read(&dir, OutputFormat::Csv, "fct_sales");
    let reviews = read(&dir, OutputFormat::Csv, "fct_reviews");
    let col = |r: &Read, c: &str| r.columns.iter().position(|x| x == c).unwrap();
    assert_eq!(reviews.columns.last().unwrap(), "_arrival_period");
    assert!(reviews.columns.contains(&"rating_v2".to_owned()));
    for r in m["quality_injections"].as_array().unwrap() {
        let row = r["row"].as_u64().unwrap() as usize;
        match (r["table"].as_str().unwrap(), r["effect"].as_str().unwrap()) {
            ("fct_sales", "retyped") if r["column"] == "footfall" => {
                let cell = sales.rows[row][col(&sales, "footfall")].as_str().unwrap();
                assert!(cell.contains(',') && cell.replace(',', ".").parse::<f64>().is_ok());
            }
            ("fct_sales", "retyped") => {
                let cell = sales.rows[row][col(&sales, "channel")].as_str().unwrap();
                assert!(cell.parse::<u32>().unwrap() < 1000);
            }
            ("fct_sales", "scaled") => {
                let cell: f64 = sales.rows[row][col(&sales, "basket")]
                    .as_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                let clean = r["clean_value"].as_f64().unwrap();
                assert!((cell - clean * 10.0).abs() < 1e-3, "{cell} vs {clean}");
            }
            ("fct_sales", "nulled") => {
                assert_eq!(sales.rows[row][col(&sales, "revenue")], Value::Null);
            }
            ("fct_sales", "inserted") => {
                let src = r["source_row"].as_u64().unwrap() as usize;
                assert_eq!(sales.rows[row][..2], sales.rows[src][..2]);
            }
            ("fct_reviews", "moved") => {
                assert_eq!(reviews.rows[row][col(&reviews, "rating")], Value::Null);
                assert_ne!(reviews.rows[row][col(&reviews, "rating_v2")], Value::Null);
                let op = &reviews.rows[row][col(&reviews, "_op")];
                assert_eq!(op, "U");
            }
            ("fct_reviews", "delayed") => {
                let arrival = reviews.rows[row][col(&reviews, "_arrival_period")]
                    .as_str()
                    .unwrap()
                    .parse::<u32>()
                    .unwrap();
                let key: u32 = reviews.rows[row][0].as_str().unwrap().parse().unwrap();
                assert!(arrival > key && arrival % 100 == 1, "{key} -> {arrival}");
            }
            _ => {}
        }
    }
}

#[test]
fn records_are_placed_across_entity_blocks() {
    // A daily window makes blocks of 29 entities: 60 entities span three.
    let daily = |yaml: &str| {
        plan(
            &yaml
                .replace(
                    "window: [2023-01, 2024-12]",
                    "window: {start: 2023-01-01, end: 2025-12-31, every: daily}",
                )
                .replace("count: 40", "count: 30"),
        )
    };
    let (dirty, clean) = (daily(&format!("{BASE}{QUALITY}")), daily(BASE));
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("dirty"), tmp.path().join("clean"));
    run(&dirty, OutputFormat::Csv, &a, 2, 7);
    run(&clean, OutputFormat::Csv, &b, 2, 256);
    let data = plotsim::generate(&clean).unwrap();
    let m = manifest(&a);
    let records = m["quality_injections"].as_array().unwrap();
    for name in ["fct_sales", "fct_reviews", "evt_visit"] {
        let t = data.schema().find(name).unwrap();
        let mine: Vec<&Value> = records.iter().filter(|r| r["table"] == name).collect();
        let last = mine
            .iter()
            .map(|r| r["row"].as_u64().unwrap())
            .max()
            .unwrap();
        // Records reach the last of the three blocks.
        let rows = data.table(name).unwrap().rows() as u64;
        assert!(last > rows * 2 / 3, "{name}: rows up to {last} of {rows}");
        let restored = undo(
            OutputFormat::Csv,
            t,
            &read(&a, OutputFormat::Csv, name),
            &mine,
        );
        assert!(restored == read(&b, OutputFormat::Csv, name), "{name}");
    }
}

#[test]
fn drops_and_copies_of_equal_count_in_a_block_still_reshape_the_rows() {
    // Every row of period 5 dropped and every row of period 6 copied: the
    // same number of rows per block, but not the same rows.
    let yaml = format!(
        "{BASE}quality:
  - {{table: fct_sales, issue: volume_anomaly, rate: 1.0, mode: drop, period: 5}}
  - {{table: fct_sales, issue: volume_anomaly, rate: 1.0, mode: spike, period: 6}}
  - {{table: fct_sales, issue: null_injection, rate: 0.2, column: revenue}}
  - {{table: fct_reviews, issue: schema_drift, rate: 0.3, column: rating}}
  - {{table: fct_reviews, issue: schema_drift, rate: 0.3, column: rating, seed_offset: 1}}
"
    );
    let (dirty, clean) = (plan(&yaml), plan(BASE));
    let data = plotsim::generate(&clean).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("dirty"), tmp.path().join("clean"));
    run(&dirty, OutputFormat::Csv, &a, 2, 256);
    run(&clean, OutputFormat::Csv, &b, 2, 256);
    let m = manifest(&a);
    let records = m["quality_injections"].as_array().unwrap();
    for name in ["fct_sales", "fct_reviews"] {
        let t = data.schema().find(name).unwrap();
        let mine: Vec<&Value> = records.iter().filter(|r| r["table"] == name).collect();
        let w = read(&a, OutputFormat::Csv, name);
        let restored = undo(OutputFormat::Csv, t, &w, &mine);
        assert!(restored == read(&b, OutputFormat::Csv, name), "{name}");
    }
    // Both drifts of `rating` land in one `rating_v2`, each moved value there.
    let w = read(&a, OutputFormat::Csv, "fct_reviews");
    let v2 = w.columns.iter().position(|c| c == "rating_v2").unwrap();
    for r in records.iter().filter(|r| r["effect"] == "moved") {
        let row = r["row"].as_u64().unwrap() as usize;
        assert_ne!(w.rows[row][v2], Value::Null, "row {row}");
    }
}
