//! Every metric type with each polarity, and each accepted field type.
#![deny(warnings)]

#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-06"), seed = 11)]
#[segment(name = "up", count = 3, archetype = "growth")]
#[segment(name = "down", count = 4, archetype = "flat > decline @ 3")]
struct Row {
    #[entity] shop: String,
    #[period] month: plotsim::Period,
    #[segment_name] segment: String,
    #[metric(type = "score", polarity = "positive")] score_pos: f64,
    #[metric(type = "score", polarity = "negative")] score_neg: f32,
    #[metric(type = "amount", polarity = "positive", range = [10, 1000])] amount_pos: f64,
    #[metric(type = "amount", polarity = "negative", range = [10.5, 99.5])] amount_neg: f32,
    #[metric(type = "count", polarity = "positive")] count_pos: u32,
    #[metric(type = "count", polarity = "negative")] count_neg: i64,
    #[metric(type = "index", polarity = "positive", range = [0, 200])] index_pos: f64,
    #[metric(type = "index", polarity = "negative", range = [-50, 50])] index_neg: f64,
}

fn main() {
    let rows = Row::generate(5);
    assert_eq!(rows.len(), 7 * 6);
    assert_eq!(rows.iter().filter(|r| r.segment == "down").count(), 4 * 6);
    assert!(rows.iter().all(|r| (0.0..=1.0).contains(&r.score_pos) && (0.0..=1.0).contains(&r.score_neg)));
    assert!(rows.iter().all(|r| (10.0..=1000.0).contains(&r.amount_pos) && (10.5..=99.5).contains(&r.amount_neg)));
    assert!(rows.iter().all(|r| r.count_neg >= 0 && (-50.0..=50.0).contains(&r.index_neg)));
    assert!(rows.iter().all(|r| (0.0..=200.0).contains(&r.index_pos)));
    assert_eq!(rows[0].shop, "s-001");
    assert_eq!(rows[0].month.to_string(), "2024-01");
    let visits: u64 = rows.iter().map(|r| u64::from(r.count_pos)).sum();
    assert!(visits > 0);
    // The seed argument wins; the attribute seed is the config's.
    assert_eq!(Row::config().seed, Some(11));
    assert_eq!(Row::dataset(5).table("fct_shop").map(|t| t.rows()), Some(rows.len()));
}
