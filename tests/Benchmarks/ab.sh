#!/usr/bin/env bash
# Interleaved A/B comparison of two builds of the API on the same store: both servers run at once on their own copy
# of the store (in /dev/shm), and wrk loads them in turn (A B A B ...) for ROUNDS rounds per query and regime, so a
# drift of the machine's speed (a virtual machine's speed changes within minutes) falls on both alike. Prints the
# median requests/s of each and their ratio, with every round's figure.
#
#   bash tests/Benchmarks/ab.sh BUILD_A BUILD_B STORE PARAMS
#
#   BUILD_A, BUILD_B  folders holding a built Timeline.Api.dll (dotnet build -c Release; e.g. a clone at the old commit)
#   STORE             a store both can serve (run.sh keeps them in tests/Benchmarks/.work/stores/*/store.db)
#   PARAMS            the parameter lists params.py wrote for that store (tests/Benchmarks/.work/runs/*/params-N)
#   QUERIES="year-category event newest"  REGIMES="mixed hot"  ROUNDS=3  DURATION=5s  CONNECTIONS=32  THREADS=2
set -euo pipefail
[[ $# == 4 ]] || { sed -n '2,12p' "$0"; exit 2; }
A=$1 B=$2 STORE=$3 PARAMS=$4
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-5s} CONNECTIONS=${CONNECTIONS:-32} THREADS=${THREADS:-2}
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d /dev/shm/timeline-ab.XXXXXX)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
start() { # folder port store
  cp "$STORE" "$3"
  (cd "$1" && ASPNETCORE_ENVIRONMENT=Production exec dotnet Timeline.Api.dll --urls "http://127.0.0.1:$2" \
    --Timeline:DatabasePath="$3" --Timeline:RateLimits:ReadsPerWindow=0 --Logging:LogLevel:Default=Warning >"$3.log" 2>&1) &
  pids+=($!)
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$2/events?limit=1" >/dev/null && return; sleep 0.3; done
  echo "the server in $1 did not answer (see $3.log)" >&2; exit 1
}
start "$A" 5711 "$work/a.db"
start "$B" 5712 "$work/b.db"
run() { # port query regime seed
  BENCH_PARAMS=$PARAMS BENCH_QUERY=$2 BENCH_REGIME=$3 BENCH_SEED=$4 timeout 120 wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
    --timeout 30s -s "$HERE/bench.lua" "http://127.0.0.1:$1" 2>/dev/null | awk '/Requests\/sec/ {print $2}'
}
for q in ${QUERIES:-year-category event newest}; do
  for r in ${REGIMES:-mixed hot}; do
    run 5711 "$q" "$r" 0 >/dev/null; run 5712 "$q" "$r" 0 >/dev/null # warm-up, not counted
    a=() b=()
    for i in $(seq "$ROUNDS"); do a+=("$(run 5711 "$q" "$r" "$i")"); b+=("$(run 5712 "$q" "$r" "$i")"); done
    python3 - "$q" "$r" "${a[*]}" "${b[*]}" <<'PY'
import statistics, sys
q, r, a, b = sys.argv[1], sys.argv[2], [float(x) for x in sys.argv[3].split()], [float(x) for x in sys.argv[4].split()]
ma, mb = statistics.median(a), statistics.median(b)
print(f"{q:>16} {r:5}  A {ma:9,.0f}/s  B {mb:9,.0f}/s  B/A {mb / ma * 100:5.1f}%   rounds A {[round(x) for x in a]} B {[round(x) for x in b]}")
PY
  done
done
