#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-12"))]
#[segment(name = "all", count = 5, archetype = "growth")]
#[connection("engagement drivn_by visits")]
struct Row {
    #[entity] shop: String,
    #[period] month: plotsim::Period,
    #[metric(type = "score", polarity = "positive")] engagement: f64,
    #[metric(type = "count", polarity = "positive")] visits: u32,
}

fn main() {}
