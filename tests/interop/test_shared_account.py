"""One WEDOS account, one state directory, every front end at once as separate OS processes: Python (threads),
Node (promises) and the `hostapi` command. The account's limits hold across all of them, each notification goes
to exactly one of them, and a bad state directory is reported the same way by each.

Run by `make test-interop` (part of `make test`) with the .venv's pytest, after the wheel and the Node module are
built."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from hostapi.testing import Emulator

ROOT = Path(__file__).resolve().parents[2]
NODE_PKG = ROOT / "node" / "index.cjs"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(NODE is None or not NODE_PKG.exists(), reason="needs Node.js and the built package")


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as e:
        yield e


@pytest.fixture
def state_dir() -> Iterator[Path]:
    d = Path(tempfile.mkdtemp(prefix="hostapi-interop-"))
    try:
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def settings(emu: Emulator, state_dir: Path) -> dict[str, str]:
    return {"user": emu.wedos_user, "password": emu.wedos_password, "url": emu.wedos_url, "state": str(state_dir)}


PY_INVALID = """
import json, sys, threading, hostapi
from hostapi import wedos
s = json.loads(sys.argv[1])
c = wedos.Client(s["user"], s["password"], base_url=s["url"], state_dir=s["state"])
out = []
def one():
    try:
        c.dns.add_row("example.cz", "x", "A", "not-an-ip")
        out.append("ok")
    except hostapi.Error as e:
        out.append(e.error_code)
threads = [threading.Thread(target=one) for _ in range(10)]
for t in threads: t.start()
for t in threads: t.join()
print(json.dumps(out))
"""

NODE_INVALID = """
const { WedosClient } = require(%(pkg)s)
const s = %(settings)s
const c = new WedosClient({ user: s.user, password: s.password, baseUrl: s.url, stateDir: s.state })
Promise.allSettled(Array.from({ length: 10 }, () => c.dns.addRow('example.cz', 'x', 'A', 'not-an-ip')))
  .then((rs) => console.log(JSON.stringify(rs.map((r) => r.status === 'fulfilled' ? 'ok' : r.reason.code))))
"""


def node_script(template: str, s: dict[str, str]) -> list[str]:
    assert NODE is not None
    return [NODE, "-e", template % {"pkg": json.dumps(str(NODE_PKG)), "settings": json.dumps(s)}]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "hostapi", *args]


def cli_env(emu: Emulator, state_dir: Path) -> dict[str, str]:
    return {**os.environ, **emu.env(), "HOSTAPI_STATE_DIR": str(state_dir)}


def codes(emu: Emulator) -> dict[str, int]:
    result: dict[str, int] = emu.state()["wedos"][emu.wedos_user]["codes"]
    return result


def test_thirty_concurrent_invalid_requests_from_three_languages_stop_at_ten(emu: Emulator, state_dir: Path) -> None:
    s = settings(emu, state_dir)
    env = cli_env(emu, state_dir)
    procs = [
        subprocess.Popen([sys.executable, "-c", PY_INVALID, json.dumps(s)], stdout=subprocess.PIPE, text=True,
                         cwd=state_dir),
        subprocess.Popen(node_script(NODE_INVALID, s), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True),
    ]
    procs += [
        subprocess.Popen(cli("wedos", "dns", "add", "example.cz", "--name", "x", "--type", "A", "--rdata", "not-an-ip"),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=state_dir)
        for _ in range(10)
    ]
    outcomes: list[str] = []
    for p in procs[:2]:
        out, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        outcomes += json.loads(out)
    for p in procs[2:]:
        _, err = p.communicate(timeout=120)
        outcomes.append({7: "HOSTAPI_API", 6: "HOSTAPI_RATE_LIMITED"}.get(p.returncode, f"exit {p.returncode}: {err}"))
    c = codes(emu)
    assert c.get("2314") == 10, c
    assert "2052" not in c, c
    assert not any(ip["blocked"] for ip in emu.state()["wedos_ips"].values())
    assert sorted(set(outcomes)) == ["HOSTAPI_API", "HOSTAPI_RATE_LIMITED"], outcomes
    assert outcomes.count("HOSTAPI_API") == 10 and outcomes.count("HOSTAPI_RATE_LIMITED") == 20


PY_DRAIN = """
import json, sys
from hostapi import wedos
s = json.loads(sys.argv[1])
got = []
with wedos.Client(s["user"], s["password"], base_url=s["url"], state_dir=s["state"]) as c:
    while True:
        n = c.notifications.poll()
        if n is None:
            break
        c.notifications.ack(n.id)
        got.append(n.id)
