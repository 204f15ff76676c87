"""A Kubernetes pod as a pod sandbox (``rkt app sandbox`` flags) and its containers as ``rkt app add`` words."""

from __future__ import annotations

from rktnetes.kubelet import sandboxtranslating, translating

POD = {"metadata": {"name": "web", "namespace": "ns", "uid": "u1"},
       "spec": {"nodeName": "n1", "containers": [
           {"name": "main", "image": "busybox:1", "command": ["/bin/sh", "-c", "echo $(GREETING)"],
            "env": [{"name": "GREETING", "value": "hi"}], "volumeMounts": [{"name": "data", "mountPath": "/d"}]}]}}


def _plan(**kw) -> translating.Plan:
    return translating.Plan(volume_sources={"data": "/var/lib/data"}, network="podnet", **kw)


def test_the_sandbox_gets_the_pods_hostname_network_volumes_and_annotations():
    args = sandboxtranslating.sandbox_args(POD, _plan(pod_ip="10.244.1.7"))
    assert args[:3] == ["--hostname=web", "--net=podnet:IP=10.244.1.7", "--volume=data,kind=host,source=/var/lib/data"]
    assert "--annotation=rktnetes.io/pod-uid=u1" in args and "--annotation=rktnetes.io/node=n1" in args
    assert not [w for w in args if w.startswith(("--exec", "--name", "docker://"))]  # no app in the sandbox


def test_a_container_is_app_add_words_with_its_restart_count():
    words = sandboxtranslating.app_words(POD, POD["spec"]["containers"][0], _plan(), restarts=3)
    assert words[:2] == ["docker://busybox:1", "--annotation=rktnetes.io/restart-count=3"]
    assert "--environment=GREETING=hi" in words and "--mount=volume=data,target=/d" in words
    assert not [w for w in words if w.startswith("--name=")]
    assert words[-4:] == ["--", "-c", "echo hi", "---"]


def test_the_pull_policy_is_the_containers_own_until_the_kubelet_pulled():
    container = POD["spec"]["containers"][0]
    assert sandboxtranslating.pull_policy(container, _plan()) == "new"
    assert sandboxtranslating.pull_policy({**container, "imagePullPolicy": "Always"}, _plan()) == "update"
    assert sandboxtranslating.pull_policy({**container, "imagePullPolicy": "Always"}, _plan(pulled=True)) == "new"
