#!/usr/bin/env bash
# Makes sure a real PowerShell engine (pwsh) is there for the tests that run the agent's PowerShell: the worker's
# framing, every shipped script's parse and its run on captured objects. pwsh comes from NuGet as the .NET global
# tool `PowerShell`, pinned to 7.6.10 (7.7.0, NuGet's default, does not install on the build machines); it lands in
# ~/.dotnet/tools, which tests look in (test/helpers/pwsh.ts), so PATH need not change. Needs the .NET SDK (dotnet)
# and NuGet; without them it says so and exits 1. Prints nothing when pwsh is already there.
set -euo pipefail
PWSH_VERSION=7.6.10
TOOLS_DIR="${HOME}/.dotnet/tools"

if command -v pwsh >/dev/null 2>&1 || [ -x "$TOOLS_DIR/pwsh" ]; then
  exit 0
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "The test suite runs the agent's PowerShell in pwsh, which is not installed, and installing it needs the .NET SDK:" >&2
  echo "  install the .NET SDK, then: dotnet tool install --global PowerShell --version $PWSH_VERSION" >&2
  exit 1
fi
echo "installing pwsh $PWSH_VERSION (dotnet tool PowerShell) for the PowerShell tests"
# Already installed in another version (say 7.7.0 half-installed): replace it with the pinned one.
if dotnet tool list --global 2>/dev/null | awk 'NR > 2 { print $1 }' | grep -qx powershell; then
  dotnet tool uninstall --global PowerShell >/dev/null
fi
dotnet tool install --global PowerShell --version "$PWSH_VERSION"
"$TOOLS_DIR/pwsh" -NoLogo -NoProfile -NonInteractive -Command '$PSVersionTable.PSVersion.ToString()' >/dev/null
