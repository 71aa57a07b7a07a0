#!/usr/bin/env bash
# Load-tests the release binary with wrk on this machine's loopback, over the demo portal.
# Usage: benches/run.sh [sqlite|postgres]   (postgres needs DATABASE_URL pointing at an empty database)
# Needs: wrk (apt-get install wrk). Every run is bounded: 2 threads, 32 connections, 10 s per URL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kho-target}"
engine="${1:-sqlite}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/kho"
data="$(mktemp -d)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
if [[ "$engine" == sqlite ]]; then unset DATABASE_URL; fi
export KHO_DATA_DIR="$data" RUST_LOG=warn
"$bin" demo load
token="$("$bin" token create admin --name bench)"
"$bin" serve --bind "127.0.0.1:$port" &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/api/3/action/status_show" >/dev/null && break; sleep 0.1; done
base="http://127.0.0.1:$port/api/3/action"
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
