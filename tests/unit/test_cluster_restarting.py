"""The supervisor's backoff and how status words a supervised component's state (no processes)."""

from __future__ import annotations

import json
import os

from rktnetes.cluster import reporting, restarting, starting, supervising
from rktnetes.cluster.profiles import Profile


def test_backoff_doubles_to_the_cap_and_starts_over_after_a_steady_run():
    backoff = restarting.Backoff(first=1.0, cap=5.0, steady=60.0)
    assert [backoff.after_exit(0.1) for _ in range(5)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert backoff.after_exit(61.0) == 1.0
    assert backoff.after_exit(3.0) == 2.0


def test_status_words():
    assert reporting.describe({"state": "Running", "pid": 5, "restarts": 0}, True) == "Running"
    assert reporting.describe({"state": "Running", "pid": 5, "restarts": 2}, True) == "Running (restarted 2 time(s))"
    assert reporting.describe({"state": "Running", "pid": 5}, False).startswith("Restarting")
    worded = reporting.describe({"state": "Restarting", "last_exit": -9, "restarts": 1}, False)
    assert worded == "Restarting (exited with status -9; 1 restart(s) before)"
    assert not reporting.all_running([("  kubelet", worded)])
    assert reporting.all_running([("  kubelet", "Running (restarted 2 time(s))")])


def _supervised(profile, name: str, **state) -> None:
    """Make ``name`` look supervised: this test process stands for its supervisor."""
    me = os.getpid()
    profile.pid_file(name).parent.mkdir(parents=True, exist_ok=True)
    profile.pid_file(name).write_text(json.dumps({"pid": me, "started": supervising.start_time(me)}))
    restarting.write_state(profile.state_file(name), **state)


def test_start_fails_on_new_crashes_only(tmp_path):
    profile = Profile(tmp_path, "p")
    _supervised(profile, "kubelet-p", state="Running", pid=os.getpid(), started="x", restarts=1)
    died = starting._died(profile, ["kubelet-p"])
    assert died() is None  # restarted once before this start: healed, not failing it
    _supervised(profile, "kubelet-p", state="Restarting", last_exit=1, restarts=1)
    assert "kubelet-p exited (see " in died()
    _supervised(profile, "kubelet-p", state="Running", pid=os.getpid(), started="x", restarts=2)
    assert "kubelet-p exited" in died()
    assert "gone exited" in starting._died(profile, ["gone"])()
