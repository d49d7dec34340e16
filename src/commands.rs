//! One function per subcommand; each prints its output and returns the exit code.

use plotsim::budget::{CELL_BUDGET_ENV, CellBudget, group};
use plotsim::plan::{TableKind, TriggerPlan};
use plotsim::{Config, Plan};
use std::path::Path;
use std::process::ExitCode;

use crate::render;

/// `print!` that ignores a closed stdout (e.g. `plotsim validate f | head -1`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `println!` that ignores a closed stdout.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// A config file read and parsed, or the exit code after reporting why not.
fn load(path: &Path) -> Result<(String, Config), ExitCode> {
    let name = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("Error: cannot read config file `{name}`: {e}");
            return Err(ExitCode::from(1));
        }
    };
    match Config::from_yaml_str(&text) {
        Ok(c) => Ok((text, c)),
        Err(e) => {
            outln!("INVALID: {name}");
            out!("{}", indent(&render::load_error(&name, &text, &e)));
            Err(ExitCode::from(1))
        }
    }
}

/// A config read and validated, or the exit code after printing `INVALID:`
/// and every problem.
fn load_plan(path: &Path) -> Result<Plan, ExitCode> {
    let name = path.display().to_string();
    let (text, config) = load(path)?;
    config.validate().map_err(|errors| {
        outln!("INVALID: {name}");
        outln!("  {} problem(s):", errors.len());
        for e in errors.errors() {
            out!("{}", indent(&render::validation_error(&name, &text, e)));
        }
        ExitCode::from(1)
    })
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_owned()
            } else {
                format!("  {l}\n")
            }
        })
        .collect()
}

fn budget(plan: &Plan) -> CellBudget {
    let env = std::env::var(CELL_BUDGET_ENV).ok();
    CellBudget::resolve(plan.config.output.cell_budget, env.as_deref())
}

fn budget_line(plan: &Plan, allow_large: bool) -> String {
    let b = budget(plan);
    let cells = plan.cells();
    if b.limit == 0 {
        format!("{} cells ({b})", group(cells))
    } else if b.exceeded_by(cells) && allow_large {
        format!(
            "{} cells exceed the {b}; allowed by --allow-large-dataset",
            group(cells)
        )
    } else if b.exceeded_by(cells) {
        format!(
            "{} cells exceed the {b}; `plotsim run` will need --allow-large-dataset (or raise output.cell_budget)",
            group(cells)
        )
    } else {
        format!("{} cells, within the {b}", group(cells))
    }
}

fn table_counts(plan: &Plan) -> String {
    let count = |k: TableKind| plan.tables.iter().filter(|t| t.kind == k).count();
    let mut parts = vec![
        format!("{} dimension(s)", count(TableKind::Dimension)),
        format!("{} fact(s)", count(TableKind::Fact)),
    ];
    for (k, w) in [
        (TableKind::Event, "event(s)"),
        (TableKind::Bridge, "bridge(s)"),
    ] {
        if count(k) > 0 {
            parts.push(format!("{} {w}", count(k)));
        }
    }
    format!("{} tables ({})", plan.tables.len(), parts.join(", "))
}

