"""Jobs and CronJobs on the real API server: kubectl wait for a Job's Complete/Failed condition; a CronJob's run.

The test plays the kubelet: it sets pods' phases through the API."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest

from rktnetes.client import rest, sharing
from rktnetes.controllers import cronjob, manager
from tests.fixtures.controllers import in_background
from tests.integration.test_controllers_replicaset import until

JOB = """{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi"},
 "spec":{"completions":3,"parallelism":2,"backoffLimit":%d,
  "template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}"""
CRONJOB = """{"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"tick"},
 "spec":{"schedule":"* * * * *","jobTemplate":{"spec":{
  "template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}}}"""


@pytest.fixture
async def client(apiserver):
    async with rest.Client.from_kubeconfig(apiserver.kubeconfig) as c:
        yield c


@pytest.fixture
async def controllers(client):
    async with in_background(manager.run(client, ["job", "garbagecollector"])):
        yield


async def _finish_one(client: rest.Client, namespace: str, phase: str) -> bool:
    """Move one running pod to ``phase`` as its kubelet would; False when none was pending."""
    for pod in (await client.list("pods", namespace))["items"]:
        if (pod.get("status") or {}).get("phase") not in ("Succeeded", "Failed"):
            await client.update_status("pods", {**pod, "status": {"phase": phase}}, namespace)
            return True
    return False


async def _wait(apiserver, namespace: str, condition: str) -> None:
    await asyncio.to_thread(apiserver.kubectl, "wait", f"--for=condition={condition}", "job/pi", "-n", namespace,
                            "--timeout=40s")


async def test_a_job_completes_with_kubectl_wait(apiserver, namespace, client, controllers) -> None:
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=JOB % 4)
    for _ in range(3):
        await until(lambda: _finish_one(client, namespace, "Succeeded"))
    await _wait(apiserver, namespace, "complete")
    job = json.loads(apiserver.kubectl("get", "job", "pi", "-n", namespace, "-o", "json").stdout)
    assert (job["status"]["succeeded"], job["status"]["active"]) == (3, 0)
    assert "3/3" in apiserver.kubectl("get", "job", "pi", "-n", namespace).stdout


async def test_a_job_fails_past_its_backoff_limit(apiserver, namespace, client, controllers) -> None:
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=JOB % 0)
    await until(lambda: _finish_one(client, namespace, "Failed"))
    await _wait(apiserver, namespace, "failed")
    job = json.loads(apiserver.kubectl("get", "job", "pi", "-n", namespace, "-o", "json").stdout)
    assert job["status"]["conditions"][-1]["reason"] == "BackoffLimitExceeded"


async def test_a_cronjob_starts_the_due_run(apiserver, namespace, client) -> None:
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=CRONJOB)
    factory = sharing.InformerFactory(client)
    controller = cronjob.CronJobController(client, factory, now=lambda: datetime.now(UTC) + timedelta(minutes=2))
    factory.start()
    task = asyncio.create_task(controller.run(1))
    try:
        await until(lambda: json.loads(apiserver.kubectl("get", "jobs", "-n", namespace, "-o", "json").stdout)
                    ["items"])
        await until(lambda: "lastScheduleTime" in json.loads(apiserver.kubectl(
            "get", "cronjob", "tick", "-n", namespace, "-o", "json").stdout).get("status", {}))
    finally:
        controller.shutdown()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await factory.stop()
    (job,) = json.loads(apiserver.kubectl("get", "jobs", "-n", namespace, "-o", "json").stdout)["items"]
    assert job["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    assert job["metadata"]["name"].startswith("tick-")


async def test_a_finished_job_with_a_zero_ttl_goes_with_its_pods(apiserver, namespace, client) -> None:
    task = asyncio.create_task(manager.run(client, ["job", "ttlafterfinished", "garbagecollector"]))
    try:
        body = json.loads(JOB % 0)
        body["spec"].update(completions=1, parallelism=1, ttlSecondsAfterFinished=0)
        apiserver.kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(body))
        await until(lambda: _finish_one(client, namespace, "Succeeded"))
        await until(lambda: not json.loads(apiserver.kubectl("get", "jobs,pods", "-n", namespace, "-o",
                                                             "json").stdout)["items"])
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_an_indexed_job_completes_every_index(apiserver, namespace, client, controllers) -> None:
    body = json.loads(JOB % 2)
    body["spec"]["completionMode"] = "Indexed"
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(body))
    for _ in range(3):
        await until(lambda: _finish_one(client, namespace, "Succeeded"))
    await _wait(apiserver, namespace, "complete")
    job = json.loads(apiserver.kubectl("get", "job", "pi", "-n", namespace, "-o", "json").stdout)
    assert job["status"]["completedIndexes"] == "0-2"
    pods = json.loads(apiserver.kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)["items"]
    assert sorted(p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] for p in pods) == [
        "0", "1", "2"]


async def test_a_suspended_job_starts_when_resumed(apiserver, namespace, client, controllers) -> None:
    body = json.loads(JOB % 2)
    body["spec"]["suspend"] = True
    apiserver.kubectl("create", "-n", namespace, "-f", "-", input=json.dumps(body))
    await _wait(apiserver, namespace, "suspended")
    assert not (await client.list("pods", namespace))["items"]
    apiserver.kubectl("patch", "job", "pi", "-n", namespace, "--type=merge", "-p", '{"spec":{"suspend":false}}')
    await until(lambda: len(json.loads(apiserver.kubectl("get", "pods", "-n", namespace, "-o", "json").stdout)
                            ["items"]) == 2)
    job = json.loads(apiserver.kubectl("get", "job", "pi", "-n", namespace, "-o", "json").stdout)
    assert job["status"]["conditions"][-1]["reason"] == "JobResumed" and job["status"]["startTime"]
