"""What the ACME tests share: pebble on free loopback ports, the tools from the distribution, the account's
environment for the hooks, and the checks of an issued certificate."""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from hostapi.testing import Emulator

TOOLS = {name: shutil.which(name) for name in ("pebble", "lego", "certbot", "openssl")}
HOSTAPI = str(Path(sys.executable).parent / "hostapi")
DOMAINS = ["example.cz", "*.example.cz"]

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, proc: "subprocess.Popen[bytes]", what: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on {port}")


class Pebble:
    """pebble on free loopback ports, with a throwaway TLS certificate, validating DNS-01 through `dns`."""

    def __init__(self, dns: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hostapi-pebble-"))
        self.tls_cert = self.dir / "cert.pem"
        key = self.dir / "key.pem"
        subprocess.run(
            [TOOLS["openssl"], "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(self.tls_cert)],
            check=True, capture_output=True,
        )
        self.port, self.management = free_port(), free_port()
        config = {"pebble": {
            "listenAddress": f"127.0.0.1:{self.port}",
            "managementListenAddress": f"127.0.0.1:{self.management}",
            "certificate": str(self.tls_cert),
            "privateKey": str(key),
            "httpPort": free_port(),
            "tlsPort": free_port(),
            "ocspResponderURL": "",
            "externalAccountBindingRequired": False,
        }}
        (self.dir / "config.json").write_text(json.dumps(config))
        env = {**os.environ, "PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0", "PEBBLE_AUTHZREUSE": "0"}
        self.log = open(self.dir / "pebble.log", "wb")
        self.proc = subprocess.Popen(
            [TOOLS["pebble"], "-config", str(self.dir / "config.json"), "-dnsserver", dns],
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )
        wait_for_port(self.port, self.proc, "pebble")
        wait_for_port(self.management, self.proc, "pebble's management interface")
        self.directory = f"https://127.0.0.1:{self.port}/dir"

    def root(self) -> Path:
        """The root certificate pebble issues under (generated at its start)."""
        context = ssl.create_default_context(cafile=str(self.tls_cert))
        with urllib.request.urlopen(f"https://127.0.0.1:{self.management}/roots/0", context=context) as r:
            pem = r.read()
        path = self.dir / "root.pem"
        path.write_bytes(pem)
        return path

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


def account_env(emu: Emulator, home: Path) -> "dict[str, str]":
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WEDOS_", "HOSTAPI_"))}
    env.update({
        "WEDOS_USER": emu.wedos_user,
        "WEDOS_PASSWORD": emu.wedos_password,
        "WEDOS_BASE_URL": emu.wedos_url,
        "HOSTAPI_STATE_DIR": str(home / "state"),
    })
    return env


def check_certificate(cert: Path, root: Path, emu: Emulator) -> None:
    """The certificate names both domains and chains to pebble's root; no challenge row is left; no invalid
    request reached the emulator."""
    names = subprocess.run(
        [TOOLS["openssl"], "x509", "-in", str(cert), "-noout", "-ext", "subjectAltName"],
        check=True, capture_output=True, text=True,
    ).stdout
    for domain in DOMAINS:
        assert f"DNS:{domain}" in names, names
    with emu.wedos_client() as c:
        rows = c.dns.rows("example.cz")
    assert not [r for r in rows if r.name.startswith("_acme-challenge")], rows
    codes = emu.state()["wedos"][emu.wedos_user]["codes"]
    assert all(int(code) < 2000 for code in codes), codes
    assert root.read_bytes().startswith(b"-----BEGIN CERTIFICATE-----")
