#!/usr/bin/env bash
# Defect: one door stalls the others (issue 8).
#
# One `serve` process with the capitalize door and the file door (shipped settings: inline socket
# completions). 8 capitalize connections ping-pong 128-byte messages (`doorway bench tcp
# --connections 8 --duration DURATION --json`), first alone, then while one HTTP client fetches
# a 10,000-entry directory listing (GET /big/ on one keep-alive connection) in a loop. The runs
# alternate, REPS times each. Reports exchanges and latency percentiles of the capitalize door
# with and without the listing load, and how many listings were served meanwhile.
#
# Usage: [DOORWAY=path/to/doorway.dll] [BENCH_DOORWAY=path/to/doorway.dll] [REPS=3] [DURATION=4]
#        [ENTRIES=10000] [RATE=MSGS_PER_S] bash bench/defects/listing-stall.sh
# RATE passes --rate to the bench (latency counted from each message's scheduled time, so a
# stalled connection is not simply under-sampled); unset, the bench runs closed-loop as fast as
# replies come, as in the issue.
# BENCH_DOORWAY is the build whose `bench` drives the load (default: the build under test).
# Needs: dotnet, python3. About 45 s.
source "$(dirname "$0")/lib.sh"

reps=${REPS:-3}
duration=${DURATION:-4}
entries=${ENTRIES:-10000}
if [ -n "${BENCH_DOORWAY:-}" ]; then
  case "$BENCH_DOORWAY" in *.dll) bench_cmd=(dotnet "$BENCH_DOORWAY") ;; *) bench_cmd=("$BENCH_DOORWAY") ;; esac
else
  bench_cmd=("${doorway_cmd[@]}")
fi

mkdir -p "$work/root/big"
python3 - "$work/root/big" "$entries" <<'PY'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(d, f"file-{i:05d}.txt"), "w") as f:
        f.write("x" * (i % 100))
PY

start_server door "tcp files" "${doorway_cmd[@]}" "${serve_base[@]}" --tcp 0 --udp off --files 0 --root "$work/root"
tcp_port=$(ready_port door tcp)
files_port=$(ready_port door files)

bench() { # bench DURATION WARMUP -> one JSON line
  timeout $((duration + 30)) "${bench_cmd[@]}" bench tcp --server "127.0.0.1:$tcp_port" --connections 8 --size 128 \
    --duration "$1" --warmup "$2" ${RATE:+--rate "$RATE"} --json
}

# Warm-up: JIT both doors, fill the page cache and the dentry cache of the directory.
bench 1 0 >/dev/null
python3 "$defects/clients.py" listing-loop 127.0.0.1 "$files_port" /big/ --seconds 2 --count 5 >"$work/warm.json"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); sys.exit(0 if r["listings"] > 0 and r["non200"] == 0 else 1)' "$work/warm.json" ||
  { echo "the listing did not load: $(cat "$work/warm.json")" >&2; exit 1; }

: >"$work/alone.jsonl"; : >"$work/loaded.jsonl"; : >"$work/listings.jsonl"
for _ in $(seq 1 "$reps"); do
  bench "$duration" 1 >>"$work/alone.jsonl"
  python3 "$defects/clients.py" listing-loop 127.0.0.1 "$files_port" /big/ --seconds $((duration + 2)) \
    >>"$work/listings.jsonl" &
  lister=$!
  track_pid "$lister"
  sleep 0.5
  bench "$duration" 1 >>"$work/loaded.jsonl"
  wait_or_stop "$lister" 30 >/dev/null   # it ends by itself DURATION+2 s after it started
done
server_rss=$(rss_kib "$door_pid")
rc=$(stop_server "$door_pid")

echo "## listing-stall: capitalize door (8 connections, 128 B ping-pong) alone and during a 10,000-entry listing loop"
echo
echo "build: $(doorway_label)  "
echo "machine: $(load_line)  "
echo "serve: \`${serve_base[*]} --tcp 0 --udp off --files 0 --root ROOT\` (ROOT/big/ holds $entries files); $reps × ${duration} s measured per case, alternating${RATE:+, --rate $RATE}; server RSS at the end $server_rss KiB, exit $rc"
echo
python3 - "$work/alone.jsonl" "$work/loaded.jsonl" "$work/listings.jsonl" "$duration" <<'PY'
import json, statistics as st, sys
alone = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
loaded = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
listings = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
duration = float(sys.argv[4])
print("| case | run | exchanges | msg/s | p50 µs | p99 µs | p99.9 µs | max µs | errors+mismatches | listings served (ms each, slowest) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
def row(case, i, r, extra):
    print(f"| {case} | {i} | {r['messages']:,} | {r['messagesPerSecond']:,.0f} | {r['p50Us']:,.1f} | {r['p99Us']:,.1f} | "
          f"{r['p999Us']:,.1f} | {r['maxUs']:,.1f} | {r['errors'] + r['mismatches']} | {extra} |")
for i, r in enumerate(alone, 1):
    row("alone", i, r, "-")
for i, r in enumerate(loaded, 1):
    l = listings[i - 1] if i - 1 < len(listings) else None
    extra = f"{l['listings']} in {l['seconds']} s ({l['msPerListing']} ms, slowest {l['slowestMs']} ms; {l['bytesPerListing']:,} B each)" if l else "?"
    row("with listing loop", i, r, extra)
med = lambda rs, k: st.median(r[k] for r in rs)
print()
print(f"**Median of {len(alone)} runs: capitalize p99 {med(alone, 'p99Us'):,.1f} µs alone → {med(loaded, 'p99Us'):,.1f} µs "
      f"with the listing loop; exchanges in {duration:g} s {med(alone, 'messages'):,.0f} → {med(loaded, 'messages'):,.0f}.**")
PY
