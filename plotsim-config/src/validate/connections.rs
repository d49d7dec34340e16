//! Rules for `connections` and `connection_phases`: shorthand, vocabulary,
//! endpoints, duplicates and overlaps.

use super::{Ctx, check_len, root};
use crate::dsl::connection::{self, Relationship, Strength};
use crate::error::{FieldPath, ValidationError};
use crate::model::Connection;
use crate::plan::{CorrelationPair, PhasePlan};

/// A connection resolved to metric names and a coefficient, with the paths to report at.
struct ResolvedPair {
    a: String,
    b: String,
    coefficient: f64,
    target: crate::model::CorrelationTarget,
    path: FieldPath,
}

fn resolve_connection(
    cx: &mut Ctx<'_>,
    path: FieldPath,
    conn: &Connection,
) -> Option<ResolvedPair> {
    // Token positions inside a shorthand string, for messages ("at character N").
    let at = |pos: Option<usize>| {
        pos.map(|p| format!(" (at character {})", p + 1))
            .unwrap_or_default()
    };
    let (a, b, strength, pos) = match conn {
        Connection::Shorthand(text) => match connection::parse(text) {
            Ok(p) => (
                p.metric_a.0,
                p.metric_b.0,
                p.strength.0,
                [Some(p.metric_a.1), Some(p.strength.1), Some(p.metric_b.1)],
            ),
            Err(e) => {
                cx.push(
                    ValidationError::new(
                        path,
                        format!(
                            "connection \"{text}\": {}{}",
                            e.message,
                            at(Some(e.position))
                        ),
                    )
                    .expected(e.expected.unwrap_or_default()),
                );
                return None;
            }
        },
        Connection::Pair(p) => {
            let s = match (&p.relationship, p.coefficient) {
                (Some(w), None) => Strength::Word(w.clone()),
                (None, Some(x)) => Strength::Number(x),
                (Some(_), Some(_)) => {
                    cx.push(
                        ValidationError::new(
                            path,
                            "a connection has both `relationship` and `coefficient`",
                        )
                        .expected("exactly one of them"),
                    );
                    return None;
                }
                (None, None) => {
                    cx.push(
                        ValidationError::new(
                            path,
                            "a connection needs a `relationship` word or a `coefficient`",
                        )
                        .expected("exactly one of them"),
                    );
                    return None;
                }
            };
            (p.metric_a.clone(), p.metric_b.clone(), s, [None; 3])
        }
    };
    let coefficient = match strength {
        Strength::Number(x) if !x.is_finite() || !(-1.0..=1.0).contains(&x) => {
            cx.push(
                ValidationError::new(
                    path.clone(),
                    format!(
                        "connection {a} ~ {b}: coefficient out of range{}",
                        at(pos[1])
                    ),
                )
                .found(x)
                .expected("a number in [-1, 1]"),
            );
            None
        }
        Strength::Number(x) => Some(x),
        Strength::Word(w) => match w.parse::<Relationship>() {
            Ok(r) => Some(r.coefficient()),
            Err(e) => {
                let words: Vec<String> = Relationship::ALL
                    .iter()
                    .map(|r| format!("{r} ({:+.2})", r.coefficient()))
                    .collect();
                cx.push(
                    ValidationError::new(
                        path.clone(),
                        format!(
                            "connection {a} ~ {b}: unknown relationship word `{w}`{}",
                            at(pos[1])
                        ),
                    )
                    .expected(format!("one of: {}", words.join(", ")))
                    .suggestion(e.suggestion),
                );
                None
            }
        },
    };
    let mut ok = coefficient.is_some();
    for (name, p) in [(&a, pos[0]), (&b, pos[2])] {
        if !cx.has_metric(name) {
            let names: Vec<&str> = cx.config.metrics.iter().map(|m| m.name.as_str()).collect();
            cx.push(
                ValidationError::new(
                    path.clone(),
                    format!("connection {a} ~ {b}: unknown metric `{name}`{}", at(p)),
                )
                .expected(format!("one of: {}", names.join(", ")))
                .suggestion(crate::words::suggest(name, names.iter().copied())),
            );
            ok = false;
        }
    }
    if a == b {
        cx.push(ValidationError::new(
            path.clone(),
            format!("a connection joins two different metrics; found `{a}` twice"),
        ));
        ok = false;
    }
    let coefficient = coefficient.unwrap_or(0.0);
    let target = match conn {
        Connection::Pair(p) => p.target,
        Connection::Shorthand(_) => None,
    }
    .unwrap_or(cx.config.correlation_target);
    ok.then_some(ResolvedPair {
        a,
        b,
        coefficient,
        target,
        path,
    })
}

