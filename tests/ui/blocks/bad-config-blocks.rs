// Mistakes in the config blocks of #[plotsim(...)]: each names its path.
#[derive(plotsim::Generator)]
#[plotsim(
    unit = "shop",
    window(start = "2024-01", end = "2024-12"),
    correlation_target = "within",
    variation(timing = 2, amplitud = 0.2),
    lifecycle(track = "vists", stages(trial = 0.0, active = 0.4))
)]
#[segments(big(count = 5, archetype = "growth"))]
struct Row {
    #[entity] shop: String,
    #[period] month: plotsim::Period,
    #[metric(type = "count", polarity = "positive")] visits: u32,
}

fn main() {}
