#!/usr/bin/env bash
# The book's DNS hierarchy (Kurose & Ross §2.4) on one machine: a root server on 127.0.0.2, the
# TLD server for "test." on 127.0.0.3, the authoritative server for "example.test." on 127.0.0.4,
# and the recursive resolver on 127.0.0.1, all on one PORT, with the zone files in examples/dns.
#   scripts/dns-hierarchy.sh [PORT]      PORT defaults to 5353 (53 needs root)
# Then, in another terminal:
#   dig @127.0.0.1 -p PORT www.example.test
#   doorway dns www.example.test --server 127.0.0.1:PORT --trace
# Ctrl-C stops the four servers.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${1:-5353}"
zones=examples/dns
if [ -n "${DOORWAY:-}" ]; then
  read -r -a doorway <<<"$DOORWAY"
else
  dotnet build src/Doorway.Cli -c Release -v q -nologo >/dev/null
  doorway=(dotnet src/Doorway.Cli/bin/Release/net10.0/doorway.dll)
fi

pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

serve() { # ADDRESS DOOR-FLAGS...
  local address="$1"; shift
  "${doorway[@]}" serve --tcp off --udp off --files off --bind "$address" "$@" &
  pids+=($!)
}

serve 127.0.0.2 --dns "$port" --zone "$zones/root.zone"
serve 127.0.0.3 --dns "$port" --zone "$zones/test.zone"
serve 127.0.0.4 --dns "$port" --zone "$zones/example.test.zone"
serve 127.0.0.1 --resolver "$port" --root-hints "$zones/hints.zone" --resolver-upstream-port "$port"
echo "hierarchy: root 127.0.0.2, test. 127.0.0.3, example.test. 127.0.0.4, resolver 127.0.0.1, all on port $port" >&2
wait
