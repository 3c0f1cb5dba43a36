#!/usr/bin/python3
"""aio_fetch.py: the asyncio + aiohttp peer of the benchmark, written the
plain way people write it: one ClientSession, a Semaphore(50) around each
request, asyncio.gather over every URL, read the whole body.

    aio_fetch.py URL_LIST [CONCURRENCY]

Prints one line at the end: "<requests> <ok (status 200)> <failed>".
Needs Debian's python3-aiohttp (run it with /usr/bin/python3).
"""

import asyncio
import sys

import aiohttp


async def fetch(session, sem, url):
    async with sem:
        try:
            async with session.get(url) as resp:
                await resp.read()
                return resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError):
            return None


async def main(path, concurrency):
    with open(path) as f:
        urls = [line.strip() for line in f if line.strip()]
    sem = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession() as session:
        statuses = await asyncio.gather(
            *(fetch(session, sem, url) for url in urls))
    ok = sum(1 for s in statuses if s == 200)
    print(len(urls), ok, len(urls) - ok)
    return 0 if ok == len(urls) else 1


if __name__ == "__main__":
    conc = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    sys.exit(asyncio.run(main(sys.argv[1], conc)))
