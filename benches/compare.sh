#!/usr/bin/env bash
# Every performance ratio of BENCHMARKS.md, each side measured in turn in this
# one run (this machine's speed drifts, so no figure is compared with one taken
# at another time), then the ratio lines together:
#   cpu      CPU per HTTP probe against the Prometheus blackbox exporter and wrk
#            (benches/compare.py; --rate, --seconds and --rounds go to it)
#   status   the year's import against sqlite3's .import; status --window 400d
#            against 28d in three zones (cargo bench --bench status)
#   rss      RSS at 10,000 checks against 100 (cargo bench --bench daemon -- rss)
#   page     a new page query at 1,000 checks against 15 (cargo bench --bench page)
#   browser  a browser probe's CPU against Chromium alone (cargo bench --bench browser -- ratio)
# Installs nginx, prometheus-blackbox-exporter, wrk and sqlite3 when missing
# (Debian packages; root). Chromium is needed for `browser` (Debian's chromium).
# Usage: benches/compare.sh [--only PART]... [--rate N] [--seconds T] [--rounds R]
set -euo pipefail
cd "$(dirname "$0")/.."
parts=()
pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --only) parts+=("$2"); shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done
[ ${#parts[@]} -gt 0 ] || parts=(cpu status rss page browser)
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v prometheus-blackbox-exporter >/dev/null 2>&1 || need+=(prometheus-blackbox-exporter)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
export PATH=$PATH:/usr/sbin
cargo build --release -q
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for part in "${parts[@]}"; do
  echo "== $part"
  case "$part" in
    cpu) /usr/bin/python3 benches/compare.py "${pass[@]}" ;;
    status) cargo bench -q --bench status ;;
    rss) cargo bench -q --bench daemon -- rss ;;
    page) cargo bench -q --bench page ;;
    browser) cargo bench -q --bench browser -- ratio ;;
    *) echo "unknown part: $part (cpu, status, rss, page, browser)" >&2; exit 2 ;;
  esac 2>&1 | tee -a "$out"
done
echo "== every ratio, each beside its reference in this run"
grep -h "goal" "$out"
