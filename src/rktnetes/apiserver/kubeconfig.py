"""Kubeconfig files: the admin one ``rktnetes apiserver`` writes, and any other client's (kubelets, controllers).

Credentials are embedded (``*-data``), as minikube writes them; an existing file keeps its other entries.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path
from typing import Any

import yaml

from rktnetes.apiserver.certs import Pair

NAME = "rktnetes"


def _b64(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def _replace(entries: list[dict[str, Any]], name: str, key: str, value: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in entries if e.get("name") != name] + [{"name": name, key: value}]


def _load(path: Path) -> dict[str, Any]:
    if path.exists():
        data = yaml.safe_load(path.read_text()) or {}
        if isinstance(data, dict):
            return data
    return {"apiVersion": "v1", "kind": "Config", "preferences": {}}


def write(path: Path, server: str, ca_cert: Path, client: Pair | None = None, token: str | None = None,
          name: str = NAME) -> Path:
    """Write (or update) cluster, user and context ``name`` in ``path`` and make it the current context."""
    config = _load(path)
    cluster = {"server": server, "certificate-authority-data": _b64(ca_cert)}
    user: dict[str, Any] = {"token": token} if token else {}
    if client is not None:
        user = {"client-certificate-data": _b64(client.cert), "client-key-data": _b64(client.key)}
    config["clusters"] = _replace(config.get("clusters") or [], name, "cluster", cluster)
    config["users"] = _replace(config.get("users") or [], name, "user", user)
    config["contexts"] = _replace(config.get("contexts") or [], name, "context", {"cluster": name, "user": name,
                                                                                  "namespace": "default"})
    config["current-context"] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(config, f, default_flow_style=False)
    tmp.replace(path)
    return path
