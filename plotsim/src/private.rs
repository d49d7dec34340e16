//! Support items for the code `#[derive(Generator)]` expands to. Not public
//! API: names here may change in any release.
//!
//! The field traits turn a cell value into the field's type; their
//! `#[diagnostic::on_unimplemented]` messages are the compile errors a user
//! sees for a field of the wrong type.

pub use crate::generator::Cell;
pub use plotsim_config::{
    Config, Connection, ConnectionPair, DecayKernel, Family, Granularity, Metric, MetricType,
    Noise, NoiseFamily, Period, Polarity, SeasonalEffect, Segment, Window,
};

/// What the derive knows about one metric field.
#[derive(Debug, Clone, Copy)]
pub struct MetricField {
    /// The metric's name (the field's name).
    pub name: &'static str,
    /// The declared metric type.
    pub kind: MetricType,
}

/// A config block (arrival, treatment, baseline, attributes, lifecycle,
/// variation, realism, correlation target) from the JSON its serde impl
/// wrote when the derive checked it at compile time.
///
/// # Panics
/// Only if the JSON no longer reads, which would mean the derive and this
/// crate disagree on the model (both are the same release).
pub fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> T {
    match serde_json::from_str(json) {
        Ok(v) => v,
        Err(e) => {
            panic!("plotsim derive: a block checked at compile time does not read ({e}): {json}")
        }
    }
}

/// A distribution-parameter map from `(name, value)` pairs.
pub fn params(pairs: &[(&str, f64)]) -> indexmap::IndexMap<String, f64> {
    pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect()
}

macro_rules! field_trait {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        pub trait $name: Sized {
            /// The field's value from the `i`-th metric of a cell. A type
            /// that cannot hold a null records one in the cell.
            fn from_cell(cell: &Cell<'_>, i: usize) -> Self;
        }
    };
}

field_trait! {
    /// A field that can hold a `score` metric.
    #[diagnostic::on_unimplemented(
        message = "a `score` metric needs a float field, found `{Self}`",
        label = "use `f64` or `f32` (or `Option<f64>` when the noise can null values)",
        note = "scores are fractional values; declare the field as `f64`"
    )]
    ScoreField
}

field_trait! {
    /// A field that can hold an `amount` metric.
    #[diagnostic::on_unimplemented(
        message = "an `amount` metric needs a float field, found `{Self}`",
        label = "use `f64` or `f32` (or `Option<f64>` when the noise can null values)",
        note = "amounts are fractional values; declare the field as `f64`, or use `type = \"count\"` for whole numbers"
    )]
    AmountField
}

field_trait! {
    /// A field that can hold an `index` metric.
    #[diagnostic::on_unimplemented(
        message = "an `index` metric needs a float field, found `{Self}`",
        label = "use `f64` or `f32` (or `Option<f64>` when the noise can null values)",
        note = "index values are fractional; declare the field as `f64`"
    )]
    IndexField
}

field_trait! {
    /// A field that can hold a `count` metric.
    #[diagnostic::on_unimplemented(
        message = "a `count` metric needs an integer field, found `{Self}`",
        label = "use an integer type such as `u32` or `u64` (or `Option<u32>` when the noise can null values)",
        note = "counts are whole non-negative numbers; values beyond the type's maximum saturate"
    )]
    CountField
}

macro_rules! float_fields {
    ($($t:ty),*) => {$(
        impl ScoreField for $t { fn from_cell(c: &Cell<'_>, i: usize) -> Self { c.required(i) as $t } }
        impl AmountField for $t { fn from_cell(c: &Cell<'_>, i: usize) -> Self { c.required(i) as $t } }
        impl IndexField for $t { fn from_cell(c: &Cell<'_>, i: usize) -> Self { c.required(i) as $t } }
        impl ScoreField for Option<$t> { fn from_cell(c: &Cell<'_>, i: usize) -> Self { c.value(i).map(|x| x as $t) } }
        impl AmountField for Option<$t> { fn from_cell(c: &Cell<'_>, i: usize) -> Self { c.value(i).map(|x| x as $t) } }
        impl IndexField for Option<$t> { fn from_cell(c: &Cell<'_>, i: usize) -> Self { c.value(i).map(|x| x as $t) } }
    )*};
}

macro_rules! count_fields {
    ($($t:ty),*) => {$(
        impl CountField for $t { fn from_cell(c: &Cell<'_>, i: usize) -> Self { c.required(i) as $t } }
        impl CountField for Option<$t> { fn from_cell(c: &Cell<'_>, i: usize) -> Self { c.value(i).map(|x| x as $t) } }
    )*};
}

float_fields!(f64, f32);
count_fields!(
    u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize
);

/// A field that can hold the entity's primary key.
#[diagnostic::on_unimplemented(
    message = "an `#[entity]` field must be a `String`, found `{Self}`",
    label = "the entity's primary key (as in `dim_<unit>`, e.g. `c-001`) is text"
)]
pub trait EntityField: Sized {
    /// The field's value from the key.
    fn from_entity(key: &str) -> Self;
}

impl EntityField for String {
    fn from_entity(key: &str) -> Self {
        key.to_owned()
    }
}

/// A field that can hold the period.
#[diagnostic::on_unimplemented(
    message = "a `#[period]` field must be a `plotsim::Period`, found `{Self}`",
    label = "declare the field as `plotsim::Period`"
)]
pub trait PeriodField: Sized {
    /// The field's value from the period.
    fn from_period(p: Period) -> Self;
}

impl PeriodField for Period {
    fn from_period(p: Period) -> Self {
        p
    }
}

/// A field that can hold the segment's name.
#[diagnostic::on_unimplemented(
    message = "a `#[segment_name]` field must be a `String`, found `{Self}`",
    label = "the segment's name is text"
)]
pub trait SegmentField: Sized {
    /// The field's value from the segment name.
    fn from_segment(name: &str) -> Self;
}

impl SegmentField for String {
    fn from_segment(name: &str) -> Self {
        name.to_owned()
    }
}

/// A metric field type that can hold a null.
#[diagnostic::on_unimplemented(
    message = "the noise can null metric values (`mcar_rate` > 0), so this field must be an `Option`, found `{Self}`",
    label = "wrap the type in `Option<…>`",
    note = "the noise presets `slightly_messy`, `realistic` and `dirty` null some values; `perfectly_clean` or a `noise(...)` with `mcar_rate = 0` never does"
)]
pub trait Nullable {}

impl<T> Nullable for Option<T> {}

/// The identity, compiling only when `T` can hold a null.
pub fn nullable<T: Nullable>(v: T) -> T {
    v
}
