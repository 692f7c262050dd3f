"""One WEDOS account across machines through a real Redis: every "machine" is a process with its own state
directory (HOSTAPI_STATE_DIR, XDG_STATE_HOME) sharing only the Redis URL — Python, Node, C and the `hostapi`
command. The account's limits hold across them, a notification goes to one of them, a Redis that fails is an
explicit error naming the store (nothing is sent to WEDOS), and its password never shows.

Run by `make test-interop` (part of `make test`), which installs redis-server when it is missing."""

from __future__ import annotations

import json
import os
import shutil
import socket
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
C_PREFIX = ROOT / "target" / "c" / "prefix"
REDIS = shutil.which("redis-server")

pytestmark = pytest.mark.skipif(REDIS is None, reason="make test installs redis-server")


class Redis:
    """redis-server on a free loopback port, with a password, without persistence."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="hostapi-redis-")
        self.password = "pw-" + os.urandom(8).hex()
        self.proc: "subprocess.Popen[bytes] | None" = None
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.start()

    def start(self) -> None:
        assert REDIS is not None
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--requirepass", self.password, "--dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    @property
    def shown(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def redis() -> Iterator[Redis]:
    r = Redis()
    try:
        yield r
    finally:
        r.stop()
        shutil.rmtree(r.dir, ignore_errors=True)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as e:
        yield e


class Machine:
    """A process environment of its own (state directory, XDG) that shares only the Redis URL."""

    def __init__(self, emu: Emulator, redis: Redis) -> None:
        self.home = tempfile.mkdtemp(prefix="hostapi-machine-")
        os.chmod(self.home, 0o700)
        self.env = {
            **os.environ,
            **emu.env(),
            "HOSTAPI_STATE_DIR": os.path.join(self.home, "state"),
            "XDG_STATE_HOME": os.path.join(self.home, "xdg"),
            "HOSTAPI_STATE_STORE": redis.url,
        }

    def run(self, argv: list[str], env: "dict[str, str] | None" = None) -> "subprocess.CompletedProcess[str]":
        return subprocess.run(argv, capture_output=True, text=True, env={**self.env, **(env or {})}, timeout=120,
                              cwd=self.home)

    def popen(self, argv: list[str]) -> "subprocess.Popen[str]":
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env,
                                cwd=self.home)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "hostapi", *args]


def codes(emu: Emulator) -> dict[str, int]:
    result: dict[str, int] = emu.state()["wedos"][emu.wedos_user]["codes"]
    return result


def test_thirty_cli_runs_with_a_wrong_password_on_three_machines_reach_the_server_three_times(
    emu: Emulator, redis: Redis
) -> None:
    machines = [Machine(emu, redis) for _ in range(3)]
    for m in machines:
        m.env["WEDOS_PASSWORD"] = "wrong"
    runs = [machines[i % 3].popen(cli("wedos", "ping")) for i in range(30)]
    outs = [p.communicate(timeout=120) for p in runs]
    assert all(p.returncode == 4 for p in runs), [o[1] for o in outs]
    c = codes(emu)
    assert c.get("2050", 0) <= 3 and "2052" not in c, c
    assert not any(ip["blocked"] for ip in emu.state()["wedos_ips"].values())
    assert all(redis.password not in err and "wrong" not in err for _, err in outs)


PY_INVALID = """
import json, sys, threading, hostapi
from hostapi import wedos
c = wedos.Client.from_env()
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


def test_three_machines_with_ten_threads_of_invalid_requests_stop_at_ten(emu: Emulator, redis: Redis) -> None:
    machines = [Machine(emu, redis) for _ in range(3)]
    procs = [m.popen([sys.executable, "-c", PY_INVALID]) for m in machines]
    outcomes: list[str] = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        outcomes += json.loads(out)
    c = codes(emu)
    assert c.get("2314") == 10 and "2052" not in c, c
    assert outcomes.count("HOSTAPI_API") == 10 and outcomes.count("HOSTAPI_RATE_LIMITED") == 20, outcomes


PY_NEXT = """
import json
from hostapi import wedos
with wedos.Client.from_env() as c:
    n = c.notifications.next()
    print(json.dumps(None if n is None else n.id))
"""

NODE_NEXT = """
const { WedosClient } = require(%s)
const c = WedosClient.fromEnv()
c.notifications.next().then((n) => console.log(JSON.stringify(n === null ? null : n.id)))
"""


@pytest.mark.skipif(NODE is None or not NODE_PKG.exists(), reason="needs Node.js and the built package")
def test_one_notification_with_readers_on_two_machines_goes_to_one(emu: Emulator, redis: Redis) -> None:
    assert NODE is not None
    for round_ in range(5):
        emu.queue_wedos_notification({"ID": 100 + round_, "code": 1000, "result": "OK", "command": "domain-renew",
                                      "svTRID": f"sv-{round_}"})
        a, b = Machine(emu, redis), Machine(emu, redis)
        procs = [a.popen([sys.executable, "-c", PY_NEXT]), b.popen([NODE, "-e", NODE_NEXT % json.dumps(str(NODE_PKG))])]
        got = []
        for p in procs:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            got.append(json.loads(out))
        assert sorted(got, key=lambda x: (x is not None, str(x))) == [None, str(100 + round_)], got