print(json.dumps(got))
"""

NODE_DRAIN = """
const { WedosClient } = require(%(pkg)s)
const s = %(settings)s
const c = new WedosClient({ user: s.user, password: s.password, baseUrl: s.url, stateDir: s.state })
;(async () => {
  const got = []
  for (;;) {
    const n = await c.notifications.poll()
    if (n === null) break
    await c.notifications.ack(n.id)
    got.push(n.id)
  }
  console.log(JSON.stringify(got))
})()
"""


def test_poll_and_ack_from_three_processes_hand_each_notification_out_once(emu: Emulator, state_dir: Path) -> None:
    for i in range(1, 31):
        emu.queue_wedos_notification({"ID": i, "code": 1000, "result": "OK", "command": "domain-renew",
                                      "svTRID": f"sv-{i}"})
    s = settings(emu, state_dir)
    procs = [subprocess.Popen([sys.executable, "-c", PY_DRAIN, json.dumps(s)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, cwd=state_dir) for _ in range(2)]
    procs.append(subprocess.Popen(node_script(NODE_DRAIN, s), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True))
    handed: list[str] = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        handed += json.loads(out)
    assert sorted(handed, key=int) == [str(i) for i in range(1, 31)], "each exactly once, none lost"
    c = codes(emu)
    assert "2151" not in c, c


def run_each(emu: Emulator, state_dir: Path, timeout: float = 30) -> dict[str, tuple[int, str, float]]:
    """A ping from each front end on `state_dir`: exit status, what it said, and how long it took."""
    s = settings(emu, state_dir)
    py = ("import json, sys, hostapi\nfrom hostapi import wedos\ns = json.loads(sys.argv[1])\ntry:\n"
          "    wedos.Client(s['user'], s['password'], base_url=s['url'], state_dir=s['state']).ping()\n"
          "    print('ok')\nexcept hostapi.Error as e:\n    print(e.error_code, e)\n")
    node = ("const { WedosClient } = require(%(pkg)s)\nconst s = %(settings)s\n"
            ";(async () => new WedosClient({ user: s.user, password: s.password, baseUrl: s.url, stateDir: s.state })"
            ".ping())().then(() => console.log('ok'), (e) => console.log(e.code, e.message))\n")
    commands = {
        "python": [sys.executable, "-c", py, json.dumps(s)],
        "node": node_script(node, s),
        "cli": cli("wedos", "ping"),
    }
    out: dict[str, tuple[int, str, float]] = {}
    for name, argv in commands.items():
        started = time.monotonic()
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=cli_env(emu, state_dir),
                           cwd=tempfile.gettempdir())
        out[name] = (r.returncode, (r.stdout + r.stderr).strip(), time.monotonic() - started)
    return out


def the_state_file(emu: Emulator, state_dir: Path) -> Path:
    with emu.wedos_client(state_dir=str(state_dir)) as c:
        c.ping()
        assert c.state_file is not None
        return Path(c.state_file)


def test_a_truncated_state_file_keeps_the_guard_and_every_front_end_says_so(emu: Emulator, state_dir: Path) -> None:
    path = the_state_file(emu, state_dir)
    path.write_bytes(path.read_bytes()[:10])
    sent_before = sum(codes(emu).values())
    for name, (status, said, _) in run_each(emu, state_dir).items():
        assert "cannot be read" in said and str(path) in said and "guard reset" in said, (name, said)
        assert "HOSTAPI_RATE_LIMITED" in said or status == 6, (name, status, said)
    assert sum(codes(emu).values()) == sent_before, "nothing was sent"
    reset = subprocess.run(cli("wedos", "guard", "reset"), capture_output=True, text=True,
                           env=cli_env(emu, state_dir), timeout=30)
    assert reset.returncode == 0, reset.stderr
    after = run_each(emu, state_dir)
    assert all(status == 0 for status, _, _ in after.values()), after


def test_a_fifo_in_place_of_the_state_file_fails_at_once_everywhere(emu: Emulator, state_dir: Path) -> None:
    path = the_state_file(emu, state_dir)
    path.unlink()
    os.mkfifo(path, 0o600)
    for name, (_, said, took) in run_each(emu, state_dir).items():
        assert "a FIFO" in said and str(path) in said, (name, said)
        assert took < 5, (name, took)  # a process start included; the refusal itself is immediate


def test_a_state_directory_others_may_write_is_refused_and_its_planted_notification_never_handed_out(
    emu: Emulator, state_dir: Path
) -> None:
    path = the_state_file(emu, state_dir)
    spool = Path(str(path).replace(".guard", ".spool.json"))
    planted = {"generation": 0, "queue": [{"notify": {"ID": "666", "code": 1000, "result": "OK", "svTRID": "forged"},
                                           "fp": "f"}], "handed": []}
    spool.write_text(json.dumps(planted))
    os.chmod(spool, 0o600)
    os.chmod(state_dir, 0o777)
    for name, (_, said, _) in run_each(emu, state_dir).items():
        assert "writable by other users" in said and "forged" not in said, (name, said)
    watch = subprocess.run(cli("wedos", "notifications", "watch", "--once", "--json"), capture_output=True,
                           text=True, env=cli_env(emu, state_dir), timeout=30)
    assert watch.returncode != 0 and "forged" not in watch.stdout
    os.chmod(state_dir, stat.S_IRWXU)


def drain_with_the_command(env: dict[str, str], want: int) -> list[Any]:
    """`hostapi wedos notifications watch --once --json` until `want` notifications came (they arrive late)."""
    got: list[Any] = []
    deadline = time.monotonic() + 15
    while len(got) < want and time.monotonic() < deadline:
        r = subprocess.run(cli("wedos", "notifications", "watch", "--once", "--json"), capture_output=True, text=True,
                           env=env, timeout=30)
        assert r.returncode == 0, r.stderr
        got += [json.loads(line) for line in r.stdout.splitlines() if line.strip()]
        if len(got) < want:
            time.sleep(0.2)
    return got


def test_a_restarted_server_reusing_ids_loses_no_notification_across_processes(state_dir: Path) -> None:
    with Emulator() as first:
        port = int(first.url.rsplit(":", 1)[1])
        env = cli_env(first, state_dir)
        with first.wedos_client(state_dir=str(state_dir), poll_interval=0.05) as c:
            for _ in range(4):
                c.ping_async()
            c.ping_async(wait=10)  # keeps the others it meets on the way
        old = drain_with_the_command(env, 4)
        assert sorted(n["id"] for n in old) == ["1", "2", "3", "4"], old
    # The same server (host and port: the same account state), restarted: its ids start again at 1.
    with Emulator(port=port) as second:
        env = cli_env(second, state_dir)
        with second.wedos_client(state_dir=str(state_dir), poll_interval=0.05) as c:
            assert c.ping_async(wait=10).code == 1000
        for _ in range(3):
            r = subprocess.run(cli("wedos", "ping-async"), capture_output=True, text=True, env=env, timeout=30)
            assert r.returncode == 0, r.stderr
        new = drain_with_the_command(env, 3)
        assert sorted(n["id"] for n in new) == ["2", "3", "4"], new
