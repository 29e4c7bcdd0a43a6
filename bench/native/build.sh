#!/usr/bin/env bash
# Build the native benchmark baselines into bench/native/bin/.
# Works from any directory; safe to re-run (binaries are replaced atomically,
# so rebuilding while an old binary is running is fine).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/bin"
mkdir -p "$out"

cc="${CC:-gcc}"
cflags=(-O2 -Wall -Wextra -Werror -std=gnu11)

for prog in epoll_capitalize udp_capitalize loadgen idle_clients; do
    "$cc" "${cflags[@]}" -o "$out/.$prog.tmp" "$here/$prog.c" "$here/netutil.c" -lm -pthread
    mv -f "$out/.$prog.tmp" "$out/$prog"
    echo "built $out/$prog"
done
