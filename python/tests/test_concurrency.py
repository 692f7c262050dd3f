"""Concurrency: the sync client releases the GIL (threads run in parallel on one shared client), the async client
never blocks the event loop, concurrent first calls share one login, and clients survive os.fork()."""

from __future__ import annotations

import asyncio
import os
import select
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from hostapi import velneo, wedos
from hostapi.testing import Emulator

DELAY_MS = 150
CALLS = 16


def test_threads_share_one_client_in_parallel(fresh_emulator: Emulator) -> None:
    """16 threads sharing one sync client finish together faster than one thread doing the same calls: the client
    waits on the network with the GIL released. (The only timing comparison of the suite: two runs of the same
    test, with a generous margin.)"""
    client = fresh_emulator.velneo_client()
    client.login()
    fresh_emulator.add_fault("/v1/vserver", delay_ms=DELAY_MS, times=2 * CALLS)

    started = time.perf_counter()
    for _ in range(CALLS):
        assert client.vserver.status().is_running
    one_thread = time.perf_counter() - started

    barrier = threading.Barrier(CALLS)

    def call(_: int) -> bool:
        barrier.wait()
        return client.vserver.status().is_running

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CALLS) as pool:
        results = list(pool.map(call, range(CALLS)))
    many_threads = time.perf_counter() - started

    assert results == [True] * CALLS
    assert fresh_emulator.faults() == []  # every call went through a delayed answer
    assert one_thread >= CALLS * DELAY_MS / 1000 * 0.9
    assert many_threads < one_thread / 2, (one_thread, many_threads)
    assert client.login_count == 1
    client.close()


def test_200_concurrent_async_calls_log_in_once(hostapi_emulator: Emulator) -> None:
    async def main() -> None:
        async with hostapi_emulator.velneo_async_client() as c:
            results = await asyncio.gather(*(c.vserver.status() for _ in range(200)))
            assert len(results) == 200 and all(r.is_running for r in results)
            assert c.login_count == 1

    asyncio.run(main())
    assert hostapi_emulator.state()["velneo"][hostapi_emulator.velneo_email]["logins"] == 1


def test_async_calls_do_not_block_the_event_loop(fresh_emulator: Emulator) -> None:
    """While a slow call is pending, other coroutines (and a fast call) run and finish first."""
    fresh_emulator.add_fault("/v1/groups", delay_ms=800)
    events: list[str] = []

    async def slow(c: velneo.AsyncClient) -> None:
        await c.groups.list()
        events.append("slow done")

    async def fast(c: velneo.AsyncClient) -> None:
        await asyncio.sleep(0.05)
        await c.vserver.status()
        events.append("fast done")

    async def ticker(task: asyncio.Task[None]) -> None:
        ticks = 0
        while not task.done():
            ticks += 1
            await asyncio.sleep(0.01)
        events.append(f"ticked {'yes' if ticks > 1 else 'no'}")

    async def main() -> None:
        async with fresh_emulator.velneo_async_client() as c:
            await c.login()
            slow_task = asyncio.ensure_future(slow(c))
            await asyncio.gather(slow_task, fast(c), ticker(slow_task))

    asyncio.run(main())
    assert events == ["fast done", "slow done", "ticked yes"]


def test_cancelling_an_awaited_call(fresh_emulator: Emulator) -> None:
    fresh_emulator.add_fault("/v1/vserver", delay_ms=2000)

    async def main() -> None:
        async with fresh_emulator.velneo_async_client() as c:
            await c.login()
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(c.vserver.status(), 0.2)
            assert (await c.groups.list())[0].name == "Administradores"

    asyncio.run(main())


def _run_in_child(fn: "callable[[], str]") -> str:  # type: ignore[valid-type]
    """Runs ``fn`` in a forked child; returns what it printed to the pipe. Never waits more than 60 s."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_fd)
        try:
            out = fn()
        except BaseException as e:  # report anything
            out = f"child failed: {type(e).__name__}: {e}"
        os.write(write_fd, out.encode())
        os._exit(0)
    os.close(write_fd)
    chunks = []
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            data = os.read(read_fd, 65536)
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(read_fd)
        reaped = False
        while not reaped and time.monotonic() < deadline + 5:
            reaped = os.waitpid(pid, os.WNOHANG)[0] != 0
            if not reaped:
                time.sleep(0.01)
        if not reaped:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            pytest.fail(f"the forked child hung; it said {b''.join(chunks)!r}")
    return b"".join(chunks).decode()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_clients_survive_fork(hostapi_emulator: Emulator) -> None:
    sync = hostapi_emulator.velneo_client()
    assert sync.vserver.status().is_running  # runtime, pool and session exist in the parent
    asy = hostapi_emulator.velneo_async_client()
    w = hostapi_emulator.wedos_client()
    assert w.ping().code == 1000

    def child() -> str:
        status = sync.vserver.status().status
        users = [u.name for u in sync.users.list()]

        async def amain() -> str:
            return (await asy.vserver.status()).status

        astatus = asyncio.run(amain())
        code = w.ping().code
        return f"{status} {users} {astatus} {code} {sync.login_count}"

    assert _run_in_child(child) == "running ['velneo'] running 1000 1"
    # The parent's clients are untouched.
    assert sync.vserver.status().is_running and sync.login_count == 1
    assert w.ping().code == 1000
    sync.close()
    w.close()


def test_wedos_threads_share_one_client(hostapi_emulator: Emulator) -> None:
    with hostapi_emulator.wedos_client() as w:
        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = list(pool.map(lambda _: w.ping().code, range(32)))
        assert codes == [1000] * 32
        assert hostapi_emulator.state()["wedos"][hostapi_emulator.wedos_user]["requests_last_hour"] == 32
    assert isinstance(w, wedos.Client)


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals need the main thread")
def test_ctrl_c_interrupts_a_waiting_sync_call(fresh_emulator: Emulator) -> None:
    """A sync call waiting on the network still honours Ctrl-C (the GIL is released, but signals are checked)."""
    import signal

    fresh_emulator.add_fault("/v1/vserver", delay_ms=10_000)
    with fresh_emulator.velneo_client(retries=0) as c:
        c.login()
        timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                c.vserver.status()
        finally:
            timer.cancel()
        fresh_emulator.clear_faults()
        assert c.vserver.status().is_running  # the client is still usable
