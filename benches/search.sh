#!/usr/bin/env bash
# Search benchmarks against the release binary (issue "Search"):
#   (a) a two-word Vietnamese query with three facet fields: "dân số" (matches 86 % of the
#       generated catalogue, the worst case) and "giá đất" (about 1,300 matches); and "gia dta",
#       a typo corrected from the index's term dictionary
#   (b) fq on organisation + res_format, sorted by metadata_modified desc
#   (c) rows=1000&start=90000 (deep paging, as a harvester's last pages)
# each with `wrk -t1 -c1 -d10s --latency` (latency of one client) then `wrk -t2 -c8 -d10s`
# (throughput) anonymously ((c) as the demo sysadmin with include_private=true,
# so page 91 exists), after `kho demo load --datasets STORED` (default
# 100000) and a timed `kho search rebuild`. Prints the server's resident memory (VmRSS) and its
# peak (VmHWM) after the runs.
# Usage: benches/search.sh [sqlite|postgres] [STORED]   (postgres needs DATABASE_URL: an empty database)
stored="${2:-100000}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "${1:-sqlite}"
echo "engine: $engine, $(nproc) cores"
if [[ ! -f "$data/.loaded-$stored" ]]; then
    loaded=$(date +%s)
    "$bin" demo load --datasets "$stored" 2>&1 | tr '\r' '\n' | grep . | tail -n 1
    echo "loaded $stored datasets in $(( $(date +%s) - loaded )) s"
    touch "$data/.loaded-$stored"
fi
"$bin" search rebuild 2>/dev/null
start
facets='%5B%22organization%22%2C%22res_format%22%2C%22tags%22%5D'
declare -A urls=(
    [a-dan-so-3-facets]="package_search?q=d%C3%A2n%20s%E1%BB%91&facet.field=$facets"
    [a-gia-dat-3-facets]="package_search?q=gi%C3%A1%20%C4%91%E1%BA%A5t&facet.field=$facets"
    [a-typo-gia-dta-3-facets]="package_search?q=gia%20dta&facet.field=$facets"
    [b-fq-org-format-sorted]="package_search?fq=organization:so-y-te%20AND%20res_format:CSV&sort=metadata_modified%20desc"
    [c-rows-1000-start-90000]="package_search?rows=1000&start=90000&include_private=true"
)
for label in a-dan-so-3-facets a-gia-dat-3-facets a-typo-gia-dta-3-facets b-fq-org-format-sorted c-rows-1000-start-90000; do
    url="$base/api/3/action/${urls[$label]}"
    count="$(curl -sf -H "$( [[ "$label" == c-* ]] && echo "Authorization: $KHO_TOKEN" || echo "X-Anonymous: 1")" "$url" | python3 -c 'import json,sys; r=json.load(sys.stdin)["result"]; print(r["count"], len(r["results"]))')"
    auth="X-Anonymous: 1"
    [[ "$label" == c-* ]] && auth="Authorization: $KHO_TOKEN"
    one="$(wrk -t1 -c1 -d10s --latency -H "$auth" "$url")"
    many="$(wrk -t2 -c8 -d10s -H "$auth" "$url")"
    if grep -q 'Non-2xx' <<<"$one$many"; then echo "error responses:"; echo "$one$many"; exit 1; fi
    printf '%-26s one client: p50 %8s p99 %8s %8s req/s | 8 clients: %8s req/s  (count, rows: %s)\n' "$label" \
        "$(awk '$1=="50%" {print $2}' <<<"$one")" "$(awk '$1=="99%" {print $2}' <<<"$one")" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$one")" "$(awk '/Requests\/sec/ {print $2}' <<<"$many")" "$count"
done
grep -E 'VmRSS|VmHWM' "/proc/$server/status"
stop
