#!/usr/bin/env bash
# Chaos runs on processes (bench/README.md, "Chaos"): packages feature-, model- and decision-service and runs
# decision-service's PartitionIT (a network partition between decision-service and feature-service, model-service and
# Redis in turn, through a TCP proxy that holds every byte) and SpoolKillIT (kill -9 while PostgreSQL is unreachable,
# so the acknowledged decisions live only in the spool). SpoolKillIT also runs in `mvn verify`; PartitionIT only here.
# Needs PostgreSQL and Redis (README.md).
#
#   bench/chaos.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -B -q install -DskipTests -pl feature-service,model-service,decision-service -am
mvn -B verify -pl decision-service -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test='PartitionIT,SpoolKillIT' \
  | grep -E 'Tests run:|PartitionIT:|SpoolKillIT:|FAIL|BUILD'
