#!/usr/bin/env python3
"""The book's TCP file server (seed 004), one client: recv the name, send the file, close.
Prints its port once listening. Serves from the directory given."""
import os
import sys
from socket import socket, AF_INET, SOCK_STREAM

root = sys.argv[1]
server = socket(AF_INET, SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen(1)
print(f"ready seed {server.getsockname()[1]}", flush=True)
conn, _ = server.accept()
name = conn.recv(1024).decode("utf-8")
try:
    with open(os.path.join(root, name), "rb") as f:
        conn.sendall(f.read())
except OSError:
    pass
conn.close()
server.close()
