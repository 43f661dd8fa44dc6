#!/usr/bin/env bash
# The e2e tier drives Debian's Chromium with playwright-core (a test tool's own browser download
# cannot run on these machines). Installs it when missing.
set -euo pipefail
if [ -x "${HITL_CHROMIUM:-/usr/bin/chromium}" ]; then exit 0; fi
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
echo "[hitl] installing Debian's chromium for the browser tests" >&2
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq chromium fonts-dejavu-core >&2
