"""``rktnetes start`` end to end, inside a throwaway test host: two nodes come up Ready for the real kubectl;
a Deployment of busybox httpd runs with pod IPs in its node's 10.244.N.0/24; its Service answers through the
ClusterIP from a node namespace and through the NodePort on every node IP from the host; a pod resolves it
by name through the cluster DNS and reaches the API server with busybox wget https://kubernetes.default, and a pod of another namespace finds that namespace's own ``web``; a kubelet killed with SIGKILL is restarted by its supervisor and adopts its pods; ``stop`` leaves no namespace or
process, ``start`` brings the pods back,
and ``delete`` leaves nothing at all."""

from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import signal
import subprocess
import time

import pytest
import yaml

from tests.fixtures.cluster import RKTNETES

pytestmark = pytest.mark.e2e


def _running_pods(cluster, count: int):
    def check():
        pods = cluster.kubectl_json("get", "pods", "-l", "app=web")["items"]
        running = [p for p in pods if p["status"].get("phase") == "Running" and p["status"].get("podIP")
                   and not p["metadata"].get("deletionTimestamp")]
        return running if len(running) >= count else None
    return cluster.wait_for(f"{count} web pods Running", check, timeout=90)


def _node_cidrs(cluster) -> dict[str, str]:
    return {f"{cluster.profile}" if i == 0 else f"{cluster.profile}-m{i + 1:02d}": f"10.244.{i}.0/24"
            for i in range(cluster.nodes)}


def _http(cluster, url: str) -> str:
    done = cluster.host.run(["curl", "-sf", "-m", "5", url], timeout=15)
    return done.stdout if done.returncode == 0 else ""


def _deploy_web(cluster) -> dict:
    cluster.kubectl("create", "deployment", "web", f"--image={cluster.image()}", "--replicas=2", "--",
                    "httpd", "-f", "-p", "80", "-h", "/etc")
    cluster.kubectl("expose", "deployment", "web", "--port=80", "--type=NodePort")
    return cluster.kubectl_json("get", "service", "web")


def _check_pods_on_their_nodes(cluster, pods) -> None:
    cidrs = _node_cidrs(cluster)
    for pod in pods:
        node = pod["spec"]["nodeName"]
        assert ipaddress.ip_address(pod["status"]["podIP"]) in ipaddress.ip_network(cidrs[node]), pod["status"]


def _pod_on_the_other_node(cluster, pods) -> dict:
    """A web pod on another node than ``pods[0]``; one pinned there if the scheduler put both together."""
    others = [p for p in pods if p["spec"]["nodeName"] != pods[0]["spec"]["nodeName"]]
    if others:
        return others[0]
    node = next(n for n in _node_cidrs(cluster) if n != pods[0]["spec"]["nodeName"])
    overrides = json.dumps({"spec": {"nodeName": node}})
    cluster.kubectl("run", "pinned", f"--image={cluster.image()}", f"--overrides={overrides}", "--command", "--",
                    "httpd", "-f", "-p", "80", "-h", "/etc")

    def running():
        pod = cluster.kubectl_json("get", "pod", "pinned")
        return pod if pod["status"].get("phase") == "Running" and pod["status"].get("podIP") else None
    return cluster.wait_for("the pinned pod Running", running, timeout=60)


def _check_pod_to_pod(cluster, pods) -> None:
    """Pods on two nodes talk directly, pod IP to pod IP, over the routes between the nodes."""
    other = _pod_on_the_other_node(cluster, pods)
    body = cluster.kubectl("exec", pods[0]["metadata"]["name"], "--", "/bin/busybox", "wget", "-q", "-O", "-",
                           f"http://{other['status']['podIP']}/hosts").stdout
    assert other["metadata"]["name"] in body, body


def _check_service(cluster, service: dict) -> None:
    cluster_ip = service["spec"]["clusterIP"]
    for index in range(cluster.nodes):
        def fetch(i=index):
            done = cluster.in_node(i, ["curl", "-sf", "-m", "5", f"http://{cluster_ip}/hosts"])
            return done.returncode == 0 and done.stdout
        assert "localhost" in cluster.wait_for(f"ClusterIP {cluster_ip} from node {index}", fetch)
    urls = cluster.rktnetes("service", "web", "--url").stdout.split()
    assert len(urls) == cluster.nodes and all(u.startswith("http://192.168.49.") for u in urls)
    for url in urls:
        assert "localhost" in cluster.wait_for(f"NodePort {url} from the host", lambda u=url: _http(cluster, u + "/hosts"))


