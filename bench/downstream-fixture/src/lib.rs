//! A shop fixture: 42 shops x 24 months (1,008 rows), three connections.

/// One shop-month.
#[derive(plotsim::Generator, Debug, Clone)]
#[plotsim(
    unit = "shop",
    window(start = "2023-01", end = "2024-12", every = "monthly"),
    seed = 11
)]
#[segment(name = "growing", count = 18, archetype = "growth")]
#[segment(name = "steady", count = 14, archetype = "flat")]
#[segment(name = "fading", count = 10, archetype = "flat > decline @ 12")]
#[connection("revenue driven_by visits")]
#[connection("conversion related visits")]
#[connection("returns opposes conversion")]
pub struct ShopMonth {
    /// The shop.
    #[entity]
    pub shop: String,
    /// The month.
    #[period]
    pub month: plotsim::Period,
    /// Visits.
    #[metric(type = "count", polarity = "positive")]
    pub visits: u32,
    /// Revenue.
    #[metric(type = "amount", polarity = "positive", range = [100, 20000])]
    pub revenue: f64,
    /// Conversion.
    #[metric(type = "score", polarity = "positive")]
    pub conversion: f64,
    /// Returns.
    #[metric(type = "score", polarity = "negative")]
    pub returns: f64,
}
