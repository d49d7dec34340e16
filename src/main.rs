//! The `plotsim` command-line interface: argument parsing, rendering and exit
//! codes. All work is done by the `plotsim` library.

#![forbid(unsafe_code)]

mod commands;
mod render;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Coherent synthetic panel data with a known answer key.
#[derive(Parser, Debug)]
#[command(
    name = "plotsim",
    version,
    about = "plotsim: coherent synthetic panel data with a known answer key",
    propagate_version = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Generate a dataset: tables, config.yaml and manifest.json in a directory
    Run(RunArgs),
    /// Check a config: print VALID with a summary, or INVALID with every problem
    Validate {
        /// The config file (YAML)
        config: PathBuf,
        /// Accepted for compatibility with the original; validation never generates
        #[arg(long)]
        config_only: bool,
        /// Report a config above the cell budget as allowed (as `run` would with this flag)
        #[arg(long)]
        allow_large_dataset: bool,
    },
    /// Describe what a config will generate: entities, periods, metrics, tables, cells
    Info {
        /// The config file (YAML)
        config: PathBuf,
        /// Report a config above the cell budget as allowed (as `run` would with this flag)
        #[arg(long)]
        allow_large_dataset: bool,
    },
    /// List the bundled templates
    ListTemplates,
    /// Print or write a bundled template
    Template {
        /// Template name (see `plotsim list-templates`)
        #[arg(required_unless_present = "list")]
        name: Option<String>,
        /// Write to this file instead of stdout (parent directories are created)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// List the templates instead
        #[arg(long)]
        list: bool,
    },
    /// Explain one metric cell: every step from trajectory position to the value in the fact table
    Trace {
        /// The config file (YAML)
        config: PathBuf,
        /// The entity: its key (`c-007`) or manifest name (`growing_0006`)
        #[arg(long)]
        entity: String,
        /// The period: a 0-based index or a period label (`2024-09`)
        #[arg(long)]
        period: String,
        /// The metric's name
        #[arg(long)]
        metric: String,
        /// The run's seed (default: the config's; manifest.json records it)
        #[arg(short, long)]
        seed: Option<u64>,
        /// Print the trace as JSON
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of the config (or, with --manifest, of manifest.json)
    Schema {
        /// Write to this file instead of stdout (`-` means stdout)
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// The schema of manifest.json instead of the config's
        #[arg(long)]
        manifest: bool,
    },
}

/// Arguments of `plotsim run`.
#[derive(clap::Args, Debug)]
struct RunArgs {
    /// The config file (YAML)
    config: PathBuf,
    /// Output directory (default: the config's output.directory)
    #[arg(short, long)]
    output_dir: Option<PathBuf>,
    /// Seed (overrides the config's; recorded in config.yaml and the manifest)
    #[arg(short, long)]
    seed: Option<u64>,
    /// Worker threads (default: all cores; the output does not depend on it)
    #[arg(long)]
    threads: Option<usize>,
    /// Entities per batch (the output does not depend on it)
    #[arg(long, hide = true, default_value_t = plotsim::DEFAULT_BATCH_SIZE)]
    batch_size: usize,
    /// Print nothing but errors
    #[arg(short, long)]
    quiet: bool,
    /// Replace the output directory even if it is not a plotsim dataset
    #[arg(long)]
    force: bool,
    /// Run even when the cells exceed the cell budget
    #[arg(long)]
    allow_large_dataset: bool,
    /// File format (default: the config's output.format)
    #[arg(long, value_parser = ["csv", "parquet", "jsonl", "sql"])]
    format: Option<String>,
    /// Check the generated tables (keys, foreign keys, date spine, causal
    /// coherence, nulls, SCD) and write validation_report.txt and validation.json
    #[arg(short, long)]
    validate: bool,
    /// With --validate: on any error, fail and write nothing
    #[arg(long)]
    strict: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Some(command) = cli.command else {
        use clap::CommandFactory;
        // Printing help can only fail on a closed stdout; the exit code says enough.
        let _ = Cli::command().print_help();
        return ExitCode::from(1);
    };
    match command {
        Command::Run(args) => commands::run(&args),
        Command::Validate {
            config,
            allow_large_dataset,
            ..
        } => commands::validate(&config, allow_large_dataset),
        Command::Info {
            config,
            allow_large_dataset,
        } => commands::info(&config, allow_large_dataset),
        Command::ListTemplates => commands::list_templates(),
        Command::Template { list: true, .. } => commands::list_templates(),
        Command::Template { name, output, .. } => {
            commands::template(name.as_deref().unwrap_or(""), output.as_deref())
        }
        Command::Schema { output, manifest } => commands::schema(output.as_deref(), manifest),
        Command::Trace {
            config,
            entity,
            period,
            metric,
            seed,
            json,
        } => commands::trace(&config, &entity, &period, &metric, seed, json),
    }
}
