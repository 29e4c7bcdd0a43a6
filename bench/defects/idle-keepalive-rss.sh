#!/usr/bin/env bash
# Defect: an idle HTTP keep-alive connection costs the server too much memory (issue 8).
#
# A fresh `serve` (file door only) is warmed up (100 connections with one GET each, closed, and
# 500 GETs on one connection), then its VmRSS is read; a python client opens N connections, does
# one `GET /small.txt HTTP/1.1` (with Host) on each, reads the whole response, and keeps them
# open and idle; after SETTLE seconds VmRSS is read again. Reports (after - before) / N, and the
# RSS once the connections are closed again. REPS fresh servers; the median is the figure.
#
# Usage: [DOORWAY=path/to/doorway.dll] [N=3000] [REPS=3] [SETTLE=2] bash bench/defects/idle-keepalive-rss.sh
# The server runs under `prlimit --nofile=HARD:HARD` (this shell's hard limit) with
# --max-connections N+1000; the client raises its own soft limit. Needs: dotnet, python3, prlimit.
# About 40 s.
source "$(dirname "$0")/lib.sh"

n=${N:-3000}
reps=${REPS:-3}
settle=${SETTLE:-2}
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=1048576
if [ "$hard" -lt $((n + 200)) ]; then
  echo "the hard limit on open files ($hard) is too low for $n connections" >&2
  exit 1
fi

mkdir -p "$work/root"
head -c 100 /dev/zero | tr '\0' 'a' >"$work/root/small.txt"
clients=(python3 "$defects/clients.py")

: >"$work/results.tsv"
for r in $(seq 1 "$reps"); do
  start_server "door$r" files prlimit --nofile="$hard:$hard" "${doorway_cmd[@]}" "${serve_base[@]}" \
    --tcp off --udp off --files 0 --root "$work/root" --max-connections $((n + 1000)) --idle-timeout 300
  pid_var="door${r}_pid"; pid=${!pid_var}
  port=$(ready_port "door$r" files)

  # Warm-up: JIT the HTTP path, the accept path, the pools.
  "${clients[@]}" idle-http 127.0.0.1 "$port" 100 /small.txt --hold 0 >/dev/null </dev/null
  "${clients[@]}" get-loop 127.0.0.1 "$port" /small.txt --count 500 --seconds 20 >/dev/null
  sleep 1
  before=$(rss_kib "$pid")

  mkfifo "$work/hold$r"
  "${clients[@]}" idle-http 127.0.0.1 "$port" "$n" /small.txt --hold 120 <"$work/hold$r" >"$work/idle$r.out" 2>&1 &
  holder=$!
  track_pid "$holder"
  exec 9>"$work/hold$r"
  for _ in $(seq 1 600); do grep -q '^open' "$work/idle$r.out" && break; sleep 0.1; done
  grep -q '^open' "$work/idle$r.out" || { echo "the idle client did not finish connecting: $(cat "$work/idle$r.out")" >&2; exit 1; }
  opened=$(sed -n 's/^open \([0-9]*\).*/\1/p' "$work/idle$r.out")
  sleep "$settle"
  after=$(rss_kib "$pid")
  fds=$(ls "/proc/$pid/fd" | wc -l)
  exec 9>&-
  wait_or_stop "$holder" 30 >/dev/null
  sleep "$settle"
  closed=$(rss_kib "$pid")
  client_summary=$(tail -1 "$work/idle$r.out")
  stop_server "$pid" >/dev/null
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$before" "$after" "$closed" "$opened" "$fds" "$client_summary" >>"$work/results.tsv"
done

echo "## idle-keepalive-rss: server RSS per idle HTTP keep-alive connection ($n connections, one GET /small.txt each)"
echo
echo "build: $(doorway_label)  "
echo "machine: $(load_line)  "
echo "serve: \`${serve_base[*]} --tcp off --udp off --files 0 --root ROOT --max-connections $((n + 1000)) --idle-timeout 300\` under \`prlimit --nofile=$hard:$hard\`; RSS read $settle s after the last connection opened"
echo
python3 - "$work/results.tsv" "$n" <<'PY'
import json, statistics as st, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
print("| run | RSS warmed up (KiB) | RSS with the connections idle (KiB) | connections open | server fds | per idle connection | RSS after they closed (KiB) | client errors / non-200 |")
print("|---:|---:|---:|---:|---:|---:|---:|---|")
per = []
for r, before, after, closed, opened, fds, summary in rows:
    before, after, closed, opened = int(before), int(after), int(closed), int(opened or 0)
    k = (after - before) / opened if opened else float("nan")
    per.append(k)
    try:
        s = json.loads(summary)
        errs = f"{s['errors']} / {s['notOkOrNotKeepAlive']}"
    except ValueError:
        errs = "?"
    print(f"| {r} | {before:,} | {after:,} | {opened:,} | {fds} | {k:.2f} KiB | {closed:,} | {errs} |")
print()
print(f"**Median: {st.median(per):.2f} KiB of server RSS per idle keep-alive connection (target ≤ 5 KiB).**")
PY
