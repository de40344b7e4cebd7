"""Connection benchmarks for bench/tunnel-bench.sh, run in the lab's client namespace.

  seq N HOST PORT [SOCKS_HOST:SOCKS_PORT]   N HTTP GETs one after another, each on a new connection
  conc N HOST PORT [SOCKS_HOST:SOCKS_PORT]  N HTTP GETs at once, each on its own connection

Prints one line: "ok=N failed=N seconds=S". A request fails when it gets no complete answer within 30 s.
With a SOCKS address the connections go through that SOCKS5 proxy (no auth, IPv4 CONNECT).
"""
import asyncio
import socket
import struct
import sys
import time

TIMEOUT = 30.0


async def request(host, port, socks):
    if socks:
        sh, sp = socks.rsplit(":", 1)
        reader, writer = await asyncio.open_connection(sh, int(sp))
        writer.write(b"\x05\x01\x00")
        if await reader.readexactly(2) != b"\x05\x00":
            raise OSError("SOCKS5 refused the method")
        writer.write(b"\x05\x01\x00\x01" + socket.inet_aton(host) + struct.pack(">H", port))
        reply = await reader.readexactly(10)
        if reply[1] != 0:
            raise OSError("SOCKS5 CONNECT failed: %d" % reply[1])
    else:
        reader, writer = await asyncio.open_connection(host, port)
    writer.write(b"GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % host.encode())
    # Read by Content-Length, as curl and browsers do, not to EOF: what is timed is the request, not how fast
    # each tunnel passes on the server's close.
    head = await reader.readuntil(b"\r\n\r\n")
    length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
    body = await reader.readexactly(length)
    writer.close()
    if not head.startswith(b"HTTP/1.1 200") or body != b"burrow-lab-target\n":
        raise OSError("bad answer")


async def one(host, port, socks):
    try:
        await asyncio.wait_for(request(host, port, socks), TIMEOUT)
        return True
    except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
        return False


async def main():
    mode, n, host, port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    socks = sys.argv[5] if len(sys.argv) > 5 else None
    start = time.monotonic()
    if mode == "seq":
        results = [await one(host, port, socks) for _ in range(n)]
    else:
        results = await asyncio.gather(*(one(host, port, socks) for _ in range(n)))
    seconds = time.monotonic() - start
    ok = sum(results)
    print("ok=%d failed=%d seconds=%.3f" % (ok, n - ok, seconds))


asyncio.run(main())
