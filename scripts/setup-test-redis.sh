#!/usr/bin/env bash
# The queue-mode e2e test runs n8n's main and worker processes over a real Redis. Installing the
# server up front keeps that (a minute, on a fresh machine) out of any test's time.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/ensure-redis.sh" install
