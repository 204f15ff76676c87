"""The kubelet's runtime on rkt's app-level API, with the real rkt, runc and CNI in a test host: a sandbox
per pod, one container restarted alone (same IP, its neighbour untouched), then everything stopped and gone."""

from __future__ import annotations

import asyncio
import time

import pytest

from rktnetes.kubelet import errors
from rktnetes.kubelet.runtime import Runtime
from tests.fixtures.pods import leftovers

pytestmark = pytest.mark.integration
MAIN = ["busybox", "--exec", "/bin/sh", "--", "-c", "trap 'exit 0' TERM; sleep 60 & wait", "---"]
CRASH = ["busybox", "--exec", "/bin/sh", "--", "-c", "ip -4 -o addr show eth0; exit 3", "---"]


async def _until(check, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while not (found := await check()) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return found


async def _app(runtime: Runtime, uuid: str, name: str):
    return next(a for a in await runtime.apps(uuid) if a.name == name)


async def test_a_container_restarts_alone_in_its_sandbox(pods_dir, testhost):
    before = testhost.snapshot()
    runtime = Runtime(pods_dir, node_netns=str(testhost.path))
    uuid = await runtime.sandbox(["--net=default", "--hostname=web", "--annotation=rktnetes.io/pod-uid=u1"])
    try:
        for name, words in (("main", MAIN), ("crash", CRASH)):
            await runtime.add_app(uuid, name, words)
            await runtime.start_app(uuid, name)
        first = await _until(lambda: _exited(runtime, uuid, "crash"))
        assert first.exit_code == 3
        main = await _app(runtime, uuid, "main")
        assert main.state == "running"
        pod = next(p for p in await runtime.pods() if p.info.uuid == uuid)
        ip = pod.ip
        await runtime.remove_app(uuid, "crash")
        await runtime.add_app(uuid, "crash", [CRASH[0], "--annotation=rktnetes.io/restart-count=1", *CRASH[1:]])
        await runtime.start_app(uuid, "crash")
        second = await _until(lambda: _exited(runtime, uuid, "crash"))
        assert second.exit_code == 3 and second.started_at > first.started_at
        log = (pods_dir / "pods" / "run" / uuid / "apps" / "crash")
        assert f"inet {ip}/" in (log / "log").read_text() and f"inet {ip}/" in (log / "log.previous").read_text()
        assert (await _app(runtime, uuid, "main")).started_at == main.started_at  # untouched
        with pytest.raises(errors.RuntimeFailure, match="already has an app named"):
            await runtime.add_app(uuid, "main", MAIN)
        await runtime.stop_app(uuid, "main", grace=10)
        assert (await _app(runtime, uuid, "main")).exit_code == 0
    finally:
        await runtime.stop(uuid, 0)
        await runtime.remove(uuid)
    assert uuid not in [p.info.uuid for p in await runtime.pods()]
    assert leftovers(pods_dir, [uuid]) == [] and testhost.snapshot() == before


async def _exited(runtime: Runtime, uuid: str, name: str):
    app = await _app(runtime, uuid, name)
    return app if app.state == "exited" else None
