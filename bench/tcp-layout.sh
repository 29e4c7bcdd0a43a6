#!/usr/bin/env bash
# The socket engine's layout, measured: the TCP capitalize door under several engine settings (and
# transports) against the native epoll server, interleaved in one run, unpinned and pinned (server
# on core 0, load on core 1). Loopback only; bounded in time (servers × connections × reps × pins ×
# (duration + warm-up) seconds).
#
#   bash bench/tcp-layout.sh [--duration S] [--reps N] [--connections "50 500"] [--pin "no yes"] [--layouts "a b"]
#   DOORWAY=/path/to/doorway.dll NO_BUILD=1 bash bench/tcp-layout.sh    # another build
#
# Layouts (each a doorway serve process; the native server is always run):
#   shipped       doorway serve as built (it chooses its transport and layout from the machine)
#   before        BEFORE=/path/to/older/doorway.dll serve, as that build ships (before/after)
#   sockets       doorway serve --transport sockets: .NET's engine in the layout serve chooses
#   pool          .NET's default: continuations on the thread pool (INLINE_COMPLETIONS=0)
#   inline        inline completions, .NET's engine count for it (one epoll thread per core)
#   inline1       inline completions, one epoll thread (THREAD_COUNT=1)
#   pool1         thread pool, one epoll thread (THREAD_COUNT=1)
#   epoll         doorway serve --transport epoll (Doorway's own Linux transport, its default loops)
#   epoll1/epoll2 the same with --transport-loops 1 / 2
#   native_mt     bench/native/epoll_capitalize --threads N: one epoll loop per core, SO_REUSEPORT
#   nopgo / nowx  shipped with the JIT's dynamic PGO off (DOTNET_TieredPGO=0) / with W^X off
#                 (DOTNET_EnableWriteXorExecute=0): does the runtime's own work explain a gap?
# Prints one Markdown table per pin mode: medians, ratio to native, errors, and the load average.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
duration=4 reps=3 connections="50 500" size=128 warmup=1 pins="no yes" layouts="shipped pool inline inline1"
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration=$2; shift 2 ;;
    --reps) reps=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --pin) pins=$2; shift 2 ;;
    --layouts) layouts=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

bash "$here/native/build.sh" >/dev/null
[ -n "${NO_BUILD:-}" ] || dotnet build -c Release "$root/src/Doorway.Cli" -v quiet -nologo >/dev/null
doorway="${DOORWAY:-$root/src/Doorway.Cli/bin/Release/net10.0/doorway.dll}"
bin="$here/native/bin"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

serve=(serve --tcp 0 --udp off --files off --bind 127.0.0.1 --log-level warning)
# A build from before --transport existed runs the managed engine only.
sockets=()
dotnet "$doorway" serve --help 2>/dev/null | grep -q -- '--transport' && sockets=(--transport sockets)
clean_env=(env -u DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS -u DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT)
command_of() { # command_of LAYOUT -> the server's command line in $cmd
  case "$1" in
    shipped) cmd=("${clean_env[@]}" dotnet "$doorway" "${serve[@]}") ;;
    before) cmd=("${clean_env[@]}" dotnet "${BEFORE:?set BEFORE=/path/to/older/doorway.dll}" "${serve[@]}") ;;
    sockets) cmd=("${clean_env[@]}" dotnet "$doorway" "${serve[@]}" "${sockets[@]}") ;;
    pool) cmd=("${clean_env[@]}" DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 dotnet "$doorway" "${serve[@]}" "${sockets[@]}") ;;
    pool1) cmd=("${clean_env[@]}" DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0 DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=1 dotnet "$doorway" "${serve[@]}" "${sockets[@]}") ;;
    inline) cmd=("${clean_env[@]}" DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT="$(nproc_of)" dotnet "$doorway" "${serve[@]}" "${sockets[@]}") ;;
    inline1) cmd=("${clean_env[@]}" DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT=1 dotnet "$doorway" "${serve[@]}" "${sockets[@]}") ;;
    epoll) cmd=("${clean_env[@]}" dotnet "$doorway" "${serve[@]}" --transport epoll) ;;
    epoll1) cmd=("${clean_env[@]}" dotnet "$doorway" "${serve[@]}" --transport epoll --transport-loops 1) ;;
    epoll2) cmd=("${clean_env[@]}" dotnet "$doorway" "${serve[@]}" --transport epoll --transport-loops 2) ;;
    nopgo) cmd=("${clean_env[@]}" DOTNET_TieredPGO=0 dotnet "$doorway" "${serve[@]}") ;;
    nowx) cmd=("${clean_env[@]}" DOTNET_EnableWriteXorExecute=0 dotnet "$doorway" "${serve[@]}") ;;
    native) cmd=("$bin/epoll_capitalize" --bind 127.0.0.1 --port 0) ;;
    native_mt) cmd=("$bin/epoll_capitalize" --bind 127.0.0.1 --port 0 --threads "$(nproc_of)") ;;
    *) echo "unknown layout $1" >&2; exit 2 ;;
  esac
}
# The cores the server may use: .NET counts only those in its affinity mask.
nproc_of() { if [ "$pin" = yes ]; then echo 1; else nproc; fi; }

