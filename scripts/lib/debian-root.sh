# Sourced by the install scripts (install-influxdb.sh, install-chromium.sh, install-test-tools.sh, install-cluster-tools.sh): what they
# install, they install with apt as root on Debian/Ubuntu. as_debian_root "$@" returns as root there, re-running
# the calling script through password-less sudo (as on CI runners) when it is not root; anywhere else, or without
# root, it calls the caller's explain, which says what to install and exits 1.
as_debian_root() {
  [ -f /etc/debian_version ] || explain
  if [ "$EUID" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      exec sudo -n bash "$0" "$@"
    fi
    explain
  fi
}

# Watchpost runs its own instances of the servers it installs (influxd, PostgreSQL, HAProxy: each on a loopback port
# of its choosing), so the packages' services are not wanted. no_service_starts puts a temporary policy-rc.d in
# place (the Debian mechanism for "do not start services from maintainer scripts") until the calling script exits,
# on systemd machines as well as in containers; one the machine already has is left alone.
no_service_starts() {
  local policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
}

# apt-get update, only when the package index does not know one of the packages given yet.
update_index_for() {
  for package in "$@"; do
    if ! apt-cache show "$package" >/dev/null 2>&1; then
      apt-get update -q
      return
    fi
  done
}
