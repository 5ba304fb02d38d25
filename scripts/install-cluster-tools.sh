#!/usr/bin/env bash
# Makes sure PostgreSQL's server binaries and HAProxy are installed, for the cluster tests (`npm test`) and the
# cluster demo (`npm run cluster-demo`).
#   - both present: nothing to do;
#   - Debian/Ubuntu as root (or with password-less sudo, as on CI runners): installs the distribution's
#     `postgresql` and `haproxy` packages, running `apt-get update` only when the package index does not know them;
#   - anything else: prints how to install them and exits 1.
# Watchpost runs its own private PostgreSQL (initdb into a temporary directory, on a loopback port) and its own
# HAProxy (a generated configuration in the foreground), so the packages' services are not wanted: a temporary
# policy-rc.d (the Debian mechanism for "do not start services from maintainer scripts") keeps the install from
# starting them, on systemd machines as well as in containers.
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
for package in "${packages[@]}"; do
  if ! apt-cache show "$package" >/dev/null 2>&1; then
    apt-get update -q
    break
  fi
done

policy=/usr/sbin/policy-rc.d
own_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=1
fi
cleanup() { if [ "$own_policy" -eq 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

echo "installing for the cluster tests and demo: ${packages[*]}"
apt-get install -y -q --no-install-recommends "${packages[@]}"
have_postgres || { echo "postgresql was installed but /usr/lib/postgresql/*/bin/postgres is missing" >&2; exit 1; }
have_haproxy || { echo "haproxy was installed but is not on PATH" >&2; exit 1; }
