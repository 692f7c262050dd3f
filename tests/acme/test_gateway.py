"""`hostapi wedos gateway` against the emulator: every endpoint of acme-dns, lego's httpreq and the external-dns
webhook, their errors and bad input (refused before anything reaches WEDOS: the emulator counts no answer of
2000 or more), TLS, the rate limit, secrets kept out of the output, SIGTERM; and lego getting certificates from
pebble through the gateway with its `httpreq` and `acme-dns` providers.

Run by `make test-acme` (part of `make test`)."""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import pytest

from hostapi.testing import Emulator

from acmekit import DOMAINS, HOSTAPI, TOOLS, Pebble, account_env, check_certificate

VALUE = "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM"
OTHER = "x" * 43
THIRD = "y" * 43
HTTPREQ_PASSWORD = "httpreq-secret-1"


class Gateway:
    """`hostapi wedos gateway` as a process, on a free loopback port."""

    def __init__(self, emu: Emulator, home: Path, *extra: str) -> None:
        self.home = home
        creds = home / "httpreq.users"
        if not creds.exists():
            creds.write_text(f"# users of lego's httpreq provider\nlego:{HTTPREQ_PASSWORD}\n")
            creds.chmod(0o600)
        self.env = account_env(emu, home)
        self.proc = subprocess.Popen(
            [HOSTAPI, "wedos", "gateway", "--listen", "127.0.0.1:0", "--json",
             "--acme-dns-domain", "acme.example.cz", "--httpreq-credentials", str(creds),
             "--external-dns", "example.cz", *extra],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, self.proc.stderr.read() if self.proc.stderr else ""
        self.info = json.loads(line)
        self.url: str = self.info["url"]

    def request(self, method: str, path: str, body: Any = None, headers: Optional[Dict[str, str]] = None,
                raw: Optional[bytes] = None, context: Any = None) -> Tuple[int, Dict[str, str], bytes]:
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30, context=context) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def json(self, method: str, path: str, body: Any = None, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Any]:
        status, _, data = self.request(method, path, body, headers)
        return status, (json.loads(data) if data.strip().startswith((b"{", b"[")) else data.decode())

    def stop(self) -> Tuple[int, str]:
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=15)
        return self.proc.returncode, err


def basic(user: str, password: str) -> Dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def txt_rows(emu: Emulator, name: str) -> List[str]:
    with emu.wedos_client() as c:
        return sorted(r.rdata for r in c.dns.rows("example.cz") if r.name == name and r.rdtype == "TXT")


def published(emu: Emulator) -> List[Dict[str, Any]]:
    return list(emu.state()["wedos"][emu.wedos_user]["zones"]["example.cz"]["published"])


def invalid_answers(emu: Emulator) -> int:
    codes = emu.state()["wedos"][emu.wedos_user]["codes"]
    return sum(n for code, n in codes.items() if int(code) >= 2000)


@pytest.fixture
def gateway(emulator: Emulator, tmp_path: Path) -> Iterator[Gateway]:
    g = Gateway(emulator, tmp_path)
    yield g
    if g.proc.poll() is None:
        g.stop()


