"""The transport findings of a misbehaving-server probe, from Python: one login for many waiting calls, no
duplicate writes after a lost answer, slow downloads with progress, bounded answers."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

import hostapi
import hostapi.velneo
from hostapi.testing import Emulator


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def test_gathered_calls_share_one_silent_login(fresh_emulator: Emulator) -> None:
    """20 × vserver.status() gathered against a login that never answers: one login, all fail together."""
    fresh_emulator.add_fault("/v1/session", delay_ms=10_000, action="reset", times=100)

    async def main() -> List[BaseException]:
        async with fresh_emulator.velneo_async_client(timeout=1, retries=0) as c:
            results = await asyncio.gather(*(c.vserver.status() for _ in range(20)), return_exceptions=True)
            return [r for r in results if isinstance(r, BaseException)]

    started = time.monotonic()
    errors = asyncio.run(main())
    took = time.monotonic() - started
    assert len(errors) == 20 and all(isinstance(e, hostapi.Timeout) for e in errors), errors[:1]
    assert fresh_emulator.requests("/v1/session") == 1
    assert took < 5, f"{took:.1f} s (20 logins one after another would take 20 s)"


def test_wrong_key_many_threads_one_login(fresh_emulator: Emulator) -> None:
    from concurrent.futures import ThreadPoolExecutor

    wrong = hostapi.velneo.Client(
        fresh_emulator.velneo_email, "wrong-key-wrong-key-0000", base_url=fresh_emulator.velneo_url
    )
    with wrong as c:
        with ThreadPoolExecutor(10) as pool:
            futures = [pool.submit(c.vserver.status) for _ in range(10)]
            errors = [f.exception() for f in futures]
    assert all(isinstance(e, hostapi.AuthenticationError) for e in errors)
    # The threads that waited for the one login in flight got its refusal; none sent its own at the same time.
    assert fresh_emulator.requests("/v1/session") < 10


def test_no_duplicate_row_after_a_502_from_a_proxy(fresh_emulator: Emulator) -> None:
    with fresh_emulator.wedos_client() as c:
        fresh_emulator.add_fault("/wapi/json", status=502, apply=True)
        answer = c.dns.add_row("example.cz", "dup", "A", "192.0.2.10")
        assert answer.code == 1000
        assert [r.name for r in c.dns.rows("example.cz")].count("dup") == 1


def test_a_backup_start_is_not_sent_twice(fresh_emulator: Emulator) -> None:
    with fresh_emulator.velneo_client() as c:
        c.login()
        fresh_emulator.add_fault("/v1/vserver", action="reset")
        with pytest.raises(hostapi.TransportError) as info:
            c.vserver.backup()
        assert info.value.may_have_applied
        assert "may_have_applied=True" in repr(info.value)
        assert fresh_emulator.requests("/v1/vserver") == 1


def _backup_path(url: str) -> str:
    return "/_emulator/" + url.split("/_emulator/", 1)[1]


def test_a_slow_download_completes_and_reports_progress(fresh_emulator: Emulator, tmp_path: Path) -> None:
    with fresh_emulator.velneo_client(timeout=0.5, retries=0) as c:
        backup = c.vserver.backup()
        size = 2_000_000
        fresh_emulator.add_fault(
            _backup_path(backup.url), action="drip", size=size, drip_bytes=100_000, drip_interval_ms=100
        )
        reports: List[Tuple[int, Optional[int]]] = []
        started = time.monotonic()
        n = c.vserver.download_backup(backup, tmp_path / "b.zip", progress=lambda r, t: reports.append((r, t)))
        assert time.monotonic() - started > 1.5  # longer than the 0.5 s timeout: an idle timeout, not a deadline
    assert n == size == (tmp_path / "b.zip").stat().st_size
    assert len(reports) >= 5 and reports[-1] == (size, size)
    assert [r for r, _ in reports] == sorted(r for r, _ in reports)


def test_a_raising_progress_callback_stops_the_download(fresh_emulator: Emulator, tmp_path: Path) -> None:
    class Enough(Exception):
        pass

    def stop(received: int, total: Optional[int]) -> None:
        raise Enough(received)

    with fresh_emulator.velneo_client() as c:
        backup = c.vserver.backup()
        with pytest.raises(Enough):
            c.vserver.download_backup(backup, tmp_path / "b.zip", progress=stop)
    assert list(tmp_path.iterdir()) == []


def test_async_progress_runs_on_the_event_loop(fresh_emulator: Emulator, tmp_path: Path) -> None:
    async def main() -> Tuple[int, List[bool]]:
        loop = asyncio.get_running_loop()
        on_loop: List[bool] = []

        def report(received: int, total: Optional[int]) -> None:
            on_loop.append(asyncio.get_running_loop() is loop)

        async with fresh_emulator.velneo_async_client() as c:
            backup = await c.vserver.backup()
            n = await c.vserver.download_backup(backup, tmp_path / "a.zip", progress=report)
            await asyncio.sleep(0.05)  # the last report is queued on the loop
            return n, on_loop

    n, on_loop = asyncio.run(main())
    assert n > 0 and on_loop and all(on_loop)


def test_async_a_raising_progress_callback_stops_the_download(fresh_emulator: Emulator, tmp_path: Path) -> None:
    class Enough(Exception):
        pass

    def stop(received: int, total: Optional[int]) -> None:
        raise Enough(received)

    async def main() -> float:
        async with fresh_emulator.velneo_async_client(timeout=2, retries=0) as c:
            backup = await c.vserver.backup()
            # 40 s of dripping if nothing stopped it.
            fresh_emulator.add_fault(
                _backup_path(backup.url), action="drip", size=4_000_000, drip_bytes=10_000, drip_interval_ms=100
            )
            started = time.monotonic()
            with pytest.raises(Enough):
                await c.vserver.download_backup(backup, tmp_path / "a.zip", progress=stop)
            return time.monotonic() - started

    assert asyncio.run(main()) < 20
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("chunked", [False, True])
def test_a_100_mb_answer_is_refused_without_reading_it(fresh_emulator: Emulator, chunked: bool) -> None:
    with fresh_emulator.velneo_client(timeout=10) as c:
        c.login()
        fresh_emulator.add_fault("/v1/vserver", action="oversize", size=100_000_000, chunked=chunked)
        before = _rss()
        with pytest.raises(hostapi.ProtocolError) as info:
            c.vserver.status()
        grown = _rss() - before
    assert "max_response_bytes" in str(info.value)
    assert grown < 20 * 1024 * 1024, f"RSS grew by {grown} bytes"


def test_a_429_is_rate_limited_with_the_servers_retry_after(fresh_emulator: Emulator) -> None:
    with fresh_emulator.velneo_client() as c:
        c.login()
        fresh_emulator.add_fault("/v1/vserver", status=429, headers={"Retry-After": "30"}, times=5)
        with pytest.raises(hostapi.RateLimited) as info:
            c.vserver.status()
    assert info.value.retry_after == 30.0 and info.value.http_status == 429
    assert fresh_emulator.requests("/v1/vserver") == 1  # not retried: 30 s is beyond the backoff
