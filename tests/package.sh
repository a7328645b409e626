#!/usr/bin/env bash
# The ways people install okx-monitor, tried as they would be (as root, on
# Debian; called by tests/run.sh):
#  1. the Debian package: built, inspected (files, conffiles, the unit's keys,
#     systemd-analyze verify), installed, its unit's exact ExecStart run as an
#     unprivileged user inside a network namespace of its own (/healthz 200),
#     the built-in checks validated, then removed (history and configuration
#     kept) and purged (both gone): the machine is left as it was;
#  2. cargo install --path . --root <tmp>: the binary, run from an empty
#     directory, validates the built-in checks, dumps them, refuses a second
#     dump, and runs the daemon inside `unshare -n` until SIGTERM, exit 0.
# Nothing here sends a packet off this machine: every daemon runs in a
# network namespace that has only its loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
fail() { echo "package test: $*" >&2; exit 1; }
# A machine that has okx-monitor installed already is left alone: its
# configuration and history are someone's.
if dpkg -s okx-monitor >/dev/null 2>&1 || [ -e /etc/okx-monitor ] || [ -e /var/lib/okx-monitor ]; then
  fail "okx-monitor is installed on this machine (or its /etc or /var/lib directory is there); the package test would replace it"
fi
work=$(mktemp -d)
# The daemon runs as nobody, who must reach its directories below.
chmod 0755 "$work"
installed=
cleanup() {
  # Only what this test installed is purged.
  if [ -n "$installed" ]; then dpkg -P okx-monitor >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Runs "$@" as a daemon as user nobody inside a fresh network namespace,
# checks /healthz on $PORT, stops it with SIGTERM and wants exit 0.
run_isolated() {
  local port=$1; shift
  unshare -n bash -c '
    set -e
    ip link set lo up
    setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@" >"'"$work"'/daemon.log" 2>&1 &
    pid=$!
    status=$(PORT='"$port"' bash -c '"'"'for i in $(seq 1 100); do
      if { exec 3<>/dev/tcp/127.0.0.1/$PORT; } 2>/dev/null; then
        printf "GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n" >&3; head -1 <&3; exit 0; fi
      sleep 0.1; done; exit 1'"'"') || { kill -9 $pid; echo "no answer on /healthz" >&2; exit 1; }
    case "$status" in *" 200"*) ;; *) kill -9 $pid; echo "/healthz: $status" >&2; exit 1;; esac
    kill -TERM $pid
    wait $pid
  ' run_isolated "$@" || { cat "$work/daemon.log" >&2; fail "the daemon ($*) did not serve /healthz and stop cleanly"; }
}

echo "== Debian package"
started=$(date +%s%N)
deb=$(bash packaging/build-deb.sh)
built=$(( ($(date +%s%N) - started) / 1000000 ))
echo "built $deb ($(du -h "$deb" | cut -f1)) in ${built} ms"
files=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/okx-monitor ./etc/okx-monitor/okx.toml ./etc/okx-monitor/control.toml \
         ./etc/okx-monitor/settings.toml ./lib/systemd/system/okx-monitor.service \
         ./usr/share/doc/okx-monitor/README.md ./usr/share/doc/okx-monitor/copyright; do
  grep -qx "$f" <<<"$files" || fail "the package lacks $f"
done
conffiles=$(dpkg-deb -I "$deb" conffiles)
for f in /etc/okx-monitor/okx.toml /etc/okx-monitor/control.toml /etc/okx-monitor/settings.toml; do
  grep -qx "$f" <<<"$conffiles" || fail "$f is not a conffile"
done
unit=packaging/okx-monitor.service
for key in 'DynamicUser=yes' 'StateDirectory=okx-monitor' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
           'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' 'CapabilityBoundingSet=' \
           'SystemCallFilter=@system-service' 'ExecReload=/bin/kill -HUP $MAINPID'; do
  grep -qxF "$key" "$unit" || fail "the unit lacks $key"
