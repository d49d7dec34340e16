#!/usr/bin/env bash
# Builds bench/downstream-fixture (a crate outside the workspace, lean
# features, the default dev profile: no opt-level overrides) and prints what
# a fixture user waits for: the cold build, one `generate` of a 1,008-row
# three-connection fixture, and a 64-case `panels::<T>()` property test.
#
#   bench/downstream.sh
set -euo pipefail
cd "$(dirname "$0")/downstream-fixture"
export CARGO_TARGET_DIR="${DOWNSTREAM_TARGET_DIR:-$HOME/.cache/plotsim-downstream-target}"
start=$(date +%s.%N)
cargo build -q --bin plotsim-fixture-timing
cargo test -q --no-run 2>/dev/null
end=$(date +%s.%N)
printf 'build (dev profile, lean features, target %s): %.1f s\n' "$CARGO_TARGET_DIR" "$(echo "$end - $start" | bc)"
"$CARGO_TARGET_DIR/debug/plotsim-fixture-timing"
start=$(date +%s.%N)
cargo test -q --test panels >/dev/null
end=$(date +%s.%N)
printf 'panels::<ShopMonth>() 64 cases: %.2f s\n' "$(echo "$end - $start" | bc)"
