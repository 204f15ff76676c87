"""Registry credentials from a pod's image pull Secrets, handed to rkt the way rkt takes them.

A Secret of type ``kubernetes.io/dockerconfigjson`` (``.dockerconfigjson``: ``{"auths": {REGISTRY: …}}``) or
``kubernetes.io/dockercfg`` (``.dockercfg``: the ``auths`` map itself) names registries by host, often with
a scheme and a path (``https://index.docker.io/v1/``); each entry has ``username``/``password`` or ``auth``
(base64 ``user:password``). The pod's own ``imagePullSecrets`` come first, then its ServiceAccount's (what
the ServiceAccount admission plugin would have copied into the pod); the first Secret naming a registry wins.

rkt reads registry credentials only from ``dockerAuth`` files in a config dir's ``auth.d``: so a pull gets
a private directory (0700, its file 0600) that exists only while that one ``rkt fetch`` runs — never a
command-line word, an environment variable or a log line.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rktnetes.client import errors as client_errors
from rktnetes.client import interface
from rktnetes.kubelet import errors
from rktnetes.rkt import paths as rkt_paths

Obj = dict[str, Any]
Keyring = dict[str, tuple[str, str]]  # registry host[:port] -> (user, password)
DOCKER_HUB_NAMES = ("docker.io", "index.docker.io", "registry-1.docker.io")
KEYS = {"kubernetes.io/dockerconfigjson": ".dockerconfigjson", "kubernetes.io/dockercfg": ".dockercfg"}


def pull_configs_dir(root_dir: Path) -> Path:
    """Where the per-pull private rkt config dirs are made (under the kubelet's ``--root-dir``)."""
    return root_dir / "pull-configs"


async def _read(client: interface.Api, kind: str, name: str, namespace: str) -> Obj | None:
    try:
        return await client.get(kind, name, namespace) if name else None
    except client_errors.NotFound:
        return None


def registry_host(key: str) -> str:
    """A docker config key (``https://host:port/v1/``, ``host:port``) as the ``host[:port]`` it names."""
    host = key.split("://", 1)[-1].split("/", 1)[0].lower()
    return "docker.io" if host in DOCKER_HUB_NAMES else host


def _entry(entry: Any) -> tuple[str, str] | None:
    if not isinstance(entry, dict):
        return None
    if entry.get("username") or entry.get("password"):
        return str(entry.get("username", "")), str(entry.get("password", ""))
    try:
        user, sep, password = base64.b64decode(str(entry.get("auth", "")), validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if sep else None


def parse_secret(kind: str, data: dict[str, bytes]) -> Keyring:
    """The registries and credentials of one pull Secret's data (its type ``kind``); BadPod if malformed."""
    key = KEYS.get(kind)
    if key is None or key not in data:
        raise errors.BadPod(f"image pull secret of type {kind!r} has no {KEYS.get(kind, '.dockerconfigjson')} key")
    try:
        doc = json.loads(data[key])
    except ValueError:
        raise errors.BadPod(f"image pull secret key {key} is not JSON") from None
    auths = doc.get("auths") if key == ".dockerconfigjson" and isinstance(doc, dict) else doc
    if not isinstance(auths, dict):
        raise errors.BadPod(f"image pull secret key {key} holds no registry map")
    found = {registry_host(k): creds for k, v in auths.items() if (creds := _entry(v)) is not None}
    return found


def lookup(keyring: Keyring, image: str) -> tuple[str, tuple[str, str]] | None:
    """``(registry, credentials)`` for the registry an image reference names, if the keyring has it."""
    first, sep, _ = image.removeprefix("docker://").partition("/")
    looks_like_host = sep and ("." in first or ":" in first or first == "localhost")
    host = registry_host(first) if looks_like_host else "docker.io"
    return (host, keyring[host]) if host in keyring else None


async def _secret_names(client: interface.Api, pod: Obj) -> list[str]:
    spec, namespace = pod.get("spec") or {}, pod["metadata"]["namespace"]
    names = [ref.get("name", "") for ref in spec.get("imagePullSecrets") or []]
    account = await _read(client, "serviceaccounts", spec.get("serviceAccountName") or "default",
                                        namespace)
    return names + [ref.get("name", "") for ref in (account or {}).get("imagePullSecrets") or []]


async def keyring(client: interface.Api, pod: Obj, missing: list[str] | None = None) -> Keyring:
    """Every registry the pod's pull Secrets (and its ServiceAccount's) hold credentials for; a missing
    Secret is skipped (named in ``missing``), as the kubelet does (the pull may then fail on the registry's
    answer)."""
    found: Keyring = {}
    for name in await _secret_names(client, pod):
        secret = await _read(client, "secrets", name, pod["metadata"]["namespace"])
        if secret is None and missing is not None:
            missing.append(name)
        if secret is None:
            continue
        data = {k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()}
        for host, creds in parse_secret(secret.get("type", ""), data).items():
            found.setdefault(host, creds)
    return found


def auth_document(registry: str, creds: tuple[str, str]) -> Obj:
    """rkt's ``dockerAuth`` config for one registry."""
    return {"rktKind": "dockerAuth", "rktVersion": "v1", "registries": [registry],
            "credentials": {"user": creds[0], "password": creds[1]}}


def remove_tree(top: Path) -> None:
    for leftover in sorted(top.rglob("*"), reverse=True):
        leftover.unlink() if leftover.is_file() else leftover.rmdir()
    top.rmdir()


def remove_leftovers(root_dir: Path) -> None:
    """Private config dirs a killed kubelet left behind (its fetch never ended): removed at start."""
    parent = pull_configs_dir(root_dir)
    for top in parent.iterdir() if parent.is_dir() else ():
        remove_tree(top)


@contextlib.contextmanager
def config_dir(root_dir: Path, registry: str, creds: tuple[str, str]) -> Iterator[Path]:
    """A private rkt config dir whose ``auth.d`` holds the credentials for ``registry``; removed after."""
    parent = pull_configs_dir(root_dir)
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    top = Path(tempfile.mkdtemp(prefix="pull-", dir=parent))  # mkdtemp: mode 0700, a name nobody guessed
    try:
        auth_dir = rkt_paths.config_kind_dir(top, "auth")
        auth_dir.mkdir(mode=0o700)
        fd = os.open(auth_dir / "pull.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(auth_document(registry, creds), out)
        yield top
    finally:
        remove_tree(top)
