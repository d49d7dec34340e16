#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-12", every = "montly"))]
#[segment(name = "all", count = 0, archetype = "grwth")]
struct Row {
    #[entity] shop: String,
    #[period] month: plotsim::Period,
    #[metric(type = "count", polarity = "positive", range = [-1, 9])] visits: u32,
    #[metric(type = "score", polarity = "positive", follows = "nothing", delay = 1)] mood: f64,
}

fn main() {}
