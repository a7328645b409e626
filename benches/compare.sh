#!/usr/bin/env bash
# okx-monitor side by side with the Prometheus blackbox exporter and wrk (see
# benches/compare.py). Installs nginx, prometheus-blackbox-exporter and wrk
# when missing (Debian packages; root), builds the release binary, and runs.
# Usage: benches/compare.sh [--rate N] [--seconds T] [--rounds R]
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v prometheus-blackbox-exporter >/dev/null 2>&1 || need+=(prometheus-blackbox-exporter)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
PATH=$PATH:/usr/sbin cargo build --release -q
PATH=$PATH:/usr/sbin exec /usr/bin/python3 benches/compare.py "$@"
