#!/usr/bin/env bash
# Memory and speed of typed generation: streams a 10M-cell derived struct
# through `T::iter` (examples/derive_iter.rs) at 1M and 10M cells and prints
# rows/s and peak RSS. Peak memory should not grow with the cell count.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plotsim-target}"
cargo build -q --release --locked --example derive_iter
bin="$CARGO_TARGET_DIR/release/examples/derive_iter"
for scale in 0.1 1; do
    if command -v /usr/bin/time >/dev/null; then
        /usr/bin/time -f "  (time: %e s wall, %M KB max RSS)" "$bin" "$scale"
    else
        "$bin" "$scale"
    fi
done
