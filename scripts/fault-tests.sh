#!/usr/bin/env bash
# The fault tests with real processes (issue 14), minutes long, so not in every CI run: worker processes killed with
# SIGKILL mid-PRUNE three times, and PostgreSQL crashed under running jobs for 90 s (worker ProcessFaultTest).
#   scripts/fault-tests.sh [extra mvn args]
set -euo pipefail
cd "$(dirname "$0")/.."
exec mvn -B --no-transfer-progress -q test -pl worker -am -Dtest=ProcessFaultTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dwhittle.fault-tests=true "$@"
