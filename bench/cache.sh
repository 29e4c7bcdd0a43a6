#!/usr/bin/env bash
# The web cache door (issue 13) against Squid and Varnish, side by side on loopback, interleaved:
#   1. a cached 4 KiB object over 50 keep-alive connections with wrk (requests/s, RUNS each, medians):
#      Doorway as a forward proxy vs Squid (memory cache, absolute-form requests), and
#      Doorway in reverse mode (--cache-upstream) vs Varnish (-b, -s malloc);
#   2. a cold 1 GiB object through the Doorway cache (over its object limit: streamed, not kept)
#      vs the same download straight from the origin, curl to /dev/null (MiB/s, RUNS each, medians).
# The origin is nginx with Cache-Control: max-age=3600. Each server has its own config in a temp dir.
# Needs: dotnet, curl, nginx, wrk, squid, varnishd.  On Debian: apt-get install -y curl nginx wrk squid varnish
# Usage: bench/cache.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-5}
for tool in dotnet curl nginx wrk squid varnishd; do
  command -v "$tool" >/dev/null || { echo "cache.sh: $tool is missing (apt-get install -y curl nginx wrk squid varnish)" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

echo "building Doorway (Release)..." >&2
dotnet build src/Doorway.Cli -c Release -v quiet -nologo >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_for() { for _ in $(seq 200); do curl -sf -o /dev/null "$@" && return 0; sleep 0.1; done; echo "cache.sh: no answer from $*" >&2; return 1; }

mkdir -p "$work/root" "$work/nginx/logs" "$work/nginx/tmp" "$work/squid" "$work/varnish"
chmod 755 "$work" "$work/root"
chmod 777 "$work/squid" "$work/varnish"
head -c 4096 /dev/urandom > "$work/root/small.bin"
head -c $((1024 * 1024 * 1024)) /dev/urandom > "$work/root/big.bin"
chmod 644 "$work/root/"*

origin=$(free_port)
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$origin;
    root $work/root;
    add_header Cache-Control "max-age=3600";
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" &
pids+=($!)
wait_for "http://127.0.0.1:$origin/small.bin"

doorway() {
  dotnet src/Doorway.Cli/bin/Release/net10.0/doorway.dll serve --tcp off --udp off --files off --reply off --cache 0 --bind 127.0.0.1 \
    --log-level warning "$@" > "$work/doorway.$#.out" 2> "$work/doorway.$#.err" &
  pids+=($!)
  for _ in $(seq 100); do grep -q '^ready cache ' "$work/doorway.$#.out" && break; sleep 0.1; done
  sed -n 's/^ready cache .*:\([0-9]*\)$/\1/p' "$work/doorway.$#.out"
}
forward=$(doorway)
reverse=$(doorway --cache-upstream "http://127.0.0.1:$origin")

squid_port=$(free_port)
cat > "$work/squid/squid.conf" <<CONF
http_port 127.0.0.1:$squid_port
cache_mem 256 MB
maximum_object_size_in_memory 64 MB
memory_cache_mode always
http_access allow localhost
http_access deny all
access_log none
cache_store_log none
cache_log $work/squid/cache.log
pid_filename $work/squid/squid.pid
coredump_dir $work/squid
visible_hostname bench
workers 1
shutdown_lifetime 1 seconds
CONF
squid -N -f "$work/squid/squid.conf" &
pids+=($!)
wait_for -x "http://127.0.0.1:$squid_port" "http://127.0.0.1:$origin/small.bin"

varnish_port=$(free_port)
varnishd -F -a "127.0.0.1:$varnish_port" -b "127.0.0.1:$origin" -n "$work/varnish" -s malloc,256m > "$work/varnish.out" 2>&1 &
pids+=($!)
wait_for "http://127.0.0.1:$varnish_port/small.bin"

# Fill every cache with the small object; check each answers from its store.
curl -sf -o /dev/null -x "http://127.0.0.1:$forward" "http://127.0.0.1:$origin/small.bin"
curl -sf -o /dev/null "http://127.0.0.1:$reverse/small.bin"
curl -sf -o /dev/null -x "http://127.0.0.1:$squid_port" "http://127.0.0.1:$origin/small.bin"
curl -sf -o /dev/null "http://127.0.0.1:$varnish_port/small.bin"
echo "doorway forward: $(curl -sf -D - -o /dev/null -x "http://127.0.0.1:$forward" "http://127.0.0.1:$origin/small.bin" | grep -i '^cache-status' | tr -d '\r')" >&2
echo "doorway reverse: $(curl -sf -D - -o /dev/null "http://127.0.0.1:$reverse/small.bin" | grep -i '^cache-status' | tr -d '\r')" >&2
echo "squid:           $(curl -sf -D - -o /dev/null -x "http://127.0.0.1:$squid_port" "http://127.0.0.1:$origin/small.bin" | grep -i '^x-cache:' | tr -d '\r')" >&2
echo "varnish:         $(curl -sf -D - -o /dev/null "http://127.0.0.1:$varnish_port/small.bin" | grep -i '^x-varnish' | tr -d '\r') (two ids: a hit)" >&2

# wrk through a forward proxy: the request line carries the absolute-form target.
cat > "$work/absolute.lua" <<LUA
wrk.path = "http://127.0.0.1:$origin/small.bin"
LUA

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
rps() { awk '/^Requests\/sec:/ {print $2}'; }
: > "$work/r.forward"; : > "$work/r.squid"; : > "$work/r.reverse"; : > "$work/r.varnish"
loads=()
for _ in $(seq "$runs"); do
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  wrk -t2 -c50 -d3s -s "$work/absolute.lua" "http://127.0.0.1:$forward" | rps >> "$work/r.forward"
  wrk -t2 -c50 -d3s -s "$work/absolute.lua" "http://127.0.0.1:$squid_port" | rps >> "$work/r.squid"
  wrk -t2 -c50 -d3s "http://127.0.0.1:$reverse/small.bin" | rps >> "$work/r.reverse"
  wrk -t2 -c50 -d3s "http://127.0.0.1:$varnish_port/small.bin" | rps >> "$work/r.varnish"
done

# A cold 1 GiB object: through the cache (a miss each time: over the 64 MiB object limit, never kept) vs straight from nginx.
download() { curl -sf -o /dev/null -w '%{speed_download}\n' "$@"; }
download "http://127.0.0.1:$origin/big.bin" > /dev/null
: > "$work/d.cache"; : > "$work/d.direct"
for _ in $(seq "$runs"); do
  loads+=("$(cut -d' ' -f1 /proc/loadavg)")
  download -x "http://127.0.0.1:$forward" "http://127.0.0.1:$origin/big.bin" >> "$work/d.cache"
  download "http://127.0.0.1:$origin/big.bin" >> "$work/d.direct"
done

r_forward=$(median < "$work/r.forward"); r_squid=$(median < "$work/r.squid")
r_reverse=$(median < "$work/r.reverse"); r_varnish=$(median < "$work/r.varnish")
d_cache=$(median < "$work/d.cache"); d_direct=$(median < "$work/d.direct")
mib() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1048576}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo
echo "| Measure (median of $runs interleaved runs) | Doorway | Peer | Doorway / peer |"
echo "|---|---:|---:|---:|"
echo "| cached 4 KiB, forward proxy, wrk -t2 -c50 -d3s (req/s) vs Squid $(squid -v | sed -n 's/.*Version \([0-9.]*\).*/\1/p') | ${r_forward%.*} | ${r_squid%.*} | $(ratio "$r_forward" "$r_squid") |"
echo "| cached 4 KiB, reverse mode, wrk -t2 -c50 -d3s (req/s) vs Varnish $(varnishd -V 2>&1 | sed -n 's/.*varnish-\([0-9.]*\).*/\1/p' | head -1) | ${r_reverse%.*} | ${r_varnish%.*} | $(ratio "$r_reverse" "$r_varnish") |"
echo "| cold 1 GiB through the cache vs direct from nginx, curl (MiB/s) | $(mib "$d_cache") | $(mib "$d_direct") | $(ratio "$d_cache" "$d_direct") |"
echo
echo "runs, Doorway forward req/s: $(tr '\n' ' ' < "$work/r.forward")"
echo "runs, Squid req/s:           $(tr '\n' ' ' < "$work/r.squid")"
echo "runs, Doorway reverse req/s: $(tr '\n' ' ' < "$work/r.reverse")"
echo "runs, Varnish req/s:         $(tr '\n' ' ' < "$work/r.varnish")"
echo "runs, through cache MiB/s:   $(while read -r x; do printf '%s ' "$(mib "$x")"; done < "$work/d.cache")"
echo "runs, direct MiB/s:          $(while read -r x; do printf '%s ' "$(mib "$x")"; done < "$work/d.direct")"
echo "load average (1 min) at each run: ${loads[*]}"
