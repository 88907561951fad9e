#!/usr/bin/env bash
# The fault tests with real processes (issue 14), minutes long, so apart from `./whittle test` (CI runs them after it):
# worker processes killed with SIGKILL mid-PRUNE three times, and PostgreSQL crashed under running jobs for 90 s
# (worker ProcessFaultTest).
#   scripts/fault-tests.sh [extra mvn args]
set -euo pipefail
cd "$(dirname "$0")/.."
# Through ./whittle, which finds JDK 25 (the machine's default java may be older).
exec ./whittle test -q -pl worker -am -Dtest=ProcessFaultTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dwhittle.fault-tests=true "$@"
