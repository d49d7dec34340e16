#!/usr/bin/env bash
# Builds bench/downstream-fixture (a crate outside the workspace, lean
# features, the default dev profile: no opt-level overrides) and prints what
# a fixture user waits for: the build, one `generate` of a 1,008-row
# three-connection fixture (first call and later calls), and a 64-case
# `panels::<T>()` property test.
#
#   bench/downstream.sh          # reuses its target dir (a warm rebuild)
#   bench/downstream.sh --cold   # also three cold builds, each in a fresh
#                                # target dir: lean features, default
#                                # features, and lean with the profile
#                                # override the README documents (with the
#                                # override's timings)
#
# Timings are printed, never asserted.
set -euo pipefail
cd "$(dirname "$0")/downstream-fixture"

# The override the README documents for larger debug-build runs: the engine
# and the few crates its per-cell loop calls into, optimised.
OVERRIDE=(
  --config 'profile.dev.package.plotsim.opt-level=3'
  --config 'profile.dev.package.libm.opt-level=3'
  --config 'profile.dev.package.chacha20.opt-level=3'
  --config 'profile.dev.package.rand_core.opt-level=3'
)

secs() { echo "$2 - $1" | bc; }

# build LABEL TARGET_DIR FEATURES [cargo --config args...]: builds the
# timing binary and the tests, prints the time and the crates compiled.
build() {
  local label=$1 dir=$2 features=$3
  shift 3
  local start end crates
  start=$(date +%s.%N)
  CARGO_TARGET_DIR=$dir cargo "$@" build -q --features "$features" --bin plotsim-fixture-timing
  CARGO_TARGET_DIR=$dir cargo "$@" test -q --features "$features" --no-run 2>/dev/null
  end=$(date +%s.%N)
  crates=$(find "$dir/debug/deps" -name '*.rmeta' | sed 's/-[0-9a-f]*\.rmeta$//' | sort -u | wc -l)
  printf 'build, %s: %.1f s (%s crates)\n' "$label" "$(secs "$start" "$end")" "$crates"
}

# timings TARGET_DIR FEATURES [cargo --config args...]: one generate (first
# and later calls) and the 64-case property test.
timings() {
  local dir=$1 features=$2
  shift 2
  "$dir/debug/plotsim-fixture-timing"
  local start end
  start=$(date +%s.%N)
  CARGO_TARGET_DIR=$dir cargo "$@" test -q --features "$features" --test panels >/dev/null
  end=$(date +%s.%N)
  printf 'panels::<ShopMonth>() 64 cases: %.2f s\n' "$(secs "$start" "$end")"
}

if [[ "${1:-}" == "--cold" ]]; then
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  echo "== cold builds (fresh target dirs under $scratch)"
  build "cold, lean features (derive, proptest), default dev profile" "$scratch/lean" ""
  timings "$scratch/lean" ""
  rm -rf "$scratch/lean"
  # Default features resolve parquet/arrow into the lock file: keep the
  # committed (lean) one.
  cp Cargo.lock "$scratch/Cargo.lock"
  build "cold, default features (+ parquet), default dev profile" "$scratch/default" plotsim/default
  cp "$scratch/Cargo.lock" Cargo.lock
  rm -rf "$scratch/default"
  build "cold, lean features with the documented profile override" "$scratch/override" "" "${OVERRIDE[@]}"
  timings "$scratch/override" "" "${OVERRIDE[@]}"
  exit 0
fi

dir="${DOWNSTREAM_TARGET_DIR:-$HOME/.cache/plotsim-downstream-target}"
build "lean features, default dev profile, target $dir" "$dir" ""
timings "$dir" ""
