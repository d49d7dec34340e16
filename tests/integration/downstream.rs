//! `bench/downstream-fixture`, the fixture crate a downstream user writes:
//! its own workspace (so the default, unoptimised dev profile, none of this
//! workspace's overrides), lean features (`derive`, `proptest`), no lint
//! allows. Its tests (a generate and a 64-case `panels::<T>()` property
//! test) must pass, and so must clippy with `-D warnings -W
//! clippy::pedantic`. `bench/downstream.sh` times the same crate.

use std::path::PathBuf;
use std::process::Command;

/// Runs `cargo <args>` in the fixture crate with its own target dir, and
/// fails with cargo's output when it fails.
fn cargo_in_fixture(args: &[&str]) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("downstream-fixture");
    let out = Command::new(env!("CARGO"))
        .args(args)
        .current_dir(root.join("bench/downstream-fixture"))
        .env("CARGO_TARGET_DIR", &target)
        // The outer test run's settings are not the downstream user's.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {} in bench/downstream-fixture failed:\n{}\n{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_downstream_fixture_crate_passes_its_tests_and_pedantic_clippy() {
    cargo_in_fixture(&["test", "--locked", "-q"]);
    cargo_in_fixture(&[
        "clippy",
        "--locked",
        "-q",
        "--all-targets",
        "--",
        "-D",
        "warnings",
        "-W",
        "clippy::pedantic",
    ]);
}
