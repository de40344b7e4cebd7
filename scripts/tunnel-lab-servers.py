"""The target's services in the tunnel lab (see tunnel-lab.sh), on 198.18.2.2 and 2001:2:0:2::2.

8080: HTTP/1.1, one request per connection. GET / answers "burrow-lab-target\n"; GET /bytes/N answers N bytes.
7007: echo: every byte comes back; the server closes after the client's EOF.
Both listen with a large backlog, so a burst of connections is never dropped here.
"""
import asyncio

ADDRESSES = ["198.18.2.2", "2001:2:0:2::2"]
BODY = b"burrow-lab-target\n"
CHUNK = bytes(range(256)) * 256  # 64 KiB


async def http(reader, writer):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        path = head.split(b" ", 2)[1].decode("ascii", "replace")
        if path.startswith("/bytes/"):
            n = int(path[len("/bytes/"):])
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n" % n)
            while n > 0:
                piece = CHUNK[:min(n, len(CHUNK))]
                writer.write(piece)
                n -= len(piece)
                await writer.drain()
        else:
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n" % len(BODY) + BODY)
        await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError, IndexError):
        pass
    finally:
        writer.close()


async def echo(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def main():
    servers = [await asyncio.start_server(http, ADDRESSES, 8080, backlog=4096),
               await asyncio.start_server(echo, ADDRESSES, 7007, backlog=4096)]
    await asyncio.gather(*(s.serve_forever() for s in servers))


asyncio.run(main())
