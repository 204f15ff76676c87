"""A Kubernetes pod as an ``rkt prepare`` command line: pure functions, no I/O.

Each container is one app of one rkt pod (named as the container), so the pod's containers share its network
and volumes as in Kubernetes. Annotations on the rkt pod carry the Kubernetes pod's uid, namespace, name and
restart count: they are how a restarted kubelet finds (adopts) the pods it started before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from rktnetes.kubelet import environment, errors, resolving
from rktnetes.rkt.pods import appargs
from rktnetes.rkt.pods import errors as pod_errors

Obj = dict[str, Any]
UID, NAMESPACE, NAME, RESTARTS = ("rktnetes.io/pod-uid", "rktnetes.io/pod-namespace", "rktnetes.io/pod-name",
                                  "rktnetes.io/restart-count")
INIT = "rktnetes.io/init-container"  # on the rkt pod that runs one init container
NODE = "rktnetes.io/node"  # the node whose kubelet started the rkt pod
TERMINATION_VOLUME, TERMINATION_MESSAGE_PATH = "rktnetes-termination-", "/dev/termination-log"
PULL_POLICIES = {"Always": "update", "IfNotPresent": "new", "Never": "never"}
_QUANTITY = re.compile(r"^\d+(\.\d+)?(Ki|Mi|Gi|Ti|k|M|G|T|m)?$")


@dataclass
class Plan:
    """What the kubelet knows beyond the pod: where its volumes are, its node, its network."""

    volume_sources: dict[str, str] = field(default_factory=dict)  # volume name -> host directory
    read_only: set[str] = field(default_factory=set)
    network: str = "default"
    node_ip: str = ""
    restarts: int = 0
    memory_capacity: int = 0  # the node's, in bytes (for a Burstable container's OOM score)
    env_sources: environment.Sources = field(default_factory=dict)  # ConfigMaps and Secrets read for env
    commands: dict[str, str] = field(default_factory=dict)  # container -> its command found on the image's PATH
    cluster_dns: str = ""  # the cluster DNS Service's IP ("": leave resolv.conf to rkt)
    cluster_domain: str = "cluster.local"
    termination_logs: dict[str, str] = field(default_factory=dict)  # container -> host file for its message
    pulled: bool = False  # the kubelet has put every image in the store (``pulling``): rkt finds them there
    pod_ip: str = ""  # the address the kubelet chose for the pod (``podip``): asked of rkt, given to the env


def image_ref(image: str) -> str:
    """A pod's image as an rkt image reference (``docker://`` unless it names a transport itself)."""
    return image if "://" in image else f"docker://{image}"


def pull_policy(containers: list[Obj]) -> str:
    """rkt has one pull policy per pod: the most eager of the containers' ``imagePullPolicy``."""
    wanted = {PULL_POLICIES[c.get("imagePullPolicy") or _default_pull(c)] for c in containers}
    return next(p for p in ("update", "new", "never") if p in wanted)


def _default_pull(container: Obj) -> str:
    image = container.get("image", "")
    return "Always" if image.endswith(":latest") or ":" not in image.rsplit("/", 1)[-1] else "IfNotPresent"


def _quantity(text: str, what: str) -> str:
    if not _QUANTITY.match(str(text)):
        raise errors.BadPod(f"resource limit {what}={text!r} is not a quantity this kubelet understands")
    return str(text)


def _amount(text: str, what: str, millis: bool = False) -> int:
    try:
        return appargs.parse_quantity(_quantity(text, what), millis=millis)
    except pod_errors.BadAppFlag:
        raise errors.BadPod(f"resource {what}={text!r} is not a quantity this kubelet understands") from None


