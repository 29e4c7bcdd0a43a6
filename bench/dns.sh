#!/usr/bin/env bash
# DNS doors against their peers, driven by dnsperf, interleaved run by run:
#   authoritative: Doorway's --dns door vs NSD, serving examples/dns/example.test.zone
#   resolver (cached answers): Doorway's --resolver vs Unbound, both over Doorway's hierarchy
# Prints a Markdown table of median queries/s and lost queries. dnsperf keeps 50 queries
# outstanding per client (-q 50): at -q 200 a few queries (7 a run, for Doorway and Unbound alike)
# were lost to the burst at the start.
# Usage: bench/dns.sh [DURATION_SECONDS [REPEATS]]   (defaults 5 and 3). Loopback only; needs
# dnsperf, nsd and unbound (Debian). The hierarchy uses 127.0.0.2-4, Unbound 127.0.0.5.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-5}"
repeats="${2:-3}"
dotnet build "$root/src/Doorway.Cli" -c Release -v quiet -nologo >/dev/null
doorway=(dotnet "$root/src/Doorway.Cli/bin/Release/net10.0/doorway.dll")
zones="$root/examples/dns"
work="$(mktemp -d)"
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_answer ADDRESS PORT NAME: until the server answers NAME (bounded: 10 s).
wait_answer() {
    for _ in $(seq 1 200); do
        if dig @"$1" -p "$2" +time=1 +tries=1 +short "$3" SOA >/dev/null 2>&1 && [ -n "$(dig @"$1" -p "$2" +time=1 +tries=1 +short "$3" SOA)" ]; then return; fi
        sleep 0.05
    done
    echo "dns.sh: nothing answers $3 on $1:$2" >&2; exit 1
}

serve() { # ADDRESS FLAGS...
    local address="$1"; shift
    "${doorway[@]}" serve --tcp off --udp off --files off --log-level warning --bind "$address" "$@" >>"$work/serve.out" 2>>"$work/serve.err" &
    pids+=("$!")
}

# Authoritative: Doorway and NSD, same zone, each on its own port of 127.0.0.1.
auth_port="$(free_port)"
serve 127.0.0.1 --dns "$auth_port" --zone "$zones/example.test.zone"
nsd_port="$(free_port)"
cat >"$work/nsd.conf" <<CONF
server:
  ip-address: 127.0.0.1@$nsd_port
  zonesdir: "$zones"
  pidfile: "$work/nsd.pid"
  database: ""
  zonelistfile: "$work/zone.list"
  xfrdfile: "$work/xfrd.state"
  xfrdir: "$work"
  username: ""
  chroot: ""
  server-count: 1
  verbosity: 0
  # NSD limits responses per second by default (RRL); Doorway exempts loopback: compare servers, not limits.
  rrl-ratelimit: 0
remote-control:
  control-enable: no
zone:
  name: "example.test."
  zonefile: "example.test.zone"
CONF
nsd -d -c "$work/nsd.conf" 2>"$work/nsd.err" &
pids+=("$!")
wait_answer 127.0.0.1 "$auth_port" example.test
wait_answer 127.0.0.1 "$nsd_port" example.test

# Resolvers: the hierarchy on 127.0.0.2-4, Doorway's resolver on 127.0.0.1, Unbound on 127.0.0.5.
h_port="$(free_port)"
serve 127.0.0.2 --dns "$h_port" --zone "$zones/root.zone"
serve 127.0.0.3 --dns "$h_port" --zone "$zones/test.zone"
serve 127.0.0.4 --dns "$h_port" --zone "$zones/example.test.zone"
serve 127.0.0.1 --resolver "$h_port" --root-hints "$zones/hints.zone" --resolver-upstream-port "$h_port"
cat >"$work/unbound.conf" <<CONF
server:
  interface: 127.0.0.5
  port: $h_port
  do-not-query-localhost: no
  access-control: 127.0.0.0/8 allow
  username: ""
  chroot: ""
  directory: "$work"
  pidfile: "$work/unbound.pid"
  use-syslog: no
  logfile: ""
  do-ip6: no
  num-threads: 1
  so-reuseport: no
  module-config: "iterator"
  qname-minimisation: no
  local-zone: "test." nodefault
  verbosity: 0
