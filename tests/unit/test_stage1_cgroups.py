"""Pod cgroup placement and cleanup on cgroup v1, hybrid and v2 hosts (host facts given as text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rktnetes.rkt.stage1 import cgroups

V1 = """\
31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu
35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
"""
HYBRID = V1 + "40 31 0:37 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
V2 = "31 23 0:28 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
PROC_V1 = "4:memory:/jobs/abc\n1:cpu:/\n0::/\n"


@pytest.mark.parametrize("text,mode", [(V1, cgroups.V1), (HYBRID, cgroups.HYBRID), (V2, cgroups.V2)])
def test_mode(text, mode):
    assert cgroups.mode(text) == mode


def test_parent_follows_the_memory_cgroup_on_v1_and_the_root_on_v2():
    assert cgroups.parent(PROC_V1, cgroups.HYBRID) == "/jobs/abc"
    assert cgroups.parent("0::/user.slice/x\n", cgroups.V2) == "/"
    assert cgroups.pod_path("/jobs/abc", "u-1") == "/jobs/abc/rkt/u-1"
    assert cgroups.app_path("/rkt/u-1", "web") == "/rkt/u-1/web"


def test_dirs_cover_every_hierarchy():
    assert cgroups.dirs(HYBRID, "/rkt/u") == [Path("/sys/fs/cgroup/cpu/rkt/u"), Path("/sys/fs/cgroup/memory/rkt/u"),
                                             Path("/sys/fs/cgroup/unified/rkt/u")]
    assert cgroups.dirs(V2, "/rkt/u") == [Path("/sys/fs/cgroup/rkt/u")]


def _fake(tmp_path: Path, text: str) -> str:
    return text.replace("/sys/fs/cgroup", str(tmp_path))


@pytest.mark.parametrize("layout", [V1, HYBRID, V2])
def test_remove_and_memory_limit_on_each_layout(tmp_path, layout):
    info = _fake(tmp_path, layout)
    for top in cgroups.dirs(info, "/rkt/u"):
        (top / "web").mkdir(parents=True)
    v2 = cgroups.mode(layout) == cgroups.V2
    limit_file = "memory.max" if v2 else "memory.limit_in_bytes"
    memory_top = tmp_path / ("" if v2 else "memory") / "rkt" / "u"
    (memory_top / "web" / limit_file).write_text("44040192\n")
    assert cgroups.memory_limit("/rkt/u", "web", info) == 44040192
    (memory_top / "web" / limit_file).unlink()
    assert cgroups.remove("/rkt/u", info) == []
    assert not any(t.exists() for t in cgroups.dirs(info, "/rkt/u"))
    assert all(t.parent.exists() for t in cgroups.dirs(info, "/rkt/u"))  # shared by every pod
