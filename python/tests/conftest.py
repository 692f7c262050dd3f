"""Shared helpers of the hostapi Python tests.

The emulator fixtures (``hostapi_emulator``, ``velneo_client``, ``wedos_client``) come from hostapi's own pytest
plugin, loaded through its ``pytest11`` entry point: these tests use the installed wheel exactly as a user would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"

#: Every secret the tests use: none may appear in a repr, an error message or a log line.
DEMO_SECRETS = ("NyraFY6GMz8lu1fameMdrH0V", "123456")


def load_vectors(name: str) -> dict[str, Any]:
    with open(VECTORS / name, encoding="utf-8") as f:
        doc: dict[str, Any] = json.load(f)
    assert doc["cases"], f"{name} has no cases"
    return doc


def canonical(value: Any) -> str:
    """JSON text for exact comparison (1 != 1.0 != True, key order ignored)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def to_canonical(result: Any) -> Any:
    """A typed result (record, list of records, None) back in the canonical JSON form."""
    if result is None:
        return None
    if isinstance(result, list):
        return [r.to_dict() for r in result]
    return result.to_dict()


@pytest.fixture
def fresh_emulator(hostapi_emulator: Any) -> Any:
    """The session emulator, reset, with its faults cleared again after the test."""
    yield hostapi_emulator
    hostapi_emulator.clear_faults()