/// `plotsim run FILE`.
pub(crate) fn run(args: &crate::RunArgs) -> ExitCode {
    let name = args.config.display().to_string();
    let plan = match load_plan(&args.config) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let allow = args.allow_large_dataset
        || std::env::var("PLOTSIM_ALLOW_LARGE_DATASET")
            .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"));
    let dir = args
        .output_dir
        .clone()
        .unwrap_or_else(|| plan.config.output.directory.clone().into());
    let opts = plotsim::RunOptions {
        output_dir: dir,
        seed: args.seed,
        threads: args.threads,
        batch_size: args.batch_size,
        force: args.force,
        cell_budget: budget(&plan),
        allow_large_dataset: allow,
        format: match &args.format {
            Some(f) => f.parse().unwrap_or(plan.config.output.format),
            None => plan.config.output.format,
        },
        validate: args.validate || args.strict,
        strict: args.strict,
    };
    let seed = plotsim::resolve_seed(&plan, args.seed);
    let opts = plotsim::RunOptions {
        seed: Some(seed),
        ..opts
    };
    if !args.quiet {
        eprintln!("Generating dataset from {name} (seed={seed})...");
    }
    let bar = progress_bar(args.quiet, plan.n_entities());
    let mut tick = |done: u64, _total: u64| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    };
    let result = plotsim::run_with_progress(&plan, &opts, &mut tick);
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    match result {
        Ok(summary) => {
            if !args.quiet {
                for w in &summary.warnings {
                    eprintln!("warning: {w}");
                }
                if let Some(r) = &summary.report {
                    print_report(r);
                }
                let rows: u64 = summary.tables.iter().map(|(_, r)| r).sum();
                outln!(
                    "Wrote {} table(s), {} total row(s) to {}/",
                    summary.tables.len(),
                    group(rows),
                    summary.dir.display()
                );
                let events = plan.tables.iter().filter(|t| t.kind == TableKind::Event);
                for t in events {
                    if summary.tables.iter().any(|(n, r)| *n == t.name && *r == 0) {
                        outln!("  ! {}: 0 rows (the trigger never fired)", t.name);
                    }
                }
            }
            ExitCode::SUCCESS
        }
        Err(plotsim::Error::Strict(r)) => {
            if !args.quiet {
                print_report(&r);
            }
            eprintln!(
                "--strict: validation has {} error(s); aborting before write.",
                r.errors
            );
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("Error: {e}");
            ExitCode::from(1)
        }
    }
}

/// The report's status line and one line per finding.
fn print_report(r: &plotsim::report::ValidationReport) {
    outln!(
        "Validation: {} - {} error(s), {} warning(s)",
        r.status(),
        r.errors,
        r.warnings
    );
    for i in &r.issues {
        outln!("  {}", i.line());
    }
}