C_PING = r"""
#include <hostapi.h>
#include <stdio.h>
#include <stdlib.h>
int main(void) {
    char opts[2048];
    snprintf(opts, sizeof opts, "{\"from_env\": true, \"state_store\": \"%s\", \"connect_timeout\": 2}",
             getenv("HOSTAPI_T_STORE"));
    hostapi_wedos_client *c = NULL;
    if (hostapi_wedos_client_new(opts, &c) != HOSTAPI_OK) { printf("new: %s\n", hostapi_last_error_message()); return 3; }
    char *out = NULL;
    hostapi_status s = hostapi_wedos_call(c, "ping", "{}", &out);
    if (s == HOSTAPI_OK) { printf("ok\n"); hostapi_string_free(out); }
    else printf("%d %s\n", (int)s, hostapi_last_error_message());
    hostapi_wedos_client_free(c);
    return s == HOSTAPI_OK ? 0 : 1;
}
"""


def c_program() -> Path | None:
    """The C ping, built against the library `make test-c` installed (None when it is not there)."""
    pc = C_PREFIX / "lib" / "pkgconfig"
    if not pc.exists() or shutil.which("cc") is None:
        return None
    out = Path(tempfile.mkdtemp(prefix="hostapi-c-"))
    (out / "ping.c").write_text(C_PING)
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "hostapi"], capture_output=True, text=True,
                           env={**os.environ, "PKG_CONFIG_PATH": str(pc)}, check=True).stdout.split()
    subprocess.run(["cc", "-o", str(out / "ping"), str(out / "ping.c"), *flags,
                    f"-Wl,-rpath,{C_PREFIX / 'lib'}"], check=True)
    return out / "ping"


def front_ends(redis_url: str) -> dict[str, list[str]]:
    """A ping by each front end, the store from its own setting."""
    py = ("import sys, hostapi\nfrom hostapi import wedos\ntry:\n"
          f"    wedos.Client.from_env(state_store={redis_url!r}, connect_timeout=2).ping()\n    print('ok')\n"
          "except hostapi.Error as e:\n    print(e.error_code, e)\n    print(repr(e))\n")
    ends = {
        "python": [sys.executable, "-c", py],
        "cli": cli("wedos", "--connect-timeout", "2", "ping"),
    }
    if NODE is not None and NODE_PKG.exists():
        node = (f"const {{ WedosClient }} = require({json.dumps(str(NODE_PKG))})\n"
                f";(async () => {{ const c = WedosClient.fromEnv({{ stateStore: {json.dumps(redis_url)}, "
                "connectTimeoutMs: 2000 })\n"
                "  await c.ping(); console.log('ok') })().catch((e) => { console.log(e.code, e.message); "
                "console.log(require('node:util').inspect(e)) })\n")
        ends["node"] = [NODE, "-e", node]
    prog = c_program()
    if prog is not None:
        ends["c"] = [str(prog)]
    return ends


def test_every_front_end_takes_the_setting_and_a_stopped_redis_fails_them_all_explicitly(
    emu: Emulator, redis: Redis
) -> None:
    m = Machine(emu, redis)
    m.env["HOSTAPI_T_STORE"] = redis.url
    ends = front_ends(redis.url)
    assert {"python", "cli"} <= set(ends)
    for name, argv in ends.items():
        r = m.run(argv)
        assert r.returncode == 0, (name, r.stdout, r.stderr)
    status = m.run(cli("wedos", "guard", "status", "--json"))
    st = json.loads(status.stdout)
    assert st["store"] == redis.shown and st["requests_last_hour"] == len(ends), st
    assert redis.password not in status.stdout
    # Redis stops: every front end fails at once, naming the store, never its password; nothing reaches WEDOS.
    redis.stop()
    sent = sum(codes(emu).values())
    for name, argv in ends.items():
        started = time.monotonic()
        r = m.run(argv)
        took = time.monotonic() - started
        said = r.stdout + r.stderr
        assert r.returncode != 0 or "ok" not in r.stdout, (name, said)
        assert redis.shown in said and "nothing was sent" in said, (name, said)
        assert redis.password not in said, (name, said)
        assert took < 8, (name, took)  # the process start and the 2 s connect timeout
    assert sum(codes(emu).values()) == sent


def test_with_the_local_fallback_the_command_goes_on_with_a_warning(emu: Emulator, redis: Redis) -> None:
    m = Machine(emu, redis)
    redis.stop()
    r = m.run(cli("wedos", "--connect-timeout", "2", "--state-store-fallback", "local", "ping"))
    assert r.returncode == 0, r.stderr
    assert "state_store_fallback" in r.stderr and redis.shown in r.stderr, r.stderr
    assert redis.password not in r.stdout + r.stderr


def test_the_redis_password_never_shows_in_logs_or_reprs(emu: Emulator, redis: Redis) -> None:
    m = Machine(emu, redis)
    for argv, extra in ((cli("wedos", "-vv", "ping"), {}), (cli("wedos", "ping"), {"RUST_LOG": "trace"}),
                        (cli("wedos", "guard", "status"), {"RUST_LOG": "trace"})):
        r = m.run(argv, env=extra)
        assert r.returncode == 0, r.stderr
        assert redis.password not in r.stdout + r.stderr, argv
    py = ("from hostapi import wedos\nc = wedos.Client.from_env()\nprint(repr(c))\nprint(c.state_file)\n"
          "import logging; logging.basicConfig(level=logging.DEBUG)\nc.ping()\n")
    r = m.run([sys.executable, "-c", py])
    assert r.returncode == 0, r.stderr
    assert redis.password not in r.stdout + r.stderr
    if NODE is not None and NODE_PKG.exists():
        node = (f"const {{ WedosClient }} = require({json.dumps(str(NODE_PKG))})\n"
                "const c = WedosClient.fromEnv(); console.log(require('node:util').inspect(c, { depth: 5 }))\n"
                "c.ping().then(() => console.log('ok'))\n")
        r = m.run([NODE, "-e", node])
        assert r.returncode == 0 and "ok" in r.stdout, r.stderr
        assert redis.password not in r.stdout + r.stderr
