//! Every struct and metric attribute, in each of its YAML shapes.
#![deny(warnings)]

/// Works for any derived struct, through the trait.
fn rows_of<T: plotsim::Generator>(seed: u64) -> usize {
    T::generate(seed).len()
}

/// Subscription companies.
#[derive(plotsim::Generator)]
#[plotsim(unit = "company", window = ["2023-01", "2023-12", "monthly"])]
#[plotsim(noise(gaussian_sigma = 0.02, mcar_rate = 0.01, noise_family = "student_t", degrees_of_freedom = 5))]
#[segment(name = "grow", count = 4, archetype = "growth", label = "Growers", seasonal_sensitivity = 0.5)]
#[segment(name = "fade", count = 3, archetype = "flat > decline @ 6")]
#[connection("mrr driven_by engagement")]
#[connection(metric_a = "tickets", metric_b = "engagement", relationship = "opposes")]
#[connection(metric_a = "nps", metric_b = "engagement", coefficient = 0.4)]
#[seasonality(months = [11, 12], strength = 0.3)]
#[seasonality(months = [7], strength = -0.1)]
struct CompanyMonth {
    #[entity] company: String,
    #[period] month: plotsim::Period,
    #[metric(type = "score", polarity = "positive", label = "Engagement")] engagement: Option<f64>,
    #[metric(type = "amount", polarity = "positive", range = [50, 5000], distribution = "gamma", params(shape = 3))]
    mrr: Option<f64>,
    #[metric(type = "count", polarity = "negative", follows = "engagement", delay = 2, decay_window = 3, decay_kernel = "linear")]
    tickets: Option<u32>,
    #[metric(type = "index", polarity = "positive", range = [-100, 100], seasonal_sensitivity = 0.0)] nps: Option<f64>,
}

fn main() {
    let rows = CompanyMonth::generate(3);
    assert_eq!(rows.len(), 7 * 12);
    assert!(rows.iter().any(|r| r.engagement.is_some() && r.mrr.is_some() && r.tickets.is_some()));
    assert!(rows.iter().all(|r| r.nps.is_none_or(|v| (-100.0..=100.0).contains(&v))));
    assert!(!rows[0].company.is_empty() && rows[0].month.index() == 0);
    let config = <CompanyMonth as plotsim::Generator>::config();
    assert_eq!(config.about, "Subscription companies.");
    assert_eq!(config.connections.len(), 3);
    assert_eq!(CompanyMonth::iter(3).count(), rows.len());
    assert_eq!(rows_of::<CompanyMonth>(3), rows.len());
}
