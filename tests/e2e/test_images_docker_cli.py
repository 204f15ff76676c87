"""The real ``rkt`` CLI: image build, scripts/push-image, fetch docker:// and oci:, and their errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_root
from tests.fixtures.images import CACHE_ROOT, RECIPES_DIR

pytestmark = pytest.mark.e2e
REPO = RECIPES_DIR.parent
RKT = str(Path(sys.executable).parent / "rkt")


def _rkt(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RKT, f"--dir={root}", *argv], capture_output=True, text=True, timeout=180,
                          cwd=REPO)


def test_build_push_fetch(tmp_path: Path, registry: str) -> None:
    require_root()
    built = _rkt(tmp_path / "rkt", "image", "build", str(RECIPES_DIR / "alpine-sh.yaml"), "--format", "oci",
                 "-o", str(tmp_path / "out"), "--cache-dir", str(CACHE_ROOT))
    assert built.returncode == 0, built.stderr
    assert built.stdout.strip() == f"{tmp_path / 'out' / 'alpine-sh.oci'}/"
    subprocess.run([str(REPO / "scripts/push-image"), str(tmp_path / "out/alpine-sh.oci"),
                    f"{registry}/pushed/shell:v1", "--insecure"], check=True, timeout=120)
    fetched = _rkt(tmp_path / "rkt", "--insecure-options=image,http", "fetch", f"docker://{registry}/pushed/shell:v1")
    assert fetched.returncode == 0 and fetched.stderr == "", fetched.stderr  # no progress bars off a terminal
    image_id = fetched.stdout.strip()
    assert image_id.startswith("sha512-") and len(image_id) == 7 + 32 and "\n" not in image_id
    again = _rkt(tmp_path / "rkt", "fetch", f"oci:{tmp_path / 'out/alpine-sh.oci'}:latest")
    assert again.returncode == 0 and again.stdout.strip() == image_id
    listed = _rkt(tmp_path / "rkt", "image", "list", "--no-legend")
    assert "pushed/shell" in listed.stdout


def test_concurrent_fetches_store_one_image(tmp_path: Path, registry: str) -> None:
    require_root()
    argv = [RKT, f"--dir={tmp_path / 'rkt'}", "--insecure-options=image,http", "fetch", f"docker://{registry}/nginx"]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    assert len({out.strip() for out, _ in outs}) == 1
    listed = _rkt(tmp_path / "rkt", "image", "list", "--no-legend")
    assert len(listed.stdout.strip().splitlines()) == 1, listed.stdout


@pytest.mark.parametrize(("argv", "message"), [
    (["fetch", "docker://{reg}/busybox"], "insecure-options=image"),
    (["--insecure-options=image", "fetch", "docker://{reg}/busybox"], "--insecure-options=http"),
    (["--insecure-options=image,http", "fetch", "docker://{reg}/nothere"], "404"),
    (["--insecure-options=image,http", "fetch", "docker://{reg}/Bad"], "invalid docker image name"),
])
def test_fetch_errors_are_one_line(tmp_path: Path, registry: str, argv: list[str], message: str) -> None:
    require_root()
    done = _rkt(tmp_path / "rkt", *[a.format(reg=registry) for a in argv])
    assert done.returncode == 254 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and message in done.stderr, done.stderr


def test_bad_recipe_is_one_line(tmp_path: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text("name: x\nexec: [/x]\npackage: [busybox-static]\n")
    done = _rkt(tmp_path / "rkt", "image", "build", str(recipe), "-o", str(tmp_path / "out"))
    assert done.returncode == 254 and "unknown key 'package'" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
