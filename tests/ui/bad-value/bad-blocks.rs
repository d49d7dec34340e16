#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-12"), realism(range = "trim"))]
#[segments(
    big(count = 5, archetype = "growth", baseline(visits = "hgh")),
    late(count = 3, archetype = "flat", arrival(kind = "uniform", strat = 2)),
    tested(count = 3, archetype = "flat", treatment(fraction = 1.5, lift_log_odds = 0.2))
)]
struct Row {
    #[entity] shop: String,
    #[period] month: plotsim::Period,
    #[metric(type = "count", polarity = "positive")] visits: u32,
}

fn main() {}
