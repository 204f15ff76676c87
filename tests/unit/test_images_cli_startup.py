"""A cached ``rkt fetch`` and ``rkt image list`` answer from the store index without importing what only a
download, a write or help text needs (the modules below cost 2-10 ms of process start each)."""

import json
import subprocess
import sys

import pytest

from rktnetes.rkt.images import ids

HEAVY = ("typing", "dataclasses", "inspect", "shutil", "pkgutil", "platform", "asyncio", "aiohttp", "tarfile",
         "tempfile", "contextlib", "rktnetes.rkt.images.pulling", "rktnetes.rkt.images.manifest",
         "rktnetes.rkt.pods")
REF = "docker://127.0.0.1:1/startup/busybox:latest"  # port 1: a cache miss would fail, not download


def _run_and_list_modules(argv: list[str]) -> tuple[int, str, set[str]]:
    code = ("import json, sys; from rktnetes.rkt.cli import main; code = main.main(json.loads(sys.argv[1])); "
            "print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, json.dumps(argv)], capture_output=True, text=True,
                          timeout=60)
    code, modules = json.loads(done.stderr.strip().splitlines()[-1])
    return code, done.stdout, set(modules)


@pytest.fixture
def cached_image(image_store, tmp_path):
    image_id = ids.from_hexdigest("ab" * 64)
    image_store.add_image(manifest={"acKind": "ImageManifest", "acVersion": "0.8.11", "name": "startup/busybox",
                                    "labels": [{"name": "os", "value": "linux"}]},
                          build_rootfs=lambda rootfs: (rootfs / "hello").write_text("hi\n"), image_id=image_id,
                          origin=REF, fmt="oci")
    image_store.set_remote(REF, image_id, "sha256:" + "ab" * 32)
    return image_id


def test_a_cached_docker_fetch_imports_nothing_heavy(image_store, cached_image):
    code, out, modules = _run_and_list_modules(
        [f"--dir={image_store.root}", "--insecure-options=image,http", "fetch", REF])
    assert code == 0 and out == ids.display(cached_image) + "\n"
    assert sorted(modules & set(HEAVY)) == []


def test_image_list_imports_nothing_heavy_and_still_finds_image_build(image_store, cached_image):
    code, out, modules = _run_and_list_modules([f"--dir={image_store.root}", "image", "list", "--no-legend"])
    assert code == 0 and out.startswith(ids.display(cached_image))
    assert sorted(modules & set(HEAVY)) == []
    assert "rktnetes.rkt.cli.image_build" in modules  # extensions are still discovered


def _help(columns: str, monkeypatch, capsys) -> list[str]:
    from rktnetes.rkt.cli import main

    monkeypatch.setenv("COLUMNS", columns)
    with pytest.raises(SystemExit):
        main.main(["fetch", "--help"])
    return capsys.readouterr().out.splitlines()


def test_help_is_wrapped_to_columns(monkeypatch, capsys):
    narrow, wide = _help("60", monkeypatch, capsys), _help("200", monkeypatch, capsys)
    assert len(narrow) > len(wide) and max(map(len, wide)) > 60
    assert all(len(line) <= 60 for line in narrow if "--pull-policy" in line or "image hash" in line)
