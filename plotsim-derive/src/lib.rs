//! The `#[derive(Generator)]` macro of plotsim. Use it through the re-export
//! `plotsim::Generator`, where the attributes are documented; this crate is
//! not meant to be depended on directly.
//!
//! The macro parses the attributes into a typed model (collecting every
//! error), builds the equivalent `plotsim_config::Config`, runs the same
//! `Config::validate` the runtime uses, and maps each error back to the
//! attribute it came from.

#![forbid(unsafe_code)]

mod args;
mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod symbol;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// (The derive is implemented in the `plotsim-derive` crate; use it through
/// this re-export.)
#[proc_macro_derive(
    Generator,
    attributes(
        plotsim,
        segment,
        segments,
        connection,
        connections,
        seasonality,
        entity,
        period,
        segment_name,
        metric
    )
)]
pub fn derive_generator(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand::derive(&input).into()
}
