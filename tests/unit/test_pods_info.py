"""What list and status print, from pod folders written by hand."""

from __future__ import annotations

import json

from rktnetes.rkt import paths
from rktnetes.rkt.cli import list as list_cmd
from rktnetes.rkt.cli import status as status_cmd
from rktnetes.rkt.pods import info, state

UUID = "0a1b2c3d-1111-2222-3333-444455556666"


def exited_pod(root):
    pod = paths.pod_dir(root, "run", UUID)
    for app in ("web", "side"):
        paths.app_dir(pod, app).mkdir(parents=True)
    manifest = {"apps": [{"name": n, "image": {"name": f"example.com/{n}", "id": f"sha512-{n}"}} for n in ("web", "side")],
                "annotations": [{"name": "k8s.io/pod-uid", "value": "u1"}]}
    paths.pod_manifest_path(pod).write_text(json.dumps(manifest))
    paths.pod_created_path(pod).write_text("1\n")
    paths.pod_started_path(pod).write_text("4242\n")
    paths.app_exit_path(pod, "web").write_text("3\n")
    paths.app_exit_path(pod, "side").write_text("0\n")
    paths.pod_exited_path(pod).write_text("3 1700000000.5\n")
    return state.Pod(root, UUID, "run")


def test_info_of_an_exited_pod(tmp_path):
    details = info.info(exited_pod(tmp_path))
    assert details.state == "exited" and details.exit_code == 3 and details.pid is None
    assert [(a.name, a.exit_code) for a in details.apps] == [("web", 3), ("side", 0)]
    assert details.annotations == {"k8s.io/pod-uid": "u1"} and details.netns == ""


def test_status_lines_and_list_rows(tmp_path):
    details = info.info(exited_pod(tmp_path))
    lines = status_cmd.lines(details)
    assert lines[0] == "state=exited" and "exited=true" in lines and lines[-2:] == ["app-web=3", "app-side=0"]
    assert not any(line.startswith("pid=") for line in lines)
    rows = list_cmd.rows([details], full=False)
    assert rows[0][:4] == (UUID[:8], "web", "example.com/web", "exited")
    assert rows[1][:3] == (UUID[:8], "side", "example.com/side") and rows[1][3] == ""


def test_stamp():
    assert info.stamp(1700000000.25) == "2023-11-14 22:13:20.250 +0000 UTC"
    assert info.stamp(None) == ""
