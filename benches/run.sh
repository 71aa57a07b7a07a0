#!/usr/bin/env bash
# Load-tests the release binary with wrk on this machine's loopback, over the demo portal.
# Usage: benches/run.sh [sqlite|postgres]   (postgres needs DATABASE_URL pointing at an empty database)
# Needs: wrk (apt-get install wrk). Every run is bounded: 2 threads, 32 connections, 10 s per URL.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "${1:-sqlite}"
start
base="$base/api/3/action"
token="$KHO_TOKEN"
run() {
    local label="$1"; shift
    local out
    out="$(wrk -t2 -c32 -d10s --latency "$@")"
    printf '%-48s %10s req/s   p50 %8s   p99 %8s\n' "$label" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
        "$(awk '$1=="50%" {print $2}' <<<"$out")" \
        "$(awk '$1=="99%" {print $2}' <<<"$out")"
}
echo "engine: $engine, $(nproc) cores, wrk -t2 -c32 -d10s"
run "status_show (anonymous)" "$base/status_show"
run "organization_show id=so-y-te (anonymous)" "$base/organization_show?id=so-y-te"
run "organization_list all_fields=true (anonymous)" "$base/organization_list?all_fields=true"
run "user_show (API token)" -H "Authorization: $token" "$base/user_show"
