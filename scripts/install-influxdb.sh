#!/usr/bin/env bash
# Makes sure `influxd` (InfluxDB 1.x) is on PATH for the tests and `npm run demo`.
#   - already on PATH: nothing to do;
#   - Debian/Ubuntu as root (or with password-less sudo, as on CI runners): installs the distribution's
#     `influxdb` package, running `apt-get update` only when the package index does not know it yet;
#   - anything else: prints how to install it and exits 1.
# Watchpost runs influxd itself (`influxd run -config FILE` on a loopback port of its choosing), so the package's
# own service is not wanted: a temporary policy-rc.d (the Debian mechanism for "do not start services from
# maintainer scripts") keeps the install from starting it, on systemd machines as well as in containers.
set -euo pipefail

if command -v influxd >/dev/null 2>&1; then
  echo "influxd is already installed: $(command -v influxd)"
  exit 0
fi

explain() {
  cat >&2 <<'EOF'
influxd (InfluxDB 1.x) is not installed.
  Debian/Ubuntu: sudo apt-get install influxdb   (or: sudo bash scripts/install-influxdb.sh)
  Other systems: install InfluxDB 1.x from https://portal.influxdata.com/downloads/ and put influxd on PATH.
EOF
  exit 1
}

# shellcheck source=lib/debian-root.sh
. "$(dirname "$0")/lib/debian-root.sh"
as_debian_root "$@"

export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show influxdb >/dev/null 2>&1; then
  apt-get update
fi

policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=1
fi
cleanup() { if [ "$own_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

apt-get install -y --no-install-recommends influxdb

command -v influxd >/dev/null 2>&1 || { echo "influxdb was installed but influxd is not on PATH" >&2; exit 1; }
echo "installed $(influxd version)"
