#!/usr/bin/env bash
# The file door against nginx, side by side on loopback (issue 4):
#   1. a 1 GiB file downloaded to /dev/null with curl, RUNS times each, medians;
#   2. requests/s for a small file over 50 keep-alive connections with wrk, RUNS times each, medians.
# Needs: dotnet, curl, nginx, wrk.  On Debian/Ubuntu: apt-get install -y curl nginx wrk
# Usage: bench/files.sh [RUNS]   (default 5; the whole script takes about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-5}
for tool in dotnet curl nginx wrk; do
  command -v "$tool" >/dev/null || { echo "files.sh: $tool is missing (apt-get install -y curl nginx wrk)" >&2; exit 1; }
done

work=$(mktemp -d)
doorway_pid=""
nginx_pid=""
cleanup() {
  [ -n "$doorway_pid" ] && kill "$doorway_pid" 2>/dev/null && wait "$doorway_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

echo "building Doorway (Release)..." >&2
dotnet build src/Doorway.Cli -c Release -v quiet -nologo >/dev/null

mkdir -p "$work/root" "$work/nginx/logs" "$work/nginx/tmp"
# nginx's workers may run as another user: everything they read must be world-readable.
chmod 755 "$work" "$work/root"
head -c $((1024 * 1024 * 1024)) /dev/urandom > "$work/root/big.bin"
head -c 1024 /dev/urandom > "$work/root/small.bin"
chmod 644 "$work/root/"*

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# Doorway: the Release build, its files door on a free loopback port, every other door off (so it runs
# beside a default serve, which holds TCP and UDP 12000 and 8080).
dotnet src/Doorway.Cli/bin/Release/net10.0/doorway.dll serve --tcp off --udp off --files 0 --bind 127.0.0.1 --root "$work/root" \
  --log-level warning > "$work/doorway.out" 2> "$work/doorway.err" &
doorway_pid=$!
for _ in $(seq 100); do grep -q '^ready files ' "$work/doorway.out" && break; sleep 0.1; done
doorway_port=$(sed -n 's/^ready files .*:\([0-9]*\)$/\1/p' "$work/doorway.out")
[ -n "$doorway_port" ] || { echo "files.sh: doorway did not start" >&2; cat "$work/doorway.err" >&2; exit 1; }

# nginx: a config of our own, as a foreground process with its own prefix, pid and logs.
nginx_port=$(free_port)
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/root;
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" &
nginx_pid=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/small.bin" && break; sleep 0.1; done

# Warm up both: the page cache for the file, and Doorway's SHA-256 of this version (computed once, then cached).
for port in "$doorway_port" "$nginx_port"; do
  curl -sf -o /dev/null "http://127.0.0.1:$port/big.bin"
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

download() { curl -sf -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$1/big.bin"; }
: > "$work/d.doorway"; : > "$work/d.nginx"
for _ in $(seq "$runs"); do
  download "$doorway_port" >> "$work/d.doorway"
  download "$nginx_port" >> "$work/d.nginx"
done

requests() { wrk -t2 -c50 -d3s "http://127.0.0.1:$1/small.bin" | awk '/^Requests\/sec:/ {print $2}'; }
: > "$work/r.doorway"; : > "$work/r.nginx"
for _ in $(seq "$(( runs < 3 ? runs : 3 ))"); do
  requests "$doorway_port" >> "$work/r.doorway"
  requests "$nginx_port" >> "$work/r.nginx"
done

d_doorway=$(median < "$work/d.doorway"); d_nginx=$(median < "$work/d.nginx")
r_doorway=$(median < "$work/r.doorway"); r_nginx=$(median < "$work/r.nginx")
mib() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1048576}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo
echo "| Measure (median of runs) | Doorway | nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') | Doorway / nginx |"
echo "|---|---:|---:|---:|"
echo "| 1 GiB download, curl to /dev/null (MiB/s, $runs runs) | $(mib "$d_doorway") | $(mib "$d_nginx") | $(ratio "$d_doorway" "$d_nginx") |"
echo "| 1 KiB file, wrk -t2 -c50 -d3s (requests/s, $(( runs < 3 ? runs : 3 )) runs) | ${r_doorway%.*} | ${r_nginx%.*} | $(ratio "$r_doorway" "$r_nginx") |"
echo
echo "runs, Doorway download MiB/s: $(while read -r x; do printf '%s ' "$(mib "$x")"; done < "$work/d.doorway")"
echo "runs, nginx download MiB/s:   $(while read -r x; do printf '%s ' "$(mib "$x")"; done < "$work/d.nginx")"
echo "runs, Doorway requests/s:     $(tr '\n' ' ' < "$work/r.doorway")"
echo "runs, nginx requests/s:       $(tr '\n' ' ' < "$work/r.nginx")"
