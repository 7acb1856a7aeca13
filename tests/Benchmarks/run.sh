#!/usr/bin/env bash
# The Timeline benchmark: bash tests/Benchmarks/run.sh   (see tests/Benchmarks/README.md)
#
# Builds the API in Release, generates (or reuses) stores of SIZES events, starts the API on each on
# loopback, drives every query with wrk in two regimes (hot: one URL; mixed: random parameters), samples
# the server's RSS throughout, checks that a full CSV export streams, and prints one table.
#
# Settings (environment variables):
#   SIZES="10000 100000 1000000"  store sizes, in events
#   DURATION=10s                  measured time per query and regime (wrk -d: 500ms, 10s, 1m, ...)
#   WARMUP=2s                     unmeasured load before each measurement (0 to skip)
#   CONNECTIONS=32 THREADS=2      wrk -c and -t
#   QUERIES="newest year-category entity search search-relevance event facets csv-year
#            h-prefixes h-prefixes-rank h-common-rank h-search h-not h-search-filtered
#            h-facets-all h-facets-deep h-facets-search h-lists-deep"
#                                 (h-...: the hostile queries, run in the hostile regime only)
#   REGIMES="hot mixed hostile"   hostile: the costliest anonymous requests the API's bounds allow, each URL drawn
#                                 anew, at HOSTILE_CONNECTIONS connections; the worst latency is what counts
#   HOSTILE_CONNECTIONS=4         wrk -c for the hostile regime (an attacker's few requests at once)
#   SEED=42                       dataset seed (and the seed of the mixed draws)
#   PORT=5601                     the API listens on 127.0.0.1:PORT
#   WORK_DIR=tests/Benchmarks/.work   datasets, stores, logs and results (git-ignored)
#   FRESH=1                       regenerate and reload the stores even when they are up to date
#   EXPORT_CHECK=1                stream a CSV export of every event of each store while sampling RSS (0: skip)
#   WRK_TIMEOUT=30s               a request slower than this counts as a timeout error
#   STARTUP_TIMEOUT=120           seconds the server may take to answer its first request
#   STEP_TIMEOUT=3600             seconds generation or import of one store may take
#   EXPORT_TIMEOUT=900            seconds the full CSV export may take
#   DRAIN_TIMEOUT=120             seconds to wait after a run for the server to go idle (it may still be
#                                 working on requests wrk abandoned when its time was up)
#   REQUEST_LOG=0                 1: keep the API's per-request log lines (off by default: at tens of
#                                 thousands of requests per second they measure the console, not the API)
#   SERVER_ARGS=""                extra arguments for the server (e.g. --Timeline:CommandTimeoutSeconds=5)
#   ENGINE=sqlite                 the store the API runs on: sqlite (a file) or postgres (a throwaway cluster under
#                                 WORK_DIR/pg, started and stopped by the script; its server programs are installed
#                                 with apt-get when missing; the mixed regime's values are read from the SQLite store
#                                 of the same dataset, so the two engines are asked the same questions)
#   ENGINES=""                    e.g. "sqlite postgres": one run per engine, then a side-by-side table of the two
#                                 (compare.py) with the PostgreSQL targets of issue 15
#   PG_PORT=5602                  the port of the benchmark's PostgreSQL cluster (127.0.0.1)
#   PG_SHARED_BUFFERS=8GB         its shared_buffers: room for the whole store (4.6 GB at 1,000,000 events), which is read
#                                 into them (pg_prewarm) before each size is served, as the SQLite store is copied to
#                                 tmpfs (SERVE_FROM=memory), so that neither engine is measured reading a page cache that
#                                 the kernel's DAMON reclaim keeps evicting
#   PG_POOL=8                     the API's connections to PostgreSQL (Npgsql's Maximum Pool Size): a few per core of the
#                                 database's machine; with 100, the 32 requests' backends queued on the 2 cores and the
#                                 p99 of lists went to 150-550 ms
#   GENERATE_CMD=""               another generator, e.g. 'python3 gen.py {events} {seed} {out}'
#                                 (default: dotnet Timeline.Api.dll generate --events N --seed S --out FILE)
#   CEILING=1                     measure the machine's ceiling before and after the runs: wrk against a bare Kestrel
#                                 app returning a fixed 20 KB body (tests/Benchmarks/Ceiling; 0: skip)
#   SERVE_FROM=memory             memory: the server runs on a copy of the store in /dev/shm (tmpfs), so that
#                                 the figures measure the server and not the disk; disk: on the store itself.
#                                 (On the machine the README's figures come from, the kernel's DAMON-based
#                                 reclaim evicts a file's page cache within about 40 s, so a 2.8 GB store
#                                 served from the disk is read back from the virtual disk over and over.)
set -euo pipefail
export LC_ALL=C DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)

