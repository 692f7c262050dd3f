"""hostapi from Python: every Velneo and WEDOS operation against the embedded emulator.

Run with ``make demo`` (or ``python examples/python/demo.py`` once the wheel is installed). Against the real
services, build the clients with your own credentials instead of the emulator's demo accounts:
``velneo.Client.from_env()`` (VELNEO_EMAIL, VELNEO_API_KEY) and ``wedos.Client.from_env()`` (WEDOS_USER,
WEDOS_PASSWORD).
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile

import hostapi
from hostapi import velneo, wedos
from hostapi.testing import Emulator


def velneo_sync(emu: Emulator) -> None:
    print("== Velneo Cloud API (sync client) ==")
    with velneo.Client(emu.velneo_email, emu.velneo_api_key, base_url=emu.velneo_url, timeout=10) as client:
        status = client.vserver.status()  # logs in lazily, once
        print(f"vServer {status.status}, version {status.version}, {status.vrl}")
        client.vserver.set_credentials("velneo", "velneo")

        client.groups.put("Clientes", manage_solutions=False)
        client.users.put("acme", password="Acme-2026!", full_name="ACME S.L.", group="Clientes", is_supervisor=False)
        client.folders.put("clientes", "Clientes", path="clientes/acme")
        app = client.app_instances.put("crm", project="crm_app", solution="crm", folder_shared="clientes")
        data = client.data_instances.put("crm-datos", project="crm_dat", solution="crm", folder_shared="clientes/acme")
        print(f"app instance id {app.id}, data instance id {data.id}")

        for group in client.groups.list():
            print(f"group {group.name}: can create sites={group.can_create_sites}")
        for user in client.users.list():
            print(f"user {user.name} ({user.full_name or '-'}) supervisor={user.is_supervisor}")
        print("acme's groups:", client.users.get("acme").groups)
        print("folders:", [f.name for f in client.folders.list()])
        print("app instance by id:", client.app_instances.get(id=app.id).name)
        print("data instances:", [(d.name, d.path) for d in client.data_instances.list()])

        backup = client.vserver.backup()
        with tempfile.TemporaryDirectory() as tmp:
            size = client.vserver.download_backup(backup, os.path.join(tmp, "backup.zip"))
        print(f"backup downloaded: {size} bytes")

        client.vserver.stop()
        print("after stop:", client.vserver.wait_for_state("stopped", interval=0.1, timeout=10).status)
        client.vserver.start()

        try:
            client.groups.get("No such group")
        except hostapi.ApiError as e:
            print(f"as expected, {type(e).__name__}: {e}")

        client.data_instances.delete(id=data.id)
        client.app_instances.delete("crm")
        client.folders.delete("clientes")
        client.users.delete("acme")
        client.groups.delete("Clientes")
        print("logins so far:", client.login_count)
    # leaving the block logged out


async def velneo_async(emu: Emulator) -> None:
    print("== Velneo Cloud API (async client) ==")
    async with velneo.AsyncClient(emu.velneo_email, emu.velneo_api_key, base_url=emu.velneo_url) as client:
        statuses = await asyncio.gather(*(client.vserver.status() for _ in range(50)))
        print(f"{len(statuses)} concurrent status calls, {client.login_count} login")
        print("users:", [u.name for u in await client.users.list()])


def wedos_sync(emu: Emulator) -> None:
    print("== WEDOS WAPI (sync client) ==")
    with wedos.Client(emu.wedos_user, emu.wedos_password, base_url=emu.wedos_url, poll_interval=0.2) as client:
        print("ping:", client.ping().result)
        credit = client.credit_info()
        print(f"credit: {credit.amount} {credit.currency}")
        for domain in client.domains.list():
            print(f"domain {domain.name}: {domain.status}, expires {domain.expiration}")
        print("example.cz:", client.domains.info("example.cz").status)
        check = client.domains.check("hostapi-free-name.cz")
        print(f"hostapi-free-name.cz available: {check.available}")

        print("DNS zones:", [z.name for z in client.dns.domains()])
        client.dns.add_row("example.cz", "api", "A", "192.0.2.10", ttl=600, comment="demo")
        row = next(r for r in client.dns.rows("example.cz") if r.name == "api")
        client.dns.update_row("example.cz", row.id, ttl=900, rdata="192.0.2.11")
        client.dns.commit("example.cz")
        for r in client.dns.rows("example.cz"):
            print(f"  {r.id:>3} {r.name or '@':<5} {r.ttl:>5} {r.rdtype:<5} {r.rdata}")
        client.dns.delete_row("example.cz", row.id)
        client.dns.commit("example.cz")

        print("generic call:", client.call("ping").command)
        pending = client.ping_async()
        print("ping-async pending:", pending.svtrid)
        done = client.ping_async(wait=10)
        print("ping-async notification:", done.result)
        for note in client.notifications:  # acknowledges each one as it is handed over
            print("queued notification:", note.command, note.result)


async def wedos_async(emu: Emulator) -> None:
    print("== WEDOS WAPI (async client) ==")
    async with wedos.AsyncClient(emu.wedos_user, emu.wedos_password, base_url=emu.wedos_url) as client:
        pings = await asyncio.gather(*(client.ping() for _ in range(5)))
        print("pings:", [p.code for p in pings])
        print("rows of hostapi-demo.cz:", len(await client.dns.rows("hostapi-demo.cz")))


def main() -> None:
    logging.basicConfig(level=logging.WARNING)  # DEBUG shows every request and retry (never a secret)
    print(f"hostapi {hostapi.__version__}")
    with Emulator() as emu:
        print(f"emulator at {emu.url}")
        velneo_sync(emu)
        asyncio.run(velneo_async(emu))
        wedos_sync(emu)
        asyncio.run(wedos_async(emu))
        print("emulator logins:", emu.state()["velneo"][emu.velneo_email]["logins"])


if __name__ == "__main__":
    main()
