"""Termination messages: the container's file first; its log's tail only when it failed and asked for that."""

from __future__ import annotations

import dataclasses

from rktnetes.kubelet import messages, paths, translating
from rktnetes.kubelet.translating import Plan
from rktnetes.rkt import paths as rkt_paths
from tests.unit.test_kubelet_podstatus import pod, rkt_pod


def test_file_then_log_tail_by_policy(tmp_path):
    run = dataclasses.replace(rkt_pod("exited", (1,)), path=tmp_path / "rktpod")
    log = rkt_paths.app_log_path(run.path, "c0")
    log.parent.mkdir(parents=True)
    log.write_bytes(b"".join(b"2026-11-26T10:00:00.000000000Z stdout F line %d\n" % i for i in range(100)))
    spec = pod("Never")
    container = spec["spec"]["containers"][0]
    assert messages.message(tmp_path, spec, run, container, 1) == ""  # policy File (the default): no fallback
    fallback = {**container, "terminationMessagePolicy": "FallbackToLogsOnError"}
    tail = messages.message(tmp_path, spec, run, fallback, 1)
    assert tail.startswith("line 20\n") and tail.endswith("line 99\n") and tail.count("\n") == 80
    assert messages.message(tmp_path, spec, run, fallback, 0) == ""  # succeeded: no fallback
    written = paths.termination_log_path(tmp_path, "uid", "c0", 0)
    written.parent.mkdir(parents=True)
    written.write_text("x" * 5000)
    assert messages.message(tmp_path, spec, run, fallback, 1) == "x" * 4096
    assert messages.collect(tmp_path, spec, [run, None]) == {("u1", "c0"): "x" * 4096}


def test_each_container_gets_its_termination_log_mounted():
    words = translating.prepare_args({"metadata": {"name": "p", "namespace": "n", "uid": "u"}, "spec": {
        "containers": [{"name": "c", "image": "i", "terminationMessagePath": "/tmp/why"}]}},
        Plan(termination_logs={"c": "/k/termination/c-0"}))
    assert "--volume=rktnetes-termination-c,kind=host,source=/k/termination/c-0" in words
    assert "--mount=volume=rktnetes-termination-c,target=/tmp/why" in words
