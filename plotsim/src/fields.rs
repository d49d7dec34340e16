//! The field types a `#[derive(plotsim::Generator)]` struct accepts.
//!
//! Each role and metric type has a trait, implemented for the types its
//! field may have; a field of another type is a compile error on the field's
//! type that names the trait here and what to write instead:
//!
//! | field | trait | types |
//! |---|---|---|
//! | `#[entity]` | [`EntityField`] | `String` |
//! | `#[period]` | [`PeriodField`] | [`Period`] |
//! | `#[segment_name]` | [`SegmentField`] | `String` |
//! | `#[metric(type = "score")]` | [`ScoreField`] | `f64`, `f32` and their `Option`s |
//! | `#[metric(type = "amount")]` | [`AmountField`] | `f64`, `f32` and their `Option`s |
//! | `#[metric(type = "index")]` | [`IndexField`] | `f64`, `f32` and their `Option`s |
//! | `#[metric(type = "count")]` | [`CountField`] | every integer type and its `Option` (saturating) |
//! | a metric when the noise can null values | [`Nullable`] | `Option<T>` |
//!
//! The traits are implemented here for exactly those types; they are not
//! meant to be implemented elsewhere (their methods take the derive's
//! internal cell type).

use crate::generator::Cell;
use plotsim_config::Period;

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
        note = "the field must implement `plotsim::fields::ScoreField` (the module docs list the types that do)",
        note = "scores are fractional values; declare the field as `f64`"
    )]
    ScoreField
}

field_trait! {
    /// A field that can hold an `amount` metric.
    #[diagnostic::on_unimplemented(
        message = "an `amount` metric needs a float field, found `{Self}`",
        label = "use `f64` or `f32` (or `Option<f64>` when the noise can null values)",
        note = "the field must implement `plotsim::fields::AmountField` (the module docs list the types that do)",
        note = "amounts are fractional values; declare the field as `f64`, or use `type = \"count\"` for whole numbers"
    )]
    AmountField
}

field_trait! {
    /// A field that can hold an `index` metric.
    #[diagnostic::on_unimplemented(
        message = "an `index` metric needs a float field, found `{Self}`",
        label = "use `f64` or `f32` (or `Option<f64>` when the noise can null values)",
        note = "the field must implement `plotsim::fields::IndexField` (the module docs list the types that do)",
        note = "index values are fractional; declare the field as `f64`"
    )]
    IndexField
}

field_trait! {
    /// A field that can hold a `count` metric.
    #[diagnostic::on_unimplemented(
        message = "a `count` metric needs an integer field, found `{Self}`",
        label = "use an integer type such as `u32` or `u64` (or `Option<u32>` when the noise can null values)",
        note = "the field must implement `plotsim::fields::CountField` (the module docs list the types that do)",
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
    label = "the entity's primary key (as in `dim_<unit>`, e.g. `c-001`) is text",
    note = "the field must implement `plotsim::fields::EntityField` (the module docs list the types that do)"
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
    label = "declare the field as `plotsim::Period`",
    note = "the field must implement `plotsim::fields::PeriodField` (the module docs list the types that do)"
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
    label = "the segment's name is text",
    note = "the field must implement `plotsim::fields::SegmentField` (the module docs list the types that do)"
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
    note = "the field must implement `plotsim::fields::Nullable` (the module docs list the types that do)",
    note = "the noise presets `slightly_messy`, `realistic` and `dirty` null some values; `perfectly_clean` or a `noise(...)` with `mcar_rate = 0` never does"
)]
pub trait Nullable {}

impl<T> Nullable for Option<T> {}

/// The identity, compiling only when `T` can hold a null (the derive wraps
/// each metric field's value in it when the noise can null values).
pub fn nullable<T: Nullable>(v: T) -> T {
    v
}
