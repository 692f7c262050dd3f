"""The fixtures of the ACME tests: the emulator with its DNS server, and pebble validating against it."""

from __future__ import annotations

from typing import Iterator

import pytest

from hostapi.testing import Emulator

from acmekit import Pebble


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
