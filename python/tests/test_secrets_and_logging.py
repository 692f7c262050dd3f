"""No secret (API key, WAPI password, user and vServer passwords) in any repr, error message or DEBUG log line;
requests and retries are logged at DEBUG through Python's logging (logger ``hostapi``)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Iterator

import pytest

import hostapi
from hostapi import velneo, wedos
from hostapi.testing import Emulator
from hostapi.velneo import protocol as vp
from hostapi.wedos import protocol as wp

API_KEY = "APIKEY-s3cr3t-Zq81"
WAPI_PASSWORD = "WAPI-s3cr3t-Pw77"
USER_PASSWORD = "USERPW-s3cr3t-9x"
VSERVER_PASSWORD = "VSPW-s3cr3t-44"
SECRETS = (API_KEY, WAPI_PASSWORD, USER_PASSWORD, VSERVER_PASSWORD)

EMAIL = "secrets@example.com"
WEDOS_USER = "secrets@example.cz"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    config = {
        "velneo": {"accounts": [{"email": EMAIL, "api_key": API_KEY}]},
        "wedos": {"accounts": [{"user": WEDOS_USER, "password": WAPI_PASSWORD}]},
    }
    with Emulator(config) as emu:
        yield emu


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a secret leaked: {text[:500]}"


def test_reprs_errors_and_debug_log_hold_no_secret(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="hostapi")
    shown: list[Any] = []
    emulator.add_fault("/v1/groups", status=503, times=1)  # one retry, logged

    with velneo.Client(EMAIL, API_KEY, base_url=emulator.velneo_url, backoff=(0.01, 0.02)) as c:
        shown += [c, c.vserver, c.users]
        shown.append(c.vserver.status())
        c.users.put("admin2", password=VSERVER_PASSWORD, is_supervisor=True, group="Administradores")
        c.users.put("ana", password=USER_PASSWORD, full_name="Ana")
        c.vserver.set_credentials("admin2", VSERVER_PASSWORD)
        shown += c.groups.list() + c.users.list() + [c.users.get("ana"), c.users.get("admin2")]
        shown.append(c.vserver.backup())
        shown += c.folders.list()
        c.vserver.set_credentials("admin2", USER_PASSWORD)  # wrong on purpose
        with pytest.raises(hostapi.VServerCredentialsError) as cred:
            c.users.list()
        shown.append(cred.value)
        c.vserver.set_credentials("admin2", VSERVER_PASSWORD)

    with pytest.raises(hostapi.AuthenticationError) as auth:
        velneo.Client(EMAIL, "wrong-" + API_KEY, base_url=emulator.velneo_url).vserver.status()
    shown.append(auth.value)

    with wedos.Client(WEDOS_USER, WAPI_PASSWORD, base_url=emulator.wedos_url) as w:
        shown += [w, w.dns, w.ping(), w.credit_info()]
    with pytest.raises(hostapi.AuthenticationError) as wauth:
        wedos.Client(WEDOS_USER, "x" + WAPI_PASSWORD, base_url=emulator.wedos_url).ping()
    shown.append(wauth.value)

    async def amain() -> None:
        async with velneo.AsyncClient(EMAIL, API_KEY, base_url=emulator.velneo_url) as ac:
            shown.append(ac)
            shown.append(await ac.users.get("ana"))
        async with wedos.AsyncClient(WEDOS_USER, WAPI_PASSWORD, base_url=emulator.wedos_url) as aw:
            shown.append(aw)
            shown.append(await aw.ping())

    asyncio.run(amain())

    # The protocol layer's requests carry secrets in their body; their repr does not show it.
    req = vp.build_request(
        "users.put", {"username": "ana", "password": USER_PASSWORD}, session="s", timestamp=1, api_key=API_KEY
    )
    assert USER_PASSWORD in urllib_unquote(req.body)
    shown.append(req)
    shown.append(wp.build_request("ping", user=WEDOS_USER, password=WAPI_PASSWORD, unix=1))
    shown.append(emulator)

    for obj in shown:
        assert_clean(repr(obj))
        assert_clean(str(obj))
    log_text = "\n".join(f"{r.name} {r.getMessage()} {getattr(r, 'hostapi', '')}" for r in caplog.records)
    assert_clean(log_text)

    messages = [r.getMessage() for r in caplog.records if r.name.startswith("hostapi.")]
    assert any(m.startswith("sending request") and "velneo users.put" in m for m in messages)
    assert any(m.startswith("sending request") and "wedos ping" in m for m in messages)
    assert any(m.startswith("retrying after HTTP status") and "status=503" in m for m in messages)
    assert any(m.startswith("logged in") for m in messages)
    assert {r.levelno for r in caplog.records if r.name.startswith("hostapi.")} == {logging.DEBUG}
    assert {r.name for r in caplog.records if r.name.startswith("hostapi.")} >= {
        "hostapi.transport",
        "hostapi.velneo.client",
    }


def test_nothing_is_logged_above_debug_by_default(emulator: Emulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="hostapi")
    with velneo.Client(EMAIL, API_KEY, base_url=emulator.velneo_url) as c:
        c.vserver.status()
    assert [r for r in caplog.records if r.name.startswith("hostapi")] == []


def urllib_unquote(body: str) -> str:
    import urllib.parse

    return urllib.parse.unquote_plus(body)
