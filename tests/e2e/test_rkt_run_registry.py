"""``rkt run docker://…``: pods from the test images as pushed to a real local docker registry."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_run_images_pulled_from_the_registry(rkt, registry):
    done = rkt("--insecure-options=image,http", "run", "--net=none",
               f"docker://{registry}/busybox:latest", "--exec", "/bin/sh", "--", "-c", "echo from-registry; exit 2", "---",
               f"docker://{registry}/alpine-sh:latest", "--user=user", "--exec", "/bin/sh", "--", "-c", "id -u", "---",
               timeout=180)
    assert done.returncode == 2, done.stderr
    assert sorted(done.stdout.split()) == ["1000", "from-registry"]
    status = rkt.status(rkt.uuids()[-1])
    assert status["app-busybox"] == "2" and status["app-alpine-sh"] == "0"


def test_nginx_from_the_registry_serves_inside_its_pod(rkt, registry):
    uuid = rkt("--insecure-options=image,http", "run", "--detach", "--net=none", f"docker://{registry}/nginx:latest",
               "---", "busybox", "--exec", "/bin/sleep", "--", "60", "---", timeout=180, check=True).stdout.strip()
    got = ""
    for _ in range(50):
        got = rkt("enter", "--app=busybox", uuid, "/bin/sh", "-c", "wget -q -O - http://127.0.0.1/").stdout
        if got:
            break
    assert "nginx" in got.lower()
