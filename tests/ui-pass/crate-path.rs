//! `#[plotsim(crate = "...")]` for a re-exported or renamed plotsim.
#![deny(warnings)]

mod deps {
    pub use plotsim as engine;
}

#[derive(deps::engine::Generator)]
#[plotsim(crate = "crate::deps::engine", unit = "shop", window(start = "2024-01", end = "2024-03"))]
#[segment(name = "all", count = 3, archetype = "flat")]
struct Row {
    #[entity] shop: String,
    #[period] month: deps::engine::Period,
    #[metric(type = "count", polarity = "positive")] orders: u64,
}

fn main() {
    let rows = Row::generate(1);
    assert_eq!(rows.len(), 9);
    let _ = (&rows[0].shop, rows[0].month, rows[0].orders);
}
