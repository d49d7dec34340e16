#[derive(plotsim::Generator)]
#[plotsim(crate = "not a path", unit = "shop", window(start = "2024-01", end = "2024-12"))]
#[segment(name = "all", count = 5, archetype = "growth")]
struct Row {
    #[entity] shop: String,
    #[period] month: plotsim::Period,
    #[metric(type = "score", polarity = "positive")] engagement: f64,
}

fn main() {}
