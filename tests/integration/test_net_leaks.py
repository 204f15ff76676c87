"""Run/stop cycles leave the test host exactly as they found it: links, routes, iptables/nft rules, IPAM
leases, pod records. 20 cycles by default; RKT_NET_LEAK_CYCLES=200 for the full check.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from rktnetes.rkt import paths
from tests.integration.test_net_ports import DECLARED

pytestmark = pytest.mark.integration
CYCLES = int(os.environ.get("RKT_NET_LEAK_CYCLES", "20"))


def test_run_stop_cycles_leak_nothing(netpods, testhost):
    before = testhost.snapshot()
    for cycle in range(CYCLES):
        live = [netpods.start(), netpods.start(["default,default-restricted"], ports=[f"80-tcp:{9000 + cycle}"],
                                          declared=DECLARED)]
        if cycle % 2:  # the pod was killed -9 and its netns is gone before gc runs
            testhost.drop_netns(live[0][2])
        for pod_dir, pod_uuid, _, _ in reversed(live):
            netpods.stop(pod_dir, pod_uuid)
            assert not paths.pod_networks_path(pod_dir).exists()
    after = testhost.snapshot()
    assert {k: sorted(set(after[k]) ^ set(before[k])) for k in before} == {k: [] for k in before}
    assert netpods.leases() == []


def test_pods_started_and_stopped_concurrently_get_distinct_addresses_and_leak_nothing(netpods, testhost):
    before = testhost.snapshot()
    with ThreadPoolExecutor(max_workers=6) as pool:
        started = list(pool.map(lambda n: netpods.start(ports=[f"80-tcp:{8100 + n}"], declared=DECLARED), range(6)))
        addresses = {infos[0].ip for _, _, _, infos in started}
        assert len(addresses) == 6
        list(pool.map(lambda pod: netpods.stop(pod[0], pod[1]), started))
    assert testhost.snapshot() == before and netpods.leases() == []
