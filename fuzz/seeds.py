"""Writes seed inputs for the fuzz targets from the shared test vectors (tests/vectors/): real answers, requests
and notifications, so that the fuzzers start from the shapes the protocols use. Usage: seeds.py OUT_DIR"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VECTORS = ROOT / "tests" / "vectors"


def load(name: str) -> list:
    with open(VECTORS / name, encoding="utf-8") as f:
        return json.load(f)["cases"]


def write(out: Path, target: str, items: list) -> None:
    d = out / target
    d.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(items):
        (d / f"seed-{i:04d}").write_bytes(data)


def main() -> None:
    out = Path(sys.argv[1])
    # Responses: [operation selector][status selector][body]; the fuzzer varies the selectors.
    write(out, "velneo_response", [bytes([i % 256, 0]) + c["body"].encode() for i, c in enumerate(load("velneo/responses.json"))])
    write(out, "wedos_response", [bytes([i % 256, 0]) + c["body"].encode() for i, c in enumerate(load("wedos/responses.json"))])
    write(out, "wedos_notification", [c["body"].encode() for c in load("wedos/notifications.json")])
    # Requests as the clients send them (the harness re-signs them).
    write(out, "emulator_wedos_request", [c["expect"]["body"].encode() for c in load("wedos/requests.json") if "body" in c.get("expect", {})])
    velneo = []
    for c in load("velneo/requests.json"):
        e = c.get("expect", {})
        if "body" in e and "url" in e:
            resource = e["url"].rsplit("/", 1)[1]
            velneo.append(b"\x01" + resource.encode() + b"\n\n" + e["body"].encode())
    write(out, "emulator_velneo_request", velneo)
    # The gateway's bodies as acme-dns clients, lego's httpreq provider and external-dns send them.
    write(out, "gateway_request", [json.dumps(b).encode() for b in [
        {"allowfrom": ["192.0.2.0/24", "2001:db8::/32"]},
        {"subdomain": "8e5700ea-a4bf-41c7-8a77-e990661dcc6a", "txt": "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM"},
        {"fqdn": "_acme-challenge.www.example.cz.", "value": "LHDhK3oGRvkiefQnx7OOczTY5Tic_xZ6HcMOc_gmtoM"},
        {"domain": "*.example.cz", "token": "tok", "keyAuth": "tok.thumbprint"},
        {"create": [{"dnsName": "app.example.cz", "targets": ["192.0.2.9"], "recordType": "A", "recordTTL": 600}],
         "UpdateOld": [], "UpdateNew": [], "delete": None},
    ]])


if __name__ == "__main__":
    main()
