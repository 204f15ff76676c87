"""The pod manifest stage0 writes: names, exec/args overrides, env precedence, isolators, volumes."""

from __future__ import annotations

import pytest

from rktnetes.rkt.pods import appargs, errors, stage0, volumes
from rktnetes.rkt.pods import manifest as pm

IMAGE = pm.ImageRef("sha512-abc", {"name": "example.com/tools/web", "app": {
    "exec": ["/bin/web", "--port=80"], "user": "0", "group": "0",
    "environment": [{"name": "A", "value": "image"}, {"name": "B", "value": "image"}],
    "mountPoints": [{"name": "cache", "path": "/cache"}]}}, "/tree")


def test_env_precedence_manifest_app_inherit_set():
    spec = appargs.AppSpec("web", environment={"B": "app", "C": "app"})
    opts = pm.PodOptions(inherit_env={"C": "host", "D": "host"}, set_env={"D": "set"})
    env = {e["name"]: e["value"] for e in pm.runtime_app(spec, IMAGE, opts)["app"]["environment"]}
    assert env == {"A": "image", "B": "app", "C": "host", "D": "set"}


def test_name_exec_and_args():
    app = pm.runtime_app(appargs.AppSpec("web", args=["-v"]), IMAGE, pm.PodOptions())
    assert app["name"] == "web" and app["app"]["exec"] == ["/bin/web", "-v"]
    app = pm.runtime_app(appargs.AppSpec("web", exec="/bin/sh"), IMAGE, pm.PodOptions())
    assert app["app"]["exec"] == ["/bin/sh"]


def test_isolators_from_flags():
    spec = appargs.AppSpec("web", memory=1 << 20, cpu_millis=250, caps_remove=["CAP_KILL"],
                           seccomp="mode=retain,read,write")
    isolators = {i["name"]: i["value"] for i in pm.runtime_app(spec, IMAGE, pm.PodOptions())["app"]["isolators"]}
    assert isolators["resource/memory"] == {"limit": str(1 << 20)}
    assert isolators["resource/cpu"] == {"limit": "250m"}
    assert isolators["os/linux/capabilities-remove-set"] == {"set": ["CAP_KILL"]}
    assert isolators["os/linux/seccomp-retain-set"] == {"set": ["read", "write"]}


def test_no_apps_and_duplicate_names():
    with pytest.raises(errors.NoApps, match="pod must contain at least one application"):
        pm.pod_manifest([], [], pm.PodOptions())
    specs = [appargs.AppSpec("web"), appargs.AppSpec("web")]
    with pytest.raises(errors.BadAppFlag, match="more than once"):
        pm.pod_manifest(specs, [IMAGE, IMAGE], pm.PodOptions())


def test_volumes_and_implicit_mount_points():
    vol = volumes.parse_volume("data,kind=host,source=/srv,readOnly=true")
    assert vol == {"name": "data", "kind": "host", "source": "/srv", "readOnly": True}
    app = pm.runtime_app(appargs.AppSpec("web", mounts=[("data", "/d")]), IMAGE, pm.PodOptions())
    mounts = volumes.app_mounts(app, [vol])
    assert [(v["name"], t) for v, t in mounts] == [("data", "/d"), ("cache", "/cache")]
    assert mounts[1][0]["kind"] == "empty"


@pytest.mark.parametrize("text", ["data", "data,kind=nfs", "data,kind=host", "Bad,kind=empty",
                                  "data,kind=empty,source=/x"])
def test_bad_volumes(text):
    with pytest.raises(errors.BadAppFlag):
        volumes.parse_volume(text)


def test_unprivileged_users_are_refused(monkeypatch, tmp_path):
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    ctx = stage0.Context(tmp_path, tmp_path, tmp_path)
    with pytest.raises(errors.Unprivileged, match="cannot run as unprivileged user"):
        stage0.prepare(ctx, stage0.PodRequest(apps=[appargs.AppSpec("busybox")]))
