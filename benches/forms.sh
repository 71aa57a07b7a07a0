#!/usr/bin/env bash
# Publishing budgets (issue "publishing in the portal"), against the release binary: the server
# time of each signed-in form page and of the form submissions, `wrk -t1 -c1 -d10s --latency`
# (one client: the latency is the server's time plus loopback).
#   pages: dashboard, new-dataset form, edit form, new-resource form, members, profile form,
#          sysadmin users, trash, changes page
#   submissions: POST /dataset/new (a new published dataset each time: the whole write path),
#                POST /dataset/edit/{name} (a change each time)
# The signed-in user is the demo sysadmin (`admin`, the demo password).
# Usage: benches/forms.sh [sqlite|postgres] [STORED]   STORED generated datasets are added to
# the demo first (default 0; 100000 for the issue's budgets). KHO_BENCH_DATA=DIR keeps the store.
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
jar="$(mktemp)"
token_of() { grep -o 'name="csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//'; }
login_token="$(curl -sf -c "$jar" "$base/user/login" | token_of)"
curl -sf -b "$jar" -c "$jar" -o /dev/null -d "csrf=$login_token&login=admin&password=kho-demo-2025" "$base/user/login"
session="$(awk '$6 == "kho_session" {print $7}' "$jar")"
[[ -n "$session" ]] || { echo "sign-in failed"; exit 1; }
cookie="Cookie: kho_session=$session"
csrf="$(curl -sf -H "$cookie" "$base/dashboard" | token_of)"
count="$(curl -sf "$base/api/3/action/package_search?rows=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["count"])')"
# A provincial dataset to edit, its organisation, and a change of it.
read -r dataset organization < <(curl -sf "$base/api/3/action/package_search?fq=type:vn-dataset&rows=1" | python3 -c '
import json, sys
d = json.load(sys.stdin)["result"]["results"][0]
print(d["name"], d["organization"]["name"])')
# The edit form's fields as a browser would post them (every field of the form).
form="$(curl -sf -H "$cookie" "$base/dataset/edit/$dataset" | python3 -c '
import html, re, sys, urllib.parse
page = sys.stdin.read()
fields = [(n, v) for n, v in re.findall(r"<input type=\"(?:text|email|date)\" id=\"field-\w+\" name=\"(\w+)\" value=\"([^\"]*)\"", page)]
fields = [(n, html.unescape(v)) for n, v in fields]
fields += [(n, html.unescape(v)) for n, v in re.findall(r"<textarea id=\"field-\w+\" name=\"(\w+)\"[^>]*>(.*?)</textarea>", page, re.S)]
for name, options in re.findall(r"<select id=\"field-\w+\" name=\"(\w+)\"[^>]*>(.*?)</select>", page, re.S):
    chosen = re.search(r"<option value=\"([^\"]*)\" selected", options)
    fields.append((name, html.unescape(chosen[1]) if chosen else ""))
print(urllib.parse.urlencode([(n, v) for n, v in fields if n not in ("title", "name", "version")]))')"
curl -sf -H "$cookie" -o /dev/null -d "$form&csrf=$csrf&title=Bench&name=$dataset&version=0&save=save" "$base/dataset/edit/$dataset"
change="$(curl -sf -H "$cookie" "$base/dataset/activity/$dataset" | grep -o '/dataset/changes/[^"]*' | head -n 1)"
echo "public datasets: $count; edited dataset: $dataset ($organization)"
declare -A pages=(
    [dashboard]="/dashboard"
    [new-dataset-form]="/dataset/new"
    [edit-form]="/dataset/edit/$dataset"
    [new-resource-form]="/dataset/$dataset/resource/new"
    [members]="/organization/members/$organization"
    [profile-form]="/user/edit/admin"
    [sysadmin-users]="/ckan-admin"
    [trash]="/ckan-admin/trash"
    [changes]="$change"
)
printf '%-20s %10s %10s %10s\n' what p50 p99 'req/s(1)'
row() {
    if grep -q 'Non-2xx' <<<"$2"; then echo "error responses on $1:"; echo "$2"; exit 1; fi
    printf '%-20s %10s %10s %10s\n' "$1" "$(awk '$1=="50%" {print $2}' <<<"$2")" "$(awk '$1=="99%" {print $2}' <<<"$2")" \
        "$(awk '/Requests\/sec/ {print $2}' <<<"$2")"
}
for label in dashboard new-dataset-form edit-form new-resource-form members profile-form sysadmin-users trash changes; do
    row "$label" "$(wrk -t1 -c1 -d10s --latency -H "$cookie" "$base${pages[$label]}")"
done
# Submissions: a Lua script makes each request's body unique.
script="$(mktemp --suffix=.lua)"
cat >"$script" <<LUA
counter = 0
request = function()
    counter = counter + 1
    local body = os.getenv("BENCH_BODY") .. "&title=Bench+" .. counter .. "&name=bench-form-" .. counter .. "-" .. os.time() .. "&version=" .. counter
    return wrk.format("POST", os.getenv("BENCH_PATH"), {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "kho_session=$session"}, body)
end
LUA
new_body="$form&csrf=$csrf&save=publish"
row "POST /dataset/new" "$(BENCH_BODY="$new_body" BENCH_PATH=/dataset/new wrk -t1 -c1 -d10s --latency -s "$script" "$base")"
cat >"$script" <<LUA
counter = 0
request = function()
    counter = counter + 1
    local body = os.getenv("BENCH_BODY") .. "&title=Bench&name=$dataset&version=" .. counter
    return wrk.format("POST", os.getenv("BENCH_PATH"), {["Content-Type"] = "application/x-www-form-urlencoded", ["Cookie"] = "kho_session=$session"}, body)
end
LUA
row "POST edit" "$(BENCH_BODY="$form&csrf=$csrf&save=save" BENCH_PATH="/dataset/edit/$dataset" wrk -t1 -c1 -d10s --latency -s "$script" "$base")"
after="$(curl -sf "$base/api/3/action/package_search?rows=0" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["count"])')"
echo "datasets after the submissions: $after (created $(( after - count )))"
grep -E 'VmRSS|VmHWM' "/proc/$server/status"
rm -f "$jar" "$script"
stop
