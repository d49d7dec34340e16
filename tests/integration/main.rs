//! End-to-end tests of the `plotsim` binary and the bundled templates.

mod cli; // the CLI contract: output text, exit codes, files written
mod templates; // every template validates, round-trips and matches its description
