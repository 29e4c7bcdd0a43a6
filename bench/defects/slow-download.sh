#!/usr/bin/env bash
# Defect: a slow download is cut off by the idle timeout (issue 8).
#
# `serve --idle-timeout IDLE` serves a SIZE_MIB MiB file; a client downloads it no faster than
# RATE: over HTTP with `curl --limit-rate`, and in the seed dialect with a paced python reader.
# The connection is never idle (bytes flow all the time), so both should get the whole file.
# Reports bytes received against the file size, whether they match the file, curl's exit code,
# and what the server logged about the connection.
#
# Usage: [DOORWAY=path/to/doorway.dll] [SIZE_MIB=40] [RATE=2M] [IDLE=3] bash bench/defects/slow-download.sh
# RATE is curl's syntax (2M = 2 MiB/s). Needs: dotnet, curl, python3. About 45 s if the
# downloads complete (40 MiB at 2 MiB/s is 20 s each), less if they are cut.
source "$(dirname "$0")/lib.sh"

size_mib=${SIZE_MIB:-40}
rate=${RATE:-2M}
idle=${IDLE:-3}
rate_bytes=$(python3 -c 'import sys; s=sys.argv[1]; m={"K":1024,"M":1<<20,"G":1<<30}; print(int(float(s[:-1])*m[s[-1].upper()]) if s[-1].upper() in m else int(s))' "$rate")
max_time=$(( size_mib * 1048576 * 2 / rate_bytes + 15 ))

mkdir -p "$work/root"
head -c $((size_mib * 1048576)) /dev/urandom >"$work/root/big.bin"
size=$(stat -c %s "$work/root/big.bin")

start_server door files "${doorway_cmd[@]}" serve --bind 127.0.0.1 --log-level debug \
  --tcp off --udp off --files 0 --root "$work/root" --idle-timeout "$idle"
port=$(ready_port door files)

# matches FILE BYTES: does FILE hold exactly the first BYTES bytes of the served file?
matches() { [ "$2" -gt 0 ] && cmp -s -n "$2" "$1" "$work/root/big.bin" && echo yes || echo no; }
curl_meaning() {
  case "$1" in
    0) echo "success" ;; 18) echo "partial file" ;; 28) echo "timed out (--max-time)" ;;
    52) echo "empty reply" ;; 56) echo "failure receiving data" ;; *) echo "see curl(1)" ;;
  esac
}

# 1. HTTP with curl.
lines_before=$(wc -l <"$work/door.err")
set +e
curl_out=$(curl -s -o "$work/got-http.bin" --limit-rate "$rate" --max-time "$max_time" \
  -w '%{size_download} %{http_code} %{time_total}' "http://127.0.0.1:$port/big.bin")
curl_rc=$?
set -e
read -r http_bytes http_code http_time <<<"$curl_out"
http_ok=$(matches "$work/got-http.bin" "$http_bytes")
sleep 0.5
http_log=$(tail -n +"$((lines_before + 1))" "$work/door.err" | grep -iE 'idle|timed out|closed|fail|reset' | head -3 | cut -c1-160 || true)

# 2. The seed dialect, read at the same pace.
lines_before=$(wc -l <"$work/door.err")
raw_json=$(python3 "$defects/clients.py" slow-read 127.0.0.1 "$port" big.bin --rate "$rate_bytes" \
  --seconds "$max_time" --out "$work/got-raw.bin")
raw_bytes=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["bytes"])' "$raw_json")
raw_time=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["seconds"])' "$raw_json")
raw_end=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["ended"])' "$raw_json")
raw_ok=$(matches "$work/got-raw.bin" "$raw_bytes")
sleep 0.5
raw_log=$(tail -n +"$((lines_before + 1))" "$work/door.err" | grep -iE 'idle|timed out|closed|fail|reset' | head -3 | cut -c1-160 || true)

rc=$(stop_server "$door_pid")

pct() { python3 -c 'import sys; print(f"{100*int(sys.argv[1])/int(sys.argv[2]):.1f}")' "$1" "$2"; }
log_cell() { if [ -n "$1" ]; then echo "$1" | sed 's/|/\\|/g; s/^/`/; s/$/`/' | paste -sd' ' -; else echo "(nothing matching idle/closed/fail)"; fi; }

echo "## slow-download: a $size_mib MiB file at $rate/s with \`serve --idle-timeout $idle\`"
echo
echo "build: $(doorway_label)  "
echo "machine: $(load_line)  "
echo "serve: \`serve --bind 127.0.0.1 --log-level debug --tcp off --udp off --files 0 --root ROOT --idle-timeout $idle\`; server exit $rc"
echo
echo "| client | bytes received / file size | complete | bytes match the file | time s | client result | server log for the connection |"
echo "|---|---:|---|---|---:|---|---|"
echo "| HTTP: \`curl --limit-rate $rate\` | $http_bytes / $size ($(pct "$http_bytes" "$size") %) | $([ "$http_bytes" = "$size" ] && echo yes || echo no) | $http_ok | $http_time | exit $curl_rc ($(curl_meaning "$curl_rc")), HTTP $http_code | $(log_cell "$http_log") |"
echo "| seed dialect, read at $rate/s | $raw_bytes / $size ($(pct "$raw_bytes" "$size") %) | $([ "$raw_bytes" = "$size" ] && echo yes || echo no) | $raw_ok | $raw_time | $raw_end | $(log_cell "$raw_log") |"
