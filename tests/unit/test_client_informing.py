"""The informer against a scripted fake API (list answers, watch streams, failures) and a fake clock."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client import caching, errors
from rktnetes.client.clock import FakeClock
from rktnetes.client.informing import Informer
from tests.conftest import settle


def _cm(name: str, rv: int, node: str = "") -> dict:
    return {"metadata": {"name": name, "namespace": "ns", "resourceVersion": str(rv)}, "spec": {"nodeName": node}}


class _Stream:
    def __init__(self, script: list) -> None:
        self.script, self.resource_version = script, ""

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc) -> None:
        pass

    def __aiter__(self):
        return self

    async def __anext__(self):
        if not self.script:
            await asyncio.Event().wait()  # an idle, open watch
        step = self.script.pop(0)
        if isinstance(step, BaseException):
            raise step
        if step is StopAsyncIteration:
            raise StopAsyncIteration
        self.resource_version = step[1]["metadata"]["resourceVersion"]
        return step


class FakeApi:
    """Answers LISTs from ``lists`` and WATCHes from ``watches`` in order, recording the calls."""

    def __init__(self, lists: list, watches: list) -> None:
        self.lists, self.watches, self.calls = lists, watches, []

    async def list_all(self, resource, namespace, **selectors):
        self.calls.append(("list", resource, namespace))
        answer = self.lists.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer

    def watch(self, resource, namespace, resource_version, **options):
        self.calls.append(("watch", resource_version))
        return _Stream(self.watches.pop(0) if self.watches else [])


class Recorder:
    def __init__(self) -> None:
        self.events: list = []

    def attach(self, informer: Informer) -> None:
        informer.add_handlers(lambda o: self.events.append(("add", o["metadata"]["name"])),
                              lambda old, new: self.events.append(("update", new["metadata"]["name"])),
                              lambda o: self.events.append(("delete", o["metadata"]["name"])))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


async def test_list_then_watch_feeds_cache_and_handlers(clock: FakeClock) -> None:
    api = FakeApi([([_cm("a", 1, "n1"), _cm("b", 2)], "5")],
                  [[("ADDED", _cm("c", 6)), ("MODIFIED", _cm("a", 7, "n2")), ("BOOKMARK", _cm("", 9)),
                    ("DELETED", _cm("b", 10))]])
    informer = Informer(api, "configmaps", "ns", clock=clock, indexers={"node": caching.by_field("spec.nodeName")})
    recorder = Recorder()
    recorder.attach(informer)
    assert not informer.has_synced
    informer.start()
    await asyncio.wait_for(informer.wait_for_sync(), 1)
    await settle(20)
    await informer.stop()
    assert recorder.events == [("add", "a"), ("add", "b"), ("add", "c"), ("update", "a"), ("delete", "b")]
    assert sorted(informer.cache.list_keys()) == ["ns/a", "ns/c"]
    assert [o["metadata"]["name"] for o in informer.cache.by_index("node", "n2")] == ["a"]
    assert informer.resource_version == "10"
    assert api.calls == [("list", "configmaps", "ns"), ("watch", "5")]


async def test_expired_relists_and_diffs(clock: FakeClock) -> None:
    api = FakeApi([([_cm("a", 1), _cm("b", 2)], "2"), ([_cm("a", 8), _cm("c", 9)], "9")],
                  [[("ADDED", _cm("z", 3)), errors.Expired(410, "Expired", "too old")]])
    informer = Informer(api, "configmaps", "ns", clock=clock)
    recorder = Recorder()
    recorder.attach(informer)
    informer.start()
    await settle(20)
    await informer.stop()
    assert recorder.events == [("add", "a"), ("add", "b"), ("add", "z"),
                               ("update", "a"), ("add", "c"), ("delete", "b"), ("delete", "z")]
    assert informer.lists == 2 and clock.pending == 0
    assert api.calls[-1] == ("watch", "9")


async def test_failures_back_off_on_the_clock_and_resume_the_watch(clock: FakeClock) -> None:
    api = FakeApi([errors.TransportError("refused"), ([_cm("a", 1)], "4")],
                  [[("ADDED", _cm("b", 5)), errors.ServerError(500, "InternalError", "boom")],
                   [("ADDED", _cm("c", 6))]])
    informer = Informer(api, "configmaps", "ns", clock=clock, backoff=1.0, max_backoff=10.0)
    informer.start()
    await settle(20)
    assert not informer.has_synced and clock.pending == 1
    clock.advance(1.3)
    await settle(20)
    assert informer.has_synced and sorted(informer.cache.list_keys()) == ["ns/a", "ns/b"]
    assert api.calls[-1] == ("watch", "4") and clock.pending == 1
    clock.advance(1.3)
    await settle(20)
    await informer.stop()
    assert api.calls[-1] == ("watch", "5"), "after a failure the watch resumes from the last version, no relist"
    assert informer.lists == 1 and sorted(informer.cache.list_keys()) == ["ns/a", "ns/b", "ns/c"]


async def test_watch_end_rewatches_and_late_handlers_see_the_cache(clock: FakeClock) -> None:
    api = FakeApi([([_cm("a", 1)], "1")], [[StopAsyncIteration], [("ADDED", _cm("b", 2))]])
    informer = Informer(api, "configmaps", "ns", clock=clock)
    informer.start()
    await settle(20)
    recorder = Recorder()
    recorder.attach(informer)
    await informer.stop()
    assert [c for c in api.calls if c[0] == "watch"][:2] == [("watch", "1"), ("watch", "1")]
    assert sorted(recorder.events) == [("add", "a"), ("add", "b")]


async def test_a_failing_handler_does_not_stop_the_informer(clock: FakeClock) -> None:
    api = FakeApi([([_cm("a", 1), _cm("b", 2)], "2")], [])
    informer = Informer(api, "configmaps", "ns", clock=clock)
    seen = []
    informer.add_handlers(on_add=lambda o: 1 / 0)
    informer.add_handlers(on_add=lambda o: seen.append(o["metadata"]["name"]))
    informer.start()
    await settle(20)
    await informer.stop()
    assert seen == ["a", "b"] and informer.has_synced


async def test_resync_replays_the_cache_as_updates(clock: FakeClock) -> None:
    api = FakeApi([([_cm("a", 1), _cm("b", 2)], "2")], [])
    informer = Informer(api, "configmaps", "ns", clock=clock, resync=60)
    recorder = Recorder()
    recorder.attach(informer)
    informer.start()
    await settle(20)
    clock.advance(59)
    assert recorder.events == [("add", "a"), ("add", "b")]
    clock.advance(1)
    clock.advance(60)
    assert recorder.events[2:] == [("update", "a"), ("update", "b")] * 2
    await informer.stop()
    assert clock.pending == 0
