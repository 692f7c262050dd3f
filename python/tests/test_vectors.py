"""Every file of tests/vectors/ (Velneo and WEDOS), checked against hostapi.velneo.protocol and
hostapi.wedos.protocol — the same facts the Rust core's tests check."""

from __future__ import annotations

import urllib.parse
from typing import Any

import pytest

import hostapi
from hostapi import errors
from hostapi.velneo import protocol as vp
from hostapi.wedos import protocol as wp

from conftest import VECTORS, canonical, load_vectors, to_canonical

KIND_CLASSES = {
    "Config": errors.ConfigError,
    "Transport": errors.TransportError,
    "Timeout": errors.Timeout,
    "Protocol": errors.ProtocolError,
    "Authentication": errors.AuthenticationError,
    "RateLimited": errors.RateLimited,
    "VServerCredentials": errors.VServerCredentialsError,
    "Api": errors.ApiError,
}


def check_error(name: str, e: hostapi.Error, expected: dict[str, Any]) -> None:
    cls = KIND_CLASSES[expected["kind"]]
    assert type(e) is cls, f"{name}: {type(e).__name__} {e}"
    assert e.kind == expected["kind"], name
    if "code" in expected:
        assert e.code == expected["code"], f"{name}: {e!r}"
    if "http_status" in expected:
        assert e.http_status == expected["http_status"], f"{name}: {e!r}"
    if "message_contains" in expected:
        assert expected["message_contains"] in e.message, f"{name}: {e.message}"
    assert e.operation.startswith(("velneo", "wedos")), f"{name}: {e.operation}"
    assert str(e).startswith(e.operation + ": "), f"{name}: {e}"


def test_every_vector_file_is_read() -> None:
    files = sorted(p.relative_to(VECTORS).as_posix() for p in VECTORS.rglob("*.json"))
    assert files == [
        "faults.json",  # test_fault_matrix.py
        "velneo/requests.json",
        "velneo/responses.json",
        "velneo/signing.json",
        "wedos/auth.json",
        "wedos/notifications.json",
        "wedos/requests.json",
        "wedos/responses.json",
    ]


# ---- Velneo ----------------------------------------------------------------------------------------------------


def test_velneo_signing() -> None:
    for case in load_vectors("velneo/signing.json")["cases"]:
        assert vp.sign(case["subject"], case["timestamp"], case["api_key"]) == case["signed"], case["name"]


def test_velneo_requests() -> None:
    doc = load_vectors("velneo/requests.json")
    seen = set()
    for case in doc["cases"]:
        name, op, expect = case["name"], case["operation"], case["expect"]
        auth = case["auth"]
        kwargs = dict(
            auth_email=auth.get("email"),
            session=auth.get("session"),
            timestamp=case["timestamp"],
            api_key=doc["api_key"],
            base_url=doc["base_url"],
        )
        if "error" in expect:
            with pytest.raises(hostapi.Error) as info:
                vp.build_request(op, case["args"], **kwargs)
            check_error(name, info.value, expect["error"])
            continue
        req = vp.build_request(op, case["args"], **kwargs)
        seen.add(op)
        assert req.method == expect["method"], name
        assert req.url == expect["url"], name
        assert req.body == expect["body"], name
        fields = urllib.parse.parse_qsl(req.body, keep_blank_values=True)
        assert fields == [("method", expect["verb"]), ("params", expect["params"])], name
        assert req.header_dict["Content-Type"] == expect["content_type"], name
    assert seen == set(vp.operations())


def test_velneo_responses() -> None:
    for case in load_vectors("velneo/responses.json")["cases"]:
        name, expect = case["name"], case["expect"]
        body = case["body"].encode("utf-8")
        if "ok" in expect:
            result = vp.parse_response(case["operation"], case["http_status"], body)
            assert canonical(to_canonical(result)) == canonical(expect["ok"]), name
        else:
            with pytest.raises(hostapi.Error) as info:
                vp.parse_response(case["operation"], case["http_status"], body)
            check_error(name, info.value, expect["error"])


# ---- WEDOS -----------------------------------------------------------------------------------------------------