def _check_dns(cluster, pod: str) -> None:
    def resolved():
        done = cluster.kubectl("exec", pod, "--", "/bin/busybox", "nslookup", "web.default.svc.cluster.local",
                                check=False)
        return done.returncode == 0 and done.stdout
    answer = cluster.wait_for("web.default.svc.cluster.local resolved by a pod", resolved, timeout=30)
    assert cluster.kubectl_json("get", "service", "web")["spec"]["clusterIP"] in answer
    body = cluster.kubectl("exec", pod, "--", "/bin/busybox", "wget", "-q", "-O", "-", "http://web/hosts").stdout
    assert "localhost" in body


def _check_api_from_a_pod(cluster, pod: str) -> None:
    """busybox wget (its own TLS) reaches the API server through the kubernetes Service by name."""
    done = cluster.kubectl("exec", pod, "--", "/bin/busybox", "wget", "-q", "-O", "-",
                           "https://kubernetes.default/version", check=False)
    assert done.returncode == 0 and '"gitVersion"' in done.stdout, done.stdout + done.stderr


def _check_namespace_dns(cluster) -> None:
    """A pod of another namespace finds its own namespace's ``web`` by the short name."""
    cluster.kubectl("create", "namespace", "other")
    cluster.kubectl("create", "deployment", "web", "-n", "other", f"--image={cluster.image()}", "--",
                    "sleep", "3600")
    cluster.kubectl("expose", "deployment", "web", "-n", "other", "--port=80")
    other_ip = cluster.kubectl_json("get", "service", "web", "-n", "other")["spec"]["clusterIP"]

    def pod_name():
        pods = cluster.kubectl_json("get", "pods", "-n", "other")["items"]
        return next((p["metadata"]["name"] for p in pods if p["status"].get("phase") == "Running"), None)
    pod = cluster.wait_for("a Running pod in namespace other", pod_name, timeout=60)
    resolv = cluster.kubectl("exec", "-n", "other", pod, "--", "/bin/busybox", "cat", "/etc/resolv.conf").stdout
    assert "search other.svc.cluster.local svc.cluster.local cluster.local" in resolv, resolv
    ping = cluster.kubectl("exec", "-n", "other", pod, "--", "/bin/busybox", "ping", "-c1", "-W1", "web", check=False)
    assert f"({other_ip})" in ping.stdout, ping.stdout + ping.stderr


def _check_kubelet_refuses_strangers(cluster, pod: dict) -> None:
    """A kubelet's API answers the API server (kubectl exec worked) but not a caller without the cluster's
    client certificate."""
    url = f"https://{pod['status']['hostIP']}:10250/containerLogs/default/{pod['metadata']['name']}/busybox"
    code = cluster.host.run(["curl", "-sk", "-m", "5", "-o", "/dev/null", "-w", "%{http_code}", url]).stdout
    assert code in ("000", "401", "403"), code


def _check_node_credentials(cluster) -> None:
    """Each kubelet runs on its own node's certificate: with it, the real kubectl may label its own Node but
    gets 403 Forbidden patching the other one."""
    first, second = _node_cidrs(cluster)
    kubeconfig = cluster.dir / "nodes" / first / "kubelet.kubeconfig"
    assert f"--kubeconfig={kubeconfig}" in (cluster.dir / "run" / f"kubelet-{first}.pid").read_text()
    patch = ["patch", "node", "-p", '{"metadata":{"labels":{"checked":"yes"}}}']
    own = cluster.host.run(["kubectl", f"--kubeconfig={kubeconfig}", *patch[:2], first, *patch[2:]], timeout=60)
    assert own.returncode == 0, own.stderr
    other = cluster.host.run(["kubectl", f"--kubeconfig={kubeconfig}", *patch[:2], second, *patch[2:]], timeout=60)
    assert other.returncode == 1 and "(Forbidden)" in other.stderr, other.stderr


