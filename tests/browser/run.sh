#!/usr/bin/env bash
# Real-browser tests of the Kho portal (see README.md beside this file).
#
#   KHO_BIN=~/.cache/kho-target/debug/kho tests/browser/run.sh [TEST-NAME-SUBSTRING...]
#
# Installs what is missing (Debian's chromium and fonts-noto-core as root, then the npm packages
# of package-lock.json), starts Kho with the demo catalogue in a temporary folder on a free
# loopback port, runs portal.test.mjs against it and stops Kho. Screenshots and reports go to
# $KHO_ARTEFACTS (default ~/.cache/kho-artefacts/browser). Exits non-zero when a check fails.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ARTEFACTS="${KHO_ARTEFACTS:-$HOME/.cache/kho-artefacts/browser}"

stage() { printf '\n==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

[[ -n "${KHO_BIN:-}" ]] || die "set KHO_BIN to the kho binary, e.g. KHO_BIN=~/.cache/kho-target/debug/kho $0"
[[ -f "$KHO_BIN" && -x "$KHO_BIN" ]] || die "KHO_BIN=$KHO_BIN is not an executable file"
KHO_BIN="$(cd "$(dirname "$KHO_BIN")" && pwd)/$(basename "$KHO_BIN")"
command -v node >/dev/null 2>&1 || die "node is not installed"
command -v npm >/dev/null 2>&1 || die "npm is not installed"
command -v curl >/dev/null 2>&1 || die "curl is not installed"
command -v python3 >/dev/null 2>&1 || die "python3 is not installed"

# --- what the tests need ------------------------------------------------------------------------

if [[ ! -x /usr/bin/chromium ]] || ! dpkg-query -W -f='${Status}' fonts-noto-core 2>/dev/null | grep -q 'ok installed'; then
    stage "installing Debian's chromium and fonts-noto-core"
    [[ $EUID -eq 0 ]] || die "chromium or fonts-noto-core is missing; as root: apt-get install chromium fonts-noto-core"
    apt_log="$(mktemp /tmp/kho-browser-apt.XXXXXX)"
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core; } \
        >"$apt_log" 2>&1; then
        tail -n 30 "$apt_log" >&2
        rm -f "$apt_log"
        die "apt-get install chromium fonts-noto-core failed"
    fi
    rm -f "$apt_log"
fi

