"""The appc ImageManifest (spec 0.8.x): parsing and validation of the JSON document.

The manifest stays a plain ``dict`` (it is written back byte-for-byte into exported ACIs); this module
checks it against the spec and offers the few accessors the store needs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from rktnetes.rkt.images import app as app_schema
from rktnetes.rkt.images.errors import ManifestError

AC_KIND = "ImageManifest"
AC_VERSION = "0.8.11"
MAX_MANIFEST_BYTES = 1 << 20
AC_IDENTIFIER = re.compile(r"^[a-z0-9]+([-._~/][a-z0-9]+)*$")
AC_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
_OS_ARCH = {
    "linux": {"amd64", "i386", "aarch64", "aarch64_be", "armv6l", "armv7l", "armv7b", "ppc64", "ppc64le", "s390x"},
    "freebsd": {"amd64", "i386", "arm"},
    "darwin": {"x86_64", "i386"},
}


def parse(raw: bytes) -> dict[str, Any]:
    """Decode and validate a manifest read from an ACI."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"image manifest is too large ({len(raw)} bytes, limit {MAX_MANIFEST_BYTES})")
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ManifestError(f"image manifest is not valid JSON: {exc}") from None
    return validate(doc)


def validate(doc: Any) -> dict[str, Any]:
    """Check a manifest against the appc spec; returns it unchanged or raises ManifestError."""
    if not isinstance(doc, dict):
        raise ManifestError("image manifest must be a JSON object")
    _check_header(doc)
    _check_labels(doc.get("labels", []))
    if doc.get("app") is not None:
        app_schema.validate(doc["app"])
    for dep in _list(doc, "dependencies"):
        _check_dependency(dep)
    for path in _list(doc, "pathWhitelist"):
        if not isinstance(path, str) or not path.startswith("/"):
            raise ManifestError(f"pathWhitelist entry {path!r} is not an absolute path")
    _check_name_values(_list(doc, "annotations"), "annotation")
    return doc


def _check_header(doc: dict[str, Any]) -> None:
    if doc.get("acKind") != AC_KIND:
        raise ManifestError(f"acKind must be {AC_KIND!r}, got {doc.get('acKind')!r}")
    if not isinstance(doc.get("acVersion"), str) or not _SEMVER.match(doc["acVersion"]):
        raise ManifestError(f"acVersion {doc.get('acVersion')!r} is not a semantic version")
    check_identifier(doc.get("name"), "image name")


def check_identifier(value: Any, what: str) -> str:
    if not isinstance(value, str) or not AC_IDENTIFIER.match(value):
        raise ManifestError(f"{what} {value!r} is not a valid AC identifier")
    return value


def _list(doc: dict[str, Any], key: str) -> list[Any]:
    value = doc.get(key) or []
    if not isinstance(value, list):
        raise ManifestError(f"{key} must be a list")
    return value


def _check_name_values(items: list[Any], what: str) -> dict[str, str]:
    seen: dict[str, str] = {}
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise ManifestError(f"each {what} must be an object with a string name and value")
        name = check_identifier(item.get("name"), f"{what} name")
        if name in seen:
            raise ManifestError(f"duplicate {what} {name!r}")
        seen[name] = item["value"]
    return seen


def _check_labels(items: Any) -> None:
    if not isinstance(items, list):
        raise ManifestError("labels must be a list")
    labels = _check_name_values(items, "label")
    os_name, arch = labels.get("os"), labels.get("arch")
    if os_name is None:
        raise ManifestError("label 'os' is required")
    if os_name not in _OS_ARCH:
        raise ManifestError(f"bad os {os_name!r} (supported: {', '.join(sorted(_OS_ARCH))})")
    if arch is not None and arch not in _OS_ARCH[os_name]:
        raise ManifestError(f"bad arch {arch!r} for os {os_name!r}")


def _check_dependency(dep: Any) -> None:
    if not isinstance(dep, dict):
        raise ManifestError("each dependency must be an object")
    check_identifier(dep.get("imageName"), "dependency imageName")
    if "imageID" in dep and not re.match(r"^sha512-[0-9a-f]{64,128}$", str(dep["imageID"])):
        raise ManifestError(f"dependency imageID {dep['imageID']!r} is not a sha512 id")
    _check_name_values(dep.get("labels") or [], "dependency label")


def labels(doc: dict[str, Any]) -> dict[str, str]:
    """The manifest's labels as a dict."""
    return {item["name"]: item["value"] for item in doc.get("labels") or []}


def dumps(doc: dict[str, Any]) -> bytes:
    """The canonical bytes of a manifest, as written into ACIs we produce."""
    return json.dumps(doc, sort_keys=True, indent=None, separators=(",", ":")).encode()
