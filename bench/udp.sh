#!/usr/bin/env bash
# Doorway's UDP capitalize door against the native single-threaded recvfrom/sendto baseline,
# driven by the same native load generator: 64-byte datagrams at 1 and 64 clients.
# Prints a Markdown table. Usage: bench/udp.sh [DURATION_SECONDS [REPEATS]]  (defaults 3 and 3;
# warm-up 1 s each). Runs are interleaved and each row is the median run, to blunt a busy machine.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-3}"
repeats="${2:-3}"
warmup=1
size=64
clients=(1 64)

"$root/bench/native/build.sh" >/dev/null
dotnet build "$root/src/Doorway.Cli" -c Release -v quiet -nologo >/dev/null
loadgen="$root/bench/native/bin/loadgen"
baseline="$root/bench/native/bin/udp_capitalize"
doorway_dll="$root/src/Doorway.Cli/bin/Release/net10.0/doorway.dll"

work="$(mktemp -d)"
pids=()
port=""
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# start NAME COMMAND...: runs a server in the background, waits for its "ready udp ADDR:PORT"
# line and sets $port. Not in a subshell, so the trap knows every server to stop.
start() {
    local name="$1"; shift
    "$@" >"$work/$name.out" 2>"$work/$name.err" &
    pids+=("$!")
    for _ in $(seq 1 200); do
        if grep -qs '^ready udp ' "$work/$name.out"; then
            port="$(sed -n 's/^ready udp .*:\([0-9]*\)$/\1/p' "$work/$name.out" | head -1)"
            return
        fi
        sleep 0.05
    done
    echo "udp.sh: $name did not get ready" >&2
    cat "$work/$name.err" >&2
    exit 1
}

start native "$baseline" --bind 127.0.0.1 --port 0
native_port="$port"
serve=(serve --tcp off --files off --udp 0 --bind 127.0.0.1 --log-level warning)
start doorway dotnet "$doorway_dll" "${serve[@]}"
doorway_port="$port"
# One receiver per core (at least 2) on the one socket: the default before it became one batched receiver.
cores=$(nproc)
per_core=$(( cores < 2 ? 2 : (cores > 8 ? 8 : cores) ))
start doorway1 dotnet "$doorway_dll" "${serve[@]}" --udp-receivers "$per_core"
doorway1_port="$port"
# One datagram per system call (recvfrom/sendto), the path before batching and the one off Linux.
start doorway_single dotnet "$doorway_dll" "${serve[@]}" --udp-batch 1
doorway_single_port="$port"
# BASELINE=/path/to/older/doorway.dll: that build too, interleaved (before/after a change).
if [ -n "${BASELINE:-}" ]; then
    start doorway_before dotnet "$BASELINE" "${serve[@]}"
    doorway_before_port="$port"
fi

run() { # run PORT CLIENTS -> one JSON line
    "$loadgen" udp --server "127.0.0.1:$1" --connections "$2" --size "$size" \
        --duration "$duration" --warmup "$warmup" --json 2>/dev/null
}

{
    for _ in $(seq 1 "$repeats"); do
        for n in "${clients[@]}"; do
            echo "native $n $(run "$native_port" "$n")"
            echo "doorway $n $(run "$doorway_port" "$n")"
            echo "doorway1 $n $(run "$doorway1_port" "$n")"
            echo "doorway_single $n $(run "$doorway_single_port" "$n")"
            if [ -n "${BASELINE:-}" ]; then echo "doorway_before $n $(run "$doorway_before_port" "$n")"; fi
        done
    done
} >"$work/results"

python3 - "$work/results" "$duration" "$size" "$cores" "$repeats" "$per_core" <<'PY'
import json, sys
runs = {}
for line in open(sys.argv[1]):
    server, clients, data = line.split(" ", 2)
    runs.setdefault((server, int(clients)), []).append(json.loads(data))
duration, size, cores, repeats, per_core = sys.argv[2:7]

def median(key):
    ordered = sorted(runs[key], key=lambda r: r["messagesPerSecond"])
    return ordered[len(ordered) // 2]

import os
load = os.getloadavg()
print(f"UDP capitalize, {size}-byte datagrams, loopback, {cores} cores; median of {repeats} interleaved runs "
      f"of {duration} s after 1 s warm-up; lost counts every run; "
      f"load average at the end {load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}.")
print()
print("| server | clients | datagrams/s | p50 RTT (µs) | p99 RTT (µs) | lost | ratio to baseline |")
print("|---|---:|---:|---:|---:|---:|---:|")
labels = (("native", "native recvfrom/sendto, 1 thread"),
          ("doorway", "Doorway (default receivers)"),
          ("doorway1", f"Doorway, one receiver per core (`--udp-receivers {per_core}`)"),
          ("doorway_single", "Doorway `--udp-batch 1` (recvfrom/sendto)"),
          ("doorway_before", "Doorway, the BASELINE build"))
for clients in sorted({c for _, c in runs}):
    base = median(("native", clients))["messagesPerSecond"]
    for server, label in labels:
        if (server, clients) not in runs:
            continue
        r = median((server, clients))
        lost = sum(x["lost"] + x["mismatches"] + x["errors"] for x in runs[(server, clients)])
        print(f"| {label} | {clients} | {r['messagesPerSecond']:,.0f} | {r['p50Us']:.1f} | {r['p99Us']:.1f} | {lost} | {r['messagesPerSecond'] / base:.2f}× |")
PY
