#!/usr/bin/env bash
# Defect: the server dies when it runs out of file descriptors (issue 8).
#
# `serve` (capitalize door only) runs under `prlimit --nofile=NOFILE:NOFILE`; a client opens
# CONNECTIONS TCP connections to it at once and holds them for HOLD seconds. Each run reports:
# is the server alive while they are held, does a fresh client get an answer then, is it alive
# after they are released, does a fresh client get an answer then, its exit code and last stderr line.
#
# Then the diagnosis (DIAGNOSE=1, the default), each part stopping at its first abort:
#   - up to DIAG_RUNS runs under `strace -f` (accept4, socket, pipe2, clone3, openat, write, tgkill):
#     which calls failed with EMFILE, and what the aborting thread did just before it died;
#   - up to DIAG_RUNS runs with a startup hook (fd-limit-hook.cs) that prints the managed stack
#     of the thread that throws an OutOfMemoryException.
#
# Usage: [DOORWAY=path/to/doorway.dll] [RUNS=5] [CONNECTIONS=2000] [NOFILE=1024] [HOLD=4]
#        [MAX_CONNECTIONS=N] [DIAGNOSE=0|1] [DIAG_RUNS=3] bash bench/defects/fd-limit.sh
# Needs: dotnet, python3, prlimit; strace for the diagnosis. About 1-2 minutes.
source "$(dirname "$0")/lib.sh"

runs=${RUNS:-5}
connections=${CONNECTIONS:-2000}
nofile=${NOFILE:-1024}
hold=${HOLD:-4}
diagnose=${DIAGNOSE:-1}
diag_runs=${DIAG_RUNS:-3}
clients=(python3 "$defects/clients.py")
serve=("${doorway_cmd[@]}" "${serve_base[@]}" --tcp 0 --udp off --files off)
[ -n "${MAX_CONNECTIONS:-}" ] && serve+=(--max-connections "$MAX_CONNECTIONS")

# probe PORT: "yes" if a fresh connection gets "PROBE" back within 2 s, else why not.
probe() {
  "${clients[@]}" probe-tcp 127.0.0.1 "$1" --timeout 2 |
    python3 -c 'import json,sys; r=json.loads(sys.stdin.read()); print("yes" if r["ok"] else "no (" + (r["error"] or "reply %r" % r["reply"]) + ")")'
}

# last_err FILE: the last stderr lines other than the repeated "Accept failed" warning (at most
# 2), and how many of those warnings there were. The console logger writes from its own thread,
# so a warning can land after a runtime message such as "Out of memory.".
last_err() {
  local lines n
  lines=$(grep -v -e '^\s*$' -e 'Accept failed' "$1" | tail -2 | cut -c1-110 | sed 's/|/\\|/g; s/^/`/; s/$/`/' | paste -sd' ' -)
  n=$(grep -c 'Accept failed' "$1" || true)
  echo "${lines:-(none)}; $n × \`Accept failed (TooManyOpenSockets)\`"
}

# one_run NAME [ENV=VALUE...]: a full run with prefix NAME; sets run_* variables.
one_run() {
  local name=$1 pid port holder line
  shift
  start_server "$name" tcp env "$@" prlimit --nofile="$nofile:$nofile" "${serve[@]}"
  pid_var="${name}_pid"; pid=${!pid_var}
  port=$(ready_port "$name" tcp)
  run_fds_before=$(ls "/proc/$pid/fd" | wc -l)

  mkfifo "$work/$name.hold"
  "${clients[@]}" hold-tcp 127.0.0.1 "$port" "$connections" --hold 60 --connect-timeout 10 \
    <"$work/$name.hold" >"$work/$name.holder" 2>&1 &
  holder=$!
  track_pid "$holder"
  exec 9>"$work/$name.hold"
  for _ in $(seq 1 150); do grep -q '^open' "$work/$name.holder" && break; sleep 0.1; done
  run_open=$(sed -n 's/^open \([0-9]*\).*/\1/p' "$work/$name.holder")
  sleep "$hold"

  if kill -0 "$pid" 2>/dev/null; then
    run_alive_held=yes
    run_fds_held=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
    run_probe_held=$(probe "$port")
  else
    run_alive_held=no; run_fds_held="-"; run_probe_held="-"
  fi

  exec 9>&-   # release: the holder closes its connections and exits
  for _ in $(seq 1 100); do kill -0 "$holder" 2>/dev/null || break; sleep 0.1; done
  stop_server "$holder" >/dev/null
  sleep 1
  if kill -0 "$pid" 2>/dev/null; then
    run_alive_after=yes
    run_probe_after=$(probe "$port")
    run_exit="$(stop_server "$pid") (after SIGTERM)"
  else
    run_alive_after=no; run_probe_after="-"
    run_exit=$(stop_server "$pid")
  fi
  run_died=no
  [ "$run_alive_held" = no ] || [ "$run_alive_after" = no ] && run_died=yes
  run_err=$(last_err "$work/$name.err")
}

echo "## fd-limit: $connections connections held against \`serve\` under \`prlimit --nofile=$nofile:$nofile\`"
echo
echo "build: $(doorway_label)  "
echo "machine: $(load_line)  "
echo "serve: \`${serve_base[*]} --tcp 0 --udp off --files off${MAX_CONNECTIONS:+ --max-connections $MAX_CONNECTIONS}\`, held $hold s"
echo
echo "| run | connections open (client) | server fds before / held | alive while held | fresh client answered while held | alive after release | fresh client answered after release | exit code | stderr (other than Accept failed) |"
echo "|---:|---:|---|---|---|---|---|---|---|"
died=0
for r in $(seq 1 "$runs"); do
  one_run "run$r"
  [ "$run_died" = yes ] && died=$((died + 1))
  echo "| $r | $run_open | $run_fds_before / $run_fds_held | $run_alive_held | $run_probe_held | $run_alive_after | $run_probe_after | $run_exit | $run_err |"
