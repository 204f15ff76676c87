"""Commands given by name are looked up on the image's PATH inside its tree (symlinks not followed)."""

from __future__ import annotations

import os

import pytest

from rktnetes.kubelet import commands, errors


class ImageRuntime:
    def __init__(self, rootfs, manifest) -> None:
        self.rootfs, self.manifest, self.fetched = rootfs, manifest, []

    async def fetch(self, image: str, pull_policy: str) -> str:
        self.fetched.append((image, pull_policy))
        return "sha512-abc"

    async def image(self, image_id: str):
        return self.rootfs, self.manifest


@pytest.fixture
def rootfs(tmp_path):
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "busybox").write_text("")
    os.symlink("/bin/busybox", tmp_path / "bin" / "sh")  # absolute: points into the image, not the host
    (tmp_path / "opt" / "tools").mkdir(parents=True)
    (tmp_path / "opt" / "tools" / "sh").write_text("")
    return tmp_path


def test_lookup_follows_the_search_path_in_order(rootfs):
    assert commands.lookup(rootfs, "sh", ["/usr/bin", "/bin", "/opt/tools"]) == "/bin/sh"
    assert commands.lookup(rootfs, "sh", ["/opt/tools", "/bin"]) == "/opt/tools/sh"
    assert commands.lookup(rootfs, "nope", ["/bin"]) is None


def test_search_path_is_the_images_or_the_usual():
    manifest = {"app": {"environment": [{"name": "PATH", "value": "/opt/tools:relative:/bin"}]}}
    assert commands.search_path(manifest) == ["/opt/tools", "/bin"]
    assert commands.search_path({}) == commands.DEFAULT_PATH.split(":")


async def test_resolve_fetches_only_for_bare_names(rootfs):
    runtime = ImageRuntime(rootfs, {})
    containers = [{"name": "a", "image": "r/busybox:1", "command": ["sh", "-c", "x"]},
                  {"name": "b", "image": "r/other", "command": ["/bin/true"]}, {"name": "c", "image": "r/x"}]
    assert await commands.resolve(runtime, containers) == {"a": "/bin/sh"}
    assert runtime.fetched == [("docker://r/busybox:1", "new")]
    with pytest.raises(errors.BadPod, match='executable "zsh" not found'):
        await commands.resolve(runtime, [{"name": "a", "image": "i:1", "command": ["zsh"]}])
    with pytest.raises(errors.BadPod, match="must be a name or absolute"):
        await commands.resolve(runtime, [{"name": "a", "image": "i:1", "command": ["bin/sh"]}])
