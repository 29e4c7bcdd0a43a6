# Shared by the bench/defects scripts (sourced, not run). Bash only.
#
# Which build is measured:
#   DOORWAY=/path/to/doorway.dll   run with `dotnet` (a framework-dependent build)
#   DOORWAY=/path/to/doorway       run directly (an apphost or a native build)
#   unset                          build Release from the repository this file lives in and use
#                                  its src/Doorway.Cli/bin/Release/net10.0/doorway.dll
#
# Provides: $defects (this folder), $repo, $work (a temporary directory, removed on exit),
# doorway_cmd (array: the command that runs doorway), start_server, ready_port, stop_server,
# rss_kib, load_line, and an EXIT trap that stops every process started with start_server or
# track_pid, each by its own PID.

set -euo pipefail

defects=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$defects/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/doorway-defects.XXXXXX")
tracked_pids=()

_defects_cleanup() {
  local p
  exec 9>&- 2>/dev/null || true
  for p in "${tracked_pids[@]}"; do
    kill "$p" 2>/dev/null || true
  done
  for p in "${tracked_pids[@]}"; do
    # Give each one 5 s to leave after SIGTERM, then SIGKILL that PID only.
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$p" 2>/dev/null; then kill -9 "$p" 2>/dev/null || true; fi
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap _defects_cleanup EXIT

track_pid() { tracked_pids+=("$1"); }

# untrack_pid PID: forget a process that has been waited for (its PID may be reused).
untrack_pid() {
  local p kept=()
  for p in "${tracked_pids[@]}"; do [ "$p" = "$1" ] || kept+=("$p"); done
  tracked_pids=("${kept[@]}")
}

# The doorway under test.
if [ -n "${DOORWAY:-}" ]; then
  doorway_path=$DOORWAY
else
  echo "building Doorway (Release) from $repo ..." >&2
  dotnet build -c Release "$repo/src/Doorway.Cli" -v quiet -nologo >/dev/null
  doorway_path="$repo/src/Doorway.Cli/bin/Release/net10.0/doorway.dll"
fi
[ -e "$doorway_path" ] || { echo "no doorway build at $doorway_path" >&2; exit 1; }
case "$doorway_path" in
  *.dll) doorway_cmd=(dotnet "$doorway_path") ;;
  *) doorway_cmd=("$doorway_path") ;;
esac

# The build's identity for the report: the path and the commit of the repository it came from.
doorway_label() {
  local dir commit
  dir=$(cd "$(dirname "$doorway_path")" && pwd)
  commit=$(git -C "$dir" rev-parse --short HEAD 2>/dev/null || echo "?")
  echo "$doorway_path (commit $commit)"
}

# start_server NAME DOORS COMMAND...
#   Starts COMMAND in the background with stdout in $work/NAME.out and stderr in $work/NAME.err,
#   waits (at most 30 s) until it printed a ready line for every door in DOORS (space-separated,
#   e.g. "tcp files"), and sets NAME_pid to the server's own PID. Exits the script if the server
#   does not get ready. A small wrapper subshell waits for the server and keeps its exit status
#   (stop_server prints it); the wrapper's stderr is /dev/null, so bash's "Aborted" job notice
#   for a server killed by a signal does not clutter the report.
declare -A wrapped_pids=()
start_server() {
  local name=$1 doors=$2 pid="" door ok
  shift 2
  rm -f "$work/$name.pid"
  (
    "$@" >"$work/$name.out" 2>"$work/$name.err" &
    p=$!
    echo "$p" >"$work/$name.pid"
    rc=0
    wait "$p" || rc=$?
    echo "$rc" >"$work/rc.$p"
  ) 2>/dev/null &
  for _ in $(seq 1 50); do [ -s "$work/$name.pid" ] && break; sleep 0.02; done
  pid=$(cat "$work/$name.pid")
  track_pid "$pid"
  wrapped_pids[$pid]=1
  printf -v "${name}_pid" '%s' "$pid"
  for _ in $(seq 1 300); do
    ok=1
    for door in $doors; do
      grep -q "^ready $door " "$work/$name.out" 2>/dev/null || ok=0
    done
    [ "$ok" = 1 ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "server $name did not get ready; stderr:" >&2
  tail -20 "$work/$name.err" >&2
  exit 1
}

# ready_port NAME DOOR: the port from NAME's line "ready DOOR ADDR:PORT".
ready_port() {
  sed -n "s/^ready $2 .*:\([0-9]*\)\$/\1/p" "$work/$1.out" | head -1
}

# stop_server PID: SIGTERM, wait at most 15 s, then SIGKILL. Prints the exit status (for a
# process that had already ended: the status it ended with, e.g. 134 for SIGABRT). PID is a
# server from start_server or a direct background child of this shell.
stop_server() {
  local pid=$1 rc=0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  if [ -n "${wrapped_pids[$pid]:-}" ]; then
    for _ in $(seq 1 100); do [ -s "$work/rc.$pid" ] && break; sleep 0.05; done
    rc=$(cat "$work/rc.$pid" 2>/dev/null || echo "?")
  else
    wait "$pid" 2>/dev/null || rc=$?
  fi
  untrack_pid "$pid"
  echo "$rc"
}

# wait_or_stop PID SECONDS: let PID end by itself for at most SECONDS, then stop_server it.
# Prints the exit status.
wait_or_stop() {
  local pid=$1 ticks=$(( $2 * 10 ))
  for _ in $(seq 1 "$ticks"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  stop_server "$pid"
}

# rss_kib PID: resident set size in KiB (VmRSS).
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

# One line describing the machine at this moment.
load_line() {
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), nproc $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

# The serve options every script starts from: loopback, no door it does not use on a fixed port.
# SERVE_ARGS adds to them (for example SERVE_ARGS="--transport sockets" to measure the other transport).
read -r -a serve_extra <<< "${SERVE_ARGS:-}"
serve_base=(serve --bind 127.0.0.1 --log-level warning "${serve_extra[@]}")
