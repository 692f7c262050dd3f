"""Client settings (from_env, TLS options, wire options) and the user-facing test helpers (Emulator, plugin)."""

from __future__ import annotations

import json
import os
import ssl
import sys
from pathlib import Path

import pytest

import hostapi
from hostapi import velneo, wedos
from hostapi.testing import Emulator, EmulatorError

pytest_plugins = ["pytester"]


def test_the_installed_wheel_is_under_test() -> None:
    package_dir = Path(hostapi.__file__).resolve().parent
    assert "site-packages" in package_dir.parts, package_dir
    assert (package_dir / "py.typed").exists() and (package_dir / "_native.pyi").exists()
    assert hostapi.__version__ == "0.1.0"


def test_from_env(monkeypatch: pytest.MonkeyPatch, hostapi_emulator: Emulator) -> None:
    monkeypatch.setenv("VELNEO_EMAIL", hostapi_emulator.velneo_email)
    monkeypatch.setenv("VELNEO_API_KEY", hostapi_emulator.velneo_api_key)
    monkeypatch.setenv("VELNEO_BASE_URL", hostapi_emulator.velneo_url)
    with velneo.Client.from_env(retries=0) as c:
        assert c.email == hostapi_emulator.velneo_email and c.vserver.status().is_running

    monkeypatch.setenv("WEDOS_USER", hostapi_emulator.wedos_user)
    monkeypatch.setenv("WEDOS_PASSWORD", hostapi_emulator.wedos_password)
    monkeypatch.setenv("WEDOS_BASE_URL", hostapi_emulator.wedos_url)
    with wedos.Client.from_env() as w:
        assert w.ping().code == 1000

    async def amain() -> None:
        async with velneo.AsyncClient.from_env() as ac:
            assert (await ac.vserver.status()).is_running
        async with wedos.AsyncClient.from_env() as aw:
            assert (await aw.ping()).code == 1000

    import asyncio

    asyncio.run(amain())

    monkeypatch.delenv("VELNEO_API_KEY")
    with pytest.raises(hostapi.ConfigError, match="VELNEO_API_KEY"):
        velneo.Client.from_env()
    monkeypatch.delenv("WEDOS_PASSWORD")
    with pytest.raises(hostapi.ConfigError, match="WEDOS_PASSWORD"):
        wedos.Client.from_env()


def test_transport_options(hostapi_emulator: Emulator) -> None:
    bundle = ssl.get_default_verify_paths().cafile
    options: dict[str, object] = {}
    if bundle and os.path.exists(bundle):
        options["ca_bundle"] = bundle
    with hostapi_emulator.velneo_client(
        timeout=5,
        connect_timeout=2,
        retries=1,
        verify=False,
        user_agent="hostapi-tests/1",
        backoff=(0.01, 0.1),
        http_verbs=True,
        **options,
    ) as c:
        assert c.vserver.status().is_running
        assert [g.name for g in c.groups.list()] == ["Administradores"]
    with hostapi_emulator.wedos_client(
        timeout=5, connect_timeout=2, retries=0, verify=False, poll_interval=0.05, hour_boundary_window=1, **options
    ) as w:
        assert w.ping().code == 1000
    assert velneo.DEFAULT_BASE_URL == "https://cloudapi.velneo.com/v1"
    assert wedos.DEFAULT_BASE_URL == "https://api.wedos.com/wapi/json"


def test_emulator_helpers(tmp_path: Path) -> None:
    config = tmp_path / "emulator.json"
    config.write_text(json.dumps({"velneo": {"accounts": [{"email": "me@example.com", "api_key": "k-1"}]}}))
    with Emulator(config) as emu:
        assert emu.health() and emu.running
        assert emu.url.startswith("http://127.0.0.1:") and emu.velneo_url == emu.url + "/v1"
        assert emu.wedos_url == emu.url + "/wapi/json"
        assert "me@example.com" in emu.state()["velneo"]
        with velneo.Client("me@example.com", "k-1", base_url=emu.velneo_url) as c:
            assert c.vserver.status().is_running

            emu.set_clock_offset(3600)  # the emulator now judges our timestamps an hour stale
            assert emu.clock()["offset_secs"] == 3600
            emu.expire_sessions()
            with pytest.raises(hostapi.AuthenticationError):
                c.vserver.status()
            emu.set_clock_offset(0)
            assert c.vserver.status().is_running

            emu.add_fault("/v1/vserver", status=500, times=3)
            assert len(emu.faults()) == 1
            assert emu.clear_faults() == 1
            with pytest.raises(EmulatorError, match="HTTP 400"):
                emu.add_fault("/v1/vserver")  # neither status nor delay
        emu.reset()
        assert emu.state()["velneo"]["me@example.com"]["logins"] == 0
        assert "running" in repr(emu)
    assert not emu.running
    with pytest.raises(EmulatorError, match="stopped"):
        emu.state()
    emu.stop()  # idempotent


