#!/usr/bin/env bash
# The main job (README: `npm start`): a local n8n with this package loaded, on n8n's default
# embedded SQLite store, with the template flows imported once. Open http://localhost:5678.
#
#   HITL_PORT=5678                    port to serve on
#   HITL_N8N_USER_FOLDER=.n8n-local   where n8n keeps its database, settings and the package
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$here/toolchain.sh"
hitl_ensure_node
hitl_ensure_deps "$root"
cd "$root"
npm run --silent build >/dev/null

n8n_dir="$(bash "$here/ensure-n8n.sh" | tail -n 1)"
n8n=(node "$n8n_dir/node_modules/n8n/bin/n8n")
user_folder="$(realpath -m "${HITL_N8N_USER_FOLDER:-$root/.n8n-local}")"
mkdir -p "$user_folder/.n8n"
bash "$here/install-package.sh" "$user_folder"

export N8N_USER_FOLDER="$user_folder"
export N8N_PORT="${HITL_PORT:-5678}"
export N8N_RUNNERS_BROKER_PORT="${N8N_RUNNERS_BROKER_PORT:-$((N8N_PORT + 1))}"  # n8n's own pairing: 5678/5679
export N8N_DIAGNOSTICS_ENABLED="${N8N_DIAGNOSTICS_ENABLED:-false}"
export N8N_VERSION_NOTIFICATIONS_ENABLED="${N8N_VERSION_NOTIFICATIONS_ENABLED:-false}"
export N8N_SECURE_COOKIE="${N8N_SECURE_COOKIE:-false}"   # plain http on localhost

# Import each template once (re-imported when the file changes), so that edits made in the
# editor are not overwritten on every start.
shopt -s nullglob
for template in "$root"/templates/*.json; do
  marker="$user_folder/.n8n/.hitl-template-$(basename "$template" .json)-$(sha256sum "$template" | cut -c1-12)"
  if [ ! -f "$marker" ]; then
    hitl_log "importing template $(basename "$template")"
    "${n8n[@]}" import:workflow --input="$template" >/dev/null
    touch "$marker"
  fi
done

hitl_log "starting n8n $(basename "$n8n_dir" | sed 's/^n8n-//') on http://localhost:$N8N_PORT (user folder $user_folder)"
exec "${n8n[@]}" start
