"""The fault matrix (``tests/vectors/faults.json``) against the Python package: each misbehaving answer of the
emulator's fault injection gives the expected exception class (or a result), HTTP status, ``retry_after``,
``may_have_applied``, number of requests reaching the server and a bound on the time taken — as in Rust, Node, C
and the command."""

from __future__ import annotations

import time
from typing import Any

import pytest

import hostapi
from hostapi.testing import Emulator

from conftest import load_vectors

DOC = load_vectors("faults.json")


def _call(client: Any, operation: str, args: dict[str, Any]) -> Any:
    target = client
    for part in operation.split("."):
        target = getattr(target, part)
    return target(**args)


@pytest.mark.parametrize("case", DOC["cases"], ids=[c["name"] for c in DOC["cases"]])
def test_fault(case: dict[str, Any]) -> None:
    settings = {**DOC["defaults"]["settings"], **case.get("settings", {})}
    expect = case["expect"]
    with Emulator() as emu:
        if case["api"] == "velneo":
            client: Any = emu.velneo_client(**settings)
            client.login()
        else:
            client = emu.wedos_client(**settings)
        emu.add_fault(**case["fault"])
        before = emu.requests(expect["path"])
        started = time.monotonic()
        error: hostapi.Error | None = None
        try:
            _call(client, case["operation"], case["args"])
        except hostapi.Error as e:
            error = e
        took = time.monotonic() - started
        sent = emu.requests(expect["path"]) - before
        host = emu.url.removeprefix("http://")
        client.close()
    if expect["kind"] is None:
        assert error is None, f"failed: {error!r}"
    else:
        assert error is not None, "succeeded"
        assert error.kind == expect["kind"], repr(error)
        if "http_status" in expect:
            assert error.http_status == expect["http_status"]
        if "retry_after" in expect:
            assert isinstance(error, hostapi.RateLimited) and error.retry_after == expect["retry_after"]
        assert error.may_have_applied == expect.get("may_have_applied", False)
        if error.kind in ("Transport", "Timeout"):
            assert host in str(error) and "attempt" in str(error), str(error)
    assert sent == expect["requests"]
    assert took < expect["max_secs"]
