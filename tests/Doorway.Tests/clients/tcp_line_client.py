#!/usr/bin/env python3
"""A client in the style of the Rust client of seed 000, written for Doorway's tests.

It sends each line *with* its newline and reads until the reply's newline, on one connection.
Usage: tcp_line_client.py HOST PORT LINE [LINE ...]
"""
import socket
import sys

host, port, lines = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
door = socket.create_connection((host, port), timeout=10)
for line in lines:
    door.sendall((line + "\n").encode("utf-8"))
    reply = b""
    while not reply.endswith(b"\n"):
        chunk = door.recv(1024)
        if not chunk:
            sys.exit("server closed the connection")
        reply += chunk
    print(reply.decode("utf-8"), end="")
door.close()
