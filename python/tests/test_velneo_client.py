"""Every Velneo operation against the emulator: through the sync client, and through the async client for each
resource."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import hostapi
from hostapi import velneo
from hostapi.testing import Emulator


def test_vserver_operations(velneo_client: velneo.Client, hostapi_emulator: Emulator, tmp_path: Path) -> None:
    c = velneo_client
    c.login()
    assert c.login_count == 1
    status = c.vserver.status()
    assert isinstance(status, velneo.VServerStatus)
    assert status.is_running and status.status == "running"
    assert status.version and status.vrl
    assert status.raw["status"] == "running"

    ack = c.vserver.set_credentials("velneo", "velneo")
    assert isinstance(ack, velneo.Ack) and ack.status_code == 200

    backup = c.vserver.backup()
    assert backup.url.startswith(hostapi_emulator.url + "/_emulator/velneo/backups/")
    target = tmp_path / "backup.zip"
    written = c.vserver.download_backup(backup, target)
    assert written > 0 and target.stat().st_size == written
    assert b"Administradores" in target.read_bytes()  # the emulator's backup is the account's content
    assert c.vserver.download_backup(backup.url, tmp_path / "again.zip") == written  # a URL works too
    # A failed download leaves an existing file as it was, and no partial file beside it.
    missing = backup.url.rsplit("/", 1)[0] + "/no-such-backup.zip"
    with pytest.raises(hostapi.ApiError):
        c.vserver.download_backup(missing, target)
    assert target.stat().st_size == written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.zip", target.name]

    assert c.vserver.stop().status_code == 200
    assert c.vserver.wait_for_state("stopped", interval=0.05, timeout=5).status == "stopped"
    assert not c.vserver.status().is_running
    with pytest.raises(hostapi.ApiError) as info:
        c.groups.list()  # administrative calls need a running vServer
    assert info.value.http_status == 403 and info.value.operation == "velneo groups.list"
    assert c.vserver.start().status_code == 200
    assert c.vserver.wait_for_state("running", interval=0.05, timeout=5).is_running

    c.logout()
    assert hostapi_emulator.state()["velneo"][hostapi_emulator.velneo_email]["logins"] == 1
    assert c.vserver.status().is_running  # logs in again
    assert c.login_count == 2


def test_groups_users_folders(velneo_client: velneo.Client) -> None:
    c = velneo_client
    assert c.groups.put("Clientes", manage_solutions=False).status_code == 200
    g = c.groups.get("Clientes")
    assert isinstance(g, velneo.Group)
    assert (g.name, g.can_create_sites, g.can_delete_sites) == ("Clientes", False, False)
    c.groups.put("Clientes", manage_solutions=True)
    assert c.groups.get("Clientes").can_create_sites is True
    assert {x.name for x in c.groups.list()} == {"Administradores", "Clientes"}

    c.users.put(
        "acme",
        password="Acme-2026!",
        email="it@acme.example",
        full_name="ACME S.L.",
        group="Clientes",
        is_supervisor=False,
        account_disabled=False,
        must_change_password=True,
        password_never_expires=False,
    )
    u = c.users.get("acme")
    assert isinstance(u, velneo.User)
    assert (u.name, u.full_name, u.email) == ("acme", "ACME S.L.", "it@acme.example")
    assert u.must_change_password is True and u.is_supervisor is False and u.disabled is False
    assert u.groups == ("Clientes",)
    assert {x.name for x in c.users.list()} == {"velneo", "acme"}
    assert [x.name for x in c.users.list(group="Clientes")] == ["acme"]
    c.users.put("acme", del_group="Clientes", is_supervisor=True)
    u = c.users.get("acme")
    assert u.groups == () and u.is_supervisor is True
    assert c.users.list(group="Clientes") == []

    assert c.folders.put("clientes", "Clientes", path="clientes/acme").status_code == 200
    f = c.folders.get("clientes")
    assert isinstance(f, velneo.Folder) and f.path is not None and f.path.endswith("/clientes/acme")
    assert "clientes" in {x.name for x in c.folders.list()}
    with pytest.raises(hostapi.ApiError) as info:
        c.groups.delete("Clientes")  # a folder uses it
    assert info.value.http_status == 403

    assert c.users.delete("acme").status_code == 200
    with pytest.raises(hostapi.ApiError):
        c.users.get("acme")
    assert c.folders.delete("clientes").status_code == 200
    assert c.groups.delete("Clientes").status_code == 200
    assert [x.name for x in c.groups.list()] == ["Administradores"]


def test_instances_by_name_and_id(velneo_client: velneo.Client) -> None:
    c = velneo_client
    c.folders.put("clientes", "Administradores", path="clientes")
    created = c.app_instances.put("crm", project="crm_app", solution="crm", folder_shared="clientes")
    assert isinstance(created, velneo.InstanceCreated) and created.id
    app = c.app_instances.get("crm")
    assert isinstance(app, velneo.AppInstance)
    assert (app.name, app.project, app.solution) == ("crm", "crm_app", "crm")
    assert c.app_instances.get(id=created.id) == app
    assert [a.name for a in c.app_instances.list()] == ["crm"]
    c.groups.put("Ventas", add_app_instance=created.id)

    data = c.data_instances.put(
        "crm-datos", project="crm_dat", solution="crm", folder_shared="clientes/acme", inheritance={"crm_base": 1}
    )
    assert data.id and data.id != created.id
    d = c.data_instances.get(id=data.id)
    assert isinstance(d, velneo.DataInstance)
    assert (d.name, d.project) == ("crm-datos", "crm_dat")
    c.data_instances.put(data.id, by_id=True, project="crm_dat2", solution="crm", folder_shared="clientes/acme")
    assert c.data_instances.get("crm-datos").project == "crm_dat2"
    assert [x.name for x in c.data_instances.list()] == ["crm-datos"]

    with pytest.raises(hostapi.ConfigError, match="either name or id"):
        c.data_instances.get("crm-datos", id=data.id)
    assert c.data_instances.delete(id=data.id).status_code == 200
    assert c.app_instances.delete("crm").status_code == 200
    assert c.app_instances.list() == [] and c.data_instances.list() == []


def test_wrong_vserver_credentials_raise_their_class(velneo_client: velneo.Client) -> None:
    velneo_client.vserver.set_credentials("velneo", "not-the-password")
    with pytest.raises(hostapi.VServerCredentialsError) as info:
        velneo_client.users.list()
    assert info.value.operation == "velneo users.list"
    assert "not-the-password" not in str(info.value) + repr(info.value)
    velneo_client.vserver.set_credentials("velneo", "velneo")
    assert velneo_client.users.list()


def test_session_expiry_relogs_once(velneo_client: velneo.Client, hostapi_emulator: Emulator) -> None:
    velneo_client.vserver.status()
    assert hostapi_emulator.expire_sessions(hostapi_emulator.velneo_email) == 1
    assert velneo_client.vserver.status().is_running
    assert velneo_client.login_count == 2


def test_context_manager_logs_out(hostapi_emulator: Emulator) -> None:
    with hostapi_emulator.velneo_client() as c:
        c.vserver.status()
    assert c.closed
    with pytest.raises(hostapi.ConfigError, match="closed") as info:
        c.vserver.status()
    assert info.value.operation == "velneo vserver.status"
    # The session ended on the server: expiring now finds nothing to end.
    assert hostapi_emulator.expire_sessions(hostapi_emulator.velneo_email) == 0


# ---- the async client, one test per resource -----------------------------------------------------------------


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_async_vserver(hostapi_emulator: Emulator, tmp_path: Path) -> None:
    async def main() -> None:
        async with hostapi_emulator.velneo_async_client() as c:
            await c.login()
            assert (await c.vserver.status()).is_running
            assert (await c.vserver.set_credentials("velneo", "velneo")).status_code == 200
            backup = await c.vserver.backup()
            assert await c.vserver.download_backup(backup, tmp_path / "b.zip") > 0
            await c.vserver.stop()
            assert (await c.vserver.wait_for_state("stopped", interval=0.05, timeout=5)).status == "stopped"
            await c.vserver.start()
            assert (await c.vserver.status()).is_running
            assert c.login_count == 1
        assert c.closed

    run(main())
    assert hostapi_emulator.expire_sessions(hostapi_emulator.velneo_email) == 0  # logged out on exit


def test_async_groups(hostapi_emulator: Emulator) -> None:
    async def main() -> None:
        async with hostapi_emulator.velneo_async_client() as c:
            await c.groups.put("Clientes", manage_solutions=True)
            assert (await c.groups.get("Clientes")).can_delete_sites is True
            assert len(await c.groups.list()) == 2
            await c.groups.delete("Clientes")
            with pytest.raises(hostapi.ApiError):
                await c.groups.get("Clientes")

    run(main())


def test_async_users(hostapi_emulator: Emulator) -> None:
    async def main() -> None:
        async with hostapi_emulator.velneo_async_client() as c:
            await c.users.put("ana", password="Ana-2026!", full_name="Ana", is_supervisor=False)
            assert (await c.users.get("ana")).full_name == "Ana"
            assert {u.name for u in await c.users.list()} == {"velneo", "ana"}
            assert [u.name for u in await c.users.list(group="Administradores")] == ["velneo"]
            await c.users.delete("ana")

    run(main())


def test_async_folders(hostapi_emulator: Emulator) -> None:
    async def main() -> None:
        async with hostapi_emulator.velneo_async_client() as c:
            await c.folders.put("docs", "Administradores", path="docs")
            assert (await c.folders.get("docs")).path.endswith("/docs")
            assert "docs" in {f.name for f in await c.folders.list()}
            await c.folders.delete("docs")

    run(main())


def test_async_app_instances(hostapi_emulator: Emulator) -> None:
    async def main() -> None:
        async with hostapi_emulator.velneo_async_client() as c:
            created = await c.app_instances.put("erp", project="erp_app", solution="erp", folder_shared="datos")
            assert created.id is not None
            assert (await c.app_instances.get(id=created.id)).name == "erp"
            assert [a.name for a in await c.app_instances.list()] == ["erp"]
            await c.app_instances.delete(id=created.id)

    run(main())


def test_async_data_instances(hostapi_emulator: Emulator) -> None:
    async def main() -> None:
        async with hostapi_emulator.velneo_async_client() as c:
            created = await c.data_instances.put("erp-d", project="erp_dat", solution="erp", folder_shared="datos/x")
            assert created.id is not None
            assert (await c.data_instances.get("erp-d")).project == "erp_dat"
            assert [d.name for d in await c.data_instances.list()] == ["erp-d"]
            await c.data_instances.delete("erp-d")

    run(main())
