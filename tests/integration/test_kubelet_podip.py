"""status.podIP in a container's env on the real kubelet and rkt: the kubelet chooses the address, rkt's CNI ADD
(host-local) gives the pod exactly that one, and the env, the status and the pod's own interface agree."""

from __future__ import annotations

import json

from rktnetes.client.fake import FakeClient
from rktnetes.kubelet import podip, pullingrkt, syncing
from rktnetes.kubelet.runtime import Runtime
from rktnetes.rkt import paths as rkt_paths


def _cni_args(kubelet, ip: str) -> str:
    """The CNI_ARGS rkt recorded for the running pod holding ``ip``."""
    [uuid] = [p["uuid"] for p in kubelet.rkt_pods() if p["state"] == "running" and
              any(n.get("ip") == ip for n in p.get("networks") or [])]
    return rkt_paths.pod_networks_path(rkt_paths.pod_dir(kubelet.rkt_dir, "run", uuid)).read_text()

ENV = [{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
       {"name": "POD_IPS", "valueFrom": {"fieldRef": {"fieldPath": "status.podIPs"}}},
       {"name": "URL", "value": "http://$(POD_IP):8080/"}]


def test_pods_log_their_own_status_pod_ip(kubelet, namespace, testhost):
    script = "echo ip=$POD_IP ips=$POD_IPS url=$URL; ip -4 -o addr show eth0; exec sleep 300"
    for name in ("one", "two"):
        kubelet.create_pod(namespace, name, script, terminationGracePeriodSeconds=0,
                           containers=[{"name": "main", "image": kubelet.image(), "env": ENV,
                                        "command": ["/bin/sh", "-c", script]}])
    for name in ("one", "two"):
        ip = kubelet.wait_phase(namespace, name, "Running")["status"]["podIP"]
        assert ip.startswith("172.16.28.")
        logs = kubelet.wait_for("the env line", lambda n=name: "eth0" in (out := kubelet.apiserver.kubectl(
            "logs", "-n", namespace, n).stdout) and out)
        first, second = logs.splitlines()[:2]
        assert first == f"ip={ip} ips={ip} url=http://{ip}:8080/"
        assert f" {ip}/" in second
        assert testhost.run(["busybox", "ping", "-c", "1", "-W", "2", ip]).returncode == 0
        assert f"IP={ip}" in _cni_args(kubelet, ip)
    ips = {kubelet.pod(namespace, n)["status"]["podIP"] for n in ("one", "two")}
    assert len(ips) == 2


def test_a_pod_without_the_env_gets_its_address_from_host_local(kubelet, namespace):
    kubelet.create_pod(namespace, "plain", "exec sleep 300", terminationGracePeriodSeconds=0)
    ip = kubelet.wait_phase(namespace, "plain", "Running")["status"]["podIP"]
    assert ip.startswith("172.16.28.") and "IP=" not in _cni_args(kubelet, ip)


class _Raced(podip.Chooser):
    """A chooser whose first address another pod takes right after it is chosen (a host-local lease appears),
    as when two starts race: rkt's ADD refuses it."""

    def choose(self, held: set[str]) -> str:
        address = super().choose(held)
        if not self.raced:
            self.raced = address
            lease = rkt_paths.net_ipam_dir(self.runtime.root) / self.network / address
            lease.parent.mkdir(parents=True, exist_ok=True)
            lease.write_text("another-pod\neth0")
        return address


async def test_the_syncer_on_real_rkt_takes_another_address_when_the_add_refuses(kubelet_rkt_dir, testhost,
                                                                                 registry, tmp_path):
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "raced", "namespace": "ns", "uid": "uid-raced"},
           "spec": {"nodeName": "n1", "terminationGracePeriodSeconds": 0, "containers": [
               {"name": "main", "image": f"{registry}/busybox:latest", "command": ["/bin/sleep", "300"],
                "env": [{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}]}]}}
    runtime = Runtime(kubelet_rkt_dir, "image,http", node_netns=str(testhost.path), node_name="n1")
    syncer = syncing.PodSyncer(FakeClient(pod, namespace="ns"), type("Cache", (), {"get": lambda _s, _k: pod})(),
                               runtime, syncing.Settings(tmp_path, "127.0.0.1"), images=pullingrkt.RktImages(runtime))
    syncer.podips = _Raced("default", runtime)
    syncer.podips.raced = ""
    try:
        await syncer.sync("ns/raced")
        [started] = [r for r in await runtime.pods() if r.uid == "uid-raced" and r.running]
        assert syncer.podips.raced and started.ip != syncer.podips.raced and started.ip in syncer.podips.handed
        assert len([r for r in await runtime.pods() if r.uid == "uid-raced"]) == 1  # the refused one is removed
        manifest = json.loads(rkt_paths.pod_manifest_path(started.path).read_text())
        env = {e["name"]: e["value"] for e in manifest["apps"][0]["app"]["environment"]}
        assert env["POD_IP"] == started.ip
    finally:
        for left in [r for r in await runtime.pods() if r.uid == "uid-raced"]:
            await runtime.stop(left.info.uuid, 0)
            await runtime.remove(left.info.uuid)
        (rkt_paths.net_ipam_dir(kubelet_rkt_dir) / "default" / (syncer.podips.raced or "none")).unlink(missing_ok=True)
