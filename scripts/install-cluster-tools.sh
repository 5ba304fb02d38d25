#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries and HAProxy are installed, for the cluster tests (`npm test`) and the
# cluster demo (`npm run cluster-demo`).
#   - both present: nothing to do;
#   - Debian/Ubuntu as root (or with password-less sudo, as on CI runners): installs the distribution's
#     `postgresql` and `haproxy` packages, running `apt-get update` only when the package index does not know them;
#   - anything else: prints how to install them and exits 1.
# Watchpost runs its own private PostgreSQL (initdb into a temporary directory, on a loopback port) and its own
# HAProxy (a generated configuration in the foreground), so the packages' services are not started
# (no_service_starts in lib/debian-root.sh).
set -euo pipefail

have_postgres() { compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; }
have_haproxy() { command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ]; }

packages=()
have_postgres || packages+=(postgresql)
have_haproxy || packages+=(haproxy)
if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

explain() {
  cat >&2 <<EOT
Missing for the cluster tests and demo: ${packages[*]}.
  Debian/Ubuntu: sudo apt-get install ${packages[*]}   (or: sudo bash scripts/install-cluster-tools.sh)
EOT
  exit 1
}

# shellcheck source=lib/debian-root.sh
. "$(dirname "$0")/lib/debian-root.sh"
as_debian_root "$@"

export DEBIAN_FRONTEND=noninteractive
update_index_for "${packages[@]}"
no_service_starts

echo "installing for the cluster tests and demo: ${packages[*]}"
apt-get install -y -q --no-install-recommends "${packages[@]}"
have_postgres || { echo "postgresql was installed but /usr/lib/postgresql/*/bin/postgres is missing" >&2; exit 1; }
have_haproxy || { echo "haproxy was installed but is not on PATH" >&2; exit 1; }
