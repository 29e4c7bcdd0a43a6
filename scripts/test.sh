#!/usr/bin/env bash
# The test command: installs the programs the tests drive (clients the project did not write, and
# tools that give them a terminal, a browser or a syscall count), then runs `dotnet test`.
#   scripts/test.sh [ARGS...]   ARGS go to dotnet test (for example --filter Name~Get)
#   scripts/test.sh --deps      only install (or list) what is missing
# As root it installs what is missing with apt-get; otherwise it says what to install and stops,
# since the tests that need a missing program would fail.
set -euo pipefail
cd "$(dirname "$0")/.."

# command the tests run -> the Debian package that has it.
#   python3: the book's clients    curl, nc (-N): clients we did not write
#   script: a terminal (bsdutils)  setpriv: a non-root user for permission tests (util-linux)
#   chromium: the listing page     strace: a file open's system calls    gcc: the native baselines
#   wget, aria2c: download clients that resume and mirror   (Debian python3: h11, requests)
#   haproxy, wrk: the balancer and the load of the PROXY protocol and rolling-restart tests
#   promtool: checks the metrics endpoint's exposition (Debian's prometheus)
#   openssl: s_client and s_server against the TLS doors
#   nginx: an origin with its own Cache-Control and access log, for the web cache door
#   dig, kdig, named-checkzone, nsd, unbound: DNS peers (issue 14)   (Debian python3: dnspython)
needs=(python3:python3 curl:curl nc:netcat-openbsd script:bsdutils setpriv:util-linux
       chromium:chromium strace:strace gcc:gcc wget:wget aria2c:aria2
       haproxy:haproxy wrk:wrk promtool:prometheus openssl:openssl nginx:nginx
       dig:bind9-dnsutils kdig:knot-dnsutils named-checkzone:bind9-utils nsd:nsd unbound:unbound)
missing=()
for pair in "${needs[@]}"; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
# The strict HTTP parser and the requests library, for Debian's own python3 (the tests run /usr/bin/python3).
for module in h11:python3-h11 requests:python3-requests dns.message:python3-dnspython; do
  /usr/bin/python3 -c "import ${module%%:*}" >/dev/null 2>&1 || missing+=("${module#*:}")
done
# nc must be OpenBSD's: the tests use -N (close the write side at end of input).
if command -v nc >/dev/null 2>&1 && ! nc -h 2>&1 | grep -q -- '-N'; then
  missing+=(netcat-openbsd)
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "test.sh: the tests need ${missing[*]}; install them first (as root: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

[ "${1:-}" = "--deps" ] && exit 0

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
exec dotnet test "$@"