SIZES=${SIZES:-"10000 100000 1000000"}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
HOSTILE_QUERIES="h-prefixes h-prefixes-rank h-common-rank h-search h-not h-search-filtered h-facets-all h-facets-deep h-facets-search h-lists-deep"
QUERIES=${QUERIES:-"newest year-category entity search search-relevance event facets csv-year $HOSTILE_QUERIES"}
REGIMES=${REGIMES:-"hot mixed hostile"}
HOSTILE_CONNECTIONS=${HOSTILE_CONNECTIONS:-4}
SEED=${SEED:-42}
PORT=${PORT:-5601}
WORK_DIR=${WORK_DIR:-$HERE/.work}
FRESH=${FRESH:-0}
EXPORT_CHECK=${EXPORT_CHECK:-1}
WRK_TIMEOUT=${WRK_TIMEOUT:-30s}
STARTUP_TIMEOUT=${STARTUP_TIMEOUT:-120}
STEP_TIMEOUT=${STEP_TIMEOUT:-3600}
EXPORT_TIMEOUT=${EXPORT_TIMEOUT:-900}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-120}
REQUEST_LOG=${REQUEST_LOG:-0}
SERVER_ARGS=${SERVER_ARGS:-}
GENERATE_CMD=${GENERATE_CMD:-}
SERVE_FROM=${SERVE_FROM:-memory}
CEILING=${CEILING:-1}
CHECK_DURATION=2s
ENGINE=${ENGINE:-sqlite}
ENGINES=${ENGINES:-}
PG_PORT=${PG_PORT:-5602}
PG_SHARED_BUFFERS=${PG_SHARED_BUFFERS:-8GB}
PG_POOL=${PG_POOL:-8}

KNOWN_QUERIES=" newest year-category entity search search-relevance event facets csv-year $HOSTILE_QUERIES "
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""
SAMPLER_PID=""

say() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Microseconds since the epoch.
now_us() {
  if [[ -n ${EPOCHREALTIME:-} ]]; then local t=$EPOCHREALTIME; echo $((10#${t/./})); else date +%s%6N; fi
}

# A wrk duration (500ms, 10s, 2m, 1h, 10) in whole seconds, rounded up.
duration_s() {
  local d=$1
  case $d in
    *ms) echo $(( (${d%ms} + 999) / 1000 )) ;;
    *s) echo "${d%s}" ;;
    *m) echo $(( ${d%m} * 60 )) ;;
    *h) echo $(( ${d%h} * 3600 )) ;;
    *) echo "$d" ;;
  esac
}

# Installs what a fresh CI machine may lack (Debian packages).
need() {
  local command=$1 package=$2
  command -v "$command" >/dev/null 2>&1 && return
  say "$command is missing: installing the Debian package $package"
  local sudo=""
  [[ $(id -u) == 0 ]] || sudo=sudo
  ($sudo apt-get update -qq && $sudo apt-get install -y -qq "$package") >&2 || die "could not install $package"
}

stop_sampler() {
  if [[ -n $SAMPLER_PID ]]; then
    kill "$SAMPLER_PID" 2>/dev/null || true
    wait "$SAMPLER_PID" 2>/dev/null || true
    SAMPLER_PID=""
  fi
}

stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

# The benchmark's own PostgreSQL cluster (ENGINE=postgres), stopped at the end of the run however it ends.
pg_as() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_pg() { if [[ -n ${PG_STARTED:-} ]]; then pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true; PG_STARTED=""; fi; }

cleanup() { stop_sampler; stop_server; stop_pg; if [[ -n ${MEMORY_DIR:-} ]]; then rm -rf "$MEMORY_DIR"; fi; }
trap cleanup EXIT
trap 'say "error: line $LINENO: \"$BASH_COMMAND\" failed"' ERR
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------- checks
for q in $QUERIES; do [[ $KNOWN_QUERIES == *" $q "* ]] || die "unknown query '$q' (known:$KNOWN_QUERIES)"; done
for r in $REGIMES; do [[ $r == hot || $r == mixed || $r == hostile ]] || die "unknown regime '$r' (hot, mixed or hostile)"; done
for n in $SIZES; do [[ $n =~ ^[1-9][0-9]*$ ]] || die "SIZES must be whole numbers of events, not '$n'"; done
[[ $DURATION =~ ^[0-9]+(ms|s|m|h)?$ && $WARMUP =~ ^[0-9]+(ms|s|m|h)?$ ]] || die "DURATION and WARMUP take wrk durations such as 10s or 1m"

