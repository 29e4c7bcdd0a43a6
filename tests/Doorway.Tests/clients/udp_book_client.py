# The book's UDP client (Kurose & Ross 2.7.1), written for the tests: one sendto, one recvfrom(2048).
# Usage: udp_book_client.py HOST PORT [SENTENCE]  (without SENTENCE: the book's prompt on stdin)
import sys
from socket import socket, AF_INET, AF_INET6, SOCK_DGRAM

serverName = sys.argv[1]
serverPort = int(sys.argv[2])
family = AF_INET6 if ":" in serverName else AF_INET
clientSocket = socket(family, SOCK_DGRAM)
message = sys.argv[3] if len(sys.argv) > 3 else input("Input lowercase sentence:")
clientSocket.sendto(message.encode(), (serverName, serverPort))
modifiedMessage, serverAddress = clientSocket.recvfrom(2048)
print(modifiedMessage.decode())
clientSocket.close()
