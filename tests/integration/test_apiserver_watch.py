"""WATCH over real HTTPS: chunked JSON lines, selector transitions, bookmarks, 410 Expired after compaction,
Table-shaped events for ``kubectl get -w``."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from tests.fixtures.apiserver import serve
from tests.integration.test_apiserver_rest import call, cm

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fast_server():
    """A server of its own that compacts and bookmarks every half second and keeps events for a second."""
    yield from serve(None, "--compaction-interval", "0.5", "--bookmark-interval", "0.5", "--event-ttl", "1")


def stream(server, path: str, headers: dict | None = None) -> list[dict]:
    resp = server.http().request("GET", server.url + path, headers=headers or {}, preload_content=False,
                                 timeout=30)
    assert resp.status == 200
    lines = [json.loads(line) for line in resp.read().splitlines() if line.strip()]
    resp.release_conn()
    return lines


def _ns(server) -> str:
    name = f"w-{uuid.uuid4().hex[:8]}"
    assert call(server, "POST", "/api/v1/namespaces", {"metadata": {"name": name}})[0] == 201
    return name


def test_selector_transitions(apiserver, namespace) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    code, created = call(apiserver, "POST", base, cm("a"))
    rv = created["metadata"]["resourceVersion"]
    call(apiserver, "PATCH", base + "/a", {"metadata": {"labels": {"app": "y"}}},
         content_type="application/merge-patch+json")
    call(apiserver, "PATCH", base + "/a", {"metadata": {"labels": {"app": "x"}}},
         content_type="application/merge-patch+json")
    call(apiserver, "DELETE", base + "/a")
    events = stream(apiserver, base + f"?watch=1&resourceVersion={rv}&labelSelector=app%3Dx&timeoutSeconds=1")
    assert [e["type"] for e in events] == ["DELETED", "ADDED", "DELETED"]
    assert [e["object"]["metadata"]["labels"]["app"] for e in events] == ["y", "x", "x"]
    revisions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert revisions == sorted(revisions) and revisions[0] > int(rv)


def test_expired_after_compaction(fast_server) -> None:
    ns = _ns(fast_server)
    code, first = call(fast_server, "POST", f"/api/v1/namespaces/{ns}/configmaps", cm("a"))
    rv = first["metadata"]["resourceVersion"]
    path = f"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=1"
    deadline, events = time.monotonic() + 30, []
    while time.monotonic() < deadline:  # the compactor works on its own clock: write until it has passed rv
        call(fast_server, "POST", f"/api/v1/namespaces/{ns}/configmaps", {"metadata": {"generateName": "b-"}})
        events = stream(fast_server, path)
        if events and events[0]["type"] == "ERROR":
            break
    assert len(events) == 1 and events[0]["type"] == "ERROR"
    status = events[0]["object"]
    assert (status["kind"], status["code"], status["reason"]) == ("Status", 410, "Expired")
    assert status["message"].startswith(f"too old resource version: {rv} (")


def test_bookmarks_and_initial_events(fast_server) -> None:
    ns = _ns(fast_server)
    call(fast_server, "POST", f"/api/v1/namespaces/{ns}/configmaps", cm("a"))
    events = stream(fast_server, f"/api/v1/namespaces/{ns}/configmaps?watch=1&allowWatchBookmarks=true"
                                 "&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&timeoutSeconds=2")
    assert events[0]["type"] == "ADDED" and events[0]["object"]["metadata"]["name"] == "a"
    assert events[1]["type"] == "BOOKMARK"
    assert events[1]["object"]["metadata"]["annotations"] == {"k8s.io/initial-events-end": "true"}
    assert events[1]["object"]["kind"] == "ConfigMap"
    assert sum(e["type"] == "BOOKMARK" for e in events) >= 2  # the initial-events-end one and a periodic one


def test_timeout_is_honoured(apiserver, namespace) -> None:
    began = time.monotonic()
    events = stream(apiserver, f"/api/v1/namespaces/{namespace}/configmaps?watch=1&resourceVersion=1"
                               "&timeoutSeconds=1")
    assert events == [] or all(e["type"] != "ERROR" for e in events)
    assert time.monotonic() - began < 5


def test_table_watch(apiserver, namespace) -> None:
    base = f"/api/v1/namespaces/{namespace}/configmaps"
    for name in ("a", "b"):
        call(apiserver, "POST", base, cm(name, k="v"))
    accept = {"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}
    events = stream(apiserver, base + "?watch=1&timeoutSeconds=1", accept)
    assert [e["object"]["kind"] for e in events] == ["Table", "Table"]
    assert [c["name"] for c in events[0]["object"]["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert events[1]["object"]["columnDefinitions"] is None
    assert [e["object"]["rows"][0]["cells"][0] for e in events] == ["a", "b"]


def test_metadata_watch(apiserver, namespace) -> None:
    call(apiserver, "POST", f"/api/v1/namespaces/{namespace}/configmaps", cm("m", k="v"))
    accept = {"Accept": "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io"}
    events = stream(apiserver, f"/api/v1/namespaces/{namespace}/configmaps?watch=1&timeoutSeconds=1", accept)
    assert [(e["type"], e["object"]["kind"]) for e in events] == [("ADDED", "PartialObjectMetadata")]
    assert "data" not in events[0]["object"] and events[0]["object"]["metadata"]["name"] == "m"


def test_events_expire_and_watchers_see_them_go(fast_server) -> None:
    ns = _ns(fast_server)
    event = {"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p", "namespace": ns},
             "reason": "Test", "message": "short-lived", "type": "Normal"}
    code, created = call(fast_server, "POST", f"/api/v1/namespaces/{ns}/events", event)
    assert code == 201
    deadline = time.monotonic() + 30
    while call(fast_server, "GET", f"/api/v1/namespaces/{ns}/events/e")[0] == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert call(fast_server, "GET", f"/api/v1/namespaces/{ns}/events/e")[0] == 404
    assert call(fast_server, "GET", f"/api/v1/namespaces/{ns}/configmaps")[0] == 200


def test_continue_token_expires_with_compaction(fast_server) -> None:
    ns = _ns(fast_server)
    base = f"/api/v1/namespaces/{ns}/configmaps"
    for name in ("a", "b"):
        call(fast_server, "POST", base, cm(name))
    code, page = call(fast_server, "GET", base + "?limit=1")
    token = page["metadata"]["continue"]
    deadline, code, body = time.monotonic() + 30, 200, {}
    while code == 200 and time.monotonic() < deadline:
        call(fast_server, "POST", base, {"metadata": {"generateName": "c-"}})
        time.sleep(0.3)
        code, body = call(fast_server, "GET", base + f"?limit=1&continue={token}")
    assert (code, body.get("reason")) == (410, "Expired")
    assert body["message"].startswith("The provided continue parameter is too old")
