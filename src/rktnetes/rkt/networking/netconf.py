"""CNI network configurations: the built-in ``default`` and ``default-restricted``, and those in net.d.

A network is a chain of plugin configurations (a ``.conf`` file is a chain of one, a ``.conflist`` file
names its ``plugins``). ``resolve`` turns a NetPlan into the ordered networks a pod joins.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

from rktnetes.rkt import paths
from rktnetes.rkt.networking import netspec
from rktnetes.rkt.networking.errors import NetConfError, NetSpecError, UnknownNetworkError
from rktnetes.rkt.records import Record

CNI_VERSION = "1.0.0"
DEFAULT, RESTRICTED = "default", "default-restricted"
DEFAULT_SUBNET, RESTRICTED_SUBNET = "172.16.28.0/24", "172.31.0.0/16"


class Network(Record):
    """One network a pod joins: its name, CNI version, plugin chain, and the CNI_ARGS for this pod."""

    name: str
    cni_version: str
    plugins: list[dict]
    args: str = ""
    source: str = "built-in"


def builtin(name: str) -> Network:
    """rkt's two built-in networks; both are ptp veths with host-local addresses."""
    if name == DEFAULT:
        ipam = {"type": "host-local", "subnet": DEFAULT_SUBNET, "routes": [{"dst": "0.0.0.0/0"}]}
        return Network(DEFAULT, CNI_VERSION, [{"type": "ptp", "ipMasq": True, "ipam": ipam}])
    ipam = {"type": "host-local", "subnet": RESTRICTED_SUBNET}
    return Network(RESTRICTED, CNI_VERSION, [{"type": "ptp", "ipMasq": False, "ipam": ipam}])


def load_net_d(local_config: Path) -> dict[str, Network]:
    """Every network in ``<local-config>/net.d``, read in sorted file order; the first of a name wins."""
    folder = paths.net_d_dir(local_config)
    found: dict[str, Network] = {}
    if not folder.is_dir():
        return found
    for path in sorted(folder.iterdir()):
        if path.suffix in (".conf", ".conflist") and path.is_file():
            net = _load_file(path)
            found.setdefault(net.name, net)
    return found


def _load_file(path: Path) -> Network:
    try:
        conf = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise NetConfError(f"cannot read network configuration {path}: {exc}") from None
    if not isinstance(conf, dict) or not isinstance(conf.get("name"), str) or not conf["name"]:
        raise NetConfError(f"network configuration {path} has no \"name\"")
    version = str(conf.get("cniVersion") or "0.3.1")
    if path.suffix == ".conflist":
        plugins = conf.get("plugins")
        if not isinstance(plugins, list) or not plugins or not all(isinstance(p, dict) for p in plugins):
            raise NetConfError(f"network configuration list {path} has no \"plugins\"")
    else:
        plugins = [{k: v for k, v in conf.items() if k not in ("name", "cniVersion")}]
    if not all(isinstance(p.get("type"), str) for p in plugins):
        raise NetConfError(f"network configuration {path} has a plugin without \"type\"")
    return Network(conf["name"], version, plugins, source=str(path))


def resolve(plan: netspec.NetPlan, local_config: Path) -> list[Network]:
    """The networks a pod joins, in interface order (eth0, eth1, …); raises on unknown names."""
    if plan.mode != netspec.CNI:
        return []
    available = load_net_d(local_config)
    for name in (DEFAULT, RESTRICTED):
        available.setdefault(name, builtin(name))
    names = _all_names(available) if plan.all else list(plan.names)
    unknown = [n for n in names if n not in available] + [n for n in plan.args if n not in available]
    if unknown:
        known = ", ".join(sorted(available))
        raise UnknownNetworkError(f"unknown network {unknown[0]!r} (known networks: {known})")
    if DEFAULT not in names and RESTRICTED not in names and not plan.all:
        names.append(RESTRICTED)
    return [_with_args(available[n], plan.args.get(n, "")) for n in names]


def _all_names(available: dict[str, Network]) -> list[str]:
    return [DEFAULT] + [n for n in available if n not in (DEFAULT, RESTRICTED)]


def _with_args(net: Network, args: str) -> Network:
    plugins = json.loads(json.dumps(net.plugins))
    requested = [v for k, _, v in (a.partition("=") for a in args.split(";")) if k == "IP"]
    for address in requested:
        _check_ip(net, address)
    return Network(net.name, net.cni_version, plugins, args, net.source)


def _check_ip(net: Network, address: str) -> None:
    """IP= must be an address inside the network's host-local subnets (checked before anything is set up)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        raise NetSpecError(f"invalid IP={address!r} for network {net.name!r}") from None
    subnets = _subnets(net)
    if subnets and not any(ip in s for s in subnets):
        shown = ", ".join(map(str, subnets))
        raise NetSpecError(f"IP {address} is outside network {net.name!r} ({shown})")


def _subnets(net: Network) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    ipam = next((p["ipam"] for p in net.plugins if isinstance(p.get("ipam"), dict)), {})
    if ipam.get("type") != "host-local":
        return []
    raw = [ipam.get("subnet")] + [r.get("subnet") for rs in ipam.get("ranges") or [] for r in rs]
    try:
        return [ipaddress.ip_network(s, strict=False) for s in raw if s]
    except (TypeError, ValueError):
        return []
