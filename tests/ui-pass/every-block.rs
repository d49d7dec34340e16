//! Every segment and config block through the list attributes, warning-free.
#![deny(warnings)]

/// Accounts with every block.
#[derive(plotsim::Generator)]
#[plotsim(
    unit = "account",
    window(start = "2023-01", end = "2023-12"),
    correlation_target = "pooled",
    realism(range = "truncate", joins = "continuous"),
    variation(timing = 1, amplitude = 0.1),
    lifecycle(track = "engagement", stages(trial = 0.0, active = 0.4))
)]
#[segments(
    big(
        count = 3,
        archetype = "growth",
        baseline(mrr = "high"),
        attributes(region = ["na", "emea"], tier = "gold"),
        treatment(fraction = 0.5, lift_log_odds = 0.3)
    ),
    late(count = 2, archetype = "flat", arrival(kind = "uniform", end = 6))
)]
#[connections("mrr driven_by engagement")]
struct AccountMonth {
    #[entity]
    account: String,
    #[period]
    month: plotsim::Period,
    #[segment_name]
    segment: String,
    #[metric(type = "score", polarity = "positive")]
    engagement: f64,
    #[metric(type = "amount", polarity = "positive", range = [50, 5000])]
    mrr: f64,
}

fn main() {
    let rows = AccountMonth::generate(1);
    let config = <AccountMonth as plotsim::Generator>::config();
    assert_eq!(config.segments.len(), 2);
    assert!(config.lifecycle.is_some());
    assert_eq!(rows.iter().filter(|r| r.segment == "big").count(), 3 * 12);
    assert!(rows.iter().filter(|r| r.segment == "late").count() < 2 * 12);
    assert!(rows.iter().all(|r| (50.0..=5000.0).contains(&r.mrr) && r.engagement.is_finite()));
    assert!(!rows[0].account.is_empty() && rows[0].month.index() == 0);
}
