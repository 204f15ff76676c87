"""Table columns of volumes and storage classes, and of the RBAC kinds, as kube-apiserver's printers define them."""

from __future__ import annotations

from rktnetes.api.tables import AGE, NAME, Column, Obj
from rktnetes.api.tables import spec_of as _spec
from rktnetes.api.tables import status_of as _status


def _modes(obj: Obj) -> str:
    short = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX", "ReadWriteOncePod": "RWOP"}
    return ",".join(short.get(m, m) for m in _spec(obj).get("accessModes") or [])


def _claim(obj: Obj) -> str:
    ref = _spec(obj).get("claimRef") or {}
    return f"{ref.get('namespace')}/{ref.get('name')}" if ref else ""


def _storage(source: Obj) -> str:
    return (source.get("capacity") or source.get("storage") or {}).get("storage", "") if source else ""


def _phase(obj: Obj) -> str:
    """The phase, or Terminating once deleted (kube's printer shows it so for volumes and claims)."""
    return "Terminating" if (obj.get("metadata") or {}).get("deletionTimestamp") else _status(obj).get("phase", "")


_VAC = Column("VolumeAttributesClass", lambda o: _spec(o).get("volumeAttributesClassName") or "<unset>")
PV = (NAME, Column("Capacity", lambda o: _storage(_spec(o))), Column("Access Modes", _modes),
      Column("Reclaim Policy", lambda o: _spec(o).get("persistentVolumeReclaimPolicy", "")),
      Column("Status", _phase), Column("Claim", _claim),
      Column("StorageClass", lambda o: _spec(o).get("storageClassName", "")), _VAC,
      Column("Reason", lambda o: _status(o).get("reason", "")), AGE,
      Column("VolumeMode", lambda o: _spec(o).get("volumeMode", ""), 1))
PVC = (NAME, Column("Status", _phase),
       Column("Volume", lambda o: _spec(o).get("volumeName", "")),
       Column("Capacity", lambda o: _storage(_status(o))), Column("Access Modes", _modes),
       Column("StorageClass", lambda o: _spec(o).get("storageClassName") or ""), _VAC, AGE,
       Column("VolumeMode", lambda o: _spec(o).get("volumeMode", ""), 1))


def _sc_name(obj: Obj) -> str:
    default = obj["metadata"].get("annotations", {}).get("storageclass.kubernetes.io/is-default-class") == "true"
    return obj["metadata"]["name"] + (" (default)" if default else "")


def _created_at(obj: Obj) -> str:
    return obj.get("metadata", {}).get("creationTimestamp") or ""


def _subjects(kind: str):
    def cell(obj: Obj) -> str:
        found = [s for s in obj.get("subjects") or [] if s.get("kind") == kind]
        if kind == "ServiceAccount":
            return ", ".join(f"{s.get('namespace', '')}/{s.get('name', '')}" for s in found)
        return ", ".join(s.get("name", "") for s in found)
    return cell


_CREATED = Column("Created At", _created_at, type="date")
_BINDING = (NAME, Column("Role", lambda o: f"{o.get('roleRef', {}).get('kind', '')}/{o.get('roleRef', {}).get('name', '')}"),
            AGE, Column("Users", _subjects("User"), 1), Column("Groups", _subjects("Group"), 1),
            Column("ServiceAccounts", _subjects("ServiceAccount"), 1))
RBAC = "rbac.authorization.k8s.io"

COLUMNS: dict[tuple[str, str], tuple[Column, ...]] = {
    ("", "PersistentVolume"): PV, ("", "PersistentVolumeClaim"): PVC,
    ("storage.k8s.io", "StorageClass"): (
        Column("Name", _sc_name), Column("Provisioner", lambda o: o.get("provisioner", "")),
        Column("ReclaimPolicy", lambda o: o.get("reclaimPolicy", "Delete")),
        Column("VolumeBindingMode", lambda o: o.get("volumeBindingMode", "Immediate")),
        Column("AllowVolumeExpansion", lambda o: bool(o.get("allowVolumeExpansion")), type="boolean"), AGE),
    (RBAC, "Role"): (NAME, _CREATED), (RBAC, "ClusterRole"): (NAME, _CREATED),
    (RBAC, "RoleBinding"): _BINDING, (RBAC, "ClusterRoleBinding"): _BINDING,
}
