#!/usr/bin/env python3
"""A client that says far more than the reply door reads, written for Doorway's tests.

It sends COUNT bytes of 'x' with sendall (no newline, no half-close), then reads until the
server closes and prints what it read. The server stops reading at its limit, so the send may
end in a reset or a broken pipe once the server closes; that is reported on stderr and the
reply, already delivered, is still read.
Usage: reply_flood_client.py HOST PORT COUNT
"""
import socket
import sys

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
door = socket.create_connection((host, port), timeout=30)
try:
    door.sendall(b"x" * count)
except (BrokenPipeError, ConnectionResetError) as e:
    print(f"send ended: {e!r}", file=sys.stderr)

reply = b""
try:
    while True:
        chunk = door.recv(1024)
        if not chunk:
            break
        reply += chunk
except ConnectionResetError as e:
    print(f"recv ended: {e!r}", file=sys.stderr)

print(reply.decode("utf-8"))
door.close()