def oom_score_adj(pod: Obj, container: Obj, memory_capacity: int) -> int:
    """The kubelet's OOM score by QoS class: Guaranteed first to live, BestEffort first to die."""
    qos = (pod.get("status") or {}).get("qosClass")
    if qos == "Guaranteed":
        return -997
    request = ((container.get("resources") or {}).get("requests") or {}).get("memory")
    if qos == "BestEffort" or not request or memory_capacity <= 0:
        return 1000 if qos == "BestEffort" else 999
    return min(max(1000 - 1000 * _amount(request, "memory") // memory_capacity, 2), 999)


def resource_flags(pod: Obj, container: Obj, plan: Plan) -> list[str]:
    """Limits as rkt's memory and cpu isolators, the cpu request as cpu shares, the QoS as OOM score."""
    resources = container.get("resources") or {}
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    flags = [f"--memory={_quantity(limits['memory'], 'memory')}"] if "memory" in limits else []
    flags += [f"--cpu={_quantity(limits['cpu'], 'cpu')}"] if "cpu" in limits else []
    if "cpu" in requests:
        flags.append(f"--cpu-shares={max(_amount(requests['cpu'], 'cpu', millis=True) * 1024 // 1000, 2)}")
    return flags + [f"--oom-score-adj={oom_score_adj(pod, container, plan.memory_capacity)}"]


def _identity_flags(container: Obj, pod: Obj) -> list[str]:
    ctx = {**((pod.get("spec") or {}).get("securityContext") or {}), **(container.get("securityContext") or {})}
    flags = [f"--user={ctx['runAsUser']}"] if ctx.get("runAsUser") is not None else []
    return flags + ([f"--group={ctx['runAsGroup']}"] if ctx.get("runAsGroup") is not None else [])


def command_words(container: Obj, env: dict[str, str] | None = None, found: str | None = None) -> list[str]:
    """``--exec`` and the arguments: command replaces the image's entry point, args its arguments; both
    with ``$(NAME)`` references to the container's variables expanded. ``found``: the absolute path of a
    command given by name (``commands.resolve``)."""
    command = [environment.expand(w, env or {}) for w in container.get("command") or []]
    args = [environment.expand(w, env or {}) for w in container.get("args") or []]
    if command and found:
        command[0] = found
    if command and not command[0].startswith("/"):
        raise errors.BadPod(f"container {container['name']}: command {command[0]!r} was not looked up on the "
                            "image's PATH")
    words = [f"--exec={command[0]}"] if command else []
    rest = command[1:] + args
    return words + (["--", *rest, "---"] if rest else [])


def app_words(pod: Obj, container: Obj, plan: Plan) -> list[str]:
    """One container as ``IMAGE --name=… [app flags] [-- args ---]``."""
    words = [image_ref(container["image"]), f"--name={container['name']}"]
    if container.get("workingDir"):
        words.append(f"--working-dir={container['workingDir']}")
    env = environment.variables(pod, container, plan.env_sources, plan.node_ip, plan.pod_ip)
    words += [f"--environment={name}={value}" for name, value in env.items()]
    words += resource_flags(pod, container, plan) + _identity_flags(container, pod)
    if container.get("stdin"):  # an attachable stdin (kubectl attach -i), a terminal with tty
        words.append(f"--stdin={'tty' if container.get('tty') else 'stream'}")
    for mount in container.get("volumeMounts") or []:
        if mount["name"] not in plan.volume_sources:
            raise errors.BadPod(f"container {container['name']}: no volume named {mount['name']!r}")
        words.append(f"--mount=volume={mount['name']},target={mount['mountPath']}")
    if container["name"] in plan.termination_logs:
        target = container.get("terminationMessagePath") or TERMINATION_MESSAGE_PATH
        words.append(f"--mount=volume={TERMINATION_VOLUME}{container['name']},target={target}")
    return words + command_words(container, env, plan.commands.get(container["name"]))


def hostname(pod: Obj) -> str:
    spec = pod.get("spec") or {}
    name = spec.get("hostname") or pod["metadata"]["name"]
    return re.sub(r"[^A-Za-z0-9.-]", "-", name)[:63].strip(".-") or "pod"


def annotations(pod: Obj, restarts: int) -> dict[str, str]:
    meta = pod["metadata"]
    node = {NODE: pod["spec"]["nodeName"]} if (pod.get("spec") or {}).get("nodeName") else {}
    return {UID: meta["uid"], NAMESPACE: meta["namespace"], NAME: meta["name"], RESTARTS: str(restarts), **node}


def volume_flags(plan: Plan) -> list[str]:
    flags = [f"--volume={name},kind=host,source={source}" + (",readOnly=true" if name in plan.read_only else "")
             for name, source in sorted(plan.volume_sources.items())]
    return flags + [f"--volume={TERMINATION_VOLUME}{name},kind=host,source={source}"
                    for name, source in sorted(plan.termination_logs.items())]


def net_word(pod: Obj, plan: Plan) -> str:
    """``--net``'s value: ``host``, the node's pod network, or that network with the address chosen."""
    if (pod.get("spec") or {}).get("hostNetwork"):
        return "host"
    return f"{plan.network}:IP={plan.pod_ip}" if plan.pod_ip else plan.network


def prepare_args(pod: Obj, plan: Plan, init: Obj | None = None) -> list[str]:
    """The arguments of ``rkt prepare`` (after rkt's global flags) that make this pod — or, given ``init``,
    the rkt pod that runs that one init container (same volumes and network, an annotation of its own)."""
    spec = pod.get("spec") or {}
    containers = [init] if init is not None else spec.get("containers") or []
    if not containers:
        raise errors.BadPod("the pod has no containers")
    words = [f"--hostname={hostname(pod)}", f"--net={net_word(pod, plan)}",
             f"--pull-policy={'new' if plan.pulled else pull_policy(containers)}", *volume_flags(plan)]
    words += resolving.dns_words(pod, plan.cluster_dns, plan.cluster_domain)
    notes = annotations(pod, plan.restarts) | ({INIT: init["name"]} if init is not None else {})
    words += [f"--annotation={k}={v}" for k, v in notes.items()]
    for container in containers:
        words += app_words(pod, container, plan)
    return words
