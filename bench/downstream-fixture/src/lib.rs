//! A shop fixture: 42 shops x 24 months (1,008 rows), three connections.

/// One shop-month.
#[derive(plotsim::Generator, Debug, Clone)]
#[plotsim(
    unit = "shop",
    window(start = "2023-01", end = "2024-12", every = "monthly"),
    seed = 11
)]
#[segments(
    growing(count = 18, archetype = "growth"),
    steady(count = 14, archetype = "flat"),
    fading(count = 10, archetype = "flat > decline @ 12")
)]
#[connections(
    "revenue driven_by visits",
    "conversion related visits",
    "returns opposes conversion"
)]
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
