#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-12"))]
#[segment(name = "all", count = 5, archetype = "growth")]
struct Row {
    #[entity] shop: String,
    #[period] month: plotsim::Period,
    #[metric(type = "count", polarity = "positive", range = [-5, 100])] visits: u32,
}

fn main() {}
