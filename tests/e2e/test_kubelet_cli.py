"""``rktnetes kubelet`` refuses bad input with one line and exit 1, before writing anything."""

from __future__ import annotations

import subprocess

import pytest

from tests.fixtures.kubelet import RKTNETES

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(("flags", "message"), [
    (["--node-ip=300.1.2.3"], "--node-ip '300.1.2.3' is not an IPv4 address"),
    (["--node-labels=zone"], "--node-labels wants KEY=VALUE"),
    (["--register-with-taints=a:Sometimes"], "--register-with-taints wants"),
    (["--node-netns=/run/netns/no-such-node"], "no network namespace at /run/netns/no-such-node"),
    (["--client-ca-file=/no/ca.crt"], "no CA certificate at /no/ca.crt"),
    (["--workers=0"], "--workers must be at least 1"),
])
def test_bad_flags_are_one_line_and_nothing_is_written(tmp_path, flags, message):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    root = tmp_path / "root"
    done = subprocess.run([RKTNETES, "kubelet", f"--kubeconfig={kubeconfig}", f"--root-dir={root}",
                           f"--rkt-dir={tmp_path / 'rkt'}", *flags], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("rktnetes: ") and message in done.stderr
    assert not root.exists() and not (tmp_path / "rkt").exists()


def test_missing_kubeconfig(tmp_path):
    done = subprocess.run([RKTNETES, "kubelet", f"--kubeconfig={tmp_path / 'none'}"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1 and done.stderr == f"rktnetes: no kubeconfig at {tmp_path / 'none'}\n"
