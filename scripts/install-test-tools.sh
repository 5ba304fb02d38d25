#!/usr/bin/env bash
# Makes sure the programs the test suite runs for real are installed; `npm test` runs it first (pretest), so the
# README's test command works on a fresh machine by itself.
#   - everything on PATH: prints nothing, exits 0 (a few `command -v`, so every `npm test` pays almost nothing);
#   - Debian/Ubuntu as root (or with password-less sudo, as on CI runners): installs the missing packages, running
#     `apt-get update` only when the package index does not know one of them yet, and InfluxDB through
#     install-influxdb.sh (which keeps the package's own service from starting);
#   - anything else: names what is missing and which package brings it, and exits 1.
# What needs what: influxd (a real InfluxDB per test file), systemd-journal-remote (real journal files for the
# journald event-log probe), systemctl and systemd-analyze (the service install against a scratch root), systemd-notify
# (the agent's keep-alives to systemd's watchdog, received by a python3 stand-in for systemd's socket), curl,
# wget, perl's shasum and openssl (the deployment script and TLS tests), python3 (plistlib reads the launchd plist),
# util-linux's setpriv, last, utmpdump and fallocate, mount and e2fsprogs' mkfs.ext4 (tiny filesystems that fill up),
# chromium (prints the monthly report's PDF) and poppler-utils' pdftotext and pdftoppm (read that PDF back, image its
# page 1), debootstrap, dpkg-dev's dpkg-scanpackages and dpkg-deb (a cached minimal Debian root with a local
# repository of packages built in the test, where the patch run's apt installer runs real apt-get), pwsh, the real PowerShell engine the agent's PowerShell runs in (install-pwsh.sh: a .NET global tool from NuGet), and
# PostgreSQL and HAProxy (install-cluster-tools.sh: the store suite on PostgreSQL, several collectors behind a balancer).
set -euo pipefail
# shellcheck source=lib/debian-root.sh
. "$(dirname "$0")/lib/debian-root.sh"
cd "$(dirname "$0")/.."

# command:package pairs; a path stands for a program that is not on PATH.
TOOLS=(
  /lib/systemd/systemd-journal-remote:systemd-journal-remote
  systemctl:systemd systemd-analyze:systemd journalctl:systemd systemd-notify:systemd
  curl:curl wget:wget shasum:perl openssl:openssl python3:python3
  setpriv:util-linux last:util-linux utmpdump:util-linux fallocate:util-linux
  mount:mount mkfs.ext4:e2fsprogs
  chromium:chromium pdftotext:poppler-utils pdftoppm:poppler-utils
  debootstrap:debootstrap dpkg-scanpackages:dpkg-dev dpkg-deb:dpkg chroot:coreutils
)

present() {
  case "$1" in
    /*) [ -x "$1" ] || [ -x "/usr$1" ] ;;
    *) command -v "$1" >/dev/null 2>&1 || [ -x "/sbin/$1" ] || [ -x "/usr/sbin/$1" ] ;;
  esac
}

missing=()
for pair in "${TOOLS[@]}"; do
  present "${pair%%:*}" || missing+=("${pair##*:}")
done
need_influx=0
command -v influxd >/dev/null 2>&1 || need_influx=1
# pwsh is a per-user .NET tool, installed without root: before the Debian packages, so a machine that only lacks it
# needs no root at all.
bash scripts/install-pwsh.sh
bash scripts/install-cluster-tools.sh
if [ ${#missing[@]} -eq 0 ] && [ "$need_influx" -eq 0 ]; then
  exit 0
fi
# One package per name, in order.
mapfile -t packages < <(printf '%s\n' "${missing[@]}" | awk 'NF && !seen[$0]++')

explain() {
  {
    echo "The test suite runs these programs for real and some are missing."
    [ "$need_influx" -eq 1 ] && echo "  influxd (InfluxDB 1.x): sudo bash scripts/install-influxdb.sh"
    [ ${#packages[@]} -gt 0 ] && echo "  Debian/Ubuntu packages: sudo apt-get install ${packages[*]}"
    echo "Run npm test as root (or with password-less sudo) on Debian/Ubuntu to have them installed."
  } >&2
  exit 1
}

as_debian_root "$@"

if [ ${#packages[@]} -gt 0 ]; then
  echo "installing what the tests run: ${packages[*]}"
  export DEBIAN_FRONTEND=noninteractive
  update_index_for "${packages[@]}"
  apt-get install -y -q --no-install-recommends "${packages[@]}"
fi
if [ "$need_influx" -eq 1 ]; then
  bash scripts/install-influxdb.sh
fi
