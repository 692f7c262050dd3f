"""A real certificate, offline: pebble (the ACME test CA) validates DNS-01 challenges against the emulator's DNS
server, and lego and certbot get a certificate for example.cz and *.example.cz (two TXT values at one name)
through `hostapi wedos acme present --wait` / `cleanup`.

Each run checks the certificate's names with openssl, that no `_acme-challenge` row is left, and that the
emulator answered no request with a code of 2000 or more. Run by `make test-acme` (part of `make test`), which
installs pebble, lego, certbot and openssl from the distribution's packages when missing."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from hostapi.testing import Emulator

TOOLS = {name: shutil.which(name) for name in ("pebble", "lego", "certbot", "openssl")}
HOSTAPI = str(Path(sys.executable).parent / "hostapi")
DOMAINS = ["example.cz", "*.example.cz"]

pytestmark = pytest.mark.skipif(
    not all(TOOLS.values()), reason="make test-acme installs pebble, lego, certbot and openssl"
)


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


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(dns_port=0) as emu:
        yield emu


@pytest.fixture
def pebble(emulator: Emulator) -> Iterator[Pebble]:
    assert emulator.dns is not None
    p = Pebble(emulator.dns)
    yield p
    p.stop()


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


def test_lego_exec_provider(emulator: Emulator, pebble: Pebble, tmp_path: Path) -> None:
    dns = emulator.dns
    assert dns is not None
    hook = tmp_path / "wedos-exec.sh"
    hook.write_text(
        "#!/bin/sh\n"
        "# lego's exec provider: present|cleanup FQDN VALUE\n"
        'case "$1" in\n'
        f'  present) exec {shlex.quote(HOSTAPI)} wedos acme present "$2" "$3" --wait --wait-timeout 60'
        f" --nameserver {dns} ;;\n"
        f'  cleanup) exec {shlex.quote(HOSTAPI)} wedos acme cleanup "$2" "$3" ;;\n'
        "  *) exit 0 ;;\n"
        "esac\n"
    )
    hook.chmod(0o755)
    env = account_env(emulator, tmp_path)
    env.update({
        "EXEC_PATH": str(hook),
        "EXEC_PROPAGATION_TIMEOUT": "60",
        "EXEC_POLLING_INTERVAL": "1",
        # lego solves the names one after another, 60 s apart by default.
        "EXEC_SEQUENCE_INTERVAL": "1",
        "LEGO_CA_CERTIFICATES": str(pebble.tls_cert),
    })
    run = subprocess.run(
        [TOOLS["lego"], "--server", pebble.directory, "--accept-tos", "--email", "acme@example.cz",
         "--path", str(tmp_path / "lego"), "--dns", "exec", "--dns.resolvers", dns, "--dns.disable-cp",
         *[arg for d in DOMAINS for arg in ("--domains", d)], "run"],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    check_certificate(tmp_path / "lego" / "certificates" / "example.cz.crt", pebble.root(), emulator)


def test_certbot_manual_hooks(emulator: Emulator, pebble: Pebble, tmp_path: Path) -> None:
    dns = emulator.dns
    assert dns is not None
    env = account_env(emulator, tmp_path)
    env["REQUESTS_CA_BUNDLE"] = str(pebble.tls_cert)
    dirs = {name: tmp_path / name for name in ("config", "work", "logs")}
    run = subprocess.run(
        [TOOLS["certbot"], "certonly", "--non-interactive", "--agree-tos", "--register-unsafely-without-email",
         "--server", pebble.directory, "--manual", "--preferred-challenges", "dns",
         "--manual-auth-hook", f"{shlex.quote(HOSTAPI)} wedos acme present --wait --wait-timeout 60 --nameserver {dns}",
         "--manual-cleanup-hook", f"{shlex.quote(HOSTAPI)} wedos acme cleanup",
         "--config-dir", str(dirs["config"]), "--work-dir", str(dirs["work"]), "--logs-dir", str(dirs["logs"]),
         *[arg for d in DOMAINS for arg in ("-d", d)]],
        env=env, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    check_certificate(dirs["config"] / "live" / "example.cz" / "fullchain.pem", pebble.root(), emulator)


def test_python_acme_library_with_set_txt_wait(emulator: Emulator, pebble: Pebble, tmp_path: Path) -> None:
    """examples/python/acme_dns01.py: certbot's `acme` library as the ACME client, `dns.set_txt(wait=…)` publishing."""
    dns = emulator.dns
    assert dns is not None
    example = Path(__file__).resolve().parents[2] / "examples" / "python" / "acme_dns01.py"
    out = tmp_path / "certs"
    run = subprocess.run(
        [sys.executable, str(example), pebble.directory, *DOMAINS, "--email", "acme@example.cz",
         "--ca-bundle", str(pebble.tls_cert), "--nameserver", dns, "--wait", "60", "--out", str(out)],
        env=account_env(emulator, tmp_path), capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert oct((out / "privkey.pem").stat().st_mode & 0o777) == "0o600"
    check_certificate(out / "fullchain.pem", pebble.root(), emulator)
