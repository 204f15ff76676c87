"""The user's kubeconfig: ``start`` merges the profile's cluster, user and context into it (named after the
profile, made current, as minikube does with ``minikube``); ``delete`` takes them out again. Other entries
are kept; the file is replaced atomically and stays private (0600)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

Config = dict[str, Any]


def load(path: Path) -> Config:
    if path.exists():
        data = yaml.safe_load(path.read_text()) or {}
        if isinstance(data, dict):
            return data
    return {"apiVersion": "v1", "kind": "Config", "preferences": {}}


def _save(path: Path, config: Config) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".rktnetes-tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        yaml.safe_dump(config, f, default_flow_style=False)
    tmp.replace(path)


def _without(entries: list | None, name: str) -> list:
    return [e for e in entries or [] if e.get("name") != name]


def merge(admin: Path, user: Path, name: str) -> None:
    """Copy the admin kubeconfig's cluster and user into ``user`` as ``name`` and make context ``name``
    current."""
    source = load(admin)
    cluster, creds = source["clusters"][0]["cluster"], source["users"][0]["user"]
    config = load(user)
    config["clusters"] = _without(config.get("clusters"), name) + [{"name": name, "cluster": cluster}]
    config["users"] = _without(config.get("users"), name) + [{"name": name, "user": creds}]
    context = {"cluster": name, "user": name, "namespace": "default"}
    config["contexts"] = _without(config.get("contexts"), name) + [{"name": name, "context": context}]
    config["current-context"] = name
    _save(user, config)


def remove(user: Path, name: str) -> bool:
    """Drop ``name``'s cluster, user and context from ``user``; True if anything was there."""
    if not user.exists():
        return False
    config = load(user)
    before = sum(len(config.get(k) or []) for k in ("clusters", "users", "contexts"))
    for key in ("clusters", "users", "contexts"):
        config[key] = _without(config.get(key), name)
    if config.get("current-context") == name:
        config["current-context"] = ""
    _save(user, config)
    return before != sum(len(config[k]) for k in ("clusters", "users", "contexts"))
