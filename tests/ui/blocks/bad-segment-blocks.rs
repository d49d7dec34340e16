// Mistakes in a segment's attributes and treatment blocks.
#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-12"))]
#[segments(
    big(count = 5, archetype = "growth", attributes(region = ["na", ["emea"]])),
    tested(count = 3, archetype = "flat", treatment(fraction = 1.5, lift_log_odds = 0.2)),
    late(count = 2, archetype = "flat", arrival(kind = "sudden"))
)]
struct Row {
    #[entity] shop: String,
    #[period] month: plotsim::Period,
    #[metric(type = "count", polarity = "positive")] visits: u32,
}

fn main() {}
