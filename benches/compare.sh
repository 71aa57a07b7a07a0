#!/usr/bin/env bash
# Two builds side by side on one ~2,000-dataset catalogue (the demo portal plus generated
# datasets): each URL below with `wrk -t2 -c16 -d8s` (req/s), the server's CPU time per
# request, and its peak memory (VmHWM) after 16 concurrent clients read `/catalog.ttl` pages.
# Then, once every read is measured (creates grow the catalogue), package_create with 1 and
# with 16 clients; on SQLite also the new build with `KHO_SQLITE_SYNCHRONOUS=normal` (the old
# builds' setting). The builds alternate, ROUNDS times each.
# Usage: benches/compare.sh BEFORE_BIN AFTER_BIN [sqlite|postgres] [ROUNDS]
#   postgres needs DATABASE_URL (an empty database, reused by both builds).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
before="$1" after="$2" engine="${3:-sqlite}" rounds="${4:-2}"
data="$(mktemp -d)"
trap 'kill "${server:-}" 2>/dev/null || true; rm -rf "$data"' EXIT
[[ "$engine" == sqlite ]] && unset DATABASE_URL
export KHO_DATA_DIR="$data" RUST_LOG=warn KHO_SITE_URL=http://kho.localhost
"$after" demo load >/dev/null 2>&1
"$after" demo load --datasets 1670 2>&1 | tr '\r' '\n' | grep . | tail -n 1
token="$("$after" token create admin --name bench)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
facets='%5B%22organization%22%2C%22res_format%22%2C%22tags%22%5D'
labels=(package_show tag_list package_list organization_list_all_fields search_a_dan_so search_c_rows_1000)
declare -A urls=(
    [package_show]=""   # a public dataset with resources, found once the server runs
    [tag_list]="tag_list"
    [package_list]="package_list"
    [organization_list_all_fields]="organization_list?all_fields=true"
    [search_a_dan_so]="package_search?q=d%C3%A2n%20s%E1%BB%91&facet.field=$facets"
    [search_c_rows_1000]="package_search?rows=1000&start=1000&include_private=true"
)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
start_server() {
    "$1" serve --bind "127.0.0.1:$port" & server=$!
    for _ in $(seq 200); do curl -sf "$base/api/3/action/status_show" >/dev/null && return; sleep 0.1; done
}
stop_server() { kill "$server"; wait "$server" 2>/dev/null || true; server=""; }
reads() {
    local name="$1"
    start_server "$2"
    local shown
    shown="$(curl -sf "$base/api/3/action/package_search?rows=1&fq=num_resources:%5B3%20TO%20*%5D&sort=name%20asc" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["results"][0]["name"])')"
    urls[package_show]="package_show?id=$shown"
    for label in "${labels[@]}"; do
        local url="$base/api/3/action/${urls[$label]}" auth="X-Anonymous: 1"
        [[ "$label" == search_c* ]] && auth="Authorization: $token"
        curl -sf -H "$auth" "$url" >/dev/null || { echo "$label failed"; exit 1; }
        local ticks0 ticks1 out requests
        ticks0="$(cpu_ticks "$server")"
        out="$(wrk -t2 -c16 -d8s -H "$auth" "$url")"
        ticks1="$(cpu_ticks "$server")"
        grep -q 'Non-2xx' <<<"$out" && { echo "$label: error answers"; echo "$out"; exit 1; }
        requests="$(awk '/requests in/ {print $1}' <<<"$out")"
        printf '%-13s %-30s %9s req/s  %7.3f ms CPU/request\n' "$name" "$label" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
            "$(python3 -c "print(($ticks1 - $ticks0) * 10 / max($requests, 1))")"
    done
    KHO_PAGES=20 wrk -t2 -c16 -d10s -s benches/catalog_pages.lua "$base" >/tmp/kho-catalog-wrk.txt
    grep -q 'Non-2xx' /tmp/kho-catalog-wrk.txt && { echo "catalog: error answers"; exit 1; }
    printf '%-13s %-30s %9s req/s  peak %s\n' "$name" "catalog.ttl 16 clients" \
        "$(awk '/Requests\/sec/ {print $2}' /tmp/kho-catalog-wrk.txt)" "$(grep VmHWM "/proc/$server/status" | tr -s ' \t' ' ')"
    stop_server
}
creates() {
    local name="$1"
    start_server "$2"
    for clients in 1 16; do
        local threads=$(( clients > 1 ? 2 : 1 )) out
        out="$(KHO_TOKEN="$token" wrk -t$threads -c$clients -d8s -s benches/package_create.lua "$base")"
        grep -q 'Non-2xx' <<<"$out" && { echo "create: error answers"; echo "$out"; exit 1; }
        printf '%-13s %-30s %9s req/s\n' "$name" "package_create $clients client(s)" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
    done
    stop_server
}
echo "engine: $engine, $(nproc) cores"
for round in $(seq "$rounds"); do
    reads before "$before"
    reads after "$after"
done
for round in $(seq "$rounds"); do
    creates before "$before"
    creates after "$after"
    if [[ "$engine" == sqlite ]]; then KHO_SQLITE_SYNCHRONOUS=normal creates after-normal "$after"; fi
done
