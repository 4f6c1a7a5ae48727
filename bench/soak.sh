#!/usr/bin/env bash
# Soak (bench/README.md, "Soak"): the hot path at a fixed rate for a long time, through bench/load.sh (the demo's four
# services with a trained ensemble, the open-loop load generator), while this script samples every service's resident
# memory (VmRSS) and its GC pauses (Micrometer's jvm_gc_pause_seconds on /q/metrics) every 10 s. Writes the samples to
# bench/target/soak-samples.csv and the report to bench/target/soak-results.md (the load generator's own table first).
#
#   bench/soak.sh [--rate N (200)] [--minutes M (10)]
#
# RSS growth is measured from the sample one minute into the Decide phase (heaps and JIT caches have grown by then) to
# the last sample of the run; GC pauses are counted over the whole Decide phase.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
rate=200
minutes=10
while (( $# )); do
  case "$1" in
    --rate) rate="$2"; shift 2 ;;
    --minutes) minutes="$2"; shift 2 ;;
    *) echo "usage: bench/soak.sh [--rate N] [--minutes M]" >&2; exit 2 ;;
  esac
done
warmup=30
props=bench/target/load-demo/services.properties
samples=bench/target/soak-samples.csv
report=bench/target/soak-results.md
mkdir -p bench/target
rm -f "$props"

service_of() { # pid -> the module of the jar it runs
  tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -o '[a-z]*-service/target' | head -n 1 | sed 's|/target||'
}

metric() { # http address, metric name -> the sum over its label sets (max for *_max)
  curl -sf "http://$1/q/metrics" 2>/dev/null | awk -v m="$2" '
    index($0, m "{") == 1 || index($0, m " ") == 1 { if (m ~ /_max$/) { if ($NF > v) v = $NF } else v += $NF }
    END { printf "%.6f", v + 0 }'
}

sample() {
  echo "elapsed_s,service,rss_kib,gc_pauses,gc_pause_total_s,gc_pause_max_s" > "$samples"
  while [[ ! -s "$props" ]] || ! grep -q '^pids=' "$props"; do sleep 1; done
  local start pids http
  start=$(date +%s)
  pids="$(sed -n 's/^pids=//p' "$props")"
  while :; do
    local alive=0
    for pid in $pids; do
      [[ -r "/proc/$pid/status" ]] || continue
      alive=1
      local name rss
      name="$(service_of "$pid")"
      rss="$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)"
      http="$(sed -n "s/^${name%-service}s\?\.http=//p" "$props" | head -n 1)"
      [[ -z "$http" ]] && http="$(sed -n "s/^${name%-service}\.http=//p" "$props" | head -n 1)"
      echo "$(( $(date +%s) - start )),$name,$rss,$(metric "$http" jvm_gc_pause_seconds_count),$(metric "$http" jvm_gc_pause_seconds_sum),$(metric "$http" jvm_gc_pause_seconds_max)" >> "$samples"
    done
    (( alive )) || break
    sleep 10
  done
}

sample &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT

bench/load.sh --rate "$rate" --duration $(( minutes * 60 )) --warmup "$warmup" --floor-duration 10 --series 200 \
  --stream-rates "$rate" --stream-step 5

wait "$sampler" || true
cp bench/target/load-results.md "$report"
{
  echo
  echo "#### Soak: memory and GC per service (\`bench/soak.sh --rate $rate --minutes $minutes\`)"
  echo
  echo "| service | RSS at 1 min of Decide MiB | RSS at the end MiB | growth | RSS max MiB | GC pauses | GC pause total s | GC pause max s |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  # The Decide phase starts after the prewarm (seconds), the warm-up and the 10 s floor: its first minute ends at about
  # the first sample + warmup + 10 + 60 s (+ the prewarm), its end at + warmup + 10 + the soak.
  awk -F, -v base=$(( warmup + 10 + 60 )) -v decide_end=$(( warmup + 10 + minutes * 60 )) '
    NR == 1 { next }
    {
      s = $2
      if (!(s in first)) { first[s] = $1 }
      t = $1 - first[s]
      if (t <= decide_end) { last[s] = $3; pauses[s] = $4; total[s] = $5 }
      if (t >= base && !(s in at)) { at[s] = $3; p0[s] = $4; t0[s] = $5 }
      if ($3 > max[s]) max[s] = $3
      if ($6 > gmax[s]) gmax[s] = $6
    }
    END {
      for (s in first) {
        growth = at[s] > 0 ? 100 * (last[s] - at[s]) / at[s] : 0
        printf "| %s | %.0f | %.0f | %+.1f %% | %.0f | %d | %.3f | %.3f |\n", s, at[s] / 1024, last[s] / 1024, growth,
          max[s] / 1024, pauses[s] - p0[s], total[s] - t0[s], gmax[s]
      }
    }' "$samples" | sort
  echo
  echo "Samples every 10 s in bench/target/soak-samples.csv; GC pauses counted from the 1-minute sample to the end of Decide;"
  echo "the max is Micrometer's jvm_gc_pause_seconds_max (a decaying maximum) at its highest over the samples."
} >> "$report"
cat "$report"
