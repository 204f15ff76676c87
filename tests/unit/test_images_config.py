"""rkt's config files: merging system < local < user, credentials lookups, malformed files refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rktnetes.rkt.images import config
from rktnetes.rkt.images.errors import ImageError


def _write(top: Path, kind: str, name: str, doc: dict) -> None:
    folder = top / f"{kind}.d"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(json.dumps(doc))


def test_merge_and_credentials(tmp_path: Path) -> None:
    system, local = tmp_path / "sys", tmp_path / "etc"
    _write(system, "auth", "a.json", {"rktKind": "auth", "rktVersion": "v1", "domains": ["example.com"],
                                      "type": "basic", "credentials": {"user": "old", "password": "x"}})
    _write(local, "auth", "a.json", {"rktKind": "auth", "rktVersion": "v1", "domains": ["example.com"],
                                     "type": "oauth", "credentials": {"token": "tok"}})
    _write(local, "auth", "d.json", {"rktKind": "dockerAuth", "rktVersion": "v1", "registries": ["127.0.0.1:5000"],
                                     "credentials": {"user": "u", "password": "p"}})
    _write(system, "paths", "p.json", {"rktKind": "paths", "rktVersion": "v1", "data": "/srv/rkt"})
    merged = config.load(system, local)
    assert merged.auth_header("example.com") == "Bearer tok"
    assert merged.auth_header("other.com") is None
    assert merged.docker_credentials("127.0.0.1:5000") == ("u", "p")
    kinds = [doc["rktKind"] for doc in merged.to_json()["stage0"]]
    assert kinds == ["auth", "dockerAuth", "paths"]
    assert merged.paths["data"] == "/srv/rkt"


def test_basic_auth_header(tmp_path: Path) -> None:
    _write(tmp_path, "auth", "a.json", {"rktKind": "auth", "rktVersion": "v1", "domains": ["h"], "type": "basic",
                                        "credentials": {"user": "a", "password": "b"}})
    assert config.load(tmp_path / "none", tmp_path).auth_header("h") == "Basic YTpi"


@pytest.mark.parametrize("doc", [{"rktKind": "paths", "rktVersion": "v1"}, {"rktKind": "auth", "rktVersion": "v2"},
                                 {"rktKind": "auth", "rktVersion": "v1", "domains": []}])
def test_malformed_files_are_refused(tmp_path: Path, doc: dict) -> None:
    _write(tmp_path, "auth", "bad.json", doc)
    with pytest.raises(ImageError, match="bad.json"):
        config.load(tmp_path / "none", tmp_path)


def test_rkt_config_cli(tmp_path: Path) -> None:
    _write(tmp_path, "stage1", "s.json", {"rktKind": "stage1", "rktVersion": "v1", "name": "rktnetes/stage1"})
    rkt = str(Path(sys.executable).parent / "rkt")
    done = subprocess.run([rkt, f"--local-config={tmp_path}", f"--system-config={tmp_path}/none",
                           f"--dir={tmp_path}/data", "config"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    stage0 = json.loads(done.stdout)["stage0"]
    assert {"rktVersion": "v1", "rktKind": "paths", "data": f"{tmp_path}/data"} in stage0
    assert stage0[-1]["name"] == "rktnetes/stage1"
