#!/usr/bin/env python3
"""The book's file-download client, fixed to keep every byte: send the name (no newline,
no half-close), then receive until the server closes."""
import sys
from socket import socket, AF_INET, SOCK_STREAM

host, port, name, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
client = socket(AF_INET, SOCK_STREAM)
client.settimeout(20)
client.connect((host, port))
client.send(name.encode("utf-8"))
with open(out, "wb") as f:
    while True:
        data = client.recv(4096)
        if not data:
            break
        f.write(data)
client.close()
