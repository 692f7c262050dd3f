"""The public surface: docstrings on every public name, immutable records, pickling, equality."""

from __future__ import annotations

import dataclasses
import inspect
import pickle
from types import ModuleType

import pytest

import hostapi
import hostapi.errors
import hostapi.testing
import hostapi.testing.pytest_plugin
import hostapi.velneo
import hostapi.velneo.protocol
import hostapi.velneo.records
import hostapi.wedos
import hostapi.wedos.protocol
import hostapi.wedos.records
from hostapi import velneo, wedos

MODULES = [
    hostapi,
    hostapi.errors,
    hostapi.velneo,
    hostapi.velneo.protocol,
    hostapi.velneo.records,
    hostapi.wedos,
    hostapi.wedos.protocol,
    hostapi.wedos.records,
    hostapi.testing,
    hostapi.testing.pytest_plugin,
]


def public_names(module: ModuleType) -> list[str]:
    names = getattr(module, "__all__", None) or [n for n in vars(module) if not n.startswith("_")]
    return [n for n in names if not n.startswith("_")]


def test_every_public_name_has_a_docstring() -> None:
    missing = []
    for module in MODULES:
        if not (module.__doc__ or "").strip():
            missing.append(module.__name__)
        for name in public_names(module):
            obj = getattr(module, name)
            if isinstance(obj, ModuleType) or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if not (obj.__doc__ or "").strip():
                missing.append(f"{module.__name__}.{name}")
            if inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") or dataclasses.is_dataclass(obj) and attr in obj.__dataclass_fields__:
                        continue
                    if callable(member) or isinstance(member, property):
                        if not (getattr(member, "__doc__", None) or "").strip():
                            missing.append(f"{module.__name__}.{name}.{attr}")
    # Resource handles are reached through client attributes.
    for cls in (
        velneo.VServer, velneo.Groups, velneo.Users, velneo.Folders, velneo.AppInstances, velneo.DataInstances,
        velneo.AsyncVServer, velneo.AsyncGroups, velneo.AsyncUsers, velneo.AsyncFolders, velneo.AsyncAppInstances,
        velneo.AsyncDataInstances, wedos.Domains, wedos.Dns, wedos.Notifications, wedos.AsyncDomains,
        wedos.AsyncDns, wedos.AsyncNotifications,
    ):
        for attr, member in vars(cls).items():
            if not attr.startswith("_") and (callable(member) or isinstance(member, property)):
                if not (member.__doc__ or "").strip():
                    missing.append(f"{cls.__qualname__}.{attr}")
    assert missing == []


def test_records_are_immutable_comparable_and_picklable() -> None:
    a = velneo.protocol.parse_response("users.get", 200, b'{"Name": "ana", "grupos": ["G"], "codigo": "3"}')
    b = velneo.protocol.parse_response("users.get", 200, b'{"Name": "ana", "grupos": ["G"], "codigo": 3}')
    assert a.code == 3 and a.groups == ("G",)
    assert a != b  # raw differs ("3" vs 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.name = "bob"  # type: ignore[misc]
    with pytest.raises(TypeError):
        a.raw["Name"] = "bob"  # type: ignore[index]
    assert pickle.loads(pickle.dumps(a)) == a
    ack = velneo.Ack(status_code=200, message=None)
    assert hash(ack) == hash(velneo.Ack(200)) and ack == velneo.Ack(200)
    n = wedos.parse_notification(b'{"notify":{"code":1000,"result":"OK","id":"5","data":{"x":[1,2]}}}')
    assert n.data["x"] == (1, 2) and n.to_dict()["data"] == {"x": [1, 2]}
    assert pickle.loads(pickle.dumps(n)) == n
    err = pickle.loads(pickle.dumps(hostapi.ApiError("velneo x: y", operation="velneo x", message="y", code=403)))
    assert (type(err), err.operation, err.code, str(err)) == (hostapi.ApiError, "velneo x", 403, "velneo x: y")


def test_session_repr_shows_only_a_prefix() -> None:
    s = velneo.protocol.parse_response("session.login", 200, b'{"session": "796bcd1d-30da-433b-a36c-f0cf7737f73f"}')
    assert s.session == "796bcd1d-30da-433b-a36c-f0cf7737f73f"
    assert "30da-433b" not in repr(s) and repr(s).startswith("Session(796bcd1d")
