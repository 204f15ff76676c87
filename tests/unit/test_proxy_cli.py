"""``rktnetes proxy`` refuses bad input with one line and exit 1, before touching any namespace."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RKTNETES = str(Path(sys.executable).with_name("rktnetes"))


def _proxy(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([RKTNETES, "proxy", *argv], capture_output=True, text=True, timeout=60)


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text("apiVersion: v1\nkind: Config\n")
    return path


@pytest.mark.parametrize(("extra", "message"), [
    ([], "host's own network namespace"),
    (["--netns", "/proc/self/ns/net"], "host's own network namespace"),
    (["--netns", "/run/netns/no-such-namespace"], "no network namespace at /run/netns/no-such-namespace"),
    (["--netns", "/proc/self/ns/net", "--cluster-cidr", "10.0.0.300/8"], "--cluster-cidr"),
    (["--nodeport-addresses", "nonsense"], "--nodeport-addresses"),
    (["--sync-period", "0"], "--sync-period"),
])
def test_bad_input_is_one_line_and_exit_1(kubeconfig: Path, extra: list[str], message: str):
    result = _proxy("--kubeconfig", str(kubeconfig), "--node-name", "n", *extra)
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr


def test_missing_kubeconfig(tmp_path: Path):
    result = _proxy("--kubeconfig", str(tmp_path / "none"), "--node-name", "n")
    assert result.returncode == 1 and "no kubeconfig at" in result.stderr
