"""Parsing of ``--net`` values: ``host``, ``none``, ``all``, or ``name[:K=V;K=V],name…`` (rkt's syntax)."""

from __future__ import annotations

import re

from rktnetes.rkt.networking.errors import NetSpecError
from rktnetes.rkt.records import Factory, Record

HOST, NONE, CNI = "host", "none", "cni"
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"  # compiled by re on first use: most pod starts never need it


class NetPlan(Record, frozen=True):
    """What the user asked for: a mode, the named networks in order, their CNI_ARGS, and whether ``all``."""

    mode: str = CNI
    names: tuple[str, ...] = ("default",)
    args: dict[str, str] = Factory(dict)
    all: bool = False


def parse_net(values: list[str] | None) -> NetPlan:
    """Turns every ``--net`` value (the flag may repeat, each comma-separated) into one NetPlan."""
    words = [w.strip() for v in (values or []) for w in v.split(",") if w.strip()]
    if not words:
        return NetPlan()
    if words[0] in (HOST, NONE) or HOST in words or NONE in words:
        if len(words) != 1:
            raise NetSpecError(f"--net={words[0]} cannot be combined with other networks")
        return NetPlan(mode=words[0], names=())
    names: list[str] = []
    args: dict[str, str] = {}
    for word in words:
        name, cni_args = _split_word(word)
        if name in names:
            raise NetSpecError(f"network {name!r} given twice in --net")
        names.append(name)
        if cni_args:
            args[name] = cni_args
    everything = "all" in names
    return NetPlan(names=tuple(n for n in names if n != "all"), args=args, all=everything)


def _split_word(word: str) -> tuple[str, str]:
    name, _, raw = word.partition(":")
    if not re.match(_NAME, name):
        raise NetSpecError(f"invalid network name {name!r} in --net")
    pairs = [p.strip() for p in raw.split(";") if p.strip()]
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key or not value:
            raise NetSpecError(f"invalid network argument {pair!r} for {name!r}: want KEY=VALUE")
    if name == "all" and pairs:
        raise NetSpecError("--net=all takes no arguments; give them per network (name:K=V)")
    return name, ";".join(pairs)
