#!/usr/bin/env python3
"""A client in the style of the book's TCPClient (K&R §2.7.2), written for Doorway's tests.

It sends the sentence with no newline, does a single recv(1024), prints the reply and closes,
without ever half-closing: a server that waits for a newline or end of input hangs it.
Usage: tcp_book_client.py HOST PORT SENTENCE
"""
import socket
import sys

host, port, sentence = sys.argv[1], int(sys.argv[2]), sys.argv[3]
family = socket.AF_INET6 if ":" in host else socket.AF_INET
door = socket.socket(family, socket.SOCK_STREAM)
door.settimeout(10)
door.connect((host, port))
door.send(sentence.encode("utf-8"))
reply = door.recv(1024)
print(reply.decode("utf-8"))
door.close()
