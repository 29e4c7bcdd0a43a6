"""A peer for bench/compare: the TCP capitalize server on Python's asyncio (Protocol API).

Usage: python3 asyncio_capitalize.py [--port PORT]   (loopback only; 0 picks a free port)

Each chunk is decoded, upper-cased with str.upper() and sent back. Not streaming-safe: a UTF-8
character split across two reads is mangled (the benchmark sends ASCII only).
"""
import asyncio
import signal
import sys


class Capitalize(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data.decode("utf-8", "surrogateescape").upper().encode("utf-8", "surrogateescape"))

    def eof_received(self):
        return False  # close once the client has closed its side


async def main():
    port = int(sys.argv[sys.argv.index("--port") + 1]) if "--port" in sys.argv else 12000
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set_result, None)
    # asyncio sets TCP_NODELAY on every TCP transport.
    server = await loop.create_server(Capitalize, "127.0.0.1", port, backlog=4096)
    print(f"ready tcp 127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await stop
    server.close()


asyncio.run(main())
