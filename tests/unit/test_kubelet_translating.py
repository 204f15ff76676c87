"""A Kubernetes pod → ``rkt prepare`` arguments (pure)."""

from __future__ import annotations

import pytest

from rktnetes.kubelet import errors, translating
from rktnetes.kubelet.translating import Plan
from rktnetes.rkt.pods import appargs


def _pod(**spec) -> dict:
    container = {"name": "web", "image": "127.0.0.1:5000/busybox:1.35", "command": ["/bin/sh", "-c", "echo hi"],
                 "args": ["extra"], "workingDir": "/srv", "imagePullPolicy": "IfNotPresent",
                 "env": [{"name": "A", "value": "1"},
                         {"name": "ME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}],
                 "resources": {"limits": {"memory": "64Mi", "cpu": "250m"}, "requests": {"memory": "32Mi", "cpu": "100m"}},
                 "volumeMounts": [{"name": "data", "mountPath": "/data"}]}
    return {"metadata": {"name": "web-1", "namespace": "prod", "uid": "u-1", "labels": {"app": "web"}},
            "spec": {"containers": [container], **spec}, "status": {"qosClass": "Burstable"}}


def test_prepare_args_carry_every_field():
    plan = Plan(volume_sources={"data": "/var/k/data"}, network="default", node_ip="10.0.0.5", restarts=2,
                memory_capacity=2**30)
    words = translating.prepare_args(_pod(), plan)
    assert words[:4] == ["--hostname=web-1", "--net=default", "--pull-policy=new",
                         "--volume=data,kind=host,source=/var/k/data"]
    assert "--annotation=rktnetes.io/pod-uid=u-1" in words and "--annotation=rktnetes.io/restart-count=2" in words
    app = words[words.index("docker://127.0.0.1:5000/busybox:1.35"):]
    assert app == ["docker://127.0.0.1:5000/busybox:1.35", "--name=web", "--working-dir=/srv", "--environment=A=1",
                   "--environment=ME=web-1", "--memory=64Mi", "--cpu=250m", "--cpu-shares=102",
                   "--oom-score-adj=969", "--mount=volume=data,target=/data",
                   "--exec=/bin/sh", "--", "-c", "echo hi", "extra", "---"]


def test_rkt_parses_the_app_words_as_meant():
    words = translating.prepare_args(_pod(), Plan(volume_sources={"data": "/d"}))
    [spec] = appargs.parse([w for w in words if not w.startswith(("--hostname", "--net", "--pull", "--volume",
                                                                  "--annotation"))])
    assert spec.exec == "/bin/sh" and spec.args == ["-c", "echo hi", "extra"] and spec.name == "web"
    assert spec.memory == 64 * 2**20 and spec.cpu_millis == 250 and spec.environment == {"A": "1", "ME": "web-1"}
    assert spec.mounts == [("data", "/data")] and spec.working_dir == "/srv"
    assert spec.cpu_shares == 102 and spec.oom_score_adj == 999  # Burstable, node memory unknown


@pytest.mark.parametrize(("qos", "requests", "score"), [
    ("Guaranteed", {"memory": "64Mi"}, -997), ("BestEffort", {}, 1000), ("Burstable", {"memory": "512Mi"}, 500),
    ("Burstable", {"memory": "4Gi"}, 2), ("Burstable", {"memory": "1"}, 999), ("Burstable", {}, 999),
])
def test_oom_score_follows_the_qos_class(qos, requests, score):
    pod = {"status": {"qosClass": qos}}
    assert translating.oom_score_adj(pod, {"resources": {"requests": requests}}, 2**30) == score


def test_host_network_read_only_volumes_and_security_context():
    pod = _pod(hostNetwork=True, securityContext={"runAsUser": 1000, "runAsGroup": 100})
    words = translating.prepare_args(pod, Plan(volume_sources={"data": "/d"}, read_only={"data"}))
    assert "--net=host" in words and "--volume=data,kind=host,source=/d,readOnly=true" in words
    assert "--user=1000" in words and "--group=100" in words


@pytest.mark.parametrize(("containers", "policy"), [
    ([{"image": "a:1", "imagePullPolicy": "Never"}], "never"),
    ([{"image": "a:1"}], "new"),
    ([{"image": "a"}], "update"),
    ([{"image": "r:5000/a:latest"}], "update"),
    ([{"image": "a:1", "imagePullPolicy": "Never"}, {"image": "b:2", "imagePullPolicy": "Always"}], "update"),
])
def test_pull_policy_is_the_most_eager(containers, policy):
    assert translating.pull_policy(containers) == policy


def test_image_refs_and_hostnames():
    assert translating.image_ref("busybox") == "docker://busybox"
    assert translating.image_ref("docker://r/x") == "docker://r/x"
    assert translating.hostname({"metadata": {"name": "a_b." + "x" * 80}, "spec": {}}) == "a-b." + "x" * 59


@pytest.mark.parametrize(("change", "message"), [
    ({"command": ["sh", "-c", "x"]}, "was not looked up"),
    ({"volumeMounts": [{"name": "nope", "mountPath": "/x"}]}, "no volume named 'nope'"),
    ({"resources": {"limits": {"memory": "lots"}}}, "memory='lots'"),
    ({"env": [{"name": "X", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]}, 'secret "s" not found'),
])
def test_untranslatable_pods_are_refused_with_one_line(change, message):
    pod = _pod()
    pod["spec"]["containers"][0].update(change)
    with pytest.raises(errors.BadPod, match=message):
        translating.prepare_args(pod, Plan(volume_sources={"data": "/d"}))


def test_a_pod_without_containers_is_refused():
    with pytest.raises(errors.BadPod, match="no containers"):
        translating.prepare_args({"metadata": {"name": "x", "namespace": "n", "uid": "u"}, "spec": {}}, Plan())