[[ $ENGINE == sqlite || $ENGINE == postgres ]] || die "ENGINE is sqlite or postgres, not '$ENGINE'"

# ENGINES: one run per engine (this script again), then the side-by-side table.
if [[ -n $ENGINES ]]; then
  mkdir -p "$WORK_DIR"
  WORK_DIR=$(cd "$WORK_DIR" && pwd)
  engine_runs=()
  for engine in $ENGINES; do
    say "engine $engine: a whole run"
    ENGINES="" ENGINE=$engine RUN_MARK="$WORK_DIR/last-run-$engine" bash "${BASH_SOURCE[0]}" || die "the $engine run failed"
    engine_runs+=("$engine=$(cat "$WORK_DIR/last-run-$engine")")
  done
  python3 "$HERE/compare.py" "$WORK_DIR/results-engines.md" "${engine_runs[@]}"
  echo
  echo "Markdown: $WORK_DIR/results-engines.md"
  exit 0
fi

command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is required"
need wrk wrk
need curl curl
need python3 python3
if curl -s -o /dev/null --max-time 2 "$BASE/"; then die "something already answers on $BASE; set PORT to a free port"; fi

read -ra size_list <<<"$SIZES"
read -ra query_list <<<"$QUERIES"
read -ra regime_list <<<"$REGIMES"
measure_s=$(duration_s "$DURATION")
warmup_s=0
[[ $WARMUP == 0* ]] || warmup_s=$(duration_s "$WARMUP")
per_run=$((measure_s + warmup_s + $(duration_s $CHECK_DURATION) + 1))
# A hostile query runs in the hostile regime only, every other query in the others.
runs_per_size=0
for q in "${query_list[@]}"; do
  for r in "${regime_list[@]}"; do
    if [[ $q == h-* ]]; then [[ $r == hostile ]] && runs_per_size=$((runs_per_size + 1)); else [[ $r != hostile ]] && runs_per_size=$((runs_per_size + 1)); fi
  done
