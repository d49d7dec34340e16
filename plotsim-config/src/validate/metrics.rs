//! Rules for `metrics`: names, ranges, distributions and causal lags.

use indexmap::IndexMap;

use super::{Ctx, check_len, check_range, check_unique, is_simple_name, root};
use crate::error::{FieldPath, ValidationError};
use crate::model::{Family, Granularity, Metric, MetricType};
use crate::plan::{FamilyParams, LagPlan, MetricPlan};

/// Longest lag per granularity, in periods.
fn lag_cap(g: Granularity) -> u32 {
    match g {
        Granularity::Monthly => 120,
        Granularity::Weekly => 520,
        Granularity::Daily => 3650,
    }
}

pub(super) fn check_metrics(
    cx: &mut Ctx<'_>,
    granularity: Granularity,
) -> (Option<Vec<MetricPlan>>, Option<Vec<usize>>) {
    let metrics = &cx.config.metrics;
    check_len(cx, root().key("metrics"), "metrics", metrics.len(), 1, 50);
    check_unique(
        cx,
        "metric name",
        metrics
            .iter()
            .enumerate()
            .map(|(i, m)| (root().key("metrics").index(i).key("name"), m.name.as_str())),
    );
    let mut plans = Vec::new();
    let mut ok = true;
    for (i, m) in metrics.iter().enumerate() {
        let path = root().key("metrics").index(i);
        match check_metric(cx, &path, m, granularity) {
            Some(p) => plans.push(p),
            None => ok = false,
        }
    }
    let order = lag_order(cx, metrics);
    if !ok {
        return (None, order);
    }
    (Some(plans), order)
}

fn check_metric(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    m: &Metric,
    g: Granularity,
) -> Option<MetricPlan> {
    let before = cx.errors.len();
    if !is_simple_name(&m.name) {
        cx.push(
            ValidationError::new(
                path.key("name"),
                "metric names may only contain letters, digits and underscores",
            )
            .found(format!("`{}`", m.name)),
        );
    }
    let range = check_metric_range(cx, path, m);
    let (family, params) = resolve_family(cx, path, m, range);
    warn_unreachable_centre(cx, m, family, &params, range);
    check_range(
        cx,
        path.key("seasonal_sensitivity"),
        m.seasonal_sensitivity,
        -1e6,
        1e6,
    );
    let lag = check_lag(cx, path, m, g);
    if cx.errors.len() != before {
        return None;
    }
    Some(MetricPlan {
        name: m.name.clone(),
        label: m.display_label(),
        kind: m.r#type,
        polarity: m.polarity,
        // A score lives in [0, 1] unless it declares its own range.
        range: match m.r#type {
            MetricType::Score => range.or(Some((0.0, 1.0))),
            _ => range,
        },
        family,
        family_params: FamilyParams::new(family, &params),
        params,
        explicit_family: m.distribution.is_some(),
        lag,
        seasonal_sensitivity: m.seasonal_sensitivity,
    })
}

