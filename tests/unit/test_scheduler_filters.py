"""The scheduler's pure parts: quantities, node selection rules, filters, the fit message, scoring, placement."""

from __future__ import annotations

from collections import Counter

import pytest

from rktnetes.scheduler import algorithm, filtering, matching, nodeinfo, quantities
from rktnetes.scheduler.errors import BadQuantity, FitError


def node(name: str, cpu: str = "4", memory: str = "8Gi", pods: str = "110", labels: dict | None = None,
         taints: list | None = None, ready: str | None = "True", unschedulable: bool = False) -> dict:
    status: dict = {"allocatable": {"cpu": cpu, "memory": memory, "pods": pods}}
    if ready is not None:
        status["conditions"] = [{"type": "Ready", "status": ready}]
    spec = {"taints": taints or [], **({"unschedulable": True} if unschedulable else {})}
    return {"kind": "Node", "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
            "spec": spec, "status": status}


def pod(name: str, cpu: str | None = None, memory: str | None = None, node_name: str = "", labels: dict | None = None,
        **spec: object) -> dict:
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    container = {"name": "c", "image": "busybox", "resources": {"requests": requests} if requests else {}}
    return {"kind": "Pod", "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}",
                                        "labels": labels or {}},
            "spec": {"containers": [container], **({"nodeName": node_name} if node_name else {}), **spec}}


def snap(nodes: list[dict], pods: list[dict] = ()) -> nodeinfo.Snapshot:
    return nodeinfo.build(nodes, list(pods))


@pytest.mark.parametrize(("text", "milli"), [("100m", 100), ("1", 1000), ("1.5", 1500), ("0.1", 100), ("1e3", 10**6),
                                              ("2k", 2 * 10**6), ("1u", 1)])
def test_cpu_quantities_in_millicores_round_up(text: str, milli: int) -> None:
    assert quantities.milli(text) == milli


@pytest.mark.parametrize(("text", "value"), [("128Mi", 128 * 2**20), ("1G", 10**9), ("1Gi", 2**30), ("512", 512),
                                              (1024, 1024), ("1.5Ki", 1536)])
def test_memory_quantities_in_bytes(text: object, value: int) -> None:
    assert quantities.whole(text) == value


@pytest.mark.parametrize("text", ["", "1x", "abc", "1.2.3", "Mi"])
def test_bad_quantities_are_refused(text: str) -> None:
    with pytest.raises(BadQuantity):
        quantities.parse(text)


def test_pod_requests_sum_containers_take_the_largest_init_container_and_overhead() -> None:
    p = pod("p", "100m", "64Mi")
    p["spec"]["containers"].append({"name": "d", "resources": {"requests": {"cpu": "200m"}}})
    p["spec"]["initContainers"] = [{"name": "i", "resources": {"requests": {"cpu": "1", "memory": "1Mi"}}}]
    p["spec"]["overhead"] = {"cpu": "10m"}
    assert quantities.pod_requests(p) == quantities.Resources(1010, 64 * 2**20, 1)


@pytest.mark.parametrize(("op", "values", "label", "expected"), [
    ("In", ["a", "b"], "b", True), ("In", ["a"], "c", False), ("In", ["a"], None, False),
    ("NotIn", ["a"], "b", True), ("NotIn", ["a"], None, True), ("NotIn", ["a"], "a", False),
    ("Exists", [], "x", True), ("Exists", [], None, False), ("DoesNotExist", [], None, True),
    ("Gt", ["5"], "6", True), ("Gt", ["5"], "5", False), ("Lt", ["5"], "4", True), ("Gt", ["5"], "x", False)])
def test_node_selector_operators(op: str, values: list, label: str | None, expected: bool) -> None:
    labels = {} if label is None else {"k": label}
    assert matching.requirement_matches({"key": "k", "operator": op, "values": values}, labels) is expected


