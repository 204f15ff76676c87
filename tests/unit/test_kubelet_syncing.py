"""``sync(key)`` on a fake API and a fake runtime: start, status, restart with back-off, deletion, strangers."""

from __future__ import annotations

import time

import pytest

from rktnetes.client import errors as client_errors
from rktnetes.client.fake import FakeClient
from rktnetes.kubelet import errors, syncing, translating
from rktnetes.kubelet.rktpods import RktPod
from rktnetes.rkt.pods.info import AppInfo, PodInfo


class FakeRuntime:
    """rkt as the syncer sees it: pods by uuid, each call recorded."""

    def __init__(self) -> None:
        self.by_uuid: dict[str, RktPod] = {}
        self.calls: list[tuple] = []
        self.fail_prepare: Exception | None = None
        self.made = 0
        self.changes = 0
        self.listings = 0

    def add(self, uid: str, key: str, state: str, restarts: int = 0, codes: tuple = (None,),
            exited_at: float | None = None) -> str:
        uuid, self.made = f"rkt-{self.made}", self.made + 1
        ns, name = key.split("/")
        notes = {translating.UID: uid, translating.NAMESPACE: ns, translating.NAME: name,
                 translating.RESTARTS: str(restarts)}
        apps = [AppInfo("main", "busybox", "sha512-x", c) for c in codes]
        self.by_uuid[uuid] = RktPod(PodInfo(uuid, state, time.time(), time.time(), exited_at, None, None,
                                            [{"name": "default", "ip": "172.16.28.9"}], apps, notes))
        return uuid

    def _set(self, uuid: str, state: str, codes: tuple = (None,)) -> None:
        info = self.by_uuid[uuid].info
        apps = [a.replace(exit_code=c) for a, c in zip(info.apps, codes, strict=True)]
        self.by_uuid[uuid] = RktPod(info.replace(state=state, apps=apps))

    async def pods(self) -> list[RktPod]:
        self.listings += 1
        return sorted(self.by_uuid.values(), key=lambda p: (p.restarts, p.info.uuid))

    async def prepare(self, args: list[str]) -> str:
        self.calls.append(("prepare", args))
        self.changes += 1
        if self.fail_prepare:
            raise self.fail_prepare
        notes = dict(a[len("--annotation="):].split("=", 1) for a in args if a.startswith("--annotation="))
        key = f"{notes[translating.NAMESPACE]}/{notes[translating.NAME]}"
        return self.add(notes[translating.UID], key, "prepared", int(notes[translating.RESTARTS]))

    async def start(self, uuid: str) -> None:
        self.calls.append(("start", uuid))
        self.changes += 1
        self._set(uuid, "running")

    async def stop(self, uuid: str, grace: float) -> None:
        self.calls.append(("stop", uuid, grace))
        self.changes += 1
        self._set(uuid, "exited", (137,))

    async def remove(self, uuid: str) -> None:
        self.calls.append(("remove", uuid))
        self.changes += 1
        del self.by_uuid[uuid]


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
       "spec": {"nodeName": "n1", "restartPolicy": "Always", "terminationGracePeriodSeconds": 7,
                "containers": [{"name": "main", "image": "busybox", "command": ["/bin/true"]}]}}


@pytest.fixture
async def env(tmp_path):
    api = FakeClient(POD, namespace="ns")
    runtime = FakeRuntime()
    pods: dict[str, dict] = {}

    class Snapshot:
        def get(self, key: str) -> dict | None:
            return pods.get(key)

    async def refresh() -> None:
        pods.clear()
        for item in (await api.list("pods", "ns"))["items"]:
            pods[f"ns/{item['metadata']['name']}"] = item

    settings = syncing.Settings(tmp_path, "10.0.0.5", backoff=10.0)
    syncer = syncing.PodSyncer(api, Snapshot(), runtime, settings)
    await refresh()
    return api, runtime, syncer, refresh


