#!/usr/bin/env bash
# Defect: a small GET costs the server too many system calls (issue 8).
#
# A warmed `serve` (file door only) gets COUNT `GET /small.txt` (a 100-byte file) on one HTTP
# keep-alive connection, opened before the count starts, while `strace -f -c` is attached to all
# its threads. A second attach of the same length with no request measures the background (timers,
# the thread pool) to subtract. Reports system calls per GET by name: the request's own work, and
# apart from it the futex/epoll/scheduling calls (how threads hand work to each other).
#
# Usage: [DOORWAY=path/to/doorway.dll] [COUNT=1000] bash bench/defects/small-get-syscalls.sh
# Needs: dotnet, python3, strace (ptrace allowed). About 20 s.
source "$(dirname "$0")/lib.sh"

count=${COUNT:-1000}
command -v strace >/dev/null || { echo "small-get-syscalls.sh needs strace (apt-get install -y strace)" >&2; exit 1; }

mkdir -p "$work/root"
head -c 100 /dev/zero | tr '\0' 'a' >"$work/root/small.txt"
clients=(python3 "$defects/clients.py")

start_server door files "${doorway_cmd[@]}" "${serve_base[@]}" --tcp off --udp off --files 0 --root "$work/root"
port=$(ready_port door files)

# Warm-up: JIT, tiered compilation's second tier for the hot path, the digest cache.
"${clients[@]}" get-loop 127.0.0.1 "$port" /small.txt --count 3000 --seconds 30 >/dev/null
sleep 1

# attach NAME: strace -f -c on every thread of the server, until detach NAME.
attach() {
  strace -f -c -U name,calls,errors -p "$door_pid" -o "$work/$1.txt" 2>"$work/$1.err" &
  printf -v "${1}_tracer" '%s' "$!"
  track_pid "$!"
  for _ in $(seq 1 100); do grep -q 'attached' "$work/$1.err" && break; sleep 0.05; done
  sleep 0.3  # strace reports the first thread before it has attached to every one
}
detach() {
  local tracer_var="${1}_tracer"
  kill -INT "${!tracer_var}" 2>/dev/null || true
  wait_or_stop "${!tracer_var}" 10 >/dev/null
}

# The client connects and does one GET, then waits for the go file.
"${clients[@]}" get-loop 127.0.0.1 "$port" /small.txt --count "$count" --seconds 60 --go-file "$work/go" \
  >"$work/client.out" 2>&1 &
client=$!
track_pid "$client"
for _ in $(seq 1 100); do grep -q '^connected' "$work/client.out" && break; sleep 0.05; done

attach gets
start=$(date +%s.%N)
touch "$work/go"
wait_or_stop "$client" 60 >/dev/null
end=$(date +%s.%N)
detach gets
window=$(python3 -c "print(round($end - $start, 3))")
result=$(tail -1 "$work/client.out")

# The background: the same attach, as long, with no request.
attach idle
sleep "$window"
detach idle

rc=$(stop_server "$door_pid")

echo "## small-get-syscalls: system calls per \`GET /small.txt\` (100 B) on one keep-alive connection"
echo
echo "build: $(doorway_label)  "
echo "machine: $(load_line)  "
echo "serve: \`${serve_base[*]} --tcp off --udp off --files 0 --root ROOT\`; client: $result; traced window $window s; server exit $rc"
echo
python3 - "$work/gets.txt" "$work/idle.txt" "$count" <<'PY'
import sys
def table(path):
    counts, errors = {}, {}
    for line in open(path):
        f = line.split()
        if len(f) < 2 or f[0].startswith("-") or f[0] in ("syscall", "total"):
            continue
        name, calls = f[0], int(f[1])
        counts[name] = calls
        errors[name] = int(f[2]) if len(f) > 2 else 0
    return counts, errors
gets, gerr = table(sys.argv[1])
idle, _ = table(sys.argv[2])
n = int(sys.argv[3])
noise = lambda s: s == "futex" or s.startswith("epoll") or s in ("sched_yield", "restart_syscall", "nanosleep", "clock_nanosleep", "membarrier")
rows = []
for s in set(gets) | set(idle):
    net = gets.get(s, 0) - idle.get(s, 0)
    rows.append((s, net / n, gets.get(s, 0), idle.get(s, 0), gerr.get(s, 0)))
work = sorted((r for r in rows if not noise(r[0])), key=lambda r: -r[1])
hand = sorted((r for r in rows if noise(r[0])), key=lambda r: -r[1])
def show(title, rs):
    print(f"| {title} | per GET | calls during the GETs | calls in the idle window | errors during the GETs |")
    print("|---|---:|---:|---:|---:|")
    for s, per, g, i, e in rs:
        if g == 0 and i == 0:
            continue
        print(f"| `{s}` | {per:.2f} | {g:,} | {i:,} | {e:,} |")
    print(f"| **total** | **{sum(r[1] for r in rs):.2f}** | {sum(r[2] for r in rs):,} | {sum(r[3] for r in rs):,} | |")
    print()
show("request work", work)
show("futex / epoll / scheduling", hand)
w = sum(r[1] for r in work); h = sum(r[1] for r in hand)
top = ", ".join(f"{s}×{per:.0f}" for s, per, *_ in work if round(per) >= 1)
print(f"**{w:.1f} system calls per small GET for the request itself ({top}), plus {h:.1f} futex/epoll/scheduling calls.**")
PY