fn resolve_pairs(
    cx: &mut Ctx<'_>,
    base: FieldPath,
    conns: &[Connection],
) -> Option<Vec<CorrelationPair>> {
    let mut ok = true;
    let mut pairs: Vec<ResolvedPair> = Vec::new();
    for (i, conn) in conns.iter().enumerate() {
        match resolve_connection(cx, base.index(i), conn) {
            Some(p) => {
                let dup = pairs
                    .iter()
                    .any(|q| (q.a == p.a && q.b == p.b) || (q.a == p.b && q.b == p.a));
                if dup {
                    cx.push(
                        ValidationError::new(
                            p.path.clone(),
                            format!("the pair {} ~ {} is declared twice", p.a, p.b),
                        )
                        .expected("each unordered pair at most once"),
                    );
                    ok = false;
                }
                pairs.push(p);
            }
            None => ok = false,
        }
    }
    if pairs.len() > 1225 {
        cx.push(
            ValidationError::new(base, "too many connections")
                .found(pairs.len())
                .expected("at most 1225"),
        );
        ok = false;
    }
    if !ok {
        return None;
    }
    let idx = |n: &str| {
        cx.config
            .metrics
            .iter()
            .position(|m| m.name == n)
            .unwrap_or(0)
    };
    Some(
        pairs
            .iter()
            .filter(|p| p.coefficient != 0.0)
            .map(|p| CorrelationPair {
                a: idx(&p.a),
                b: idx(&p.b),
                coefficient: p.coefficient,
                target: p.target,
            })
            .collect(),
    )
}

pub(super) fn check_connections(
    cx: &mut Ctx<'_>,
    n_periods: Option<u32>,
) -> (Option<Vec<CorrelationPair>>, Option<Vec<PhasePlan>>) {
    let c = cx.config;
    let baseline = resolve_pairs(cx, root().key("connections"), &c.connections);
    check_len(
        cx,
        root().key("connection_phases"),
        "connection phases",
        c.connection_phases.len(),
        0,
        64,
    );
    if !c.connection_phases.is_empty() && c.connections.is_empty() {
        cx.push(
            ValidationError::new(
                root().key("connection_phases"),
                "connection phases need baseline `connections`",
            )
            .expected("a non-empty `connections` list that holds outside the phases"),
        );
    }
    let mut phases = Vec::new();
    let mut ok = true;
    for (i, ph) in c.connection_phases.iter().enumerate() {
        let path = root().key("connection_phases").index(i);
        if ph.end_period < ph.start_period {
            cx.push(
                ValidationError::new(path.key("end_period"), "the phase ends before it starts")
                    .found(format!("start {} > end {}", ph.start_period, ph.end_period))
                    .expected("end_period >= start_period"),
            );
            ok = false;
        }
        if let Some(n) = n_periods.filter(|&n| ph.end_period >= n) {
            cx.push(
                ValidationError::new(path.key("end_period"), "the phase ends after the window")
                    .found(ph.end_period)
                    .expected(format!("a period in [0, {}]", n - 1)),
            );
            ok = false;
        }
        for (j, other) in c.connection_phases.iter().enumerate().take(i) {
            if ph.start_period <= other.end_period && other.start_period <= ph.end_period {
                cx.push(
                    ValidationError::new(
                        path.clone(),
                        format!("phase overlaps connection_phases[{j}]"),
                    )
                    .found(format!(
                        "periods {}-{} and {}-{}",
                        ph.start_period, ph.end_period, other.start_period, other.end_period
                    ))
                    .expected("non-overlapping phases"),
                );
                ok = false;
            }
        }
        match resolve_pairs(cx, path.key("connections"), &ph.connections) {
            Some(pairs) => phases.push(PhasePlan {
                start_period: ph.start_period,
                end_period: ph.end_period,
                pairs,
            }),
            None => ok = false,
        }
    }
    (baseline, ok.then_some(phases))
}