fn check_metric_range(cx: &mut Ctx<'_>, path: &FieldPath, m: &Metric) -> Option<(f64, f64)> {
    let p = path.key("range");
    match (m.r#type, m.range) {
        (MetricType::Amount | MetricType::Index, None) => {
            cx.push(
                ValidationError::new(p, format!("a metric of type `{}` needs a range", m.r#type))
                    .expected("`range: [min, max]` (only score and count metrics may omit it)"),
            );
            None
        }
        (MetricType::Count, Some(r)) if r[0] < 0.0 => {
            cx.push(
                ValidationError::new(
                    p,
                    "a count's range must not go below 0; counts are non-negative integers",
                )
                .found(format!("[{}, {}]", r[0], r[1]))
                .expected("[min, max] with 0 <= min < max (or choose type amount or index)")
                .note(path.key("type"), "the type `count` is set here"),
            );
            None
        }
        (_, Some([lo, hi])) => {
            if !lo.is_finite() || !hi.is_finite() || lo >= hi {
                cx.push(
                    ValidationError::new(p, "the range minimum must be less than its maximum")
                        .found(format!("[{lo}, {hi}]"))
                        .expected("[min, max] with min < max"),
                );
                return None;
            }
            Some((lo, hi))
        }
        (_, None) => None,
    }
}

/// The family and parameters: explicit ones checked against the family's
/// keys, or the type's defaults.
fn resolve_family(
    cx: &mut Ctx<'_>,
    path: &FieldPath,
    m: &Metric,
    range: Option<(f64, f64)>,
) -> (Family, IndexMap<String, f64>) {
    let mut params = IndexMap::new();
    let Some(family) = m.distribution else {
        if m.distribution_params.is_some() {
            cx.push(
                ValidationError::new(path.key("distribution_params"), "`distribution_params` is set but `distribution` is not")
                    .expected("a `distribution` (lognorm, gamma, poisson, beta, normal, weibull) or no params"),
            );
        }
        let (lo, hi) = range.unwrap_or((0.0, 1.0));
        let family = match m.r#type {
            MetricType::Score => {
                params.insert("alpha".into(), 2.0);
                params.insert("beta".into(), 5.0);
                Family::Beta
            }
            MetricType::Count => {
                params.insert("lambda".into(), 5.0);
                Family::Poisson
            }
            MetricType::Index => {
                params.insert("mu".into(), (lo + hi) / 2.0);
                params.insert("sigma".into(), (hi - lo) / 6.0);
                Family::Normal
            }
            MetricType::Amount if lo == 0.0 || hi / lo >= 10.0 => {
                params.insert("s".into(), 0.85);
                params.insert("loc".into(), 0.0);
                params.insert(
                    "scale".into(),
                    if lo > 0.0 { (lo + hi) / 2.0 } else { hi / 2.0 },
                );
                Family::Lognorm
            }
            MetricType::Amount => {
                params.insert("alpha".into(), 2.0);
                params.insert("beta".into(), 5.0);
                Family::Beta
            }
        };
        return (family, params);
    };
    let given = m.distribution_params.clone().unwrap_or_default();
    let required = family.required_params();
    let optional = family.optional_params();
    let p = path.key("distribution_params");
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|k| !given.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        cx.push(
            ValidationError::new(
                p.clone(),
                format!(
                    "distribution `{family}` is missing params: {}",
                    missing.join(", ")
                ),
            )
            .expected(format!("params {{{}}}", required.join(", "))),
        );
    }
    let allowed: Vec<&str> = required.iter().chain(optional).copied().collect();
    for (k, v) in &given {
        if !allowed.contains(&k.as_str()) {
            cx.push(
                ValidationError::new(
                    p.key(k.clone()),
                    format!("distribution `{family}` does not take param `{k}`"),
                )
                .expected(if allowed.is_empty() {
                    "no params".to_owned()
                } else {
                    format!("only: {}", allowed.join(", "))
                })
                .suggestion(crate::words::suggest(k, allowed.iter().copied())),
            );
        } else if k == "dispersion" && !(v.is_finite() && *v > 0.0 && *v <= 10.0) {
            cx.push(
                ValidationError::new(p.key(k.clone()), "dispersion out of range")
                    .found(v)
                    .expected("a number in (0, 10] (variance = mean + dispersion x mean^2)"),
            );
        } else if !v.is_finite() || (*v <= 0.0 && !matches!(k.as_str(), "mu" | "loc")) {
            cx.push(
                ValidationError::new(p.key(k.clone()), "distribution params are positive")
                    .found(v)
                    .expected("a number > 0"),
            );
        }
    }
    (family, given)
}

/// Explicit lognorm, gamma and normal families centre at their location
/// params (`loc`/`scale`, `shape·scale`, `mu`; the original's defaults when
/// absent), not at the range: their centre may never reach it.
fn warn_unreachable_centre(
    cx: &mut Ctx<'_>,
    m: &Metric,
    family: Family,
    params: &IndexMap<String, f64>,
    range: Option<(f64, f64)>,
) {
    let (Some(_), Some((lo, _))) = (m.distribution, range) else {
        return;
    };
    let get = |k: &str, d: f64| params.get(k).copied().unwrap_or(d);
    let top = match family {
        Family::Normal => get("mu", 0.0),
        Family::Lognorm => get("loc", 0.0) + get("scale", 1.0),
        Family::Gamma => get("shape", 1.0) * get("scale", 1.0),
        Family::Beta | Family::Weibull | Family::Poisson => return,
    };
    if top < lo {
        cx.warnings.push(format!(
            "metric `{}`: an explicit `{family}` centres values at {top} or below, under the range minimum {lo}; most values will sit at {lo} (set the family's location param, use the type's default family, or weibull/beta/poisson, which follow the range)",
            m.name
        ));
    }
}

