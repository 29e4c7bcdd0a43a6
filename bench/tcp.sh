#!/usr/bin/env bash
# Ping-pong benchmark of the TCP capitalize door against the native epoll baseline, side by side
# in one run, plus resident memory per idle connection. Loopback only; bounded in time.
#
#   bash bench/tcp.sh [--duration S] [--reps N] [--connections "1 50 500"] [--size B] [--idle N]
#   BASELINE=/path/to/older/doorway.dll bash bench/tcp.sh    # also an older build, interleaved (before/after)
#   NATIVE_MT=1 bash bench/tcp.sh    # also the multi-threaded native server (one epoll loop per core, SO_REUSEPORT)
#
# Servers: doorway (as shipped: on Linux its own epoll transport), doorway_sockets (--transport
# sockets: .NET's engine, inline completions), doorway_threadpool (sockets, .NET's default dispatch),
# native (single-threaded C epoll), native_mt (with NATIVE_MT=1).
#
# Prints a Markdown table (medians over the repetitions; runs of the servers interleave so
# machine noise hits both alike).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
duration=5 reps=3 connections="1 50 500" size=128 idle=10000 warmup=1
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --idle) idle=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

bash "$here/native/build.sh" >/dev/null
dotnet build -c Release "$root/src/Doorway.Cli" -v quiet -nologo >/dev/null
doorway="$root/src/Doorway.Cli/bin/Release/net10.0/doorway.dll"
bin="$here/native/bin"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

# start NAME COMMAND...: starts a server, waits for its ready line, sets $port.
start() {
  local name=$1; shift
  "$@" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  eval "${name}_pid=$!"
  for _ in $(seq 1 200); do
    if grep -q '^ready tcp' "$work/$name.out"; then
      port=$(sed -n 's/^ready tcp .*:\([0-9]*\)$/\1/p' "$work/$name.out" | head -1)
      eval "${name}_port=$port"
      return 0
    fi
    sleep 0.05
  done
  echo "$name did not start" >&2; cat "$work/$name.err" >&2; exit 1
}

servers="doorway doorway_sockets doorway_threadpool native"
[ -n "${BASELINE:-}" ] && servers="doorway doorway_before doorway_sockets doorway_threadpool native"
[ -n "${NATIVE_MT:-}" ] && servers="$servers native_mt"
serve=(serve --tcp 0 --udp off --files off --bind 127.0.0.1 --log-level warning)
start_before() { [ -n "${BASELINE:-}" ] && start doorway_before dotnet "$BASELINE" "${serve[@]}"; return 0; }
start_native_mt() { [ -n "${NATIVE_MT:-}" ] && start native_mt "$bin/epoll_capitalize" --bind 127.0.0.1 --port 0 --threads 0; return 0; }
# doorway as shipped (on Linux its own epoll transport), the sockets transport with inline
# continuations, and the sockets transport with .NET's default (continuations hop to the thread pool).
start doorway dotnet "$doorway" "${serve[@]}"
start_before
start doorway_sockets dotnet "$doorway" "${serve[@]}" --transport sockets
start doorway_threadpool env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 dotnet "$doorway" "${serve[@]}" --transport sockets
start native "$bin/epoll_capitalize" --bind 127.0.0.1 --port 0
start_native_mt

run() { # run SERVER CONNECTIONS -> one JSON line
  local port_var="${1}_port"
  "$bin/loadgen" tcp --server "127.0.0.1:${!port_var}" --connections "$2" --size "$size" \
    --duration "$duration" --warmup "$warmup" --json 2>/dev/null
}

for c in $connections; do
  for r in $(seq 1 "$reps"); do
    for s in $servers; do
      run "$s" "$c" >>"$work/$s-$c.jsonl"
    done
  done
done

median() { python3 -c 'import sys,json,statistics as st; k=sys.argv[1]; v=[json.loads(l)[k] for l in open(sys.argv[2]) if l.strip()]; print(st.median(v))' "$@"; }
errors() { python3 -c 'import sys,json; print(sum(json.loads(l)["errors"]+json.loads(l)["mismatches"] for l in open(sys.argv[1]) if l.strip()))' "$1"; }

echo "| connections | server | messages/s | p50 µs | p99 µs | vs native (msg/s) | errors+mismatches |"
echo "|---:|---|---:|---:|---:|---:|---:|"
for c in $connections; do
  nm=$(median messagesPerSecond "$work/native-$c.jsonl")
  for s in $servers; do
    m=$(median messagesPerSecond "$work/$s-$c.jsonl")
    printf '| %s | %s | %.0f | %.0f | %.0f | %.2f× | %s |\n' "$c" "$s" "$m" \
      "$(median p50Us "$work/$s-$c.jsonl")" "$(median p99Us "$work/$s-$c.jsonl")" \
      "$(python3 -c "print($m/$nm)")" "$(errors "$work/$s-$c.jsonl")"
  done
done

# Resident memory per idle connection, on fresh servers: RSS with N idle connections open minus
# RSS after a short warm-up (one second of 10 connections), so the load above doesn't hide it.
for s in $servers; do pid_var="${s}_pid"; kill "${!pid_var}" 2>/dev/null || true; done
start doorway dotnet "$doorway" "${serve[@]}"
start_before
start doorway_sockets dotnet "$doorway" "${serve[@]}" --transport sockets
start doorway_threadpool env DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 dotnet "$doorway" "${serve[@]}" --transport sockets
start native "$bin/epoll_capitalize" --bind 127.0.0.1 --port 0
start_native_mt
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
echo
echo "| server | RSS warmed up (KiB) | RSS with $idle idle (KiB) | per idle connection |"
echo "|---|---:|---:|---:|"
for s in $servers; do
  pid_var="${s}_pid"; port_var="${s}_port"
  "$bin/loadgen" tcp --server "127.0.0.1:${!port_var}" --connections 10 --size "$size" --duration 1 --warmup 0 --json >/dev/null 2>&1
  sleep 1
  before=$(rss "${!pid_var}")
  mkfifo "$work/hold-$s"
  "$bin/idle_clients" --server "127.0.0.1:${!port_var}" --connections "$idle" --ping <"$work/hold-$s" >"$work/idle-$s.out" 2>&1 &
  idle_pid=$!
  exec 9>"$work/hold-$s"
  for _ in $(seq 1 600); do grep -q '^open' "$work/idle-$s.out" && break; sleep 0.1; done
  grep -q '^open' "$work/idle-$s.out" || { echo "idle clients did not connect: $(cat "$work/idle-$s.out")" >&2; exit 1; }
  sleep 2 # let the server settle (GC, pools) before reading its memory
  after=$(rss "${!pid_var}")
  exec 9>&-
  wait "$idle_pid" || true
  printf '| %s | %s | %s | %.2f KiB |\n' "$s" "$before" "$after" "$(python3 -c "print(($after-$before)/$idle)")"
done
