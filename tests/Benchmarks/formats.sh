#!/usr/bin/env bash
# The export formats side by side: two builds of the API (say, the hand-written writers and the library ones) serve one
# store at once, and each export is taken from A and from B in turn, ROUNDS times, the order swapped every round
# (A B, B A, A B, ...) so that a drift of the machine's speed falls on both alike. For each whole-store export (CSV and
# iCalendar) it records the bytes, the time, MB/s and events/s, the server's resident memory before and at most during
# the export (VmHWM, reset before each export through /proc/PID/clear_refs) and the bytes the server allocated for it
# (the runtime's dotnet.gc.heap.total_allocated, read from /metrics before and after). The Atom feed (the 50 most
# recently changed events) is measured as requests/s with wrk, each request a feed under a different `to=` day so that
# the response cache serves none of it. Prints one line per export and round, then the medians, spread and B/A.
#
#   bash tests/Benchmarks/formats.sh BUILD_A BUILD_B STORE
#
#   BUILD_A, BUILD_B  folders holding a built Timeline.Api.dll (dotnet build -c Release)
#   STORE             a store both can serve (it is copied once to /dev/shm and both servers read that copy)
#   ROUNDS=3  EXPORTS="/events.csv /events.ics"  ATOM=1  ATOM_DURATION=10s  ATOM_CONNECTIONS=4  EXPORT_TIMEOUT=900
#   EVENTS (the number of events a whole export holds, for events/s)  OUT (a folder for the records; under /tmp by default)
#
# Wrap it in `flock /tmp/bench.lock` on a shared machine. Every step is bounded: a server's start by 240 s, each
# export by EXPORT_TIMEOUT, each wrk run by its duration plus 60 s.
set -euo pipefail
[[ $# == 3 ]] || { sed -n '2,19p' "$0"; exit 2; }
A=$(realpath "$1") B=$(realpath "$2") STORE=$3
HERE=$(cd "$(dirname "$0")" && pwd)
ROUNDS=${ROUNDS:-3} EXPORTS=${EXPORTS:-/events.csv /events.ics} ATOM=${ATOM:-1}
ATOM_DURATION=${ATOM_DURATION:-10s} ATOM_CONNECTIONS=${ATOM_CONNECTIONS:-4} EXPORT_TIMEOUT=${EXPORT_TIMEOUT:-900}
OUT=${OUT:-$(mktemp -d /tmp/timeline-formats-XXXXXX)}
mkdir -p "$OUT"
work=$(mktemp -d /dev/shm/timeline-formats.XXXXXX)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# One copy in memory that both servers read (a store already in /dev/shm is read where it is).
if [[ $(realpath "$STORE") == /dev/shm/* ]]; then db=$(realpath "$STORE"); else db=$work/store.db; cp "$STORE" "$db"; fi
start() { # folder port name
  (cd "$1" && ASPNETCORE_ENVIRONMENT=Production exec dotnet Timeline.Api.dll --urls "http://127.0.0.1:$2" \
    --Timeline:DatabasePath="$db" --Timeline:RateLimits:ReadsPerWindow=0 --Logging:LogLevel:Default=Warning >"$OUT/server-$3.log" 2>&1) &
  pids+=($!)
  for _ in $(seq 480); do curl -sf "http://127.0.0.1:$2/events?limit=1" >/dev/null && return; sleep 0.5; done
  echo "the server in $1 did not answer (see $OUT/server-$3.log)" >&2; exit 1
}
start "$A" 5721 A; pid_a=$(pgrep -f "urls http://127.0.0.1:5721" | head -n 1)
start "$B" 5722 B; pid_b=$(pgrep -f "urls http://127.0.0.1:5722" | head -n 1)
echo "A: $A (pid $pid_a, port 5721)"
echo "B: $B (pid $pid_b, port 5722)"
events=${EVENTS:-}

allocated() { # port: bytes allocated by the server's managed heap so far
  { curl -s --max-time 30 "http://127.0.0.1:$1/metrics" || true; } | awk '/^dotnet_gc_heap_total_allocated_bytes(_total)? / { print $2; exit }'
}
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

export_once() { # name port pid url round
  local before_rss before_alloc after_alloc hwm line
  echo 5 >"/proc/$3/clear_refs" # resets VmHWM to the current RSS
  before_rss=$(status_kb "$3" VmRSS)
  before_alloc=$(allocated "$2")
  line=$(curl -s -o /dev/null --max-time "$EXPORT_TIMEOUT" -w '%{http_code} %{size_download} %{time_total}' "http://127.0.0.1:$2$4") \
    || { echo "round $5 $1 $4: curl failed ($line); server alive: $(kill -0 "$3" 2>/dev/null && echo yes || echo no)" >&2; return 0; }
  hwm=$(status_kb "$3" VmHWM)
  after_alloc=$(allocated "$2")
  echo "{\"build\": \"$1\", \"url\": \"$4\", \"round\": $5, \"result\": \"$line\", \"rss_before_kb\": $before_rss, \"hwm_kb\": $hwm, \"allocated\": \"${before_alloc:-} ${after_alloc:-}\"}" >>"$OUT/records.jsonl"
  echo "round $5 $1 $4: HTTP ${line%% *}, $(echo "$line" | awk '{ printf "%.1f MB in %.1f s", $2 / 1e6, $3 }'), RSS $((before_rss / 1000)) MB before, peak $((hwm / 1000)) MB"
}

for url in $EXPORTS; do
  # One unmeasured export from each first: JIT, GC budgets and SQLite's page cache settle.
  curl -s -o /dev/null --max-time "$EXPORT_TIMEOUT" "http://127.0.0.1:5721$url?to=1995" || true
  curl -s -o /dev/null --max-time "$EXPORT_TIMEOUT" "http://127.0.0.1:5722$url?to=1995" || true
  for round in $(seq "$ROUNDS"); do
    if (( round % 2 == 1 )); then
      export_once A 5721 "$pid_a" "$url" "$round"; export_once B 5722 "$pid_b" "$url" "$round"
    else
      export_once B 5722 "$pid_b" "$url" "$round"; export_once A 5721 "$pid_a" "$url" "$round"
    fi
  done
done

if [[ $ATOM == 1 ]]; then
  atom() { # port round
    BENCH_SEED=$2 timeout 120 wrk -t1 -c"$ATOM_CONNECTIONS" -d"$ATOM_DURATION" --timeout 30s -s "$HERE/atom.lua" "http://127.0.0.1:$1" 2>/dev/null \
      | awk '/Requests\/sec/ { print $2 }'
  }
  atom 5721 0 >/dev/null; atom 5722 0 >/dev/null # warm-up, not counted
  for round in $(seq "$ROUNDS"); do
    if (( round % 2 == 1 )); then a=$(atom 5721 "$round"); b=$(atom 5722 "$round"); else b=$(atom 5722 "$round"); a=$(atom 5721 "$round"); fi
    echo "{\"build\": \"A\", \"url\": \"/events/feed.atom\", \"round\": $round, \"rps\": ${a:-0}}" >>"$OUT/records.jsonl"
    echo "{\"build\": \"B\", \"url\": \"/events/feed.atom\", \"round\": $round, \"rps\": ${b:-0}}" >>"$OUT/records.jsonl"
    echo "round $round atom: A ${a:-0}/s, B ${b:-0}/s"
  done
fi

python3 - "$OUT/records.jsonl" "$events" <<'PY'
import json, statistics, sys
records = [json.loads(line) for line in open(sys.argv[1])]
events = int(sys.argv[2]) if sys.argv[2].isdigit() else None
def spread(xs): return f"{min(xs):,.1f}-{max(xs):,.1f}"
print()
print(f"{'export':18} {'build':5} {'MB/s (median, range)':24} {'events/s':>10} {'peak RSS MB':>12} {'RSS growth MB':>14} {'allocated MB':>13}")
ratio = {}
for url in dict.fromkeys(r["url"] for r in records):
    for build in ("A", "B"):
        rs = [r for r in records if r["url"] == url and r["build"] == build]
        if "rps" in rs[0]:
            rps = [r["rps"] for r in rs]
            ratio.setdefault(url, {})[build] = statistics.median(rps)
            print(f"{url:18} {build:5} {statistics.median(rps):>10,.1f} req/s ({spread(rps)})")
            continue
        mbs, growth, peak, alloc, secs = [], [], [], [], []
        for r in rs:
            code, size, t = r["result"].split()
            mbs.append(int(size) / 1e6 / float(t)); secs.append(float(t))
            peak.append(r["hwm_kb"] / 1000); growth.append((r["hwm_kb"] - r["rss_before_kb"]) / 1000)
            a = r["allocated"].split()
            if len(a) == 2: alloc.append((float(a[1]) - float(a[0])) / 1e6)
        ratio.setdefault(url, {})[build] = statistics.median(mbs)
        eps = f"{events / statistics.median(secs):>10,.0f}" if events else f"{'':>10}"
        al = f"{statistics.median(alloc):>13,.0f}" if alloc else f"{'':>13}"
        print(f"{url:18} {build:5} {statistics.median(mbs):>8,.2f} ({spread(mbs):>13}) {eps} {max(peak):>12,.0f} {statistics.median(growth):>14,.0f} {al}")
print()
for url, r in ratio.items():
    if "A" in r and "B" in r and r["A"]:
        print(f"{url}: B/A {r['B'] / r['A'] * 100:.1f}% (medians)")
PY
echo "records: $OUT/records.jsonl"
