"""``make bench``: every front end of hostapi against what its users would write instead, as ratios measured in one
run on this machine. Not part of ``make test``.

Each figure pairs a contender (hostapi) with a baseline (a careful hand-written client, a bare HTTP stack, a
minimal server), run one after the other in each round — their order alternating — against the same emulator, so
that load from elsewhere hits both alike. A figure's ratio is the median of its rounds' ratios. Prints one table
(figure, hostapi, baseline, ratio, goal, met?) and writes it as JSON to ``target/bench/bench.json``.

    python bench/bench.py [--rounds 3] [--secs 1.5] [--rss-calls 100000]

Needs the release builds ``make bench`` makes first: the command (the emulator), the bench binary, the Python
wheel installed in .venv, the Node package and the C worker.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target")
OUT = TARGET / "bench"
HOSTAPI = TARGET / "release" / "hostapi"
RUST = TARGET / "release" / "hostapi-bench"
C_WORKER = OUT / "c_worker"
PY = sys.executable
EMAIL, API_KEY = "ejemplo@gmail.com", "NyraFY6GMz8lu1fameMdrH0V"


def run_json(cmd: List[str], timeout: float = 300, env: Optional[Dict[str, str]] = None) -> Dict[str, float]:
    """Runs one measuring process (with `env` added to the environment) and returns the JSON line it printed last."""
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       env=None if env is None else {**os.environ, **env})
    if p.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-2000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


class Server:
    """A server process that prints its URL first and serves until its stdin closes (or it is terminated)."""

    def __init__(self, cmd: List[str], pattern: str) -> None:
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            m = re.search(pattern, line)
            if m:
                self.url = m.group(1)
                break
        else:
            raise SystemExit(f"bench: {cmd[0]} did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@dataclass
class Figure:
    name: str
    unit: str
    # How each side's value is read from a measurement: calls/s, seconds per call, CPU seconds per call, …
    higher_is_better: bool
    goal: Optional[float] = None
    contender: List[float] = field(default_factory=list)
    baseline: List[float] = field(default_factory=list)
    ratios: List[float] = field(default_factory=list)
    note: str = ""

    def add(self, contender: float, baseline: float) -> None:
        self.contender.append(contender)
        self.baseline.append(baseline)
        self.ratios.append(contender / baseline if baseline else float("nan"))

    def row(self) -> Dict[str, object]:
        ratio = statistics.median(self.ratios) if self.ratios else None
        met: Optional[bool] = None
        if self.goal is not None and ratio is not None:
            met = ratio >= self.goal if self.higher_is_better else ratio <= self.goal
        return {
            "figure": self.name,
            "unit": self.unit,
            "hostapi": statistics.median(self.contender) if self.contender else None,
            "baseline": statistics.median(self.baseline) if self.baseline else None,
            "ratio": ratio,
            "ratios": self.ratios,
            "goal": None if self.goal is None else (">= " if self.higher_is_better else "<= ") + f"{self.goal:g}",
            "met": met,
            "note": self.note,
        }


def rate(m: Dict[str, float]) -> float:
    return m["calls"] / m["secs"]


def us_per_call(m: Dict[str, float]) -> float:
    return m["secs"] / m["calls"] * 1e6


def cpu_us_per_call(m: Dict[str, float]) -> float:
    return m["cpu"] / m["calls"] * 1e6


def signed_status_body(velneo_url: str) -> bytes:
    """A signed `vserver.status` form body (valid for the emulator's timestamp window) for the load generator."""

    def form(method: str, params: Dict[str, object]) -> bytes:
        return urllib.parse.urlencode({"method": method, "params": json.dumps(params)}).encode()

    ts = int(time.time())
    login = form("POST", {"email": EMAIL, "timestamp": ts, "signed": hashlib.sha1(f"{EMAIL}{ts}{API_KEY}".encode()).hexdigest()})
    with urllib.request.urlopen(urllib.request.Request(f"{velneo_url}/session", data=login)) as r:
        session = json.load(r)["session"]
    ts = int(time.time())
    return form("GET", {"session": session, "timestamp": ts, "signed": hashlib.sha1(f"{session}{ts}{API_KEY}".encode()).hexdigest()})


def wrk(url: str, lua: Path, secs: float) -> Tuple[float, float]:
    """Requests/s and the 99th percentile latency (ms) of `wrk` (1 thread, 16 connections) against `url`."""
    p = subprocess.run(
        ["wrk", "-t1", "-c16", f"-d{max(1, round(secs))}s", "--latency", "-s", str(lua), url],
        capture_output=True, text=True, timeout=120,
    )
    if p.returncode != 0:
        raise SystemExit(f"bench: wrk failed: {p.stderr}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", p.stdout).group(1))  # type: ignore[union-attr]
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", p.stdout)
    assert m, p.stdout
    p99 = float(m.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[m.group(2)]
    if "Non-2xx" in p.stdout:
        raise SystemExit(f"bench: wrk saw error answers:\n{p.stdout}")
    return rps, p99


class RedisServer:
    """redis-server on a free loopback port, with a password, without persistence, for the Redis store's row."""

    def __init__(self) -> None:
        import secrets
        import socket

        self.password = secrets.token_hex(8)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--requirepass", self.password],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(250):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.02)
        self.url = f"redis://:{self.password}@127.0.0.1:{port}/0"

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def process_secs(cmd: List[str], reps: int = 7) -> float:
    """The median wall time of running `cmd` to the end."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--secs", type=float, default=1.5, help="measured seconds of each run")
    ap.add_argument("--rss-calls", type=int, default=100_000)
    a = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    started = time.time()

    emu = Server([str(HOSTAPI), "emulator", "--port", "0", "--config", str(ROOT / "bench" / "emulator.json")], r"listening on (\S+)")
    velneo, wedos = emu.url + "/v1", emu.url + "/wapi/json"
    secs = str(a.secs)
    F = Figure
    figs = {
        "py_sync": F("Python sync, sequential Velneo vserver.status vs requests.Session", "calls/s", True, 4.0),
        "py_async": F("Python async, 64 in flight vs aiohttp", "calls/s", True, 2.0),
        "py_httpx": F("Python async, 64 in flight vs httpx", "calls/s", True),
        "py_threads": F("Python, 8 threads sharing one client vs 8 threads with requests", "calls/s", True),
        "py_cpu": F("Python sync CPU per call vs the Rust core's (sequential)", "µs CPU/call", False, 1.3),
        "node": F("Node, 64 in flight vs fetch (undici)", "calls/s", True, 1.5),
        "node_undici": F("Node, 64 in flight vs undici.request (pinned)", "calls/s", True, 1.5),
        "node_cpu": F("Node CPU per call vs the Rust core's (64 in flight)", "µs CPU/call", False, 1.3),
        "c": F("C blocking client vs hand-written libcurl, time per call", "µs/call", False, 1.1),
        "c_cpu": F("C CPU per call vs the Rust core's (sequential)", "µs CPU/call", False),
        "rust_v1": F("Rust core vs bare reqwest, Velneo, sequential", "calls/s", True, 0.95),
        "rust_w1": F("Rust core vs bare reqwest, WEDOS, sequential", "calls/s", True, 0.95),
        "rust_v64": F("Rust core vs bare reqwest, Velneo, 64 concurrent", "calls/s", True, 0.9),
        "rust_w64": F("Rust core vs bare reqwest, WEDOS, 64 concurrent", "calls/s", True, 0.9),
        "allocs_v": F("Allocations per call, Rust core vs bare reqwest, Velneo", "allocs/call", False, 1.5),
        "allocs_w": F("Allocations per call, Rust core vs bare reqwest, WEDOS", "allocs/call", False, 1.5),
        "w_file": F("WEDOS call, default file store vs :memory:, sequential", "calls/s", True, 0.8),
        "w_redis": F("WEDOS call through the Redis store (loopback) vs :memory:, sequential", "calls/s", True, 0.5),
    }
    redis = RedisServer() if shutil.which("redis-server") else None
    node = shutil.which("node")
    try:
        for r in range(a.rounds):
            def pair(key: str, contender: List[str], baseline: List[str], value: Callable[[Dict[str, float]], float]) -> Tuple[Dict[str, float], Dict[str, float]]:
                runs = [contender, baseline] if r % 2 == 0 else [baseline, contender]
                got = [run_json(c) for c in runs]
                mc, mb = (got[0], got[1]) if r % 2 == 0 else (got[1], got[0])
                figs[key].add(value(mc), value(mb))
                return mc, mb

            print(f"round {r + 1}/{a.rounds} …", file=sys.stderr, flush=True)
            rv1, bv1 = pair("rust_v1", [str(RUST), "calls", "velneo", velneo, "core", "1", secs], [str(RUST), "calls", "velneo", velneo, "reqwest", "1", secs], rate)
            rw1, bw1 = pair("rust_w1", [str(RUST), "calls", "wedos", wedos, "core", "1", secs], [str(RUST), "calls", "wedos", wedos, "reqwest", "1", secs], rate)
            # Counted by the bench binary's allocator after each timed run (2,000 sequential calls).
            figs["allocs_v"].add(rv1["allocs"], bv1["allocs"])
            figs["allocs_w"].add(rw1["allocs"], bw1["allocs"])
            rv64, _ = pair("rust_v64", [str(RUST), "calls", "velneo", velneo, "core", "64", secs], [str(RUST), "calls", "velneo", velneo, "reqwest", "64", secs], rate)
            pair("rust_w64", [str(RUST), "calls", "wedos", wedos, "core", "64", secs], [str(RUST), "calls", "wedos", wedos, "reqwest", "64", secs], rate)
            pair("w_file", [str(RUST), "calls", "wedos", wedos, "core-file", "1", secs], [str(RUST), "calls", "wedos", wedos, "core", "1", secs], rate)
            if redis is not None:
                store = {"HOSTAPI_STATE_STORE": redis.url}
                sides = [[str(RUST), "calls", "wedos", wedos, "core-store", "1", secs], [str(RUST), "calls", "wedos", wedos, "core", "1", secs]]
                got = [run_json(c, env=store) for c in (sides if r % 2 == 0 else sides[::-1])]
                mr, mm = (got[0], got[1]) if r % 2 == 0 else (got[1], got[0])
                figs["w_redis"].add(rate(mr), rate(mm))
            w = str(ROOT / "bench" / "workers.py")
            pair("py_sync", [PY, w, "hostapi-sync", velneo, secs], [PY, w, "requests-sync", velneo, secs], rate)
            # CPU per call, measured back to back (the machine's load moves CPU figures more than ratios of rates).
            pair("py_cpu", [PY, w, "hostapi-sync", velneo, secs], [str(RUST), "calls", "velneo", velneo, "core", "1", secs], cpu_us_per_call)
            pair("py_async", [PY, w, "hostapi-async", velneo, secs], [PY, w, "aiohttp-async", velneo, secs], rate)
            pair("py_httpx", [PY, w, "hostapi-async", velneo, secs], [PY, w, "httpx-async", velneo, secs], rate)
            pair("py_threads", [PY, w, "hostapi-threads", velneo, secs], [PY, w, "requests-threads", velneo, secs], rate)
            if node:
                nw = str(ROOT / "bench" / "node_worker.mjs")
                nh, _ = pair("node", [node, nw, "hostapi", velneo, secs], [node, nw, "fetch", velneo, secs], rate)
                pair("node_undici", [node, nw, "hostapi", velneo, secs], [node, nw, "undici", velneo, secs], rate)
                figs["node_cpu"].add(cpu_us_per_call(nh), cpu_us_per_call(rv64))
            ch, _ = pair("c", [str(C_WORKER), "hostapi", velneo, secs], [str(C_WORKER), "curl", velneo, secs], us_per_call)
            figs["c_cpu"].add(cpu_us_per_call(ch), cpu_us_per_call(rv1))

        # The emulator under a load generator, against a minimal axum server on the same machine.
        emu_rate = F("Emulator throughput under wrk (16 connections) vs a minimal axum handler", "requests/s", True)
        emu_p99 = F("Emulator p99 latency under wrk vs a minimal axum handler", "ms", False)
        if shutil.which("wrk"):
            body = signed_status_body(velneo)
            (OUT / "status.body").write_bytes(body)
            lua = OUT / "post.lua"
            lua.write_text(
                'wrk.method = "POST"\n'
                f'wrk.body = io.open("{OUT / "status.body"}", "rb"):read("*a")\n'
                'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
                'wrk.headers["Accept"] = "application/json"\n'
            )
            axum = Server([str(RUST), "axum"], r"^(http://\S+)")
            try:
                for r in range(a.rounds):
                    sides = [(velneo + "/vserver"), (axum.url + "/v1/vserver")]
                    got = {s: wrk(s, lua, max(2.0, a.secs)) for s in (sides if r % 2 == 0 else sides[::-1])}
                    (er, ep), (br, bp) = got[sides[0]], got[sides[1]]
                    emu_rate.add(er, br)
                    emu_p99.add(ep, bp)
            finally:
                axum.stop()
        else:
            emu_rate.note = emu_p99.note = "wrk not installed"

        # Import times, sizes, memory.
        imp = F("import hostapi vs import requests (in a fresh interpreter)", "ms", False, 0.3)
        for _ in range(7):
            h = run_json([PY, str(ROOT / "bench" / "workers.py"), "import-hostapi", "-", "0"])["secs"] * 1e3
            q = run_json([PY, str(ROOT / "bench" / "workers.py"), "import-requests", "-", "0"])["secs"] * 1e3
            imp.add(h, q)
        req = F("node -e \"require('hostapi')\" vs an empty node -e (whole process)", "ms", False)
        if node:
            cjs = ROOT / "node" / "index.cjs"
            for _ in range(3):
                req.add(process_secs([node, "-e", f"require({str(cjs)!r})"], 3) * 1e3, process_secs([node, "-e", ""], 3) * 1e3)
        growth = F(f"WEDOS call with the file store after {a.rss_calls:,} calls vs at the start (flat = 1)", "calls/s", True, 0.8)
        g = run_json([str(RUST), "growth", "wedos", wedos, str(a.rss_calls), secs], timeout=900)
        growth.add(g["after"], g["before"])
        growth.note = f"state files {g['file_bytes'] / 1024:.0f} KiB on disk after the run"
        rss = F(f"Python RSS after {a.rss_calls:,} calls vs after 1,000 (flat = 1)", "KiB", False, 1.1)
        m = run_json([PY, str(ROOT / "bench" / "workers.py"), "hostapi-rss", velneo, str(a.rss_calls)], timeout=900)
        rss.add(m["rss_kib"], m["rss_1k_kib"])
    finally:
        emu.stop()
        if redis is not None:
            redis.stop()

    sizes = []
    wheels = sorted((TARGET / "python-wheels" / "release").glob("hostapi-*.whl"))
    if wheels:
        sizes.append(("Python wheel (release, stripped)", wheels[-1].stat().st_size))
    dot_node = ROOT / "node" / "native" / "hostapi.node"
    if dot_node.exists():
        sizes.append(("Node native module hostapi.node", dot_node.stat().st_size))
    so = TARGET / "release" / "libhostapi_c.so"
    if so.exists():
        sizes.append(("C shared library libhostapi.so", so.stat().st_size))

    # The size of one call's future in the core (what a task running it carries), in bytes.
    futures = run_json([str(RUST), "sizes"])

    order = ["py_sync", "py_async", "py_httpx", "py_threads", "py_cpu", "node", "node_undici", "node_cpu", "c", "c_cpu",
             "rust_v1", "rust_w1", "rust_v64", "rust_w64", "allocs_v", "allocs_w", "w_file", "w_redis"]
    rows = [figs[k].row() for k in order if figs[k].ratios] + [f.row() for f in (growth, emu_rate, emu_p99, imp, req, rss) if f.ratios]
    doc = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "rounds": a.rounds,
        "secs_per_run": a.secs,
        "figures": rows,
        "sizes_bytes": dict(sizes),
        "future_bytes": futures,
        "duration_secs": round(time.time() - started, 1),
    }
    (OUT / "bench.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print_table(rows, sizes)
    print("Future of one call in the core: " + ", ".join(f"{k} {v:,} bytes" for k, v in futures.items()))
    print(f"\n{len([x for x in rows if x['met'] is True])} of {len([x for x in rows if x['goal']])} goals met; "
          f"written to {OUT / 'bench.json'} ({doc['duration_secs']} s)")


def fmt(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:,.0f}" if v >= 100 else f"{v:,.2f}"
    return str(v)


def print_table(rows: List[Dict[str, object]], sizes: List[Tuple[str, int]]) -> None:
    head = ("figure", "unit", "hostapi", "baseline", "ratio", "goal", "met?")
    lines = [[str(r["figure"]), str(r["unit"]), fmt(r["hostapi"]), fmt(r["baseline"]),
              f"{r['ratio']:.2f}×" if isinstance(r["ratio"], float) else "-", str(r["goal"] or "-"),
              {True: "yes", False: "NO", None: "-"}[r["met"]]] for r in rows]  # type: ignore[index]
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
    print("  ".join(h.ljust(w) for h, w in zip(head, widths)))
    print("  ".join("-" * w for w in widths))
    for l in lines:
        print("  ".join((c.rjust(w) if 2 <= i <= 4 else c.ljust(w)) for i, (c, w) in enumerate(zip(l, widths))))
    for name, size in sizes:
        print(f"{name}: {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
