"""The pod lifecycle: status from folder + lock, legal and illegal transitions, UUID lookup."""

from __future__ import annotations

import os

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.pods import errors, state

UUID = "0a1b2c3d-1111-2222-3333-444455556666"


def make(root, folder, uuid=UUID):
    path = paths.pod_dir(root, folder, uuid)
    path.mkdir(parents=True)
    return state.Pod(root, uuid, folder)


@pytest.mark.parametrize("folder,unlocked,locked", [
    ("prepare", "abortedprepare", "preparing"), ("run", "exited", "running"),
    ("exited-garbage", "exited garbage", "deleting"), ("prepared", "prepared", "prepared"),
])
def test_status_depends_on_the_lock(tmp_path, folder, unlocked, locked):
    pod = make(tmp_path, folder)
    assert pod.status().value == unlocked
    fd = state.lock(pod.path)
    try:
        assert pod.status().value == locked
        with pytest.raises(errors.PodLocked):
            state.lock(pod.path)
    finally:
        os.close(fd)


def test_transitions_follow_the_lifecycle(tmp_path):
    pod = make(tmp_path, "embryo")
    for folder in ("prepare", "prepared", "run", "exited-garbage"):
        pod = state.transition(pod, folder)
        assert pod.path.is_dir() and pod.folder == folder
    with pytest.raises(errors.IllegalTransition):
        state.transition(pod, "run")


@pytest.mark.parametrize("start,to", [("embryo", "run"), ("prepared", "prepare"), ("run", "prepared"),
                                      ("garbage", "run")])
def test_illegal_moves_are_refused(tmp_path, start, to):
    pod = make(tmp_path, start)
    with pytest.raises(errors.IllegalTransition):
        state.transition(pod, to)
    assert pod.path.is_dir()


def test_find_by_prefix_and_errors(tmp_path):
    make(tmp_path, "prepared")
    make(tmp_path, "run", "0a1b9999-1111-2222-3333-444455556666")
    assert state.find(tmp_path, "0a1b2").uuid == UUID
    with pytest.raises(errors.AmbiguousPod):
        state.find(tmp_path, "0a1b")
    with pytest.raises(errors.NoSuchPod, match='no matches found for "ffff"'):
        state.find(tmp_path, "ffff")
    with pytest.raises(errors.EmptyUUID, match="UUID cannot be empty"):
        state.find(tmp_path, " ")
