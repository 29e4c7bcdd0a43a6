#!/usr/bin/env bash
# The file door over HTTPS against nginx over HTTPS, side by side on loopback (issue 12): a 1 GiB
# file downloaded to /dev/null with curl, RUNS times each, interleaved, medians. Both servers use
# the same ECDSA P-256 certificate, TLS 1.2+, and negotiate the same cipher with curl. Under TLS
# neither can use sendfile(2) (the bytes are encrypted in the process; nginx without kTLS reads
# and encrypts too): Doorway's file copy goes through the seam's pooled copy (FileCopySender).
# Doorway over plain HTTP (sendfile) is measured in the same runs, to show what TLS costs.
# Needs: dotnet, curl, nginx, openssl.  On Debian/Ubuntu: apt-get install -y curl nginx openssl
# Usage: bench/https.sh [RUNS]   (default 5; about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-5}
for tool in dotnet curl nginx openssl python3; do
  command -v "$tool" >/dev/null || { echo "https.sh: $tool is missing (apt-get install -y curl nginx openssl)" >&2; exit 1; }
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

mkdir -p "$work/root" "$work/nginx/logs" "$work/nginx/tmp" "$work/tls"
chmod 755 "$work" "$work/root" "$work/tls"
head -c $((1024 * 1024 * 1024)) /dev/urandom > "$work/root/big.bin"
chmod 644 "$work/root/"*
# One certificate for both servers (the kind serve --tls-self-signed makes: ECDSA P-256).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" \
  -days 2 -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
chmod 644 "$work/tls/"*

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

dotnet src/Doorway.Cli/bin/Release/net10.0/doorway.dll serve --tcp off --udp off --files 0 --bind 127.0.0.1 --root "$work/root" \
  --tls-cert "$work/tls/cert.pem" --tls-key "$work/tls/key.pem" --log-level warning > "$work/doorway.out" 2> "$work/doorway.err" &
doorway_pid=$!
for _ in $(seq 100); do grep -qs "^ready files " "$work/doorway.out" && break; sleep 0.1; done
doorway_port=$(sed -n 's/^ready files .*:\([0-9]*\)$/\1/p' "$work/doorway.out")
[ -n "$doorway_port" ] || { echo "https.sh: doorway did not start" >&2; cat "$work/doorway.err" >&2; exit 1; }

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
  client_body_temp_path $work/nginx/tmp/body;
  proxy_temp_path $work/nginx/tmp/proxy;
  fastcgi_temp_path $work/nginx/tmp/fastcgi;
  uwsgi_temp_path $work/nginx/tmp/uwsgi;
  scgi_temp_path $work/nginx/tmp/scgi;
  default_type application/octet-stream;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/tls/cert.pem;
    ssl_certificate_key $work/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $work/root;
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/logs/error.log" &
nginx_pid=$!
curl_tls=(--cacert "$work/tls/cert.pem")
for _ in $(seq 100); do curl -sf "${curl_tls[@]}" -o /dev/null -r 0-0 "https://localhost:$nginx_port/big.bin" && break; sleep 0.1; done

# Warm up: the page cache, and Doorway's SHA-256 of this version (computed once, then cached).
curl -sf -o /dev/null "http://127.0.0.1:$doorway_port/big.bin"
for port in "$doorway_port" "$nginx_port"; do
  curl -sf "${curl_tls[@]}" -o /dev/null "https://localhost:$port/big.bin"
done
cipher() { curl -sv "${curl_tls[@]}" -o /dev/null -r 0-0 "https://localhost:$1/big.bin" 2>&1 | sed -n 's/.*SSL connection using \(.*\)$/\1/p'; }
echo "cipher, Doorway: $(cipher "$doorway_port")   nginx: $(cipher "$nginx_port")" >&2

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
https() { curl -sf "${curl_tls[@]}" -o /dev/null -w '%{speed_download}\n' "https://localhost:$1/big.bin"; }
http() { curl -sf -o /dev/null -w '%{speed_download}\n' "http://127.0.0.1:$1/big.bin"; }
: > "$work/r.doorway"; : > "$work/r.nginx"; : > "$work/r.plain"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq "$runs"); do
  https "$doorway_port" >> "$work/r.doorway"
  https "$nginx_port" >> "$work/r.nginx"
  http "$doorway_port" >> "$work/r.plain"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

d=$(median < "$work/r.doorway"); n=$(median < "$work/r.nginx"); p=$(median < "$work/r.plain")
mib() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1048576}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

echo
echo "| 1 GiB download, curl to /dev/null (MiB/s, median of $runs) | Doorway HTTPS | nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') HTTPS | Doorway / nginx | Doorway plain HTTP (sendfile) |"
echo "|---|---:|---:|---:|---:|"
echo "| loopback | $(mib "$d") | $(mib "$n") | $(ratio "$d" "$n") | $(mib "$p") |"
echo
echo "runs, Doorway HTTPS MiB/s: $(while read -r x; do printf '%s ' "$(mib "$x")"; done < "$work/r.doorway")"
echo "runs, nginx HTTPS MiB/s:   $(while read -r x; do printf '%s ' "$(mib "$x")"; done < "$work/r.nginx")"
echo "runs, Doorway HTTP MiB/s:  $(while read -r x; do printf '%s ' "$(mib "$x")"; done < "$work/r.plain")"
echo "load average (1, 5, 15 min): $load_before before, $load_after after"
