"""Every error kind is raised as its class, carrying operation, code, HTTP status and message."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

import hostapi
from hostapi import velneo, wedos
from hostapi.testing import Emulator


def closed_port_url() -> str:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/v1"


def test_hierarchy() -> None:
    kinds = {
        hostapi.ConfigError: "Config",
        hostapi.TransportError: "Transport",
        hostapi.Timeout: "Timeout",
        hostapi.ProtocolError: "Protocol",
        hostapi.AuthenticationError: "Authentication",
        hostapi.RateLimited: "RateLimited",
        hostapi.VServerCredentialsError: "VServerCredentials",
        hostapi.ApiError: "Api",
    }
    for cls, kind in kinds.items():
        assert issubclass(cls, hostapi.Error) and cls.kind == kind
    assert issubclass(hostapi.Timeout, TimeoutError)


def test_config_errors_name_the_operation(hostapi_emulator: Emulator, tmp_path: Path) -> None:
    with pytest.raises(hostapi.ConfigError) as info:
        velneo.Client("", "key")
    assert info.value.operation == "velneo client" and "e-mail" in info.value.message
    with pytest.raises(hostapi.ConfigError, match="timeout"):
        velneo.Client("a@b.c", "key", timeout="soon")  # type: ignore[arg-type]
    with pytest.raises(hostapi.ConfigError, match="base URL"):
        velneo.Client("a@b.c", "key", base_url="ftp://example.com")
    with pytest.raises(hostapi.ConfigError, match="CA bundle"):
        velneo.Client("a@b.c", "key", ca_bundle=tmp_path / "missing.pem")
    bad_pem = tmp_path / "bad.pem"
    bad_pem.write_text("not a certificate")
    with pytest.raises(hostapi.ConfigError):
        wedos.Client("u@example.com", "pw", ca_bundle=bad_pem)
    with pytest.raises(hostapi.ConfigError) as info:
        wedos.Client("u@example.com", "")
    assert info.value.operation == "wedos client"
    with pytest.raises(hostapi.ConfigError, match="unknown setting"):
        velneo.Client.from_env(colour="blue")

    with hostapi_emulator.velneo_client() as c:
        with pytest.raises(hostapi.ConfigError) as info:
            c.groups.put("G", manage_solutions="yes")  # type: ignore[arg-type]
        assert info.value.operation == "velneo groups.put"
        with pytest.raises(hostapi.ConfigError) as info:
            c.users.get(None)  # type: ignore[arg-type]
        assert info.value.operation == "velneo users.get"
        with pytest.raises(hostapi.ConfigError) as info:
            c.users.put("u", full_name=object())  # type: ignore[arg-type]
        assert info.value.operation == "velneo users.put" and "object" in info.value.message
        with pytest.raises(hostapi.ConfigError):
            c.folders.put("f", "Administradores", path="/absolute")
        with pytest.raises(hostapi.ConfigError) as info:
            c.vserver.wait_for_state(123)  # type: ignore[arg-type]
        assert info.value.operation == "velneo vserver.wait_for_state"
        with pytest.raises(hostapi.ConfigError) as info:
            c.vserver.download_backup(42, tmp_path / "x.zip")  # type: ignore[arg-type]
        assert info.value.operation == "velneo vserver.backup download"
        with pytest.raises(hostapi.ConfigError):
            c.vserver.wait_for_state("running", interval=0)
        assert c.login_count == 0  # nothing was sent for calls that cannot be built
    with hostapi_emulator.wedos_client() as w:
        with pytest.raises(hostapi.ConfigError) as info:
            w.call("Not A Command")
        assert info.value.operation.startswith("wedos")
        with pytest.raises(hostapi.ConfigError):
            w.call("ping", data=[1, 2])  # type: ignore[arg-type]
        with pytest.raises(hostapi.ConfigError):
            w.ping_async(wait=-1)
        with pytest.raises(hostapi.ConfigError) as info:
            w.notifications.ack(None)  # type: ignore[arg-type]
        assert info.value.operation == "wedos poll-ack"


def test_transport_error() -> None:
    with velneo.Client("a@b.c", "key", base_url=closed_port_url(), retries=0, connect_timeout=2) as c:
        with pytest.raises(hostapi.TransportError) as info:
            c.vserver.status()
    assert info.value.operation == "velneo session.login"
    assert info.value.http_status is None and "connect" in info.value.message


def test_timeout(fresh_emulator: Emulator) -> None:
    fresh_emulator.add_fault("/v1/vserver", delay_ms=3000)
    with fresh_emulator.velneo_client(timeout=0.3, retries=0) as c:
        c.login()
        with pytest.raises(hostapi.Timeout) as info:
            c.vserver.status()
        assert isinstance(info.value, TimeoutError)
        assert info.value.operation == "velneo vserver.status"
    fresh_emulator.clear_faults()


def test_a_5xx_page_is_a_transport_error_with_status_and_body(fresh_emulator: Emulator) -> None:
    fresh_emulator.add_fault("/v1/groups", status=502, body="<html>bad gateway</html>")
    with fresh_emulator.velneo_client(retries=0) as c:
        with pytest.raises(hostapi.TransportError) as info:
            c.groups.list()
    e = info.value
    assert e.http_status == 502 and e.body is not None and "bad gateway" in e.body
    assert e.operation == "velneo groups.list"
    assert "(1 attempt)" in str(e) and fresh_emulator.url.removeprefix("http://") in str(e)
    assert not e.may_have_applied  # a read


def test_a_wrong_shape_is_a_protocol_error_with_status_and_body(fresh_emulator: Emulator) -> None:
    fresh_emulator.add_fault("/v1/vserver", status=200, body='{"status": 5, "vrl": [], "version": null}')
    with fresh_emulator.velneo_client(retries=0) as c:
        with pytest.raises(hostapi.ProtocolError) as info:
            c.vserver.status()
    e = info.value
    assert e.http_status == 200 and e.body is not None and '"status": 5' in e.body
    assert "status is a number, not text" in str(e)


def test_retries_recover_from_5xx(fresh_emulator: Emulator) -> None:
    fresh_emulator.add_fault("/v1/groups", status=503, times=2)
    with fresh_emulator.velneo_client(retries=2, backoff=(0.01, 0.05)) as c:
        assert [g.name for g in c.groups.list()] == ["Administradores"]
    assert fresh_emulator.faults() == []


def test_authentication_errors(hostapi_emulator: Emulator) -> None:
    with velneo.Client(hostapi_emulator.velneo_email, "wrong-key", base_url=hostapi_emulator.velneo_url) as c:
        with pytest.raises(hostapi.AuthenticationError) as info:
            c.vserver.status()
    assert info.value.operation == "velneo session.login"
    assert info.value.code == 401 or info.value.http_status == 401
    with wedos.Client(hostapi_emulator.wedos_user, "wrong", base_url=hostapi_emulator.wedos_url) as w:
        with pytest.raises(hostapi.AuthenticationError) as winfo:
            w.ping()
    assert winfo.value.code in (2050, 2051) and winfo.value.operation == "wedos ping"


def test_rate_limited_by_the_server(hostapi_emulator: Emulator) -> None:
    hostapi_emulator.set_wedos_user_agent_limit(1)
    with hostapi_emulator.wedos_client(retries=0) as w:
        with pytest.raises(hostapi.RateLimited) as info:
            w.ping()
        assert info.value.retry_after is not None and info.value.retry_after > 0
        assert w.ping().code == 1000


def test_vserver_credentials_and_api_errors(velneo_client: velneo.Client) -> None:
    with pytest.raises(hostapi.ApiError) as info:
        velneo_client.groups.get("NoSuchGroup")
    e = info.value
    assert e.operation == "velneo groups.get" and e.http_status == 403 and e.message
    assert str(e).startswith("velneo groups.get: ")
    velneo_client.vserver.set_credentials("nobody", "x")
    with pytest.raises(hostapi.VServerCredentialsError):
        velneo_client.groups.list()


def test_closed_clients_refuse_calls(hostapi_emulator: Emulator) -> None:
    w = hostapi_emulator.wedos_client()
    w.close()
    with pytest.raises(hostapi.ConfigError, match="closed"):
        w.ping()


def test_a_failing_logout_does_not_hide_the_callers_error() -> None:
    emu = Emulator()
    with pytest.raises(ValueError, match="the caller's own"):
        with emu.velneo_client(retries=0, connect_timeout=2) as c:
            c.login()
            emu.stop()
            raise ValueError("the caller's own error")
    assert c.closed
    emu = Emulator()
    c = emu.velneo_client(retries=0, connect_timeout=2)
    c.login()
    emu.stop()
    with pytest.raises(hostapi.TransportError) as info:
        c.close()  # without an error on its way out, the logout failure is reported
    assert info.value.operation == "velneo session.logout" and c.closed


def test_registry_failures_and_hourly_limits_from_the_server(hostapi_emulator: Emulator) -> None:
    hostapi_emulator.add_wedos_answer_fault(4000, command="dns-rows-list")
    hostapi_emulator.add_wedos_answer_fault(2006, command="ping")
    with hostapi_emulator.wedos_client(retries=0) as w:
        with pytest.raises(hostapi.ApiError) as info:
            w.dns.rows("example.cz")
        assert info.value.code == 4000 and info.value.operation == "wedos dns-rows-list"
        with pytest.raises(hostapi.RateLimited) as limited:
            w.ping()
        assert limited.value.code == 2006 and limited.value.retry_after is not None
        assert [r.rdtype for r in w.dns.rows("example.cz")]
