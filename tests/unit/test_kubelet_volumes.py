"""Pod volumes materialised on the node from a fake API: configMap/secret files, emptyDir, hostPath."""

from __future__ import annotations

import base64
import stat

import pytest

from rktnetes.client.fake import FakeClient
from rktnetes.kubelet import errors, paths, volumes

CONFIG = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "ns"},
          "data": {"a.conf": "alpha", "b.conf": "beta"}, "binaryData": {"blob": base64.b64encode(b"\0\1").decode()}}
SECRET = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sec", "namespace": "ns"},
          "data": {"password": base64.b64encode(b"s3cret").decode()}}


def _pod(*vols: dict) -> dict:
    return {"metadata": {"name": "p", "namespace": "ns", "uid": "uid-1"}, "spec": {"volumes": list(vols)}}


async def test_every_kind_lands_where_the_plan_says(tmp_path):
    api = FakeClient(CONFIG, SECRET, namespace="ns")
    pod = _pod({"name": "c", "configMap": {"name": "cfg"}}, {"name": "s", "secret": {"secretName": "sec"}},
               {"name": "e", "emptyDir": {}},
               {"name": "h", "hostPath": {"path": str(tmp_path / "made"), "type": "DirectoryOrCreate"}})
    sources, read_only = await volumes.materialise(api, tmp_path / "k", pod)
    assert sources["h"] == str(tmp_path / "made") and (tmp_path / "made").is_dir()
    assert read_only == {"c", "s"}
    config = paths.volume_dir(tmp_path / "k", "uid-1", "c")
    assert sources["c"] == str(config) and (config / "a.conf").read_text() == "alpha"
    assert (config / "blob").read_bytes() == b"\0\1" and stat.S_IMODE((config / "a.conf").stat().st_mode) == 0o644
    assert (paths.volume_dir(tmp_path / "k", "uid-1", "s") / "password").read_bytes() == b"s3cret"
    assert paths.volume_dir(tmp_path / "k", "uid-1", "e").is_dir()
    volumes.forget(tmp_path / "k", "uid-1")
    assert not paths.pod_dir(tmp_path / "k", "uid-1").exists() and (tmp_path / "made").is_dir()


async def test_items_and_modes(tmp_path):
    api = FakeClient(CONFIG, namespace="ns")
    pod = _pod({"name": "c", "configMap": {"name": "cfg", "defaultMode": 0o400,
                                           "items": [{"key": "b.conf", "path": "sub/b"}]}})
    sources, _ = await volumes.materialise(api, tmp_path, pod)
    made = sorted(str(p.relative_to(sources["c"])) for p in tmp_path.rglob("*") if p.is_file())
    assert made == ["sub/b"] and stat.S_IMODE((tmp_path.joinpath(sources["c"], "sub/b")).stat().st_mode) == 0o400


@pytest.mark.parametrize(("volume", "message"), [
    ({"name": "c", "configMap": {"name": "missing"}}, 'configmap "missing" not found'),
    ({"name": "c", "configMap": {"name": "cfg", "items": [{"key": "zzz", "path": "z"}]}}, "key 'zzz' not found"),
    ({"name": "c", "configMap": {"name": "cfg", "items": [{"key": "a.conf", "path": "../../escape"}]}},
     "leaves the volume"),
    ({"name": "h", "hostPath": {"path": "/no/such/dir/anywhere"}}, "does not exist"),
    ({"name": "x", "nfs": {"server": "s", "path": "/"}}, "only emptyDir, hostPath, configMap and secret"),
])
async def test_volumes_that_cannot_be_made_are_one_line_errors(tmp_path, volume, message):
    with pytest.raises(errors.BadPod, match=message):
        await volumes.materialise(FakeClient(CONFIG, namespace="ns"), tmp_path, _pod(volume))


async def test_an_optional_missing_config_map_is_an_empty_directory(tmp_path):
    sources, _ = await volumes.materialise(FakeClient(namespace="ns"), tmp_path,
                                           _pod({"name": "c", "configMap": {"name": "gone", "optional": True}}))
    assert list(tmp_path.joinpath(sources["c"]).iterdir()) == []
