#!/usr/bin/python3
"""Reads the file door's responses with h11, a strict HTTP/1.1 parser (issue 9's conformance suite).

Input (stdin, JSON): {"port": N, "cases": [{"name", "request" (Latin-1 text: the raw bytes), "methods"}]}.
For each case the raw request bytes go to the server as they are; h11, playing the client, is told
the method of each request (a HEAD's response has no body) and parses what comes back. Output
(stdout, JSON): {name: {"statuses": [...], "error": null or what h11 refused}}.
"""
import json
import socket
import sys

import h11


def run(port, case):
    statuses = []
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    try:
        sock.sendall(case["request"].encode("latin-1"))
        conn = h11.Connection(h11.CLIENT)
        for method in case["methods"]:
            # h11 must have "sent" a request to read a response; what really went out is above.
            conn.send(h11.Request(method=method, target="/", headers=[("Host", "t")]))
            conn.send(h11.EndOfMessage())
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA:
                    data = sock.recv(65536)
                    conn.receive_data(data)
                    continue
                if isinstance(event, h11.Response):
                    statuses.append(event.status_code)
                    if event.http_version != b"1.1":
                        return statuses, "status line version %r" % event.http_version
                if isinstance(event, h11.EndOfMessage):
                    break
                if isinstance(event, h11.ConnectionClosed):
                    return statuses, "closed before the end of a response"
            if conn.our_state is h11.MUST_CLOSE or conn.their_state is h11.MUST_CLOSE:
                break
            conn.start_next_cycle()
        return statuses, None
    except (h11.RemoteProtocolError, h11.LocalProtocolError) as error:
        return statuses, "%s: %s" % (type(error).__name__, error)
    except OSError as error:
        return statuses, "socket: %s" % error
    finally:
        sock.close()


def main():
    job = json.load(sys.stdin)
    results = {}
    for case in job["cases"]:
        statuses, error = run(job["port"], case)
        results[case["name"]] = {"statuses": statuses, "error": error}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
