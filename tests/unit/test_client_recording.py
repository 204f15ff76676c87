"""Events: written once, repeats folded into a count, failures never raised."""

from __future__ import annotations

from rktnetes.client import errors
from rktnetes.client.fake import FakeClient
from rktnetes.client.recording import WARNING, EventRecorder


def _pod() -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns", "uid": "u-1"},
            "spec": {}}


async def test_first_event_is_created_and_repeats_count_up() -> None:
    api = FakeClient()
    recorder = EventRecorder(api, "test-controller", "node-1")
    first = await recorder.event(_pod(), WARNING, "BackOff", "restarting")
    assert first["involvedObject"] == {"kind": "Pod", "apiVersion": "v1", "name": "p", "namespace": "ns",
                                       "uid": "u-1"}
    assert (first["count"], first["source"], first["metadata"]["namespace"]) == (
        1, {"component": "test-controller", "host": "node-1"}, "ns")
    second = await recorder.event(_pod(), WARNING, "BackOff", "restarting")
    assert second["metadata"]["name"] == first["metadata"]["name"] and second["count"] == 2
    await recorder.event(_pod(), WARNING, "BackOff", "something else")
    assert [a.verb for a in api.actions] == ["create", "patch", "create"]


async def test_a_deleted_event_is_written_again() -> None:
    api = FakeClient()
    recorder = EventRecorder(api, "c")
    first = await recorder.event(_pod(), "Normal", "Started", "ok")
    await api.delete("events", first["metadata"]["name"], "ns")
    again = await recorder.event(_pod(), "Normal", "Started", "ok")
    assert again["count"] == 1 and again["metadata"]["name"] != first["metadata"]["name"]


async def test_failures_are_logged_not_raised(caplog) -> None:
    api = FakeClient()
    api.fail_next("create", "events", errors.ServerError(500, "InternalError", "down"))
    recorder = EventRecorder(api, "c")
    assert await recorder.event(_pod(), "Normal", "Started", "ok") is None
    assert "could not record event" in caplog.text


async def test_emit_from_synchronous_code() -> None:
    api = FakeClient()
    recorder = EventRecorder(api, "c")
    recorder.emit(_pod(), "Normal", "Scheduled", "to node-1")
    await recorder.aclose()
    assert [e["reason"] for e in (await api.list("events"))["items"]] == ["Scheduled"]
