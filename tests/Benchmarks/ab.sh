#!/usr/bin/env bash
# Interleaved A/B comparison of two servers: two builds of the API on the same store, or one build on its two engines.
# Both servers run at once (a SQLite side on its own copy of the store, in /dev/shm), and wrk loads them in turn
# (A B A B ...) for ROUNDS rounds per query and regime, so a drift of the machine's speed (a virtual machine's speed
# changes within minutes) falls on both alike. Prints the median requests/s and p99 (as wrk saw it) of each, the
# bound under which the server itself finished 99% of a round's requests (its http.server.request.duration histogram
# from /metrics, the worst round), the ratio of the rates, and every round's figures.
#
#   bash tests/Benchmarks/ab.sh BUILD_A BUILD_B STORE PARAMS
#
#   BUILD_A, BUILD_B  folders holding a built Timeline.Api.dll (dotnet build -c Release; e.g. a clone at the old commit)
#   STORE             a store both can serve (run.sh keeps them in tests/Benchmarks/.work/stores/*/store.db)
#   PARAMS            the parameter lists params.py wrote for that store (tests/Benchmarks/.work/runs/*/params-N)
#   QUERIES="year-category event newest"  REGIMES="mixed hot"  ROUNDS=3  DURATION=5s  CONNECTIONS=32  THREADS=2
#   WARMUP=DURATION   the uncounted run of each query on each side before its rounds (a PostgreSQL side's new backends
#                     and a new process's JIT run at about half speed for their first 20-30 seconds: give 20s or more)
#   A_ARGS, B_ARGS    more arguments for one server, e.g. B_ARGS="--Timeline:Store=postgres --ConnectionStrings:Timeline=..."
#                     to serve side B from PostgreSQL (then no copy of STORE is made for it)
#   A_NAME, B_NAME    the sides' names in the output (default A and B)
#   WRK_PREFIX        a command wrk runs under, e.g. "chrt -f 10" (real-time priority: wrk's own wait for a core, on
#                     the cores the servers use, then no longer counts in its latencies)
set -euo pipefail
[[ $# == 4 ]] || { sed -n '2,21p' "$0"; exit 2; }
A=$1 B=$2 STORE=$3 PARAMS=$4
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-5s} CONNECTIONS=${CONNECTIONS:-32} THREADS=${THREADS:-2} WARMUP=${WARMUP:-${DURATION:-5s}}
A_NAME=${A_NAME:-A} B_NAME=${B_NAME:-B}
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }
work=$(mktemp -d /dev/shm/timeline-ab.XXXXXX)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
start() { # folder port store extra-arguments
  local -a extra
  read -r -a extra <<<"$4"
  # A side served from PostgreSQL needs no copy of the store (the option's value in any case, with = or a space).
  [[ " ${4,,} " =~ [[:space:]]--timeline:store[=[:space:]]postgres[[:space:]] ]] || cp "$STORE" "$3"
  (cd "$1" && ASPNETCORE_ENVIRONMENT=Production exec dotnet Timeline.Api.dll --urls "http://127.0.0.1:$2" \
    --Timeline:DatabasePath="$3" --Timeline:RateLimits:ReadsPerWindow=0 --Logging:LogLevel:Default=Warning "${extra[@]}" >"$3.log" 2>&1) &
  pids+=($!)
  for _ in $(seq 200); do curl -sf "http://127.0.0.1:$2/events?limit=1" >/dev/null && return; sleep 0.3; done
  echo "the server in $1 did not answer (see $3.log)" >&2; exit 1
}
start "$A" 5711 "$work/a.db" "${A_ARGS:-}"
start "$B" 5712 "$work/b.db" "${B_ARGS:-}"
# The server's own request-duration histogram (http.server.request.duration): its bucket lines, every route's.
histogram() { curl -s "http://127.0.0.1:$1/metrics" | grep '^http_server_request_duration_seconds_bucket' || true; }
run() { # port query regime seed [duration]: prints "requests/s/p99-in-ms/server-p99-bound-in-ms"
  local before after out="$work/wrk-$1.out"
  before=$(histogram "$1")
  # shellcheck disable=SC2086 # WRK_PREFIX is a command and its arguments
  BENCH_PARAMS=$PARAMS BENCH_QUERY=$2 BENCH_REGIME=$3 BENCH_SEED=$4 timeout 300 ${WRK_PREFIX:-} wrk -t"$THREADS" -c"$CONNECTIONS" \
    -d"${5:-$DURATION}" --timeout 30s -s "$HERE/bench.lua" "http://127.0.0.1:$1" >"$out" 2>&1 || true
  after=$(histogram "$1")
  # wrk's figures from the line bench.lua prints (as run.sh reads them); the server's, as the smallest bucket bound under
  # which it finished 99% of this round's requests (its own clock: from the request's arrival to the response's end,
  # without the time the request waited for the client or the socket).
  python3 - "$out" "$before" "$after" "$1 ($2, $3)" <<'PY' || return 1
import json, re, sys
lines = [l for l in open(sys.argv[1], errors="replace") if l.startswith("BENCH_RESULT ")]
if not lines:
    sys.exit(f"wrk gave no result against port {sys.argv[4]}: {open(sys.argv[1], errors='replace').read()[:500]}")
result = json.loads(lines[-1].split(" ", 1)[1])
def buckets(text):
    counts = {}
    for le, n in re.findall(r'le="([^"]+)"\} (\S+)', text):
        bound = float("inf") if le == "+Inf" else float(le)
        counts[bound] = counts.get(bound, 0.0) + float(n)
    return counts
before, after = buckets(sys.argv[2]), buckets(sys.argv[3])
counts = sorted((le, n - before.get(le, 0.0)) for le, n in after.items())
total = counts[-1][1] if counts else 0
bound = next((le for le, n in counts if total and n >= 0.99 * total), float("nan"))
print(f"{result['rps']}/{result['latency_us']['p99'] / 1000}/{bound * 1000:g}")
PY
}
for q in ${QUERIES:-year-category event newest}; do
  for r in ${REGIMES:-mixed hot}; do
    run 5711 "$q" "$r" 0 "$WARMUP" >/dev/null; run 5712 "$q" "$r" 0 "$WARMUP" >/dev/null # warm-up, not counted
    a=() b=()
    for i in $(seq "$ROUNDS"); do
      x=$(run 5711 "$q" "$r" "$i") || exit 1; a+=("$x")
      x=$(run 5712 "$q" "$r" "$i") || exit 1; b+=("$x")
    done
    python3 - "$q" "$r" "${a[*]}" "${b[*]}" "$A_NAME" "$B_NAME" <<'PY'
import statistics, sys
q, r, an, bn = sys.argv[1], sys.argv[2], sys.argv[5], sys.argv[6]
a, b = ([tuple(float(v) for v in x.split("/")) for x in s.split()] for s in (sys.argv[3], sys.argv[4]))
ra, rb = statistics.median(x[0] for x in a), statistics.median(x[0] for x in b)
pa, pb = statistics.median(x[1] for x in a), statistics.median(x[1] for x in b)
sa, sb = (max((x[2] for x in side if x[2] == x[2]), default=float("nan")) for side in (a, b))  # nan: no histogram
print(f"{q:>16} {r:5}  {an} {ra:9,.0f}/s p99 {pa:6.1f} ms (server <= {sa:g} ms)  {bn} {rb:9,.0f}/s p99 {pb:6.1f} ms (server <= {sb:g} ms)"
      f"  {bn}/{an} {rb / ra * 100:5.1f}%   rounds {an} {[round(x[0]) for x in a]} {bn} {[round(x[0]) for x in b]}")
PY
  done
done
