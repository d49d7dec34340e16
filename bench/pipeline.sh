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
#   RUNS=5 bench/pipeline.sh     # the fastest of 5 runs per case (default 3)
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/plotsim-target}"
cargo build --release --locked -q --bin plotsim
bin="$CARGO_TARGET_DIR/release/plotsim"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# label|per-segment count|formats|threads|runs (the fastest is reported: the
# VM's speed wanders from run to run, and a slower run measures the
# neighbours, not plotsim)
runs="${RUNS:-3}"
cases=(
  "10M|715|csv parquet|2|$runs"
  "100M|7150|csv parquet|1 2|$runs"
)
[ -n "${SKIP_1B:-}" ] || cases+=("1B|71500|parquet|2|1")

echo "| values | format | threads | wall (s) | values/s (M) | ns/value | CPU ns/value (user + sys) | peak RSS (MB) |"
echo "|---|---|---|---|---|---|---|---|"
for c in "${cases[@]}"; do
  IFS='|' read -r label count formats threads n <<<"$c"
  cfg="$work/$label.yaml"
  sed "s/count: 5000/count: $count/" bench/bench_10m.yaml >"$cfg"
  values=$((count * 20 * 100 * 7))
  for f in $formats; do
    for t in $threads; do
      best=""
      for _ in $(seq "$n"); do
        rm -rf "$work/out"
        # The previous run's files are flushed first, so the kernel's
        # writeback of them does not take this run's cores.
        sync
        /usr/bin/time -v "$bin" run "$cfg" -o "$work/out" --format "$f" --threads "$t" \
          --allow-large-dataset --quiet 2>"$work/time.txt" >/dev/null
        wall=$(grep 'Elapsed (wall clock)' "$work/time.txt" | awk '{print $NF}' |
          awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
        rss=$(grep 'Maximum resident set size' "$work/time.txt" | awk '{print $NF}')
        cpu=$(awk -F': ' '/User time|System time/ { s += $2 } END { print s }' "$work/time.txt")
        if [ -z "$best" ] || awk -v a="$wall" -v b="$best" 'BEGIN { exit !(a < b) }'; then
          best=$wall
          best_rss=$rss
          best_cpu=$cpu
        fi
      done
      awk -v v="$values" -v w="$best" -v c="$best_cpu" -v r="$best_rss" -v l="$label" -v f="$f" -v t="$t" \
        'BEGIN { printf "| %s (%d) | %s | %s | %.2f | %.1f | %.1f | %.1f | %d |\n", l, v, f, t, w, v/w/1e6, w*1e9/v*t, c*1e9/v, r/1024 }'
    done
  done
done
echo
echo "ns/value is wall time x threads / values (the cost per value when the cores are busy); CPU"
echo "ns/value is the process's own user + system time per value (files past 64 MiB are written"
echo "direct, so the kernel's writeback of them is in it; of smaller files it is not);"
echo "wall is the fastest of $runs runs (the 1B run: one), with that run's peak RSS."
