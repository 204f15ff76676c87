"""A pod's ``/etc/resolv.conf`` as its ``dnsPolicy`` says, given to ``rkt prepare`` as ``--dns*`` flags.

ClusterFirst (the default; for a pod on the host network it falls back to Default, as Kubernetes does) and
ClusterFirstWithHostNet: the cluster DNS with the namespace's search list and ndots:5. Default: the node's
own file (``--dns=host``). None: only ``spec.dnsConfig``, which the other policies add to. Without a
``--cluster-dns`` the kubelet leaves ClusterFirst pods to rkt's defaults.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]


def _cluster(pod: Obj, cluster_dns: str, domain: str) -> tuple[list[str], list[str], list[str]]:
    namespace = pod["metadata"].get("namespace") or "default"
    return [cluster_dns], [f"{namespace}.svc.{domain}", f"svc.{domain}", domain], ["ndots:5"]


def _option(option: Obj) -> str:
    return f"{option['name']}:{option['value']}" if option.get("value") not in (None, "") else option["name"]


def dns_words(pod: Obj, cluster_dns: str = "", domain: str = "cluster.local") -> list[str]:
    spec = pod.get("spec") or {}
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    on_host = bool(spec.get("hostNetwork"))
    config = spec.get("dnsConfig") or {}
    servers: list[str] = []
    search: list[str] = []
    options: list[str] = []
    if cluster_dns and (policy == "ClusterFirstWithHostNet" or (policy == "ClusterFirst" and not on_host)):
        servers, search, options = _cluster(pod, cluster_dns, domain)
    elif policy != "None" and (cluster_dns or policy == "Default"):
        servers = ["host"]
    if servers == ["host"] and not config:
        return ["--dns=host"]
    if servers == ["host"]:
        servers = []  # dnsConfig given: rkt cannot merge it into the host's file, so it replaces it
    servers += config.get("nameservers") or []
    search += config.get("searches") or []
    options += [_option(o) for o in config.get("options") or [] if o.get("name")]
    return ([f"--dns={s}" for s in servers] + [f"--dns-search={s}" for s in search]
            + [f"--dns-opt={o}" for o in options])