# start NAME: starts a server (pinned to core 0 when pinning), waits for its ready line, sets NAME_port.
start() {
  local name=$1
  command_of "$name"
  local pinning=()
  [ "$pin" = yes ] && pinning=(taskset -c 0)
  "${pinning[@]}" "${cmd[@]}" >"$work/$name.out" 2>"$work/$name.err" &
  pids+=($!)
  eval "${name}_pid=$!"
  for _ in $(seq 1 200); do
    if grep -q '^ready tcp' "$work/$name.out"; then
      eval "${name}_port=$(sed -n 's/^ready tcp .*:\([0-9]*\)$/\1/p' "$work/$name.out" | head -1)"
      return 0
    fi
    sleep 0.05
  done
  echo "$name did not start" >&2; cat "$work/$name.err" >&2; exit 1
}

median() { python3 -c 'import sys,json,statistics as st; k=sys.argv[1]; v=[json.loads(l)[k] for l in open(sys.argv[2]) if l.strip()]; print(st.median(v))' "$@"; }
spread() { python3 -c 'import sys,json; v=[json.loads(l)["messagesPerSecond"] for l in open(sys.argv[1]) if l.strip()]; print(f"{min(v):.0f}–{max(v):.0f}")' "$1"; }
errors() { python3 -c 'import sys,json; print(sum(json.loads(l)["errors"]+json.loads(l)["mismatches"] for l in open(sys.argv[1]) if l.strip()))' "$1"; }

servers="$layouts native"
for pin in $pins; do
  for s in $servers; do start "$s"; done
  load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  loading=()
  [ "$pin" = yes ] && loading=(taskset -c 1)
  for c in $connections; do
    for r in $(seq 1 "$reps"); do
      for s in $servers; do
        port_var="${s}_port"
        "${loading[@]}" "$bin/loadgen" tcp --server "127.0.0.1:${!port_var}" --connections "$c" --size "$size" \
          --duration "$duration" --warmup "$warmup" --json 2>/dev/null >>"$work/$pin-$s-$c.jsonl" || true
      done
    done
  done
  load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  echo
  echo "pinned: $pin (server taskset -c 0, load taskset -c 1 when yes); $reps reps × ${duration} s; load average before $load_before, after $load_after"
  echo
  echo "| connections | layout | messages/s (median) | range | p99 µs | vs native | errors+mismatches |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
  for c in $connections; do
    nm=$(median messagesPerSecond "$work/$pin-native-$c.jsonl")
    for s in $servers; do
      f="$work/$pin-$s-$c.jsonl"
      m=$(median messagesPerSecond "$f")
      printf '| %s | %s | %.0f | %s | %.0f | %.2f× | %s |\n' "$c" "$s" "$m" "$(spread "$f")" "$(median p99Us "$f")" \
        "$(python3 -c "print($m/$nm)")" "$(errors "$f")"
    done
  done
  for s in $servers; do pid_var="${s}_pid"; kill "${!pid_var}" 2>/dev/null || true; wait "${!pid_var}" 2>/dev/null || true; done
done
