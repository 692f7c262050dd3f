"""The Python figures of ``make bench``: one measurement per process, printed as one JSON line
``{"calls", "secs", "cpu"}`` (cpu: this process's user+system seconds during the measured part).

    python bench/workers.py MODE VELNEO_BASE_URL SECS

Modes: ``hostapi-sync`` / ``requests-sync`` (sequential), ``hostapi-async`` / ``aiohttp-async`` / ``httpx-async``
(64 in flight), ``hostapi-threads`` / ``requests-threads`` (8 threads), ``hostapi-rss`` (RSS after 1k and 100k
calls), ``import-hostapi`` / ``import-requests`` (import time).

The baselines are what a careful user writes by hand: one session (keep-alive), log in once, sign every request
anew (SHA-1 over session + timestamp + API key, timestamp in UTC seconds), read the JSON answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import resource
import sys
import threading
import time
import urllib.parse
from typing import Any, Callable, Dict, List

EMAIL = "ejemplo@gmail.com"
API_KEY = "NyraFY6GMz8lu1fameMdrH0V"
CONCURRENCY = 64
THREADS = 8
WARMUP = 200


def cpu() -> float:
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def report(calls: int, secs: float, cpu_secs: float, **extra: Any) -> None:
    print(json.dumps({"calls": calls, "secs": secs, "cpu": cpu_secs, **extra}), flush=True)


def signed_body(session: str) -> Dict[str, str]:
    ts = int(time.time())
    signed = hashlib.sha1(f"{session}{ts}{API_KEY}".encode()).hexdigest()
    params = json.dumps({"session": session, "timestamp": ts, "signed": signed}, separators=(",", ":"))
    return {"method": "GET", "params": params}


def login_form() -> Dict[str, str]:
    ts = int(time.time())
    signed = hashlib.sha1(f"{EMAIL}{ts}{API_KEY}".encode()).hexdigest()
    params = json.dumps({"email": EMAIL, "timestamp": ts, "signed": signed}, separators=(",", ":"))
    return {"method": "POST", "params": params}


HEADERS = {"Accept": "application/json"}


def sequential(call: Callable[[], object], secs: float) -> None:
    for _ in range(WARMUP):
        call()
    n, c0, t0 = 0, cpu(), time.perf_counter()
    end = t0 + secs
    while True:
        for _ in range(50):
            call()
        n += 50
        if time.perf_counter() >= end:
            break
    report(n, time.perf_counter() - t0, cpu() - c0)


def threaded(make_call: Callable[[], Callable[[], object]], secs: float) -> None:
    calls = [make_call() for _ in range(THREADS)]
    for c in calls:
        for _ in range(WARMUP // THREADS):
            c()
    stop = threading.Event()
    counts = [0] * THREADS

    def run(i: int) -> None:
        c = calls[i]
        while not stop.is_set():
            c()
            counts[i] += 1

    workers = [threading.Thread(target=run, args=(i,)) for i in range(THREADS)]
    c0, t0 = cpu(), time.perf_counter()
    for w in workers:
        w.start()
    time.sleep(secs)
    stop.set()
    for w in workers:
        w.join()
    report(sum(counts), time.perf_counter() - t0, cpu() - c0)


async def in_flight(call: Callable[[], Any], secs: float) -> None:
    for _ in range(WARMUP):
        await call()
    stop = False
    count = 0

    async def worker() -> None:
        nonlocal count
        while not stop:
            await call()
            count += 1

    c0, t0 = cpu(), time.perf_counter()
    tasks = [asyncio.create_task(worker()) for _ in range(CONCURRENCY)]
    await asyncio.sleep(secs)
    stop = True
    await asyncio.gather(*tasks)
    report(count, time.perf_counter() - t0, cpu() - c0)


def requests_call(base: str) -> Callable[[], object]:
    import requests

    s = requests.Session()
    r = s.post(f"{base}/session", data=login_form(), headers=HEADERS)
    r.raise_for_status()
    session = r.json()["session"]
    url = f"{base}/vserver"

    def call() -> object:
        resp = s.post(url, data=signed_body(session), headers=HEADERS)
        resp.raise_for_status()
        return resp.json()["status"]

    return call


def hostapi_client(base: str) -> Any:
    from hostapi import velneo

    return velneo.Client(EMAIL, API_KEY, base_url=base)


def rss_kib() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    mode, base, secs_text = sys.argv[1], sys.argv[2], sys.argv[3]
    secs = float(secs_text)
    if mode == "hostapi-sync":
        c = hostapi_client(base)
        sequential(c.vserver.status, secs)
    elif mode == "requests-sync":
        sequential(requests_call(base), secs)
    elif mode == "hostapi-threads":
        c = hostapi_client(base)
        threaded(lambda: c.vserver.status, secs)
    elif mode == "requests-threads":
        # requests.Session is not thread-safe: one per thread, as its documentation advises.
        threaded(lambda: requests_call(base), secs)
    elif mode == "hostapi-async":
        from hostapi import velneo

        async def run() -> None:
            async with velneo.AsyncClient(EMAIL, API_KEY, base_url=base) as c:
                await in_flight(c.vserver.status, secs)

        asyncio.run(run())
    elif mode == "aiohttp-async":
        import aiohttp

        async def run() -> None:
            connector = aiohttp.TCPConnector(limit=CONCURRENCY)
            async with aiohttp.ClientSession(connector=connector) as s:
                async with s.post(f"{base}/session", data=login_form(), headers=HEADERS) as r:
                    session = (await r.json(content_type=None))["session"]

                async def call() -> object:
                    async with s.post(f"{base}/vserver", data=signed_body(session), headers=HEADERS) as r:
                        r.raise_for_status()
                        return (await r.json(content_type=None))["status"]

                await in_flight(call, secs)

        asyncio.run(run())
    elif mode == "httpx-async":
        import httpx

        async def run() -> None:
            limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
            async with httpx.AsyncClient(limits=limits) as s:
                r = await s.post(f"{base}/session", data=login_form(), headers=HEADERS)
                session = r.json()["session"]

                async def call() -> object:
                    r = await s.post(f"{base}/vserver", data=signed_body(session), headers=HEADERS)
                    r.raise_for_status()
                    return r.json()["status"]

                await in_flight(call, secs)

        asyncio.run(run())
    elif mode == "hostapi-rss":
        c = hostapi_client(base)
        total = int(secs)  # here: the number of calls
        for _ in range(1000):
            c.vserver.status()
        after_1k = rss_kib()
        for _ in range(total - 1000):
            c.vserver.status()
        report(total, 0.0, 0.0, rss_1k_kib=after_1k, rss_kib=rss_kib())
    elif mode.startswith("import-"):
        module = mode.split("-", 1)[1]
        t0 = time.perf_counter()
        __import__(module)
        report(1, time.perf_counter() - t0, 0.0)
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
