"""The hostapi pytest plugin (entry point ``pytest11``), loaded automatically once hostapi is installed.

Fixtures:

* ``hostapi_emulator`` — a :class:`hostapi.testing.Emulator` (one per test session), reset before each test;
* ``velneo_client`` — a :class:`hostapi.velneo.Client` of the Velneo demo account on that emulator, logged out
  after the test;
* ``wedos_client`` — a :class:`hostapi.wedos.Client` of the WEDOS demo account on that emulator.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

import pytest

if TYPE_CHECKING:  # imported lazily: the plugin loads in every pytest run where hostapi is installed
    from hostapi.testing import Emulator
    from hostapi.velneo import Client as VelneoClient
    from hostapi.wedos import Client as WedosClient


@pytest.fixture(scope="session")
def hostapi_emulator_server() -> Iterator[Emulator]:
    """The emulator of the test session (started on first use, stopped at the end)."""
    from hostapi.testing import Emulator

    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def hostapi_emulator(hostapi_emulator_server: Emulator) -> Emulator:
    """The session's emulator, reset to its initial state (demo accounts, no faults, no clock offset)."""
    hostapi_emulator_server.reset()
    return hostapi_emulator_server


@pytest.fixture
def velneo_client(hostapi_emulator: Emulator) -> Iterator[VelneoClient]:
    """A Velneo client of the demo account on the emulator; logs out after the test."""
    with hostapi_emulator.velneo_client() as client:
        yield client


@pytest.fixture
def wedos_client(hostapi_emulator: Emulator) -> Iterator[WedosClient]:
    """A WEDOS client of the demo account on the emulator."""
    with hostapi_emulator.wedos_client() as client:
        yield client