def test_acme_dns_register_update_and_refusals(emulator: Emulator, gateway: Gateway, tmp_path: Path) -> None:
    assert gateway.request("GET", "/health")[0] == 200
    status, reg = gateway.json("POST", "/register")
    assert status == 201, reg
    assert set(reg) == {"username", "password", "fulldomain", "subdomain", "allowfrom"}
    assert reg["fulldomain"] == f"{reg['subdomain']}.acme.example.cz" and reg["allowfrom"] == []
    auth = {"X-Api-User": reg["username"], "X-Api-Key": reg["password"]}
    status, body = gateway.json("POST", "/update", {"subdomain": reg["subdomain"], "txt": VALUE}, auth)
    assert (status, body) == (200, {"txt": VALUE})
    name = f"{reg['subdomain']}.acme"
    assert txt_rows(emulator, name) == [VALUE]
    assert any(r["name"] == name and r["rdata"] == VALUE for r in published(emulator)), "committed"
    # The two most recent values stay (apex + wildcard), an older one goes.
    for value in (OTHER, THIRD):
        assert gateway.json("POST", "/update", {"subdomain": reg["subdomain"], "txt": value}, auth)[0] == 200
    assert txt_rows(emulator, name) == sorted([OTHER, THIRD])

    # goacmedns (cert-manager's acme-dns client) sends Go's field names: SubDomain, Txt.
    assert gateway.json("POST", "/update", {"SubDomain": reg["subdomain"], "Txt": THIRD}, auth)[0] == 200
    wrong = {"X-Api-User": reg["username"], "X-Api-Key": "not-the-key"}
    assert gateway.json("POST", "/update", {"subdomain": reg["subdomain"], "txt": VALUE}, wrong)[0] == 401
    assert gateway.json("POST", "/update", {"subdomain": reg["subdomain"], "txt": VALUE})[0] == 401
    assert gateway.json("POST", "/update", {"subdomain": reg["subdomain"], "txt": "short"}, auth)[0] == 400
    assert gateway.json("POST", "/update", {"subdomain": "someone-else", "txt": VALUE}, auth)[0] == 400
    status, other = gateway.json("POST", "/register", {"allowfrom": ["192.0.2.0/24"]})
    assert status == 201 and other["allowfrom"] == ["192.0.2.0/24"]
    outside = {"X-Api-User": other["username"], "X-Api-Key": other["password"]}
    assert gateway.json("POST", "/update", {"subdomain": other["subdomain"], "txt": VALUE}, outside)[0] == 401
    assert gateway.json("POST", "/register", {"allowfrom": ["not a network"]})[0] == 400

    # Registrations live in the account store: a second gateway on it knows them.
    second = Gateway(emulator, tmp_path)
    try:
        assert second.json("POST", "/update", {"subdomain": reg["subdomain"], "txt": VALUE}, auth)[0] == 200
    finally:
        second.stop()
    state_files = [p for p in (tmp_path / "state").rglob("*") if p.is_file()]
    assert state_files and not any(reg["password"].encode() in p.read_bytes() for p in state_files), \
        "the acme-dns password is stored only as a hash"
    assert invalid_answers(emulator) == 0


def test_httpreq_present_cleanup_raw_and_auth(emulator: Emulator, gateway: Gateway) -> None:
    auth = basic("lego", HTTPREQ_PASSWORD)
    body = {"fqdn": "_acme-challenge.www.example.cz.", "value": VALUE}
    assert gateway.request("POST", "/present", body, auth)[0] == 200
    assert txt_rows(emulator, "_acme-challenge.www") == [VALUE]
    assert any(r["name"] == "_acme-challenge.www" for r in published(emulator)), "committed"
    assert gateway.request("POST", "/present", body, basic("lego", "wrong"))[0] == 401
    assert gateway.request("POST", "/present", body)[0] == 401
    assert gateway.request("POST", "/cleanup", body, auth)[0] == 200
    assert txt_rows(emulator, "_acme-challenge.www") == []
    # lego's RAW mode: the value is the SHA-256 of the key authorization.
    raw = {"domain": "example.cz", "token": "tok", "keyAuth": "tok.thumbprint"}
    assert gateway.request("POST", "/present", raw, auth)[0] == 200
    (value,) = txt_rows(emulator, "_acme-challenge")
    import hashlib
    assert value == base64.urlsafe_b64encode(hashlib.sha256(b"tok.thumbprint").digest()).rstrip(b"=").decode()
    assert gateway.request("POST", "/cleanup", raw, auth)[0] == 200
    assert invalid_answers(emulator) == 0


