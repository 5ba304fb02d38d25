# Sourced by the install scripts (install-influxdb.sh, install-chromium.sh, install-test-tools.sh): what they
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
