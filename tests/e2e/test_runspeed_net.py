"""A default-network pod's loopback is up although no loopback CNI plugin runs (stage1 raised it)."""

from __future__ import annotations

import pytest

from tests.e2e.test_net_rkt import BUSYBOX, net_images, netrkt  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e


def test_default_network_pod_has_lo_up_and_reaches_itself(netrkt):  # noqa: F811
    out = netrkt.out(*BUSYBOX, "-c", "cat /sys/class/net/lo/operstate; ip -o -4 addr show lo;"
                     " ping -c 1 -W 2 127.0.0.1 >/dev/null && echo reached; ip -o link | wc -l")
    lines = out.split("\n")
    assert lines[0] == "unknown" and "127.0.0.1/8" in lines[1] and lines[2] == "reached", out
    assert lines[3].strip() == "2", out  # lo and eth0
