//! SQL dumps: one `data.sql` with header comments, every `CREATE TABLE`
//! (dimensions first, with primary and foreign keys), then multi-row
//! `INSERT`s of 100 rows. Dialects: PostgreSQL and SQLite.
//!
//! Rows arrive batch by batch; each table's `INSERT`s go to a scratch file
//! and the dump is assembled in table order at the end, so memory stays one
//! batch and statement boundaries do not depend on batching.

use std::fmt::Write as _;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::tables::{ColumnData, Table};
use plotsim_config::SqlDialect;
use plotsim_config::dsl::column_type::ColumnType;
use plotsim_config::plan::{Grain, TablePlan};

/// Rows per `INSERT` statement.
pub const ROWS_PER_INSERT: u64 = 100;

fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn quote_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn sql_type(data: &ColumnData, dialect: SqlDialect) -> &'static str {
    match (data, dialect) {
        (ColumnData::Int(_), _) => "INTEGER",
        (ColumnData::Float(_), SqlDialect::Sqlite) => "REAL",
        (ColumnData::Float(_), _) => "DOUBLE PRECISION",
        (ColumnData::Text(_), _) => "TEXT",
        (ColumnData::Date(_), SqlDialect::Sqlite) => "TEXT",
        (ColumnData::Date(_), _) => "DATE",
        (ColumnData::Bool(_), SqlDialect::Sqlite) => "INTEGER",
        (ColumnData::Bool(_), _) => "BOOLEAN",
    }
}

/// `CREATE TABLE` for a table, with its keys.
pub fn create_table(
    table: &Table,
    plan: Option<&TablePlan>,
    all: &[TablePlan],
    dialect: SqlDialect,
) -> String {
    let mut out = format!("CREATE TABLE {} (\n", quote_ident(&table.name));
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| format!("  {} {}", quote_ident(&c.name), sql_type(&c.data, dialect)))
        .collect();
    if let Some(p) = plan {
        if !p.primary_key.is_empty() {
            let cols: Vec<String> = p.primary_key.iter().map(|c| quote_ident(c)).collect();
            lines.push(format!("  PRIMARY KEY ({})", cols.join(", ")));
        }
        for c in &p.columns {
            let ColumnType::Ref(target) = &c.ty else {
                continue;
            };
            let Some(t) = all
                .iter()
                .find(|t| t.name == *target && t.grain != Grain::Variable)
            else {
                continue;
            };
            if let [pk] = t.primary_key.as_slice() {
                lines.push(format!(
                    "  FOREIGN KEY ({}) REFERENCES {} ({})",
                    quote_ident(&c.name),
                    quote_ident(&t.name),
                    quote_ident(pk)
                ));
            }
        }
    }
    out.push_str(&lines.join(",\n"));
    out.push_str("\n);\n");
    out
}

/// One row's `(...)` tuple.
fn tuple(out: &mut String, table: &Table, r: usize, dialect: SqlDialect) {
    out.push('(');
    for (i, c) in table.columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        match &c.data {
            ColumnData::Int(v) => match v[r] {
                Some(x) => {
                    let _ = write!(out, "{x}");
                }
                None => out.push_str("NULL"),
            },
            ColumnData::Float(v) => match v[r].filter(|x| x.is_finite()) {
                // Shortest round-trip form.
                Some(x) => {
                    let _ = write!(out, "{x:?}");
                }
                None => out.push_str("NULL"),
            },
            ColumnData::Text(v) => match &v[r] {
                Some(s) => out.push_str(&quote_text(s)),
                None => out.push_str("NULL"),
            },
            ColumnData::Date(v) => {
                let _ = write!(out, "'{}'", v[r].format("%Y-%m-%d"));
            }
            ColumnData::Bool(v) => out.push_str(match (v[r], dialect) {
                (true, SqlDialect::Sqlite) => "1",
                (false, SqlDialect::Sqlite) => "0",
                (true, _) => "TRUE",
                (false, _) => "FALSE",
            }),
        }
    }
    out.push(')');
}

/// The `INSERT` text of a batch, continuing statements across batches:
/// `rows_before` rows of this table were already written.
pub fn inserts(table: &Table, rows_before: u64, dialect: SqlDialect) -> String {
    let cols: Vec<String> = table.columns.iter().map(|c| quote_ident(&c.name)).collect();
    let head = format!(
        "INSERT INTO {} ({}) VALUES\n",
        quote_ident(&table.name),
        cols.join(", ")
    );
    let mut out = String::new();
    for r in 0..table.rows() {
        let i = rows_before + r as u64;
        if i.is_multiple_of(ROWS_PER_INSERT) {
            if i > 0 {
                out.push_str(";\n");
            }
            out.push_str(&head);
        } else {
            out.push_str(",\n");
        }
        tuple(&mut out, table, r, dialect);
    }
    out
}

/// A table's `INSERT`s being spooled to a scratch file.
#[derive(Debug)]
pub struct Spool {
    /// The table.
    pub name: String,
    create: String,
    path: PathBuf,
    out: BufWriter<std::fs::File>,
    /// Rows written so far.
    pub rows: u64,
    dialect: SqlDialect,
}

impl Spool {
    /// Starts spooling `first`'s table into `dir`.
    pub fn new(
        dir: &Path,
        first: &Table,
        plan: Option<&TablePlan>,
        all: &[TablePlan],
        dialect: SqlDialect,
    ) -> std::io::Result<Spool> {
        let path = dir.join(format!(".{}.sql.tmp", first.name));
        let out = BufWriter::new(std::fs::File::create(&path)?);
        Ok(Spool {
            name: first.name.clone(),
            create: create_table(first, plan, all, dialect),
            path,
            out,
            rows: 0,
            dialect,
        })
    }

    /// Appends a batch of rows.
    pub fn append(&mut self, t: &Table) -> std::io::Result<()> {
        self.out
            .write_all(inserts(t, self.rows, self.dialect).as_bytes())?;
        self.rows += t.rows() as u64;
        Ok(())
    }
}

/// Assembles `data.sql` from the spools, in their order, and removes them.
pub fn assemble(dir: &Path, spools: Vec<Spool>, dialect: SqlDialect) -> std::io::Result<PathBuf> {
    let path = dir.join("data.sql");
    let mut out = BufWriter::new(std::fs::File::create(&path)?);
    let names: Vec<&str> = spools.iter().map(|s| s.name.as_str()).collect();
    let replay = match dialect {
        SqlDialect::Sqlite => "sqlite3 dataset.db < data.sql",
        _ => "psql -v ON_ERROR_STOP=1 -d <database> -f data.sql",
    };
    writeln!(out, "-- Generated by plotsim {}", env!("CARGO_PKG_VERSION"))?;
    writeln!(out, "-- Dialect: {dialect}")?;
    writeln!(out, "-- Tables: {}", names.join(", "))?;
    writeln!(out, "-- Replay: {replay}")?;
    for s in &spools {
        write!(out, "\n{}", s.create)?;
    }
    for mut s in spools {
        s.out.flush()?;
        drop(s.out);
        if s.rows > 0 {
            out.write_all(b"\n")?;
            std::io::copy(&mut std::fs::File::open(&s.path)?, &mut out)?;
            out.write_all(b";\n")?;
        }
        std::fs::remove_file(&s.path)?;
    }
    out.flush()?;
    Ok(path)
}
