#!/usr/bin/env bash
# The project's test command (CI runs it through .ci/run):
#   format and lint checks, the Rust tests on SQLite and PostgreSQL, the ckanapi acceptance test,
#   and the portal's browser tests (installing Debian's chromium and the npm packages when missing).
#
# PostgreSQL: DATABASE_URL=postgres://… (or KHO_TEST_PG_URL) names an admin URL where throwaway
# databases may be created; otherwise a temporary cluster is started (installing the Debian
# `postgresql` package first when it is missing and we run as root) and removed on exit.
# Without any PostgreSQL the PostgreSQL runs are skipped, except when CI is set: then this fails.
#
# Environment: CARGO_TARGET_DIR (default ~/.cache/kho-target), KHO_VENV (default ~/.cache/kho-venv),
# KHO_CKAN_VENV (CKAN + ckanext-dcat for the DCAT round trip; default ~/.cache/kho-ckan-venv).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kho-target}"
KHO_VENV="${KHO_VENV:-$HOME/.cache/kho-venv}"
KHO_CKAN_VENV="${KHO_CKAN_VENV:-$HOME/.cache/kho-ckan-venv}"

stage() { printf '\n==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# --- PostgreSQL -------------------------------------------------------------------------------

PG_TMP=""
PG_BIN=""
PG_AS=()          # prefix that runs a command as the cluster owner

# Runs a command as the cluster owner, from the cluster's folder (the owner may not see ours).
as_pg_owner() { (cd "$PG_TMP" && "${PG_AS[@]}" "$@"); }

cleanup() {
    local status=$?
    if [[ -n "$PG_TMP" ]]; then
        if [[ -f "$PG_TMP/data/postmaster.pid" ]]; then
            as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$PG_TMP"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Prints a database URL without its password and query string, for the log.
redact() { sed -E -e 's#\?.*$##' -e 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

# Prints Debian's PostgreSQL bin folders, newest version first.
pg_install_dirs() { printf '%s\n' /usr/lib/postgresql/*/bin | sort -V -r; }

# Prints the directory holding initdb/pg_ctl (symlinks resolved), or nothing.
find_pg_bin() {
    local dir
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(readlink -f "$(command -v initdb)")"
        return
    fi
    for dir in $(pg_install_dirs); do
        if [[ -x "$dir/initdb" && -x "$dir/pg_ctl" ]]; then
            echo "$dir"
            return
        fi
    done
}

# Prints the path of a PostgreSQL client program (psql, pg_isready), or nothing.
pg_tool() {
    local dir
    if [[ -n "$PG_BIN" && -x "$PG_BIN/$1" ]]; then
        echo "$PG_BIN/$1"
    elif command -v "$1" >/dev/null 2>&1; then
        command -v "$1"
    else
        for dir in $(pg_install_dirs); do
            if [[ -x "$dir/$1" ]]; then
                echo "$dir/$1"
                return
            fi
        done
    fi
}

# Installs Debian packages (root only) without creating or starting the packaged cluster.
apt_install() {
    [[ $EUID -eq 0 ]] && command -v apt-get >/dev/null 2>&1 || return 1
    echo "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
    if [[ " $* " == *" postgresql "* ]] && ! dpkg -s postgresql-common >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-common >/dev/null ||
            return 1
        # No "main" cluster, hence no service to start: this script runs its own cluster.
        sed -ri 's/^#?\s*create_main_cluster\s*=.*/create_main_cluster = false/' \
            /etc/postgresql-common/createcluster.conf || return 1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

start_cluster() {
    local port
    PG_TMP="$(mktemp -d /tmp/kho-test-pg.XXXXXX)"
    if [[ $EUID -eq 0 ]]; then
        # PostgreSQL refuses to run as root: the cluster belongs to the postgres user.
        id postgres >/dev/null 2>&1 || die "running as root but there is no postgres user"
        chown postgres: "$PG_TMP"
        PG_AS=(runuser -u postgres --)
    fi
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_pg_owner "$PG_BIN/initdb" -D "$PG_TMP/data" -A trust -U postgres -E UTF8 --no-locale \
        >"$PG_TMP/initdb.log" 2>&1 ||
        { cat "$PG_TMP/initdb.log" >&2; die "initdb failed"; }
    as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 60 \
        -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null ||
        { cat "$PG_TMP/server.log" >&2; die "the PostgreSQL test cluster did not start"; }
    local tries=0 pg_isready
    pg_isready="$(pg_tool pg_isready)"
    until [[ -z "$pg_isready" ]] || "$pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
        tries=$((tries + 1))
        ((tries < 100)) || { cat "$PG_TMP/server.log" >&2; die "PostgreSQL is not ready"; }
        sleep 0.2
    done
    export KHO_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
    echo "temporary cluster ($("$PG_BIN/postgres" --version)) at $KHO_TEST_PG_URL"
}

stage "PostgreSQL"
if [[ -z "${KHO_TEST_PG_URL:-}" && "${DATABASE_URL:-}" == postgres* ]]; then
    export KHO_TEST_PG_URL="$DATABASE_URL"
fi
# The tests give every Kho they start its own store; a DATABASE_URL must not leak into them.
unset DATABASE_URL
if [[ -n "${KHO_TEST_PG_URL:-}" ]]; then
    echo "using the server at $(redact "$KHO_TEST_PG_URL")"
else
    PG_BIN="$(find_pg_bin)"
    if [[ -z "$PG_BIN" ]]; then
        echo "no PostgreSQL server binaries found; installing the Debian package"
        apt_install postgresql || warn "could not install postgresql"
        PG_BIN="$(find_pg_bin)"
    fi
    if [[ -n "$PG_BIN" ]]; then
        start_cluster
    elif [[ -n "${CI:-}" ]]; then
        die "CI is set but no PostgreSQL is available: set DATABASE_URL or install PostgreSQL"
    else
        warn "no PostgreSQL available: the PostgreSQL runs will be skipped"
    fi
fi
if [[ -n "${KHO_TEST_PG_URL:-}" ]]; then
    KHO_TEST_PSQL="$(pg_tool psql)"
    if [[ -z "$KHO_TEST_PSQL" ]]; then
        apt_install postgresql-client || true
        KHO_TEST_PSQL="$(pg_tool psql)"
    fi
    [[ -n "$KHO_TEST_PSQL" ]] || die "psql not found (needed to create test databases)"
    export KHO_TEST_PSQL
    "$KHO_TEST_PSQL" --no-psqlrc -q -d "$KHO_TEST_PG_URL" -c 'SELECT 1' >/dev/null ||
        die "cannot connect to the PostgreSQL server at $(redact "$KHO_TEST_PG_URL")"
fi

# --- Python tools (ckanapi, pyshacl, and aiosmtpd: the SMTP server the mail tests start) ---------

stage "Python tools (venv: $KHO_VENV)"
if ! "$KHO_VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    if [[ -e "$KHO_VENV" && ! -f "$KHO_VENV/pyvenv.cfg" ]]; then
        die "$KHO_VENV exists and is not a virtual environment; set KHO_VENV elsewhere"
    fi
    rm -rf "$KHO_VENV"
    if ! python3 -m venv "$KHO_VENV"; then
        # Debian ships the venv module separately.
        rm -rf "$KHO_VENV"
        apt_install python3-venv || die "python3 -m venv failed; install python3-venv"
        python3 -m venv "$KHO_VENV"
    fi
fi
if ! "$KHO_VENV/bin/python" -c 'import ckanapi, pytest, pyshacl, rdflib, aiosmtpd' >/dev/null 2>&1; then
    "$KHO_VENV/bin/python" -m pip install -q --disable-pip-version-check ckanapi pytest pyshacl rdflib aiosmtpd
fi
# The Rust tests' mail server (aiosmtpd on loopback) runs on this interpreter.
export KHO_TEST_PYTHON="$KHO_VENV/bin/python"

# --- Rust -------------------------------------------------------------------------------------

stage "cargo fmt --check"
cargo fmt --all -- --check

stage "cargo clippy"
cargo clippy --all-targets -- -D warnings

stage "cargo test (SQLite${KHO_TEST_PG_URL:+ and PostgreSQL})"
cargo test --all-targets

stage "cargo build"
cargo build

# --- ckanapi acceptance test, and the DCAT feed through pyshacl and ckanext-dcat ----------------

stage "ckanapi acceptance test, DCAT through pyshacl and ckanext-dcat (venvs: $KHO_VENV, $KHO_CKAN_VENV)"
# The real ckanext-dcat parser (for the DCAT round trip) lives in a virtual environment of its own.
if ! "$KHO_CKAN_VENV/bin/python" -c 'import ckanext.dcat.processors' >/dev/null 2>&1; then
    echo "creating $KHO_CKAN_VENV (CKAN 2.12 and ckanext-dcat 2.4.4)"
    rm -rf "$KHO_CKAN_VENV"
    python3 -m venv "$KHO_CKAN_VENV"
    "$KHO_CKAN_VENV/bin/python" -m pip install -q --disable-pip-version-check -r tests/ckanapi/requirements-ckan.txt
fi
KHO_BIN="$CARGO_TARGET_DIR/debug/kho" KHO_CKAN_PYTHON="$KHO_CKAN_VENV/bin/python" \
    "$KHO_VENV/bin/python" -m pytest -q -p no:cacheprovider -rs tests/ckanapi

# --- the portal in a real browser (Debian's chromium driven by Playwright, axe-core) ------------

stage "browser tests (chromium, Playwright, axe-core; screenshots in ${KHO_ARTEFACTS:-$HOME/.cache/kho-artefacts}/browser)"
KHO_BIN="$CARGO_TARGET_DIR/debug/kho" KHO_CKANAPI="$KHO_VENV/bin/ckanapi" KHO_ARTEFACTS="${KHO_ARTEFACTS:-$HOME/.cache/kho-artefacts}/browser" \
    tests/browser/run.sh

stage "all tests passed"
