"""A real certificate, offline: pebble (the ACME test CA) validates DNS-01 challenges against the emulator's DNS
server, and lego and certbot get a certificate for example.cz and *.example.cz (two TXT values at one name)
through `hostapi wedos acme present --wait` / `cleanup`.

Each run checks the certificate's names with openssl, that no `_acme-challenge` row is left, and that the
emulator answered no request with a code of 2000 or more. Run by `make test-acme` (part of `make test`), which
installs pebble, lego, certbot and openssl from the distribution's packages when missing."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from hostapi.testing import Emulator

from acmekit import DOMAINS, HOSTAPI, TOOLS, Pebble, account_env, check_certificate

pytestmark = pytest.mark.skipif(
    not all(TOOLS.values()), reason="make test-acme installs pebble, lego, certbot and openssl"
)


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