done
grep -q '^RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK$' "$unit" || fail "RestrictAddressFamilies"

started=$(date +%s%N)
installed=yes
dpkg -i "$deb" >/dev/null
echo "installed in $(( ($(date +%s%N) - started) / 1000000 )) ms"
verify=$(systemd-analyze verify /lib/systemd/system/okx-monitor.service 2>&1 || true)
[ -z "$verify" ] || fail "systemd-analyze verify: $verify"
echo "systemd-analyze verify: clean"

# The unit's exact ExecStart, its state directory a fresh one owned by nobody.
exec_start=$(sed -n 's/^ExecStart=//p' /lib/systemd/system/okx-monitor.service)
state="$work/state"; mkdir -p "$state"; chown nobody:nogroup "$state"
cmd=${exec_start//'${STATE_DIRECTORY}'/$state}
# shellcheck disable=SC2086 # the unit's words, split as systemd splits them
run_isolated 9786 $cmd
[ -s "$state/okx-monitor.db" ] || fail "the daemon kept no database in its state directory"
grep -q 'config=/etc/okx-monitor' "$work/daemon.log" || fail "the start-up log names no configuration"
empty="$work/empty"; mkdir -p "$empty"; chown nobody:nogroup "$empty"
(cd "$empty" && setpriv --reuid=nobody --regid=nogroup --clear-groups -- okx-monitor --lang en validate) >"$work/validate.txt"
grep -q 'read from the built-in checks' "$work/validate.txt" || fail "validate did not read the built-in checks"
grep -q '^live-chat ' "$work/validate.txt" || fail "validate lists no live-chat"
echo "ExecStart as nobody: /healthz 200, SIGTERM exit 0; validate: the built-in checks"

dpkg -r okx-monitor >/dev/null
[ -e /usr/bin/okx-monitor ] && fail "removal left the binary"
[ -f /etc/okx-monitor/okx.toml ] || fail "removal took the configuration"
mkdir -p /var/lib/okx-monitor && touch /var/lib/okx-monitor/okx-monitor.db
dpkg -r okx-monitor >/dev/null 2>&1 || true
[ -e /var/lib/okx-monitor/okx-monitor.db ] || fail "removal took the history"
dpkg -P okx-monitor >/dev/null
[ -e /etc/okx-monitor ] && fail "purging left /etc/okx-monitor"
[ -e /var/lib/okx-monitor ] && fail "purging left the history"
dpkg -s okx-monitor >/dev/null 2>&1 && fail "the package is still known to dpkg"
installed=
echo "removed (configuration and history kept), purged (both gone)"

echo "== cargo install"
root="$work/cargo"
started=$(date +%s%N)
CARGO_TARGET_DIR="$repo/target" cargo install --quiet --locked --path . --root "$root"
echo "cargo install in $(( ($(date +%s%N) - started) / 1000000 )) ms"
bin="$root/bin/okx-monitor"
echo "installed binary: $(stat -c %s "$bin") bytes"
home="$work/home"; mkdir -p "$home"; chown nobody:nogroup "$home"
as_nobody() { (cd "$home" && setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$bin" --lang en "$@"); }
as_nobody validate >"$work/v.txt" || fail "validate from an empty directory"
grep -q 'read from the built-in checks' "$work/v.txt" || fail "validate did not read the built-in checks"
as_nobody config dump mine >/dev/null || fail "config dump"
[ -f "$home/mine/okx.toml" ] || fail "config dump wrote no okx.toml"
code=0; as_nobody config dump mine >/dev/null 2>&1 || code=$?
[ "$code" = 2 ] || fail "a second dump over the same files exited $code, not 2"
chmod 0755 "$home"
(cd "$home" && run_isolated 9786 "$bin" run --db "$home/h.db")
echo "cargo install: validate, dump, refused second dump, daemon until SIGTERM: ok"