def _rkt_uuids(pods) -> set[str]:
    return {c["containerID"].removeprefix("rkt://").split(":")[0]
            for p in pods for c in p["status"].get("containerStatuses") or [] if c.get("containerID")}


def _cgroups_left(uuids: set[str]) -> list[str]:
    names = [w for u in sorted(uuids) for w in ("-o", "-name", u)][1:]
    done = subprocess.run(["find", "/sys/fs/cgroup", "-maxdepth", "8", "-type", "d", "(", *names, ")"],
                          capture_output=True, text=True, timeout=60, check=False)
    return done.stdout.split()


def _check_secrets_reach_pods(cluster) -> None:
    """On its node's credentials a kubelet still reads the Secret and ConfigMap its pod uses (the Node
    authorizer's graph lets it), and the pod sees them."""
    cluster.kubectl("create", "secret", "generic", "creds", "--from-literal=password=s3cret")
    cluster.kubectl("create", "configmap", "settings", "--from-literal=mode=fast")
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "uses-secrets"},
           "spec": {"containers": [{"name": "c", "image": cluster.image(), "command": ["sleep", "3600"],
                                    "env": [{"name": "PASSWORD", "valueFrom": {"secretKeyRef": {
                                        "name": "creds", "key": "password"}}}],
                                    "volumeMounts": [{"name": "settings", "mountPath": "/settings"}]}],
                    "volumes": [{"name": "settings", "configMap": {"name": "settings"}}]}}
    done = cluster.host.run(["kubectl", "create", "-f", "-"], input=json.dumps(pod), env=cluster.env, timeout=60)
    assert done.returncode == 0, done.stderr

    def running():
        return cluster.kubectl_json("get", "pod", "uses-secrets")["status"].get("phase") == "Running"
    cluster.wait_for("the pod using a Secret and a ConfigMap Running", running, timeout=60)
    seen = cluster.kubectl("exec", "uses-secrets", "--", "/bin/busybox", "sh", "-c",
                           "echo $PASSWORD; cat /settings/mode").stdout.split()
    assert seen == ["s3cret", "fast"], seen


def _check_loaded_image(cluster, built_images) -> None:
    """``rktnetes image load`` puts a local OCI layout on every node; a pod with imagePullPolicy Never runs it
    (no registry has it under that name)."""
    flags = [f"--dir={cluster.base}", f"--profile={cluster.profile}"]
    done = cluster.host.run([RKTNETES, "image", "load", str(built_images["busybox"].oci_layout),
                             "--tag=local/busybox:loaded", *flags], timeout=240, env=cluster.env)
    assert done.returncode == 0 and done.stdout.count("loaded local/busybox:loaded") == cluster.nodes, done.stderr
    listed = cluster.host.run([RKTNETES, "image", "ls", *flags], timeout=60, env=cluster.env).stdout
    assert listed.count("local/busybox:loaded") == cluster.nodes, listed
    cluster.kubectl("run", "loaded", "--image=local/busybox:loaded", "--image-pull-policy=Never", "--command", "--",
                    "sleep", "3600")

    def running():
        pod = cluster.kubectl_json("get", "pod", "loaded")
        return pod["status"].get("phase") == "Running"
    cluster.wait_for("the pod of a loaded image Running", running, timeout=60)


def _component_pid(cluster, name: str) -> int | None:
    state = json.loads((cluster.dir / "run" / f"{name}.state").read_text())
    return state.get("pid") if state.get("state") == "Running" else None


def _kubelet_pid(cluster, node: str) -> int | None:
    return _component_pid(cluster, f"kubelet-{node}")


def _a_killed_apiserver_heals(cluster) -> None:
    """kill -9 of the API server: it comes back on its store, and the controllers and scheduler, reconnected,
    act on new work (a scale-up gets a Running pod)."""
    before = _component_pid(cluster, "apiserver")
    os.kill(before, signal.SIGKILL)
    cluster.wait_for("the API server back", lambda: (_component_pid(cluster, "apiserver") or before) != before,
                     timeout=30)
    cluster.wait_for("kubectl answered", lambda: cluster.kubectl("get", "nodes", check=False).returncode == 0, 60)
    cluster.kubectl("scale", "deployment", "web", "--replicas=3")
    _running_pods(cluster, 3)
    cluster.kubectl("scale", "deployment", "web", "--replicas=2")