fn check_lag(cx: &mut Ctx<'_>, path: &FieldPath, m: &Metric, g: Granularity) -> Option<LagPlan> {
    match (&m.follows, m.delay) {
        (Some(_), None) | (None, Some(_)) => {
            let (field, other) = if m.follows.is_some() {
                ("delay", "follows")
            } else {
                ("follows", "delay")
            };
            cx.push(
                ValidationError::new(
                    path.key(field),
                    format!("`{other}` is set without `{field}`"),
                )
                .expected("`follows` and `delay` together, or neither"),
            );
        }
        _ => {}
    }
    if m.decay_window.is_some() && m.follows.is_none() {
        cx.push(
            ValidationError::new(
                path.key("decay_window"),
                "`decay_window` needs a lag to decay",
            )
            .expected("`follows: <metric>` and `delay: <periods>` as well"),
        );
    }
    if let Some(w) = m.decay_window
        && !(1..=10_000).contains(&w)
    {
        cx.push(
            ValidationError::new(path.key("decay_window"), "decay window out of range")
                .found(w)
                .expected("1-10000"),
        );
    }
    let (Some(driver), Some(delay)) = (&m.follows, m.delay) else {
        return None;
    };
    if delay < 1 {
        cx.push(
            ValidationError::new(path.key("delay"), "the delay must be at least one period")
                .found(delay)
                .expected(">= 1"),
        );
    }
    if delay > lag_cap(g) {
        cx.push(
            ValidationError::new(
                path.key("delay"),
                format!("the delay exceeds the {g} granularity cap"),
            )
            .found(delay)
            .expected(format!("at most {}", lag_cap(g))),
        );
    }
    if *driver == m.name {
        cx.push(ValidationError::new(
            path.key("follows"),
            format!("metric `{}` cannot follow itself", m.name),
        ));
        return None;
    }
    match cx.config.metrics.iter().position(|n| n.name == *driver) {
        Some(i) => Some(LagPlan {
            driver: i,
            delay,
            decay_window: m.decay_window,
            decay_kernel: m.decay_kernel,
        }),
        None => {
            cx.unknown_metric(path.key("follows"), driver);
            None
        }
    }
}

/// Topological order of the follows graph; reports each cycle once.
fn lag_order(cx: &mut Ctx<'_>, metrics: &[Metric]) -> Option<Vec<usize>> {
    let index = |name: &str| metrics.iter().position(|m| m.name == name);
    let driver_of = |i: usize| -> Option<usize> {
        let m = &metrics[i];
        m.follows
            .as_deref()
            .filter(|f| *f != m.name)
            .and_then(index)
    };
    // 0 = unvisited, 1 = on the current path, 2 = done.
    let mut state = vec![0u8; metrics.len()];
    let mut order = Vec::new();
    let mut cyclic = false;
    for start in 0..metrics.len() {
        let mut chain = Vec::new();
        let mut cur = Some(start);
        while let Some(i) = cur {
            match state[i] {
                2 => break,
                1 => {
                    let from = chain.iter().position(|&c| c == i).unwrap_or(0);
                    let cycle: Vec<&str> = chain[from..]
                        .iter()
                        .chain([&i])
                        .map(|&c| metrics[c].name.as_str())
                        .collect();
                    let mut e = ValidationError::new(
                        root().key("metrics").index(i).key("follows"),
                        format!("causal-lag cycle: {}", cycle.join(" → ")),
                    )
                    .expected("an acyclic follows graph");
                    // The other links of the cycle, so tools can point at each.
                    for &c in chain[from..].iter().filter(|&&c| c != i) {
                        e = e.note(
                            root().key("metrics").index(c).key("follows"),
                            "part of the cycle",
                        );
                    }
                    cx.push(e);
                    cyclic = true;
                    break;
                }
                _ => {
                    state[i] = 1;
                    chain.push(i);
                    cur = driver_of(i);
                }
            }
        }
        for &i in chain.iter().rev() {
            state[i] = 2;
            order.push(i);
        }
    }
    (!cyclic).then_some(order)
}
