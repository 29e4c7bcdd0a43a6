#!/usr/bin/env python3
"""Small clients for the bench/defects scripts. Standard library only; every loop is bounded in
count and in time. Each subcommand prints one JSON object on stdout when it is done (hold-tcp and
idle-http also print a line "open ..." once their connections are up, then hold them until stdin
reaches end of file or --hold seconds pass).

  clients.py hold-tcp     HOST PORT N [--hold S] [--connect-timeout S]
  clients.py idle-http    HOST PORT N PATH [--hold S]
  clients.py get-loop     HOST PORT PATH --count N [--seconds S] [--go-file F]
  clients.py listing-loop HOST PORT PATH --seconds S [--count N]
  clients.py race         HOST PORT PATH {http|raw} --seconds S --inside TEXT --outside TEXT
  clients.py probe-tcp    HOST PORT [--timeout S]   one capitalize exchange: "probe" -> "PROBE"?
  clients.py slow-read    HOST PORT NAME --rate BYTES_PER_S [--seconds S] [--out FILE]
                          the seed dialect, read no faster than --rate
  clients.py swap-loop    A B --seconds S   (not a client) exchange paths A and B with
                          renameat2(RENAME_EXCHANGE) as fast as possible until stdin closes
"""
import argparse
import json
import os
import resource
import select
import socket
import sys
import time


def raise_nofile(need):
    """Raise this process's soft RLIMIT_NOFILE to the hard limit (if that is needed)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def wait_for_stdin_eof(seconds):
    """Block until stdin is closed or `seconds` pass, without busy waiting."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return "timeout"
        try:
            ready, _, _ = select.select([sys.stdin], [], [], min(left, 1.0))
        except (OSError, ValueError):
            time.sleep(min(left, 1.0))
            continue
        if ready:
            if not os.read(sys.stdin.fileno(), 4096):
                return "stdin closed"


class HttpConnection:
    """A keep-alive HTTP/1.1 connection on a plain socket: request, then one whole response."""

    def __init__(self, host, port, timeout):
        self.host = host
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.pending = b""

    def get(self, path):
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode()
        self.sock.sendall(request)
        return self.read_response()

    def read_response(self):
        """(status, headers dict with lower-case names, body bytes, keep_alive)."""
        buf = self.pending
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before the response head")
            buf += chunk
        head, _, rest = buf.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        parts = [rest]
        have = len(rest)
        while have < length:
            chunk = self.sock.recv(min(1 << 20, max(65536, length - have)))
            if not chunk:
                raise ConnectionError(f"closed after {have} of {length} body bytes")
            parts.append(chunk)
            have += len(chunk)
        body = b"".join(parts)
        self.pending = body[length:]
        body = body[:length]
        keep_alive = headers.get("connection", "").lower() != "close"
        return status, headers, body, keep_alive

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def cmd_hold_tcp(a):
    """Open N TCP connections at once (non-blocking connects), report how many got established,
    hold them, then close them."""
    limit = raise_nofile(a.n + 64)
    socks, failed_create = [], None
    poller = select.epoll()
    start = time.monotonic()
    for i in range(a.n):
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as e:
            failed_create = f"socket() failed after {i}: {e}"
            break
        s.setblocking(False)
        err = s.connect_ex((a.host, a.port))
        if err not in (0, 115):  # 115 = EINPROGRESS
            s.close()
            continue
        socks.append(s)
        poller.register(s.fileno(), select.EPOLLOUT)
    by_fd = {s.fileno(): s for s in socks}
    established = failed = 0
    pending = set(by_fd)
    deadline = start + a.connect_timeout
    while pending and time.monotonic() < deadline:
        for fd, _ in poller.poll(max(0.0, deadline - time.monotonic())):
            if fd not in pending:
                continue
            pending.discard(fd)
            poller.unregister(fd)
            if by_fd[fd].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                established += 1
            else:
                failed += 1
    elapsed = time.monotonic() - start
    print(f"open {established} failed {failed} pending {len(pending)}", flush=True)
    why = wait_for_stdin_eof(a.hold)
    # Of the established ones: how many has the server closed meanwhile (readable with EOF/RST)?
    closed_by_server = 0
    for s in socks:
        if s.fileno() in pending:
            continue
        try:
            r, _, _ = select.select([s], [], [], 0)
            if r and not s.recv(1, socket.MSG_PEEK):
                closed_by_server += 1
        except (OSError, ValueError):
            closed_by_server += 1
    for s in socks:
        s.close()
    print(json.dumps({"asked": a.n, "nofile": limit, "established": established, "failed": failed,
                      "pending": len(pending), "connectSeconds": round(elapsed, 3),
                      "closedByServer": closed_by_server, "socketError": failed_create,
                      "heldUntil": why}), flush=True)