done
load_s=$(( ${#size_list[@]} * runs_per_size * per_run ))
say "load tests: ${#size_list[@]} sizes x $runs_per_size query runs x ${per_run}s = about $((load_s / 60)) min $((load_s % 60)) s, plus building, loading stores and exports"

mkdir -p "$WORK_DIR"
WORK_DIR=$(cd "$WORK_DIR" && pwd)
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN_DIR="$WORK_DIR/runs/$STAMP-$ENGINE"
mkdir -p "$RUN_DIR" "$WORK_DIR/stores"
RECORDS="$RUN_DIR/records.jsonl"
: >"$RECORDS"

# ---------------------------------------------------------------------------------------------- build
say "building the API in Release"
dotnet build -c Release "$ROOT/src/Timeline.Api" -nologo -v q >"$RUN_DIR/build.log" 2>&1 || { tail -n 30 "$RUN_DIR/build.log" >&2; die "build failed (see $RUN_DIR/build.log)"; }
DLL="$ROOT/src/Timeline.Api/bin/Release/net10.0/Timeline.Api.dll"
[[ -f $DLL ]] || die "no $DLL after the build"
if [[ $CEILING == 1 ]]; then
  dotnet build -c Release "$HERE/Ceiling" -nologo -v q >"$RUN_DIR/build-ceiling.log" 2>&1 || { tail -n 30 "$RUN_DIR/build-ceiling.log" >&2; die "the ceiling app's build failed (see $RUN_DIR/build-ceiling.log)"; }
fi
CEILING_DLL="$HERE/Ceiling/bin/Release/net10.0/Ceiling.dll"
# Every command runs in the build's output folder, as a deployment would: the content root is the working
# directory, and only there does the app find its appsettings.json (log levels and the rest). From the
# repository root it would log every request at Information level and measure the console.
APP_DIR=$(dirname "$DLL")

# The stores are rebuilt whenever the API's sources (generator, import, schema) or the generator change.
SRC_KEY=$(cd "$ROOT" && find src -type f \( -name '*.cs' -o -name '*.sql' -o -name '*.csproj' -o -name '*.json' \) \
  -not -path '*/bin/*' -not -path '*/obj/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)

usage=$(cd "$APP_DIR" && dotnet "$DLL" help 2>&1 || true)
if [[ -z $GENERATE_CMD ]] && ! grep -qw generate <<<"$usage"; then
  die "this build of the API has no 'generate' command yet (merge the branch that adds it, or set GENERATE_CMD)"
fi

commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -z $(git -C "$ROOT" status --porcelain -- src 2>/dev/null) ]] || commit="$commit+local changes"
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | sed -n 1p)
wrk_version=$(wrk -v 2>&1 || true)
wrk_version=$(awk 'NR == 1 { print $1, $2 }' <<<"$wrk_version")
mem_gib=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
if [[ $ENGINE == postgres ]]; then
  # Debian keeps each major version's server programs in /usr/lib/postgresql/N/bin (the newest is used).
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [[ -z $PG_BIN || ! -x $PG_BIN/initdb ]]; then
    need pg_ctlcluster postgresql
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  served="PostgreSQL $("$PG_BIN/postgres" --version | awk '{ print $3 }') on 127.0.0.1 (shared_buffers $PG_SHARED_BUFFERS)"
else
  served="store served from $SERVE_FROM"
fi
machine="$(nproc) cores${cpu:+ ($cpu)}, $mem_gib GiB memory, $(uname -sr), .NET SDK $(dotnet --version), $wrk_version, engine $ENGINE, $served"
python3 - "$RUN_DIR/meta.json" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$commit" "$machine" "$SIZES" "$DURATION" "$WARMUP" \
  "$CONNECTIONS" "$THREADS" "$WRK_TIMEOUT" "$SEED" "$HOSTILE_CONNECTIONS" "$ENGINE" <<'EOF'
import json, sys
out, date, commit, machine, sizes, duration, warmup, connections, threads, timeout, seed, hostile = sys.argv[1:13]
command = f"ENGINE={sys.argv[13]} SIZES='{sizes}' DURATION={duration} bash tests/Benchmarks/run.sh"
json.dump({"engine": sys.argv[13], "date": date, "commit": commit, "machine": machine, "sizes": sizes, "duration": duration, "warmup": warmup,
           "connections": int(connections), "threads": int(threads), "wrk_timeout": timeout, "seed": int(seed),
           "hostile_connections": int(hostile), "command": command}, open(out, "w"), indent=1)
EOF
say "machine: $machine"

# ---------------------------------------------------------------------------------------------- stores
# Generates the dataset and loads it into a new store (both timed), unless an up-to-date one exists.
prepare_store() {
  local n=$1 dir=$2
  local key="$SRC_KEY seed=$SEED events=$n generator=${GENERATE_CMD:-builtin}"
  LOADED_NOW=false
  if [[ $FRESH != 1 && -f $dir/key && $(cat "$dir/key") == "$key" && -f $dir/store.db && -f $dir/load.json ]]; then
    say "$n events: reusing the store in $dir"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$dir"

  say "$n events: generating the dataset"
  local t0 t1 cmd
  t0=$(now_us)
  if [[ -n $GENERATE_CMD ]]; then
    cmd=${GENERATE_CMD//\{events\}/$n}; cmd=${cmd//\{seed\}/$SEED}; cmd=${cmd//\{out\}/$dir/dataset.json}
    timeout "$STEP_TIMEOUT" bash -c "$cmd" >"$dir/generate.log" 2>&1 || { tail -n 20 "$dir/generate.log" >&2; die "generation failed (see $dir/generate.log)"; }
  else
    (cd "$APP_DIR" && timeout "$STEP_TIMEOUT" dotnet "$DLL" generate --events "$n" --seed "$SEED" --out "$dir/dataset.json") \
      >"$dir/generate.log" 2>&1 || { tail -n 20 "$dir/generate.log" >&2; die "generation failed (see $dir/generate.log)"; }
  fi
  t1=$(now_us)
  local generate_us=$((t1 - t0))
  [[ -s $dir/dataset.json ]] || die "the generator wrote no $dir/dataset.json"

  say "$n events: loading $(du -h "$dir/dataset.json" | cut -f1) into a new store (import)"
  t0=$(now_us)
  (cd "$APP_DIR" && ASPNETCORE_ENVIRONMENT=Production timeout "$STEP_TIMEOUT" dotnet "$DLL" import "$dir/dataset.json" \
      --Timeline:DatabasePath="$dir/store.db" --Timeline:SeedPath="$dir/dataset.json") \
    >"$dir/import.log" 2>&1 || { tail -n 20 "$dir/import.log" >&2; die "import failed (see $dir/import.log)"; }
  t1=$(now_us)
  local import_us=$((t1 - t0))
  local reported
  reported=$(grep -o -i -E '[0-9][0-9,. ]*(events/s|events per second)' "$dir/import.log" | tail -n 1 | sed 's/^ *//' || true)
  printf '{"generate_us":%d,"import_us":%d,"dataset_bytes":%d,"store_bytes":%d,"import_reported":"%s","loaded":"%s"}\n' \
    "$generate_us" "$import_us" "$(stat -c %s "$dir/dataset.json")" "$(stat -c %s "$dir/store.db")" "$reported" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" >"$dir/load.json"
  say "$n events: generated in $((generate_us / 1000)) ms, loaded in $((import_us / 1000)) ms ($((n * 1000000 / (import_us > 0 ? import_us : 1))) events/s)${reported:+; the import reported $reported}"
  echo "$key" >"$dir/key"
  LOADED_NOW=true
}

# ---------------------------------------------------------------------------------------------- PostgreSQL
# A cluster of the benchmark's own under WORK_DIR/pg (kept between runs, like the SQLite stores), run as the
# unprivileged postgres user when the script runs as root (initdb refuses root), on 127.0.0.1:PG_PORT.
PG_DIR="$WORK_DIR/pg"
pg_connection() { echo "Host=127.0.0.1;Port=$PG_PORT;Username=timeline;Database=$1;Maximum Pool Size=$PG_POOL"; }
pg_sql() { "$PG_BIN/psql" -X -q -t -A -h 127.0.0.1 -p "$PG_PORT" -U timeline -d "${2:-postgres}" -c "$1"; }
start_pg() {
  if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
    rm -rf "$PG_DIR"; mkdir -p "$PG_DIR"
    [[ $(id -u) != 0 ]] || chown postgres "$PG_DIR"
    pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U timeline --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
      || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  fi
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 120 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=$PG_SHARED_BUFFERS -c effective_cache_size=12GB -c work_mem=16MB -c maintenance_work_mem=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min" \
    start >/dev/null || { tail -n 20 "$PG_DIR/server.log" >&2; die "the PostgreSQL cluster did not start"; }
  PG_STARTED=1
}

# Loads the size's dataset into a database of its own (timed, as prepare_store times the SQLite import), unless an
# up-to-date one exists. Sets PG_DATABASE and LOAD_JSON.
prepare_pg_store() {
  local n=$1 dir=$2
  local key="$SRC_KEY seed=$SEED events=$n generator=${GENERATE_CMD:-builtin}"
  PG_DATABASE="events_${n}_seed_${SEED}"
  LOAD_JSON="$dir/pg-load.json"
  if [[ $FRESH != 1 && -f $dir/pg-key && $(cat "$dir/pg-key") == "$key" && -f $LOAD_JSON \
        && $(pg_sql "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'") == 1 ]]; then
    say "$n events: reusing the PostgreSQL database $PG_DATABASE"
    LOADED_NOW=false
    return
  fi
  pg_sql "DROP DATABASE IF EXISTS $PG_DATABASE WITH (FORCE)" >/dev/null
  pg_sql "CREATE DATABASE $PG_DATABASE" >/dev/null
  say "$n events: loading $(du -h "$dir/dataset.json" | cut -f1) into the PostgreSQL database $PG_DATABASE (import)"
  local t0 t1
  t0=$(now_us)
  (cd "$APP_DIR" && ASPNETCORE_ENVIRONMENT=Production timeout "$STEP_TIMEOUT" dotnet "$DLL" import "$dir/dataset.json" \
      --Timeline:Store=postgres --ConnectionStrings:Timeline="$(pg_connection "$PG_DATABASE")" --Timeline:SeedPath="$dir/dataset.json") \
    >"$dir/pg-import.log" 2>&1 || { tail -n 20 "$dir/pg-import.log" >&2; die "the PostgreSQL import failed (see $dir/pg-import.log)"; }
  t1=$(now_us)
  # As the store will be once autovacuum has passed and the load's pages are written out: measured without the vacuum
  # of the new rows and the checkpoint of the load's WAL running under the queries (neither counts in the load's time).
  pg_sql "VACUUM ANALYZE" "$PG_DATABASE" >/dev/null
  pg_sql "CHECKPOINT" >/dev/null
  local import_us=$((t1 - t0)) reported
  reported=$(grep -o -i -E '[0-9][0-9,. ]*(events/s|events per second)' "$dir/pg-import.log" | tail -n 1 | sed 's/^ *//' || true)
  printf '{"generate_us":%d,"import_us":%d,"dataset_bytes":%d,"store_bytes":%d,"import_reported":"%s","loaded":"%s"}\n' \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["generate_us"])' "$dir/load.json")" "$import_us" \
    "$(stat -c %s "$dir/dataset.json")" "$(pg_sql "SELECT pg_database_size('$PG_DATABASE')")" "$reported" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')" >"$LOAD_JSON"
  say "$n events: loaded into PostgreSQL in $((import_us / 1000)) ms ($((n * 1000000 / (import_us > 0 ? import_us : 1))) events/s)${reported:+; the import reported $reported}"
  echo "$key" >"$dir/pg-key"
  LOADED_NOW=true
}

