"""Every WEDOS operation against the emulator's WAPI half: through the sync client, and through the async client
for each resource."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse

import pytest

import hostapi
from hostapi import wedos
from hostapi.testing import Emulator


def test_ping_credit_call_and_test_mode(wedos_client: wedos.Client, hostapi_emulator: Emulator) -> None:
    r = wedos_client.ping()
    assert isinstance(r, wedos.Response)
    assert (r.code, r.result, r.command, r.test) == (1000, "OK", "ping", False)
    assert r.cltrid and r.cltrid.startswith("hostapi-") and r.svtrid

    credit = wedos_client.credit_info()
    assert isinstance(credit, wedos.Credit)
    assert (credit.amount, credit.currency) == (2570.35, "CZK")

    generic = wedos_client.call("domains-list", {"status": "active"}, cltrid="my-trid-1")
    assert generic.code == 1000 and generic.cltrid == "my-trid-1" and generic.command == "domains-list"
    assert generic.data is not None and "domain" in generic.data
    with pytest.raises(hostapi.ApiError) as info:
        wedos_client.call("no-such-command")
    assert info.value.operation == "wedos no-such-command" and info.value.code is not None

    with hostapi_emulator.wedos_client(test_mode=True) as t:
        assert t.ping().test is True
        t.dns.add_row("example.cz", "test-only", "A", "192.0.2.99")
    assert "test-only" not in {row.name for row in wedos_client.dns.rows("example.cz")}


def test_domains(wedos_client: wedos.Client) -> None:
    domains = wedos_client.domains.list()
    assert [(d.name, d.status) for d in domains] == [("example.cz", "active"), ("hostapi-demo.cz", "expired")]
    assert isinstance(domains[0], wedos.Domain) and domains[0].expiration == "2027-01-15"
    assert [d.name for d in wedos_client.domains.list(status="expired")] == ["hostapi-demo.cz"]
    info = wedos_client.domains.info("example.cz")
    assert (info.name, info.status) == ("example.cz", "active")
    taken = wedos_client.domains.check("example.cz")
    assert isinstance(taken, wedos.DomainCheck)
    assert (taken.name, taken.available, taken.code) == ("example.cz", False, 3201)
    free = wedos_client.domains.check("hostapi-free-name-4711.cz")
    assert free.available is True and free.code == 1000
    with pytest.raises(hostapi.ApiError) as e:
        wedos_client.domains.info("not-mine.cz")
    assert e.value.operation == "wedos domain-info"


def test_dns_rows_lifecycle(wedos_client: wedos.Client) -> None:
    zones = wedos_client.dns.domains()
    assert isinstance(zones[0], wedos.DnsDomain)
    assert {z.name for z in zones} == {"example.cz", "hostapi-demo.cz"}
    rows = wedos_client.dns.rows("example.cz")
    assert {(r.name, r.rdtype) for r in rows} == {("", "A"), ("www", "CNAME"), ("", "MX")}
    assert all(isinstance(r, wedos.DnsRow) and isinstance(r.id, int) for r in rows)

    added = wedos_client.dns.add_row("example.cz", "api", "A", "192.0.2.10", ttl=600, comment="hostapi test")
    assert added.code == 1000
    row = next(r for r in wedos_client.dns.rows("example.cz") if r.name == "api")
    assert (row.ttl, row.rdtype, row.rdata, row.author_comment) == (600, "A", "192.0.2.10", "hostapi test")
    assert wedos_client.dns.update_row("example.cz", row.id, ttl=900, rdata="192.0.2.11").code == 1000
    row = next(r for r in wedos_client.dns.rows("example.cz") if r.id == row.id)
    assert (row.ttl, row.rdata) == (900, "192.0.2.11")
    assert wedos_client.dns.commit("example.cz").code == 1000
    assert wedos_client.dns.delete_row("example.cz", row.id).code == 1000
    assert row.id not in {r.id for r in wedos_client.dns.rows("example.cz")}
    wedos_client.dns.commit("example.cz")

    with pytest.raises(hostapi.ConfigError) as info:
        wedos_client.dns.add_row("example.cz", "x", "A", "192.0.2.1", ttl=10)
    assert info.value.operation == "wedos dns-row-add" and "ttl" in info.value.message


def test_ping_async_and_notifications(hostapi_emulator: Emulator) -> None:
    wedos_client = hostapi_emulator.wedos_client(poll_interval=0.05)
    pending = wedos_client.ping_async()
    assert isinstance(pending, wedos.Pending) and pending.command == "ping-async"
    notification = wedos_client.ping_async(wait=10)
    assert isinstance(notification, wedos.Notification)
    assert notification.command == "ping-async" and notification.is_success

    # The first ping-async's notification arrives too; iterate until the queue is empty.
    seen = [n for n in _drain_after_delay(wedos_client)]
    assert [n.svtrid for n in seen] == [pending.svtrid]
    assert wedos_client.notifications.poll() is None
    assert wedos_client.notifications.next() is None

    # poll does not acknowledge; ack does.
    qid = hostapi_emulator.queue_wedos_notification({"code": 1000, "result": "OK", "command": "domain-renew"})
    first = wedos_client.notifications.poll()
    assert first is not None and first.id == qid and first.command == "domain-renew"
    again = wedos_client.notifications.poll()
    assert again == first
    assert wedos_client.notifications.ack(qid).code < 2000
    assert wedos_client.notifications.poll() is None

    for i in range(3):
        hostapi_emulator.queue_wedos_notification({"code": 1000, "result": f"n{i}", "command": "x"})
    assert [n.result for n in wedos_client.notifications] == ["n0", "n1", "n2"]
    assert wedos_client.notifications.poll() is None
    assert wedos_client.notifications.kept == 0
    wedos_client.close()


def _drain_after_delay(client: wedos.Client) -> list[wedos.Notification]:
    import time

    deadline = time.monotonic() + 10
    while client.notifications.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(client.notifications)


def test_parse_notification_for_webhooks() -> None:
    doc = {"notify": {"code": 1000, "result": "OK", "command": "ping-async", "ID": "7", "clTRID": "c-1"}}
    body = urllib.parse.urlencode({"request": json.dumps(doc)}).encode()
    n = wedos.parse_notification(body)
    assert (n.id, n.code, n.cltrid, n.command) == ("7", 1000, "c-1", "ping-async")
    with pytest.raises(hostapi.ProtocolError):
        wedos.parse_notification(b"request=not-json")


def test_auth_guard_stops_after_failures(hostapi_emulator: Emulator) -> None:
    with wedos.Client(
        hostapi_emulator.wedos_user, "wrong-password", base_url=hostapi_emulator.wedos_url, max_auth_failures=2
    ) as c:
        for _ in range(2):
            with pytest.raises(hostapi.AuthenticationError) as info:
                c.ping()
            assert info.value.code == 2051 or info.value.code == 2050
        assert c.auth_failures == 2
        before = hostapi_emulator.state()["wedos"][hostapi_emulator.wedos_user]["requests_last_hour"]
        with pytest.raises(hostapi.AuthenticationError, match="reset_auth_guard") as info:
            c.ping()
        assert info.value.code is None  # refused by the client, nothing sent
        after = hostapi_emulator.state()["wedos"][hostapi_emulator.wedos_user]["requests_last_hour"]
        assert after == before
        c.reset_auth_guard()
        assert c.auth_failures == 0
        with pytest.raises(hostapi.AuthenticationError):
            c.ping()  # sent again (and refused again)
        assert "wrong-password" not in repr(c)


def test_rate_limit_policy(hostapi_emulator: Emulator) -> None:
    with hostapi_emulator.wedos_client(hourly_limits=(2, 100), on_limit="raise") as c:
        c.ping()
        c.ping()
        with pytest.raises(hostapi.RateLimited) as info:
            c.ping()
        # Counted per minute: the oldest minute leaves the hour up to a minute after its first request.
        assert info.value.retry_after is not None and 0 < info.value.retry_after <= 3660
        assert info.value.operation == "wedos ping"
    with hostapi_emulator.wedos_client(hourly_limits=(1, 100), budget_window=0.3, on_limit="wait") as c:
        c.ping()
        assert c.ping().code == 1000  # waited for room instead of raising
    with pytest.raises(hostapi.ConfigError, match="on_limit"):
        hostapi_emulator.wedos_client(on_limit="sometimes")  # type: ignore[arg-type]


# ---- the async client, one test per resource -----------------------------------------------------------------


def test_async_client_ping_credit_call(hostapi_emulator: Emulator) -> None:
    async def main() -> None:
        async with hostapi_emulator.wedos_async_client(poll_interval=0.05) as c:
            assert (await c.ping()).code == 1000
            assert (await c.credit_info()).currency == "CZK"
            assert (await c.call("ping")).command == "ping"
            pending = await c.ping_async()
            assert pending.svtrid
            n = await c.ping_async(wait=10)
            assert n.command == "ping-async"

    asyncio.run(main())


def test_async_domains(hostapi_emulator: Emulator) -> None:
    async def main() -> None:
        async with hostapi_emulator.wedos_async_client() as c:
            assert len(await c.domains.list()) == 2
            assert (await c.domains.info("example.cz")).status == "active"
            assert (await c.domains.check("example.cz")).available is False

    asyncio.run(main())


def test_async_dns(hostapi_emulator: Emulator) -> None:
    async def main() -> None:
        async with hostapi_emulator.wedos_async_client() as c:
            assert len(await c.dns.domains()) == 2
            await c.dns.add_row("hostapi-demo.cz", "mail", "A", "192.0.2.20")
            row = next(r for r in await c.dns.rows("hostapi-demo.cz") if r.name == "mail")
            await c.dns.update_row("hostapi-demo.cz", row.id, ttl=1200, rdata="192.0.2.21")
            await c.dns.commit("hostapi-demo.cz")
            await c.dns.delete_row("hostapi-demo.cz", row.id)
            assert "mail" not in {r.name for r in await c.dns.rows("hostapi-demo.cz")}

    asyncio.run(main())


def test_async_notifications(hostapi_emulator: Emulator) -> None:
    async def main() -> None:
        async with hostapi_emulator.wedos_async_client() as c:
            ids = [hostapi_emulator.queue_wedos_notification({"code": 1000, "result": f"a{i}"}) for i in range(3)]
            first = await c.notifications.poll()
            assert first is not None and first.id == ids[0]
            await c.notifications.ack(ids[0])
            nxt = await c.notifications.next()
            assert nxt is not None and nxt.id == ids[1]
            assert [n.result async for n in c.notifications] == ["a2"]
            assert await c.notifications.poll() is None and c.notifications.kept == 0

    asyncio.run(main())


def test_the_acme_dns01_job(wedos_client: wedos.Client, hostapi_emulator: Emulator) -> None:
    row = wedos_client.dns.set_txt("_acme-challenge.www.example.cz", "py-token")
    assert isinstance(row, wedos.DnsRow) and row.name == "_acme-challenge.www" and row.rdata == "py-token"
    again = wedos_client.dns.set_txt("_acme-challenge.www.example.cz.", "py-token")
    assert again.id == row.id
    assert wedos_client.dns.row_detail("example.cz", row.id).rdata == "py-token"
    assert wedos_client.dns.clear_txt("_acme-challenge.www.example.cz", "py-token") == 1
    assert wedos_client.dns.clear_txt("_acme-challenge.www.example.cz", "py-token") == 0
    codes = hostapi_emulator.state()["wedos"][hostapi_emulator.wedos_user]["codes"]
    assert all(int(c) < 2000 for c in codes), codes
    check = wedos_client.domains.transfer_check("example.cz")
    assert isinstance(check, wedos.TransferCheck) and not check.transferable
    note = wedos_client.domains.create("nova-domena.cz", owner_c="OWNER-1", wait=10)
    assert isinstance(note, wedos.Notification) and note.command == "domain-create"


def test_add_row_returns_the_new_row_with_its_id(hostapi_emulator: Emulator) -> None:
    with hostapi_emulator.wedos_client() as c:
        row = c.dns.add_row("example.cz", "withid", "TXT", "v=1", ttl=600)
        assert isinstance(row, wedos.AddedRow) and isinstance(row.id, int)
        assert (row.code, row.name, row.rdtype, row.rdata, row.ttl) == (1000, "withid", "TXT", "v=1", 600)
        assert any(r.id == row.id and r.rdata == "v=1" for r in c.dns.rows("example.cz"))
        c.dns.delete_row("example.cz", row.id)
    with hostapi_emulator.wedos_client(test_mode=True) as t:
        tested = t.dns.add_row("example.cz", "test-only-row", "A", "192.0.2.98")
        assert tested.id is None and tested.test is True


def test_arguments_of_the_wrong_type_fail_before_sending(hostapi_emulator: Emulator) -> None:
    with hostapi_emulator.wedos_client() as c:
        with pytest.raises(hostapi.ConfigError, match="row_id must be an integer"):
            c.dns.row_detail("example.cz", "1")  # type: ignore[arg-type]


def test_set_txt_waits_until_the_emulators_dns_serves_the_value() -> None:
    config = {"wedos": {"accounts": [{"user": Emulator.DEMO_WEDOS_USER, "password": Emulator.DEMO_WEDOS_PASSWORD,
                                      "dns_publish_delay_secs": 2,
                                      "dns_zones": [{"name": "example.cz"}]}]}}
    with Emulator(config, dns_port=0) as emu:
        assert emu.dns is not None and emu.dns.startswith("127.0.0.1:")
        with emu.wedos_client() as c:
            started = time.monotonic()
            row = c.dns.set_txt("_acme-challenge.example.cz", "py-waited", wait=30, nameservers=[emu.dns])
            assert row.rdata == "py-waited"
            assert time.monotonic() - started >= 2
            with pytest.raises(hostapi.Timeout, match="127.0.0.1:9"):
                c.dns.set_txt("_acme-challenge.example.cz", "py-other", wait=1, nameservers=["127.0.0.1:9"])
            with pytest.raises(hostapi.ConfigError, match="only asked with wait"):
                c.dns.set_txt("_acme-challenge.example.cz", "py-other", nameservers=[emu.dns])
    with Emulator() as plain:
        assert plain.dns is None