def cmd_idle_http(a):
    """Open N keep-alive connections, one GET each (response read in full), then hold them idle."""
    limit = raise_nofile(a.n + 64)
    conns, errors, bad = [], 0, 0
    start = time.monotonic()
    for _ in range(a.n):
        if time.monotonic() - start > a.connect_seconds:
            break
        try:
            c = HttpConnection(a.host, a.port, timeout=10)
            status, _, _, keep = c.get(a.path)
            if status != 200 or not keep:
                bad += 1
            conns.append(c)
        except OSError:
            errors += 1
    elapsed = time.monotonic() - start
    print(f"open {len(conns)} errors {errors} bad {bad}", flush=True)
    why = wait_for_stdin_eof(a.hold)
    for c in conns:
        c.close()
    print(json.dumps({"asked": a.n, "nofile": limit, "open": len(conns), "errors": errors,
                      "notOkOrNotKeepAlive": bad, "seconds": round(elapsed, 3), "heldUntil": why}),
          flush=True)


def cmd_get_loop(a):
    """One keep-alive connection: one GET to open it, wait for --go-file (if given), then --count GETs."""
    c = HttpConnection(a.host, a.port, timeout=10)
    c.get(a.path)
    if a.go_file:
        print("connected", flush=True)
        deadline = time.monotonic() + 60
        while not os.path.exists(a.go_file) and time.monotonic() < deadline:
            time.sleep(0.05)
    done = errors = 0
    start = time.monotonic()
    while done < a.count and time.monotonic() - start < a.seconds:
        status, _, body, keep = c.get(a.path)
        if status != 200:
            errors += 1
        done += 1
        if not keep:
            c.close()
            c = HttpConnection(a.host, a.port, timeout=10)
    elapsed = time.monotonic() - start
    c.close()
    print(json.dumps({"requests": done, "non200": errors, "seconds": round(elapsed, 3)}), flush=True)


def cmd_listing_loop(a):
    """GET PATH over one keep-alive connection again and again for --seconds (at most --count)."""
    done = errors = 0
    total_bytes = 0
    slowest = 0.0
    start = time.monotonic()
    c = HttpConnection(a.host, a.port, timeout=30)
    while done < a.count and time.monotonic() - start < a.seconds:
        t = time.monotonic()
        status, _, body, keep = c.get(a.path)
        slowest = max(slowest, time.monotonic() - t)
        if status != 200:
            errors += 1
        total_bytes += len(body)
        done += 1
        if not keep:
            c.close()
            c = HttpConnection(a.host, a.port, timeout=30)
    elapsed = time.monotonic() - start
    c.close()
    print(json.dumps({"listings": done, "non200": errors, "seconds": round(elapsed, 3),
                      "bytesPerListing": total_bytes // max(done, 1),
                      "msPerListing": round(1000 * elapsed / max(done, 1), 2),
                      "slowestMs": round(slowest * 1000, 2)}), flush=True)


def cmd_race(a):
    """Request PATH as fast as possible for --seconds; classify each answer by its body."""
    inside, outside = a.inside.encode(), a.outside.encode()
    counts = {"inside": 0, "outside": 0, "refused": 0, "other": 0, "errors": 0}
    statuses = {}
    start = time.monotonic()
    c = None
    n = 0
    while n < a.count and time.monotonic() - start < a.seconds:
        n += 1
        try:
            if a.dialect == "http":
                if c is None:
                    c = HttpConnection(a.host, a.port, timeout=10)
                status, _, body, keep = c.get(a.path)
                statuses[status] = statuses.get(status, 0) + 1
                if not keep:
                    c.close()
                    c = None
                if status != 200:
                    counts["refused"] += 1
                    continue
            else:
                # The seed's dialect: the name and a newline, then the bytes until the server closes.
                with socket.create_connection((a.host, a.port), timeout=10) as s:
                    s.sendall(a.path.lstrip("/").encode() + b"\n")
                    parts = []
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        parts.append(chunk)
                body = b"".join(parts)
                if not body:
                    counts["refused"] += 1  # the seed dialect closes with no bytes when it refuses
                    continue
        except OSError:
            counts["errors"] += 1
            if c is not None:
                c.close()
                c = None
            continue
        if outside in body:
            counts["outside"] += 1
        elif inside in body:
            counts["inside"] += 1
        else:
            counts["other"] += 1
    if c is not None:
        c.close()
    elapsed = time.monotonic() - start
    print(json.dumps({"dialect": a.dialect, "requests": n, "seconds": round(elapsed, 3), **counts,
                      "httpStatuses": {str(k): v for k, v in sorted(statuses.items())}}), flush=True)


def cmd_probe_tcp(a):
    """One capitalize exchange on a fresh connection: send, half-close, read to the end."""
    start = time.monotonic()
    result = {"ok": False, "reply": None, "error": None}
    try:
        with socket.create_connection((a.host, a.port), timeout=a.timeout) as s:
            s.sendall(b"probe\n")
            s.shutdown(socket.SHUT_WR)
            parts = []
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                parts.append(chunk)
        reply = b"".join(parts)
        result["reply"] = reply.decode("utf-8", "replace")
        result["ok"] = reply == b"PROBE\n"
    except OSError as e:
        result["error"] = type(e).__name__ + (f" {e.errno}" if getattr(e, "errno", None) else "")
    result["seconds"] = round(time.monotonic() - start, 3)
    print(json.dumps(result), flush=True)


