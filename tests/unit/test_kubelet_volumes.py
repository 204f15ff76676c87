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
    ({"name": "x", "nfs": {"server": "s", "path": "/"}}, "only emptyDir, hostPath, configMap, secret, downwardAPI and projected"),
])
async def test_volumes_that_cannot_be_made_are_one_line_errors(tmp_path, volume, message):
    with pytest.raises(errors.BadPod, match=message):
        await volumes.materialise(FakeClient(CONFIG, namespace="ns"), tmp_path, _pod(volume))


async def test_an_optional_missing_config_map_is_an_empty_directory(tmp_path):
    sources, _ = await volumes.materialise(FakeClient(namespace="ns"), tmp_path,
                                           _pod({"name": "c", "configMap": {"name": "gone", "optional": True}}))
    assert list(tmp_path.joinpath(sources["c"]).iterdir()) == []


class TokenClient(FakeClient):
    async def create_subresource(self, resource, name, subresource, body, namespace=None):
        self.requested = (resource, name, subresource, body, namespace)
        return {"status": {"token": "header.claims.signature"}}


async def test_downward_api_and_projected_volumes(tmp_path):
    api = TokenClient(CONFIG, SECRET, namespace="ns")
    pod = _pod({"name": "d", "downwardAPI": {"items": [
                   {"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
                   {"path": "name", "fieldRef": {"fieldPath": "metadata.name"}},
                   {"path": "mem", "resourceFieldRef": {"containerName": "c", "resource": "limits.memory",
                                                        "divisor": "1Mi"}}]}},
               {"name": "p", "projected": {"sources": [
                   {"serviceAccountToken": {"path": "token", "audience": "api", "expirationSeconds": 600}},
                   {"configMap": {"name": "cfg", "items": [{"key": "a.conf", "path": "conf/a"}]}},
                   {"secret": {"name": "sec"}}]}})
    pod["metadata"]["labels"] = {"b": "2", "a": "1"}
    pod["spec"]["containers"] = [{"name": "c", "resources": {"limits": {"memory": "128Mi"}}}]
    pod["spec"]["serviceAccountName"] = "robot"
    dirs, read_only = await volumes.materialise(api, tmp_path, pod)
    assert read_only == {"d", "p"}
    downward = tmp_path.joinpath(dirs["d"])
    assert (downward / "labels").read_text() == 'a="1"\nb="2"\n' and (downward / "name").read_text() == "p"
    assert (downward / "mem").read_text() == "128"
    projected = tmp_path.joinpath(dirs["p"])
    assert (projected / "token").read_text() == "header.claims.signature"
    assert (projected / "conf" / "a").read_text() == "alpha" and (projected / "password").read_bytes() == b"s3cret"
    resource, name, sub, body, namespace = api.requested
    assert (resource, name, sub, namespace) == ("serviceaccounts", "robot", "token", "ns")
    assert body["spec"]["audiences"] == ["api"] and body["spec"]["expirationSeconds"] == 600
    assert body["spec"]["boundObjectRef"] == {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "uid-1"}


async def test_host_path_types(tmp_path):
    (tmp_path / "a-file").write_text("x")
    made = tmp_path / "new" / "file"
    pod = _pod({"name": "f", "hostPath": {"path": str(tmp_path / "a-file"), "type": "File"}},
               {"name": "g", "hostPath": {"path": str(made), "type": "FileOrCreate"}})
    dirs, _ = await volumes.materialise(FakeClient(), tmp_path, pod)
    assert dirs == {"f": str(tmp_path / "a-file"), "g": str(made)} and made.is_file()
    with pytest.raises(errors.BadPod, match="is not a Directory"):
        await volumes.materialise(FakeClient(), tmp_path, _pod({"name": "d", "hostPath": {
            "path": str(tmp_path / "a-file"), "type": "Directory"}}))
