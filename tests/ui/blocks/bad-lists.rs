// Misused #[segments(...)] and #[connections(...)] lists.
#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-12"))]
#[segments(
    big,
    small(count = 2),
    small(count = 3, archetype = "flat"),
    "late"
)]
#[connections("visits drives revenue", 0.4, visits = "revenue")]
struct Row {
    #[entity] shop: String,
    #[period] month: plotsim::Period,
    #[metric(type = "count", polarity = "positive")] visits: u32,
    #[metric(type = "amount", polarity = "positive", range = [1, 100])] revenue: f64,
}

fn main() {}