def test_external_dns_webhook(emulator: Emulator, gateway: Gateway) -> None:
    status, headers, data = gateway.request("GET", "/", headers={"Accept": "application/external.dns.webhook+json;version=1"})
    assert status == 200 and headers["content-type"] == "application/external.dns.webhook+json;version=1"
    assert json.loads(data)["include"] == ["example.cz"]
    assert gateway.request("GET", "/healthz")[0] == 200
    create = {"create": [{"dnsName": "app.example.cz", "targets": ["192.0.2.9", "192.0.2.10"], "recordType": "A",
                          "recordTTL": 600}]}
    assert gateway.request("POST", "/records", create)[0] == 204
    status, records = gateway.json("GET", "/records")
    app = [e for e in records if e["dnsName"] == "app.example.cz"]
    assert status == 200 and len(app) == 1 and sorted(app[0]["targets"]) == ["192.0.2.10", "192.0.2.9"], records
    assert app[0]["recordType"] == "A" and app[0]["recordTTL"] == 600
    assert sorted(r["rdata"] for r in published(emulator) if r["name"] == "app") == ["192.0.2.10", "192.0.2.9"]
    # An update as older releases spell it: one target kept, one replaced (the fewest row changes).
    update = {"UpdateOld": app, "UpdateNew": [{**app[0], "targets": ["192.0.2.9", "192.0.2.11"]}]}
    assert gateway.request("POST", "/records", update)[0] == 204
    assert sorted(r["rdata"] for r in published(emulator) if r["name"] == "app") == ["192.0.2.11", "192.0.2.9"]
    delete = {"delete": [{"dnsName": "app.example.cz", "targets": ["192.0.2.9", "192.0.2.11"], "recordType": "A"}]}
    assert gateway.request("POST", "/records", delete)[0] == 204
    assert not [r for r in published(emulator) if r["name"] == "app"]
    endpoints = [{"dnsName": "x.example.cz", "targets": ["192.0.2.1"], "recordType": "A"}]
    status, adjusted = gateway.json("POST", "/adjustendpoints", endpoints)
    assert status == 200 and adjusted == endpoints
    outside = {"create": [{"dnsName": "app.hostapi-demo.cz", "targets": ["192.0.2.9"], "recordType": "A"}]}
    assert gateway.request("POST", "/records", outside)[0] == 400
    # Targets are checked against their type; a CNAME has one target and never sits at the apex.
    for bad in [{"dnsName": "b.example.cz", "targets": ["not-an-ip"], "recordType": "A"},
                {"dnsName": "b.example.cz", "targets": ["192.0.2.1"], "recordType": "AAAA"},
                {"dnsName": "b.example.cz", "targets": ["mail.example.cz"], "recordType": "MX"},
                {"dnsName": "b.example.cz", "targets": ["x.example.net", "y.example.net"], "recordType": "CNAME"},
                {"dnsName": "example.cz", "targets": ["x.example.net"], "recordType": "CNAME"}]:
        assert gateway.request("POST", "/records", {"create": [bad]})[0] == 400, bad
    # Repeated targets and an endpoint in two lists are one row; a CNAME is written with its final dot.
    twice = {"create": [{"dnsName": "c.example.cz", "targets": ["192.0.2.5", "192.0.2.5"], "recordType": "A"},
                        {"dnsName": "c.example.cz", "targets": ["192.0.2.5"], "recordType": "A"},
                        {"dnsName": "lb.example.cz", "targets": ["lb.example.net"], "recordType": "CNAME"}]}
    assert gateway.request("POST", "/records", twice)[0] == 204
    assert [r["rdata"] for r in published(emulator) if r["name"] == "c"] == ["192.0.2.5"]
    assert [r["rdata"] for r in published(emulator) if r["name"] == "lb"] == ["lb.example.net."]
    status, records = gateway.json("GET", "/records")
    assert [e["targets"] for e in records if e["dnsName"] == "lb.example.cz"] == [["lb.example.net"]]
    assert invalid_answers(emulator) == 0


