#!/usr/bin/env bash
# Runs the property-based fuzzers (src/fuzz.rs) for a fixed time, in rounds of
# many cases, and prints what ran. Usage: fuzz/run.sh [SECONDS] (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
cargo test --release --lib --no-run -q
end=$(( $(date +%s) + seconds ))
rounds=0
while [ "$(date +%s)" -lt "$end" ]; do
  PROPTEST_CASES=5000 cargo test --release --lib -q fuzz:: >/dev/null
  rounds=$((rounds + 1))
done
echo "fuzz: $rounds rounds × 6 fuzzers × 5000 cases in ${seconds}s, no panic"
