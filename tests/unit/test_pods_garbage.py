"""gc's marking and sweeping rules on pod folders (no pods actually run here)."""

from __future__ import annotations

import os
import time

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.pods import errors, garbage, state

A, B, C, D = (f"{c * 8}-0000-0000-0000-000000000000" for c in "abcd")


def make(root, folder, uuid, age=0.0):
    path = paths.pod_dir(root, folder, uuid)
    path.mkdir(parents=True)
    then = time.time() - age
    os.utime(path, (then, then))
    return state.Pod(root, uuid, folder)


def folders(root):
    return {p.uuid: p.folder for p in state.all_pods(root)}


def test_mark_moves_exited_aborted_and_expired(tmp_path):
    make(tmp_path, "run", A)
    make(tmp_path, "prepare", B)
    make(tmp_path, "prepared", C, age=100)
    make(tmp_path, "prepared", D, age=1)
    garbage.mark(tmp_path, expire_prepared=50, now=time.time())
    assert folders(tmp_path) == {A: "exited-garbage", B: "garbage", C: "garbage", D: "prepared"}


def test_running_and_preparing_pods_are_left_alone(tmp_path):
    running, preparing = make(tmp_path, "run", A), make(tmp_path, "prepare", B)
    fds = [state.lock(running.path), state.lock(preparing.path)]
    try:
        assert garbage.gc(tmp_path, grace=0, expire_prepared=0) == []
        assert folders(tmp_path) == {A: "run", B: "prepare"}
    finally:
        for fd in fds:
            os.close(fd)


def test_sweep_respects_the_grace_period(tmp_path):
    make(tmp_path, "exited-garbage", A, age=100)
    make(tmp_path, "garbage", B, age=1)
    assert garbage.sweep(tmp_path, grace=50, now=time.time()) == [A]
    assert folders(tmp_path) == {B: "garbage"}
    assert garbage.gc(tmp_path, grace=0, expire_prepared=0, mark_only=True) == []
    assert garbage.gc(tmp_path, grace=0, expire_prepared=0) == [B]


def test_rm_refuses_running_pods_and_removes_exited_ones(tmp_path):
    running = make(tmp_path, "run", A)
    make(tmp_path, "run", B)
    fd = state.lock(running.path)
    try:
        with pytest.raises(errors.PodError, match="running"):
            garbage.remove(tmp_path, A)
    finally:
        os.close(fd)
    garbage.remove(tmp_path, B)
    assert folders(tmp_path) == {A: "run"}
    with pytest.raises(errors.NoSuchPod):
        garbage.remove(tmp_path, B)