def test_bad_input_costs_the_account_nothing(emulator: Emulator, gateway: Gateway) -> None:
    auth = basic("lego", HTTPREQ_PASSWORD)
    before = emulator.state()["requests"].get("/wapi/json", 0)
    cases: List[Tuple[str, str, Optional[bytes], Dict[str, str]]] = [
        ("POST", "/present", b"{not json", auth),
        ("POST", "/present", b"[]", auth),
        ("POST", "/present", json.dumps({"fqdn": "_acme-challenge.example.com.", "value": "v"}).encode(), auth),
        ("POST", "/present", json.dumps({"fqdn": "a" * 5000 + ".example.cz", "value": "v"}).encode(), auth),
        ("POST", "/present", json.dumps({"fqdn": "_acme-challenge.example.cz", "value": "v" * 70_000}).encode(), auth),
        ("POST", "/records", b"\x00\xff garbage", {}),
        ("POST", "/records", json.dumps({"create": [{"dnsName": "x" * 5000, "targets": ["1"], "recordType": "A"}]}).encode(), {}),
        ("POST", "/records", json.dumps({"create": [{"dnsName": "a.example.cz", "targets": [], "recordType": "A"}]}).encode(), {}),
        ("POST", "/records", json.dumps({"create": [{"dnsName": "a.example.cz", "targets": ["1"], "recordType": "HINFO"}]}).encode(), {}),
        ("POST", "/update", b"{}", {"X-Api-User": "x" * 5000, "X-Api-Key": "k"}),
        ("POST", "/register", b"{\"allowfrom\": 5}", {}),
        ("POST", "/adjustendpoints", b"{}", {}),
        ("GET", "/" + "a" * 5000, None, {}),
    ]
    for method, path, raw, headers in cases:
        status, _, _ = gateway.request(method, path, raw=raw, headers=headers)
        assert 400 <= status < 500, (path, raw[:80] if raw else None, status)
    assert emulator.state()["requests"].get("/wapi/json", 0) == before, "nothing reached WEDOS"
    assert invalid_answers(emulator) == 0
    assert gateway.request("GET", "/health")[0] == 200, "still serving"


def test_secrets_stay_out_and_sigterm_stops(emulator: Emulator, gateway: Gateway) -> None:
    status, reg = gateway.json("POST", "/register")
    auth = {"X-Api-User": reg["username"], "X-Api-Key": reg["password"]}
    gateway.json("POST", "/update", {"subdomain": reg["subdomain"], "txt": VALUE}, auth)
    gateway.request("POST", "/present", {"fqdn": "_acme-challenge.example.cz", "value": VALUE}, basic("lego", HTTPREQ_PASSWORD))
    gateway.request("POST", "/present", {"fqdn": "_acme-challenge.example.cz", "value": VALUE}, basic("lego", "guess-1"))
    code, err = gateway.stop()
    assert code == 0, err
    for secret in (emulator.wedos_password, HTTPREQ_PASSWORD, reg["password"], "guess-1"):
        assert secret not in err, secret
    assert "POST /update 200" in err and "stopped" in err


