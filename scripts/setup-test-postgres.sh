#!/usr/bin/env bash
# The store's contract tests and the Feedback Log's workflow tests run against a real PostgreSQL.
# Installing the server up front keeps that (minutes, on a fresh machine) out of any test's time.
set -euo pipefail
exec bash "$(dirname "${BASH_SOURCE[0]}")/ensure-postgres.sh" install
