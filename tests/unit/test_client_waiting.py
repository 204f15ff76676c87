"""wait_for on the fake API and a fake clock: conditions met now, later, by deletion, or never."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client import errors, waiting
from rktnetes.client.clock import FakeClock
from rktnetes.client.fake import FakeClient
from tests.conftest import settle


def _node(name: str, ready: str) -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name},
            "status": {"conditions": [{"type": "Ready", "status": ready}]}}


def _ready(obj: dict | None) -> bool:
    return obj is not None and any(c["type"] == "Ready" and c["status"] == "True"
                                   for c in obj.get("status", {}).get("conditions", []))


async def test_condition_already_true_returns_at_once() -> None:
    api = FakeClient(_node("n1", "True"))
    node = await waiting.wait_for(api, "nodes", "n1", _ready, clock=FakeClock())
    assert node["metadata"]["name"] == "n1"


async def test_waits_for_a_change_and_for_creation() -> None:
    api = FakeClient(_node("n1", "False"))
    clock = FakeClock()
    waiter = asyncio.create_task(waiting.wait_for(api, "nodes", "n1", _ready, clock=clock))
    creation = asyncio.create_task(waiting.wait_for(api, "nodes", "n2", lambda o: o is not None, clock=clock))
    await settle(20)
    assert not waiter.done() and not creation.done()
    await api.create("nodes", _node("n2", "False"))
    await api.update_status("nodes", {**(await api.get("nodes", "n1")), "status": _node("n1", "True")["status"]})
    assert _ready(await asyncio.wait_for(waiter, 1))
    assert (await asyncio.wait_for(creation, 1))["metadata"]["name"] == "n2"


async def test_deletion_and_timeout() -> None:
    api = FakeClient(_node("n1", "False"))
    clock = FakeClock()
    gone = asyncio.create_task(waiting.wait_for(api, "nodes", "n1", waiting.deleted, clock=clock))
    never = asyncio.create_task(waiting.wait_for(api, "nodes", "n1", _ready, timeout=30, clock=clock))
    await settle(20)
    await api.delete("nodes", "n1")
    assert await asyncio.wait_for(gone, 1) is None
    clock.advance(29)
    await settle(20)
    assert not never.done()
    clock.advance(1)
    with pytest.raises(errors.WaitTimeout, match="within 30s"):
        await asyncio.wait_for(never, 1)


async def test_errors_other_than_expiry_are_raised() -> None:
    api = FakeClient()
    api.fail_next("get", "nodes", errors.Forbidden(403, "Forbidden", "no"))
    with pytest.raises(errors.Forbidden):
        await waiting.wait_for(api, "nodes", "n1", _ready, clock=FakeClock())
