"""The network gate's lock and contents, and the hook an app's config.json gets from it (real flock(1))."""

from __future__ import annotations

import fcntl
import os
import subprocess

from rktnetes.rkt import paths
from rktnetes.rkt.stage1 import gate


def _hook_passes(hooks: dict) -> bool:
    """Runs the hook as runc would, without waiting (flock -n: a held gate counts as not passed)."""
    [hook] = hooks["createRuntime"]
    argv = [hook["path"], "-n", *hook["args"][1:]]
    return subprocess.run(argv, capture_output=True, timeout=10, check=False).returncode == 0


def test_an_open_gate_adds_no_hook(tmp_path):
    assert gate.Gate(tmp_path, shut=False).hooks() == {}
    assert not paths.pod_net_gate_path(tmp_path).exists()


def test_a_shut_gate_holds_its_hook_until_opened_up(tmp_path):
    net_gate = gate.Gate(tmp_path, shut=True)
    hooks = net_gate.hooks()
    assert hooks["createRuntime"][0]["args"][:2] == ["flock", "-s"] and not _hook_passes(hooks)
    net_gate.open(up=True)
    net_gate.open(up=False)  # only the first call counts
    assert _hook_passes(hooks) and paths.pod_net_gate_path(tmp_path).read_text() == "up\n"


def test_a_gate_opened_down_or_dropped_fails_its_hook(tmp_path):
    net_gate = gate.Gate(tmp_path, shut=True)
    hooks = net_gate.hooks()
    net_gate.open(up=False)
    assert not _hook_passes(hooks)
    dropped = gate.Gate(tmp_path, shut=True)  # a supervisor that dies: its descriptor closes, gate empty
    os.close(dropped.fd)
    assert not _hook_passes(hooks)


def test_the_lock_is_not_inherited_by_children(tmp_path):
    net_gate = gate.Gate(tmp_path, shut=True)
    assert fcntl.fcntl(net_gate.fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC
    net_gate.open(up=True)
