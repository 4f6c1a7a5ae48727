#!/usr/bin/env bash
# A Jepsen-style run on processes (bench/README.md, "Chaos"): packages feature-, model- and decision-service and runs
# decision-service's JepsenIT: clients decide on SERIES x 249 MSFT observations and report outcomes while a seeded
# nemesis kills the three services with SIGKILL, crash-restarts PostgreSQL and replaces Redis with an empty one (both
# private to the run, on ports 5544 and 6544); then it checks that every acknowledged decision is logged exactly once,
# that no refused observation was decided, and that the exposure cap was never passed. The report is written to
# decision-service/target/jepsen-report.md. Needs PostgreSQL's and Redis' programs (README.md) and root (initdb runs as
# the postgres user through runuser).
#
#   bench/jepsen.sh [--series N (410)] [--clients N (8)] [--seed N (22)]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
props=()
while (( $# )); do
  case "$1" in
    --series) props+=("-Djepsen.series=$2"); shift 2 ;;
    --clients) props+=("-Djepsen.clients=$2"); shift 2 ;;
    --seed) props+=("-Djepsen.seed=$2"); shift 2 ;;
    *) echo "usage: bench/jepsen.sh [--series N] [--clients N] [--seed N]" >&2; exit 2 ;;
  esac
done
mvn -B -q install -DskipTests -pl feature-service,model-service,decision-service -am
mvn -B verify -pl decision-service -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=JepsenIT \
  -Dfailsafe.timeout=0 "${props[@]}" | grep -E 'Tests run:|FAIL|BUILD|^\| |^####'
cat decision-service/target/jepsen-report.md