def test_rate_limit_tls_and_plain_http_refusal(emulator: Emulator, tmp_path: Path) -> None:
    g = Gateway(emulator, tmp_path)
    try:
        statuses = [g.request("GET", "/health")[0] for _ in range(60)]
        assert 429 in statuses and statuses[0] == 200, statuses
    finally:
        g.stop()
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [TOOLS["openssl"] or "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    tls = Gateway(emulator, tmp_path, "--tls-cert", str(cert), "--tls-key", str(key))
    try:
        assert tls.url.startswith("https://")
        import ssl
        context = ssl.create_default_context(cafile=str(cert))
        assert tls.request("GET", "/health", context=context)[0] == 200
    finally:
        tls.stop()
    refused = subprocess.run(
        [HOSTAPI, "wedos", "gateway", "--listen", "0.0.0.0:0", "--acme-dns-domain", "acme.example.cz"],
        env=account_env(emulator, tmp_path), capture_output=True, text=True, timeout=30,
    )
    assert refused.returncode != 0 and "--insecure-http" in refused.stderr
    refused = subprocess.run(
        [HOSTAPI, "wedos", "gateway", "--listen", "0.0.0.0:0", "--insecure-http", "--external-dns", "example.cz"],
        env=account_env(emulator, tmp_path), capture_output=True, text=True, timeout=30,
    )
    assert refused.returncode != 0 and "loopback" in refused.stderr
    loose = tmp_path / "loose.users"
    loose.write_text("lego:pw\n")
    loose.chmod(0o644)
    refused = subprocess.run(
        [HOSTAPI, "wedos", "gateway", "--listen", "127.0.0.1:0", "--httpreq-credentials", str(loose)],
        env=account_env(emulator, tmp_path), capture_output=True, text=True, timeout=30,
    )
    assert refused.returncode != 0 and "chmod 600" in refused.stderr


@pytest.mark.skipif(not all(TOOLS.values()), reason="make test-acme installs pebble and lego")
def test_lego_through_the_gateway(emulator: Emulator, pebble: Pebble, gateway: Gateway, tmp_path: Path) -> None:
    dns = emulator.dns
    assert dns is not None and TOOLS["lego"] is not None
    lego = [TOOLS["lego"], "--server", pebble.directory, "--accept-tos", "--email", "acme@example.cz",
            "--dns.resolvers", dns, "--dns.disable-cp", *[a for d in DOMAINS for a in ("--domains", d)]]
    base = {**os.environ, "LEGO_CA_CERTIFICATES": str(pebble.tls_cert)}
    # httpreq
    env = {**base, "HTTPREQ_ENDPOINT": gateway.url, "HTTPREQ_USERNAME": "lego", "HTTPREQ_PASSWORD": HTTPREQ_PASSWORD,
           "HTTPREQ_PROPAGATION_TIMEOUT": "30", "HTTPREQ_POLLING_INTERVAL": "1"}
    run = subprocess.run([*lego, "--path", str(tmp_path / "httpreq"), "--dns", "httpreq", "run"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    check_certificate(tmp_path / "httpreq" / "certificates" / "example.cz.crt", pebble.root(), emulator)
    # acme-dns: one registration, _acme-challenge.example.cz a CNAME to its fulldomain (done once, as with any
    # acme-dns), lego's storage file holding the account.
    status, reg = gateway.json("POST", "/register")
    assert status == 201
    with emulator.wedos_client() as c:
        c.dns.add_row("example.cz", "_acme-challenge", "CNAME", reg["fulldomain"] + ".", ttl=300)
        c.dns.commit("example.cz")
    # Debian's lego is built without its acme-dns provider: certbot's manual hook posts each value to /update, as
    # acme-dns's own certbot hook does.
    hook = tmp_path / "acme-dns-auth.sh"
    hook.write_text(
        "#!/bin/sh\n"
        f"exec curl -sf -X POST {gateway.url}/update -H 'X-Api-User: {reg['username']}' "
        f"-H 'X-Api-Key: {reg['password']}' "
        f"-d '{{\"subdomain\": \"{reg['subdomain']}\", \"txt\": \"'\"$CERTBOT_VALIDATION\"'\"}}'\n"
    )
    hook.chmod(0o700)
    dirs = {name: tmp_path / f"certbot-{name}" for name in ("config", "work", "logs")}
    run = subprocess.run(
        [TOOLS["certbot"] or "certbot", "certonly", "--non-interactive", "--agree-tos",
         "--register-unsafely-without-email", "--server", pebble.directory, "--manual", "--preferred-challenges",
         "dns", "--manual-auth-hook", str(hook), "--config-dir", str(dirs["config"]), "--work-dir", str(dirs["work"]),
         "--logs-dir", str(dirs["logs"]), *[a for d in DOMAINS for a in ("-d", d)]],
        env={**os.environ, "REQUESTS_CA_BUNDLE": str(pebble.tls_cert)}, capture_output=True, text=True, timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert sorted(txt_rows(emulator, f"{reg['subdomain']}.acme")) != [], "the values went through acme-dns"
    cert = dirs["config"] / "live" / "example.cz" / "fullchain.pem"
    names = subprocess.run([TOOLS["openssl"] or "openssl", "x509", "-in", str(cert), "-noout", "-ext", "subjectAltName"],
                           check=True, capture_output=True, text=True).stdout
    assert all(f"DNS:{d}" in names for d in DOMAINS), names
    assert invalid_answers(emulator) == 0
