//! Every output format round-trips: Parquet read back with the arrow
//! reader, JSON lines with serde_json, the SQLite dump executed in an
//! in-process SQLite; values equal the CSV's. Golden files pin the bytes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

use std::path::{Path, PathBuf};

use plotsim::tables::{ColumnData, Table};
use plotsim::{Config, Dataset, OutputFormat, Plan};

fn plan(path: &str) -> Plan {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    Config::from_path(root.join(path))
        .unwrap()
        .validate()
        .unwrap()
}

fn tiny() -> (Plan, Dataset) {
    let p = plan("tests/golden/tiny.yaml");
    let d = plotsim::generate(&p).unwrap();
    (p, d)
}

fn write(d: &Dataset, format: OutputFormat) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    d.write(&dir, format).unwrap();
    (tmp, dir)
}

/// The CSV text of a cell, as the CSV writer formats it.
fn csv_cell(t: &Table, col: usize, row: usize) -> String {
    let one = Table {
        name: t.name.clone(),
        columns: vec![t.columns[col].clone()],
    };
    plotsim::write::encode::csv::table_rows(&one)
        .lines()
        .nth(row)
        .unwrap()
        .to_owned()
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_reads_back_with_the_arrow_reader() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Float64Type, Int64Type};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    let (_, d) = tiny();
    let (_tmp, dir) = write(&d, OutputFormat::Parquet);
    for t in d.tables() {
        let f = std::fs::File::open(dir.join(format!("{}.parquet", t.name))).unwrap();
        let builder = ParquetRecordBatchReaderBuilder::try_new(f).unwrap();
        assert_eq!(
            builder.metadata().file_metadata().created_by(),
            Some("plotsim")
        );
        let batches: Vec<_> = builder.build().unwrap().map(|b| b.unwrap()).collect();
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, t.rows(), "{}", t.name);
        let b = &batches[0];
        for (ci, c) in t.columns.iter().enumerate() {
            let a = b.column(ci);
            for r in 0..t.rows() {
                let text = match &c.data {
                    ColumnData::Int(_) => {
                        (!a.is_null(r)).then(|| a.as_primitive::<Int64Type>().value(r).to_string())
                    }
                    ColumnData::Float(_) => (!a.is_null(r))
                        .then(|| format!("{:.4}", a.as_primitive::<Float64Type>().value(r))),
                    ColumnData::Text(_) | ColumnData::Key(_) | ColumnData::Dict(_) => {
                        (!a.is_null(r)).then(|| a.as_string::<i32>().value(r).to_owned())
                    }
                    ColumnData::Timestamp(_) | ColumnData::Nested(_) => {
                        unreachable!("no timestamps or nested columns in the auto schema")
                    }
                    ColumnData::Date(_) => Some(
                        a.as_primitive::<Date32Type>()
                            .value_as_date(r)
                            .unwrap()
                            .to_string(),
                    ),
                    ColumnData::Bool(_) => Some(a.as_boolean().value(r).to_string()),
                };
                let csv = csv_cell(t, ci, r);
                let want = csv.trim_matches('"').replace("\"\"", "\"");
                assert_eq!(
                    text.unwrap_or_default(),
                    want,
                    "{}.{} row {r}",
                    t.name,
                    c.name
                );
            }
        }
    }
}

