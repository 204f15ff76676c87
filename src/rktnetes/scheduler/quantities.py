"""Kubernetes resource quantities (``100m``, ``1.5``, ``128Mi``, ``1e3``, ``2G``) as exact numbers, and what a pod
asks of a node: cpu in millicores, memory in bytes, as kube-scheduler's resource accounting counts them."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation
from typing import Any

from rktnetes.scheduler.errors import BadQuantity

Obj = dict[str, Any]
_SUFFIXES = {"": 1, "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "k": 10**3, "M": 10**6,
             "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30,
             "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_QUANTITY = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?)$")
# What kube-scheduler assumes a container without requests uses, when scoring (not when filtering).
DEFAULT_MILLI_CPU, DEFAULT_MEMORY = 100, 200 * 2**20


def parse(text: object) -> Decimal:
    """The value of a quantity (a string, or a number as YAML may give it)."""
    return _parse(str(text).strip())


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> Decimal:
    match = _QUANTITY.match(text)
    if match is None:
        raise BadQuantity(f"quantities must match the regular expression '{_QUANTITY.pattern}': {text!r}")
    number, exponent, suffix = match.groups()
    try:
        value = Decimal(number + (exponent or ""))
    except InvalidOperation:
        raise BadQuantity(f"invalid quantity {text!r}") from None
    return value * _SUFFIXES[suffix or ""]


@functools.lru_cache(maxsize=4096)
def milli(text: object) -> int:
    """A quantity in thousandths, rounded up (cpu: ``100m`` → 100, ``1`` → 1000)."""
    return int((parse(text) * 1000).to_integral_value(ROUND_CEILING))


@functools.lru_cache(maxsize=4096)
def whole(text: object) -> int:
    """A quantity rounded up to a whole number (memory bytes, pod counts)."""
    return int(parse(text).to_integral_value(ROUND_CEILING))


@dataclass(frozen=True)
class Resources:
    milli_cpu: int = 0
    memory: int = 0
    pods: int = 0

    def __add__(self, other: Resources) -> Resources:
        return Resources(self.milli_cpu + other.milli_cpu, self.memory + other.memory, self.pods + other.pods)

    def __sub__(self, other: Resources) -> Resources:
        return Resources(self.milli_cpu - other.milli_cpu, self.memory - other.memory, self.pods - other.pods)


def _of(values: Obj | None) -> Resources:
    values = values or {}
    cpu, memory = values.get("cpu"), values.get("memory")
    return Resources(milli(cpu) if cpu is not None else 0, whole(memory) if memory is not None else 0,
                     whole(values["pods"]) if values.get("pods") is not None else 0)


def _max(a: Resources, b: Resources) -> Resources:
    return Resources(max(a.milli_cpu, b.milli_cpu), max(a.memory, b.memory), max(a.pods, b.pods))


def pod_requests(pod: Obj) -> Resources:
    """What a pod reserves: its containers' requests summed, at least each init container's, plus overhead."""
    spec = pod.get("spec") or {}
    total = Resources()
    for container in spec.get("containers") or []:
        total += _of((container.get("resources") or {}).get("requests"))
    for container in spec.get("initContainers") or []:
        total = _max(total, _of((container.get("resources") or {}).get("requests")))
    return total + _of(spec.get("overhead")) + Resources(pods=1)


def pod_score_requests(pod: Obj) -> Resources:
    """``pod_requests`` with kube-scheduler's non-zero defaults for containers that ask for nothing."""
    total = Resources()
    for container in (pod.get("spec") or {}).get("containers") or []:
        asked = (container.get("resources") or {}).get("requests") or {}
        total += Resources(milli(asked["cpu"]) if "cpu" in asked else DEFAULT_MILLI_CPU,
                           whole(asked["memory"]) if "memory" in asked else DEFAULT_MEMORY)
    return total


def allocatable(node: Obj) -> Resources:
    """What a node offers pods: status.allocatable, or status.capacity when allocatable is not reported."""
    status = node.get("status") or {}
    return _of(status.get("allocatable") or status.get("capacity"))
