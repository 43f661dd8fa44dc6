#!/usr/bin/env bash
# A throw-away Redis server for tests (n8n's queue mode), on 127.0.0.1 only, nothing on disk.
#
#   scripts/ensure-redis.sh start [--watch-pid PID]
#       Installs Debian's redis-server with apt-get when no server binary is found, starts a
#       server in a new temp dir on a free port and prints two lines:
#         REDIS_URL=redis://127.0.0.1:<port>
#         REDIS_DIR=<temp dir>
#       With --watch-pid, a watcher stops the server when that process ends (a crashed test run
#       leaves nothing behind).
#   scripts/ensure-redis.sh stop <REDIS_DIR>
#       Stops that server and deletes its dir.
#   scripts/ensure-redis.sh install
#       Only installs the server when missing (for a CI setup step).
#
# No persistence (`--save ''`, no append-only file): the data is thrown away with the dir.
set -euo pipefail
self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

log() { printf '[ensure-redis] %s\n' "$*" >&2; }
source "$(dirname "$self")/test-server-lib.sh"

find_server() {
  local bin
  for bin in "$(command -v redis-server 2>/dev/null || true)" /usr/bin/redis-server /usr/sbin/redis-server; do
    [ -n "$bin" ] && [ -x "$bin" ] && { echo "$bin"; return 0; }
  done
  return 1
}

ensure_installed() { install_once redis-server find_server; }

# Answers PONG only from the server whose pid is in the dir (not some other server on the port).
is_ours() {
  local dir="$1" port="$2" pid
  pid="$(cat "$dir/redis.pid" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  redis-cli -h 127.0.0.1 -p "$port" --no-auth-warning INFO server 2>/dev/null | tr -d '\r' | grep -qx "process_id:$pid"
}

stop_server() {
  local dir="$1" pid
  pid="$(cat "$dir/redis.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  forget_server "$dir"
}

start_server() {
  local watch_pid="" server dir port attempt
  if [ "${1:-}" = "--watch-pid" ]; then watch_pid="${2:?--watch-pid needs a pid}"; fi
  server="$(ensure_installed)"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/hitl-redis.XXXXXX")"
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    rm -f "$dir/redis.pid"
    "$server" --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$dir" \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do
      is_ours "$dir" "$port" && break
      # Gone (the port was taken after all): try another one.
      if [ -f "$dir/redis.pid" ] && ! kill -0 "$(cat "$dir/redis.pid")" 2>/dev/null; then break; fi
      sleep 0.1
    done
    if is_ours "$dir" "$port"; then
      [ -n "$watch_pid" ] && watch_and_stop "$watch_pid" "$dir" "$dir/redis.pid" "$self"
      echo "REDIS_URL=redis://127.0.0.1:$port"
      echo "REDIS_DIR=$dir"
      return 0
    fi
    stop_server_process "$dir"
    log "start on port $port failed (attempt $attempt); retrying on another port"
  done
  tail -20 "$dir/redis.log" >&2 || true
  stop_server "$dir"
  exit 1
}

# Ends a server that did not come up, keeping the dir for the next attempt.
stop_server_process() {
  local pid
  pid="$(cat "$1/redis.pid" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
}

case "${1:-}" in
  start) shift; start_server "$@" ;;
  stop) stop_server "${2:?usage: ensure-redis.sh stop <REDIS_DIR>}" ;;
  install) ensure_installed >/dev/null ;;
  *) echo "usage: $0 start [--watch-pid PID] | stop <REDIS_DIR> | install" >&2; exit 2 ;;
esac