def test_required_affinity_is_any_term_and_match_fields_names_the_node() -> None:
    terms = [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]},
             {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n3"]}]}]
    p = pod("p", affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": terms}}})
    fits = [n for n in ("n1", "n2", "n3")
            if matching.selector_matches(p, node(n, labels={"zone": "z1"} if n == "n1" else {}))]
    assert fits == ["n1", "n3"]


@pytest.mark.parametrize(("toleration", "expected"), [
    ({"key": "k", "operator": "Equal", "value": "v", "effect": "NoSchedule"}, True),
    ({"key": "k", "value": "v"}, True), ({"key": "k", "operator": "Exists"}, True), ({"operator": "Exists"}, True),
    ({"key": "k", "value": "w"}, False), ({"key": "k", "operator": "Exists", "effect": "NoExecute"}, False),
    ({"key": "other", "operator": "Exists"}, False)])
def test_tolerations(toleration: dict, expected: bool) -> None:
    assert matching.tolerates(toleration, {"key": "k", "value": "v", "effect": "NoSchedule"}) is expected


def test_fit_message_counts_each_reason_and_sorts_as_kube_scheduler() -> None:
    message = filtering.fit_message(3, Counter({"Insufficient cpu": 1, "node(s) were unschedulable": 2}))
    assert message == "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) were unschedulable."
    assert filtering.fit_message(0, Counter()) == "no nodes available to schedule pods"


def test_every_filter_reports_its_reason() -> None:
    nodes = [node("full", cpu="1"), node("tainted", taints=[{"key": "gpu", "value": "yes", "effect": "NoSchedule"}]),
             node("cordoned", unschedulable=True), node("down", ready="Unknown"), node("other", labels={"x": "n"}),
             node("ports")]
    busy = [pod("a", "900m", node_name="full"), {**pod("b", node_name="ports"), "spec": {
        "nodeName": "ports", "containers": [{"name": "c", "ports": [{"containerPort": 80, "hostPort": 8080}]}]}}]
    p = pod("p", "200m")
    p["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "hostPort": 8080}]
    p["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "x", "operator": "NotIn", "values": ["n"]}]}]}}}
    with pytest.raises(FitError) as caught:
        algorithm.place(p, snap(nodes, busy))
    assert caught.value.message == (
        "0/6 nodes are available: 1 Insufficient cpu, 1 node(s) didn't have free ports for the requested pod ports, "
        "1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint "
        "{gpu: yes}, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, "
        "1 node(s) were unschedulable.")


def test_tolerating_pods_may_use_tainted_cordoned_and_not_ready_nodes() -> None:
    tolerate_all = [{"operator": "Exists"}]
    for n in (node("t", taints=[{"key": "gpu", "effect": "NoExecute"}]), node("c", unschedulable=True),
              node("d", ready="False")):
        assert algorithm.place(pod("p", tolerations=tolerate_all), snap([n])) == n["metadata"]["name"]


def test_pod_count_and_memory_limits() -> None:
    nodes = [node("n1", pods="1", memory="1Gi")]
    with pytest.raises(FitError, match="1 Too many pods"):
        algorithm.place(pod("p"), snap(nodes, [pod("a", node_name="n1")]))
    with pytest.raises(FitError, match="1 Insufficient memory"):
        algorithm.place(pod("p", memory="2Gi"), snap([node("n1")], [pod("a", memory="7Gi", node_name="n1")]))


def test_finished_pods_hold_nothing() -> None:
    done = pod("a", "4", node_name="n1")
    done["status"] = {"phase": "Succeeded"}
    assert algorithm.place(pod("p", "1"), snap([node("n1")], [done])) == "n1"


def test_scoring_spreads_and_balances_and_follows_preference() -> None:
    nodes = [node("n1"), node("n2")]
    assert algorithm.place(pod("p", "1", "1Gi"), snap(nodes, [pod("a", "2", "2Gi", node_name="n1")])) == "n2"
    # balanced: n1 is cpu-heavy already, a memory-heavy pod evens it out better than on n2 (cpu-free)
    skew = [pod("a", "3", "1Gi", node_name="n1"), pod("b", "2", "4Gi", node_name="n2")]
    assert algorithm.place(pod("p", "100m", "3Gi"), snap(nodes, skew)) == "n1"
    preferred = {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 50, "preference": {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["ssd"]}]}}]}}
    nodes = [node("n1"), node("n2", labels={"disk": "ssd"})]
    assert algorithm.place(pod("p", affinity=preferred), snap(nodes)) == "n2"


