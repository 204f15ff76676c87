"""The pod's resolv.conf and hosts files, rendered from flags, CNI results and the image's files."""

from __future__ import annotations

import pytest

from rktnetes.rkt.networking import hostsfile, netconf, netinfo, podnet, resolvconf
from rktnetes.rkt.networking.errors import NetSpecError

CNI_DNS = {"nameservers": ["10.0.0.53"], "search": ["cni.local"]}


def test_flags_win_over_cni_dns():
    opts = resolvconf.parse_dns(["1.1.1.1", "9.9.9.9"], ["a.example", "b.example"], ["ndots:3"], "corp.example")
    text = resolvconf.resolv_conf(opts, CNI_DNS, "nameserver 127.0.0.53\n")
    assert "nameserver 1.1.1.1\nnameserver 9.9.9.9\n" in text
    assert "search a.example b.example\n" in text and "options ndots:3\n" in text
    assert "domain corp.example\n" in text and "10.0.0.53" not in text


def test_cni_dns_wins_over_the_image_and_nothing_means_keep_the_image():
    text = resolvconf.resolv_conf(resolvconf.DnsOptions(), CNI_DNS, "")
    assert "nameserver 10.0.0.53" in text and "search cni.local" in text
    assert resolvconf.resolv_conf(resolvconf.DnsOptions(), {}, "") is None


def test_dns_host_and_none():
    assert resolvconf.resolv_conf(resolvconf.parse_dns(["host"]), CNI_DNS, "nameserver 192.0.2.53\n") == \
        "nameserver 192.0.2.53\n"
    assert resolvconf.resolv_conf(resolvconf.parse_dns(["none"]), CNI_DNS, "x") is None


@pytest.mark.parametrize("servers,search", [(["host", "1.1.1.1"], None), (["none"], ["x"]), (["dns.google"], None),
                                            (["1.1.1.1"], ["has space"])])
def test_bad_dns_flags(servers, search):
    with pytest.raises(NetSpecError):
        resolvconf.parse_dns(servers, search)


def test_hosts_entries_grouped_with_localhost_and_hostname():
    entries = hostsfile.parse_entries(["10.0.0.1=db", "10.0.0.1=db.local", "fd00::1=v6"])
    text = hostsfile.hosts_file(entries, "mypod", "", "image hosts\n")
    lines = text.splitlines()
    assert "127.0.0.1\tlocalhost localhost.localdomain" in lines and "127.0.1.1\tmypod" in lines
    assert "10.0.0.1\tdb db.local" in lines and "fd00::1\tv6" in lines


def test_hosts_image_file_kept_host_copied_and_fallback():
    assert hostsfile.hosts_file([], "p", "host\n", "image\n") == "image\n"
    assert hostsfile.hosts_file(hostsfile.parse_entries(["host"]), "p", "host\n", "image\n") == "host\n"
    fallback = hostsfile.hosts_file([], "p", "host\n", None)
    assert "localhost" in fallback and "127.0.1.1\tp" in fallback


@pytest.mark.parametrize("bad", [["db"], ["1.2.3=db"], ["10.0.0.1="], ["host", "10.0.0.1=a"], ["10.0.0.1=bad name"]])
def test_bad_hosts_entries(bad):
    with pytest.raises(NetSpecError):
        hostsfile.parse_entries(bad)


def test_etc_files_use_the_first_cni_dns(tmp_path):
    (tmp_path / "resolv.conf").write_text("nameserver 192.0.2.53\n")
    (tmp_path / "hosts").write_text("192.0.2.9 h\n")
    info = netinfo.NetInfo(netconf.builtin("default"), "eth0", {"ips": [], "dns": CNI_DNS})
    files = podnet.etc_files(podnet.PodNetPlan(), [info], "pod1", None, host_etc=tmp_path)
    assert "nameserver 10.0.0.53" in files["/etc/resolv.conf"]
    assert "127.0.1.1\tpod1" in files["/etc/hosts"]