def test_plugin_fixtures_in_a_user_project(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_user_code(hostapi_emulator, velneo_client, wedos_client):
            assert velneo_client.vserver.status().is_running
            velneo_client.groups.put("Mine")
            assert wedos_client.ping().code == 1000
            logins = hostapi_emulator.state()["velneo"][hostapi_emulator.velneo_email]["logins"]
            assert logins == 1

        def test_state_was_reset(velneo_client):
            assert [g.name for g in velneo_client.groups.list()] == ["Administradores"]
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def _other_interpreters() -> list[str]:
    """Older and newer CPythons found on this machine (the abi3 wheel must serve them all)."""
    import glob
    import shutil
    import subprocess

    found = []
    for minor in ("3.9", "3.13"):
        candidates = [shutil.which(f"python{minor}")]
        candidates += sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{minor}.*/bin/python{minor}")))
        for path in candidates:
            ok = path and subprocess.run([path, "-c", "import venv"], capture_output=True).returncode == 0
            if ok:
                found.append(str(path))
                break
    return found


@pytest.mark.skipif(not os.environ.get("HOSTAPI_WHEEL"), reason="HOSTAPI_WHEEL (set by `make test-python`) not set")
@pytest.mark.parametrize("interpreter", [sys.executable] + _other_interpreters())
def test_wheel_installs_into_a_new_virtual_environment(tmp_path: Path, interpreter: str) -> None:
    import subprocess

    wheel = os.environ["HOSTAPI_WHEEL"]
    env_dir = tmp_path / "venv"
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    new_venv = [interpreter, "-m", "venv", "--without-pip", str(env_dir)]
    subprocess.run(new_venv, check=True, env=clean_env, timeout=300)
    python = env_dir / "bin" / "python"
    # This environment's pip installs into the new one (no pip bootstrapped there: faster, same result).
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    install = [*pip, "install", "--quiet", "--no-index", "--no-deps", wheel]
    subprocess.run(install, check=True, env=clean_env, timeout=300)
    script = (
        "import hostapi, hostapi.velneo, hostapi.wedos, hostapi.testing, sys\n"
        "assert hostapi.__file__.startswith(sys.prefix), hostapi.__file__\n"
        "with hostapi.testing.Emulator() as emu:\n"
        "    with emu.velneo_client() as c:\n"
        "        print(c.vserver.status().status)\n"
    )
    run = [str(python), "-c", script]
    out = subprocess.run(run, cwd=tmp_path, check=True, capture_output=True, text=True, env=clean_env, timeout=120)
    assert out.stdout.strip() == "running"
    # The command ships in the wheel: a console script, `python -m hostapi`, `python -m hostapi.testing`.
    hostapi_cmd = env_dir / "bin" / "hostapi"
    version = subprocess.run([str(hostapi_cmd), "--version"], capture_output=True, text=True, env=clean_env, cwd=tmp_path, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("hostapi "), version
    helped = subprocess.run([str(python), "-m", "hostapi", "velneo", "--help"], capture_output=True, text=True, env=clean_env, cwd=tmp_path, timeout=60)
    assert helped.returncode == 0 and "vserver" in helped.stdout, helped
    emu_help = [str(python), "-m", "hostapi.testing", "--help"]
    emulated = subprocess.run(emu_help, capture_output=True, text=True, env=clean_env, cwd=tmp_path, timeout=60)
    assert emulated.returncode == 0 and "--port" in emulated.stdout, emulated
    bad = subprocess.run([str(python), "-m", "hostapi", "no-such-command"], capture_output=True, text=True, env=clean_env, cwd=tmp_path, timeout=60)
    assert bad.returncode == 2, bad


@pytest.mark.skipif(not os.environ.get("HOSTAPI_WHEEL"), reason="HOSTAPI_WHEEL (set by `make test-python`) not set")
def test_the_wheel_runs_on_old_linux_and_carries_its_licenses() -> None:
    import zipfile

    wheel = os.path.basename(os.environ["HOSTAPI_WHEEL"])
    assert "manylinux2014_x86_64" in wheel or "manylinux_2_17" in wheel, wheel
    with zipfile.ZipFile(os.environ["HOSTAPI_WHEEL"]) as z:
        names = z.namelist()
        metadata = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert any(n.endswith("LICENSE-MIT") for n in names) and any(n.endswith("LICENSE-APACHE") for n in names), names
    # No made-up project address: the metadata names none until the project has a public home.
    assert "Project-URL" not in metadata, metadata
