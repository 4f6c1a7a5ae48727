#!/usr/bin/env bash
# A zero-downtime rolling upgrade, proved on processes (bench/README.md, "Rolling upgrade under load"): builds an older
# release FROM (default 04b451c, the last commit before decision-service's migration V5__shadow_run) into
# bench/target/upgrade-from-SHA, packages this checkout's feature-, model- and decision-service, and runs
# decision-service's RollingUpgradeIT, which replaces every replica of the older build by this one, one at a time,
# under constant Decide load. Its report: decision-service/target/rolling-upgrade-*/report.md. Needs PostgreSQL and
# Redis (README.md); creates and drops nothing but the database arbiter_upgrade.
#
#   bench/rolling-upgrade.sh [FROM]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
from="${1:-04b451c}"
sha="$(git rev-parse --short=12 "$from^{commit}")"
old="$root/bench/target/upgrade-from-$sha"

if [[ ! -f "$old/decision-service/target/quarkus-app/quarkus-run.jar" || ! -f "$old/model-service/target/quarkus-app/quarkus-run.jar" \
    || ! -f "$old/feature-service/target/quarkus-app/quarkus-run.jar" ]]; then
  echo "rolling-upgrade.sh: building the older release $sha in $old" >&2
  rm -rf "$old"
  mkdir -p "$old"
  git archive "$sha" | tar -x -C "$old"
  # Packaged in its own reactor (nothing installed, so this checkout's artifacts stay as they are). Releases before
  # eaff18a were built without Quarkus' shutdown delay, which is fixed at build time; the flag turns it on for them,
  # as for every release since.
  (cd "$old" && mvn -B -q package -DskipTests -Dquarkus.shutdown.delay-enabled=true \
      -pl feature-service,model-service,decision-service -am)
fi

echo "rolling-upgrade.sh: packaging this checkout's services" >&2
mvn -B -q install -DskipTests -pl feature-service,model-service,decision-service -am
mvn -B verify -pl decision-service -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=RollingUpgradeIT -Dupgrade.from="$old"
report="$(ls -t decision-service/target/rolling-upgrade-*/report.md | head -n 1)"
echo "rolling-upgrade.sh: report in $report" >&2
cat "$report"
