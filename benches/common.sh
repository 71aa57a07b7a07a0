# Shared set-up of the benchmark scripts (sourced): builds the release binary (or takes $KHO_BIN), loads the demo
# portal into a temporary data directory, creates a sysadmin token ($KHO_TOKEN), and defines
# start/stop of `kho serve` on a free loopback port ($port, $base). Argument: sqlite|postgres.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kho-target}"
engine="${1:-sqlite}"
# KHO_BIN: measure that binary (e.g. an older build) instead of building this checkout.
if [[ -n "${KHO_BIN:-}" ]]; then
    bin="$KHO_BIN"
else
    cargo build --release --quiet
    bin="$CARGO_TARGET_DIR/release/kho"
fi
# KHO_BENCH_DATA: keep the data directory there (and reuse it when it already holds a store).
data="${KHO_BENCH_DATA:-$(mktemp -d)}"
mkdir -p "$data"
reused=""
[[ -n "${KHO_BENCH_DATA:-}" && ( -f "$data/kho.sqlite3" || -f "$data/.loaded" ) ]] && reused=1
port="${port:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
base="http://127.0.0.1:$port"
if [[ "$engine" == sqlite ]]; then unset DATABASE_URL; fi
# One site URL for the command line and the server, so cached dicts and the index stay valid.
export KHO_DATA_DIR="$data" RUST_LOG=warn KHO_SITE_URL="${KHO_SITE_URL:-http://kho.localhost}"
[[ -n "$reused" ]] || "$bin" demo load
touch "$data/.loaded"
KHO_TOKEN="$("$bin" token create admin --name bench)"
export KHO_TOKEN
server=""
start() {
    "$bin" serve --bind "127.0.0.1:$port" & server=$!
    for _ in $(seq 100); do curl -sf "$base/api/3/action/status_show" >/dev/null && return; sleep 0.1; done
}
stop() { [[ -n "$server" ]] && kill "$server" && wait "$server" 2>/dev/null || true; server=""; }
trap 'stop; [[ -n "${KHO_BENCH_DATA:-}" ]] || rm -rf "$data"' EXIT
