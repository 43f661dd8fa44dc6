#!/usr/bin/env bash
# Packs this package (npm pack: exactly what npm publishes) and installs the tarball where n8n
# loads community packages: <n8n user folder>/.n8n/nodes, with --ignore-scripts as n8n does.
# Usage: scripts/install-package.sh <n8n user folder>     (run `npm run build` first)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$here/toolchain.sh"
hitl_ensure_node

user_folder="${1:?usage: install-package.sh <n8n user folder>}"
nodes_dir="$user_folder/.n8n/nodes"
mkdir -p "$nodes_dir"

pack_dir="$(mktemp -d)"
trap 'rm -rf "$pack_dir"' EXIT
tarball="$(cd "$root" && npm pack --silent --pack-destination "$pack_dir" 2>/dev/null | tail -n 1)"
[ -f "$nodes_dir/package.json" ] || echo '{ "name": "installed-nodes", "private": true }' >"$nodes_dir/package.json"
(cd "$nodes_dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error --prefer-offline \
  "$pack_dir/$tarball" >/dev/null)
hitl_log "installed $tarball into $nodes_dir"
