"""Probe scheduling and verdicts on the injected clock (probes themselves replaced by a scripted result)."""

from __future__ import annotations

import asyncio

import pytest

from rktnetes.client.clock import FakeClock
from rktnetes.kubelet import prober, probing
from tests.unit.test_kubelet_syncing import FakeRuntime

POD = {"metadata": {"name": "p", "namespace": "ns", "uid": "uid"},
       "spec": {"containers": [{"name": "main", "image": "i",
                                "readinessProbe": {"exec": {"command": ["/bin/true"]}, "periodSeconds": 5,
                                                   "initialDelaySeconds": 0, "failureThreshold": 1},
                                "livenessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 5,
                                                  "failureThreshold": 2}},
                               {"name": "plain", "image": "i"}]}}


def test_thresholds_decide_when_a_verdict_flips():
    verdict = prober.Verdict(passing=True, due=0)
    spec = {"failureThreshold": 3, "successThreshold": 2}
    assert [prober.record(verdict, False, spec) for _ in range(3)] == [False, False, True]
    assert not verdict.passing
    assert [prober.record(verdict, True, spec) for _ in range(2)] == [False, True] and verdict.passing


def test_named_ports():
    container = {"name": "c", "ports": [{"name": "http", "containerPort": 8080}]}
    assert probing.port_number("http", container) == 8080 and probing.port_number(81, container) == 81
    with pytest.raises(ValueError, match="no port named 'grpc'"):
        probing.port_number("grpc", container)


async def test_probes_run_on_their_period_and_changes_queue_the_pod(monkeypatch):
    runtime, clock, changed, results = FakeRuntime(), FakeClock(), [], {"readiness": True, "liveness": False}
    uuid = runtime.add("uid", "ns/p", "running")

    async def scripted(spec, container, netns, enter_argv):
        return results["readiness" if "exec" in spec else "liveness"]
    monkeypatch.setattr(probing, "run", scripted)
    rkt = runtime.by_uuid[uuid]
    watcher = prober.Prober(lambda: [POD], lambda: [rkt], lambda *a: ["true"], changed.append, clock, tick=1.0)
    main, plain = POD["spec"]["containers"]
    assert not watcher.passing(rkt, main, "readiness") and watcher.passing(rkt, main, "liveness")
    assert watcher.passing(rkt, plain, "readiness")  # no probe: passes
    task = asyncio.create_task(watcher.run())
    for _ in range(12):
        await asyncio.sleep(0)
        clock.advance(1.0)
    await asyncio.sleep(0)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert watcher.passing(rkt, main, "readiness") and not watcher.passing(rkt, main, "liveness")
    assert changed == ["ns/p", "ns/p"]  # ready at once; not live after two failures, 5 s apart


async def test_pre_stop_hooks_spend_the_grace_period():
    from rktnetes.kubelet import hooks

    runtime = FakeRuntime()
    rkt = runtime.by_uuid[runtime.add("uid", "ns/p", "running")]
    pod = {"spec": {"containers": [{"name": "a", "lifecycle": {"preStop": {"sleep": {"seconds": 0.3}}}},
                                   {"name": "b", "lifecycle": {"preStop": {"sleep": {"seconds": 0.2}}}}]}}
    left = await hooks.pre_stop(pod, rkt, runtime, grace=1.0)
    assert 0.5 < left < 0.7  # together, not one after the other
    slow = {"spec": {"containers": [{"name": "a", "lifecycle": {"preStop": {"sleep": {"seconds": 5}}}}]}}
    assert await hooks.pre_stop(slow, rkt, runtime, grace=0.2) == 0.0
    assert await hooks.pre_stop({"spec": {"containers": [{"name": "a"}]}}, rkt, runtime, grace=3.0) == 3.0


async def _tick(clock: FakeClock) -> None:
    for _ in range(5):
        await asyncio.sleep(0)
    clock.advance(1.0)
    for _ in range(5):
        await asyncio.sleep(0)


async def test_startup_probe_holds_the_others_back_until_it_passes_and_can_give_up(monkeypatch):
    runtime, clock, changed, ran = FakeRuntime(), FakeClock(), [], []
    rkt = runtime.by_uuid[runtime.add("uid", "ns/p", "running")]
    results = {"startup": [False, False, True], "readiness": [True]}

    async def scripted(spec, container, netns, enter_argv):
        kind = "startup" if spec.get("kind") == "startup" else "readiness"
        ran.append(kind)
        return results[kind].pop(0) if len(results[kind]) > 1 else results[kind][0]
    monkeypatch.setattr(probing, "run", scripted)
    container = {"name": "main", "startupProbe": {"kind": "startup", "periodSeconds": 1, "failureThreshold": 5},
                 "readinessProbe": {"periodSeconds": 1}}
    pod = {"metadata": {"name": "p", "namespace": "ns", "uid": "uid"}, "spec": {"containers": [container]}}
    watcher = prober.Prober(lambda: [pod], lambda: [rkt], lambda *a: ["true"], changed.append, clock, tick=1.0)
    task = asyncio.create_task(watcher.run())
    for _ in range(6):
        await _tick(clock)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert ran[:3] == ["startup"] * 3 and "readiness" in ran[3:] and "startup" not in ran[3:]
    assert watcher.passing(rkt, container, "readiness") and watcher.passing(rkt, container, "liveness")
    stuck = {"name": "main", "startupProbe": {"failureThreshold": 2}}
    for _ in range(2):
        prober.record(watcher._verdict(rkt, "main", "startup", stuck["startupProbe"]), False, stuck["startupProbe"])
    assert watcher.startup_failed(rkt, stuck) and not watcher.passing(rkt, stuck, "liveness")
    assert not watcher.passing(rkt, stuck, "readiness")
