"""CNI invocation, chaining and rollback against fake plugins (the real ones are in tests/integration)."""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

from rktnetes.rkt import paths
from rktnetes.rkt.networking import attaching, cni, netconf, netinfo
from rktnetes.rkt.networking.errors import PluginError

FAKE = textwrap.dedent("""\
    #!{python}
    import json, os, sys
    conf = json.load(sys.stdin)
    env = {{k: v for k, v in os.environ.items() if k.startswith("CNI_")}}
    with open({log!r}, "a") as log:
        log.write(json.dumps({{"plugin": os.path.basename(sys.argv[0]), "env": env, "conf": conf}}) + "\\n")
    if conf.get("fail") == os.environ["CNI_COMMAND"]:
        print(json.dumps({{"code": 11, "msg": "boom", "details": "line one\\nline two"}}))
        sys.exit(1)
    if conf.get("garble"):
        print("panic: something\\ngoroutine 1", file=sys.stderr)
        sys.exit(2)
    if os.environ["CNI_COMMAND"] == "ADD":
        prev = conf.get("prevResult") or {{"cniVersion": conf["cniVersion"], "ips": [
            {{"address": "10.1.2.3/24", "gateway": "10.1.2.1"}}]}}
        prev.setdefault("seen", []).append(os.path.basename(sys.argv[0]))
        print(json.dumps(prev))
""")


@pytest.fixture
def fake(tmp_path, monkeypatch):
    log = tmp_path / "calls.jsonl"
    folder = tmp_path / "plugins"
    folder.mkdir()
    for name in ("alpha", "beta"):
        script = folder / name
        script.write_text(FAKE.format(python=sys.executable, log=str(log)))
        script.chmod(0o755)
    monkeypatch.setattr(cni, "PLUGIN_DIRS", (folder,))

    def calls() -> list[dict]:
        return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []

    return calls


def net(name="n1", *plugins) -> netconf.Network:
    return netconf.Network(name, "1.0.0", [dict(p) for p in plugins] or [{"type": "alpha"}])


CALL = cni.Invocation("pod-uuid", "/run/netns/x", "eth3", "IP=10.1.2.9")


def test_environment_and_stdin_follow_the_spec(fake):
    result = cni.add(net("n1", {"type": "alpha", "k": 1}), CALL)
    [call] = fake()
    assert call["env"] == {"CNI_COMMAND": "ADD", "CNI_CONTAINERID": "pod-uuid", "CNI_NETNS": "/run/netns/x",
                           "CNI_IFNAME": "eth3", "CNI_ARGS": "IP=10.1.2.9", "CNI_PATH": str(cni.PLUGIN_DIRS[0])}
    assert call["conf"] == {"type": "alpha", "k": 1, "name": "n1", "cniVersion": "1.0.0"}
    assert result["ips"][0]["address"] == "10.1.2.3/24"


def test_chain_passes_prev_result_forward_and_deletes_in_reverse(fake):
    chain = net("n1", {"type": "alpha"}, {"type": "beta"})
    result = cni.add(chain, CALL)
    assert result["seen"] == ["alpha", "beta"]
    cni.delete(chain, CALL, result)
    calls = fake()
    assert [(c["plugin"], c["env"]["CNI_COMMAND"]) for c in calls] == [
        ("alpha", "ADD"), ("beta", "ADD"), ("beta", "DEL"), ("alpha", "DEL")]
    assert calls[1]["conf"]["prevResult"]["seen"] == ["alpha"]
    assert calls[2]["conf"]["prevResult"] == result


def test_old_versions_get_no_prev_result_on_del(fake):
    old = netconf.Network("n1", "0.3.1", [{"type": "alpha"}])
    cni.delete(old, CALL, {"ips": []})
    assert "prevResult" not in fake()[0]["conf"]


def test_error_object_becomes_one_line(fake):
    with pytest.raises(PluginError) as caught:
        cni.add(net("n1", {"type": "alpha", "fail": "ADD"}), CALL)
    assert str(caught.value) == "network n1: alpha ADD failed: boom: line one line two (code 11)"


def test_non_json_failure_shows_the_last_stderr_line(fake):
    with pytest.raises(PluginError, match="alpha ADD failed: goroutine 1$"):
        cni.add(net("n1", {"type": "alpha", "garble": True}), CALL)


def test_missing_plugin(fake):
    with pytest.raises(PluginError, match="CNI plugin 'gamma' not found"):
        cni.add(net("n1", {"type": "gamma"}), CALL)


def test_failed_setup_deletes_every_network_added_so_far_in_reverse(fake, tmp_path):
    pod = tmp_path / "pod"
    pod.mkdir()
    nets = [net("n1"), net("n2", {"type": "beta"}), net("n3", {"type": "alpha", "fail": "ADD"})]
    with pytest.raises(PluginError, match="network n3"):
        attaching.setup(pod, "pod-uuid", "", nets, tmp_path / "data")
    dels = [(c["conf"]["name"], c["env"]["CNI_IFNAME"]) for c in fake() if c["env"]["CNI_COMMAND"] == "DEL"]
    assert dels == [("n3", "eth2"), ("n2", "eth1"), ("n1", "eth0")]
    assert not paths.pod_networks_path(pod).exists()


def test_teardown_reads_the_record_and_is_idempotent(fake, tmp_path):
    pod = tmp_path / "pod"
    pod.mkdir()
    ipam = {"type": "host-local", "subnet": "10.1.2.0/24"}
    infos = attaching.setup(pod, "pod-uuid", "", [net("n1", {"type": "alpha", "ipam": ipam})], tmp_path / "data")
    assert infos[0].network.plugins[0]["ipam"]["dataDir"] == str(paths.net_ipam_dir(tmp_path / "data"))
    assert netinfo.summary(pod) == "n1:ip4=10.1.2.3"
    assert [i.gateway for i in netinfo.pod_networks(pod)] == ["10.1.2.1"]
    attaching.teardown(pod, "pod-uuid")
    attaching.teardown(pod, "pod-uuid")
    assert [c["env"]["CNI_COMMAND"] for c in fake()] == ["ADD", "DEL"]
    assert netinfo.pod_networks(pod) == []


def test_failed_del_keeps_the_record_for_a_retry(fake, tmp_path):
    pod = tmp_path / "pod"
    pod.mkdir()
    attaching.setup(pod, "pod-uuid", "", [net("n1", {"type": "alpha", "fail": "DEL"})], tmp_path / "data")
    with pytest.raises(PluginError, match="DEL failed"):
        attaching.teardown(pod, "pod-uuid")
    assert paths.pod_networks_path(pod).exists()


def test_iptables_restore_quoting_and_jump_selection():
    from rktnetes.rkt.networking import masq

    assert masq._quote("-j") == "-j" and masq._quote("a b") == '"a b"'
    assert masq._quote('name: "n" id: "x"') == '"name: \\"n\\" id: \\"x\\""'
    rules = [["-N", "C"], ["-A", "POSTROUTING", "-s", "1.2.3.4/32", "-j", "C"], ["-A", "C", "-j", "MASQUERADE"],
             ["-A", "OUTPUT", "-j", "D"]]
    assert masq.jumps_to(rules, ["C"]) == [rules[1]]
    assert masq.chain_name("default", "abc") == "CNI-d45410bb70a7690966c94de8"


def test_plugin_type_must_be_a_bare_name(fake):
    with pytest.raises(PluginError, match="not found"):
        cni.plugin_path("../plugins/alpha")
