#!/usr/bin/env bash
# Builds the Debian package of okx-monitor with dpkg-deb (in every Debian; no
# other tool): target/debian/okx-monitor_<version>_<arch>.deb. It installs
#   /usr/bin/okx-monitor
#   /etc/okx-monitor/*.toml            the shipped checks, as conffiles (kept on upgrade and removal)
#   /lib/systemd/system/okx-monitor.service
#   /usr/share/doc/okx-monitor/        README, configuration reference, copyright
# The history lives in /var/lib/okx-monitor/ (the unit's StateDirectory):
# removing the package keeps it and the configuration; purging removes both.
#
# Usage: bash packaging/build-deb.sh            (builds the release binary first)
#        OKX_BIN=path bash packaging/build-deb.sh (packages that binary)
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
arch=$(dpkg --print-architecture)
bin=${OKX_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --locked
  bin=target/release/okx-monitor
fi

out=target/debian
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/okx-monitor_${version}_${arch}"
install -D -m 0755 "$bin" "$root/usr/bin/okx-monitor"
for f in checks/*.toml; do
  install -D -m 0644 "$f" "$root/etc/okx-monitor/$(basename "$f")"
done
install -D -m 0644 packaging/okx-monitor.service "$root/lib/systemd/system/okx-monitor.service"
doc="$root/usr/share/doc/okx-monitor"
install -D -m 0644 README.md "$doc/README.md"
install -D -m 0644 README.zh-CN.md "$doc/README.zh-CN.md"
install -D -m 0644 docs/configuration.md "$doc/configuration.md"
cat > "$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: okx-monitor
License: MIT OR Apache-2.0
COPYRIGHT

mkdir -p "$root/DEBIAN"
(cd "$root" && find etc -type f | sed 's|^|/|' | sort) > "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: okx-monitor
Version: $version
Architecture: $arch
Maintainer: okx-monitor developers <okx-monitor@localhost>
Installed-Size: $size
Depends: libc6
Recommends: chromium
Section: net
Priority: optional
Description: is OKX customer support reachable, through which channel, and when?
 okx-monitor probes every OKX support channel (live chat, help center, request
 form, e-mail, social accounts, forums and OKX's own announcements) on a
 schedule, stores every result in SQLite, learns each channel's hour-of-week
 pattern, and serves Prometheus metrics and a status page. Enable it with
 systemctl enable --now okx-monitor.
CONTROL
cat > "$root/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null || true
  # An upgrade restarts a service that was running.
  if [ "$1" = "configure" ] && [ -n "$2" ]; then
    systemctl try-restart okx-monitor.service >/dev/null || true
  fi
fi
POSTINST
cat > "$root/DEBIAN/prerm" <<'PRERM'
#!/bin/sh
set -e
if [ -d /run/systemd/system ] && [ "$1" = "remove" ]; then
  systemctl stop okx-monitor.service >/dev/null || true
fi
PRERM
cat > "$root/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
set -e
if [ "$1" = "purge" ]; then
  # The history (StateDirectory; /var/lib/private/ with DynamicUser) and the
  # configuration directory go with a purge, never with a removal.
  rm -rf /var/lib/okx-monitor /var/lib/private/okx-monitor /etc/okx-monitor
fi
if [ -d /run/systemd/system ]; then
  systemctl daemon-reload >/dev/null || true
fi
POSTRM
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

mkdir -p "$out"
dpkg-deb --root-owner-group --build "$root" "$out/" >/dev/null
echo "$out/okx-monitor_${version}_${arch}.deb"
