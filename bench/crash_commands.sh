#!/usr/bin/env bash
# The long run of the crash tests: every command of KilledCommandsTest killed with SIGKILL at
# KILLS seeded random moments (default 50 per command) instead of the 3 the test suite uses.
# Prints each command's count of kills and of kills that landed before the command ended.
# Usage: bench/crash_commands.sh [KILLS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
KILLS=${1:-50}
SEED=${2:-11}
mvn -B -ntp -q -Dscalelab.cds.skip test -pl scalelab-app -am -Dtest=KilledCommandsTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dscalelab.crash.kills="$KILLS" -Dscalelab.crash.seed="$SEED" 2>&1 | grep -E "crash test|FAIL|ERROR|Tests run" || true
