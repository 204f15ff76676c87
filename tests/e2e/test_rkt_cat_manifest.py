"""``rkt cat-manifest``: the appc PodManifest stage0 wrote, CLI overrides included."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.e2e


def test_cat_manifest(rkt):
    uuid = rkt("prepare", "--net=none", "--volume=data,kind=empty", "--annotation=k8s.io/pod-uid=1234", "busybox", "--name=web", "--memory=64Mi",
               "--mount=volume=data,target=/data", "--exec", "/bin/echo", "--", "hi", "---", check=True).stdout.strip()
    doc = json.loads(rkt("cat-manifest", uuid, check=True).stdout)
    assert doc["acKind"] == "PodManifest"
    app = doc["apps"][0]
    assert app["name"] == "web" and app["app"]["exec"] == ["/bin/echo", "hi"]
    assert app["image"]["name"] == "busybox" and app["image"]["id"].startswith("sha512-")
    assert {"name": "resource/memory", "value": {"limit": str(64 << 20)}} in app["app"]["isolators"]
    assert app["mounts"] == [{"volume": "data", "path": "/data"}]
    assert doc["volumes"][0]["name"] == "data"
    assert {"name": "k8s.io/pod-uid", "value": "1234"} in doc["annotations"]
    listed = {p["uuid"]: p for p in rkt.pods()}
    assert listed[uuid]["annotations"]["k8s.io/pod-uid"] == "1234"
