#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-12"), sede = 3)]
#[segment(name = "all", count = 5, archetype = "growht")]
struct Row {
    #[entity] shop: String,
    #[period] month: plotsim::Period,
    #[metric(type = "amout", polarity = "positive")] sales: f64,
    #[metric(type = "count", polarity = "positive", range = [-1, 9])] visits: u32,
    #[metric(type = "score", polarity = "positive", follows = "nothing", delay = 1)] mood: f64,
    #[metric(type = "amount", polarity = "negative", range = [1, 5])] cost: u32,
}

fn main() {
    let _ = Row::generate(1);
}
