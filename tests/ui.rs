//! Compile-time checks of `#[derive(plotsim::Generator)]` (trybuild).
//!
//! `tests/ui/<category>/*.rs` must fail with the pinned `.stderr` text;
//! `tests/ui-pass/*.rs` must compile warning-free and run. The `.stderr`
//! files come from this machine's stable compiler; regenerate them with
//! `TRYBUILD=overwrite cargo test --test ui` and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/**/*.rs");
    t.pass("tests/ui-pass/*.rs");
}