def cmd_slow_read(a):
    """The seed dialect (a name, then the bytes until the server closes), read at --rate bytes/s."""
    got = 0
    ended = "max time"
    out = open(a.out, "wb") if a.out else None
    start = time.monotonic()
    try:
        with socket.create_connection((a.host, a.port), timeout=10) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            s.sendall(a.name.encode() + b"\n")
            while time.monotonic() - start < a.seconds:
                # Pace: never ahead of rate * elapsed.
                ahead = got / a.rate - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(min(ahead, 0.1))
                    continue
                chunk = s.recv(16384)
                if not chunk:
                    ended = "end of stream"
                    break
                got += len(chunk)
                if out:
                    out.write(chunk)
    except OSError as e:
        ended = type(e).__name__ + (f" {e.errno}" if getattr(e, "errno", None) else "")
    finally:
        if out:
            out.close()
    print(json.dumps({"bytes": got, "seconds": round(time.monotonic() - start, 3), "ended": ended}), flush=True)


def cmd_swap_loop(a):
    """Exchange two paths atomically (renameat2 RENAME_EXCHANGE), again and again, until stdin
    reaches end of file, --seconds pass, or --count exchanges are done."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    at_fdcwd, rename_exchange = -100, 2
    first, second = os.fsencode(a.first), os.fsencode(a.second)
    swaps = failures = 0
    start = time.monotonic()
    print("swapping", flush=True)
    why = "count"
    while swaps < a.count:
        if libc.renameat2(at_fdcwd, first, at_fdcwd, second, rename_exchange) != 0:
            failures += 1
            if failures > 100:
                why = "renameat2 failed: " + os.strerror(ctypes.get_errno())
                break
        else:
            swaps += 1
        if swaps % 512 == 0:
            if time.monotonic() - start > a.seconds:
                why = "time"
                break
            ready, _, _ = select.select([sys.stdin], [], [], 0)
            if ready and not os.read(sys.stdin.fileno(), 4096):
                why = "stdin closed"
                break
    if swaps % 2:
        libc.renameat2(at_fdcwd, first, at_fdcwd, second, rename_exchange)  # leave them as found
    elapsed = time.monotonic() - start
    print(json.dumps({"swaps": swaps, "failures": failures, "seconds": round(elapsed, 3),
                      "swapsPerSecond": round(swaps / elapsed) if elapsed else 0, "stopped": why}), flush=True)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)

    h = sub.add_parser("hold-tcp")
    h.add_argument("host"); h.add_argument("port", type=int); h.add_argument("n", type=int)
    h.add_argument("--hold", type=float, default=60)
    h.add_argument("--connect-timeout", type=float, default=10)
    h.set_defaults(func=cmd_hold_tcp)

    i = sub.add_parser("idle-http")
    i.add_argument("host"); i.add_argument("port", type=int); i.add_argument("n", type=int); i.add_argument("path")
    i.add_argument("--hold", type=float, default=60)
    i.add_argument("--connect-seconds", type=float, default=60)
    i.set_defaults(func=cmd_idle_http)

    g = sub.add_parser("get-loop")
    g.add_argument("host"); g.add_argument("port", type=int); g.add_argument("path")
    g.add_argument("--count", type=int, default=1000)
    g.add_argument("--seconds", type=float, default=60)
    g.add_argument("--go-file")
    g.set_defaults(func=cmd_get_loop)

    l = sub.add_parser("listing-loop")
    l.add_argument("host"); l.add_argument("port", type=int); l.add_argument("path")
    l.add_argument("--seconds", type=float, required=True)
    l.add_argument("--count", type=int, default=100000)
    l.set_defaults(func=cmd_listing_loop)

    r = sub.add_parser("race")
    r.add_argument("host"); r.add_argument("port", type=int); r.add_argument("path")
    r.add_argument("dialect", choices=["http", "raw"])
    r.add_argument("--seconds", type=float, default=10)
    r.add_argument("--count", type=int, default=10_000_000)
    r.add_argument("--inside", required=True)
    r.add_argument("--outside", required=True)
    r.set_defaults(func=cmd_race)

    t = sub.add_parser("probe-tcp")
    t.add_argument("host"); t.add_argument("port", type=int)
    t.add_argument("--timeout", type=float, default=3)
    t.set_defaults(func=cmd_probe_tcp)

    w = sub.add_parser("slow-read")
    w.add_argument("host"); w.add_argument("port", type=int); w.add_argument("name")
    w.add_argument("--rate", type=float, required=True)
    w.add_argument("--seconds", type=float, default=60)
    w.add_argument("--out")
    w.set_defaults(func=cmd_slow_read)

    x = sub.add_parser("swap-loop")
    x.add_argument("first"); x.add_argument("second")
    x.add_argument("--seconds", type=float, default=60)
    x.add_argument("--count", type=int, default=1_000_000_000)
    x.set_defaults(func=cmd_swap_loop)

    a = p.parse_args()
    a.func(a)


if __name__ == "__main__":
    main()
