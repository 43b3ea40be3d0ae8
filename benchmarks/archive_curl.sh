#!/usr/bin/env bash
# The archive a user would script today with curl and jq, following the API reference:
# list-calls a page (100) at a time, then get-signed-recording-url for each call, one after
# another; then every recording with `xargs -P 4` curl processes (one file each).
#
#   MAGPIPE_API_URL=... MAGPIPE_API_KEY=... archive_curl.sh FROM_DATE TO_DATE OUTDIR
set -euo pipefail
from_date=$1 to_date=$2 out=$3
mkdir -p "$out"
post() {
    curl -sSf -X POST "$MAGPIPE_API_URL/$1" -H "Authorization: Bearer $MAGPIPE_API_KEY" \
        -H "Content-Type: application/json" -d "$2"
}
offset=0
: >"$out/ids.txt"
while :; do
    page=$(post list-calls "{\"limit\": 100, \"offset\": $offset, \"from_date\": \"$from_date\", \"to_date\": \"$to_date\"}")
    [ "$(jq '.calls | length' <<<"$page")" -eq 0 ] && break
    jq -r '.calls[].id' <<<"$page" >>"$out/ids.txt"
    [ "$(jq '.has_more' <<<"$page")" = true ] || break
    offset=$((offset + 100))
done
: >"$out/fetch.txt"
awk '!seen[$0]++' "$out/ids.txt" | while read -r id; do
    answer=$(post get-signed-recording-url "{\"call_id\": \"$id\"}") || continue # 404: no recording
    jq -r --arg id "$id" '.recordings | to_entries[] | "-o", "\($id)-\(.key + 1).wav", .value.url' <<<"$answer" >>"$out/fetch.txt"
done
cd "$out" && xargs -P 4 -n 3 -d '\n' curl -sSf <fetch.txt