def _pod_term(kind: str, app: str, key: str = "kubernetes.io/hostname") -> dict:
    term = {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": key}
    return {kind: {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}


def test_pod_anti_affinity_keeps_replicas_apart_per_hostname_and_zone() -> None:
    nodes = [node("n1", labels={"zone": "a"}), node("n2", labels={"zone": "a"}), node("n3", labels={"zone": "b"})]
    web = pod("w1", labels={"app": "web"}, node_name="n1")
    assert algorithm.place(pod("w2", labels={"app": "web"}, affinity=_pod_term("podAntiAffinity", "web")),
                           snap(nodes, [web])) == "n2"
    zone = _pod_term("podAntiAffinity", "web", "zone")
    assert algorithm.place(pod("w2", labels={"app": "web"}, affinity=zone), snap(nodes, [web])) == "n3"
    with pytest.raises(FitError, match="3 node.s. didn't match pod anti-affinity rules"):
        algorithm.place(pod("w3", affinity=zone), snap(nodes, [web, pod("w2", labels={"app": "web"}, node_name="n3")]))


def test_existing_pods_anti_affinity_is_respected() -> None:
    loner = pod("l", node_name="n1", affinity=_pod_term("podAntiAffinity", "web"))
    with pytest.raises(FitError, match="1 node.s. didn't satisfy existing pods anti-affinity rules"):
        algorithm.place(pod("w", labels={"app": "web"}), snap([node("n1")], [loner]))
    assert algorithm.place(pod("w", labels={"app": "db"}), snap([node("n1")], [loner])) == "n1"


def test_pod_affinity_follows_matching_pods_and_lets_the_first_of_a_group_start() -> None:
    nodes = [node("n1"), node("n2"), node("n3")]
    cache = pod("c", labels={"app": "cache"}, node_name="n3")
    assert algorithm.place(pod("w", affinity=_pod_term("podAffinity", "cache")), snap(nodes, [cache])) == "n3"
    with pytest.raises(FitError, match="3 node.s. didn't match pod affinity rules"):
        algorithm.place(pod("w", affinity=_pod_term("podAffinity", "cache")), snap(nodes))
    first = pod("c1", labels={"app": "cache"}, affinity=_pod_term("podAffinity", "cache"))
    assert algorithm.place(first, snap(nodes)) == "n1"


def _preferred(kind: str, app: str, weight: int) -> dict:
    term = {"labelSelector": {"matchLabels": {"app": app}}, "topologyKey": "kubernetes.io/hostname"}
    return {kind: {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": weight, "podAffinityTerm": term}]}}


def test_preferred_pod_affinity_draws_and_anti_affinity_repels() -> None:
    nodes = [node("n1"), node("n2"), node("n3")]
    cache = pod("c", labels={"app": "cache"}, node_name="n3")
    assert algorithm.place(pod("w", affinity=_preferred("podAffinity", "cache", 100)), snap(nodes, [cache])) == "n3"
    web = [pod("w1", labels={"app": "web"}, node_name="n1"), pod("w2", labels={"app": "web"}, node_name="n2")]
    # n1 and n2 are emptier than n3 would be by least-allocated alone; the preference overrides
    busy = pod("big", "2", "4Gi", node_name="n3")
    spread = _preferred("podAntiAffinity", "web", 100)
    assert algorithm.place(pod("w3", labels={"app": "web"}, affinity=spread), snap(nodes, [*web, busy])) == "n3"
    assert algorithm.place(pod("w3", labels={"app": "web"}), snap(nodes, [*web, busy])) != "n3"


def test_prefer_no_schedule_taints_are_avoided_unless_tolerated() -> None:
    soft = [{"key": "spot", "value": "yes", "effect": "PreferNoSchedule"}]
    nodes = [node("n1", taints=soft), node("n2")]
    assert algorithm.place(pod("p"), snap(nodes, [pod("a", "1", node_name="n2")])) == "n2"
    tolerant = pod("p", tolerations=[{"key": "spot", "operator": "Exists"}])
    assert algorithm.place(tolerant, snap(nodes, [pod("a", "1", node_name="n2")])) == "n1"


def test_topology_spread_constraints_keep_skew_within_max() -> None:
    nodes = [node("a1", labels={"zone": "a"}), node("a2", labels={"zone": "a"}), node("b1", labels={"zone": "b"}),
             node("x")]
    spread = [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
               "labelSelector": {"matchLabels": {"app": "web"}}}]
    placed = [pod("w1", labels={"app": "web"}, node_name="a1"), pod("w2", labels={"app": "web"}, node_name="b1"),
              pod("w3", labels={"app": "web"}, node_name="a2"), pod("other", node_name="b1")]
    new = pod("w4", labels={"app": "web"}, topologySpreadConstraints=spread)
    assert algorithm.place(new, snap(nodes, placed)) == "b1"
    cordoned = [nodes[0], node("b1", labels={"zone": "b"}, unschedulable=True), nodes[3]]
    with pytest.raises(FitError) as caught:
        algorithm.place(new, snap(cordoned, placed[:1]))
    assert caught.value.message == ("0/3 nodes are available: 1 node(s) didn't match pod topology spread "
                                    "constraints, 1 node(s) didn't match pod topology spread constraints (missing "
                                    "required label), 1 node(s) were unschedulable.")
    soft = [{**spread[0], "whenUnsatisfiable": "ScheduleAnyway"}]
    assert algorithm.place(pod("w4", labels={"app": "web"}, topologySpreadConstraints=soft),
                           snap(cordoned, placed[:1])) == "x", "ScheduleAnyway filters nothing out"
