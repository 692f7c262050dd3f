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


if __name__ == "__main__":
    main()
