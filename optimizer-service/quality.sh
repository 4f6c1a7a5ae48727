#!/usr/bin/env bash
# Prints the out-of-sample decision-quality table of optimizer-service/README.md ("Decision quality, out of sample"):
# nested walk-forward on four real series. Needs the packaged optimizer-service (mvn -B package -DskipTests).
# Usage: optimizer-service/quality.sh [DATA_DIR (default ../shared/data)] [TPE trials per series (default 300)] [PRECISION|SHARPE]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
app="$here/target/quarkus-app"
[ -d "$app" ] || { echo "build it first: mvn -B package -DskipTests -pl optimizer-service -am" >&2; exit 1; }
exec java -cp "$app/app/*:$app/lib/main/*:$app/quarkus/*" dev.arbiter.optimizer.quality.DecisionQualityTable \
  "${1:-$here/../../shared/data}" "${2:-300}" "${3:-PRECISION}"
