"""``rktnetes status`` and ``rktnetes service``: what runs, and where a Service answers from the host."""

from __future__ import annotations

from typing import Any

from rktnetes.client import errors as client_errors
from rktnetes.cluster import clusterapi, components, errors, kubeconfigs, layout, nodenet, restarting, supervising
from rktnetes.cluster.profiles import Profile
from rktnetes.cluster.spec import ClusterSpec

RUNNING, STOPPED, RESTARTING = "Running", "Stopped", restarting.RESTARTING


def _state(up: bool) -> str:
    return RUNNING if up else STOPPED


def describe(state: dict, child_alive: bool) -> str:
    """A supervised component's state as status shows it, from its supervisor's record (``restarting``)."""
    restarts = int(state.get("restarts") or 0)
    if state.get("state") == RESTARTING:
        return f"{RESTARTING} (exited with status {state.get('last_exit')}; {restarts} restart(s) before)"
    if not child_alive:
        return f"{RESTARTING} (exited just now)"  # its supervisor has not written so yet
    return f"{RUNNING} (restarted {restarts} time(s))" if restarts else RUNNING


def component_state(profile: Profile, name: str) -> str:
    if profile.running(name) is None:
        return STOPPED
    return describe(profile.state(name), supervising.running(profile.state_file(name)) is not None)


def _ready_nodes(profile: Profile) -> set[str] | None:
    try:
        return clusterapi.ready_nodes(layout.admin_kubeconfig_path(profile.dir))
    except (client_errors.ClientError, OSError):
        return None


def status(profile: Profile, spec: ClusterSpec) -> list[tuple[str, str]]:
    """(what, state) for every control-plane component, then each node's network, kubelet, proxy and
    Ready condition, then the kubeconfig entry."""
    rows = [(name, component_state(profile, name)) for name in components.CONTROL_PLANE]
    ready = _ready_nodes(profile) if rows[0][1].startswith(RUNNING) else None
    for node in spec.all_nodes():
        rows.append((f"node {node.name} ({node.ip}, pods {node.pod_cidr})", _state(nodenet.node_up(node))))
        for part in ("kubelet", "proxy"):
            rows.append((f"  {part}", component_state(profile, f"{part}-{node.name}")))
        rows.append(("  Ready", "Unknown" if ready is None else str(node.name in ready)))
    user = layout.user_kubeconfig_path()
    known = any(c.get("name") == profile.name for c in kubeconfigs.load(user).get("contexts") or [])
    rows.append(("kubeconfig", f"Configured ({user})" if known else "Misconfigured"))
    return rows


def all_running(rows: list[tuple[str, str]]) -> bool:
    return all(state.split()[0] not in (STOPPED, RESTARTING, "False", "Unknown") for _, state in rows)


def service_urls(profile: Profile, spec: ClusterSpec, name: str, namespace: str) -> list[tuple[str, str]]:
    """(port name, ``http://NODE_IP:NODE_PORT``) for each NodePort of the Service, on every node."""
    try:
        service: dict[str, Any] = clusterapi.get(layout.admin_kubeconfig_path(profile.dir), "services", name, namespace)
    except client_errors.NotFound:
        raise errors.NoService(f"no service {name!r} in namespace {namespace!r}") from None
    except (client_errors.ClientError, OSError) as exc:
        raise errors.NotRunning(f"cannot reach the API server of profile {profile.name!r}: {exc}") from None
    ports = [p for p in service["spec"].get("ports") or [] if p.get("nodePort")]
    if not ports:
        kind = service["spec"].get("type", "ClusterIP")
        raise errors.NoService(f"service {namespace}/{name} is of type {kind} with no NodePort "
                               f"(kubectl expose ... --type=NodePort)")
    return [(p.get("name") or str(p["port"]), f"http://{node.ip}:{p['nodePort']}")
            for node in spec.all_nodes() for p in ports]
