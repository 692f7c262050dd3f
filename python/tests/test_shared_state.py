"""The WEDOS account state every hostapi client of an account on the machine shares: separate Python processes
stop before the IP block, and notifications taken off the queue are never lost, even across close()."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import hostapi
from hostapi import wedos
from hostapi.testing import Emulator

SCRIPT = """
import sys, hostapi
from hostapi import wedos
user, url, state_dir = sys.argv[1:4]
try:
    with wedos.Client(user, "wrong", base_url=url, state_dir=state_dir) as c:
        c.ping()
except hostapi.AuthenticationError as e:
    print(("local " if e.code is None else "server ") + str(e))
"""


def test_thirty_processes_with_a_wrong_password_stop_before_the_block(
    hostapi_emulator: Emulator, tmp_path: Path
) -> None:
    # 15 runs of the command, then 15 Python processes: one account state, so at most 3 requests reach the server.
    env = {**os.environ, **hostapi_emulator.env(), "WEDOS_PASSWORD": "wrong", "HOSTAPI_STATE_DIR": str(tmp_path)}
    cli_errors = []
    for _ in range(15):
        run = subprocess.run(
            [sys.executable, "-m", "hostapi", "wedos", "ping"], capture_output=True, text=True, env=env, timeout=60,
            cwd=tmp_path,
        )
        assert run.returncode == 4, run.stderr
        cli_errors.append(run.stderr)
    assert sum("not sent" in e for e in cli_errors) == 12
    outcomes = []
    for _ in range(15):
        run = subprocess.run(
            [sys.executable, "-c", SCRIPT, hostapi_emulator.wedos_user, hostapi_emulator.wedos_url, str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=tmp_path,  # not python/, whose hostapi/ has no native module
        )
        assert run.returncode == 0, run.stderr
        outcomes.append(run.stdout.strip())
    st = hostapi_emulator.state()
    codes = st["wedos"][hostapi_emulator.wedos_user]["codes"]
    assert codes.get("2050", 0) == 3, codes
    assert codes.get("2052", 0) == 0
    assert not any(ip["blocked"] for ip in st["wedos_ips"].values())
    local = [o for o in outcomes if o.startswith("local ")]
    assert len(local) == 15, outcomes
    assert "hostapi wedos guard reset" in local[0] and "not sent" in local[0]
    assert all("wrong" not in o for o in outcomes)
    # Any client of the account, here in this process, sees the stop and can lift it.
    with wedos.Client(
        hostapi_emulator.wedos_user, hostapi_emulator.wedos_password, base_url=hostapi_emulator.wedos_url,
        state_dir=tmp_path,
    ) as c:
        assert c.auth_failures == 3
        with pytest.raises(hostapi.AuthenticationError, match="guard reset"):
            c.ping()
        c.reset_auth_guard()
        assert c.ping().code == 1000
        assert c.state_file is not None and c.state_file.startswith(str(tmp_path))
        data = Path(c.state_file).read_bytes()
        assert hostapi_emulator.wedos_password.encode() not in data and b"wrong" not in data


def test_a_kept_notification_survives_close_and_reaches_the_next_client(hostapi_emulator: Emulator) -> None:
    with hostapi_emulator.wedos_client(poll_interval=0.05) as c:
        first = c.ping_async()
        second = c.ping_async(wait=10)
        assert second.svtrid != first.svtrid
        assert c.notifications.kept == 1  # the first one, taken off the queue while waiting
    # close() dropped nothing: another client (any process) gets it, once.
    with hostapi_emulator.wedos_client() as other:
        assert other.notifications.kept == 1
        n = other.notifications.next()
        assert n is not None and n.svtrid == first.svtrid
        assert other.notifications.next() is None
        assert other.notifications.kept == 0


def test_the_cli_and_python_share_the_spool(hostapi_emulator: Emulator, tmp_path: Path) -> None:
    with hostapi_emulator.wedos_client(poll_interval=0.05) as c:
        first = c.ping_async()
        c.ping_async(wait=10)
    env = {**os.environ, **hostapi_emulator.env()}
    out = subprocess.run(
        [sys.executable, "-m", "hostapi", "wedos", "notifications", "poll", "--json"],
        capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["svtrid"] == first.svtrid


def test_invalid_answers_stop_with_their_real_cause(hostapi_emulator: Emulator) -> None:
    with hostapi_emulator.wedos_client() as c:
        for _ in range(10):
            with pytest.raises(hostapi.ApiError):
                c.dns.add_row("example.cz", "x", "A", "not-an-ip")
        with pytest.raises(hostapi.RateLimited) as info:
            c.dns.add_row("example.cz", "x", "A", "not-an-ip")
        assert "10 bad input" in str(info.value) and "password" not in str(info.value)
        assert info.value.retry_after is not None and 3000 < info.value.retry_after <= 3600
        codes = hostapi_emulator.state()["wedos"][hostapi_emulator.wedos_user]["codes"]
        assert codes.get("2314") == 10 and "2052" not in codes


def test_an_absurd_server_timestamp_never_poisons_the_account(hostapi_emulator: Emulator) -> None:
    with hostapi_emulator.wedos_client() as c, hostapi_emulator.wedos_client() as other:
        for stamp in (253402300000, 2**63 - 1, -(2**63), "NaN", "9999-12-31T23:59:59Z"):
            hostapi_emulator.add_wedos_answer_fault(command="ping", timestamp=stamp)
            assert c.ping().code == 1000
            # Every later call, by every client of the account, still goes through.
            assert c.credit_info().currency == "CZK"
            assert other.ping().code == 1000
