"""`import hostapi` stays light: the API subpackages load on first use, asyncio only for AsyncClient progress."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
import hostapi
loaded = set(sys.modules)
assert "hostapi.velneo" not in loaded and "hostapi.wedos" not in loaded, sorted(m for m in loaded if "hostapi" in m)
assert "asyncio" not in loaded, "asyncio imported by import hostapi"
assert hostapi.velneo.Client.__name__ == "Client" and "hostapi.velneo" in sys.modules
from hostapi import wedos
assert wedos.AsyncClient.__name__ == "AsyncClient"
import hostapi.velneo as v
assert v is hostapi.velneo
try:
    hostapi.nothing
except AttributeError as e:
    assert "nothing" in str(e)
else:
    raise AssertionError("no AttributeError")
print("ok")
"""


def test_import_hostapi_loads_the_api_subpackages_on_first_use(tmp_path: Path) -> None:
    # Run elsewhere than python/, whose source tree (without the native module) would shadow the installed package.
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
