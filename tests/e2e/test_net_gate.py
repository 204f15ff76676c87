"""The network gate: a pod's apps are created by runc while its networks come up, and start only once they
are up; when an ADD fails the apps never start, and the pod leaves nothing ``gc`` cannot clean."""

from __future__ import annotations

import pytest

from tests.e2e.test_net_rkt import BUSYBOX, RKT, net_images, netrkt, one_line_254  # noqa: F401 (fixtures)
from tests.fixtures import pods
from tests.fixtures.pods import leftovers

pytestmark = pytest.mark.e2e


def test_apps_start_with_their_address_route_and_hosts_file_in_place(netrkt):  # noqa: F811
    out = netrkt.out(*BUSYBOX, "-c", "ip -o -4 addr show eth0; ip route; cat /etc/hosts").splitlines()
    assert "172.16.28." in out[0] and any(r.startswith("default via 172.16.28.1") for r in out)
    assert "# written by rkt" in out


def test_a_failed_add_never_starts_the_app_and_leaves_nothing(netrkt, testhost, tmp_path):  # noqa: F811
    peer = netrkt.detach("--net=default:IP=172.16.28.77", *BUSYBOX, "-c", "sleep 60")
    before, leases = testhost.snapshot(), netrkt.leases()
    marks, saved = tmp_path / "marks", tmp_path / "uuid"
    marks.mkdir()
    done = netrkt("run", "--net=default:IP=172.16.28.77", f"--uuid-file-save={saved}",
                  f"--volume=m,kind=host,source={marks}", "busybox", "--mount=volume=m,target=/m",
                  "--exec", "/bin/touch", "--", "/m/ran", "---")
    one_line_254(done, "172.16.28.77")
    uuid = saved.read_text().strip()
    assert not (marks / "ran").exists()
    assert netrkt.status(uuid)["state"] == "exited"
    assert testhost.snapshot() == before and netrkt.leases() == leases
    netrkt("stop", "--force", peer)
    assert netrkt("gc", "--grace-period=0s").returncode == 0
    assert leftovers(netrkt.root, [uuid, peer]) == []


def test_every_app_of_a_networked_pod_goes_through_the_gate(netrkt):  # noqa: F811
    app = ["busybox", "--exec", "/bin/sh", "--", "-c", "ip -o -4 addr show eth0 | grep -o 'inet [0-9.]*'", "---"]
    out = netrkt.out("--net=default", *app[:1], "--name=a", *app[1:], *app[:1], "--name=b", *app[1:])
    addresses = out.split("\n")[:-1]
    assert len(addresses) == 2 and addresses[0] == addresses[1], out  # one pod, one eth0, seen by both
    assert addresses[0].startswith("inet 172.16.28."), out


def test_an_interactive_networked_pod_gets_its_terminal_and_network(netrkt):  # noqa: F811
    argv = ["nsenter", f"--net={netrkt.host.path}", RKT, "--dir", str(netrkt.root), "--local-config",
            str(netrkt.config), "run", "--interactive", "busybox", "--exec", "/bin/sh"]
    code, seen = pods.interactive(argv, b"tty; ip -o -4 addr show eth0; echo answer-$((6*7)); exit 3\n",
                                  until=b"answer-42")
    assert code == 3, seen
    assert b"/dev/pts/" in seen and b"inet 172.16.28." in seen, seen