async def test_new_pod_is_prepared_started_and_reported_running(env):
    api, runtime, syncer, refresh = env
    assert await syncer.sync("ns/p") is None
    assert [c[0] for c in runtime.calls] == ["prepare", "start"]
    assert "--annotation=rktnetes.io/restart-count=0" in runtime.calls[0][1]
    pod = await api.get("pods", "p", "ns")
    assert pod["status"]["phase"] == "Running" and pod["status"]["podIP"] == "172.16.28.9"
    await refresh()
    writes, listings = len([a for a in api.actions if a.verb == "patch"]), runtime.listings
    await syncer.sync("ns/p")
    assert runtime.listings == listings + 1  # nothing changed in rkt: the first look serves the status too
    assert len([a for a in api.actions if a.verb == "patch"]) == writes  # nothing changed: nothing written
    assert [c[0] for c in runtime.calls] == ["prepare", "start"]  # adopted, not started twice


async def test_exited_pod_waits_its_back_off_then_restarts_as_a_new_rkt_pod(env):
    api, runtime, syncer, refresh = env
    uid = (await api.get("pods", "p", "ns"))["metadata"]["uid"]
    runtime.add(uid, "ns/p", "exited", restarts=0, codes=(1,), exited_at=time.time())
    result = await syncer.sync("ns/p")
    assert result is not None and 9 < result.requeue_after <= 10
    status = (await api.get("pods", "p", "ns"))["status"]
    assert status["containerStatuses"][0]["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert runtime.calls == []
    runtime.add(uid, "ns/p", "exited", restarts=1, codes=(1,), exited_at=time.time() - 25)
    await refresh()
    assert await syncer.sync("ns/p") is None
    assert [c[0] for c in runtime.calls] == ["remove", "prepare", "start"]  # the oldest goes, one is kept
    assert "--annotation=rktnetes.io/restart-count=2" in runtime.calls[1][1]
    status = (await api.get("pods", "p", "ns"))["status"]
    assert status["containerStatuses"][0]["restartCount"] == 2
    assert status["containerStatuses"][0]["lastState"]["terminated"]["exitCode"] == 1


async def test_deleted_pod_is_stopped_with_its_grace_removed_and_confirmed(env):
    api, runtime, syncer, refresh = env
    await syncer.sync("ns/p")
    uuid = runtime.calls[-1][1]
    await refresh()
    cached = syncer.cache.get("ns/p")
    cached["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"  # as the API server marks a bound pod
    await syncer.sync("ns/p")
    assert runtime.calls[2:] == [("stop", uuid, 7.0), ("remove", uuid)]
    assert [a.verb for a in api.actions if a.resource == "pods"][-1] == "delete"
    with pytest.raises(client_errors.NotFound):
        await api.get("pods", "p", "ns")


async def test_rkt_pods_of_a_gone_or_replaced_pod_are_removed(env):
    api, runtime, syncer, refresh = env
    stranger = runtime.add("old-uid", "ns/p", "running")
    orphan = runtime.add("x", "ns/q", "exited", codes=(0,))
    await syncer.sync("ns/q")
    await syncer.sync("ns/p")
    assert runtime.calls[:3] == [("remove", orphan), ("stop", stranger, 0), ("remove", stranger)]
    assert [c[0] for c in runtime.calls[3:]] == ["prepare", "start"]


async def test_a_failed_pull_is_reported_and_retried(env):
    api, runtime, syncer, refresh = env
    runtime.fail_prepare = errors.ImagePullFailure("docker://busybox: not found")
    with pytest.raises(errors.ImagePullFailure):
        await syncer.sync("ns/p")
    waiting = (await api.get("pods", "p", "ns"))["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting == {"reason": "ErrImagePull", "message": "docker://busybox: not found"}


async def test_finished_pod_is_not_started_again(env):
    api, runtime, syncer, refresh = env
    await api.patch("pods", "p", {"status": {"phase": "Succeeded"}}, namespace="ns", subresource="status")
    await refresh()
    await syncer.sync("ns/p")
    assert runtime.calls == []
