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
    optimizer-service/target/quarkus-app/quarkus-run.jar bench/target/benchmarks.jar; do
  [[ -f "$jar" ]] || missing=1
done
if (( missing )); then
  echo "load.sh: building the CLI, the services and bench first" >&2
  mvn -B -q package -DskipTests -pl cli,feature-service,model-service,decision-service,optimizer-service,bench -am
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

models_http="$(sed -n 's/^models\.http=//p' "$props" 2>/dev/null || true)"
cache_counts() { # model-service's prediction cache counters: "hits misses"
  [[ -n "$models_http" ]] || { echo "0 0"; return; }
  curl -sf "http://$models_http/q/metrics" | awk '/^arbiter_model_cache_total\{.*result="hit"/ {h=$2} /^arbiter_model_cache_total\{.*result="miss"/ {m=$2} END {printf "%d %d\n", h, m}'
}
read -r hits_before misses_before < <(cache_counts)

"$java" "${java_opts[@]}" -cp bench/target/benchmarks.jar dev.arbiter.bench.load.LoadGenerator \
  --decisions "$decisions" --features "$features" --out "$results" --invoked-as "bench/load.sh $*" "$@"

read -r hits_after misses_after < <(cache_counts)
hits=$((hits_after - hits_before))
misses=$((misses_after - misses_before))
if (( hits + misses > 0 )); then
  line="model-service prediction cache during the load: $hits hits, $misses misses ($(awk -v h="$hits" -v m="$misses" 'BEGIN {printf "%.2f", 100 * h / (h + m)}') % hit rate)"
  echo "$line"
  printf '\n%s\n' "$line" >> "$results"
fi
