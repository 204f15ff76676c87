"""Table columns of the core group and the small API groups, as kube-apiserver's printers define them."""

from __future__ import annotations

from rktnetes.api.tables import AGE, NAME, NONE, Column, Obj, since
from rktnetes.api.tables import spec_of as _spec
from rktnetes.api.tables import status_of as _status


def _ports(obj: Obj) -> str:
    parts = []
    for p in _spec(obj).get("ports") or []:
        node = f":{p['nodePort']}" if p.get("nodePort") else ""
        parts.append(f"{p.get('port')}{node}/{p.get('protocol', 'TCP')}")
    return ",".join(parts) or NONE


def _external_ip(obj: Obj) -> str:
    spec = _spec(obj)
    ips = list(spec.get("externalIPs") or [])
    if spec.get("type") == "ExternalName":
        return spec.get("externalName") or NONE
    ingress = (_status(obj).get("loadBalancer") or {}).get("ingress") or []
    ips += [i.get("ip") or i.get("hostname") for i in ingress]
    if ips:
        return ",".join(ips)
    return "<pending>" if spec.get("type") == "LoadBalancer" else NONE


def _selector_map(selector: Obj | None) -> str:
    return ",".join(f"{k}={v}" for k, v in (selector or {}).items()) or NONE


SERVICE = (NAME, Column("Type", lambda o: _spec(o).get("type", "")),
           Column("Cluster-IP", lambda o: _spec(o).get("clusterIP") or NONE),
           Column("External-IP", _external_ip), Column("Port(s)", _ports), AGE,
           Column("Selector", lambda o: _selector_map(_spec(o).get("selector")), 1))


def _endpoints(obj: Obj) -> str:
    pairs = []
    for subset in obj.get("subsets") or []:
        for addr in subset.get("addresses") or []:
            pairs += [f"{addr.get('ip')}:{p.get('port')}" for p in subset.get("ports") or []] or [addr.get("ip")]
    shown = ",".join(pairs[:3])
    return (shown + f" + {len(pairs) - 3} more..." if len(pairs) > 3 else shown) or NONE


def _node_status(obj: Obj) -> str:
    ready = [c for c in _status(obj).get("conditions") or [] if c.get("type") == "Ready"]
    text = "Ready" if ready and ready[0].get("status") == "True" else "NotReady"
    text = "Unknown" if not ready else text
    return text + (",SchedulingDisabled" if _spec(obj).get("unschedulable") else "")


def _node_roles(obj: Obj) -> str:
    prefix = "node-role.kubernetes.io/"
    roles = sorted(k[len(prefix):] for k in obj.get("metadata", {}).get("labels") or {} if k.startswith(prefix))
    return ",".join(roles) or NONE


def _address(kind: str):
    def cell(obj: Obj) -> str:
        found = [a["address"] for a in _status(obj).get("addresses") or [] if a.get("type") == kind]
        return found[0] if found else NONE
    return cell


def _info(key: str):
    return lambda o: (_status(o).get("nodeInfo") or {}).get(key) or "<unknown>"


NODE = (NAME, Column("Status", _node_status), Column("Roles", _node_roles), AGE,
        Column("Version", _info("kubeletVersion")), Column("Internal-IP", _address("InternalIP"), 1),
        Column("External-IP", _address("ExternalIP"), 1), Column("OS-Image", _info("osImage"), 1),
        Column("Kernel-Version", _info("kernelVersion"), 1),
        Column("Container-Runtime", _info("containerRuntimeVersion"), 1))


def _event_object(obj: Obj) -> str:
    ref = obj.get("involvedObject") or obj.get("regarding") or {}
    return f"{(ref.get('kind') or '').lower()}/{ref.get('name', '')}"


def _last_seen(obj: Obj) -> str:
    stamp = obj.get("lastTimestamp") or obj.get("eventTime") or obj.get("metadata", {}).get("creationTimestamp")
    return since(stamp[:19] + "Z" if stamp and len(stamp) > 20 else stamp)


EVENT = (Column("Last Seen", _last_seen), Column("Type", lambda o: o.get("type", "")),
         Column("Reason", lambda o: o.get("reason", "")), Column("Object", _event_object),
         Column("Subobject", lambda o: (o.get("involvedObject") or {}).get("fieldPath", ""), 1),
         Column("Source", lambda o: (o.get("source") or {}).get("component", ""), 1),
         Column("Message", lambda o: o.get("message") or o.get("note", "")),
         Column("First Seen", lambda o: since(o.get("firstTimestamp")), 1),
         Column("Count", lambda o: o.get("count", 1), 1, "integer"), Column("Name", lambda o: o["metadata"]["name"], 1))


COLUMNS: dict[tuple[str, str], tuple[Column, ...]] = {
    ("", "Service"): SERVICE, ("", "Node"): NODE, ("", "Event"): EVENT, ("events.k8s.io", "Event"): EVENT,
    ("", "Endpoints"): (NAME, Column("Endpoints", _endpoints), AGE),
    ("", "Namespace"): (NAME, Column("Status", lambda o: _status(o).get("phase", "")), AGE),
    ("", "ConfigMap"): (NAME, Column("Data", lambda o: len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                                     type="integer"), AGE),
    ("", "Secret"): (NAME, Column("Type", lambda o: o.get("type", "")),
                     Column("Data", lambda o: len(o.get("data") or {}), type="integer"), AGE),
    ("", "ServiceAccount"): (NAME, Column("Secrets", lambda o: len(o.get("secrets") or []), type="integer"), AGE),
    ("coordination.k8s.io", "Lease"): (NAME, Column("Holder", lambda o: _spec(o).get("holderIdentity", "")), AGE),
    ("discovery.k8s.io", "EndpointSlice"): (
        NAME, Column("AddressType", lambda o: o.get("addressType", "")),
        Column("Ports", lambda o: ",".join(str(p.get("port")) for p in o.get("ports") or []) or NONE),
        Column("Endpoints", lambda o: ",".join(a for e in o.get("endpoints") or [] for a in e.get("addresses", []))
               or NONE), AGE),
}
