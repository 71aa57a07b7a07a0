#!/usr/bin/env bash
# The provincial reports' latency (issue "provincial workflows"), release binary, SQLite: the demo
# portal plus N generated datasets (default 10000), indexed; each report action is called 5
# times as the sysadmin and the median wall time (curl's time_total) is printed, with the
# number of datasets it covered.
# Usage: benches/reports.sh [N]     KHO_BENCH_DATA=DIR keeps the store between runs.
stored="${1:-10000}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" sqlite
if [[ ! -f "$data/.loaded-$stored" ]]; then
    "$bin" demo load --datasets "$stored" 2>&1 | tr '\r' '\n' | grep . | tail -n 1
    "$bin" search rebuild 2>/dev/null
    touch "$data/.loaded-$stored"
fi
start
total="$(curl -sf -H "Authorization: $KHO_TOKEN" "$base/api/3/action/package_search?rows=0&include_private=true" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["count"])')"
one="$(curl -sf "$base/api/3/action/package_search?rows=1&fq=organization:so-y-te" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["results"][0]["name"])')"
echo "datasets: $total, $(nproc) cores"
median() {
    local query="$1" times=()
    for _ in 1 2 3 4 5; do
        times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "Authorization: $KHO_TOKEN" "$base/api/3/action/$query")")
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}
printf '%-60s %s\n' "action" "median seconds"
for query in "quality_show?id=$one" "organization_quality_show?id=so-y-te" "retention_list" \
    "update_compliance_report?quarter=2026Q4" "quarterly_summary_report?quarter=2026Q4" \
    "annual_evaluation_report?year=2026" "access_request_list"; do
    printf '%-60s %s\n' "$query" "$(median "$query")"
done