done
echo
echo "**The server died in $died of $runs runs.**"

[ "$diagnose" = 1 ] || exit 0

# --- Diagnosis 1: strace -------------------------------------------------------------------
if command -v strace >/dev/null; then
  echo
  echo "### Diagnosis: strace -f (runs until the first abort, at most $diag_runs)"
  found=0
  for r in $(seq 1 "$diag_runs"); do
    trace="$work/trace$r.log"
    start_server "strace$r" tcp prlimit --nofile="$nofile:$nofile" \
      strace -f --seccomp-bpf -tt -o "$trace" \
      -e trace=accept4,socket,pipe2,eventfd2,epoll_create1,clone3,openat,write,tgkill "${serve[@]}"
    pid_var="strace${r}_pid"; tracer=${!pid_var}
    port=$(ready_port "strace$r" tcp)
    server=$(pgrep -P "$tracer" | head -1 || true)   # the traced server: the tracer's only child
    mkfifo "$work/strace$r.hold"
    "${clients[@]}" hold-tcp 127.0.0.1 "$port" "$connections" --hold 60 <"$work/strace$r.hold" >"$work/strace$r.holder" 2>&1 &
    holder=$!; track_pid "$holder"
    exec 9>"$work/strace$r.hold"
    for _ in $(seq 1 150); do grep -q '^open' "$work/strace$r.holder" && break; sleep 0.1; done
    sleep "$hold"
    exec 9>&-
    for _ in $(seq 1 100); do kill -0 "$holder" 2>/dev/null || break; sleep 0.1; done
    stop_server "$holder" >/dev/null
    if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
      kill "$server" 2>/dev/null || true
      stop_server "$tracer" >/dev/null
      echo "- traced run $r: the server survived"
      continue
    fi
    rc=$(stop_server "$tracer")
    echo "- traced run $r: the server died (exit code $rc through strace); trace summary:"
    echo
    python3 - "$trace" <<'PY'
import collections, re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
emfile = collections.Counter()
for l in lines:
    if "EMFILE" in l:
        m = re.match(r"(\d+)\s+\S+\s+(?:<\.\.\. )?(\w+)", l)
        name = m.group(2) if m else "?"
        if name == "openat":
            p = re.search(r'"([^"]*)"', l)
            name += f'("{p.group(1)}")' if p else " (path on its <unfinished> line)"
        emfile[name] += 1
print("  calls that failed with EMFILE (count):", ", ".join(f"`{k}` ×{v}" for k, v in emfile.most_common()))
oom = [i for i, l in enumerate(lines) if 'write(2, "Out of memory.' in l]
if not oom:
    print("  no \"Out of memory.\" write in the trace; last lines:")
    for l in lines[-8:]:
        print("      " + l[:160])
    sys.exit(0)
i = oom[0]
tid = lines[i].split()[0]
t_oom = lines[i].split()[1]
# The thread whose start failed: a pipe2 or other EMFILE in a thread created (clone3) shortly before.
pipe_fail = [l for l in lines[max(0, i - 400): i] if "EMFILE" in l and "accept4" not in l and l.split()[0] != tid]
born = {l.split()[0] for l in pipe_fail}
clones = [l for l in lines[max(0, i - 400): i] if "clone3" in l and re.search(r"= (\d+)\s*$", l) and re.search(r"= (\d+)\s*$", l).group(1) in born]
print(f"  thread {tid} wrote \"Out of memory.\" at {t_oom}. Its clone3 of the thread that then failed, that")
print("  thread's failed calls, and the aborting thread's last calls:")
print()
print("  ```")
shown = set()
for l in clones + pipe_fail[-6:]:
    shown.add(l)
own = [l for l in lines[max(0, i - 400): i + 10] if l.split()[0] == tid]
for l in lines[max(0, i - 400): i + 10]:
    if l in shown or (l.split()[0] == tid and (l in own[-8:] or "tgkill" in l or "SIGABRT" in l)):
        print("  " + l[:170])
print("  ```")
PY
    found=1
    break
  done
  [ "$found" = 1 ] || echo "- no abort in $diag_runs traced runs"
else
  echo
  echo "(strace is not installed: no traced run)"
fi

# --- Diagnosis 2: managed stack of the OutOfMemoryException --------------------------------
echo
echo "### Diagnosis: managed stack at the OutOfMemoryException (startup hook; runs until the first abort, at most $diag_runs)"
mkdir -p "$work/hook"
cp "$defects/fd-limit-hook.cs" "$work/hook/"
cat >"$work/hook/FdLimitHook.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <AssemblyName>FdLimitHook</AssemblyName>
  </PropertyGroup>
</Project>
XML
if ! dotnet build -c Release "$work/hook/FdLimitHook.csproj" -o "$work/hook/out" -v quiet -nologo >"$work/hook/build.log" 2>&1; then
  echo "(the hook did not build: $(tail -3 "$work/hook/build.log"))"
  exit 0
fi
found=0
for r in $(seq 1 "$diag_runs"); do
  one_run "hook$r" DOTNET_STARTUP_HOOKS="$work/hook/out/FdLimitHook.dll"
  if [ "$run_died" = yes ]; then
    echo "- hook run $r: the server died (exit code $run_exit); its stderr without the Accept-failed warnings:"
    echo
    echo '```'
    grep -v 'Accept failed' "$work/hook$r.err" | head -30
    echo '```'
    found=1
    break
  fi
  echo "- hook run $r: the server survived"
done
[ "$found" = 1 ] || echo "- no abort in $diag_runs runs with the hook"
