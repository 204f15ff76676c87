"""The pod IP chosen before the pod starts: which pods need it, the address pool of a host-local network, what
counts as taken, the env and ``--net`` words, and the syncer trying another address when the ADD refuses one."""

from __future__ import annotations

import json
import random

import pytest

from rktnetes.client.fake import FakeClient
from rktnetes.kubelet import environment, errors, podip, syncing, translating
from rktnetes.rkt import paths as rkt_paths
from tests.unit.test_kubelet_syncing import FakeRuntime

ENV = [{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]


def _pod(env=ENV, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
            "spec": {"nodeName": "n1", "containers": [{"name": "main", "image": "busybox:1", "command": ["/bin/true"],
                                                       "env": env}], **spec}}


def test_only_pods_whose_env_asks_need_an_ip():
    assert podip.wants_pod_ip(_pod())
    assert podip.wants_pod_ip(_pod([{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "status.podIPs"}}}]))
    assert not podip.wants_pod_ip(_pod([{"name": "X", "value": "1"}]))
    assert not podip.wants_pod_ip(_pod(hostNetwork=True))


def test_pool_skips_the_gateway_and_honours_the_range():
    assert [str(a) for a in podip.pool({"subnet": "10.0.0.0/29"})] == [f"10.0.0.{i}" for i in range(2, 7)]
    ranged = {"ranges": [[{"subnet": "10.1.0.0/24", "rangeStart": "10.1.0.10", "rangeEnd": "10.1.0.12",
                           "gateway": "10.1.0.11"}]]}
    assert [str(a) for a in podip.pool(ranged)] == ["10.1.0.10", "10.1.0.12"]


def _net_d(tmp_path, subnet: str):
    folder = rkt_paths.net_d_dir(tmp_path / "etc")
    folder.mkdir(parents=True)
    conf = {"name": "pods", "type": "ptp", "ipam": {"type": "host-local", "subnet": subnet}}
    (folder / "10-pods.conf").write_text(json.dumps(conf))
    return tmp_path / "etc"


class _Rkt:
    def __init__(self, root, local_config) -> None:
        self.root, self.local_config = root, local_config


def test_chooser_avoids_held_leased_and_recently_handed_addresses(tmp_path):
    config = _net_d(tmp_path, "10.9.0.0/29")  # .2 … .6
    leases = rkt_paths.net_ipam_dir(tmp_path / "rkt") / "pods"
    leases.mkdir(parents=True)
    (leases / "10.9.0.3").write_text("x")
    (leases / "last_reserved_ip.0").write_text("10.9.0.3")
    chooser = podip.Chooser("pods", _Rkt(tmp_path / "rkt", config), rng=random.Random(1))
    first = chooser.choose({"10.9.0.2"})
    second = chooser.choose({"10.9.0.2"})
    assert {first, second} == {"10.9.0.4", "10.9.0.5", "10.9.0.6"} - {chooser.choose({"10.9.0.2"})}
    with pytest.raises(errors.BadPod, match="no free address"):
        chooser.choose({"10.9.0.2"})


def test_builtin_default_network_and_a_network_without_host_local(tmp_path):
    chooser = podip.Chooser("default", _Rkt(tmp_path / "rkt", tmp_path / "none"))
    assert chooser.choose(set()).startswith("172.16.28.")
    with pytest.raises(errors.BadPod, match="unknown-net"):
        podip.Chooser("unknown-net", _Rkt(tmp_path / "rkt", tmp_path / "none")).choose(set())


def test_env_and_net_words_carry_the_chosen_address():
    pod = _pod()
    plan = translating.Plan(network="pods", pod_ip="10.9.0.4")
    words = translating.prepare_args(pod, plan)
    assert "--net=pods:IP=10.9.0.4" in words and "--environment=POD_IP=10.9.0.4" in words
    assert environment.field_value(pod, "status.podIPs", "127.0.0.1", "10.9.0.4") == "10.9.0.4"
    assert "--net=pods" in translating.prepare_args(_pod([]), translating.Plan(network="pods"))
    with pytest.raises(errors.BadPod):
        environment.field_value(pod, "status.podIP", "127.0.0.1")


class RefusingRuntime(FakeRuntime):
    def __init__(self, root, refusals: int) -> None:
        super().__init__()
        self.root, self.local_config, self.refusals, self.asked = root, None, refusals, []

    async def prepare(self, args):
        self.asked.append(next(a for a in args if a.startswith("--net=")))
        return await super().prepare(args)

    async def start(self, uuid):
        if self.refusals:
            self.refusals -= 1
            raise errors.RuntimeFailure(f"pod {uuid} did not start: requested IP address is not available")
        await super().start(uuid)


@pytest.mark.parametrize("refusals,started", [(1, True), (podip.ATTEMPTS, False)])
async def test_the_syncer_tries_another_address_when_the_add_refuses(tmp_path, refusals, started):
    api = FakeClient(_pod(), namespace="ns")
    runtime = RefusingRuntime(tmp_path / "rkt", refusals)
    syncer = syncing.PodSyncer(api, type("Cache", (), {"get": lambda _s, _k: _pod()})(), runtime,
                               syncing.Settings(tmp_path, "127.0.0.1"))
    if started:
        await syncer.sync("ns/p")
    else:
        with pytest.raises(errors.RuntimeFailure):
            await syncer.sync("ns/p")
    assert len(runtime.asked) == refusals + (1 if started else 0) and all(
        a.startswith("--net=default:IP=172.16.28.") for a in runtime.asked)
    assert len(set(runtime.asked)) == len(runtime.asked)
    assert ("remove" in {c[0] for c in runtime.calls}) is True
