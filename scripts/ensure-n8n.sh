#!/usr/bin/env bash
# Installs a pinned n8n into the cache folder, once. Prints the folder that holds it.
# Facts behind the recipe (see DESIGN.md, "Toolchain facts"):
#   - n8n 2.40.x needs the linkedom override: a newer linkedom wants a package the registry lacks;
#   - it installs with --ignore-scripts, after which only sqlite3's native binding needs a rebuild.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/toolchain.sh"
hitl_ensure_node

N8N_VERSION="${HITL_N8N_VERSION:-2.40.7}"
dir="$HITL_CACHE/n8n-$N8N_VERSION"
# Several test files (or several checkouts) may ask at once: one installs, the others wait for it
# on a lock, then find it installed. Without the lock each `rm -rf`s the other's half-done install.
exec 8>"$HITL_CACHE/n8n-$N8N_VERSION.lock"
flock 8
if [ ! -f "$dir/.installed" ]; then
  hitl_log "installing n8n $N8N_VERSION into $dir (first run only: several minutes, ~3 GB)"
  rm -rf "$dir" && mkdir -p "$dir"
  cat >"$dir/package.json" <<JSON
{ "name": "hitl-n8n-runtime", "private": true,
  "dependencies": { "n8n": "$N8N_VERSION" },
  "overrides": { "linkedom": "0.18.13" } }
JSON
  (cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >"$dir/install.log" 2>&1) \
    || { tail -50 "$dir/install.log" >&2; exit 1; }
  (cd "$dir" && npm rebuild sqlite3 >>"$dir/install.log" 2>&1) \
    || { tail -50 "$dir/install.log" >&2; exit 1; }
  touch "$dir/.installed"
fi
echo "$dir"
