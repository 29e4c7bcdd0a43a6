#!/usr/bin/env bash
# The file door against nginx, side by side on loopback (issue 4):
#   1. a 1 GiB file downloaded to /dev/null with curl, RUNS times each, medians;
#   2. requests/s for a small file (SMALL_KIB, default 4) over 50 keep-alive connections with wrk, RUNS times each, medians.
# Against nginx with 1 worker and with one per core, interleaved; BASELINE=path/to/doorway.dll adds an older build.
# Needs: dotnet, curl, nginx, wrk.  On Debian/Ubuntu: apt-get install -y curl nginx wrk
# Usage: [BASELINE=dll] [SMALL_KIB=4] bench/files.sh [RUNS]   (default 5; about two minutes)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-5}
for tool in dotnet curl nginx wrk; do
  command -v "$tool" >/dev/null || { echo "files.sh: $tool is missing (apt-get install -y curl nginx wrk)" >&2; exit 1; }
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

mkdir -p "$work/root"
# nginx's workers may run as another user: everything they read must be world-readable.
chmod 755 "$work" "$work/root"
head -c $((1024 * 1024 * 1024)) /dev/urandom > "$work/root/big.bin"
small_kib=${SMALL_KIB:-4}
head -c $((small_kib * 1024)) /dev/urandom > "$work/root/small.bin"
chmod 644 "$work/root/"*

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

# start_doorway NAME DLL: a Doorway build's file door on a free loopback port, every other door off (so it
# runs beside a default serve, which holds TCP and UDP 12000 and 8080). Sets ${NAME}_port.
start_doorway() {
  local name="$1" dll="$2"
  dotnet "$dll" serve --tcp off --udp off --files 0 --bind 127.0.0.1 --root "$work/root" \
    --log-level warning > "$work/$name.out" 2> "$work/$name.err" &
  pids+=("$!")
  for _ in $(seq 100); do grep -q '^ready files ' "$work/$name.out" && break; sleep 0.1; done
  local port
  port=$(sed -n 's/^ready files .*:\([0-9]*\)$/\1/p' "$work/$name.out")
  [ -n "$port" ] || { echo "files.sh: $name did not start" >&2; cat "$work/$name.err" >&2; exit 1; }
  printf -v "${name}_port" '%s' "$port"
}

# start_nginx NAME WORKERS: nginx with a config of our own, as a foreground process with its own prefix,
# pid and logs. Sets ${NAME}_port.
start_nginx() {
  local name="$1" workers="$2" port
  port=$(free_port)
  mkdir -p "$work/$name/logs" "$work/$name/tmp"
  cat > "$work/$name/nginx.conf" <<CONF
worker_processes $workers;
daemon off;
pid $work/$name/nginx.pid;
error_log $work/$name/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/$name/tmp/body;
  proxy_temp_path $work/$name/tmp/proxy;
  fastcgi_temp_path $work/$name/tmp/fastcgi;
  uwsgi_temp_path $work/$name/tmp/uwsgi;
  scgi_temp_path $work/$name/tmp/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$port;
    root $work/root;
  }
}
CONF
  nginx -p "$work/$name" -c "$work/$name/nginx.conf" -e "$work/$name/logs/error.log" &
  pids+=("$!")
  for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/small.bin" && break; sleep 0.1; done
  printf -v "${name}_port" '%s' "$port"
}

servers=(doorway)
start_doorway doorway src/Doorway.Cli/bin/Release/net10.0/doorway.dll
# BASELINE=/path/to/older/doorway.dll: that build too, interleaved (before/after a change).
if [ -n "${BASELINE:-}" ]; then
  servers+=(before)
  start_doorway before "$BASELINE"
fi
# nginx with one worker, and with one per core (what "auto" picks): Doorway's engine runs on every
# core, so the second is the comparison with the same number of workers on this machine.
servers+=(nginx1 nginxN)
start_nginx nginx1 1
start_nginx nginxN "$(nproc)"

# Warm up each: the page cache for the file, and Doorway's SHA-256 of this version (computed once, then cached).
for name in "${servers[@]}"; do
  port_var="${name}_port"
  curl -sf -o /dev/null "http://127.0.0.1:${!port_var}/big.bin"
done

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
download() { curl -sf -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$1/big.bin"; }
requests() { wrk -t2 -c50 -d3s "http://127.0.0.1:$1/small.bin" | awk '/^Requests\/sec:/ {print $2}'; }

for name in "${servers[@]}"; do : > "$work/d.$name"; : > "$work/r.$name"; done
# Interleaved: each run visits every server in turn, so a busy spell on the shared host falls on all
# of them, and run k starts at server k (a rotation), so no server always follows the same one.
rotation() {
  local k=$1 n=${#servers[@]} i
  for ((i = 0; i < n; i++)); do echo "${servers[$(((k + i) % n))]}"; done
}
for run in $(seq "$runs"); do
  for name in $(rotation "$run"); do
    port_var="${name}_port"
    download "${!port_var}" >> "$work/d.$name"
  done
done
for run in $(seq "$runs"); do
  for name in $(rotation "$run"); do
    port_var="${name}_port"
    requests "${!port_var}" >> "$work/r.$name"
  done
done

mib() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1048576}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
label() {
  case "$1" in
    doorway) echo "Doorway" ;;
    before) echo "Doorway, the BASELINE build" ;;
    nginx1) echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), 1 worker" ;;
    nginxN) echo "nginx, $(nproc) workers" ;;
  esac
}

d_nginx1=$(median < "$work/d.nginx1"); d_nginxN=$(median < "$work/d.nginxN")
r_nginx1=$(median < "$work/r.nginx1"); r_nginxN=$(median < "$work/r.nginxN")
echo
echo "$(nproc) cores; $runs interleaved runs of each; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| server | 1 GiB download, curl to /dev/null (MiB/s, median) | / nginx 1 worker | / nginx $(nproc) workers | ${small_kib} KiB file, wrk -t2 -c50 -d3s (requests/s, median) | / nginx 1 worker | / nginx $(nproc) workers |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for name in "${servers[@]}"; do
  d=$(median < "$work/d.$name"); r=$(median < "$work/r.$name")
  echo "| $(label "$name") | $(mib "$d") | $(ratio "$d" "$d_nginx1")× | $(ratio "$d" "$d_nginxN")× | ${r%.*} | $(ratio "$r" "$r_nginx1")× | $(ratio "$r" "$r_nginxN")× |"
done
echo
for name in "${servers[@]}"; do
  echo "runs, $(label "$name"): download MiB/s $(while read -r x; do printf '%s ' "$(mib "$x")"; done < "$work/d.$name"); requests/s $(tr '\n' ' ' < "$work/r.$name")"
done
