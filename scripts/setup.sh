#!/usr/bin/env bash
# Everything a fresh machine (Debian, Node 20, root, only npm and apt reachable) needs
# before `npm test`: the npm packages, then what the end-to-end tests drive (Debian's
# Chromium and build tools, code-server and playwright-core: test/e2e/install.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

# onnxruntime-node (the engine's test oracle) would fetch GPU libraries at install time;
# .npmrc skips that, and so does this, in case npm ignores the project config.
export ONNXRUNTIME_NODE_INSTALL=skip
npm ci --no-audit --no-fund

bash test/e2e/install.sh
