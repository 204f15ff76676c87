"""``rktnetes start``: node network, control plane, nodes, DNS, kubeconfig, in that order, each waited for.

Every wait is bounded and fails early when the component it waits for has died (the message names its log).
A start on a running profile changes nothing; on a partly running one it starts what is missing. What a
failed start left running stays, so its logs can be read; ``rktnetes delete`` removes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rktnetes.client import errors as client_errors
from rktnetes.cluster import (
    clusterapi,
    components,
    errors,
    kubeconfigs,
    layout,
    netns,
    nodecreds,
    nodenet,
    restarting,
)
from rktnetes.cluster.components import Component
from rktnetes.cluster.profiles import Profile
from rktnetes.cluster.spec import DNS_IP, DOMAIN, ClusterSpec

APISERVER_TIMEOUT = 60.0
NODES_TIMEOUT = 90.0
DNS_TIMEOUT = 30.0
Say = Callable[[str], None]


def _launch(profile: Profile, component: Component) -> None:
    profile.launch(component.name, component.argv, component.netns)


def _restarts(profile: Profile, name: str) -> int:
    return int(profile.state(name).get("restarts") or 0)


def _crashed(profile: Profile, name: str, before: int) -> bool:
    """Gone, restarting, or restarted since the wait began (its supervisor restarts it, but a start is failing
    then); restarts from before this start (a component healed earlier) do not count."""
    state = profile.state(name)
    return (profile.running(name) is None or state.get("state") == restarting.RESTARTING
            or _restarts(profile, name) > before)


def _died(profile: Profile, names: list[str]) -> Callable[[], str | None]:
    """A check naming the first of ``names`` that crashed from now on (a crash right after its launch is caught
    too: the supervisor's backoff keeps it Restarting for a second at least)."""
    before = {n: _restarts(profile, n) for n in names}

    def check() -> str | None:
        dead = [n for n in names if _crashed(profile, n, before[n])]
        return f"{dead[0]} exited (see {profile.log(dead[0])})" if dead else None
    return check


def _wait(what: str, check: Callable[[], object], timeout: float, failed: Callable[[], str | None]) -> None:
    """Poll ``check()`` until truthy; StartFailed naming ``what`` after ``timeout`` s, or at once with the
    reason ``failed()`` gives (a component that died)."""
    deadline = time.monotonic() + timeout
    while not check():
        reason = failed()
        if reason or time.monotonic() > deadline:
            raise errors.StartFailed(f"{what}: {reason or f'not after {timeout:.0f} s'}")
        time.sleep(0.25)


def _ready_nodes(kubeconfig: Path) -> set[str]:
    try:
        return clusterapi.ready_nodes(kubeconfig)
    except (client_errors.ClientError, OSError):
        return set()  # the API server is busy or restarting: ask again, the wait stays bounded


def _control_plane(profile: Profile, spec: ClusterSpec, say: Say) -> None:
    first, *rest = components.control_plane(spec, profile.dir)
    say(f"starting the API server on {spec.server}")
    _launch(profile, first)
    kubeconfig = layout.admin_kubeconfig_path(profile.dir)
    _wait("API server", lambda: clusterapi.is_ready(kubeconfig), APISERVER_TIMEOUT, _died(profile, [first.name]))
    say("starting controller-manager, scheduler, dns")
    for component in rest:
        _launch(profile, component)
    try:
        clusterapi.ensure_dns_service(kubeconfig, spec.host_ip)
    except (client_errors.ClientError, OSError) as exc:
        raise errors.StartFailed(f"creating the kube-dns Service: {exc}") from None
    try:
        clusterapi.ensure_storage_class(kubeconfig)
    except (client_errors.ClientError, OSError) as exc:
        raise errors.StartFailed(f"creating the standard StorageClass: {exc}") from None


def _nodes(profile: Profile, spec: ClusterSpec, say: Say) -> None:
    for node in spec.all_nodes():
        nodenet.write_pod_network(node, layout.node_net_d_dir(profile.dir, node.name))
        nodecreds.write_kubeconfig(layout.apiserver_dir(profile.dir), spec.server, node.name,
                                   layout.node_kubeconfig_path(profile.dir, node.name))
    started = components.node_components(spec, profile.dir)
    say(f"starting kubelet and proxy on {', '.join(spec.node_names())}")
    for component in started:
        _launch(profile, component)
    kubeconfig = layout.admin_kubeconfig_path(profile.dir)
    wanted = set(spec.node_names())
    names = [c.name for c in components.all_components(spec, profile.dir)]
    _wait("nodes Ready", lambda: wanted <= _ready_nodes(kubeconfig), NODES_TIMEOUT, _died(profile, names))


def _dns(profile: Profile, spec: ClusterSpec) -> None:
    where = layout.netns_path(spec.node(0).netns)
    name = f"kubernetes.default.svc.{DOMAIN}."
    names = [c.name for c in components.all_components(spec, profile.dir)]
    _wait(f"cluster DNS at {DNS_IP}", lambda: netns.resolve(where, name, DNS_IP), DNS_TIMEOUT, _died(profile, names))


def is_running(profile: Profile, spec: ClusterSpec) -> bool:
    """Every component runs (a partly running profile is started: what runs is left alone)."""
    every = components.all_components(spec, profile.dir)
    return profile.exists() and all(profile.running(c.name) is not None for c in every)


def start(profile: Profile, spec: ClusterSpec, say: Say = print) -> bool:
    """Bring the profile's cluster up; False if it was already running."""
    began = time.monotonic()
    if is_running(profile, spec):
        say(f"profile {profile.name!r} is already running")
        return False
    profile.save(spec)
    say(f"creating the node network: bridge {spec.bridge} {spec.host_ip}/24, {spec.nodes} node namespace(s)")
    nodenet.up(spec)
    _control_plane(profile, spec, say)
    _nodes(profile, spec, say)
    _dns(profile, spec)
    user = layout.user_kubeconfig_path()
    kubeconfigs.merge(layout.admin_kubeconfig_path(profile.dir), user, profile.name)
    say(f"done in {time.monotonic() - began:.1f} s: kubectl is now configured to use {profile.name!r} ({user}); "
        f"try `kubectl get nodes` or `rktnetes kubectl -p {profile.name} -- get nodes`")
    return True
