#!/usr/bin/env bash
# Concurrent whole-store exports against one store: CLIENTS clients (each from its own loopback address, so the
# one-export-per-client rule does not serialise them) ask for URL at once; the server's RSS is sampled every 200 ms.
# Prints each answer's status, size and time, whether each body parses as JSON (for JSON exports), and the server's
# RSS before, its largest sample and its high-water mark (VmHWM).
#
#   STORE=tests/Benchmarks/.work/stores/events-1000000-seed-42/store.db bash tests/Benchmarks/exports.sh
#   STORE=... SERVER_ARGS="--Timeline:Limits:ConcurrentExports=8" bash tests/Benchmarks/exports.sh   # all 8 stream at once
#
# Settings: STORE (required: a store made by run.sh or by `generate` and `import`), CLIENTS=8, URL=/events/timelinejs,
# PORT=5673, SERVER_ARGS (more settings for the server). Wrap it in `flock /tmp/bench.lock` on a shared machine.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STORE=${STORE:?set STORE to a store file}
CLIENTS=${CLIENTS:-8}
URL=${URL:-/events/timelinejs}
PORT=${PORT:-5673}
SERVER_ARGS=${SERVER_ARGS:-}
OUT=$(mktemp -d /tmp/timeline-exports-XXXXXX)
trap 'kill "${pid:-}" "${sampler:-}" 2>/dev/null || true; [[ -n ${KEEP:-} ]] || rm -rf "$OUT"' EXIT

if curl -s -o /dev/null "http://127.0.0.1:$PORT/"; then echo "port $PORT is taken; set PORT" >&2; exit 1; fi
dotnet build -c Release "$ROOT/src/Timeline.Api" -nologo -v q >"$OUT/build.log" 2>&1 || { tail -n 30 "$OUT/build.log" >&2; exit 1; }
APP_DIR="$ROOT/src/Timeline.Api/bin/Release/net10.0"
STORE=$(realpath "$STORE")
# shellcheck disable=SC2086
(cd "$APP_DIR" && exec env ASPNETCORE_ENVIRONMENT=Production dotnet Timeline.Api.dll --urls "http://127.0.0.1:$PORT" \
  --Timeline:DatabasePath="$STORE" --Timeline:RateLimits:ReadsPerWindow=0 --Logging:LogLevel:Timeline.Api.Requests=Warning $SERVER_ARGS) \
  >"$OUT/server.log" 2>&1 &
pid=$!
for _ in $(seq 240); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/events?limit=1" && break; sleep 0.5; done
(while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ { print $2 }' "/proc/$pid/status"; sleep 0.2; done) >"$OUT/rss.txt" 2>/dev/null &
sampler=$!
sleep 1
before=$(awk '/VmRSS/ { print $2 }' "/proc/$pid/status")
start=$(date +%s.%N)
clients=()
for i in $(seq "$CLIENTS"); do
  curl -s --interface "127.0.0.$((i + 1))" -o "$OUT/body$i" -w "client $i: %{http_code}, %{size_download} bytes in %{time_total} s\n" \
    "http://127.0.0.1:$PORT$URL" >"$OUT/client$i.txt" &
  clients+=($!)
done
wait "${clients[@]}"
end=$(date +%s.%N)
hwm=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status")
cat "$OUT"/client*.txt
for i in $(seq "$CLIENTS"); do
  python3 - "$OUT/body$i" "$i" <<'PY' || true
import json, sys
try:
    with open(sys.argv[1], "rb") as f:
        d = json.load(f)
    print(f"client {sys.argv[2]}: JSON, " + (f"{len(d['events'])} events" if "events" in d else f"status {d.get('status')}"))
except Exception as e:
    print(f"client {sys.argv[2]}: not JSON ({type(e).__name__})")
PY
  rm -f "$OUT/body$i"
done
max=$(sort -n "$OUT/rss.txt" | tail -n 1)
echo "server RSS: $((before / 1000)) MB before, largest sample $((max / 1000)) MB, VmHWM $((hwm / 1000)) MB; wall $(printf '%.1f' "$(echo "$end - $start" | bc)") s"
