"""What a new user tripped on: records through dataclasses.asdict, the exception hierarchy, warnings for
dangerous settings, and messages that say the cause."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import warnings

import pytest

import hostapi
from hostapi import velneo, wedos
from hostapi.testing import Emulator


def test_records_work_with_asdict_deepcopy_and_pickle(velneo_client: velneo.Client) -> None:
    status = velneo_client.vserver.status()
    d = dataclasses.asdict(status)
    assert d["status"] == "running" and isinstance(d["raw"], dict)
    assert copy.deepcopy(status) == status
    assert pickle.loads(pickle.dumps(status)) == status
    with pytest.raises(TypeError):
        status.raw["status"] = "x"  # type: ignore[index]
    users = [dataclasses.asdict(u) for u in velneo_client.users.list()]
    assert users and all(isinstance(u["raw"], dict) for u in users)


def test_errors_subclass_the_builtin_kinds() -> None:
    assert issubclass(hostapi.TransportError, ConnectionError)
    assert issubclass(hostapi.Timeout, TimeoutError)
    with pytest.raises(ConnectionError):
        velneo.Client("a@b.c", "k", base_url="http://127.0.0.1:9", retries=0).vserver.status()


def test_verify_false_warns_once(hostapi_emulator: Emulator) -> None:
    import hostapi.errors as errors

    errors._warned_insecure = False
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hostapi_emulator.velneo_client(verify=False).close()
        hostapi_emulator.wedos_client(verify=False).close()
    insecure = [w for w in caught if issubclass(w.category, hostapi.errors.InsecureTLSWarning)]
    assert len(insecure) == 1 and "verify=False" in str(insecure[0].message)
    assert insecure[0].filename == __file__ or "testing" in insecure[0].filename


def test_an_emulator_on_a_public_address_warns() -> None:
    with pytest.warns(UserWarning, match="demo credentials"):
        emu = Emulator(host="0.0.0.0")
    emu.stop()


def test_messages_say_the_cause(velneo_client: velneo.Client, wedos_client: wedos.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(hostapi.ConfigError) as info:
        velneo.Client("a@b.c", None)  # type: ignore[arg-type]
    assert "from_env" in info.value.message, info.value.message
    monkeypatch.setenv("VELNEO_BASE_URL", "")
    monkeypatch.setenv("VELNEO_EMAIL", "a@b.c")
    monkeypatch.setenv("VELNEO_API_KEY", "k")
    with pytest.raises(hostapi.ConfigError, match="VELNEO_BASE_URL is set but empty"):
        velneo.Client.from_env()
    velneo_client.vserver.set_credentials("nobody", "x")
    with pytest.raises(hostapi.VServerCredentialsError) as vinfo:
        velneo_client.groups.list()
    assert "not the API key" in vinfo.value.message, vinfo.value.message
    with pytest.raises(hostapi.ApiError) as ainfo:
        wedos_client.call("no-such-command")
    text = ainfo.value.message.lower()
    assert text.count("unknown command") == 1, ainfo.value.message


def test_help_shows_the_handles_and_their_methods() -> None:
    import pydoc

    text = pydoc.render_doc(velneo.Client, renderer=pydoc.plaintext)
    assert "vserver" in text and "wait_for_state(state)" in text and "put(name)" in text
    text = pydoc.render_doc(wedos.AsyncClient, renderer=pydoc.plaintext)
    assert "set_txt(fqdn, value)" in text


def test_unknown_states_and_wrong_passwords_say_so_at_once(hostapi_emulator: Emulator) -> None:
    import time

    with hostapi_emulator.velneo_client() as c:
        started = time.monotonic()
        with pytest.raises(hostapi.ConfigError, match="running"):
            c.vserver.wait_for_state("runing")  # type: ignore[arg-type]
        assert time.monotonic() - started < 2
    w = wedos.Client(hostapi_emulator.wedos_user, "wrong-password", base_url=hostapi_emulator.wedos_url)
    with pytest.raises(hostapi.AuthenticationError) as info:
        w.ping()
    message = info.value.message
    assert "WAPI password" in message and "clock" in message and "wrong-password" not in message, message