def _heartbeat(cluster, node: str) -> str:
    conditions = cluster.kubectl_json("get", "node", node)["status"]["conditions"]
    ready = next(c for c in conditions if c["type"] == "Ready")
    return ready["lastHeartbeatTime"] if ready["status"] == "True" else ""


def _a_killed_kubelet_heals(cluster, pods) -> None:
    """kill -9 of a kubelet: its supervisor starts it again, it heartbeats its Node Ready again and adopts its
    running pods (same rkt pods, no container restarted); status says it restarted once."""
    node = cluster.profile
    before = _kubelet_pid(cluster, node)
    time.sleep(1.1)  # heartbeat times are whole seconds
    killed = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    os.kill(before, signal.SIGKILL)
    after = cluster.wait_for("the kubelet back", lambda: (_kubelet_pid(cluster, node) or before) != before
                             and _kubelet_pid(cluster, node), timeout=30)
    assert after != before and "exited with status -9" in cluster.rktnetes("logs", f"kubelet-{node}").stdout
    cluster.wait_for("a heartbeat of the new kubelet", lambda: _heartbeat(cluster, node) > killed, timeout=60)
    now = _running_pods(cluster, 2)
    assert _rkt_uuids(now) == _rkt_uuids(pods)
    assert all(c["restartCount"] == 0 for p in now for c in p["status"]["containerStatuses"])
    status = cluster.rktnetes("status").stdout
    assert re.search(r"kubelet:\s+Running \(restarted 1 time\(s\)\)", status), status


def test_start_serve_stop_start_delete(local_cluster, built_images):
    cluster = local_cluster
    cluster.nodes = 2
    out = cluster.start().stdout
    assert "kubectl is now configured" in out
    nodes = cluster.kubectl("get", "nodes", "--no-headers").stdout.splitlines()
    assert len(nodes) == 2 and all(" Ready " in line for line in nodes), nodes
    user = yaml.safe_load((cluster.base / "kubeconfig").read_text())
    assert user["current-context"] == cluster.profile
    assert user["clusters"][0]["cluster"]["server"] == "https://192.168.49.1:8443"
    assert cluster.rktnetes("status").returncode == 0
    assert "already running" in cluster.start().stdout

    service = _deploy_web(cluster)
    pods = _running_pods(cluster, 2)
    _check_pods_on_their_nodes(cluster, pods)
    _check_pod_to_pod(cluster, pods)
    _check_service(cluster, service)
    _check_dns(cluster, pods[0]["metadata"]["name"])
    _check_api_from_a_pod(cluster, pods[0]["metadata"]["name"])
    _check_namespace_dns(cluster)
    _check_kubelet_refuses_strangers(cluster, pods[0])
    _check_node_credentials(cluster)
    _check_loaded_image(cluster, built_images)
    _check_secrets_reach_pods(cluster)
    assert "serving https://192.168.49.1:8443" in cluster.rktnetes("logs", "apiserver").stdout
    _a_killed_kubelet_heals(cluster, pods)
    _a_killed_apiserver_heals(cluster)
    uuids = _rkt_uuids(pods)
    assert len(uuids) == 2 and _cgroups_left(uuids)

    cluster.rktnetes("stop")
    assert _cgroups_left(uuids) == []
    assert cluster.rktnetes("status", check=False).returncode == 7
    assert not [x for x in cluster.leftovers() if x != str(cluster.dir)], cluster.leftovers()
    before = cluster.host.snapshot()["links"]
    assert before == ["lo", "th0", "th1"], before

    cluster.start()
    pods = _running_pods(cluster, 2)
    _check_pods_on_their_nodes(cluster, pods)
    _check_service(cluster, service)
    uuids = _rkt_uuids(pods)

    cluster.rktnetes("delete")
    assert cluster.leftovers() == [] and _cgroups_left(uuids) == []
    assert cluster.host.snapshot()["links"] == ["lo", "th0", "th1"]
    assert cluster.profile not in (cluster.base / "kubeconfig").read_text()
    assert os.listdir(cluster.base / "profiles") == []
