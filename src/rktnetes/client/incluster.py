"""The configuration of a client running inside a pod: the service account's token and CA, as client-go reads
them, with the API server's address from ``KUBERNETES_SERVICE_HOST`` / ``KUBERNETES_SERVICE_PORT``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from rktnetes.client import errors
from rktnetes.client.kubeconfig import Config, load_kubeconfig

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")


def token_path(root: Path = SERVICE_ACCOUNT_DIR) -> Path:
    return root / "token"


def ca_path(root: Path = SERVICE_ACCOUNT_DIR) -> Path:
    return root / "ca.crt"


def namespace_path(root: Path = SERVICE_ACCOUNT_DIR) -> Path:
    return root / "namespace"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise errors.ConfigError(f"in-cluster config: {path}: {exc.strerror or exc}") from None


def load_in_cluster(root: Path = SERVICE_ACCOUNT_DIR, env: Mapping[str, str] = os.environ) -> Config:
    """The Config of this pod's service account."""
    host, port = env.get("KUBERNETES_SERVICE_HOST"), env.get("KUBERNETES_SERVICE_PORT")
    if not host or not port:
        raise errors.ConfigError("in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set")
    host = f"[{host}]" if ":" in host else host
    namespace = namespace_path(root)
    return Config(server=f"https://{host}:{port}", token=_read(token_path(root)).decode().strip(),
                  ca_data=_read(ca_path(root)),
                  namespace=_read(namespace).decode().strip() if namespace.exists() else "default")


def load_config(path: str | os.PathLike | None = None, context: str | None = None) -> Config:
    """A kubeconfig when one is given or found (kubectl's search), else this pod's service account."""
    if path is not None or context is not None or os.environ.get("KUBERNETES_SERVICE_HOST") is None:
        return load_kubeconfig(path, context)
    return load_in_cluster()
