"""Jobs and CronJobs: pure progress and schedules, and both controllers on the fake API with set wall time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rktnetes.client.fake import FakeClient
from rktnetes.controllers import cronjob, job, jobindexes, jobstate, schedules, ttlafterfinished
from tests.conftest import settle

T0 = datetime(2026, 3, 1, 12, 0, 30, tzinfo=UTC)


def _job(name: str = "pi", **spec) -> dict:
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": "ns"},
            "spec": {"selector": {"matchLabels": {"job-name": name}}, "backoffLimit": 1,
                     "template": {"metadata": {"labels": {"job-name": name}},
                                  "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}},
                     **spec}}


def _cronjob(**spec) -> dict:
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": "tick", "namespace": "ns", "creationTimestamp": "2026-03-01T11:58:00Z"},
            "spec": {"schedule": "* * * * *", "concurrencyPolicy": "Allow", "jobTemplate": {"spec": _job()["spec"]},
                     **spec}}


def test_wanted_active_and_completion() -> None:
    counts = jobstate.Counts(active=1, succeeded=3, failed=0, ready=0)
    assert jobstate.wanted_active(_job(completions=5, parallelism=4), counts) == 2
    assert jobstate.wanted_active(_job(parallelism=2), counts) == 0
    assert not jobstate.complete(_job(), counts) and jobstate.complete(_job(completions=3), counts)
    assert jobstate.failure(_job(), jobstate.Counts(0, 0, 2, 0), T0)[0] == "BackoffLimitExceeded"
    late = {**_job(activeDeadlineSeconds=10), "status": {"startTime": "2026-03-01T12:00:00Z"}}
    assert jobstate.failure(late, counts, T0)[0] == "DeadlineExceeded"


def test_schedules_due_next_and_deadline() -> None:
    cj = _cronjob()
    assert schedules.due(cj, T0) == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert schedules.next_after(cj, T0) == datetime(2026, 3, 1, 12, 1, tzinfo=UTC)
    assert schedules.due(_cronjob(startingDeadlineSeconds=10), T0) is None
    done = {**cj, "status": {"lastScheduleTime": "2026-03-01T12:00:00Z"}}
    assert schedules.due(done, T0) is None
    zoned = _cronjob(schedule="0 13 * * *", timeZone="Europe/Paris")
    zoned["metadata"]["creationTimestamp"] = "2026-03-01T00:00:00Z"
    assert schedules.due(zoned, T0) == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    made = schedules.job_for({**cj, "metadata": {**cj["metadata"], "uid": "c1"}}, datetime(2026, 3, 1, 12, tzinfo=UTC))
    assert made["metadata"]["name"] == f"tick-{int(datetime(2026, 3, 1, 12, tzinfo=UTC).timestamp() // 60)}"
    assert made["metadata"]["ownerReferences"][0]["uid"] == "c1"


@pytest.fixture
def env(controller_env):
    return lambda cls, *objects, now=None: controller_env(cls, *objects, now=now or (lambda: T0))


async def _finish_pods(api: FakeClient, phase: str, count: int = 99) -> None:
    for pod in [p for p in (await api.list("pods", "ns"))["items"] if not p["status"].get("phase")][:count]:
        await api.update_status("pods", {**pod, "status": {"phase": phase}})
    await settle()


async def test_a_job_runs_parallel_pods_until_its_completions(env) -> None:
    api, controller = await env(job.JobController, _job(completions=3, parallelism=2))
    await controller.reconcile("ns/pi")
    await controller.reconcile("ns/pi")
    assert len((await api.list("pods", "ns"))["items"]) == 2
    await _finish_pods(api, "Succeeded")
    await controller.reconcile("ns/pi")
    await settle()
    assert len((await api.list("pods", "ns"))["items"]) == 3
    await _finish_pods(api, "Succeeded")
    await controller.reconcile("ns/pi")
    status = (await api.get("jobs.batch", "pi", "ns"))["status"]
    assert (status["succeeded"], status["active"], status["conditions"][-1]["type"]) == (3, 0, "Complete")
    assert status["completionTime"] == "2026-03-01T12:00:30Z"


async def test_a_job_fails_past_its_backoff_limit_after_backing_off(env) -> None:
    api, controller = await env(job.JobController, _job())
    await controller.reconcile("ns/pi")
    await settle()
    await _finish_pods(api, "Failed")
    result = await controller.reconcile("ns/pi")
    assert result.requeue_after == 10 and len((await api.list("pods", "ns"))["items"]) == 1
    controller.clock.advance(10)
    await controller.reconcile("ns/pi")
    await settle()
    await _finish_pods(api, "Failed")
    await controller.reconcile("ns/pi")
    status = (await api.get("jobs.batch", "pi", "ns"))["status"]
    assert status["failed"] == 2 and status["conditions"][-1]["reason"] == "BackoffLimitExceeded"
    await settle()
    await controller.reconcile("ns/pi")
    assert len((await api.list("pods", "ns"))["items"]) == 2


async def _start_of_minute_after_creation(api: FakeClient) -> datetime:
    created = (await api.get("cronjobs.batch", "tick", "ns"))["metadata"]["creationTimestamp"]
    return datetime.strptime(created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC, second=30) + timedelta(minutes=1)


async def test_cronjob_runs_when_due_and_forbid_skips_while_one_runs(env) -> None:
    now = [T0]
    api, controller = await env(cronjob.CronJobController, _cronjob(concurrencyPolicy="Forbid"), now=lambda: now[0])
    now[0] = start = await _start_of_minute_after_creation(api)
    result = await controller.reconcile("ns/tick")
    assert result.requeue_after == 30
    (first,) = (await api.list("jobs.batch", "ns"))["items"]
    await settle()
    now[0] = start + timedelta(minutes=1)
    await controller.reconcile("ns/tick")
    assert len((await api.list("jobs.batch", "ns"))["items"]) == 1
    cj = await api.get("cronjobs.batch", "tick", "ns")
    assert cj["status"]["active"][0]["name"] == first["metadata"]["name"]


async def test_cronjob_replace_and_history_limits(env) -> None:
    now = [T0]
    api, controller = await env(cronjob.CronJobController,
                                _cronjob(concurrencyPolicy="Replace", successfulJobsHistoryLimit=1), now=lambda: now[0])
    start = await _start_of_minute_after_creation(api)
    for minute in range(3):
        now[0] = start + timedelta(minutes=minute)
        await controller.reconcile("ns/tick")
        await settle()
        for j in (await api.list("jobs.batch", "ns"))["items"]:
            if minute < 2 and not j["status"].get("conditions"):
                done = {"conditions": [{"type": "Complete", "status": "True"}], "completionTime": "x"}
                await api.update_status("jobs.batch", {**j, "status": done})
        await settle()
    await controller.reconcile("ns/tick")
    names = sorted(j["metadata"]["name"] for j in (await api.list("jobs.batch", "ns"))["items"])
    assert len(names) == 2 and names[-1] == f"tick-{int((start + timedelta(minutes=2)).timestamp() // 60)}"


async def test_a_finished_job_is_deleted_after_its_ttl(env) -> None:
    done = {"conditions": [{"type": "Complete", "status": "True"}], "completionTime": "2026-03-01T12:00:00Z"}
    kept = {**_job("kept"), "status": done}
    api, controller = await env(ttlafterfinished.TTLAfterFinishedController, {**_job(ttlSecondsAfterFinished=60),
                                                                             "status": done}, kept)
    assert (await controller.reconcile("ns/pi")).requeue_after == 30
    assert await controller.reconcile("ns/kept") is None
    controller.now = lambda: T0 + timedelta(seconds=30)
    await controller.reconcile("ns/pi")
    assert [j["metadata"]["name"] for j in (await api.list("jobs.batch", "ns"))["items"]] == ["kept"]


def test_indexes_compress_and_name() -> None:
    assert jobindexes.compress({0, 1, 2, 4, 6, 7}) == "0-2,4,6-7" and jobindexes.compress(set()) == ""
    j = {**_job(completions=3), "metadata": {"name": "pi", "namespace": "ns", "uid": "j1"}}
    pod = jobindexes.pod_for_index(j, 2)
    assert pod["metadata"]["generateName"] == "pi-2-" and jobindexes.index_of(pod) == 2
    assert pod["spec"]["hostname"] == "pi-2"
    assert pod["spec"]["containers"][0]["env"] == [{"name": "JOB_COMPLETION_INDEX", "value": "2"}]
    assert jobindexes.index_in_name(j, "pi-2-abcde") == 2 and jobindexes.index_in_name(j, "other-1-x") is None


async def test_an_indexed_job_runs_each_index_until_it_succeeds(env) -> None:
    api, controller = await env(job.JobController, _job(completions=3, parallelism=2, completionMode="Indexed",
                                                        backoffLimit=5))
    await controller.reconcile("ns/pi")
    await settle()
    pods = (await api.list("pods", "ns"))["items"]
    assert sorted(jobindexes.index_of(p) for p in pods) == [0, 1]
    first = next(p for p in pods if jobindexes.index_of(p) == 1)
    await api.update_status("pods", {**first, "status": {"phase": "Succeeded"}})
    await settle()
    await controller.reconcile("ns/pi")
    await settle()
    pods = (await api.list("pods", "ns"))["items"]
    assert sorted(jobindexes.index_of(p) for p in pods) == [0, 1, 2]
    assert (await api.get("jobs.batch", "pi", "ns"))["status"]["completedIndexes"] == "1"
    await _finish_pods(api, "Succeeded")
    await controller.reconcile("ns/pi")
    status = (await api.get("jobs.batch", "pi", "ns"))["status"]
    assert status["completedIndexes"] == "0-2" and status["conditions"][-1]["type"] == "Complete"


def test_suspension_shows_as_a_condition_and_holds_the_start_time() -> None:
    counts = jobstate.Counts(0, 0, 0, 0)
    suspended = jobstate.status_for(_job(suspend=True), counts, "T1")
    assert "startTime" not in suspended
    assert [(c["type"], c["status"], c["reason"]) for c in suspended["conditions"]] == [
        ("Suspended", "True", "JobSuspended")]
    resumed = jobstate.status_for({**_job(), "status": suspended}, counts, "T2")
    assert resumed["startTime"] == "T2"
    assert [(c["type"], c["status"], c["reason"]) for c in resumed["conditions"]] == [
        ("Suspended", "False", "JobResumed")]
    assert "conditions" not in jobstate.status_for(_job(), counts, "T1")
