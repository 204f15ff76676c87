"""The registry fixture: a real docker-registry holding the three test images, readable by skopeo."""

from __future__ import annotations

import json
import subprocess

import pytest

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("name", ["busybox", "alpine-sh", "nginx"])
def test_images_are_in_the_registry(registry: str, built_images, name: str) -> None:
    out = subprocess.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{registry}/{name}:latest"],
                         capture_output=True, text=True, check=True, timeout=60)
    pushed = json.loads(out.stdout)
    assert pushed["Architecture"] == "amd64" and pushed["Os"] == "linux"
    assert len(pushed["Layers"]) == 1
