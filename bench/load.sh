#!/usr/bin/env bash
# Reproduces the published "Decide under load" run (bench/README.md): builds what is missing, starts the four
# services with a trained ensemble through `./arbiter demo --keep-running`, runs the open-loop load generator against
# decision-service with this script's arguments (e.g. --rate 1000 --duration 30), writes bench/target/load-results.md,
# and stops the services again, also on failure or Ctrl-C. Needs what the demo needs (PostgreSQL, Redis; see README.md).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
demo_out=bench/target/load-demo
props="$demo_out/services.properties"
results=bench/target/load-results.md

java_major() {
  "$1" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

# The bench jar is Java 21 (ta4j): the JDK at JDK21_HOME (default Temurin 25), else `java` if it is 21 or newer.
java="${JDK21_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
if [[ ! -x "$java" ]]; then
  java="$(command -v java || true)"
  if [[ -z "$java" || "$(java_major "$java")" -lt 21 ]]; then
    echo "load.sh: needs a JDK 21 or newer: set JDK21_HOME, or put one first on the PATH" >&2
    exit 2
  fi
fi
java_opts=()
if [[ "$(java_major "$java")" -ge 24 ]]; then
  java_opts+=(--sun-misc-unsafe-memory-access=allow) # Netty's direct buffers, without a warning
fi

missing=0
for jar in cli/target/quarkus-app/quarkus-run.jar feature-service/target/quarkus-app/quarkus-run.jar \
    model-service/target/quarkus-app/quarkus-run.jar decision-service/target/quarkus-app/quarkus-run.jar \
    optimizer-service/target/quarkus-app/quarkus-run.jar rule-service/target/quarkus-app/quarkus-run.jar \
    bench/target/benchmarks.jar; do
  [[ -f "$jar" ]] || missing=1
done
if (( missing )); then
  echo "load.sh: building the CLI, the services and bench first" >&2
  mvn -B -q package -DskipTests -pl cli,feature-service,model-service,decision-service,optimizer-service,rule-service,bench -am
fi

stop_services() {
  [[ -f "$props" ]] || return 0
  local pids alive
  pids="$(sed -n 's/^pids=//p' "$props")"
  [[ -n "$pids" ]] || return 0
  echo "load.sh: stopping the services (pids $pids)" >&2
  # shellcheck disable=SC2086
  kill -TERM $pids 2>/dev/null || true
  # They are the demo's children, not ours, so `wait` cannot wait for them: poll, for up to 30 s.
  for _ in $(seq 1 300); do
    alive=0
    for pid in $pids; do
      if kill -0 "$pid" 2>/dev/null; then alive=1; fi
    done
    (( alive )) || { rm -f "$props"; return 0; }
    sleep 0.1
  done
  echo "load.sh: still running 30 s after SIGTERM: $pids" >&2
}
trap stop_services EXIT
trap 'exit 130' INT TERM

mkdir -p "$demo_out"
rm -f "$props" # only this run's process ids are ever stopped
./arbiter demo --rows 1200 --keep-running --out "$demo_out"
decisions="$(sed -n 's/^decisions=//p' "$props" 2>/dev/null || true)"
features="$(sed -n 's/^features=//p' "$props" 2>/dev/null || true)"
if [[ -z "$decisions" ]]; then
  echo "load.sh: the demo wrote no decisions= line in $props" >&2
  exit 1
fi

decisions_http="$(sed -n 's/^decisions\.http=//p' "$props" 2>/dev/null || true)"
# What each decision costs the shared stores: Redis commands (all kinds, INFO commandstats) and PostgreSQL commits
# (database arbiter) over the run, divided by the decisions decision-service made in it. Background work (feature
# snapshots, reconciles) is counted too; it is small beside 1,000 decisions a second.
store_counts() { # "decisions redis_commands pg_commits"
  local d r p
  d="$( [[ -n "$decisions_http" ]] && curl -sf "http://$decisions_http/q/metrics" \
    | awk '/^arbiter_decision_latency_seconds_count/ {s += $2} END {printf "%d", s}' || echo 0)"
  r="$(redis-cli INFO commandstats 2>/dev/null | sed -n 's/^cmdstat_.*:calls=\([0-9]*\),.*/\1/p' | awk '{s += $1} END {printf "%d", s}')"
  p="$(psql -h 127.0.0.1 -U postgres -d arbiter -Atc "select xact_commit from pg_stat_database where datname = 'arbiter'" 2>/dev/null || echo 0)"
  echo "${d:-0} ${r:-0} ${p:-0}"
}
read -r decided_before redis_before pg_before < <(store_counts)

"$java" "${java_opts[@]}" -cp bench/target/benchmarks.jar dev.arbiter.bench.load.LoadGenerator \
  --decisions "$decisions" --features "$features" --out "$results" --invoked-as "bench/load.sh $*" "$@"

read -r decided_after redis_after pg_after < <(store_counts)
decided=$((decided_after - decided_before))
if (( decided > 0 )); then
  line="$(awk -v d="$decided" -v r="$((redis_after - redis_before))" -v p="$((pg_after - pg_before))" \
    'BEGIN {printf "per decision over the whole run (%d decisions): %.2f Redis commands, %.3f PostgreSQL commits", d, r / d, p / d}')"
  echo "$line"
  printf '\n- %s\n' "$line" >> "$results"
fi
