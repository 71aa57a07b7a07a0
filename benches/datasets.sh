#!/usr/bin/env bash
# Dataset benchmarks against the release binary (issue "Datasets and resources"):
#   package_show of a dataset with 3 resources   wrk -t2 -c16 -d10s
#   package_create, sequential (one connection)  wrk -t1 -c1 -d10s with benches/package_create.lua
#   package_create, 16 clients                    wrk -t2 -c16 -d10s with the same script
# first on the demo portal (330 datasets), then again with STORED extra datasets loaded
# (default 100000) through `kho demo load --datasets`.
# Usage: benches/datasets.sh [sqlite|postgres] [STORED]   (postgres needs DATABASE_URL: an empty database)
stored="${2:-100000}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "${1:-sqlite}"
measure() {
    local label="$1"
    curl -sf -H "Authorization: $KHO_TOKEN" -H 'Content-Type: application/json' "$base/api/3/action/package_create" \
        -d "{\"name\":\"ba-tai-nguyen-$label\",\"owner_org\":\"so-tai-chinh\",\"resources\":[{\"url\":\"https://a.vn/1.csv\"},{\"url\":\"https://a.vn/2.xlsx\"},{\"url\":\"https://a.vn/3.pdf\"}]}" >/dev/null
    local show create create16 ticks
    show="$(wrk -t2 -c16 -d10s --latency "$base/api/3/action/package_show?id=ba-tai-nguyen-$label")"
    ticks="$(awk '{print $14 + $15}' "/proc/$server/stat")"
    create="$(wrk -t1 -c1 -d10s -s benches/package_create.lua "$base")"
    ticks="$(( $(awk '{print $14 + $15}' "/proc/$server/stat") - ticks ))"
    create16="$(wrk -t2 -c16 -d10s -s benches/package_create.lua "$base")"
    if grep -q 'Non-2xx' <<<"$show$create$create16"; then echo "error responses:"; echo "$show$create$create16"; exit 1; fi
    printf '%-22s package_show %9s req/s (p50 %s, p99 %s)   package_create %8s datasets/s (%s ms server CPU each), %8s/s with 16 clients\n' \
        "$label" "$(awk '/Requests\/sec/ {print $2}' <<<"$show")" "$(awk '$1=="50%" {print $2}' <<<"$show")" \
        "$(awk '$1=="99%" {print $2}' <<<"$show")" "$(awk '/Requests\/sec/ {print $2}' <<<"$create")" \
        "$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" '/requests in/ {printf "%.2f", t * 1000 / hz / $1}' <<<"$create")" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$create16")"
}
echo "engine: $engine, $(nproc) cores"
start
measure "demo-330"
stop
count_before=$(date +%s)
"$bin" demo load --datasets "$stored" 2>&1 | tr '\r' '\n' | tail -n 2 | head -n 1
echo "loaded $stored datasets in $(( $(date +%s) - count_before )) s"
# Index them before measuring, so the server is not still catching up in the background.
"$bin" search rebuild 2>&1 | tr '\r' '\n' | tail -n 1
start
measure "plus-$stored"
stop
