#!/usr/bin/env python3
"""A client in the style of seed 004's TCP client (section 3.2), written for Doorway's tests.

Like the seed's, it opens a TCP socket, connects, sends its message with no newline, does a
single recv(1024), prints what came back and closes, without ever half-closing: a server that
waits for a newline or for the end of input never answers it.
Usage: reply_book_client.py HOST PORT [MESSAGE]   (MESSAGE defaults to the seed's "are u ok?")
"""
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
message = sys.argv[3] if len(sys.argv) > 3 else "are u ok?"

# 1. the socket (IPv6 when the host is an IPv6 address)
family = socket.AF_INET6 if ":" in host else socket.AF_INET
door = socket.socket(family, socket.SOCK_STREAM)
door.settimeout(30)
# 2. connect to the server
door.connect((host, port))
# 3. send the message
door.send(message.encode("utf-8"))
# 4. receive at most 1024 bytes, once
reply = door.recv(1024)
print(reply.decode("utf-8"))
# 5. close
door.close()