remote-control:
  control-enable: no
stub-zone:
  name: "."
  stub-addr: 127.0.0.2@$h_port
stub-zone:
  name: "test."
  stub-addr: 127.0.0.3@$h_port
stub-zone:
  name: "example.test."
  stub-addr: 127.0.0.4@$h_port
CONF
unbound -d -c "$work/unbound.conf" 2>"$work/unbound.err" &
pids+=("$!")
wait_answer 127.0.0.1 "$h_port" example.test
wait_answer 127.0.0.5 "$h_port" example.test

# The query mix: answers, a CNAME chain, MX with additional, NXDOMAIN, NODATA.
cat >"$work/queries" <<Q
www.example.test A
www.example.test AAAA
example.test MX
files.example.test A
motd.example.test TXT
_http._tcp.example.test SRV
missing.example.test A
mail.example.test AAAA
Q
# Warm the resolvers' caches.
while read -r name type; do
    dig @127.0.0.1 -p "$h_port" +short "$name" "$type" >/dev/null
    dig @127.0.0.5 -p "$h_port" +short "$name" "$type" >/dev/null
done <"$work/queries"

# run LABEL ADDRESS PORT: one dnsperf run; appends "qps lost" to $work/LABEL.
run() {
    dnsperf -s "$2" -p "$3" -d "$work/queries" -l "$duration" -c 4 -q 50 -S 0 >"$work/last" 2>&1 || true
    cp "$work/last" "$work/$1.last"
    local qps lost
    qps="$(sed -n 's/^ *Queries per second: *\([0-9.]*\).*/\1/p' "$work/last")"
    lost="$(sed -n 's/^ *Queries lost: *\([0-9]*\).*/\1/p' "$work/last")"
    echo "${qps:-0} ${lost:-?}" >>"$work/$1"
}

echo "load before: $(uptime)" >&2
for r in $(seq 1 "$repeats"); do
    run doorway_auth 127.0.0.1 "$auth_port"
    run nsd 127.0.0.1 "$nsd_port"
    run doorway_resolver 127.0.0.1 "$h_port"
    run unbound 127.0.0.5 "$h_port"
    echo "run $r done" >&2
done
echo "load after: $(uptime)" >&2
if [ -n "${DNS_BENCH_SHOW:-}" ]; then cat "$work"/*.last >&2; fi

median() { sort -n "$work/$1" | awk '{ q[NR]=$1; l[NR]=$2 } END { m=int((NR+1)/2); printf "%.0f %s", q[m], l[m] }'; }
all() { awk '{ printf "%s%.0f/%s", (NR>1?", ":""), $1, $2 }' "$work/$1"; }
read -r da dl <<<"$(median doorway_auth)"
read -r na nl <<<"$(median nsd)"
read -r dr drl <<<"$(median doorway_resolver)"
read -r ur url <<<"$(median unbound)"
echo "| server | median q/s | lost (median run) | ratio | runs (q/s / lost) |"
echo "|---|---:|---:|---:|---|"
echo "| Doorway authoritative | $da | $dl | $(awk -v a="$da" -v b="$na" 'BEGIN { printf "%.2f×", a/b }') NSD | $(all doorway_auth) |"
echo "| NSD 4.6 | $na | $nl | 1.00× | $(all nsd) |"
echo "| Doorway resolver, cached | $dr | $drl | $(awk -v a="$dr" -v b="$ur" 'BEGIN { printf "%.2f×", a/b }') Unbound | $(all doorway_resolver) |"
echo "| Unbound 1.17, cached | $ur | $url | 1.00× | $(all unbound) |"
