#!/usr/bin/env bash
# Sourced by scripts/ensure-postgres.sh and scripts/ensure-redis.sh: what a throw-away test server
# needs besides its own start and stop — installing its Debian package once, finding a free port,
# and a watcher that stops the server when the test process that asked for it ends.
# The sourcing script defines `log`.

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
    log "need root (or sudo) to install: $*"; return 1; fi
}

# install_once PACKAGE FIND_COMMAND: prints what FIND_COMMAND finds, installing PACKAGE with apt-get
# first when it finds nothing. Test files start servers in parallel: one installs, the others wait
# for it on a lock (and apt itself waits for another apt's dpkg lock instead of failing).
install_once() {
  local package="$1" find="$2" found
  found="$("$find" || true)"
  if [ -z "$found" ]; then
    exec 9>"${TMPDIR:-/tmp}/hitl-ensure-$package.lock"
    command -v flock >/dev/null && flock 9
    found="$("$find" || true)"
    if [ -z "$found" ]; then
      log "$package not found; installing Debian's $package with apt-get"
      as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
      as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends "$package" >&2
      found="$("$find")" || { log "$package installed but not found"; exit 1; }
    fi
    exec 9>&-
  fi
  echo "$found"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# watch_and_stop WATCH_PID DIR ALIVE_PATH STOP_SCRIPT: in the background, runs `STOP_SCRIPT stop DIR`
# once WATCH_PID has ended, for as long as ALIVE_PATH exists; records its pid in DIR/watcher.pid.
watch_and_stop() {
  local watch_pid="$1" dir="$2" alive="$3" stop_script="$4"
  # Detached, with no inherited stdout, so the caller reading our output is not held open.
  nohup setsid bash -c "while kill -0 $watch_pid 2>/dev/null && [ -e '$alive' ]; do sleep 2; done; \
    rm -f '$dir/watcher.pid'; '$stop_script' stop '$dir'" </dev/null >/dev/null 2>&1 &
  echo $! >"$dir/watcher.pid"
}

# forget_server DIR: after the server in DIR has stopped, ends its watcher and deletes DIR.
forget_server() {
  if [ -f "$1/watcher.pid" ]; then kill "$(cat "$1/watcher.pid")" 2>/dev/null || true; fi
  rm -rf "$1"
}
