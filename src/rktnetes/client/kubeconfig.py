"""Reading a kubeconfig: which server to talk to, how to trust it and how to prove who we are.

``load_kubeconfig(path, context)`` follows kubectl's rules: ``path`` or else ``$KUBECONFIG`` (several files,
the first to name an entry wins) or else ``~/.kube/config``; relative file references are relative to the file
that holds them; ``*-data`` fields are base64. Only what a client of our API server needs is read: the server,
its CA (or insecure-skip-tls-verify), a client certificate and key, or a bearer token (inline or tokenFile).
"""

from __future__ import annotations

import base64
import binascii
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from rktnetes.client import errors

_SECTIONS = ("clusters", "users", "contexts")


@dataclass(frozen=True)
class Config:
    """Everything needed to open connections to one API server as one user."""

    server: str
    namespace: str = "default"
    ca_data: bytes | None = None
    cert_data: bytes | None = None
    key_data: bytes | None = None
    token: str | None = None
    insecure: bool = False
    tls_server_name: str | None = None

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context for ``https`` servers (None for plain ``http``)."""
        if not self.server.startswith("https:"):
            return None
        context = ssl.create_default_context(cadata=self.ca_data.decode() if self.ca_data else None)
        if self.insecure:
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        if self.cert_data and self.key_data:
            _load_chain(context, self.cert_data, self.key_data)
        return context


def _load_chain(context: ssl.SSLContext, cert: bytes, key: bytes) -> None:
    # the ssl module only loads key pairs from files: a private directory that lives for this call only
    with tempfile.TemporaryDirectory(prefix="rktnetes-client-") as scratch:
        cert_path, key_path = Path(scratch, "client.crt"), Path(scratch, "client.key")
        cert_path.write_bytes(cert)
        key_path.touch(mode=0o600)
        key_path.write_bytes(key)
        try:
            context.load_cert_chain(cert_path, key_path)
        except ssl.SSLError as exc:
            raise errors.ConfigError(f"kubeconfig: unusable client certificate or key: {exc}") from None


def default_paths() -> list[Path]:
    """``$KUBECONFIG`` split on ``:`` or else ``~/.kube/config``."""
    env = os.environ.get("KUBECONFIG", "")
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise errors.ConfigError(f"kubeconfig {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise errors.ConfigError(f"kubeconfig {path}: not YAML: {str(exc).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise errors.ConfigError(f"kubeconfig {path}: not a mapping")
    return data


def _entries(data: dict[str, Any], section: str, base: Path) -> dict[str, tuple[dict[str, Any], Path]]:
    key = section[:-1]
    found = {}
    for entry in data.get(section) or []:
        if isinstance(entry, dict) and entry.get("name") and isinstance(entry.get(key), dict):
            found[str(entry["name"])] = (entry[key], base)
    return found


def _merge(paths: list[Path]) -> tuple[dict[str, dict], str]:
    merged: dict[str, dict] = {s: {} for s in _SECTIONS}
    current = ""
    for path in paths:
        data = _read(path)
        current = current or str(data.get("current-context") or "")
        for section in _SECTIONS:
            for name, value in _entries(data, section, path.parent).items():
                merged[section].setdefault(name, value)
    return merged, current


def _named(merged: dict[str, dict], section: str, name: str) -> tuple[dict[str, Any], Path]:
    if name not in merged[section]:
        raise errors.ConfigError(f"kubeconfig: no {section[:-1]} named {name!r}")
    return merged[section][name]


def _bytes(entry: dict[str, Any], base: Path, field: str) -> bytes | None:
    if entry.get(f"{field}-data"):
        try:
            return base64.b64decode(entry[f"{field}-data"], validate=True)
        except (binascii.Error, ValueError):
            raise errors.ConfigError(f"kubeconfig: {field}-data is not base64") from None
    if entry.get(field):
        path = base / Path(entry[field]).expanduser()
        try:
            return path.read_bytes()
        except OSError as exc:
            raise errors.ConfigError(f"kubeconfig: {field} {path}: {exc.strerror or exc}") from None
    return None


def _token(user: dict[str, Any], base: Path) -> str | None:
    if user.get("token"):
        return str(user["token"])
    if user.get("tokenFile"):
        raw = _bytes({"tokenFile": user["tokenFile"]}, base, "tokenFile")
        return raw.decode().strip() if raw else None
    return None


def load_kubeconfig(path: str | os.PathLike | None = None, context: str | None = None) -> Config:
    """The Config of ``context`` (default: the current context) in ``path`` (default: kubectl's search)."""
    paths = [Path(path)] if path is not None else [p for p in default_paths() if p.exists()]
    if not paths:
        raise errors.ConfigError("kubeconfig: no file found (set KUBECONFIG or pass a path)")
    merged, current = _merge(paths)
    name = context or current
    if not name:
        raise errors.ConfigError("kubeconfig: no context given and no current-context set")
    ctx, _ = _named(merged, "contexts", name)
    cluster, cluster_base = _named(merged, "clusters", str(ctx.get("cluster") or ""))
    user, user_base = _named(merged, "users", str(ctx.get("user") or "")) if ctx.get("user") else ({}, Path())
    unsupported = [k for k in ("exec", "auth-provider", "username") if user.get(k)]
    if unsupported and not (user.get("token") or user.get("tokenFile") or user.get("client-certificate-data")
                            or user.get("client-certificate")):
        raise errors.ConfigError(f"kubeconfig: user {ctx.get('user')!r}: {unsupported[0]} credentials are not "
                                 "supported (use a client certificate or a token)")
    if not cluster.get("server"):
        raise errors.ConfigError(f"kubeconfig: cluster {ctx.get('cluster')!r} has no server")
    return Config(
        server=str(cluster["server"]).rstrip("/"), namespace=str(ctx.get("namespace") or "default"),
        ca_data=_bytes(cluster, cluster_base, "certificate-authority"),
        cert_data=_bytes(user, user_base, "client-certificate"), key_data=_bytes(user, user_base, "client-key"),
        token=_token(user, user_base), insecure=bool(cluster.get("insecure-skip-tls-verify")),
        tls_server_name=cluster.get("tls-server-name"))
