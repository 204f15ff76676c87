"""rkt's configuration files: ``auth.d``, ``paths.d`` and ``stage1.d`` under the system, local and user dirs.

Each ``*.json`` file holds one object with ``rktKind`` and ``rktVersion: v1``. Later directories override
earlier ones (system, then local, then user): per domain for auth, per registry for docker auth, per key for
paths and stage1. ``rkt config`` prints the merged result; fetchers ask it for credentials.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from rktnetes.rkt import paths
from rktnetes.rkt.images.errors import ImageError

KINDS = {"auth": ("auth", "dockerAuth"), "paths": ("paths",), "stage1": ("stage1",)}


class Config:
    """The merged configuration of rkt's stage0."""

    def __init__(self) -> None:
        self.auth: dict[str, dict[str, Any]] = {}
        self.docker_auth: dict[str, dict[str, Any]] = {}
        self.paths: dict[str, str] = {"data": str(paths.DEFAULT_DIR)}
        self.stage1: dict[str, str] = {}

    def add(self, doc: dict[str, Any], source: Path) -> None:
        kind = doc.get("rktKind")
        if kind == "auth":
            self.auth.update({domain: doc for domain in _strings(doc, "domains", source)})
        elif kind == "dockerAuth":
            self.docker_auth.update({host: doc for host in _strings(doc, "registries", source)})
        elif kind in ("paths", "stage1"):
            target = self.paths if kind == "paths" else self.stage1
            target.update({k: str(v) for k, v in doc.items() if k not in ("rktKind", "rktVersion")})

    def docker_credentials(self, registry: str) -> tuple[str, str] | None:
        """``(user, password)`` configured for a registry host (``host[:port]``), if any."""
        doc = self.docker_auth.get(registry)
        creds = (doc or {}).get("credentials") or {}
        return (str(creds.get("user", "")), str(creds.get("password", ""))) if doc else None

    def auth_header(self, host: str) -> str | None:
        """The ``Authorization`` header value configured for an appc/HTTP host, if any."""
        doc = self.auth.get(host)
        if doc is None:
            return None
        creds = doc.get("credentials") or {}
        if doc.get("type") == "oauth":
            return f"Bearer {creds.get('token', '')}"
        pair = f"{creds.get('user', '')}:{creds.get('password', '')}".encode()
        return "Basic " + base64.b64encode(pair).decode()

    def to_json(self) -> dict[str, Any]:
        """The document ``rkt config`` prints."""
        stage0: list[dict[str, Any]] = [*_unique(self.auth.values()), *_unique(self.docker_auth.values())]
        stage0.append({"rktVersion": "v1", "rktKind": "paths", **self.paths})
        if self.stage1:
            stage0.append({"rktVersion": "v1", "rktKind": "stage1", **self.stage1})
        return {"stage0": stage0}


def _strings(doc: dict[str, Any], key: str, source: Path) -> list[str]:
    value = doc.get(key)
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ImageError(f"{source}: {key} must be a non-empty list of strings")
    return value


def _unique(docs: Any) -> list[dict[str, Any]]:
    seen: dict[int, dict[str, Any]] = {}
    for doc in docs:
        seen.setdefault(id(doc), doc)
    return list(seen.values())


def load(system_config: Path, local_config: Path, user_config: Path | None = None) -> Config:
    """Read and merge every config file; a malformed one is a one-line error naming it."""
    config = Config()
    for top in (system_config, local_config, user_config):
        for kind, allowed in KINDS.items():
            for path in sorted(paths.config_kind_dir(top, kind).glob("*.json")) if top else ():
                config.add(_read(path, allowed), path)
    return config


def _read(path: Path, allowed: tuple[str, ...]) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ImageError(f"{path}: cannot read config: {exc}") from None
    if not isinstance(doc, dict) or doc.get("rktVersion") != "v1" or doc.get("rktKind") not in allowed:
        raise ImageError(f"{path}: want rktVersion v1 and rktKind one of {', '.join(allowed)}")
    return doc
