//! Generated code under strict lints, next to user items that shadow common
//! names, with raw-identifier fields and every connection form.
#![deny(warnings, missing_docs, unreachable_pub, unused_qualifications)]
#![forbid(unsafe_code)]
//! A test crate.

#[allow(non_upper_case_globals, dead_code)]
const cell: u8 = 0;
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct Vec;
#[allow(dead_code)]
struct Config;
#[allow(dead_code)]
struct Generator;

/// Shops.
#[derive(plotsim::Generator)]
#[plotsim(unit = "shop", window(start = "2024-01", end = "2024-06"), noise(mcar_rate = 0.1))]
#[segment(name = "a", count = 3, archetype = "growth", seasonal_sensitivity = -0.0)]
#[connection("type", 0.3, "cell")]
#[connection("cell", "opposes", "loop")]
pub struct Row {
    /// Key.
    #[entity]
    pub shop: String,
    /// Period.
    #[period]
    pub month: plotsim::Period,
    /// Metric named with a keyword.
    #[metric(type = "score", polarity = "positive")]
    pub r#type: core::option::Option<f64>,
    /// Metric named like our parameter.
    #[metric(type = "count", polarity = "negative")]
    pub cell: core::option::Option<u8>,
    /// Another keyword.
    #[metric(type = "index", polarity = "positive", range = [-1, 1])]
    pub r#loop: core::option::Option<f32>,
}

fn main() {
    let rows = Row::generate(2);
    assert_eq!(rows.len(), 3 * 6);
    assert!(rows.iter().any(|r| r.r#type.is_none() || r.cell.is_none() || r.r#loop.is_none()));
    assert_eq!(Row::config().metrics[0].name, "type");
    assert!(Row::config().segments[0].seasonal_sensitivity.is_sign_negative());
    let _ = (&rows[0].shop, rows[0].month, cell);
}
