"""The nginx image really serves "Welcome to nginx!" (and runs bash and curl) in its own namespaces."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import require_root

pytestmark = pytest.mark.integration

# In a private net + mount + pid namespace: start nginx from the image, fetch the page with the image's curl.
SCRIPT = """
set -e
ip link set lo up
mount --rbind /dev "$R/dev"
mount -t proc proc "$R/proc"
chroot "$R" /usr/sbin/nginx -e stderr 2>/dev/null &
for i in $(seq 50); do chroot "$R" /usr/bin/curl -sf http://127.0.0.1/ && break; sleep 0.1; done
chroot "$R" /bin/bash -c 'echo "bash $BASH_VERSION"'
kill -QUIT $!
wait
"""


def test_nginx_serves_its_welcome_page(tmp_path: Path, built_images) -> None:
    require_root()
    bundle = tmp_path / "bundle"
    subprocess.run(["umoci", "unpack", "--image", f"{built_images['nginx'].oci_layout}:latest", str(bundle)],
                   check=True, capture_output=True, timeout=120)
    out = subprocess.run(["unshare", "--net", "--mount", "--pid", "--fork", "sh", "-c", SCRIPT],
                         env={"R": str(bundle / "rootfs"), "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"},
                         capture_output=True, text=True, timeout=60)
    assert "Welcome to nginx!" in out.stdout, out.stderr
    assert "bash 5." in out.stdout
