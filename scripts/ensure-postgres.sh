#!/usr/bin/env bash
# A throw-away PostgreSQL server for tests and benchmarks, on 127.0.0.1 only.
#
#   scripts/ensure-postgres.sh start [--watch-pid PID]
#       Installs Debian's postgresql with apt-get when no server binaries are found, creates a
#       cluster in a new temp dir, starts it on a free port and prints two lines:
#         POSTGRES_URL=postgres://postgres@127.0.0.1:<port>/postgres
#         POSTGRES_DIR=<temp dir>
#       With --watch-pid, a watcher stops the server when that process ends (a crashed test run
#       leaves nothing behind).
#   scripts/ensure-postgres.sh stop <POSTGRES_DIR>
#       Stops that server and deletes its dir.
#   scripts/ensure-postgres.sh install
#       Only installs the server when missing (for a CI setup step).
#
# PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user (the
# Debian package creates it); as any other user it belongs to that user. Trust authentication on
# loopback only; fsync off: the data is thrown away, and tests should not wait on the disk.
set -euo pipefail
self="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")"

log() { printf '[ensure-postgres] %s\n' "$*" >&2; }
source "$(dirname "$self")/test-server-lib.sh"

find_bindir() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

ensure_installed() { install_once postgresql find_bindir; }

# Runs a command as the cluster's owner.
owner_run() {
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

stop_cluster() {
  local dir="$1" bindir
  [ -d "$dir/data" ] || { rm -rf "$dir"; return 0; }
  bindir="$(cat "$dir/bindir" 2>/dev/null || find_bindir)"
  owner_run "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  forget_server "$dir"
}

start_cluster() {
  local watch_pid="" bindir dir port attempt
  if [ "${1:-}" = "--watch-pid" ]; then watch_pid="${2:?--watch-pid needs a pid}"; fi
  bindir="$(ensure_installed)"
  dir="$(mktemp -d "${TMPDIR:-/tmp}/hitl-pg.XXXXXX")"
  chmod 755 "$dir"
  echo "$bindir" >"$dir/bindir"
  [ "$(id -u)" = 0 ] && { id postgres >/dev/null 2>&1 || useradd --system --shell /bin/sh postgres; chown postgres "$dir"; }
  owner_run "$bindir/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; rm -rf "$dir"; exit 1; }
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if owner_run "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
      [ -n "$watch_pid" ] && watch_and_stop "$watch_pid" "$dir" "$dir/data" "$self"
      echo "POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
      echo "POSTGRES_DIR=$dir"
      return 0
    fi
    log "start on port $port failed (attempt $attempt); retrying on another port"
  done
  tail -20 "$dir/server.log" >&2 || true
  stop_cluster "$dir"
  exit 1
}

case "${1:-}" in
  start) shift; start_cluster "$@" ;;
  stop) stop_cluster "${2:?usage: ensure-postgres.sh stop <POSTGRES_DIR>}" ;;
  install) ensure_installed >/dev/null ;;
  *) echo "usage: $0 start [--watch-pid PID] | stop <POSTGRES_DIR> | install" >&2; exit 2 ;;
esac
