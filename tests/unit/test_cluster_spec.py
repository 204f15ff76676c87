"""The local cluster's settings and what is derived from them (names, addresses, command lines, kubeconfig
entries), and the CLI's answers to bad input: one line, exit 1, nothing written."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from rktnetes.cluster import cli, components, errors, kubeconfigs, layout, nodenet
from rktnetes.cluster.profiles import Profile
from rktnetes.cluster.spec import ClusterSpec


def test_addresses_and_names_of_three_nodes():
    spec = ClusterSpec(profile="dev", nodes=3, subnet="192.168.60.0/24").validate()
    nodes = spec.all_nodes()
    assert [n.name for n in nodes] == ["dev", "dev-m02", "dev-m03"]
    assert [n.ip for n in nodes] == ["192.168.60.2", "192.168.60.3", "192.168.60.4"]
    assert [n.pod_cidr for n in nodes] == ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24"]
    assert spec.host_ip == "192.168.60.1" and spec.server == "https://192.168.60.1:8443"
    assert len({n.veth for n in nodes} | {spec.bridge}) == 4
    assert all(len(name) <= 15 for name in [spec.bridge, *(n.veth for n in nodes)])  # IFNAMSIZ
    assert ClusterSpec(profile="other").bridge != spec.bridge


@pytest.mark.parametrize("change, word", [
    ({"nodes": 0}, "--nodes"), ({"nodes": 21}, "--nodes"), ({"profile": "Bad_Name"}, "--profile"),
    ({"subnet": "10.0.0.0/16"}, "--subnet"), ({"subnet": "10.244.5.0/24"}, "--subnet"),
    ({"subnet": "nonsense"}, "--subnet"), ({"apiserver_port": 70000}, "--apiserver-port"),
    ({"store": "mysql://x"}, "--store"),
])
def test_bad_settings_are_refused(change, word):
    with pytest.raises(errors.BadSpec, match=word):
        dataclasses.replace(ClusterSpec(), **change).validate()


def test_spec_round_trips_through_json():
    spec = ClusterSpec(profile="x", nodes=2, insecure_registry=True, dns_upstreams=("127.0.0.1:53",))
    assert ClusterSpec.from_json(spec.to_json()) == spec


def test_settle_keeps_saved_settings_and_refuses_a_new_node_count(tmp_path):
    profile = Profile(tmp_path, "p")
    assert profile.settle({"nodes": 2}).nodes == 2
    profile.save(profile.settle({"nodes": 2}))
    assert profile.settle({}).nodes == 2 and profile.settle({"insecure_registry": True}).insecure_registry
    with pytest.raises(errors.BadSpec, match="delete"):
        profile.settle({"nodes": 3})


def test_component_command_lines(tmp_path):
    spec = ClusterSpec(profile="p", nodes=2, store="etcd://127.0.0.1:2379")
    every = components.all_components(spec, tmp_path)
    assert [c.name for c in every] == ["apiserver", "controller-manager", "scheduler", "dns",
                                       "kubelet-p", "proxy-p", "kubelet-p-m02", "proxy-p-m02"]
    apiserver, kubelet = every[0], every[6]
    assert "--bind-address=192.168.49.1" in apiserver.argv and "--store=etcd://127.0.0.1:2379" in apiserver.argv
    assert kubelet.netns == "/run/netns/rktnetes-p-1" and "--node-ip=192.168.49.3" in kubelet.argv
    assert f"--rkt-local-config={layout.node_rkt_config_dir(tmp_path, 'p-m02')}" in kubelet.argv
    assert "--rkt-insecure-options=image" in kubelet.argv and "--cluster-dns=10.96.0.10" in kubelet.argv
    assert f"--client-ca-file={tmp_path}/apiserver/pki/ca.crt" in kubelet.argv
    assert every[7].netns is None and "--netns=/run/netns/rktnetes-p-1" in every[7].argv


def test_pod_network_has_the_node_cidr():
    spec = ClusterSpec(nodes=2)
    conf = nodenet.pod_network_conf(spec.node(1))
    assert conf["name"] == nodenet.POD_NETWORK and conf["ipam"]["subnet"] == "10.244.1.0/24"
    assert conf["type"] == "ptp" and not conf["ipMasq"]


def _admin(path, server):
    path.write_text(yaml.safe_dump({"clusters": [{"name": "rktnetes", "cluster": {"server": server}}],
                                    "users": [{"name": "rktnetes", "user": {"token": "t"}}]}))


def test_kubeconfig_merge_keeps_other_entries_and_remove_takes_ours_out(tmp_path):
    user = tmp_path / "config"
    user.write_text(yaml.safe_dump({"clusters": [{"name": "kind", "cluster": {"server": "https://k"}}],
                                    "contexts": [{"name": "kind", "context": {"cluster": "kind"}}],
                                    "users": [], "current-context": "kind"}))
    _admin(tmp_path / "admin", "https://192.168.49.1:8443")
    kubeconfigs.merge(tmp_path / "admin", user, "dev")
    kubeconfigs.merge(tmp_path / "admin", user, "dev")  # twice: still one entry each
    merged = yaml.safe_load(user.read_text())
    assert merged["current-context"] == "dev" and [c["name"] for c in merged["clusters"]] == ["kind", "dev"]
    assert oct(user.stat().st_mode & 0o777) == "0o600"
    assert kubeconfigs.remove(user, "dev") and not kubeconfigs.remove(user, "dev")
    left = yaml.safe_load(user.read_text())
    assert [c["name"] for c in left["contexts"]] == ["kind"] and left["current-context"] == ""


@pytest.mark.parametrize("argv, message", [
    (["start", "--nodes", "0"], "--nodes 0"),
    (["start", "--subnet", "10.0.0.0/8"], "--subnet"),
    (["start", "--profile", "UPPER"], "--profile"),
    (["stop"], "does not exist"),
    (["status"], "does not exist"),
    (["delete"], "does not exist"),
    (["service", "web"], "does not exist"),
    (["ip"], "does not exist"),
    (["kubectl", "--", "get", "pods"], "no kubeconfig"),
    (["logs"], "no logs"),
])
def test_bad_input_is_one_line_and_writes_nothing(tmp_path, capsys, argv, message):
    assert cli.main([argv[0], f"--dir={tmp_path}", *argv[1:]]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1, err
    assert list(tmp_path.iterdir()) == []


def test_a_subnet_the_host_already_routes_is_a_clash():
    routes = [{"dst": "default", "dev": "eth0"}, {"dst": "192.0.2.0/24", "dev": "eth0"},
              {"dst": "192.168.49.7", "dev": "wlan0"}, {"dst": "192.168.49.0/24", "dev": "rkb123456"},
              {"dst": "fe80::/64", "dev": "eth0"}]
    assert nodenet.clashes(routes, "192.168.49.0/24", "rkb123456") == ["192.168.49.7 dev wlan0"]
    assert nodenet.clashes(routes, "192.168.58.0/24", "rkb123456") == []
    assert nodenet.clashes([{"dst": "192.168.0.0/16", "dev": "vpn0"}], "192.168.58.0/24", "x") == [
        "192.168.0.0/16 dev vpn0"]


def test_user_kubeconfig_is_the_first_of_KUBECONFIG_else_home(monkeypatch, tmp_path):
    monkeypatch.setenv("KUBECONFIG", f"{tmp_path}/a:{tmp_path}/b")
    assert layout.user_kubeconfig_path() == tmp_path / "a"
    monkeypatch.delenv("KUBECONFIG")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert layout.user_kubeconfig_path() == tmp_path / ".kube" / "config"
    monkeypatch.setenv("RKTNETES_HOME", str(tmp_path / "rk"))
    assert layout.profile_dir(layout.default_base_dir(), "p") == tmp_path / "rk" / "profiles" / "p"


def test_the_free_subnet_skips_those_in_use():
    assert nodenet.free_subnet([{"dst": "default", "dev": "eth0"}]) == "192.168.49.0/24"
    used = [{"dst": "192.168.49.0/24", "dev": "rkb1"}, {"dst": "192.168.58.1", "dev": "wlan0"}]
    assert nodenet.free_subnet(used) == "192.168.67.0/24"
    with pytest.raises(errors.NetworkSetupFailed, match="--subnet"):
        nodenet.free_subnet([{"dst": "192.168.0.0/16", "dev": "vpn0"}])


def test_ip_prints_a_node_address(tmp_path, capsys):
    Profile(tmp_path, "p").save(ClusterSpec(profile="p", nodes=2, subnet="192.168.60.0/24"))
    assert cli.main(["ip", f"--dir={tmp_path}", "-p", "p"]) == 0
    assert cli.main(["ip", f"--dir={tmp_path}", "-p", "p", "--node", "p-m02"]) == 0
    assert capsys.readouterr().out.split() == ["192.168.60.2", "192.168.60.3"]
    assert cli.main(["ip", f"--dir={tmp_path}", "-p", "p", "--node", "nope"]) == 1
    assert "no node 'nope'" in capsys.readouterr().err
