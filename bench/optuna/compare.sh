#!/usr/bin/env bash
# Runs Optuna 5.0.0's TPESampler (sampler_bench.py) and the engine's (SamplerBench) on the same problems and prints
# one table. Needs: pip install optuna==5.0.0; the bench jar (mvn -B -pl bench -am package -DskipTests); a JDK 21+.
#   bench/optuna/compare.sh [java_trials=10000] [optuna_trials=2000] [seeds=30]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
java="${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}"
java_trials="${1:-10000}"
optuna_trials="${2:-2000}"
seeds="${3:-30}"
out="$(mktemp -d)"
"$java" -cp "$root/bench/target/benchmarks.jar" dev.arbiter.bench.study.SamplerBench quality "$seeds" > "$out/q.csv"
python3 "$here/sampler_bench.py" quality --seeds "$seeds" >> "$out/q.csv"
"$java" -cp "$root/bench/target/benchmarks.jar" dev.arbiter.bench.study.SamplerBench speed "$java_trials" > "$out/s.csv"
python3 "$here/sampler_bench.py" speed --trials "$optuna_trials" >> "$out/s.csv"
python3 "$here/table.py" "$out/q.csv" "$out/s.csv"
