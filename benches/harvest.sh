#!/usr/bin/env bash
# Harvest rate (issue "harvesting"), release binary: a remote Kho holding the demo plus N
# generated datasets (default 10000) is harvested by a second Kho through `ckan` and through
# `dcat_rdf` (its own /catalog.ttl). For each source type: the first run (every record added),
# then 1% of the remote records changed and a second run (incremental for ckan: changed records
# read whole, the rest listed by id; DCAT has no change query: every page read, unchanged
# records recognised by their content). The harvesting server's resident memory is sampled
# every 0.2 s during each run (its peak is reported) — the scheduler inside `kho serve` runs the
# jobs, as in production.
# Usage: benches/harvest.sh [N] [KINDS]   KINDS: "ckan dcat_rdf" (the default), or one of them.
# KHO_BENCH_DATA=DIR keeps the remote's store.
stored="${1:-10000}"
kinds="${2:-ckan dcat_rdf}"
# The remote's own address is its site URL: its DCAT pages link to each other by it.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export KHO_SITE_URL="http://127.0.0.1:$port"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" sqlite
echo "remote: demo + $stored generated datasets, $(nproc) cores"
if [[ ! -f "$data/.loaded-$stored" ]]; then
    "$bin" demo load --datasets "$stored" 2>&1 | tr '\r' '\n' | grep . | tail -n 1
    "$bin" search rebuild 2>/dev/null
    touch "$data/.loaded-$stored"
fi
start
remote="$base"
public="$(curl -sf "$remote/api/3/action/package_search?rows=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["count"])')"
echo "remote public datasets: $public"

# The harvester: its own store, loopback sources allowed, the scheduler every second.
local_data="$(mktemp -d)"
local_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
local_base="http://127.0.0.1:$local_port"
export KHO_HARVEST_ALLOW_PRIVATE_ADDRESSES=1 KHO_HARVEST_POLL_SECONDS=1 KHO_HARVEST_REQUESTS_PER_SECOND=1000
KHO_DATA_DIR="$local_data" "$bin" user add harvest-admin --email h@example.vn --password 'MatKhau-2024!' --sysadmin >/dev/null
local_token="$(KHO_DATA_DIR="$local_data" "$bin" token create harvest-admin)"
KHO_DATA_DIR="$local_data" KHO_SITE_URL="$local_base" "$bin" serve --bind "127.0.0.1:$local_port" & harvester=$!
trap 'kill $harvester 2>/dev/null; stop; rm -rf "$local_data"; [[ -n "${KHO_BENCH_DATA:-}" ]] || rm -rf "$data"' EXIT
for _ in $(seq 100); do curl -sf "$local_base/api/3/action/status_show" >/dev/null && break; sleep 0.1; done
call() { curl -sf -H "Authorization: $local_token" -H 'Content-Type: application/json' -d "$2" "$local_base/api/3/action/$1"; }
call organization_create '{"name": "thu-hoach", "title": "Thu hoạch"}' >/dev/null
echo "harvester RSS before any job: $(( $(ps -o rss= -p "$harvester" | tr -d ' ') / 1024 )) MB"

# Runs a job of source $1 and prints its stats, its time (gather start to end) and the peak RSS.
run_job() {
    local job peak=0 rss status
    job="$(call harvest_job_create "{\"source_id\": \"$1\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["id"])')"
    while :; do
        rss="$(ps -o rss= -p "$harvester" | tr -d ' ')"; (( rss > peak )) && peak=$rss
        status="$(call harvest_job_show "{\"id\": \"$job\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["status"])')"
        [[ "$status" == Finished ]] && break
        sleep 0.2
    done
    call harvest_job_show "{\"id\": \"$job\"}" | python3 -c "
import json, sys, datetime
j = json.load(sys.stdin)['result']
t = lambda s: datetime.datetime.fromisoformat(s)
took = (t(j['finished']) - t(j['gather_started'])).total_seconds()
s = j['stats']; n = s['added'] + s['updated'] + s['not modified']
print(f\"  {took:.1f} s, {n / took:.0f} records/s, stats {s}, gather errors {j['gather_error_count']}, peak RSS {$peak / 1024:.0f} MB\")"
}

# Changes 1% of the remote's public datasets (their notes).
change_one_percent() {
    local rows=$(( public / 100 ))
    curl -sf "$remote/api/3/action/package_search?rows=$rows&sort=name%20asc&fl=name" | python3 -c '
import json, sys
for d in json.load(sys.stdin)["result"]["results"]: print(d["name"])' | while read -r name; do
        curl -sf -H "Authorization: $KHO_TOKEN" -H 'Content-Type: application/json' \
            -d "{\"id\": \"$name\", \"notes\": \"Cập nhật $(date +%s%N)\"}" "$remote/api/3/action/package_patch" >/dev/null
    done
    echo "  changed $rows remote datasets"
}

for kind in $kinds; do
    url="$remote"; [[ "$kind" == dcat_rdf ]] && url="$remote/catalog.ttl"
    call harvest_source_create "{\"name\": \"nguon-$kind\", \"url\": \"$url\", \"source_type\": \"$kind\", \"owner_org\": \"thu-hoach\", \"frequency\": \"MANUAL\"}" >/dev/null
    echo "$kind: first run"
    run_job "nguon-$kind"
    change_one_percent
    echo "$kind: second run, 1% changed"
    run_job "nguon-$kind"
done
