"""Pull Secrets parsed, the imagePullPolicy table, the kubelet's back-off, Go durations, and ``Puller`` on a fake
store: the events and errors of each case, credentials in a private dir only while the fetch runs."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from rktnetes.client.fake import FakeClient
from rktnetes.kubelet import credentials, errors, pulling


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def _secret(name: str, auths: dict, kind: str = "kubernetes.io/dockerconfigjson") -> dict:
    key = ".dockerconfigjson" if kind.endswith("json") else ".dockercfg"
    body = json.dumps({"auths": auths} if key == ".dockerconfigjson" else auths)
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "ns"}, "type": kind,
            "data": {key: _b64(body)}}


def test_dockerconfigjson_entries_by_auth_or_username_and_hosts_normalised():
    doc = {"auths": {"https://reg.example:5000/v2/": {"auth": _b64("u1:p:w")},
                     "https://index.docker.io/v1/": {"username": "hub", "password": "x"}, "bad": {"auth": "!!"}}}
    ring = credentials.parse_secret("kubernetes.io/dockerconfigjson", {".dockerconfigjson": json.dumps(doc).encode()})
    assert ring == {"reg.example:5000": ("u1", "p:w"), "docker.io": ("hub", "x")}
    legacy = credentials.parse_secret("kubernetes.io/dockercfg", {".dockercfg": b'{"127.0.0.1:5000": {"auth": "dTpw"}}'})
    assert legacy == {"127.0.0.1:5000": ("u", "p")}


@pytest.mark.parametrize("kind,data", [("kubernetes.io/dockerconfigjson", {}), ("Opaque", {"x": b"{}"}),
                                       ("kubernetes.io/dockercfg", {".dockercfg": b"not json"}),
                                       ("kubernetes.io/dockerconfigjson", {".dockerconfigjson": b'{"auths": 3}'})])
def test_malformed_pull_secrets_are_bad_pods(kind, data):
    with pytest.raises(errors.BadPod):
        credentials.parse_secret(kind, data)


def test_lookup_by_the_images_registry():
    ring = {"reg.example:5000": ("a", "b"), "docker.io": ("h", "i")}
    assert credentials.lookup(ring, "reg.example:5000/x/y:1") == ("reg.example:5000", ("a", "b"))
    assert credentials.lookup(ring, "docker://busybox") == ("docker.io", ("h", "i"))
    assert credentials.lookup(ring, "other.example/busybox") is None


def test_config_dir_is_private_and_removed(tmp_path):
    with credentials.config_dir(tmp_path, "r:1", ("u", "p")) as top:
        auth = top / "auth.d" / "pull.json"
        assert top.stat().st_mode & 0o777 == 0o700 and auth.stat().st_mode & 0o777 == 0o600
        assert json.loads(auth.read_text()) == {"rktKind": "dockerAuth", "rktVersion": "v1", "registries": ["r:1"],
                                                "credentials": {"user": "u", "password": "p"}}
    assert not top.exists()


@pytest.mark.parametrize("container,policy", [
    ({"image": "busybox"}, "Always"), ({"image": "r:5000/busybox:latest"}, "Always"),
    ({"image": "r:5000/busybox:1.36"}, "IfNotPresent"), ({"image": "busybox@sha256:" + "a" * 64}, "IfNotPresent"),
    ({"image": "busybox", "imagePullPolicy": "Never"}, "Never")])
def test_default_policy_by_tag(container, policy):
    assert pulling.policy_of(container) == policy


@pytest.mark.parametrize("policy,present,pull", [("Always", True, True), ("Always", False, True),
                                                 ("IfNotPresent", True, False), ("IfNotPresent", False, True),
                                                 ("Never", True, False), ("Never", False, False)])
def test_policy_table(policy, present, pull):
    assert pulling.should_pull(policy, present) is pull


def test_backoff_doubles_to_the_maximum_and_resets_when_idle():
    now = [100.0]
    backoff = pulling.BackOff(10, 300, clock=lambda: now[0])
    assert [backoff.next("k") for _ in range(7)] == [10, 20, 40, 80, 160, 300, 300]
    assert backoff.left("k") == 300 and backoff.left("other") == 0
    now[0] += 601
    assert backoff.next("k") == 10


@pytest.mark.parametrize("seconds,text", [(0.0004, "0s"), (0.5129, "512ms"), (1.5, "1.5s"), (2.0, "2s"),
                                          (123.4, "2m3.4s")])
def test_go_duration(seconds, text):
    assert pulling.go_duration(seconds) == text


class FakeImages:
    def __init__(self, stored: set[str], fail: str = "") -> None:
        self.stored, self.fail, self.fetches = stored, fail, []

    async def present(self, image: str):
        return type("Info", (), {"size": 42})() if image in self.stored else None

    async def fetch(self, image: str, policy: str, config: Path | None) -> None:
        auth = json.loads((config / "auth.d" / "pull.json").read_text()) if config else None
        self.fetches.append((image, policy, auth and auth["credentials"]))
        if self.fail:
            raise errors.ImagePullFailure(self.fail)
        self.stored.add(image)


POD = {"metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
       "spec": {"imagePullSecrets": [{"name": "reg"}], "containers": []}}


def _puller(tmp_path, images, now):
    events = []
    api = FakeClient(_secret("reg", {"r:1": {"auth": _b64("me:pw")}}), namespace="ns")
    backoff = pulling.BackOff(10, 300, clock=lambda: now[0])
    return pulling.Puller(images, api, tmp_path, backoff, lambda _p, *e: events.append(e)), events


async def test_a_pull_with_credentials_then_back_off_after_a_401(tmp_path):
    now, images = [0.0], FakeImages(set())
    puller, events = _puller(tmp_path, images, now)
    await puller.ensure(POD, [{"image": "r:1/app:v1", "imagePullPolicy": "IfNotPresent"}])
    assert images.fetches == [("docker://r:1/app:v1", "new", {"user": "me", "password": "pw"})]
    assert events[0] == ("Normal", "Pulling", 'Pulling image "r:1/app:v1"')
    assert events[1][1] == "Pulled" and events[1][2].endswith("including waiting). Image size: 42 bytes.")
    images.fail = "GET http://r:1/v2/app/manifests/v2: 401 Unauthorized"
    with pytest.raises(errors.ImagePullFailure) as failed:
        await puller.ensure(POD, [{"image": "r:1/app:v2"}])
    assert failed.value.reason == "ErrImagePull" and "401" in str(failed.value) and puller.retry_in(POD) == 10
    now[0] = 4.0
    with pytest.raises(errors.ImagePullBackOff) as backing:
        await puller.ensure(POD, [{"image": "r:1/app:v2"}])
    assert backing.value.wait == 6 and str(backing.value).startswith('Back-off pulling image "r:1/app:v2": '
                                                                     'ErrImagePull: GET')
    assert events[-1] == ("Normal", "BackOff", 'Back-off pulling image "r:1/app:v2"') and len(images.fetches) == 2
    assert list(credentials.pull_configs_dir(tmp_path).iterdir()) == []


async def test_never_and_if_not_present_use_the_store(tmp_path):
    images = FakeImages({"docker://r:1/app:v1"})
    puller, events = _puller(tmp_path, images, [0.0])
    await puller.ensure(POD, [{"image": "r:1/app:v1", "imagePullPolicy": "IfNotPresent"},
                              {"image": "r:1/app:v1", "imagePullPolicy": "Never"}])
    assert images.fetches == [] and events == [("Normal", "Pulled", 'Container image "r:1/app:v1" already present '
                                                                    "on machine")] * 2
    with pytest.raises(errors.ImageNeverPull, match='is not present with pull policy of Never'):
        await puller.ensure(POD, [{"image": "r:1/other:v1", "imagePullPolicy": "Never"}])
    assert events[-1][:2] == ("Warning", "ErrImageNeverPull")


def test_leftover_config_dirs_of_a_killed_kubelet_are_removed(tmp_path):
    leftover = credentials.pull_configs_dir(tmp_path) / "pull-x" / "auth.d"
    leftover.mkdir(parents=True)
    (leftover / "pull.json").write_text("{}")
    _puller(tmp_path, FakeImages(set()), [0.0])
    assert list(credentials.pull_configs_dir(tmp_path).iterdir()) == []


async def test_the_syncer_waits_in_err_image_pull_then_image_pull_back_off(tmp_path):
    from rktnetes.kubelet import syncing
    from tests.unit.test_kubelet_syncing import FakeRuntime

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
           "spec": {"nodeName": "n1", "containers": [{"name": "main", "image": "r:1/app:v1", "command": ["/bin/true"],
                                                      "imagePullPolicy": "Always"}]}}
    api = FakeClient(pod, namespace="ns")
    runtime, images = FakeRuntime(), FakeImages(set(), fail="GET http://r:1/v2/app/manifests/v1: 401 Unauthorized")
    syncer = syncing.PodSyncer(api, type("Cache", (), {"get": lambda _s, _k: pod})(), runtime,
                               syncing.Settings(tmp_path, "127.0.0.1", backoff=10), images=images)
    result = await syncer.sync("ns/p")
    assert result.requeue_after == pytest.approx(5, abs=0.5) and runtime.calls == []
    waiting = (await api.get("pods", "p", "ns"))["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["reason"] == "ErrImagePull" and "401" in waiting["message"]
    again = await syncer.sync("ns/p")  # woken early: the state stays, no second pull
    assert again.requeue_after <= 5 and len(images.fetches) == 1
    syncer.puller.due.clear()
    backing = await syncer.sync("ns/p")
    waiting = (await api.get("pods", "p", "ns"))["status"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["reason"] == "ImagePullBackOff" and backing.requeue_after == pytest.approx(10, abs=0.5)
    images.fail, syncer.puller.backoff.entries = "", {}
    syncer.puller.due.clear()
    await syncer.sync("ns/p")
    assert [c[0] for c in runtime.calls] == ["prepare", "start"]
    assert "--pull-policy=new" in runtime.calls[0][1]


def test_the_rkt_fetch_command_line_names_the_private_dir_never_the_credentials(tmp_path):
    from rktnetes.kubelet import pullingrkt
    from rktnetes.kubelet.runtime import Runtime

    rkt = pullingrkt.RktImages(Runtime(tmp_path / "rkt", "image,http", local_config=tmp_path / "etc"))
    with credentials.config_dir(tmp_path, "r:1", ("me", "pw-secret")) as config:
        argv = rkt.argv("docker://r:1/app:v1", "update", config)
    assert argv[1:] == [f"--dir={tmp_path / 'rkt'}", f"--local-config={tmp_path / 'etc'}",
                        "--insecure-options=image,http", f"--system-config={config}", "fetch", "--full",
                        "--pull-policy=update", "docker://r:1/app:v1"]
    assert not any("pw-secret" in word or "me:" in word for word in argv)
    assert "--system-config" not in " ".join(rkt.argv("docker://r:1/app:v1", "new", None))
