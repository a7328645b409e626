#!/usr/bin/env bash
# Runs every test of okx-monitor on a fresh Debian machine: installs the real
# servers the tests start (only when missing), then formatting, lints and tests.
# Needs root for the installs and for the full-disk test's tmpfs (as on CI);
# non-interactive. Besides Rust (with rustfmt and clippy) the tests use
# dnsmasq, aiosmtpd, prometheus and promtool, Debian's chromium (the browser
# kind's tests), mount/umount/dd (always there), script (the README's wait
# example), and for the package test dpkg-deb, systemd-analyze, unshare,
# setpriv and ip.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || need+=(dnsmasq-base)
/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1 || need+=(python3-aiosmtpd)
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
# The package test: systemd-analyze verify, and util-linux's unshare/setpriv
# with iproute2's ip for a network namespace of its own.
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
command -v setpriv >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1 || need+=(util-linux)
# The README's `wait` example runs on a pseudo-terminal from `script`; the
# RSS tests measure a child from a small /usr/bin/python3 parent. Both are in
# every Debian (bsdutils is essential; python3 comes with python3-aiosmtpd),
# checked anyway for a trimmed image.
command -v script >/dev/null 2>&1 || need+=(bsdutils)
[ -x /usr/bin/python3 ] || need+=(python3)
# The incidents test parses the Atom feed with Python's XML parser, which
# python3-minimal alone lacks.
/usr/bin/python3 -c 'import xml.etree.ElementTree' >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "the tests need these Debian packages, and installing them needs root: ${need[*]}" >&2
    exit 1
  fi
  echo "installing test servers: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# rustfmt and clippy come with rustup's default profile; add them when a
# minimal toolchain lacks them.
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  rustup component add rustfmt clippy
fi

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --locked
# The browser leak test, alone: a minute of Chromium load would disturb the
# timing tests above. It prints its peak processes and RSS.
cargo test --locked --test tests -- --ignored --nocapture
# The ways people install it: the Debian package and cargo install, tried and
# removed again (tests/package.sh says what it checks).
bash tests/package.sh
