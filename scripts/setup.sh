#!/usr/bin/env bash
# Everything a fresh machine (Debian, Node 20, root, only npm and apt reachable) needs
# before `npm test`: Debian's Chromium (the run view's page test and the end-to-end
# tests drive it), the npm packages, and what the end-to-end tests run.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(chromium fonts-liberation)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: please install ${missing[*]} (apt), or run this script as root" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# onnxruntime-node (the engine's test oracle) would fetch GPU libraries at install time;
# .npmrc skips that, and so does this, in case npm ignores the project config.
export ONNXRUNTIME_NODE_INSTALL=skip
npm ci --no-audit --no-fund
