//! End-to-end tests of the `plotsim` binary and the bundled templates.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers panic on purpose

mod cli; // the CLI contract: output text, exit codes, files written
mod derive; // #[derive(Generator)]: equals the YAML route, determinism, panels
mod downstream; // the fixture crate of bench/: its own workspace, default dev profile
mod manifest; // manifest.json against `plotsim schema --manifest`
mod templates; // every template validates, round-trips and matches its description
