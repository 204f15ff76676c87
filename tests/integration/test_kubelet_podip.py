"""status.podIP in a container's env on the real kubelet and rkt: the kubelet chooses the address, rkt's CNI ADD
(host-local) gives the pod exactly that one, and the env, the status and the pod's own interface agree."""

from __future__ import annotations

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
