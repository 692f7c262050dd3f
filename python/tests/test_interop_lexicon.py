"""A real third-party WAPI client against the emulator: dns-lexicon's WEDOS provider (pinned in
requirements-dev.txt), unmodified except for its endpoint URL, authenticates and creates, lists, updates and deletes
TXT and A records — and the emulator's answer counts show no code of 2000 or more for the whole run.

lexicon computes the auth hour from the local time, so the provider runs in a child process with
TZ=Europe/Prague (the emulator's clock is the real one here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from hostapi.testing import Emulator

pytest.importorskip("lexicon", reason="dns-lexicon is installed by `make test` (python/requirements-dev.txt)")

SCRIPT = r"""
import json, sys
from lexicon.config import ConfigResolver
from lexicon._private.providers.wedos import Provider

url, user, password = sys.argv[1:4]
config = ConfigResolver().with_dict({
    "provider_name": "wedos", "domain": "example.cz", "ttl": 3600,
    "wedos": {"auth_username": user, "auth_pass": password},
})
provider = Provider(config)
provider.api_endpoint = url  # the one change: the emulator instead of api.wedos.com
provider.authenticate()
out = {}
out["created_txt"] = provider.create_record("TXT", "_acme-challenge.example.cz", "token-1")
out["created_again"] = provider.create_record("TXT", "_acme-challenge.example.cz", "token-1")
out["created_a"] = provider.create_record("A", "lexicon.example.cz", "192.0.2.44")
out["txt"] = provider.list_records("TXT", "_acme-challenge.example.cz")
out["a"] = provider.list_records("A", "lexicon.example.cz")
out["updated"] = provider.update_record(out["a"][0]["id"], "A", "lexicon.example.cz", "192.0.2.45")
out["a_after"] = provider.list_records("A", "lexicon.example.cz")
out["deleted_txt"] = provider.delete_record(None, "TXT", "_acme-challenge.example.cz", "token-1")
out["deleted_a"] = provider.delete_record(out["a"][0]["id"])
out["left"] = provider.list_records("TXT", "_acme-challenge.example.cz") + provider.list_records("A", "lexicon.example.cz")
print(json.dumps(out))
"""


def _away_from_the_hour() -> None:
    # lexicon's auth hour is read at each request: keep the run clear of an hour boundary.
    left = 3600 - time.time() % 3600
    if left < 20:
        time.sleep(left + 1)


def test_lexicon_wedos_provider_against_the_emulator() -> None:
    with Emulator() as emu:
        _away_from_the_hour()
        env = {**os.environ, "TZ": "Europe/Prague"}
        proc = subprocess.run(
            [sys.executable, "-c", SCRIPT, emu.wedos_url, emu.wedos_user, emu.wedos_password],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr[-3000:]
        out = json.loads(proc.stdout.strip().splitlines()[-1])
        assert out["created_txt"] and out["created_again"] and out["created_a"]
        assert [r["content"] for r in out["txt"]] == ["token-1"]
        assert [r["content"] for r in out["a"]] == ["192.0.2.44"]
        assert out["updated"] and [r["content"] for r in out["a_after"]] == ["192.0.2.45"]
        assert out["deleted_txt"] and out["deleted_a"] and out["left"] == []
        codes = emu.state()["wedos"][emu.wedos_user]["codes"]
        assert codes and all(int(c) < 2000 for c in codes), codes
        # Every change was committed: nothing is pending.
        zone = emu.state()["wedos"][emu.wedos_user]["zones"]["example.cz"]
        assert not zone["pending"], zone
