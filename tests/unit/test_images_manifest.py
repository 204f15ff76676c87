"""appc ImageManifest validation: valid documents pass unchanged, each spec violation is one clear error."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from rktnetes.rkt.images import manifest
from rktnetes.rkt.images.errors import ManifestError
from tests.fixtures.images_acis import manifest_doc


def full_doc() -> dict[str, Any]:
    doc = manifest_doc()
    doc["app"].update({
        "supplementaryGIDs": [10, 20],
        "workingDirectory": "/srv",
        "environment": [{"name": "PATH", "value": "/bin"}],
        "isolators": [{"name": "resource/memory", "value": {"limit": "1G"}}],
        "mountPoints": [{"name": "data", "path": "/data", "readOnly": True}],
        "ports": [{"name": "http", "protocol": "tcp", "port": 80}],
        "eventHandlers": [{"name": "pre-start", "exec": ["/bin/prep"]}],
    })
    doc["dependencies"] = [{"imageName": "example.com/base", "labels": [{"name": "version", "value": "1"}]}]
    doc["pathWhitelist"] = ["/bin/hello"]
    doc["annotations"] = [{"name": "authors", "value": "me"}]
    return doc


def test_full_manifest_is_valid() -> None:
    doc = full_doc()
    assert manifest.validate(copy.deepcopy(doc)) == doc
    assert manifest.parse(json.dumps(doc).encode()) == doc
    assert manifest.labels(doc) == {"version": "1.0", "os": "linux", "arch": "amd64"}


def _broken(path: list[Any], value: Any) -> dict[str, Any]:
    doc = full_doc()
    target = doc
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@pytest.mark.parametrize(("path", "value", "message"), [
    (["acKind"], "PodManifest", "acKind"),
    (["acVersion"], "latest", "acVersion"),
    (["name"], "Example.com/Hello", "not a valid AC identifier"),
    (["name"], KeyError, "image name"),
    (["labels"], [{"name": "arch", "value": "amd64"}], "label 'os' is required"),
    (["labels"], [{"name": "os", "value": "plan9"}], "bad os"),
    (["labels"], [{"name": "os", "value": "linux"}, {"name": "arch", "value": "x86_64"}], "bad arch"),
    (["labels"], [{"name": "os", "value": "linux"}, {"name": "os", "value": "linux"}], "duplicate label"),
    (["app", "exec"], ["hello"], "absolute path"),
    (["app", "user"], KeyError, "app user is required"),
    (["app", "group"], "", "app group is required"),
    (["app", "supplementaryGIDs"], [-1], "supplementaryGIDs"),
    (["app", "workingDirectory"], "srv", "workingDirectory"),
    (["app", "environment"], [{"name": "1BAD", "value": "x"}], "environment variable"),
    (["app", "isolators"], [{"name": "Bad Name"}], "isolator name"),
    (["app", "mountPoints"], [{"name": "data", "path": "data"}], "absolute path"),
    (["app", "ports"], [{"name": "http", "protocol": "sctp", "port": 80}], "tcp or udp"),
    (["app", "ports"], [{"name": "http", "protocol": "tcp", "port": 70000}], "1-65535"),
    (["app", "eventHandlers"], [{"name": "on-boot", "exec": ["/x"]}], "event handler"),
    (["dependencies"], [{"imageName": "BAD"}], "dependency imageName"),
    (["dependencies"], [{"imageName": "a.b/c", "imageID": "md5-1"}], "not a sha512 id"),
    (["pathWhitelist"], ["bin/hello"], "pathWhitelist"),
])
def test_spec_violations_are_refused(path: list[Any], value: Any, message: str) -> None:
    with pytest.raises(ManifestError, match=message) as info:
        manifest.validate(_broken(path, value))
    assert "\n" not in str(info.value)


def test_parse_refuses_garbage_and_oversized() -> None:
    with pytest.raises(ManifestError, match="not valid JSON"):
        manifest.parse(b"{nope")
    with pytest.raises(ManifestError, match="too large"):
        manifest.parse(b" " * (manifest.MAX_MANIFEST_BYTES + 1))
    with pytest.raises(ManifestError, match="JSON object"):
        manifest.parse(b"[]")


def test_app_is_optional() -> None:
    doc = manifest_doc()
    del doc["app"]
    assert manifest.validate(doc) is doc
