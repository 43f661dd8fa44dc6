#!/usr/bin/env bash
# The main job (README: `npm start`): a local n8n with this package loaded, on n8n's default
# embedded SQLite store, the template flows imported, an LLM for them (your key, or the demo model)
# and a ready owner login. Ends with three lines: where to open, how to log in, a first ticket.
#
#   OPENAI_API_KEY, OPENAI_BASE_URL,  the LLM the templates use; without a key, the demo model
#   HITL_MODEL                        (canned answers on loopback, scripts/demoModel.mjs)
#   HITL_PORT=5678                    port to serve on
#   HITL_HOST=127.0.0.1               address to listen on (0.0.0.0: every interface)
#   HITL_N8N_USER_FOLDER=.n8n-local   where n8n keeps its database, settings, the package and the
#                                     owner's login (owner-login.json)
#
# Ctrl-C stops everything it started. The steps after the build are in scripts/start.mjs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
source "$here/toolchain.sh"
hitl_ensure_node
hitl_ensure_deps "$root"
cd "$root"
npm run --silent build >/dev/null

n8n_dir="$(bash "$here/ensure-n8n.sh" | tail -n 1)"
user_folder="$(realpath -m "${HITL_N8N_USER_FOLDER:-$root/.n8n-local}")"
mkdir -p "$user_folder/.n8n"
bash "$here/install-package.sh" "$user_folder"

hitl_log "n8n $(basename "$n8n_dir" | sed 's/^n8n-//'), user folder $user_folder"
exec node "$here/start.mjs" "$n8n_dir" "$user_folder"
