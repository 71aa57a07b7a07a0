#!/usr/bin/env bash
# DCAT feed benchmark (issue "DCAT-AP 3"): streams the whole public catalogue page by page
# (`/catalog.ttl?page=N`, then `.rdf`), one request after another on one connection, as a
# harvester does, after
# `kho demo load --datasets STORED` (default 100000); prints pages, datasets, seconds,
# datasets/s and the server's resident memory (VmRSS) and peak (VmHWM) after each format.
# Usage: benches/dcat.sh [sqlite|postgres] [STORED]   (postgres needs DATABASE_URL: an empty database)
# CLIENTS=16 benches/dcat.sh …: instead, 16 concurrent clients over all Turtle pages for 20 s,
# then the server's memory (several harvesters at once).
stored="${2:-100000}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "${1:-sqlite}"
echo "engine: $engine, $(nproc) cores"
if [[ ! -f "$data/.loaded-$stored" ]]; then
    "$bin" demo load --datasets "$stored" 2>&1 | tr '\r' '\n' | grep . | tail -n 1
    touch "$data/.loaded-$stored"
fi
start
total="$(curl -sf "$base/api/3/action/package_search?rows=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["count"])')"
pages=$(( (total + 99) / 100 ))
if [[ -n "${CLIENTS:-}" ]]; then
    # Several harvesters at once: CLIENTS connections for 20 s over every page (a fresh server,
    # so its peak memory is this load's).
    out="$(KHO_PAGES="$pages" wrk -t2 -c"$CLIENTS" -d20s -s benches/catalog_pages.lua "$base")"
    grep -q 'Non-2xx' <<<"$out" && { echo "error answers"; echo "$out"; exit 1; }
    printf 'ttl  %d clients %9s pages/s   %s\n' "$CLIENTS" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
        "$(grep -E 'VmRSS|VmHWM|RssAnon|RssFile' "/proc/$server/status" | tr -s ' \t\n' ' ')"
    stop
    exit 0
fi
for extension in ttl rdf; do
    began=$(date +%s.%N)
    # One curl for all pages: one kept-alive connection, pages requested one after another.
    sizes="$(curl -sf -w '%{size_download}\n' $(for page in $(seq 1 "$pages"); do printf -- '-o /dev/null %s ' "$base/catalog.$extension?page=$page"; done))" \
        || { echo "a page failed"; exit 1; }
    bytes=$(awk '{s += $1} END {print s}' <<<"$sizes")
    took="$(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$began" "$(date +%s.%N)")"
    printf '%-4s %5d pages %7d datasets %8.1f s %7.0f datasets/s %6d MB   %s\n' "$extension" "$pages" "$total" "$took" \
        "$(python3 -c "print($total / $took)")" $(( bytes / 1048576 )) "$(grep -E 'VmRSS|VmHWM' "/proc/$server/status" | tr -s ' \t\n' ' ')"
done
stop
