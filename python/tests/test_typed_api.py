"""A fully annotated use of the public surface: `make test-python` runs `mypy --strict` on this module (and on
examples/python/), so the stubs and annotations of the package are checked as a user's type checker sees them."""

from __future__ import annotations

import asyncio
from typing import List, Optional

import hostapi
from hostapi import velneo, wedos
from hostapi.testing import Emulator
from hostapi.velneo import protocol as vp
from hostapi.wedos import protocol as wp


def test_typed_velneo(velneo_client: velneo.Client, hostapi_emulator: Emulator) -> None:
    status: velneo.VServerStatus = velneo_client.vserver.status()
    running: bool = status.is_running
    ack: velneo.Ack = velneo_client.groups.put("Typed", manage_solutions=True)
    groups: List[velneo.Group] = velneo_client.groups.list()
    user: velneo.User = velneo_client.users.get("velneo")
    code: Optional[int] = user.code
    created: velneo.InstanceCreated = velneo_client.app_instances.put(
        "typed", project="p", solution="s", folder_shared="datos"
    )
    instance: velneo.AppInstance = velneo_client.app_instances.get(id=created.id)
    backup: velneo.Backup = velneo_client.vserver.backup()
    assert running and ack.status_code == 200 and len(groups) == 2 and code == 1
    assert instance.name == "typed" and backup.url
    logins: int = hostapi_emulator.state()["velneo"][hostapi_emulator.velneo_email]["logins"]
    assert logins == 1


def test_typed_wedos(wedos_client: wedos.Client) -> None:
    response: wedos.Response = wedos_client.ping()
    pending: wedos.Pending = wedos_client.ping_async()
    credit: wedos.Credit = wedos_client.credit_info()
    rows: List[wedos.DnsRow] = wedos_client.dns.rows("example.cz")
    check: wedos.DomainCheck = wedos_client.domains.check("example.cz")
    polled: Optional[wedos.Notification] = wedos_client.notifications.poll()
    assert response.code == 1000 and pending.command == "ping-async" and credit.currency == "CZK"
    assert rows and not check.available and (polled is None or polled.code >= 1000)


def test_typed_async(hostapi_emulator: Emulator) -> None:
    async def main() -> int:
        client: velneo.AsyncClient
        async with hostapi_emulator.velneo_async_client() as client:
            statuses: List[velneo.VServerStatus] = list(
                await asyncio.gather(*(client.vserver.status() for _ in range(3)))
            )
        async with hostapi_emulator.wedos_async_client(poll_interval=0.1) as w:
            note: wedos.Notification = await w.ping_async(wait=10.0)
            assert note.is_success
        return len(statuses)

    assert asyncio.run(main()) == 3


def test_typed_protocol_and_errors() -> None:
    req: vp.HttpRequest = vp.build_request("session.login", auth_email="a@b.c", timestamp=1, api_key="k")
    signed: str = vp.sign("a@b.c", 1, "k")
    hour: int = wp.prague_hour(1768473000)
    note: wedos.Notification = wp.parse_notification(b'{"notify":{"code":1000,"result":"OK","id":"1"}}')
    assert req.method == "POST" and len(signed) == 40 and hour == 11 and note.id == "1"
    try:
        vp.parse_response("groups.get", 200, b"not json")
    except hostapi.ProtocolError as e:
        status: Optional[int] = e.http_status
        body: Optional[str] = e.body
        assert status == 200 and body == "not json"
    else:
        raise AssertionError("a ProtocolError was expected")


def test_from_env_settings_are_typed() -> None:
    import pytest

    # mypy --strict (make test) reports the misspelt keyword, which the ignore below then needs; at run time the
    # core refuses it too.
    with pytest.raises(hostapi.ConfigError, match="unknown setting"):
        velneo.Client.from_env(timout=5)  # type: ignore[call-arg]
    with pytest.raises(hostapi.ConfigError, match="on_limit"):
        wedos.Client.from_env(on_limit="later")  # type: ignore[arg-type]
