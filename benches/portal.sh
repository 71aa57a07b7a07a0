#!/usr/bin/env bash
# Portal page budgets (issue "public portal"), against the release binary:
#   server time of the home page, the search page with all eight facets (no text, a broad
#   query and a selective one), a dataset page, a resource page with a preview and an
#   organisation page: `wrk -t1 -c1 -d10s --latency` (one client: the latency is the server's
#   time plus loopback), then `wrk -t2 -c8 -d10s` (throughput);
#   and the weight of each page: HTML bytes as sent gzipped, and the page's first-view total
#   (HTML + style sheet + icon, gzipped; the portal has no JavaScript and no fonts).
# Usage: benches/portal.sh [sqlite|postgres] [STORED]   STORED generated datasets are added to
# the demo first (default 0: the demo catalogue alone; 100000 for the issue's budgets).
# KHO_BENCH_DATA=DIR keeps (and reuses) the loaded store.
stored="${2:-0}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "${1:-sqlite}"
echo "engine: $engine, $(nproc) cores"
if [[ "$stored" -gt 0 && ! -f "$data/.loaded-$stored" ]]; then
    loaded=$(date +%s)
    "$bin" demo load --datasets "$stored" 2>&1 | tr '\r' '\n' | grep . | tail -n 1
    echo "loaded $stored datasets in $(( $(date +%s) - loaded )) s"
    "$bin" search rebuild 2>/dev/null
    touch "$data/.loaded-$stored"
fi
start
# A provincial-schema dataset with an uploaded file (the demo's first public datasets have one).
read -r dataset resource < <(curl -sf "$base/api/3/action/current_package_list_with_resources?limit=1000" | python3 -c '
import json, sys
for d in json.load(sys.stdin)["result"]:
    for r in d["resources"]:
        if r.get("url_type") == "upload" and r.get("format") == "CSV":
            print(d["name"], r["id"]); sys.exit()')
count="$(curl -sf "$base/api/3/action/package_search?rows=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["count"])')"
echo "public datasets: $count; dataset page: $dataset"
declare -A pages=(
    [home]="/"
    [search-all-facets]="/dataset"
    [search-dan-so]="/dataset?q=d%C3%A2n+s%E1%BB%91"
    [search-gia-dat]="/dataset?q=gi%C3%A1+%C4%91%E1%BA%A5t"
    [search-filtered]="/dataset?organization=so-y-te&res_format=CSV&sort=metadata_modified+desc"
    [dataset]="/dataset/$dataset"
    [resource-preview]="/dataset/$dataset/resource/$resource"
    [organization]="/organization/so-y-te"
)
css="$(curl -sf "$base/" | grep -o '/static/kho\.[0-9a-f]*\.css')"
icon="$(curl -sf "$base/" | grep -o '/static/kho\.[0-9a-f]*\.svg' | head -n 1)"
gz() { curl -sf --compressed -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "$base$1"; }
assets=$(( $(gz "$css") + $(gz "$icon") ))
echo "style sheet + icon: $assets bytes as sent"
printf '%-18s %10s %10s %10s | %10s | %9s %9s %9s\n' page p50 p99 'req/s(1)' 'req/s(8)' 'html' 'html.gz' 'first.gz'
for label in home search-all-facets search-dan-so search-gia-dat search-filtered dataset resource-preview organization; do
    url="$base${pages[$label]}"
    one="$(wrk -t1 -c1 -d10s --latency -H 'Accept: text/html' "$url")"
    many="$(wrk -t2 -c8 -d10s -H 'Accept: text/html' "$url")"
    if grep -q 'Non-2xx' <<<"$one$many"; then echo "error responses on $label:"; echo "$one$many"; exit 1; fi
    raw="$(curl -sf -o /dev/null -w '%{size_download}' "$url")"
    packed="$(gz "${pages[$label]}")"
    printf '%-18s %10s %10s %10s | %10s | %9s %9s %9s\n' "$label" \
        "$(awk '$1=="50%" {print $2}' <<<"$one")" "$(awk '$1=="99%" {print $2}' <<<"$one")" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$one")" "$(awk '/Requests\/sec/ {print $2}' <<<"$many")" \
        "$raw" "$packed" "$(( packed + assets ))"
done
grep -E 'VmRSS|VmHWM' "/proc/$server/status"
stop