#[test]
fn jsonl_parses_back_with_serde_json() {
    let (_, d) = tiny();
    let (_tmp, dir) = write(&d, OutputFormat::Jsonl);
    for t in d.tables() {
        let text = std::fs::read_to_string(dir.join(format!("{}.jsonl", t.name))).unwrap();
        let rows: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(rows.len(), t.rows());
        for (r, row) in rows.iter().enumerate() {
            let keys: Vec<&String> = row.as_object().unwrap().keys().collect();
            assert_eq!(keys.len(), t.columns.len());
            for (ci, c) in t.columns.iter().enumerate() {
                let v = &row[&c.name];
                let text = match v {
                    serde_json::Value::Null => String::new(),
                    serde_json::Value::Number(n) if matches!(c.data, ColumnData::Float(_)) => {
                        format!("{:.4}", n.as_f64().unwrap())
                    }
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                let csv = csv_cell(t, ci, r);
                assert_eq!(
                    text,
                    csv.trim_matches('"').replace("\"\"", "\""),
                    "{}.{} row {r}",
                    t.name,
                    c.name
                );
            }
        }
    }
}

#[test]
fn sqlite_dump_executes_in_sqlite() {
    let (p, d) = tiny();
    let mut config = p.config.clone();
    config.output.format = OutputFormat::Sql;
    config.output.sql_dialect = plotsim::SqlDialect::Sqlite;
    let p2 = config.validate().unwrap();
    let d2 = plotsim::generate(&p2).unwrap();
    assert_eq!(d2.tables(), d.tables());
    let (_tmp, dir) = write(&d2, OutputFormat::Sql);
    let sql = std::fs::read_to_string(dir.join("data.sql")).unwrap();
    let db = rusqlite::Connection::open_in_memory().unwrap();
    db.execute_batch("PRAGMA foreign_keys = ON;").unwrap();
    db.execute_batch(&sql).unwrap();
    for t in d.tables() {
        let n: i64 = db
            .query_row(&format!("SELECT COUNT(*) FROM \"{}\"", t.name), [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n as usize, t.rows(), "{}", t.name);
    }
    // A sample of values equals the CSV's.
    let fact = d.table("fct_shop").unwrap();
    let mut stmt = db
        .prepare("SELECT shop_id, date_key, visits, basket FROM fct_shop")
        .unwrap();
    let rows: Vec<(String, i64, Option<i64>, Option<f64>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    for (r, (id, key, visits, basket)) in rows.iter().enumerate() {
        assert_eq!(*id, csv_cell(fact, 1, r));
        assert_eq!(key.to_string(), csv_cell(fact, 0, r));
        assert_eq!(
            visits.map(|v| v.to_string()).unwrap_or_default(),
            csv_cell(fact, 2, r)
        );
        assert_eq!(
            basket.map(|v| format!("{v:.4}")).unwrap_or_default(),
            csv_cell(fact, 3, r)
        );
    }
}

#[test]
fn dataset_write_equals_run() {
    let (p, d) = tiny();
    let mut formats = vec![OutputFormat::Csv, OutputFormat::Jsonl, OutputFormat::Sql];
    if cfg!(feature = "parquet") {
        formats.push(OutputFormat::Parquet);
    }
    for format in formats {
        let (_a, written) = write(&d, format);
        let tmp = tempfile::tempdir().unwrap();
        let mut opts = plotsim::RunOptions::new(tmp.path().join("run"), &p);
        opts.format = format;
        opts.batch_size = 2;
        plotsim::run(&p, &opts).unwrap();
        assert_eq!(files(&written), files(&tmp.path().join("run")), "{format}");
    }
}

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

/// Golden files: byte-exact CSV, JSON lines and SQL (the SQL version line
/// excepted), decoded values for Parquet. On an intended change, bump
/// `ALGORITHM_VERSION` and regenerate with `PLOTSIM_BLESS=1`.
#[test]
fn golden_files_per_format() {
    let (p, _) = tiny();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/tiny");
    let bless = std::env::var_os("PLOTSIM_BLESS").is_some();
    for (format, sql_dialect) in [
        (OutputFormat::Csv, None),
        (OutputFormat::Jsonl, None),
        (OutputFormat::Sql, Some(plotsim::SqlDialect::Postgresql)),
        (OutputFormat::Sql, Some(plotsim::SqlDialect::Sqlite)),
    ] {
        let mut config = p.config.clone();
        config.output.format = format;
        if let Some(dl) = sql_dialect {
            config.output.sql_dialect = dl;
        }
        let d = plotsim::generate(&config.validate().unwrap()).unwrap();
        let (_tmp, dir) = write(&d, format);
        let sub = golden.join(match sql_dialect {
            Some(dl) => format!("sql-{dl}"),
            None => format.to_string(),
        });
        for (name, bytes) in files(&dir)
            .into_iter()
            .filter(|(n, _)| n != ".plotsim-dataset")
        {
            let text = String::from_utf8(bytes).unwrap();
            let text: String = text
                .lines()
                .filter(|l| !l.starts_with("-- Generated by plotsim"))
                .map(|l| format!("{l}\n"))
                .collect();
            let path = sub.join(&name);
            if bless {
                std::fs::create_dir_all(&sub).unwrap();
                std::fs::write(&path, &text).unwrap();
            }
            let want = std::fs::read_to_string(&path)
                .unwrap_or_else(|_| panic!("missing golden {}", path.display()));
            assert_eq!(
                text,
                want,
                "{} differs from its golden file",
                path.display()
            );
        }
    }
    #[cfg(feature = "parquet")]
    parquet_golden(&p, &golden.join("csv"));
}

/// Parquet: the decoded values, written as CSV, equal the CSV golden files;
/// and the files are byte-stable for the seed.
#[cfg(feature = "parquet")]
fn parquet_golden(p: &Plan, csv_golden: &Path) {
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Float64Type, Int64Type};
    use arrow_schema::DataType;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use plotsim::tables::Column;
    let d = plotsim::generate(p).unwrap();
    let (_a, one) = write(&d, OutputFormat::Parquet);
    for t in d.tables() {
        let f = std::fs::File::open(one.join(format!("{}.parquet", t.name))).unwrap();
        let batches: Vec<_> = ParquetRecordBatchReaderBuilder::try_new(f)
            .unwrap()
            .build()
            .unwrap()
            .map(|b| b.unwrap())
            .collect();
        let schema = batches[0].schema();
        let columns = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(ci, field)| {
                let cells = batches.iter().flat_map(|b| {
                    let a = b.column(ci).clone();
                    (0..b.num_rows()).map(move |r| (a.clone(), r))
                });
                let data = match field.data_type() {
                    DataType::Int64 => ColumnData::Int(
                        cells
                            .map(|(a, r)| {
                                (!a.is_null(r)).then(|| a.as_primitive::<Int64Type>().value(r))
                            })
                            .collect(),
                    ),
                    DataType::Float64 => ColumnData::Float(
                        cells
                            .map(|(a, r)| {
                                (!a.is_null(r)).then(|| a.as_primitive::<Float64Type>().value(r))
                            })
                            .collect(),
                    ),
                    DataType::Utf8 => ColumnData::Text(
                        cells
                            .map(|(a, r)| {
                                (!a.is_null(r)).then(|| a.as_string::<i32>().value(r).to_owned())
                            })
                            .collect(),
                    ),
                    DataType::Date32 => ColumnData::Date(
                        cells
                            .map(|(a, r)| a.as_primitive::<Date32Type>().value_as_date(r))
                            .collect(),
                    ),
                    DataType::Boolean => ColumnData::Bool(
                        cells.map(|(a, r)| Some(a.as_boolean().value(r))).collect(),
                    ),
                    other => panic!("unexpected type {other}"),
                };
                Column {
                    name: field.name().clone(),
                    data,
                }
            })
            .collect();
        let decoded = Table {
            name: t.name.clone(),
            columns,
        };
        let text = plotsim::write::encode::csv::table_header(&decoded)
            + &plotsim::write::encode::csv::table_rows(&decoded);
        let want = std::fs::read_to_string(csv_golden.join(format!("{}.csv", t.name))).unwrap();
        assert_eq!(
            text, want,
            "{}.parquet decodes to other values than the golden CSV",
            t.name
        );
    }
    let (_b, two) = write(&plotsim::generate(p).unwrap(), OutputFormat::Parquet);
    assert_eq!(files(&one), files(&two));
}
