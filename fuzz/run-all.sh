#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 10), JOBS targets at a time (default 1),
# and prints exec/s and coverage.
#
#   fuzz/run-all.sh 60
#   fuzz/run-all.sh 600 3     # the 10-minute campaign, three targets at a time
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`); without them it says
# so and exits 0, so that CI without them passes. New inputs go to a scratch corpus, not to the
# committed seeds in fuzz/corpus/; crashes go to fuzz/artifacts/<target>/ and fail the run.
set -euo pipefail
cd "$(dirname "$0")"

seconds="${1:-10}"
jobs="${2:-1}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ] || ! [[ "$jobs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 SECONDS [JOBS]" >&2
  exit 2
fi
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "run-all.sh: no nightly toolchain (rustup toolchain install nightly); not fuzzing"
  exit 0
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "run-all.sh: cargo-fuzz is not installed (cargo install cargo-fuzz); not fuzzing"
  exit 0
fi

targets=$(cargo +nightly fuzz list)
cargo +nightly fuzz build

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Runs one target; writes its summary line to $scratch/<target>.result.
run_one() {
  local target="$1" result line cov ft execs rate
  local log="$scratch/$target.log"
  mkdir -p "$scratch/$target"
  echo "== $target (${seconds}s)"
  if cargo +nightly fuzz run "$target" "$scratch/$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    result=ok
  else
    result=FAILED
    tail -n 40 "$log"
  fi
  # The last status line of libFuzzer: "#N DONE cov: C ft: F corp: ... exec/s: E rss: ..."
  line=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$line")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$line")
  execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -n 1)
  rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log" | tail -n 1)
  printf '%-20s %-7s %12s %10s %8s %8s\n' "$target" "$result" "${execs:-?}" "${rate:-?}" \
    "${cov:-?}" "${ft:-?}" >"$scratch/$target.result"
}
export -f run_one
export scratch seconds

# shellcheck disable=SC2086
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}

echo
printf '%-20s %-7s %12s %10s %8s %8s\n' target result execs exec/s cov ft
status=0
for target in $targets; do
  cat "$scratch/$target.result"
  grep -q ' ok ' "$scratch/$target.result" || status=1
done
exit "$status"
