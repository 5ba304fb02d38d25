#!/usr/bin/env bash
# Makes sure a Chromium is installed for the monthly report's PDF (`npm run demo` prints one; the collector prints
# them for `report --format pdf` and GET /api/v1/reports/...pdf).
#   - already there (chromium, chromium-browser, or WATCHPOST_CHROMIUM): nothing to do;
#   - Debian/Ubuntu as root (or with password-less sudo): installs the distribution's `chromium` package, running
#     `apt-get update` only when the package index does not know it yet;
#   - anything else: prints how to install it and exits 1 (HTML reports need no browser).
set -euo pipefail

if [ -n "${WATCHPOST_CHROMIUM:-}" ] && [ -x "$WATCHPOST_CHROMIUM" ]; then exit 0; fi
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then exit 0; fi

explain() {
  cat >&2 <<'MSG'
Chromium is not installed; the monthly report's PDF is printed by it (HTML reports need nothing).
  Debian/Ubuntu: sudo apt-get install chromium   (or: sudo bash scripts/install-chromium.sh)
  Other systems: install Chromium or Chrome and set WATCHPOST_CHROMIUM to its binary.
MSG
  exit 1
}

# shellcheck source=lib/debian-root.sh
. "$(dirname "$0")/lib/debian-root.sh"
as_debian_root "$@"

export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show chromium >/dev/null 2>&1; then
  apt-get update -q
fi
echo "installing chromium (prints the monthly report's PDF) ..."
apt-get install -y -q --no-install-recommends chromium
