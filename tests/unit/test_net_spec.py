"""--net parsing, network resolution from built-ins and net.d, and --port planning."""

from __future__ import annotations

import json

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.networking import netconf, netspec, podnet, ports
from rktnetes.rkt.networking.errors import NetConfError, NetSpecError, PortError, UnknownNetworkError

HTTP = [{"name": "http", "protocol": "tcp", "port": 80}, {"name": "53-udp", "protocol": "udp", "port": 53}]


def write_net(config, filename: str, body) -> None:
    folder = paths.net_d_dir(config)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / filename).write_text(body if isinstance(body, str) else json.dumps(body))


def test_default_when_no_flag():
    assert netspec.parse_net(None) == netspec.NetPlan()


@pytest.mark.parametrize("mode", ["host", "none"])
def test_host_and_none_stand_alone(mode):
    assert netspec.parse_net([mode]).mode == mode
    with pytest.raises(NetSpecError, match="cannot be combined"):
        netspec.parse_net([f"{mode},default"])


def test_names_args_and_repeated_flags():
    plan = netspec.parse_net(["default:IP=172.16.28.9;FOO=bar", "a,b"])
    assert plan.names == ("default", "a", "b")
    assert plan.args == {"default": "IP=172.16.28.9;FOO=bar"}


@pytest.mark.parametrize("bad", ["default:IP", "bad name", "a,a", "all:IP=1.2.3.4", ":x=y"])
def test_malformed_net_values(bad):
    with pytest.raises(NetSpecError):
        netspec.parse_net([bad])


def test_builtin_default_and_restricted_added_for_named_networks(tmp_path):
    write_net(tmp_path, "10-a.conf", {"cniVersion": "0.4.0", "name": "a", "type": "bridge"})
    nets = netconf.resolve(netspec.parse_net(["a"]), tmp_path)
    assert [n.name for n in nets] == ["a", "default-restricted"]
    assert nets[1].plugins[0]["ipMasq"] is False and "routes" not in nets[1].plugins[0]["ipam"]
    [default] = netconf.resolve(netspec.parse_net(None), tmp_path)
    assert default.plugins[0]["ipam"]["subnet"] == "172.16.28.0/24" and default.plugins[0]["ipMasq"]


def test_all_is_default_then_net_d_in_sorted_order(tmp_path):
    write_net(tmp_path, "20-b.conf", {"name": "b", "type": "ptp"})
    write_net(tmp_path, "10-c.conflist", {"name": "c", "cniVersion": "1.0.0", "plugins": [{"type": "ptp"}]})
    nets = netconf.resolve(netspec.parse_net(["all"]), tmp_path)
    assert [n.name for n in nets] == ["default", "c", "b"]
    assert nets[2].cni_version == "0.3.1"


def test_file_named_default_overrides_builtin_and_first_file_wins(tmp_path):
    write_net(tmp_path, "10-x.conf", {"name": "default", "type": "bridge"})
    write_net(tmp_path, "20-y.conf", {"name": "default", "type": "macvlan"})
    [net] = netconf.resolve(netspec.parse_net(["default"]), tmp_path)
    assert net.plugins[0]["type"] == "bridge" and net.source.endswith("10-x.conf")


def test_unknown_network_is_one_line_naming_known_ones(tmp_path):
    with pytest.raises(UnknownNetworkError, match=r"unknown network 'nope' \(known networks: default, default-restricted\)"):
        netconf.resolve(netspec.parse_net(["nope"]), tmp_path)


@pytest.mark.parametrize("body", ["{not json", json.dumps({"type": "ptp"}), json.dumps({"name": "x", "plugins": []})])
def test_broken_net_d_files(tmp_path, body):
    write_net(tmp_path, "x.conflist" if "plugins" in body else "x.conf", body)
    with pytest.raises(NetConfError):
        netconf.load_net_d(tmp_path)


def test_port_parsing():
    assert ports.parse_port("http:8080") == ports.PortRequest("http", 8080, "")
    assert ports.parse_port("http:127.0.0.1:8080") == ports.PortRequest("http", 8080, "127.0.0.1")
    for bad in ["http", "http:0", "http:99999", "http:1.2.3:80", ":80"]:
        with pytest.raises(NetSpecError):
            ports.parse_port(bad)


def test_port_mappings_and_undeclared_names():
    got = ports.mappings([ports.parse_port("53-udp:1053")], HTTP)
    assert got == [{"hostPort": 1053, "containerPort": 53, "protocol": "udp", "hostIP": ""}]
    with pytest.raises(PortError, match="'web' is not declared by the image"):
        ports.mappings([ports.parse_port("web:80")], HTTP)
    with pytest.raises(PortError, match="twice"):
        ports.mappings([ports.parse_port("http:80"), ports.parse_port("http:80")], HTTP)


def test_plan_puts_portmap_on_the_first_forwardable_network(tmp_path):
    plan = podnet.plan(tmp_path, None, port_flags=["http:8080"], declared_ports=HTTP)
    assert [p["type"] for p in plan.networks[0].plugins] == ["ptp", "portmap"]
    assert plan.networks[0].plugins[1]["runtimeConfig"]["portMappings"][0]["hostPort"] == 8080
    with pytest.raises(PortError, match="default-restricted"):
        podnet.plan(tmp_path, ["default-restricted"], port_flags=["http:8080"], declared_ports=HTTP)
    with pytest.raises(PortError, match="--net=host"):
        podnet.plan(tmp_path, ["host"], port_flags=["http:8080"], declared_ports=HTTP)


def test_plan_round_trips_through_json(tmp_path):
    from rktnetes.rkt.networking import resolvconf

    dns = resolvconf.parse_dns(["8.8.8.8"], ["example.com"], ["ndots:2"], "corp")
    plan = podnet.plan(tmp_path, ["default:IP=172.16.28.4"], dns, ["10.0.0.1=db"], ["http:80"], HTTP)
    assert podnet.PodNetPlan.from_json(plan.to_json()) == plan


def test_requested_ip_checked_against_host_local_subnets_before_setup(tmp_path):
    write_net(tmp_path, "r.conf", {"name": "r", "type": "bridge", "ipam": {"type": "host-local", "ranges": [
        [{"subnet": "10.5.0.0/24"}], [{"subnet": "10.6.0.0/24"}]]}})
    assert netconf.resolve(netspec.parse_net(["r:IP=10.6.0.7"]), tmp_path)[0].args == "IP=10.6.0.7"
    with pytest.raises(NetSpecError, match=r"IP 10.7.0.1 is outside network 'r' \(10.5.0.0/24, 10.6.0.0/24\)"):
        netconf.resolve(netspec.parse_net(["r:IP=10.7.0.1"]), tmp_path)
    with pytest.raises(NetSpecError, match="invalid IP='x'"):
        netconf.resolve(netspec.parse_net(["default:IP=x"]), tmp_path)


def test_a_conflist_portmap_keeps_its_settings_and_gets_the_mappings(tmp_path):
    write_net(tmp_path, "p.conflist", {"name": "p", "cniVersion": "1.0.0", "plugins": [
        {"type": "bridge"}, {"type": "portmap", "capabilities": {"portMappings": True}, "snat": False}]})
    plan = podnet.plan(tmp_path, ["p"], port_flags=["http:8080"], declared_ports=HTTP)
    [bridge, portmap] = plan.networks[0].plugins
    assert portmap["snat"] is False and portmap["runtimeConfig"]["portMappings"][0]["containerPort"] == 80
