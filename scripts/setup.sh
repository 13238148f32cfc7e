#!/usr/bin/env bash
# Everything a fresh machine (Debian, Node 20, root, only npm and apt reachable) needs
# before `npm test`: the npm packages, and what the end-to-end tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."

npm ci --no-audit --no-fund
