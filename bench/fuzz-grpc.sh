#!/usr/bin/env bash
# The gRPC-level fuzzer's long run (bench/README.md, "Fuzzing"): decision-service's MutualTlsIT fuzz test against
# feature-, model- and decision-service running mutual TLS, with PER_METHOD random requests to every RPC (mvn verify
# sends 4) and the seed given. Needs PostgreSQL and Redis (README.md).
#
#   bench/fuzz-grpc.sh [--per-method N (200)] [--seed N (20261207)]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
per=200
seed=20261207
while (( $# )); do
  case "$1" in
    --per-method) per="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    *) echo "usage: bench/fuzz-grpc.sh [--per-method N] [--seed N]" >&2; exit 2 ;;
  esac
done
mvn -B -q install -DskipTests -pl feature-service,model-service,decision-service -am
mvn -B verify -pl decision-service -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test='MutualTlsIT#randomRequestsToEveryRpcGetNoInternalOrUnknownStatus' -Dfuzz.per-method="$per" -Dfuzz.seed="$seed" \
  | grep -E 'Tests run:|FAIL|BUILD|calls|gRPC fuzz'
