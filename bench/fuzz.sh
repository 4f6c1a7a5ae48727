#!/usr/bin/env bash
# Fuzzing (bench/README.md, "Fuzzing"): runs every Jazzer fuzz target (the @FuzzTest methods whose saved inputs replay in
# `mvn verify`) with Jazzer's own driver for RUNS inputs each, and writes what each run did to
# bench/target/fuzz-results.md. A finding stops that target with its input in bench/target/fuzz/NAME/ (crash-*) and a
# Java reproducer beside it; keep the input under the target's ...FuzzTestInputs/METHOD/ directory once it is fixed.
#
#   bench/fuzz.sh [--runs N (1000000)] [--save-inputs N] [TARGET_NAME...]
#
# --save-inputs N copies up to N inputs of each target's corpus (the smallest first) into its saved inputs, which
# `mvn verify` replays.
#
# Needs the modules' test classes (`mvn -B install -DskipTests` builds them) and a JDK 21+ (engine's tests are Java 21):
# JDK21_HOME, else Temurin 25 where this machine has it.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
runs=1000000
save=0
only=()
while (( $# )); do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --save-inputs) save="$2"; shift 2 ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) only+=("$1"); shift ;;
  esac
done
java="${JDK21_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
[[ -x "$java" ]] || { echo "fuzz.sh: needs a JDK 21 or newer at JDK21_HOME" >&2; exit 2; }

# name module class method
targets=(
  "observation-rules service-support dev.arbiter.service.ObservationRulesFuzzTest everyObservationIsAcceptedOrRefusedNamingAField"
  "page-tokens service-support dev.arbiter.service.PageTokensFuzzTest anyTokenIsReadOrRefusedAndIssuedTokensRoundTrip"
  "tokens-file service-support dev.arbiter.service.auth.TokensFuzzTest anyFileIsReadOrRefusedNamingTheLine"
  "cel-rules engine dev.arbiter.engine.rules.RuleCompilerFuzzTest anyExpressionCompilesOrIsRefusedAndACompiledRuleNeverThrows"
  "csv-import optimizer-service dev.arbiter.optimizer.history.CsvImportFuzzTest anyCsvParsesOrIsRefusedNamingTheField"
  "study-distributions optimizer-service dev.arbiter.optimizer.study.SearchSpaceFuzzTest everySpaceAndValueIsTakenOrRefusedNamingTheField"
  "model-artifacts model-runtime dev.arbiter.model.runtime.ModelArtifactFuzzTest anyArtifactLoadsOrIsRefusedWithAReason"
)

out=bench/target/fuzz
mkdir -p "$out"
results=bench/target/fuzz-results.md
{
  echo "#### \`bench/fuzz.sh --runs $runs\` ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) processors, $("$java" -version 2>&1 | head -n 1))"
  echo
  echo "| target | inputs run | seconds | inputs/s | coverage (edges) | corpus | result |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
} > "$results"

declare -A classpath
for t in "${targets[@]}"; do
  read -r name module class method <<< "$t"
  if (( ${#only[@]} )) && [[ ! " ${only[*]} " == *" $name "* ]]; then continue; fi
  if [[ -z "${classpath[$module]:-}" ]]; then
    (cd "$module" && mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/fuzz-classpath.txt -Dmdep.includeScope=test >&2)
    classpath[$module]="$root/$module/target/test-classes:$root/$module/target/classes:$(cat "$module/target/fuzz-classpath.txt")"
  fi
  mkdir -p "$out/$name/corpus"
  log="$out/$name/run.log"
  echo "fuzz.sh: $name ($runs inputs)" >&2
  start=$(date +%s)
  set +e
  (cd "$out/$name" && "$java" -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector \
      -cp "${classpath[$module]}" com.code_intelligence.jazzer.Jazzer \
      --target_class="$class" --target_method="$method" --instrumentation_includes='dev.arbiter.**' \
      --reproducer_path=. -artifact_prefix=./ -runs="$runs" -print_final_stats=1 corpus) > "$log" 2>&1
  status=$?
  set -e
  seconds=$(( $(date +%s) - start ))
  done_line="$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)"
  executed="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  speed="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<< "$done_line")"
  corpus="$(find "$out/$name/corpus" -type f | wc -l)"
  if (( status == 0 )); then
    result="no finding"
  else
    result="**finding** (exit $status): $(grep -m1 -E '== Java Exception|FuzzTestFinding' "$log" | cut -c1-160)"
  fi
  printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "${executed:-?}" "$seconds" "${speed:-?}" "${cov:-?}" "$corpus" "$result" >> "$results"
  if (( save > 0 )); then
    inputs="$module/src/test/resources/$(tr . / <<< "$class")Inputs/$method"
    mkdir -p "$inputs"
    find "$out/$name/corpus" -type f -printf '%s %p\n' | sort -n | head -n "$save" | cut -d' ' -f2- \
      | while read -r f; do cp "$f" "$inputs/"; done
  fi
done
cat "$results"
