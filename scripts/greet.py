"""Open N connections at once to host:port and time until every one has
read its greeting line. Prints the seconds. Used by scripts/bench.sh."""
import asyncio
import sys
import time


async def one(host, port):
    reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), 20)
    line = await asyncio.wait_for(reader.readline(), 20)
    return reader, writer, line


async def main(host, port, n):
    t0 = time.perf_counter()
    results = await asyncio.gather(*(one(host, port) for _ in range(n)), return_exceptions=True)
    elapsed = time.perf_counter() - t0
    ok = sum(1 for r in results if not isinstance(r, Exception) and r[2][:3] in (b"220", b"+OK"))
    for r in results:
        if not isinstance(r, Exception):
            r[1].close()
    print(f"{elapsed:.4f} {ok}")


asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
