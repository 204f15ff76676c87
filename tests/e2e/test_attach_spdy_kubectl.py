"""kubectl <= 1.29 speaks exec and attach over a plain SPDY/3.1 upgrade (``v4.channel.k8s.io``): the API
server bridges its streams to the real kubelet's channel WebSocket. kubectl.1.27 against a real rkt pod:
exit codes, stderr, stdin, a terminal of kubectl's size, attach following the output."""

from __future__ import annotations

import pytest

from tests.fixtures.pods import terminal_session

pytestmark = pytest.mark.e2e
KUBECTL_1_27 = "/usr/lib/google-cloud-sdk/bin/kubectl.1.27"


def test_exec_exit_codes_output_and_stdin(kubelet, namespace):
    kubelet.create_pod(namespace, "box", "echo started; exec sleep 300")
    kubelet.wait_phase(namespace, "box", "Running")
    kubectl = kubelet.apiserver.kubectl
    done = kubectl("exec", "-n", namespace, "box", "--", "/bin/sh", "-c", "echo out; echo err >&2; exit 3",
                   check=False, binary=KUBECTL_1_27)
    assert (done.returncode, done.stdout, done.stderr.strip()) == (3, "out\n", "err\ncommand terminated with exit "
                                                                             "code 3")
    piped = kubectl("exec", "-i", "-n", namespace, "box", "--", "/bin/cat", input="through stdin\n",
                    binary=KUBECTL_1_27)
    assert piped.stdout == "through stdin\n"
    assert kubectl("logs", "-n", namespace, "box").stdout == "started\n"


def test_exec_with_a_terminal(kubelet, namespace):
    kubelet.create_pod(namespace, "shell", "exec sleep 300")
    kubelet.wait_phase(namespace, "shell", "Running")
    argv = [KUBECTL_1_27, "exec", "-it", "-n", namespace, "shell", "--", "/bin/sh"]
    code, seen = terminal_session(argv, b"tty; stty size; echo sum=$((3+4)); exit 5\r", (33, 99),
                                  env=kubelet.apiserver.env())
    assert b"sum=7" in seen and b"/dev/pts/" in seen and b"33 99" in seen, seen
    assert code == 5


def test_attach_follows_the_output_until_the_container_ends(kubelet, namespace):
    kubelet.create_pod(namespace, "ticker", "sleep 2; for i in 1 2 3; do echo tick $i; sleep 0.5; done",
                       restartPolicy="Never")
    kubelet.wait_phase(namespace, "ticker", "Running")
    done = kubelet.apiserver.kubectl("attach", "-n", namespace, "ticker", timeout=30, binary=KUBECTL_1_27)
    assert done.stdout == "tick 1\ntick 2\ntick 3\n"