/// A progress bar on a terminal stderr, unless quiet.
fn progress_bar(quiet: bool, total: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {pos}/{len} entities  {elapsed_precise} (eta {eta})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// `plotsim validate FILE`.
pub(crate) fn validate(path: &Path, allow_large: bool) -> ExitCode {
    let plan = match load_plan(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    outln!("VALID: {}", path.display());
    outln!(
        "  {} entities x {} {} periods, {} metrics, {}",
        group(plan.n_entities()),
        plan.window.n_periods,
        plan.window.granularity,
        plan.metrics.len(),
        table_counts(&plan)
    );
    outln!("  {}", budget_line(&plan, allow_large));
    for w in &plan.warnings {
        outln!("  warning: {w}");
    }
    ExitCode::SUCCESS
}

/// `plotsim info FILE`.
pub(crate) fn info(path: &Path, allow_large: bool) -> ExitCode {
    let plan = match load_plan(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let c = &plan.config;
    let w = &plan.window;
    outln!("About: {}", c.about);
    outln!("Unit: {}", c.unit);
    outln!(
        "Entities: {} across {} segment(s) ({})",
        group(plan.n_entities()),
        plan.segments.len(),
        plan.segments
            .iter()
            .map(|s| format!("{} {}", s.name, s.count))
            .collect::<Vec<_>>()
            .join(", ")
    );
    outln!(
        "Time window: {} to {} ({} {} periods: {} .. {})",
        c.window.start,
        c.window.end,
        w.n_periods,
        w.granularity,
        w.period(0),
        w.period(w.n_periods - 1)
    );
    outln!(
        "Metrics: {} ({})",
        plan.metrics.len(),
        plan.metrics
            .iter()
            .map(|m| format!("{} {}", m.name, m.kind))
            .collect::<Vec<_>>()
            .join(", ")
    );
    outln!(
        "Connections: {} pair(s), {} phase(s)",
        plan.correlations.len(),
        plan.phases.len()
    );
    outln!(
        "Tables: {}{}",
        table_counts(&plan),
        if plan.auto_schema {
            ", auto schema"
        } else {
            ""
        }
    );
    let (n, p) = (plan.n_entities(), w.n_periods);
    for t in &plan.tables {
        let rows = match t.planned_rows(n, p) {
            Some(r) => format!("{} rows", group(r)),
            None => match (&t.trigger, &t.bridge) {
                (_, Some(b)) => format!(
                    "{}-{} rows ({}-{} per entity)",
                    group(n * u64::from(b.min)),
                    group(n * u64::from(b.max)),
                    b.min,
                    b.max
                ),
                (Some(TriggerPlan::PerParentRow { parent, min, max }), _) => format!(
                    "{min}-{max} rows per row of {}",
                    plan.tables
                        .get(*parent)
                        .map_or("its parent", |x| x.name.as_str())
                ),
                (Some(TriggerPlan::Proportional { metric, scale }), _) => format!(
                    "round({} x {scale}) rows per entity-period",
                    plan.metrics[*metric].name
                ),
                (Some(TriggerPlan::Threshold { .. }), _) => {
                    format!("at most {} rows (one per entity)", group(n))
                }
                _ => "rows driven by metrics".to_owned(),
            },
        };
        outln!("  {:<28} {:<22} {rows}", t.name, format!("{:?}", t.grain));
    }
    outln!("Cells: {}", budget_line(&plan, allow_large));
    match c.seed {
        Some(s) => outln!("Seed: {s}"),
        None => outln!("Seed: none (a seed is drawn at run time and recorded in the output)"),
    }
    for warn in &plan.warnings {
        outln!("warning: {warn}");
    }
    ExitCode::SUCCESS
}

/// `plotsim list-templates` and `plotsim template --list`.
pub(crate) fn list_templates() -> ExitCode {
    outln!("Templates:");
    for t in plotsim::templates::TEMPLATES {
        outln!("  {:<12} {}", t.name, t.description);
    }
    outln!();
    outln!("Usage: plotsim template saas -o saas.yaml && plotsim validate saas.yaml");
    ExitCode::SUCCESS
}

/// `plotsim template NAME [-o FILE]`.
pub(crate) fn template(name: &str, output: Option<&Path>) -> ExitCode {
    let Some(t) = plotsim::templates::get(name) else {
        let names: Vec<&str> = plotsim::templates::names().collect();
        let hint = plotsim::words::suggest(name, names.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        eprintln!(
            "Error: unknown template `{name}`; available: {}{hint}",
            names.join(", ")
        );
        return ExitCode::from(1);
    };
    write_or_print(output, t.yaml)
}

/// `plotsim schema [-o FILE]`.
pub(crate) fn schema(output: Option<&Path>, manifest: bool) -> ExitCode {
    let schema = if manifest {
        serde_json::to_value(plotsim::truth::manifest_json_schema())
    } else {
        serde_json::to_value(Config::json_schema())
    };
    match schema.and_then(|s| serde_json::to_string_pretty(&s)) {
        Ok(json) => write_or_print(output, &(json + "\n")),
        Err(e) => {
            eprintln!("Error: cannot serialise the schema: {e}");
            ExitCode::from(1)
        }
    }
}

fn write_or_print(output: Option<&Path>, text: &str) -> ExitCode {
    match output.filter(|p| p.as_os_str() != "-") {
        None => {
            out!("{text}");
            ExitCode::SUCCESS
        }
        Some(path) => {
            let result = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
                Some(dir) => std::fs::create_dir_all(dir).and_then(|()| std::fs::write(path, text)),
                None => std::fs::write(path, text),
            };
            match result {
                Ok(()) => {
                    outln!("Wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("Error: cannot write `{}`: {e}", path.display());
                    ExitCode::from(1)
                }
            }
        }
    }
}

/// `plotsim trace FILE --entity E --period K --metric M`.
pub(crate) fn trace(
    path: &Path,
    entity: &str,
    period: &str,
    metric: &str,
    seed: Option<u64>,
    json: bool,
) -> ExitCode {
    let plan = match load_plan(path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let Some(seed) = seed.or(plan.settings.seed) else {
        eprintln!(
            "Error: --seed: the config has no seed; expected the run's seed (manifest.json records it as `seed`)"
        );
        return ExitCode::from(1);
    };
    let w = &plan.window;
    let index = period.parse::<usize>().ok().or_else(|| {
        (0..w.n_periods)
            .find(|&i| w.period(i).to_string() == period)
            .map(|i| i as usize)
    });
    let Some(index) = index else {
        eprintln!(
            "Error: --period: `{period}` is neither a period index nor a period label of the window; expected 0..={} or a label {} .. {}",
            w.n_periods - 1,
            w.period(0),
            w.period(w.n_periods - 1)
        );
        return ExitCode::from(1);
    };
    let t = match plotsim::trace_metric_cell(&plan, seed, entity, index, metric) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("Error: {}", e.to_string().replace('\n', "\n       "));
            return ExitCode::from(1);
        }
    };
    if json {
        match serde_json::to_string_pretty(&t) {
            Ok(s) => outln!("{s}"),
            Err(e) => {
                eprintln!("Error: {e}");
                return ExitCode::from(1);
            }
        }
        return ExitCode::SUCCESS;
    }
    let label = w.period(index as u32);
    outln!(
        "Trace of {} for {} ({}, archetype {}), period {} ({label}, date_key {}), seed {seed}",
        t.metric,
        t.entity_id,
        t.entity,
        t.archetype,
        t.period_index,
        t.date_key
    );
    let num = |x: f64| format!("{x:.6}");
    let opt = |x: Option<f64>| x.map_or_else(|| "null".to_owned(), num);
    let line = |step: &str, label: &str, value: String| outln!("  {step:<3}{label:<22}{value}");
    line("1.", "trajectory position", num(t.trajectory_position));
    line(
        "",
        "lag",
        t.lag.as_ref().map_or_else(
            || "none".to_owned(),
            |l| {
                format!(
                    "follows {} by {} period(s){}",
                    l.driver,
                    l.delay,
                    l.decay_window
                        .map_or(String::new(), |w| format!(", averaged over {w}"))
                )
            },
        ),
    );
    line(
        "",
        "treatment",
        t.treatment.as_ref().map_or_else(
            || "none".to_owned(),
            |tr| {
                format!(
                    "lift {} log-odds from period {} ({})",
                    tr.lift_log_odds,
                    tr.start_period,
                    if tr.applied {
                        "applied"
                    } else {
                        "not applied to this cell"
                    }
                )
            },
        ),
    );
    line("2.", "effective position", num(t.effective_position));
    line(
        "",
        "centre position",
        format!("{} ({} polarity)", num(t.centre_position), t.polarity),
    );
    line(
        "3.",
        "distribution centre",
        format!("{} ({})", num(t.distribution_centre), t.family),
    );
    line(
        "4.",
        "seasonality",
        format!(
            "factor {} -> centre {}",
            num(t.seasonal_factor),
            num(t.modulated_centre)
        ),
    );
    line(
        "5.",
        "normal score",
        format!(
            "independent {}, correlated {}",
            num(t.independent_draw),
            num(t.correlated_draw)
        ),
    );
    line("6.", "drawn value", num(t.drawn_value));
    let yes = |b: bool| if b { "yes" } else { "no" };
    line(
        "7.",
        "noise",
        format!(
            "{} (outlier: {}, MCAR null: {})",
            opt(t.noised_value),
            yes(t.outlier_fired),
            yes(t.mcar_fired)
        ),
    );
    let clamp = match t.clamped {
        -1 => "raised to the range minimum",
        1 => "lowered to the range maximum",
        _ => "none",
    };
    line("8.", "clamp", clamp.to_owned());
    line("9.", "realized cell", opt(t.realized_cell));
    ExitCode::SUCCESS
}
