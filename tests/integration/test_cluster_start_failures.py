"""A start that cannot come up fails fast with one line naming the component's log, and ``delete`` still
removes all it made (inside a throwaway test host)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
RKTNETES = str(Path(sys.executable).with_name("rktnetes"))


def test_an_unreachable_store_fails_the_start_and_delete_cleans_up(testhost, tmp_path):
    before = testhost.snapshot()
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "kubeconfig")}
    flags = [f"--dir={tmp_path}", "--profile=broken"]
    began = time.monotonic()
    done = testhost.run([RKTNETES, "start", *flags, "--store=etcd://127.0.0.1:1"], timeout=120, env=env)
    try:
        assert done.returncode == 1 and time.monotonic() - began < 60
        assert done.stderr.count("\n") == 1 and "apiserver exited (see " in done.stderr, done.stderr
        assert (tmp_path / "profiles/broken/logs/apiserver.log").exists()
        assert testhost.run([RKTNETES, "status", *flags], env=env).returncode == 7
    finally:
        deleted = testhost.run([RKTNETES, "delete", *flags], timeout=120, env=env)
    assert deleted.returncode == 0, deleted.stderr
    assert testhost.snapshot() == before
    assert not (tmp_path / "profiles/broken").exists() and not Path("/run/netns/rktnetes-broken-0").exists()


def test_delete_all_removes_every_profile_even_half_made(testhost, tmp_path):
    before = testhost.snapshot()
    env = {**os.environ, "KUBECONFIG": str(tmp_path / "kubeconfig")}
    for name in ("one", "two"):  # the second gets the next free subnet
        done = testhost.run([RKTNETES, "start", f"--dir={tmp_path}", f"--profile={name}",
                             "--store=etcd://127.0.0.1:1"], timeout=120, env=env)
        assert done.returncode == 1
    subnets = [json.loads((tmp_path / "profiles" / n / "cluster.json").read_text())["subnet"] for n in ("one", "two")]
    assert subnets == ["192.168.49.0/24", "192.168.58.0/24"]
    (tmp_path / "profiles" / "three").mkdir()  # never got as far as its settings
    assert testhost.snapshot() != before
    done = testhost.run([RKTNETES, "delete", "--all", f"--dir={tmp_path}"], timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "profiles").iterdir()) == [] and testhost.snapshot() == before
