"""``kubectl top`` on a local cluster started by ``rktnetes start``: the API server reaches the kubelet of a
node namespace over its veth, and the node's pods are measured in their cgroups."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def _rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines()[1:]]


def test_kubectl_top_on_a_started_cluster(local_cluster):
    cluster = local_cluster
    cluster.start()
    cluster.kubectl("run", "spin", f"--image={cluster.image()}", "--restart=Never", "--command", "--",
                    "sh", "-c", "while :; do :; done")
    cluster.kubectl("wait", "--for=condition=Ready", "pod/spin", "--timeout=90s", timeout=120)
    [node] = _rows(cluster.kubectl("top", "node").stdout)
    assert node[0] == cluster.profile and node[1].endswith("m") and node[3].endswith("Mi")

    def measured():
        found = cluster.kubectl("top", "pod", "spin", check=False)
        rows = _rows(found.stdout) if found.returncode == 0 else []
        return rows if rows and rows[0][1] != "0m" else None
    [pod] = cluster.wait_for("the spinning pod's CPU", measured, timeout=60)
    assert pod[0] == "spin" and pod[1].endswith("m") and pod[2].endswith("Mi")
