"""A pod's resolv.conf flags for ``rkt prepare`` from its dnsPolicy and dnsConfig."""

from __future__ import annotations

import pytest

from rktnetes.kubelet import resolving, translating


def _pod(namespace="shop", **spec):
    return {"metadata": {"name": "p", "namespace": namespace, "uid": "u"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}], **spec}}


def test_cluster_first_gets_the_namespace_search_list():
    assert resolving.dns_words(_pod(), "10.96.0.10") == [
        "--dns=10.96.0.10", "--dns-search=shop.svc.cluster.local", "--dns-search=svc.cluster.local",
        "--dns-search=cluster.local", "--dns-opt=ndots:5"]
    assert resolving.dns_words(_pod("a"), "10.0.0.10", "corp.local")[1] == "--dns-search=a.svc.corp.local"


@pytest.mark.parametrize("spec, expected", [
    ({"hostNetwork": True}, ["--dns=host"]),
    ({"dnsPolicy": "Default"}, ["--dns=host"]),
    ({"dnsPolicy": "ClusterFirstWithHostNet", "hostNetwork": True}, ["--dns=10.96.0.10"]),
    ({"dnsPolicy": "None", "dnsConfig": {"nameservers": ["192.0.2.53"], "searches": ["x.test"],
                                          "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}},
     ["--dns=192.0.2.53", "--dns-search=x.test", "--dns-opt=ndots:2", "--dns-opt=edns0"]),
    ({"dnsConfig": {"searches": ["extra.test"]}}, ["--dns=10.96.0.10", "--dns-search=extra.test"]),
])
def test_policies(spec, expected):
    words = resolving.dns_words(_pod(**spec), "10.96.0.10")
    assert all(w in words for w in expected) and (len(words) == len(expected) or "--dns-opt=ndots:5" in words)


def test_without_cluster_dns_rkt_keeps_its_default():
    assert resolving.dns_words(_pod()) == []
    assert resolving.dns_words(_pod(dnsPolicy="Default")) == ["--dns=host"]


def test_prepare_args_carry_the_dns_flags():
    words = translating.prepare_args(_pod(), translating.Plan(cluster_dns="10.96.0.10"))
    assert "--dns=10.96.0.10" in words and "--dns-search=shop.svc.cluster.local" in words
    assert words.index("--dns=10.96.0.10") < words.index("docker://busybox")
