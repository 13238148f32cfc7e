#!/usr/bin/env bash
# Everything the end-to-end tests need that is not a project dependency:
#   1. Debian packages: chromium (driven headless by playwright-core), ripgrep (code-server's
#      search; seeds @vscode/ripgrep's download cache), build tools + libkrb5-dev (code-server's
#      native modules are compiled here), fonts for readable screenshots, and neovim (a
#      second LSP client: test/lsp/neovim.test.ts drives the server from it, headless).
#   2. code-server and playwright-core, from the npm registry, into a cache outside the
#      project (test/e2e/lib/paths.mjs says where; CNN_E2E_TOOLS overrides it).
# Safe to run again: both steps skip what is already there. Needs root for step 1 unless
# the packages are installed already.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
packages=(build-essential python3 pkg-config libkrb5-dev ripgrep chromium fonts-liberation neovim)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" != 0 ]; then
    echo "✗ missing Debian packages: ${missing[*]}" >&2
    echo "  run as root: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  started=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  # dpkg prints a line per package set up (hundreds for chromium): kept in a log, shown on failure
  aptlog=$(mktemp)
  if ! { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } > "$aptlog" 2>&1; then
    cat "$aptlog" >&2
    echo "✗ apt-get install ${missing[*]} failed" >&2
    exit 1
  fi
  rm -f "$aptlog"
  echo "apt: installed ${missing[*]} in $((SECONDS - started)) s"
fi

node "$here/install-tools.mjs" "$@"
