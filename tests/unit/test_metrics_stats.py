"""The Summary API's parsers and builders on sample texts of cgroup v1, hybrid and v2 hosts and of /proc."""

from __future__ import annotations

import pytest

from rktnetes.kubelet import metricsserving, statscgroups, statspods, statsproc, statssummary

V1 = """\
25 30 0:22 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755
26 25 0:23 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd
27 25 0:24 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
28 25 0:25 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory
"""
HYBRID = V1 + "29 25 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw,nsdelegate\n"
V2 = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot\n"
HYBRID_V2_MEMORY = """\
27 25 0:24 / /sys/fs/cgroup/cpuacct rw - cgroup cgroup rw,cpuacct
29 25 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
"""
POD = "/kubelet/rkt/0f3e/main"

V1_STAT = """\
cache 4096
rss 1000
total_cache 8192
total_rss 52428800
total_inactive_file 4194304
total_active_file 1048576
total_pgfault 300
total_pgmajfault 2
"""
V2_STAT = """\
anon 41943040
file 8388608
inactive_file 2097152
active_file 1048576
pgfault 120
pgmajfault 1
"""


@pytest.mark.parametrize(("mountinfo", "cpu", "memory", "cpu_v2", "memory_v2"), [
    (V1, "/sys/fs/cgroup/cpu,cpuacct" + POD, "/sys/fs/cgroup/memory" + POD, False, False),
    (HYBRID, "/sys/fs/cgroup/cpu,cpuacct" + POD, "/sys/fs/cgroup/memory" + POD, False, False),
    (V2, "/sys/fs/cgroup" + POD, "/sys/fs/cgroup" + POD, True, True),
    (HYBRID_V2_MEMORY, "/sys/fs/cgroup/cpuacct" + POD, "/sys/fs/cgroup/unified" + POD, False, True),
])
def test_locate_finds_each_controllers_folder(mountinfo, cpu, memory, cpu_v2, memory_v2):
    assert statscgroups.locate(mountinfo, POD) == statscgroups.Files(cpu, memory, cpu_v2, memory_v2)


def test_locate_without_any_cgroup_mount_says_so():
    with pytest.raises(FileNotFoundError, match="cpuacct"):
        statscgroups.locate("25 30 0:22 / /sys/fs/cgroup ro - tmpfs tmpfs ro\n", POD)


def test_cpu_time_v1_in_nanoseconds_v2_from_microseconds():
    assert statscgroups.cpu_nanoseconds("123456789\n", v2=False) == 123456789
    assert statscgroups.cpu_nanoseconds("usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n", v2=True) == 2_500_000


def test_memory_v1_uses_the_hierarchical_totals():
    m = statscgroups.memory("62914560\n", V1_STAT, "9223372036854771712\n", v2=False)
    assert (m.usage, m.working_set, m.rss) == (62914560, 62914560 - 4194304, 52428800)
    assert (m.page_faults, m.major_page_faults, m.limit) == (300, 2, None)


def test_memory_v2_working_set_rss_and_limit():
    m = statscgroups.memory("50331648\n", V2_STAT, "67108864\n", v2=True)
    assert (m.usage, m.working_set, m.rss, m.limit) == (50331648, 50331648 - 2097152, 41943040, 67108864)
    assert statscgroups.memory("1\n", V2_STAT, "max\n", v2=True).working_set == 0  # never below zero
    assert statscgroups.memory("1\n", V2_STAT, "max\n", v2=True).limit is None


def test_node_cpu_from_proc_stat():
    stat = "cpu  100 20 30 5000 40 5 6 7 0 0\ncpu0 50 10 15 2500 20 2 3 3 0 0\nintr 1 2\n"
    assert statsproc.cpu_nanoseconds(stat, hz=100) == (100 + 20 + 30 + 5 + 6 + 7) * 10_000_000
    with pytest.raises(ValueError):
        statsproc.cpu_nanoseconds("intr 1\n", hz=100)


def test_node_memory_from_meminfo():
    meminfo = "MemTotal: 1000 kB\nMemFree: 200 kB\nMemAvailable: 600 kB\nInactive(file): 300 kB\nAnonPages: 250 kB\n"
    m = statsproc.node_memory(meminfo, "pgfault 9\npgmajfault 1\n")
    assert (m.usage, m.working_set, m.rss, m.limit) == (800 * 1024, 500 * 1024, 250 * 1024, 1000 * 1024)
    assert (m.page_faults, m.major_page_faults) == (9, 1)


def test_net_dev_leaves_loopback_out():
    text = ("Inter-|   Receive                            |  Transmit\n"
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls "
            "carrier compressed\n"
            "    lo:  900  9 0 0 0 0 0 0  900  9 0 0 0 0 0 0\n"
            "  eth0: 1234  10 1 0 0 0 0 0  5678  20 2 0 0 0 0 0\n")
    assert statsproc.net_dev(text) == [statsproc.Interface("eth0", 1234, 1, 5678, 2)]


def test_rate_needs_an_earlier_sample_and_a_growing_counter():
    assert statssummary.rate(None, 10.0, 5) is None
    assert statssummary.rate((9.0, 10), 10.0, 5) is None  # counter went back: a new cgroup of the same name
    assert statssummary.rate((8.0, 1_000_000_000), 10.0, 2_000_000_000) == 500_000_000


def test_summary_objects_carry_the_fields_readers_expect():
    memory = statscgroups.Memory(100, 80, 60, 1, 0, 200)
    usage = statssummary.Usage(0.0, 5_000, memory, 250)
    entry = statssummary.container("main", None, usage, statssummary.usage_only(0.0, 4096, 3),
                                   statssummary.usage_only(0.0, 512, 1))
    assert entry["cpu"] == {"time": "1970-01-01T00:00:00.000000Z", "usageCoreNanoSeconds": 5000, "usageNanoCores": 250}
    assert entry["memory"]["availableBytes"] == 120 and entry["memory"]["workingSetBytes"] == 80
    pod = statssummary.pod({"name": "p", "namespace": "n", "uid": "u"}, None, usage, [entry], None, 2)
    assert pod["ephemeral-storage"]["usedBytes"] == 4096 + 512 and "network" not in pod
    assert pod["process_stats"] == {"process_count": 2}


def test_two_rkt_pods_of_one_pod_add_up_and_a_rate_needs_both():
    a = statssummary.Usage(1.0, 10, statscgroups.Memory(100, 80, 60, 1, 0, 500), 5)
    b = statssummary.Usage(2.0, 20, statscgroups.Memory(10, 8, 6, 1, 1, None), None)
    total = statspods.add(a, b)
    assert (total.at, total.cpu_ns, total.nano_cores) == (2.0, 30, None)
    assert total.memory == statscgroups.Memory(110, 88, 66, 2, 1, None)
    assert statspods.add(None, a) is a


def test_only_cpu_and_memory_keeps_the_figures_metrics_server_reads():
    pod = {"podRef": {"name": "p"}, "cpu": {}, "memory": {}, "network": {}, "volume": [], "startTime": "t",
           "containers": [{"name": "c", "cpu": {}, "memory": {}, "rootfs": {}, "logs": {}, "startTime": "t"}]}
    kept = metricsserving.only_cpu_and_memory(pod)
    assert set(kept) == {"podRef", "cpu", "memory", "startTime", "containers"}
    assert set(kept["containers"][0]) == {"name", "cpu", "memory", "startTime"}