# ---------------------------------------------------------------------------------------------- server
# Starts the API on a store and waits for the first 200 to GET /events?limit=1; sets SERVER_PID and TTFA_MS.
start_server() {
  local dir=$1 log=$2 db=$3
  local -a args=(--urls "$BASE" --Timeline:DatabasePath="$db" --Timeline:SeedPath="$dir/dataset.json" --Timeline:Store="$ENGINE"
    --Timeline:RateLimits:ReadsPerWindow=0 --Timeline:RateLimits:WritesPerWindow=0)
  [[ $ENGINE != postgres ]] || args+=(--ConnectionStrings:Timeline="$(pg_connection "$PG_DATABASE")")
  [[ $REQUEST_LOG == 1 ]] || args+=(--Logging:LogLevel:Timeline.Api.Requests=Warning)
  # shellcheck disable=SC2206
  [[ -z $SERVER_ARGS ]] || args+=($SERVER_ARGS)
  local t0 code
  t0=$(now_us)
  (cd "$APP_DIR" && ASPNETCORE_ENVIRONMENT=Production exec dotnet "$DLL" "${args[@]}") >"$log" 2>&1 &
  SERVER_PID=$!
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$BASE/events?limit=1" || true)
    [[ $code == 200 ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$log" >&2; SERVER_PID=""; die "the server exited (see $log)"; }
    (( $(now_us) - t0 < STARTUP_TIMEOUT * 1000000 )) || { tail -n 20 "$log" >&2; die "no 200 from $BASE/events?limit=1 within ${STARTUP_TIMEOUT}s (last status $code)"; }
    sleep 0.01
  done
  TTFA_MS=$(( ($(now_us) - t0) / 1000 ))
}

# Prints the BENCH_RESULT object of one wrk run, or null.
run_wrk() {
  local params=$1 query=$2 regime=$3 check=$4 connections=$5 threads=$6 duration=$7 out=$8
  local limit=$(( $(duration_s "$duration") + 60 ))
  BENCH_PARAMS="$params" BENCH_QUERY="$query" BENCH_REGIME="$regime" BENCH_CHECK="$check" BENCH_SEED="$SEED" \
    timeout --kill-after=10 "$limit" wrk -t"$threads" -c"$connections" -d"$duration" --timeout "$WRK_TIMEOUT" --latency \
    -s "$HERE/bench.lua" "$BASE/" >"$out" 2>&1 || echo "wrk exited with status $?" >>"$out"
  local line
  line=$(grep '^BENCH_RESULT ' "$out" | tail -n 1 | cut -d' ' -f2- || true)
  echo "${line:-null}"
}

# The CPU time the process has used, in clock ticks (utime + stime from /proc/PID/stat).
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }' || echo 0; }

# Waits until the server uses under 10% of a core (at most DRAIN_TIMEOUT s): wrk stops at the end of its
# time without waiting for the answers in flight, and work the server goes on doing for them must not load
# the next run. Prints the milliseconds waited.
wait_idle() {
  local pid=$1 start prev current ticks
  ticks=$(getconf CLK_TCK 2>/dev/null || echo 100)
  start=$(now_us)
  prev=$(cpu_ticks "$pid")
  while (( $(now_us) - start < DRAIN_TIMEOUT * 1000000 )); do
    sleep 0.5
    current=$(cpu_ticks "$pid")
    (( current - prev <= ticks / 20 )) && break
    prev=$current
  done
  echo $(( ($(now_us) - start) / 1000 ))
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# The machine's ceiling of the moment: wrk (the same threads, connections, warm-up and duration) against the bare
# Kestrel app, whose every answer is one fixed 20 KB body. Appends a "ceiling" record and says the figure.
measure_ceiling() {
  local when=$1
  [[ $CEILING == 1 ]] || return 0
  local log="$RUN_DIR/ceiling-$when.log" out="$RUN_DIR/wrk-ceiling-$when.txt" pid code=""
  (cd "$(dirname "$CEILING_DLL")" && exec dotnet "$CEILING_DLL" --urls "$BASE") >"$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/" || true)
    [[ $code == 200 ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ $code == 200 ]]; then
    local limit=$(( measure_s + warmup_s + 60 ))
    if [[ $warmup_s -gt 0 ]]; then
      timeout --kill-after=10 "$limit" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$BASE/" >/dev/null 2>&1 || true
    fi
    timeout --kill-after=10 "$limit" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$BASE/" >"$out" 2>&1 || true
    python3 "$HERE/report.py" --ceiling "$out" "$when" >>"$RECORDS"
    say "ceiling ($when the runs): a bare Kestrel app answering a fixed 20 KB body: $(awk '/^Requests\/sec:/ { print $2 }' "$out") requests/s"
  else
    say "ceiling ($when the runs): the bare Kestrel app did not answer (see $log)"
  fi
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# ---------------------------------------------------------------------------------------------- runs
[[ $ENGINE != postgres ]] || start_pg
measure_ceiling before
MEMORY_DIR=""
for n in "${size_list[@]}"; do
  dir="$WORK_DIR/stores/events-$n-seed-$SEED"
  prepare_store "$n" "$dir"
  LOAD_JSON="$dir/load.json"
  serve_db="$dir/store.db"
  if [[ $ENGINE == postgres ]]; then
    prepare_pg_store "$n" "$dir"
    pg_sql "CREATE EXTENSION IF NOT EXISTS pg_prewarm" "$PG_DATABASE" >/dev/null
    prewarmed=$(pg_sql "SELECT COALESCE(sum(pg_prewarm(c.oid)), 0) FROM pg_class c WHERE c.relnamespace IN ('public'::regnamespace, 'pg_toast'::regnamespace) AND c.relkind IN ('r', 'i', 't')" "$PG_DATABASE")
    say "$n events: read the store into PostgreSQL's shared buffers ($((prewarmed * 8 / 1024)) MB, pg_prewarm)"
  elif [[ $SERVE_FROM == memory ]]; then
    free_kb=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }' || echo 0)
    if (( ${free_kb:-0} * 1024 > $(stat -c %s "$dir/store.db") * 3 / 2 )); then
      MEMORY_DIR=$(mktemp -d /dev/shm/timeline-bench.XXXXXX)
      cp "$dir/store.db" "$MEMORY_DIR/store.db"
      serve_db="$MEMORY_DIR/store.db"
      say "$n events: serving a copy of the store from $MEMORY_DIR (tmpfs)"
    else
      say "$n events: /dev/shm has no room for a copy of the store: serving it from the disk"
    fi
  fi
  params="$RUN_DIR/params-$n"
  python3 "$HERE/params.py" --db "$dir/store.db" --dataset "$dir/dataset.json" --out "$params" --seed "$SEED" \
    >"$params.log" 2>&1 || { cat "$params.log" >&2; die "could not read the mixed regime's values from the store"; }
  cached=true
  [[ $LOADED_NOW == true ]] && cached=false
  say "$n events: $(tr '\n' ' ' <"$params/meta.txt")"

  server_log="$RUN_DIR/server-$n.log"
  start_server "$dir" "$server_log" "$serve_db"
  say "$n events: the server (pid $SERVER_PID) answered its first request ${TTFA_MS} ms after it was started"
  python3 "$HERE/rss.py" "$SERVER_PID" "$RUN_DIR/rss-$n.txt" 0.1 &
  SAMPLER_PID=$!
  wait_idle "$SERVER_PID" >/dev/null
  # The first facet request builds the in-memory copy facets are counted from (Events/DateCategoryIndex.cs): timed here,
  # so that no measured run waits for it.
  t0=$(now_us)
  curl -s -o /dev/null --max-time 120 "$BASE/events/facets?facet=tag" || true
  FACETS_FIRST_MS=$(( ($(now_us) - t0) / 1000 ))
  say "$n events: the first facet request (it builds the facets' in-memory copy) took ${FACETS_FIRST_MS} ms"
  wait_idle "$SERVER_PID" >/dev/null

  # The full export first, on a server that has not yet been loaded: buffering would show most clearly.
  if [[ $EXPORT_CHECK == 1 ]]; then
    before=$(rss_kb "$SERVER_PID")
    say "$n events: streaming a CSV export of every event (server RSS now $((before * 1024 / 1000000)) MB)"
    t0=$(now_us)
    stats=$(curl -s -o /dev/null --max-time "$EXPORT_TIMEOUT" -w '%{http_code} %{size_download} %{time_total}' "$BASE/events.csv" || true)
    t1=$(now_us)
    read -r http bytes secs <<<"${stats:-000 0 0}"
    sleep 0.3
    printf '{"kind":"export","size":%d,"t0":%d,"t1":%d,"http":%d,"bytes":%d,"seconds":%s,"rss_before_kb":%d}\n' \
      "$n" "$t0" "$t1" "$((10#$http))" "$bytes" "$secs" "$before" >>"$RECORDS"
    say "$n events: exported $bytes bytes in ${secs}s (HTTP $http)"
    wait_idle "$SERVER_PID" >/dev/null
  fi

  for query in "${query_list[@]}"; do
    for regime in "${regime_list[@]}"; do
      if [[ $query == h-* ]]; then [[ $regime == hostile ]] || continue; else [[ $regime != hostile ]] || continue; fi
      connections=$CONNECTIONS threads=$THREADS
      if [[ $regime == hostile ]]; then connections=$HOSTILE_CONNECTIONS; (( threads <= connections )) || threads=$connections; fi
      base="$RUN_DIR/wrk-$n-$query-$regime"
      check=$(run_wrk "$params" "$query" "$regime" 1 1 1 "$CHECK_DURATION" "$base-check.txt")
      if [[ $warmup_s -gt 0 ]]; then
        run_wrk "$params" "$query" "$regime" 0 "$connections" "$threads" "$WARMUP" "$base-warmup.txt" >/dev/null
      fi
      t0=$(now_us)
      result=$(run_wrk "$params" "$query" "$regime" 0 "$connections" "$threads" "$DURATION" "$base.txt")
      t1=$(now_us)
      kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$server_log" >&2; SERVER_PID=""; die "the server died during $query/$regime (see $server_log)"; }
      if [[ $result == null ]]; then
        say "$n events: $query/$regime: wrk gave no result (see $base.txt)"
      else
        say "$n events: $query/$regime: $(python3 "$HERE/report.py" --line "$result")"
      fi
      drain_ms=$(wait_idle "$SERVER_PID")
      (( drain_ms < 2000 )) || say "$n events: the server went on working for $((drain_ms / 1000)) s after wrk stopped"
      # When no request completed in the measurement, time one request alone on the idle server.
      single=null
      if [[ $result == null || $result == *'"requests":0,'* ]]; then
        hot_path=$(sed -n 's/.*"hot_path":"\([^"]*\)".*/\1/p' <<<"$check")
        if [[ -n $hot_path ]]; then
          single=$(curl -s -o /dev/null --max-time "$(duration_s "$WRK_TIMEOUT")" -w '{"http":%{http_code},"seconds":%{time_total},"bytes":%{size_download}}' "$BASE$hot_path" || true)
          [[ $single == \{* ]] || single=null
          say "$n events: one request alone ($hot_path): $single"
          wait_idle "$SERVER_PID" >/dev/null
        fi
      fi
      printf '{"kind":"run","size":%d,"query":"%s","regime":"%s","t0":%d,"t1":%d,"wrk":%s,"check":%s,"drain_ms":%d,"single":%s,"log":"%s"}\n' \
        "$n" "$query" "$regime" "$t0" "$t1" "$result" "$check" "$drain_ms" "$single" "$base.txt" >>"$RECORDS"
    done
  done

  hwm=$(hwm_kb "$SERVER_PID")
  stop_sampler
  stop_server
  if [[ -n $MEMORY_DIR ]]; then rm -rf "$MEMORY_DIR"; MEMORY_DIR=""; fi
  problems=$(grep -c -E '^(warn|fail|crit):|"LogLevel":"(Warning|Error|Critical)"' "$server_log" || true)
  python3 - "$LOAD_JSON" "$n" "$TTFA_MS" "$hwm" "$cached" "$problems" "$server_log" "$FACETS_FIRST_MS" >>"$RECORDS" <<'EOF'
import json, sys
load = json.load(open(sys.argv[1]))
print(json.dumps({"kind": "size", "size": int(sys.argv[2]), "ttfa_ms": int(sys.argv[3]), "hwm_kb": int(sys.argv[4]),
                  "facets_first_ms": int(sys.argv[8]),
                  "load_cached": sys.argv[5] == "true", "load_s": load["import_us"] / 1e6,
                  "generate_s": load["generate_us"] / 1e6, "import_reported": load.get("import_reported") or "",
                  "dataset_bytes": load["dataset_bytes"], "store_bytes": load["store_bytes"],
                  "log_problems": int(sys.argv[6] or 0), "log": sys.argv[7]}))
EOF
done

measure_ceiling after

# ---------------------------------------------------------------------------------------------- report
echo >&2
python3 "$HERE/report.py" "$RUN_DIR" "$RUN_DIR/results.md"
cp "$RUN_DIR/results.md" "$WORK_DIR/results.md"
echo
echo "Markdown: $WORK_DIR/results.md   logs: $RUN_DIR"
[[ -z ${RUN_MARK:-} ]] || echo "$RUN_DIR" >"$RUN_MARK"
