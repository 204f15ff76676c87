"""Invoking CNI plugins as the spec says: environment variables, the configuration on stdin, a result
or an error object on stdout. A network's plugin chain is run in order for ADD (each plugin gets the
previous result as ``prevResult``) and in reverse for DEL and CHECK.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from rktnetes.rkt.networking import execs, masq
from rktnetes.rkt.networking.errors import PluginError
from rktnetes.rkt.networking.netconf import Network
from rktnetes.rkt.records import Record

PLUGIN_DIRS = (Path("/usr/lib/cni"), Path("/opt/cni/bin"))
TIMEOUT = 60.0
_NO_PREV_ON_DEL = ("0.1.0", "0.2.0", "0.3.0", "0.3.1")


class Invocation(Record, frozen=True):
    """The per-pod part of a plugin call: CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME, CNI_ARGS."""

    container_id: str
    netns: str
    ifname: str
    args: str = ""


def plugin_path(kind: str) -> Path:
    """The executable of plugin ``kind`` (a bare name, never a path) in the CNI plugin folders."""
    for folder in PLUGIN_DIRS if kind and "/" not in kind else ():
        candidate = folder / kind
        if os.access(candidate, os.X_OK):
            return candidate
    raise PluginError(f"CNI plugin {kind!r} not found in {':'.join(map(str, PLUGIN_DIRS))}")


def environment(command: str, call: Invocation) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CNI_")}
    env.update(CNI_COMMAND=command, CNI_CONTAINERID=call.container_id, CNI_NETNS=call.netns,
               CNI_IFNAME=call.ifname, CNI_PATH=":".join(map(str, PLUGIN_DIRS)))
    if call.args:
        env["CNI_ARGS"] = call.args
    return env


def invoke(command: str, conf: dict, call: Invocation) -> dict | None:
    """Runs one plugin once; returns its parsed result for ADD, raises PluginError on failure."""
    binary = plugin_path(conf["type"])
    try:
        done = execs.run([str(binary)], json.dumps(conf).encode(), environment(command, call), TIMEOUT)
    except TimeoutError:
        raise PluginError(f"network {conf['name']}: {conf['type']} {command} timed out after {TIMEOUT:.0f}s") from None
    except OSError as exc:
        raise PluginError(f"network {conf['name']}: cannot run {binary}: {exc.strerror}") from None
    if done.returncode != 0:
        raise PluginError(f"network {conf['name']}: {conf['type']} {command} failed: {_reason(done)}")
    if command != "ADD":
        return None
    try:
        return json.loads(done.stdout)
    except ValueError:
        raise PluginError(f"network {conf['name']}: {conf['type']} ADD printed no JSON result") from None


def _reason(done: execs.Finished) -> str:
    """The plugin's error object as one line (``msg: details (code N)``), else its last stderr line."""
    try:
        error = json.loads(done.stdout)
        text = str(error.get("msg") or "no message")
        if error.get("details"):
            text += f": {error['details']}"
        return f"{text} (code {error.get('code')})".replace("\n", " ")
    except (ValueError, AttributeError):
        lines = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit status {done.returncode}"


def plugin_conf(net: Network, plugin: dict, prev: dict | None) -> dict:
    conf = {**plugin, "name": net.name, "cniVersion": net.cni_version}
    if masq.ours(plugin):  # its rules are written and removed by masq, in one iptables transaction each
        conf["ipMasq"] = False
    if prev is not None:
        conf["prevResult"] = prev
    return conf


def add(net: Network, call: Invocation) -> dict:
    """ADD every plugin of the chain in order; the last result is the network's result."""
    prev: dict | None = None
    for plugin in net.plugins:
        prev = invoke("ADD", plugin_conf(net, plugin, prev), call) or prev
    return prev or {}


def delete(net: Network, call: Invocation, result: dict | None) -> None:
    """DEL every plugin in reverse order, all of them even if one fails; raises the first failure."""
    prev = None if net.cni_version in _NO_PREV_ON_DEL else result
    failures: list[PluginError] = []
    for plugin in reversed(net.plugins):
        try:
            invoke("DEL", plugin_conf(net, plugin, prev), call)
        except PluginError as exc:
            failures.append(exc)
    if failures:
        raise failures[0]


def check(net: Network, call: Invocation, result: dict) -> None:
    """CHECK every plugin of the chain against the ADD result (CNI 0.4.0 and later)."""
    for plugin in net.plugins:
        invoke("CHECK", plugin_conf(net, plugin, result), call)