# npm writes node_modules/.package-lock.json on every install: older than package-lock.json means stale.
if [[ ! -f "$HERE/node_modules/.package-lock.json" || "$HERE/package-lock.json" -nt "$HERE/node_modules/.package-lock.json" ]]; then
    stage "npm ci (playwright-core, axe-core)"
    (cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    touch "$HERE/node_modules/.package-lock.json"
fi

# --- Kho with the demo catalogue ----------------------------------------------------------------

TMP="$(mktemp -d /tmp/kho-browser.XXXXXX)"
KHO_PID=""

cleanup() {
    local status=$?
    if [[ -n "$KHO_PID" ]] && kill -0 "$KHO_PID" 2>/dev/null; then
        kill "$KHO_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$KHO_PID" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$KHO_PID" 2>/dev/null || true
        wait "$KHO_PID" 2>/dev/null || true
    fi
    if [[ -f "$TMP/kho.log" ]]; then
        mkdir -p "$ARTEFACTS" && cp "$TMP/kho.log" "$ARTEFACTS/kho.log" 2>/dev/null || true
    fi
    rm -rf "$TMP"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Prints the count of package_search?rows=0, or nothing.
demo_count() {
    curl -fsS --max-time 5 "$KHO_URL/api/3/action/package_search?rows=0" 2>/dev/null |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["result"]["count"])' 2>/dev/null || true
}

stage "starting Kho ($KHO_BIN) with the demo catalogue"
# The province's single sign-on for the OpenID Connect tests: the tests start oidc-provider on
# this port (as "localhost", while Kho is "127.0.0.1": two sites, as in production).
OIDC_PORT="$(free_port)"
OIDC_ORG="so-khoa-hoc-va-cong-nghe"
cat >"$TMP/kho.toml" <<TOML
[harvest]
poll_seconds = 1

[[oidc]]
name = "sso"
title = "Đăng nhập một lần (SSO của tỉnh)"
issuer = "http://localhost:$OIDC_PORT"
client_id = "kho"
client_secret = "kho-test-secret"
scopes = ["openid", "email", "profile", "kho"]
roles_claim = "kho_roles"
link_by_email = true

[[oidc.roles]]
value = "bien-tap-du-lieu"
organization = "$OIDC_ORG"
role = "editor"
TOML

started=""
for attempt in 1 2 3; do
    PORT="$(free_port)"
    KHO_URL="http://127.0.0.1:$PORT"
    rm -rf "$TMP/data"
    # From the temporary folder, so that no ./kho.toml is picked up; no inherited store or bind.
    (cd "$TMP" && exec env -u KHO_BIND -u KHO_DATA_DIR -u DATABASE_URL KHO_CONFIG="$TMP/kho.toml" \
        "$KHO_BIN" serve --demo --bind "127.0.0.1:$PORT" --data-dir "$TMP/data") >"$TMP/kho.log" 2>&1 &
    KHO_PID=$!
    # /healthz first (up to 60 s), then the demo datasets in the search index (up to 180 s).
    for _ in $(seq 600); do
        kill -0 "$KHO_PID" 2>/dev/null || break
        if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$KHO_URL/healthz" 2>/dev/null)" == 200 ]]; then
            started=yes
            break
        fi
        sleep 0.1
    done
    [[ -n "$started" ]] && break
    if kill -0 "$KHO_PID" 2>/dev/null; then
        tail -n 30 "$TMP/kho.log" >&2
        die "Kho did not answer 200 on /healthz within 60 s"
    fi
    wait "$KHO_PID" 2>/dev/null || true
    KHO_PID=""
    echo "Kho exited before answering (attempt $attempt; the port may have been taken):" >&2
    tail -n 10 "$TMP/kho.log" >&2
done
[[ -n "$started" ]] || die "Kho did not start"

count=""
for _ in $(seq 360); do
    kill -0 "$KHO_PID" 2>/dev/null || { tail -n 30 "$TMP/kho.log" >&2; die "Kho exited while loading the demo"; }
    count="$(demo_count)"
    [[ -n "$count" && "$count" -gt 0 ]] && break
    sleep 0.5
done
[[ -n "$count" && "$count" -gt 0 ]] || { tail -n 30 "$TMP/kho.log" >&2; die "the demo catalogue did not load within 180 s (count: ${count:-none})"; }
echo "Kho at $KHO_URL (pid $KHO_PID), $count demo datasets"

# --- the tests ----------------------------------------------------------------------------------

stage "browser tests"
mkdir -p "$ARTEFACTS"
status=0
# The demo sysadmin's token, for the tests that must find private demo data through the API.
KHO_TOKEN="$(cd "$TMP" && env -u KHO_CONFIG -u DATABASE_URL "$KHO_BIN" token create admin --name browser-tests --data-dir "$TMP/data")"
# ckanapi, for the test that uses a token made in the portal (scripts/test.sh installs it).
KHO_CKANAPI="${KHO_CKANAPI:-${KHO_VENV:-$HOME/.cache/kho-venv}/bin/ckanapi}"
KHO_URL="$KHO_URL" KHO_TOKEN="$KHO_TOKEN" KHO_CKANAPI="$KHO_CKANAPI" KHO_OIDC_PORT="$OIDC_PORT" KHO_OIDC_ORG="$OIDC_ORG" ARTEFACTS="$ARTEFACTS" node "$HERE/portal.test.mjs" "$@" || status=$?

echo
echo "screenshots and reports: $ARTEFACTS"
exit "$status"
