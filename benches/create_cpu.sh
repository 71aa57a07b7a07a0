#!/usr/bin/env bash
# Sequential package_create (wrk -t1 -c1 -d10s, benches/package_create.lua) with the CPU time the
# server process spent per created dataset, read from /proc before and after the run: a figure
# that moves far less than req/s when other tenants share the machine's cores.
# Usage: benches/create_cpu.sh [sqlite|postgres] [RUNS]
#   KHO_BIN=/path/to/kho   measure another build (default: the release binary built here)
#   KHO_BENCH_DATA=DIR     reuse a loaded data directory (see common.sh)
#   CONNECTIONS=16         concurrent clients (wrk -t2 -cN) instead of one
runs="${2:-3}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "${1:-sqlite}"
bin="${KHO_BIN:-$bin}"
connections="${CONNECTIONS:-1}"
threads=$(( connections > 1 ? 2 : 1 ))
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
# PostgreSQL's CPU: every process of the server's owner (a local test cluster), 0 for SQLite.
pg_ticks() {
    [[ "$engine" == postgres ]] || { echo 0; return; }
    local total=0 pid
    for pid in $(pgrep -u postgres); do
        total=$(( total + $(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0) ))
    done
    echo "$total"
}
echo "engine: $engine, binary: $bin, $(nproc) cores, $connections connection(s)"
for run in $(seq "$runs"); do
    start
    before="$(cpu_ticks)" pg_before="$(pg_ticks)"
    out="$(wrk "-t$threads" "-c$connections" -d10s -s benches/package_create.lua "$base")"
    after="$(cpu_ticks)" pg_after="$(pg_ticks)"
    stop
    if grep -q 'Non-2xx' <<<"$out"; then echo "error responses:"; echo "$out"; exit 1; fi
    created="$(awk '/requests in/ {print $1}' <<<"$out")"
    awk -v run="$run" -v rate="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" -v ticks="$((after - before))" \
        -v pg="$((pg_after - pg_before))" -v n="$created" -v hz="$(getconf CLK_TCK)" -v engine="$engine" \
        'BEGIN { printf "run %d: %8s datasets/s   %.2f ms server CPU per dataset", run, rate, ticks * 1000 / hz / n
                 if (engine == "postgres") printf "   %.2f ms PostgreSQL CPU", pg * 1000 / hz / n
                 printf "\n" }'
done
