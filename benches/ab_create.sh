#!/usr/bin/env bash
# Compares package_create on two builds, alternating them run by run on one store (on a noisy
# machine, back-to-back runs of one build differ by a third; alternation keeps that noise out
# of the comparison). Each run restarts the server, warms it for 2 s, then measures 6 s: the
# create rate, and the server's CPU time and minor page faults per created dataset (read from
# /proc around the run and 1.5 s after it, so that the indexer's work on the run is counted).
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
        sleep 1
        read -r cpu_before faults_before < <(awk '{print $14 + $15, $10}' "/proc/$server/stat")
        out="$(wrk "-t$threads" "-c$connections" -d6s -s benches/package_create.lua "$base")"
        sleep 1.5 # the indexer catches up with the run
        read -r cpu_after faults_after < <(awk '{print $14 + $15, $10}' "/proc/$server/stat")
        stop
        if grep -q 'Non-2xx' <<<"$out"; then echo "error responses from $candidate:"; echo "$out"; exit 1; fi
        awk -v bin="$candidate" -v rate="$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
            -v n="$(awk '/requests in/ {print $1}' <<<"$out")" -v hz="$(getconf CLK_TCK)" \
            -v cpu="$((cpu_after - cpu_before))" -v faults="$((faults_after - faults_before))" \
            'BEGIN { printf "%s: %8s datasets/s   %.3f ms server CPU and %.2f page faults per dataset\n",
                     bin, rate, cpu * 1000 / hz / n, faults / n }'
    done
done | sort
