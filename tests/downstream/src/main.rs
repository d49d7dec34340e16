//! The derive example of DESIGN.md ("Who uses it"), as a downstream crate
//! writes it: `plotsim` by path, nothing else, every warning an error.
#![deny(warnings)]

#[derive(plotsim::Generator)]
#[plotsim(
    unit = "company",
    window(start = "2023-01", end = "2024-12", every = "monthly"),
    seed = 1729
)]
#[segments(
    promising(count = 20, archetype = "growth"),
    churners(count = 10, archetype = "flat > decline @ 10")
)]
struct CompanyMonth {
    #[entity]
    company_id: String,
    #[period]
    month: plotsim::Period,
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

fn main() {
    let rows: Vec<CompanyMonth> = CompanyMonth::generate(7);

    // 30 companies x 24 months, keys as in dim_company, values in range.
    assert_eq!(rows.len(), 30 * 24);
    assert_eq!(rows[0].company_id, "c-001");
    assert_eq!(rows[0].month.to_string(), "2023-01");
    assert!(rows.iter().all(|r| (0.0..=1.0).contains(&r.engagement)));
    assert!(rows.iter().all(|r| (50.0..=50000.0).contains(&r.mrr)));
    let tickets: u64 = rows.iter().map(|r| u64::from(r.support_tickets)).sum();
    println!(
        "{} rows; {} support tickets; config seed {:?}",
        rows.len(),
        tickets,
        CompanyMonth::config().seed
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_example_runs() {
        super::main();
    }
}
