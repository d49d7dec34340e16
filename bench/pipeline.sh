#!/usr/bin/env bash
# Pipeline throughput: metric values per second and peak RSS of `plotsim run`
# (release build) for CSV and Parquet at 1 and 2 threads on a config of about
# 100M metric values, and the cost per value at about 10M, 100M and 1B
# values (1B: Parquet only). The configs are bench/bench_10m.yaml (7 metrics,
# 100 months, 20 segments) with every segment's count scaled. Prints a
# Markdown table; numbers go to bench/RESULTS.md by hand.
#
#   bench/pipeline.sh            # all cases
#   SKIP_1B=1 bench/pipeline.sh  # without the 1B run (about 4 GB of Parquet)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plotsim-target}"
cargo build --release --locked -q --bin plotsim
bin="$CARGO_TARGET_DIR/release/plotsim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# label|per-segment count|formats|threads
cases=(
  "10M|715|csv parquet|2"
  "100M|7150|csv parquet|1 2"
)
[ -n "${SKIP_1B:-}" ] || cases+=("1B|71500|parquet|2")

echo "| values | format | threads | wall (s) | values/s (M) | ns/value | peak RSS (MB) |"
echo "|---|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  IFS='|' read -r label count formats threads <<<"$c"
  cfg="$work/$label.yaml"
  sed "s/count: 5000/count: $count/" bench/bench_10m.yaml >"$cfg"
  values=$((count * 20 * 100 * 7))
  for f in $formats; do
    for t in $threads; do
      rm -rf "$work/out"
      /usr/bin/time -v "$bin" run "$cfg" -o "$work/out" --format "$f" --threads "$t" \
        --allow-large-dataset --quiet 2>"$work/time.txt" >/dev/null
      wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}' |
        awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
      rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
      awk -v v="$values" -v w="$wall" -v r="$rss" -v l="$label" -v f="$f" -v t="$t" \
        'BEGIN { printf "| %s (%d) | %s | %s | %.2f | %.1f | %.1f | %d |\n", l, v, f, t, w, v/w/1e6, w*1e9/v*t, r/1024 }'
    done
  done
done
echo
echo "ns/value is wall time x threads / values (CPU cost per value when the cores are busy)."
