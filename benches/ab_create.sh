#!/usr/bin/env bash
# Compares package_create on two builds, alternating them run by run on one store (on a noisy
# machine, back-to-back runs of one build differ by a third; alternation keeps that noise out
# of the comparison). Each run restarts the server, warms it for 2 s, then measures 6 s.
# Usage: benches/ab_create.sh BINARY_A BINARY_B [sqlite|postgres] [ROUNDS]
#   CONNECTIONS=16        concurrent clients (default 1)
#   KHO_USER=name         whose token (default: admin, a sysadmin; the demo's editors are
#                         e.g. so-tai-chinh-bien-tap, who creates in so-tai-chinh)
#   KHO_BENCH_DATA=DIR    reuse a loaded data directory (see common.sh)
binary_a="$1" binary_b="$2"
rounds="${4:-4}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "${3:-postgres}"
connections="${CONNECTIONS:-1}"
threads=$(( connections > 1 ? 2 : 1 ))
if [[ -n "${KHO_USER:-}" ]]; then KHO_TOKEN="$("$bin" token create "$KHO_USER" --name ab)"; export KHO_TOKEN; fi
for _ in $(seq "$rounds"); do
    for candidate in "$binary_a" "$binary_b"; do
        bin="$candidate"
        start
        wrk -t1 -c1 -d2s -s benches/package_create.lua "$base" >/dev/null
        out="$(wrk "-t$threads" "-c$connections" -d6s -s benches/package_create.lua "$base")"
        stop
        if grep -q 'Non-2xx' <<<"$out"; then echo "error responses from $candidate:"; echo "$out"; exit 1; fi
        echo "$candidate: $(awk '/Requests\/sec/ {print $2}' <<<"$out") datasets/s"
    done
done | sort
