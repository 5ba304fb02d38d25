#!/usr/bin/env bash
# Makes sure `influxd` (InfluxDB 1.x) is on PATH for the tests and `npm run demo`.
#   - already on PATH: nothing to do;
#   - Debian/Ubuntu as root (or with password-less sudo, as on CI runners): installs the distribution's
#     `influxdb` package, running `apt-get update` only when the package index does not know it yet;
#   - anything else: prints how to install it and exits 1.
# Watchpost runs influxd itself (`influxd run -config FILE` on a loopback port of its choosing), so the package's
# own service is not wanted (no_service_starts in lib/debian-root.sh).
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
update_index_for influxdb
no_service_starts

apt-get install -y --no-install-recommends influxdb

command -v influxd >/dev/null 2>&1 || { echo "influxdb was installed but influxd is not on PATH" >&2; exit 1; }
echo "installed $(influxd version)"
