#!/usr/bin/env bash
# System calls per message of each TCP capitalize server, counted with strace -c -f over a bounded
# ping-pong load (bench/native/loadgen): the cost that does not depend on the machine's load.
#
#   bash bench/tcp-syscalls.sh [--connections N] [--duration S]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
connections=50 duration=2
while [ $# -gt 0 ]; do
  case "$1" in
    --connections) connections=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
bash "$here/native/build.sh" >/dev/null
[ -n "${NO_BUILD:-}" ] || dotnet build -c Release "$root/src/Doorway.Cli" -v quiet -nologo >/dev/null
doorway="${DOORWAY:-$root/src/Doorway.Cli/bin/Release/net10.0/doorway.dll}"
bin="$here/native/bin"
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
serve=(serve --tcp 0 --udp off --files off --bind 127.0.0.1 --log-level warning)

echo "| server | messages | recv | send | epoll_wait | epoll_ctl | futex | other | all per message |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for s in epoll sockets native; do
  case "$s" in
    epoll) cmd=(dotnet "$doorway" "${serve[@]}" --transport epoll) ;;
    sockets) cmd=(dotnet "$doorway" "${serve[@]}" --transport sockets) ;;
    native) cmd=("$bin/epoll_capitalize" --bind 127.0.0.1 --port 0) ;;
  esac
  "${cmd[@]}" >"$work/$s.out" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 200); do grep -q '^ready tcp' "$work/$s.out" && break; sleep 0.05; done
  port=$(sed -n 's/^ready tcp .*:\([0-9]*\)$/\1/p' "$work/$s.out" | head -1)
  # Warm up (JIT, pools) before counting.
  "$bin/loadgen" tcp --server "127.0.0.1:$port" --connections "$connections" --size 128 --duration 1 --warmup 0 >/dev/null 2>&1
  strace -c -f -q -p "$server_pid" -o "$work/$s.strace" &
  strace_pid=$!
  sleep 0.5
  messages=$("$bin/loadgen" tcp --server "127.0.0.1:$port" --connections "$connections" --size 128 --duration "$duration" --warmup 0 --json 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["messages"])')
  sleep 0.5
  kill -INT "$strace_pid"; wait "$strace_pid" 2>/dev/null || true
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=
  python3 - "$work/$s.strace" "$s" "$messages" <<'PY'
import sys, re
path, name, messages = sys.argv[1], sys.argv[2], int(sys.argv[3])
calls = {}
for line in open(path):
    f = line.split()
    if len(f) >= 5 and f[0][0].isdigit() and f[-1] != 'total':
        calls[f[-1]] = int(f[3])
def per(*names): return sum(calls.get(n, 0) for n in names) / messages
recv = per('recvfrom', 'recvmsg', 'read')
send = per('sendto', 'sendmsg', 'write')
wait = per('epoll_wait', 'epoll_pwait')
ctl = per('epoll_ctl')
futex = per('futex')
allc = sum(calls.values()) / messages
other = allc - recv - send - wait - ctl - futex
known = {'recvfrom', 'recvmsg', 'read', 'sendto', 'sendmsg', 'write', 'epoll_wait', 'epoll_pwait', 'epoll_ctl', 'futex'}
most = max(((n, c) for n, c in calls.items() if n not in known), key=lambda p: p[1], default=('-', 0))
print(f"| {name} | {messages} | {recv:.2f} | {send:.2f} | {wait:.3f} | {ctl:.3f} | {futex:.3f} | {other:.3f} (most: {most[0]}) | {allc:.2f} |")
PY
done
