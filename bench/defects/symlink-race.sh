#!/usr/bin/env bash
# Defect: a symlink swapped in during a request leads outside the root (issue 8).
#
# ROOT/d/ is a real directory holding f.txt ("inside"); OUTSIDE/f.txt (not under ROOT) holds
# "OUTSIDE-SECRET". One process exchanges ROOT/d with a prepared symlink to OUTSIDE, atomically
# (renameat2 RENAME_EXCHANGE: d is the directory, then the symlink, then the directory ...), as
# fast as it can. Meanwhile a client requests /d/f.txt as fast as it can for DURATION seconds
# over one HTTP keep-alive connection, then DURATION seconds in the seed dialect (a connection
# per request). Every answer is classified by its body: inside, OUTSIDE (the defect), refused
# (HTTP 403/404, or the seed dialect's close with no bytes: a correct answer while d is the
# symlink), or other. A one-second control run without the swapper comes first.
#
# Usage: [DOORWAY=path/to/doorway.dll] [DURATION=10] bash bench/defects/symlink-race.sh
# Needs: dotnet, python3 (renameat2 through ctypes; Linux 3.15+, a filesystem that supports
# RENAME_EXCHANGE, e.g. ext4, xfs, btrfs, tmpfs). About 2 × DURATION + 10 s.
source "$(dirname "$0")/lib.sh"

duration=${DURATION:-10}
clients=(python3 "$defects/clients.py")

mkdir -p "$work/root/d" "$work/outside"
printf 'inside\n' >"$work/root/d/f.txt"
printf 'OUTSIDE-SECRET\n' >"$work/outside/f.txt"
ln -s "$work/outside" "$work/swap"     # the prepared symlink, kept outside the root

start_server door files "${doorway_cmd[@]}" "${serve_base[@]}" --tcp off --udp off --files 0 --root "$work/root"
port=$(ready_port door files)

race() { # race DIALECT SECONDS -> one JSON line
  "${clients[@]}" race 127.0.0.1 "$port" /d/f.txt "$1" --seconds "$2" --inside inside --outside OUTSIDE-SECRET
}

control_http=$(race http 1)
control_raw=$(race raw 1)

mkfifo "$work/swap.ctl"
"${clients[@]}" swap-loop "$work/swap" "$work/root/d" --seconds $((2 * duration + 30)) \
  <"$work/swap.ctl" >"$work/swap.out" 2>&1 &
swapper=$!
track_pid "$swapper"
exec 9>"$work/swap.ctl"
for _ in $(seq 1 50); do grep -q '^swapping' "$work/swap.out" && break; sleep 0.1; done

race_http=$(race http "$duration")
race_raw=$(race raw "$duration")

exec 9>&-
wait_or_stop "$swapper" 10 >/dev/null
swap_summary=$(tail -1 "$work/swap.out")
rc=$(stop_server "$door_pid")

echo "## symlink-race: /d/f.txt while d is swapped between a directory and a symlink to outside the root"
echo
echo "build: $(doorway_label)  "
echo "machine: $(load_line)  "
echo "serve: \`${serve_base[*]} --tcp off --udp off --files 0 --root ROOT\`; swapper: $swap_summary; server exit $rc"
echo
python3 - "$control_http" "$control_raw" "$race_http" "$race_raw" <<'PY'
import json, sys
names = ["control (no swapper), HTTP keep-alive", "control (no swapper), seed dialect",
         "swapping, HTTP keep-alive", "swapping, seed dialect"]
print("| run | requests | inside | **OUTSIDE** | refused | other | errors | % OUTSIDE of all | % OUTSIDE of those served (inside + OUTSIDE) | HTTP statuses |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
rs = [json.loads(a) for a in sys.argv[1:]]
for name, r in zip(names, rs):
    pct = 100 * r["outside"] / r["requests"] if r["requests"] else 0
    st = ", ".join(f"{k}×{v}" for k, v in r["httpStatuses"].items()) or "-"
    served = r["inside"] + r["outside"]
    spct = 100 * r["outside"] / served if served else 0
    print(f"| {name} | {r['requests']:,} | {r['inside']:,} | **{r['outside']:,}** | {r['refused']:,} | {r['other']:,} | {r['errors']:,} | {pct:.1f} % | {spct:.1f} % | {st} |")
h, w = rs[2], rs[3]
print()
def both(r):
    served = r["inside"] + r["outside"]
    return (f"{r['outside']:,} of {r['requests']:,} ({100*r['outside']/max(r['requests'],1):.1f} % of all, "
            f"{100*r['outside']/max(served,1):.1f} % of the files served)")
print(f"**Responses carrying the outside file's content while swapping: HTTP {both(h)}; seed dialect {both(w)}.**")
PY