def test_wedos_auth_and_prague_hour() -> None:
    for case in load_vectors("wedos/auth.json")["cases"]:
        assert f"{wp.prague_hour(case['unix']):02d}" == case["hour"], case["name"]
        assert wp.auth(case["user"], case["password"], case["unix"]) == case["auth"], case["name"]


def test_wedos_requests() -> None:
    doc = load_vectors("wedos/requests.json")
    seen = set()
    for case in doc["cases"]:
        name, op, expect, options = case["name"], case["operation"], case["expect"], case["options"]
        kwargs = dict(
            user=doc["user"],
            password=doc["password"],
            unix=case["unix"],
            base_url=doc["base_url"],
            cltrid=options.get("cltrid"),
            test=options.get("test", False),
        )
        if "error" in expect:
            with pytest.raises(hostapi.Error) as info:
                wp.build_request(op, case["args"], **kwargs)
            check_error(name, info.value, expect["error"])
            continue
        req = wp.build_request(op, case["args"], **kwargs)
        seen.add(op)
        assert req.method == expect["method"], name
        assert req.url == expect["url"], name
        assert req.body == expect["body"], name
        assert urllib.parse.parse_qsl(req.body, keep_blank_values=True) == [("request", expect["document"])], name
        assert req.header_dict["Content-Type"] == expect["content_type"], name
    assert seen == set(wp.operations())


def test_wedos_responses() -> None:
    for case in load_vectors("wedos/responses.json")["cases"]:
        name, expect = case["name"], case["expect"]
        if "ok" in expect:
            result = wp.parse_output(case["operation"], case["http_status"], case["body"], case["args"])
            assert canonical(to_canonical(result)) == canonical(expect["ok"]), name
        else:
            with pytest.raises(hostapi.Error) as info:
                wp.parse_output(case["operation"], case["http_status"], case["body"], case["args"])
            check_error(name, info.value, expect["error"])


def test_wedos_notifications() -> None:
    for case in load_vectors("wedos/notifications.json")["cases"]:
        name, expect = case["name"], case["expect"]
        if "ok" in expect:
            n = wp.parse_notification(case["body"].encode("utf-8"))
            assert canonical(n.to_dict()) == canonical(expect["ok"]), name
        else:
            with pytest.raises(hostapi.Error) as info:
                wp.parse_notification(case["body"].encode("utf-8"))
            e = info.value
            assert type(e) is KIND_CLASSES[expect["error"]["kind"]], name
            assert e.operation == "wedos notification", name


def test_wedos_generic_response_envelope() -> None:
    body = '{"response":{"code":1000,"result":"OK","timestamp":1,"svTRID":"s","command":"ping"}}'
    r = wp.parse_response(200, body, command="ping")
    assert (r.code, r.result, r.svtrid, r.command, r.test) == (1000, "OK", "s", "ping", False)
    with pytest.raises(hostapi.AuthenticationError) as info:
        wp.parse_response(200, '{"response":{"code":2051,"result":"Access not allowed"}}', command="ping")
    assert info.value.operation == "wedos ping" and info.value.code == 2051


def test_protocol_functions_refuse_bad_input_with_config_errors() -> None:
    with pytest.raises(hostapi.ConfigError, match="unknown operation"):
        vp.build_request("users.frobnicate", {}, session="s", timestamp=1, api_key="k")
    with pytest.raises(hostapi.ConfigError) as info:
        vp.build_request("users.put", {"username": "u", "is_supervisor": "yes"}, session="s", timestamp=1, api_key="k")
    assert info.value.operation == "velneo users.put"
    with pytest.raises(hostapi.ConfigError, match="exactly one"):
        vp.build_request("users.get", {"username": "u"}, timestamp=1, api_key="k")
    with pytest.raises(hostapi.ConfigError) as info:
        vp.build_request("users.get", {"username": b"raw bytes"}, session="s", timestamp=1, api_key="k")
    assert info.value.operation == "velneo users.get" and "bytes" in info.value.message
    with pytest.raises(hostapi.ConfigError) as info:
        row = {"domain": "a.cz", "type": "A", "rdata": "x", "ttl": 5}
        wp.build_request("dns.add_row", row, user="u", password="p", unix=1)
    assert info.value.operation == "wedos dns-row-add" and "ttl" in info.value.message
    with pytest.raises(hostapi.ConfigError):
        wp.prague_hour(10**18)
