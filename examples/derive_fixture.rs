//! Typed test fixtures with `#[derive(plotsim::Generator)]`: a struct is one
//! row of the panel, the attributes are the YAML keys, and mistakes in them
//! are compile errors.
//!
//! The function under test here is a small revenue report; the fixture gives
//! it two years of subscription data with a known answer key (which
//! companies decline, and from when).
//!
//! Run with `cargo run --example derive_fixture`.

use std::collections::BTreeMap;

/// Subscription companies.
#[derive(plotsim::Generator, Debug, Clone)]
#[plotsim(
    unit = "company",
    window(start = "2023-01", end = "2024-12"),
    seed = 1729
)]
#[segment(name = "promising", count = 20, archetype = "growth")]
#[segment(name = "churners", count = 10, archetype = "flat > decline @ 10")]
#[connection("mrr driven_by engagement")]
struct CompanyMonth {
    #[entity]
    company_id: String,
    #[period]
    month: plotsim::Period,
    #[segment_name]
    segment: String,
    #[metric(type = "score", polarity = "positive")]
    engagement: f64,
    #[metric(type = "amount", polarity = "positive", range = [50, 50000])]
    mrr: f64,
    #[metric(
        type = "count",
        polarity = "negative",
        follows = "engagement",
        delay = 2
    )]
    support_tickets: u32,
}

/// The code under test: total MRR per month.
fn monthly_revenue(rows: &[CompanyMonth]) -> BTreeMap<plotsim::Period, f64> {
    let mut out = BTreeMap::new();
    for r in rows {
        *out.entry(r.month).or_insert(0.0) += r.mrr;
    }
    out
}

fn main() {
    // The seed argument wins over the attribute's; same seed, same rows.
    let rows = CompanyMonth::generate(7);
    println!("{} rows, first: {:?}", rows.len(), rows[0]);

    let revenue = monthly_revenue(&rows);
    assert_eq!(revenue.len(), 24);
    let first = revenue.values().next().copied().unwrap_or_default();
    let last = revenue.values().last().copied().unwrap_or_default();
    println!("revenue {first:.0} in the first month, {last:.0} in the last");

    // The answer key: churners sit on a low plateau, then from period 10
    // follow a decline curve (it starts high: phases are not joined).
    let mean = |segment: &str, months: std::ops::Range<u32>| {
        let v: Vec<f64> = rows
            .iter()
            .filter(|r| r.segment == segment && months.contains(&r.month.index()))
            .map(|r| r.engagement)
            .collect();
        v.iter().sum::<f64>() / v.len() as f64
    };
    println!(
        "churners' engagement: {:.2} before month 10, {:.2} in months 10-12, {:.2} in the last 6",
        mean("churners", 0..10),
        mean("churners", 10..13),
        mean("churners", 18..24)
    );
    assert!(mean("churners", 10..13) > mean("churners", 18..24));
    let tickets: u32 = rows.iter().map(|r| r.support_tickets).sum();
    let companies: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.company_id.as_str()).collect();
    println!(
        "{tickets} support tickets from {} companies",
        companies.len()
    );

    // The equivalent YAML, for `plotsim run` or a teammate without Rust.
    println!("\n{}", CompanyMonth::config().to_yaml());
}
