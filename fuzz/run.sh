#!/bin/sh
# Runs every fuzz target for FUZZ_SECONDS seconds each (from the vectors' seeds and the corpus of earlier runs)
# and prints executions and crashes per target. Exits 1 when a target crashed (its input is under
# fuzz/artifacts/<target>/). Called by `make fuzz`; needs cargo-fuzz (installed into target/tools by make).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CARGO_FUZZ=${CARGO_FUZZ:-$ROOT/target/tools/bin/cargo-fuzz}
SECONDS_EACH=${FUZZ_SECONDS:-60}
WORK=$ROOT/target/fuzz
TARGETS="velneo_response wedos_response wedos_notification emulator_velneo_request emulator_wedos_request gateway_request"
export RUSTC_BOOTSTRAP=1   # cargo-fuzz's flags are nightly-only; the machine's one toolchain is stable

python3 "$ROOT/fuzz/seeds.py" "$WORK/seeds" || exit 2
cd "$ROOT/fuzz" || exit 2
# No sanitizer: the code under test is safe Rust; a panic (any failed assertion, overflow in debug assertions,
# out-of-bounds index) is the crash looked for, and the runs are several times faster.
"$CARGO_FUZZ" build -s none --target-dir "$WORK" || exit 2
total=0
crashed=0
printf '%-26s %14s %8s\n' target executions crashes
for t in $TARGETS; do
  mkdir -p "$WORK/corpus/$t"
  log="$WORK/$t.log"
  "$CARGO_FUZZ" run -s none --target-dir "$WORK" "$t" "$WORK/corpus/$t" "$WORK/seeds/$t" -- \
    -max_total_time="$SECONDS_EACH" -print_final_stats=1 > "$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  runs=${runs:-0}
  crashes=$(ls "$ROOT/fuzz/artifacts/$t" 2>/dev/null | grep -c '^crash-' || true)
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes=1; fi
  printf '%-26s %14s %8s\n' "$t" "$runs" "$crashes"
  total=$((total + runs))
  crashed=$((crashed + crashes))
done
printf '%-26s %14s %8s\n' total "$total" "$crashed"
[ "$crashed" -eq 0 ]
